//! OCIRepository: the registry side of the source reconciler. [`pull`] resolves `spec.ref` to a manifest
//! digest and the revision Flux records (`<tag>@sha256:<hex>`, or `sha256:<hex>` for a digest), downloads the
//! selected layer with its digest checked, and extracts it (ignore rules applied) or copies it; its manifest
//! annotations become the artifact's metadata. [`resolve_revision`] is the cheap first half, so a reconciler
//! can skip the download when the revision has not changed.
//!
//! [`reconcile`] is the reconciler's part: it reads the object and its secret ([`OciRequest::from_spec`],
//! [`OciAuth::from_secret_data`]), skips the pull when the resolved revision is already stored, archives the
//! directory (or stores the copied layer), and hands the status to the shared source reconcile, failures
//! carrying [`OciError::reason`] and [`OciError::is_terminal`].
//!
//! Not supported yet: cloud providers' workload identity (`spec.provider` other than `generic`) and `spec.verify`
//! (both stall with a message saying so), `spec.serviceAccountName`, `spec.certSecretRef` and
//! `spec.proxySecretRef` (not read).

pub mod auth;
pub mod error;
mod layer;
pub mod pull;
pub mod reconcile;
pub mod request;

pub use auth::OciAuth;
pub use error::OciError;
pub use pull::{
    OciPull, PulledContent, PulledLayer, ResolvedRevision, list_tags, pull, pull_resolved, resolve_revision,
};
pub use request::{LayerOperation, LayerSelector, OciReference, OciRequest, OciUrl};

/// Tests that push with an oci-client `Client` of their own install the provider through here too.
pub use crate::controllers::tls::install_crypto_provider;
