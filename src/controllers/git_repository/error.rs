//! What can go wrong while checking out a GitRepository, each with the message a user reads in the object's
//! Ready condition and the Flux reason it maps to.

use thiserror::Error;

use crate::controllers::semver_tags::SemverError;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CheckoutError {
    /// The URL is not one source-controller accepts (`http`, `https`, `ssh`; `git` and `file` here for tests and
    /// local development).
    #[error("invalid URL '{url}': {reason}")]
    InvalidUrl { url: String, reason: String },
    /// The branch, tag or name is not on the remote.
    #[error("unable to find {kind} '{name}' in repository '{url}'")]
    UnknownRef { kind: &'static str, name: String, url: String },
    /// The commit is not in the fetched history.
    #[error("unable to resolve commit '{commit}' in repository '{url}': {detail}")]
    UnknownCommit { commit: String, url: String, detail: String },
    /// `spec.ref.semver` does not parse as a range.
    #[error("semver parse error: invalid range '{range}': {detail}")]
    InvalidSemver { range: String, detail: String },
    /// No tag is a version in the range.
    #[error("no match found for semver: {range}")]
    NoSemverMatch { range: String },
    /// The server refused the credentials, or asked for some and none were given.
    #[error("authentication failed for '{url}': {detail}")]
    AuthenticationFailed { url: String, detail: String },
    /// The secret's data cannot be used (a key missing, or an identity that does not parse).
    #[error("invalid auth secret: {detail}")]
    InvalidSecret { detail: String },
    /// The host cannot be reached (DNS, refused or timed-out connection, TLS failure).
    #[error("unable to reach '{url}': {detail}")]
    Unreachable { url: String, detail: String },
    /// The SSH host key is not in `known_hosts`.
    #[error("host key verification failed for '{host}': {detail}")]
    HostKeyMismatch { host: String, detail: String },
    /// The fetch took longer than `spec.timeout`.
    #[error("git operation timed out after {timeout:?} for '{url}'")]
    Timeout { url: String, timeout: std::time::Duration },
    /// Any other failure of a Git operation, with libgit2's message.
    #[error("failed to {operation} '{url}': {detail}")]
    Git { operation: &'static str, url: String, detail: String },
    /// The working directory cannot be created or cleaned.
    #[error("working directory '{path}': {detail}")]
    WorkingDirectory { path: String, detail: String },
}

impl CheckoutError {
    /// The reason source-controller puts on the FetchFailed and Ready conditions for this failure.
    pub fn reason(&self) -> &'static str {
        match self {
            CheckoutError::InvalidUrl { .. } => "URLInvalid",
            CheckoutError::AuthenticationFailed { .. } | CheckoutError::InvalidSecret { .. } => "AuthenticationFailed",
            CheckoutError::HostKeyMismatch { .. } => "AuthenticationFailed",
            CheckoutError::WorkingDirectory { .. } => "DirectoryCreationFailed",
            _ => "GitOperationFailed",
        }
    }

    /// Whether retrying without a spec change cannot help (source-controller marks these Stalled).
    pub fn is_terminal(&self) -> bool {
        matches!(self, CheckoutError::InvalidUrl { .. } | CheckoutError::InvalidSemver { .. })
    }
}

impl From<SemverError> for CheckoutError {
    fn from(error: SemverError) -> Self {
        match error {
            SemverError::InvalidRange { range, detail } => CheckoutError::InvalidSemver { range, detail },
            SemverError::NoMatch { range } => CheckoutError::NoSemverMatch { range },
        }
    }
}
