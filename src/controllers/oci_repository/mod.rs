//! OCIRepository: the registry side of the source reconciler. [`pull`] resolves `spec.ref` to a manifest
//! digest and the revision Flux records (`<tag>@sha256:<hex>`, or `sha256:<hex>` for a digest), downloads the
//! selected layer with its digest checked, and extracts it (ignore rules applied) or copies it; its manifest
//! annotations become the artifact's metadata. [`resolve_revision`] is the cheap first half, so a reconciler
//! can skip the download when the revision has not changed.
//!
//! Nothing here knows about the API server: the reconciler (a later part) reads the object and its secret
//! ([`OciRequest::from_spec`], [`OciAuth::from_secret_data`]), calls these, archives the directory (or stores the copied file), and writes
//! the status with [`OciError::reason`] and [`OciError::is_terminal`].
//!
//! Not supported yet: cloud providers' workload identity (`spec.provider` other than `generic`),
//! `spec.serviceAccountName`, `spec.certSecretRef`, `spec.proxySecretRef` and `spec.verify`.

pub mod auth;
pub mod error;
mod layer;
pub mod pull;
pub mod request;

pub use auth::OciAuth;
pub use error::OciError;
pub use pull::{
    OciPull, PulledContent, PulledLayer, ResolvedRevision, install_crypto_provider, pull, pull_resolved,
    resolve_revision,
};
pub use request::{LayerOperation, LayerSelector, OciReference, OciRequest, OciUrl};
