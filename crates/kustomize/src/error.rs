//! What can go wrong in a build. Every variant names the file or directory and the problem.

use std::path::PathBuf;

/// A build failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("no kustomization.yaml, kustomization.yml or Kustomization in {0}")]
    MissingKustomization(PathBuf),
    #[error("found multiple kustomization files under {0}")]
    MultipleKustomizations(PathBuf),
    #[error("{path}: invalid kustomization: {message}")]
    InvalidKustomization { path: PathBuf, message: String },
    #[error("{path}: field `{field}` is not supported yet by this engine")]
    Unsupported { path: PathBuf, field: String },
    #[error("{path}: malformed YAML: {message}")]
    MalformedYaml { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    InvalidResource { path: PathBuf, message: String },
    #[error("{path}: missing resource `{entry}`: no such file or directory")]
    MissingResource { path: PathBuf, entry: String },
    #[error("{path}: remote resource `{entry}` refused: remote bases are not loaded")]
    RemoteRefused { path: PathBuf, entry: String },
    #[error("{path}: security: file `{file}` is not in or below the kustomization root")]
    OutsideRoot { path: PathBuf, file: PathBuf },
    #[error("{path}: cycle detected: `{dir}` is already being built")]
    Cycle { path: PathBuf, dir: PathBuf },
    #[error("{path}: may not add resource with an already registered id: {id}")]
    DuplicateId { path: PathBuf, id: String },
    #[error("{path}: generator: {message}")]
    Generator { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    Transform { path: PathBuf, message: String },
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}
