//! What can go wrong while pulling an OCIRepository, each with the message a user reads in the object's Ready
//! condition and the Flux reason it maps to.

use std::time::Duration;

use thiserror::Error;

use crate::controllers::semver_tags::SemverError;

/// source-controller's reasons for an OCIRepository's FetchFailed and Ready conditions.
pub mod reason {
    pub const URL_INVALID: &str = "URLInvalid";
    pub const AUTHENTICATION_FAILED: &str = "AuthenticationFailed";
    /// The tag could not be determined (tags not listed, no semver match, a range that does not parse).
    pub const READ_OPERATION_FAILED: &str = "ReadOperationFailed";
    pub const OCI_PULL_FAILED: &str = "OCIArtifactPullFailed";
    pub const OCI_LAYER_OPERATION_FAILED: &str = "OCIArtifactLayerOperationFailed";
    pub const DIRECTORY_CREATION_FAILED: &str = "DirectoryCreationFailed";
}

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum OciError {
    /// `spec.url` is not `oci://<host>[:port]/<repository>`.
    #[error("URL validation failed for '{url}': {reason}")]
    InvalidUrl { url: String, reason: String },
    /// `spec.ref.tag` or `spec.ref.digest` is not a valid tag or digest.
    #[error("invalid reference '{reference}': {reason}")]
    InvalidReference { reference: String, reason: String },
    /// `spec.ref.semver` does not parse as a range.
    #[error("semver parse error: invalid range '{range}': {detail}")]
    InvalidSemver { range: String, detail: String },
    /// `spec.ref.semverFilter` is not a regular expression.
    #[error("failed to compile regex '{filter}' of spec.ref.semverFilter: {detail}")]
    InvalidSemverFilter { filter: String, detail: String },
    /// No tag (left by the filter) is a version in the range.
    #[error("failed to determine the artifact tag for '{url}': no match found for semver: {range}")]
    NoSemverMatch { url: String, range: String },
    /// The secret's data cannot be used.
    #[error("invalid auth secret: {detail}")]
    InvalidSecret { detail: String },
    /// The registry refused the credentials, or asked for some and none were given.
    #[error("authentication failed for '{registry}': {detail}")]
    AuthenticationFailed { registry: String, detail: String },
    /// The repository, the tag or the digest is not in the registry.
    #[error("artifact '{reference}' not found: {detail}")]
    ArtifactNotFound { reference: String, detail: String },
    /// The registry cannot be reached (DNS, refused or reset connection, TLS failure).
    #[error("unable to reach the registry for '{reference}': {detail}")]
    Unreachable { reference: String, detail: String },
    /// The network work took longer than `spec.timeout`.
    #[error("pulling '{reference}' timed out after {timeout:?}")]
    Timeout { reference: String, timeout: Duration },
    /// Any other failure while talking to the registry: an error answer, a digest that does not match, a manifest
    /// that is not an image manifest.
    #[error("failed to {operation} '{reference}': {detail}")]
    Pull { operation: &'static str, reference: String, detail: String },
    /// The artifact has no layer at all.
    #[error("no layers found in artifact '{reference}'")]
    NoLayers { reference: String },
    /// No layer has the media type of `spec.layerSelector.mediaType`.
    #[error("failed to find layer with media type '{media_type}' in OCI artifact '{reference}'")]
    LayerNotFound { media_type: String, reference: String },
    /// The layer cannot be extracted (not a gzip'ed tar, an entry escaping the directory, too large) or copied.
    #[error("failed to {operation} layer contents from artifact: {detail}")]
    LayerOperation { operation: &'static str, detail: String },
    /// The working directory cannot be created or cleaned.
    #[error("working directory '{path}': {detail}")]
    WorkingDirectory { path: String, detail: String },
}

impl OciError {
    /// The reason source-controller puts on the FetchFailed and Ready conditions for this failure.
    pub fn reason(&self) -> &'static str {
        match self {
            OciError::InvalidUrl { .. } | OciError::InvalidReference { .. } => reason::URL_INVALID,
            OciError::InvalidSemver { .. } | OciError::InvalidSemverFilter { .. } | OciError::NoSemverMatch { .. } => {
                reason::READ_OPERATION_FAILED
            }
            OciError::InvalidSecret { .. } | OciError::AuthenticationFailed { .. } => reason::AUTHENTICATION_FAILED,
            OciError::ArtifactNotFound { .. }
            | OciError::Unreachable { .. }
            | OciError::Timeout { .. }
            | OciError::Pull { .. } => reason::OCI_PULL_FAILED,
            OciError::NoLayers { .. } | OciError::LayerNotFound { .. } | OciError::LayerOperation { .. } => {
                reason::OCI_LAYER_OPERATION_FAILED
            }
            OciError::WorkingDirectory { .. } => reason::DIRECTORY_CREATION_FAILED,
        }
    }

    /// Whether retrying without a spec change cannot help (the reconciler marks these Stalled). source-controller
    /// stalls on an invalid URL only; a range or filter that does not parse cannot start to parse either, so
    /// they stall here too rather than retry with backoff forever.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            OciError::InvalidUrl { .. }
                | OciError::InvalidReference { .. }
                | OciError::InvalidSemver { .. }
                | OciError::InvalidSemverFilter { .. }
        )
    }

    /// Turns a semver failure for the repository at `url` into the OCIRepository's error.
    pub(crate) fn from_semver(url: &str, error: SemverError) -> OciError {
        match error {
            SemverError::InvalidRange { range, detail } => OciError::InvalidSemver { range, detail },
            SemverError::NoMatch { range } => OciError::NoSemverMatch { url: url.to_string(), range },
        }
    }
}
