//! The process's rustls crypto provider. The S3 and OCI clients (reqwest, built with rustls but no provider of its
//! own) take the process default and panic when none is set; kube and the Helm client use ring explicitly. This
//! makes ring, which the workspace already builds, the default, once.

use std::sync::Once;

/// Installs ring as the process default. An error from `install_default` means another default is installed
/// already, which serves as well. Every engine client that needs it calls this first, as must code building an
/// oci-client `Client` of its own (tests that push).
pub fn install_crypto_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
