//! What can go wrong while fetching a HelmRepository index, each with the message a user reads in the object's
//! Ready condition (source-controller's wording) and the Flux reason it maps to.

use thiserror::Error;

use super::http::{GetError, InvalidSecret};
use super::index::IndexParseError;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IndexError {
    /// `spec.url` does not parse, has no host, or is not http(s).
    #[error("invalid Helm repository URL: {detail}")]
    InvalidUrl { url: String, detail: String },
    /// The secret has half a username/password pair, or text that is not UTF-8.
    #[error(transparent)]
    InvalidSecret(#[from] InvalidSecret),
    /// The server refused the credentials (401, 403) or asked for some.
    #[error("failed to fetch Helm repository index: {0}")]
    AuthenticationFailed(GetError),
    /// Any other download failure: unreachable, timed out, too large, a status such as 404.
    #[error("failed to fetch Helm repository index: {0}")]
    Fetch(GetError),
    /// The bytes are not an index.
    #[error("failed to load Helm repository from index YAML: failed to load index: {0}")]
    Indexation(IndexParseError),
}

impl From<GetError> for IndexError {
    fn from(error: GetError) -> Self {
        if error.is_auth_failure() { IndexError::AuthenticationFailed(error) } else { IndexError::Fetch(error) }
    }
}

impl IndexError {
    /// The reason source-controller puts on the FetchFailed and Ready conditions. A refused login is
    /// `AuthenticationFailed` here where source-controller says `Failed`, so the TUI can tell it apart.
    pub fn reason(&self) -> &'static str {
        match self {
            IndexError::InvalidUrl { .. } => "URLInvalid",
            IndexError::InvalidSecret(_) | IndexError::AuthenticationFailed(_) => "AuthenticationFailed",
            IndexError::Fetch(_) => "Failed",
            IndexError::Indexation(_) => "IndexationFailed",
        }
    }

    /// Whether retrying without a spec change cannot help (source-controller marks these Stalled).
    pub fn is_terminal(&self) -> bool {
        matches!(self, IndexError::InvalidUrl { .. })
    }
}
