//! HTTPS for the sandbox, used only when `SandboxConfig::tls` is set: the server then presents a
//! certificate from its own certificate authority, which the written kubeconfig trusts. A token
//! does not turn TLS on here; client-go (kubectl, helm) sends bearer tokens only over TLS, so the
//! `fluxtui sandbox` command (and the testkit) set `tls` whenever a token is given. With a state
//! directory the CA and certificate are kept there, so kubeconfigs written before a restart stay
//! valid.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    SanType,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot create the sandbox's certificate")]
    Generate(#[from] rcgen::Error),
    #[error("cannot use the sandbox's certificate")]
    Rustls(#[from] rustls::Error),
    #[error("cannot read the stored certificate {path}: {reason}")]
    Stored { path: String, reason: String },
    #[error("cannot store the certificate in {path}")]
    Io { path: String, source: std::io::Error },
}

/// The server side of TLS and the CA clients must trust.
pub struct TlsMaterial {
    pub ca_pem: String,
    pub server_config: Arc<rustls::ServerConfig>,
}

struct Pems {
    ca: String,
    cert: String,
    key: String,
}

/// Loads the certificate from `state_dir/tls` or creates (and stores) a new one for `ip`.
pub fn load_or_create(state_dir: Option<&Path>, ip: IpAddr) -> Result<TlsMaterial, TlsError> {
    let dir = state_dir.map(|d| d.join("tls"));
    let pems = match dir.as_deref().map(read_stored).transpose()?.flatten() {
        Some(pems) => pems,
        None => {
            let pems = generate(ip)?;
            if let Some(dir) = &dir {
                store(dir, &pems)?;
            }
            pems
        }
    };
    let certs = vec![
        CertificateDer::from_pem_slice(pems.cert.as_bytes()).map_err(|e| stored_error("server.pem", e))?,
        CertificateDer::from_pem_slice(pems.ca.as_bytes()).map_err(|e| stored_error("ca.pem", e))?,
    ];
    let key = PrivateKeyDer::from_pem_slice(pems.key.as_bytes()).map_err(|e| stored_error("server-key.pem", e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsMaterial { ca_pem: pems.ca, server_config: Arc::new(config) })
}

fn stored_error(file: &str, err: impl std::fmt::Display) -> TlsError {
    TlsError::Stored { path: file.to_string(), reason: err.to_string() }
}

/// A CA and a server certificate for localhost, the loopback addresses and `ip`.
fn generate(ip: IpAddr) -> Result<Pems, TlsError> {
    let mut ca_params = CertificateParams::default();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "fluxtui sandbox CA");
    ca_params.key_usages =
        vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca_key = KeyPair::generate()?;
    let ca_cert = ca_params.self_signed(&ca_key)?;

    let mut server_params = CertificateParams::default();
    server_params.distinguished_name.push(DnType::CommonName, "fluxtui-sandbox");
    let mut names = vec![
        SanType::DnsName("localhost".try_into()?),
        SanType::IpAddress(IpAddr::from([127, 0, 0, 1])),
        SanType::IpAddress(IpAddr::from([0, 0, 0, 0, 0, 0, 0, 1])),
    ];
    if !ip.is_loopback() && !ip.is_unspecified() {
        names.push(SanType::IpAddress(ip));
    }
    server_params.subject_alt_names = names;
    server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    server_params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    let server_key = KeyPair::generate()?;
    let issuer = Issuer::new(ca_params, ca_key);
    let server_cert = server_params.signed_by(&server_key, &issuer)?;
    Ok(Pems { ca: ca_cert.pem(), cert: server_cert.pem(), key: server_key.serialize_pem() })
}

fn read_stored(dir: &Path) -> Result<Option<Pems>, TlsError> {
    let read = |name: &str| std::fs::read_to_string(dir.join(name));
    match (read("ca.pem"), read("server.pem"), read("server-key.pem")) {
        (Ok(ca), Ok(cert), Ok(key)) => Ok(Some(Pems { ca, cert, key })),
        _ => Ok(None),
    }
}

fn store(dir: &Path, pems: &Pems) -> Result<(), TlsError> {
    let io = |source| TlsError::Io { path: dir.display().to_string(), source };
    std::fs::create_dir_all(dir).map_err(io)?;
    for (name, text) in [("ca.pem", &pems.ca), ("server.pem", &pems.cert), ("server-key.pem", &pems.key)] {
        std::fs::write(dir.join(name), text).map_err(io)?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key = dir.join("server-key.pem");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    }
    Ok(())
}

/// Accepts TLS connections and serves `app` on each until `stop` turns true; open connections
/// are then given a graceful end.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: Arc<rustls::ServerConfig>,
    app: axum::Router,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::service::TowerToHyperService;

    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let builder = Builder::new(TokioExecutor::new());
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    tracing::warn!(%err, "accept failed");
                    continue;
                }
            },
            _ = stop.wait_for(|stopped| *stopped) => break,
        };
        let acceptor = acceptor.clone();
        let app = app.clone();
        let builder = builder.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let tls = match acceptor.accept(stream).await {
                Ok(tls) => tls,
                Err(err) => {
                    tracing::debug!(%peer, %err, "TLS handshake failed");
                    return;
                }
            };
            let connection = builder.serve_connection_with_upgrades(TokioIo::new(tls), TowerToHyperService::new(app));
            if let Err(err) = watcher.watch(connection.into_owned()).await {
                tracing::debug!(%peer, %err, "connection ended with an error");
            }
        });
    }
    // Watches and log streams end on the same shutdown signal, so this does not wait long.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), graceful.shutdown()).await;
}
