//! The cluster layer's one error enum: what went wrong reaching a cluster, said so a person can fix it.
//!
//! Only [`super::connect`] and [`super::contexts`] return these. Once a session runs, failures are states
//! ([`super::KindState`], [`super::ConnectionState`]) sent as events, never errors the app must handle.

use std::path::PathBuf;

use kube::config::KubeconfigError;

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// No kubeconfig file exists at any of the places looked at.
    #[error("no kubeconfig found (looked at {})", display_paths(paths))]
    KubeconfigNotFound { paths: Vec<PathBuf> },

    /// `KUBECONFIG` is unset and there is no home directory to find `~/.kube/config` in.
    #[error("no kubeconfig: KUBECONFIG is not set and the home directory is unknown")]
    NoHomeDirectory,

    /// A kubeconfig file exists but cannot be read or parsed, or several cannot be merged.
    #[error("invalid kubeconfig {}", path.display())]
    InvalidKubeconfig {
        path: PathBuf,
        #[source]
        source: KubeconfigError,
    },

    /// No context was asked for and the kubeconfig names no `current-context`.
    #[error("the kubeconfig has no current-context; choose a context")]
    NoCurrentContext,

    /// The asked-for context is not in the kubeconfig.
    #[error("context {name:?} is not in the kubeconfig (contexts: {})", available.join(", "))]
    ContextNotFound { name: String, available: Vec<String> },

    /// The context exists but its cluster or user cannot be used (missing cluster, bad URL, unreadable CA or
    /// client certificate, malformed proxy-url...).
    #[error("context {context:?} cannot be used")]
    InvalidContext {
        context: String,
        #[source]
        source: KubeconfigError,
    },

    /// The client could not be built from the context (TLS setup, unsupported proxy scheme...).
    #[error("cannot build a client for context {context:?}")]
    Client {
        context: String,
        #[source]
        source: kube::Error,
    },
}

fn display_paths(paths: &[PathBuf]) -> String {
    paths.iter().map(|path| path.display().to_string()).collect::<Vec<_>>().join(", ")
}

/// An error and its causes on one line, each cause once: transport errors (kube's, hyper's, reqwest's) say little
/// at the top ("error sending request") and the reason ("connection refused") only in their sources.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
