//! What an ArtifactGenerator reconcile fails with, each variant mapped to source-watcher's reason, whether it is
//! terminal, and the message its Ready condition and Warning event carry.

use crate::controllers::names::reason;

/// One failed ArtifactGenerator reconcile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GeneratorError {
    /// The spec cannot work as written (duplicate alias or name, a revision alias that is no source): terminal.
    #[error("{0}")]
    Validation(String),
    /// A source could not be read: missing, of an unsupported kind, or without an artifact yet.
    #[error("get sources failed: {0}")]
    SourceUnavailable(String),
    /// A source's artifact could not be unpacked from storage.
    #[error("fetch sources failed: {0}")]
    SourceFetch(String),
    /// The copy operations or the archive of one output artifact failed.
    #[error("{artifact} build failed: {message}")]
    Build { artifact: String, message: String },
    /// The ExternalArtifact of one output artifact could not be written.
    #[error("{artifact} reconcile failed: {message}")]
    Reconciliation { artifact: String, message: String },
}

impl GeneratorError {
    /// source-watcher's reason for the Ready condition and the Warning event.
    pub fn reason(&self) -> &'static str {
        match self {
            GeneratorError::Validation(_) => reason::VALIDATION_FAILED,
            GeneratorError::SourceUnavailable(_) | GeneratorError::SourceFetch(_) => reason::SOURCE_FETCH_FAILED,
            GeneratorError::Build { .. } => reason::BUILD_FAILED,
            GeneratorError::Reconciliation { .. } => reason::RECONCILIATION_FAILED,
        }
    }

    /// A terminal failure stalls the generator until its spec changes.
    pub fn is_terminal(&self) -> bool {
        matches!(self, GeneratorError::Validation(_))
    }

    /// Whether the failure waits on another object (a source not ready yet): retried at source-watcher's
    /// `--requeue-dependency` interval rather than with the growing backoff.
    pub fn waits_on_dependency(&self) -> bool {
        matches!(self, GeneratorError::SourceUnavailable(_) | GeneratorError::SourceFetch(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_reasons_follow_source_watcher() {
        let build = GeneratorError::Build { artifact: "apps".into(), message: "boom".into() };
        assert_eq!(build.to_string(), "apps build failed: boom");
        assert_eq!(build.reason(), "BuildFailed");
        assert!(!build.is_terminal());
        let missing = GeneratorError::SourceUnavailable("source 'GitRepository/default/x' is not ready".into());
        assert_eq!(missing.to_string(), "get sources failed: source 'GitRepository/default/x' is not ready");
        assert_eq!(missing.reason(), "SourceFetchFailed");
        assert!(missing.waits_on_dependency());
        assert!(GeneratorError::Validation("duplicate".into()).is_terminal());
    }
}
