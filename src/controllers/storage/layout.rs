//! Where artifacts live: `<lowercase kind>/<namespace>/<name>/<file>` under the storage root, as source-controller
//! lays them out, and the checks that keep every path the storage builds or serves inside that root.
//!
//! Every segment of a storage path is checked against one small alphabet (Kubernetes names, chart versions and
//! hex digests all fit it). That one rule is what keeps a path from escaping the root (no `..`, no separators,
//! no absolute paths) and what lets URLs be built without percent-encoding.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::api::kind::FluxKind;

use super::StorageError;

/// Whose artifacts a storage directory holds: one Flux object.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArtifactOwner {
    pub kind: FluxKind,
    pub namespace: String,
    pub name: String,
}

impl ArtifactOwner {
    pub fn new(kind: FluxKind, namespace: impl Into<String>, name: impl Into<String>) -> Self {
        ArtifactOwner { kind, namespace: namespace.into(), name: name.into() }
    }

    /// The owner's directory relative to the storage root (`gitrepository/flux-system/podinfo`), after checking
    /// that the namespace and name cannot leave it.
    pub fn relative_dir(&self) -> Result<String, StorageError> {
        check_segment("namespace", &self.namespace)?;
        check_segment("name", &self.name)?;
        Ok(format!("{}/{}/{}", kind_directory(self.kind), self.namespace, self.name))
    }

    /// The relative storage path of one of the owner's files (`gitrepository/flux-system/podinfo/<sha>.tar.gz`):
    /// the value of `status.artifact.path`.
    pub fn artifact_path(&self, file_name: &str) -> Result<String, StorageError> {
        check_segment("file name", file_name)?;
        Ok(format!("{}/{}", self.relative_dir()?, file_name))
    }
}

impl fmt::Display for ArtifactOwner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.kind.name(), self.namespace, self.name)
    }
}

/// The top-level directory of a kind: its API name in lower case (`ocirepository`, `externalartifact`).
pub fn kind_directory(kind: FluxKind) -> String {
    kind.name().to_ascii_lowercase()
}

/// Checks one path segment: non-empty, at most 253 bytes (the longest Kubernetes name), made of ASCII letters,
/// digits, `.`, `_`, `-` and `+` (chart versions carry build metadata), and not `.` or `..`. A segment that starts
/// with a dot is refused too: the storage keeps its temporary files under such names, and they are never
/// artifacts.
pub fn check_segment(what: &'static str, value: &str) -> Result<(), StorageError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+');
    let valid = !value.is_empty() && value.len() <= 253 && !value.starts_with('.') && value.chars().all(allowed);
    if valid { Ok(()) } else { Err(StorageError::InvalidPathSegment { what, value: value.to_string() }) }
}

/// Resolves a relative storage path (`status.artifact.path`, or a URL path) to a file under `root`. Refuses
/// absolute paths, `..`, empty segments and anything outside the segment alphabet, so the result is always
/// inside the root.
pub fn resolve(root: &Path, relative: &str) -> Result<PathBuf, StorageError> {
    let escapes = || StorageError::PathEscapesRoot { path: relative.to_string() };
    if relative.is_empty() || relative.starts_with('/') {
        return Err(escapes());
    }
    let mut resolved = root.to_path_buf();
    for segment in relative.split('/') {
        if segment == ".." || segment == "." || segment.is_empty() {
            return Err(escapes());
        }
        check_segment("path segment", segment)?;
        resolved.push(segment);
    }
    Ok(resolved)
}

/// The URL an artifact is served at: `http://<advertised address>/<path>`, like source-controller's
/// `--storage-adv-addr`. The address may be given with or without its `http://` scheme.
pub fn artifact_url(advertised_address: &str, relative_path: &str) -> String {
    let host = advertised_address.trim_end_matches('/');
    if host.starts_with("http://") || host.starts_with("https://") {
        format!("{host}/{relative_path}")
    } else {
        format!("http://{host}/{relative_path}")
    }
}

/// The address to advertise for a server bound to `bound` when none is given: the bound address itself, with an
/// unspecified IP (`0.0.0.0`, `::`) replaced by `localhost`, which is no address a client can connect to.
pub fn advertised_address_for(bound: SocketAddr) -> String {
    if bound.ip().is_unspecified() { format!("localhost:{}", bound.port()) } else { bound.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_source_controller_layout() {
        let owner = ArtifactOwner::new(FluxKind::OciRepository, "flux-system", "podinfo");
        assert_eq!(owner.artifact_path("abc.tar.gz").unwrap(), "ocirepository/flux-system/podinfo/abc.tar.gz");
        assert_eq!(
            artifact_url("source-controller.flux-system.svc.cluster.local.", "a/b/c/d.tar.gz"),
            "http://source-controller.flux-system.svc.cluster.local./a/b/c/d.tar.gz"
        );
        assert_eq!(artifact_url("http://127.0.0.1:9090/", "a/b"), "http://127.0.0.1:9090/a/b");
        assert_eq!(advertised_address_for("0.0.0.0:9090".parse().unwrap()), "localhost:9090");
        assert_eq!(advertised_address_for("[::]:9090".parse().unwrap()), "localhost:9090");
        assert_eq!(advertised_address_for("127.0.0.1:8080".parse().unwrap()), "127.0.0.1:8080");
        assert_eq!(advertised_address_for("[::1]:8080".parse().unwrap()), "[::1]:8080");
    }

    #[test]
    fn escaping_segments_are_refused() {
        for bad in ["", ".", "..", "../etc", "a/b", ".hidden", "with space", "a\\b", "é"] {
            let owner = ArtifactOwner::new(FluxKind::GitRepository, "ns", bad);
            assert!(owner.relative_dir().is_err(), "name {bad:?} was accepted");
            let owner = ArtifactOwner::new(FluxKind::GitRepository, bad, "name");
            assert!(owner.relative_dir().is_err(), "namespace {bad:?} was accepted");
        }
        let owner = ArtifactOwner::new(FluxKind::HelmChart, "ns", "podinfo");
        assert_eq!(owner.artifact_path("podinfo-6.0.3+1.tgz").unwrap(), "helmchart/ns/podinfo/podinfo-6.0.3+1.tgz");
        assert!(owner.artifact_path("../../../etc/passwd").is_err());
    }

    #[test]
    fn resolve_stays_inside_the_root() {
        let root = Path::new("/data");
        assert_eq!(
            resolve(root, "gitrepository/ns/n/x.tar.gz").unwrap(),
            Path::new("/data/gitrepository/ns/n/x.tar.gz")
        );
        for bad in ["", "/etc/passwd", "../x", "a/../../x", "a//b", "a/./b", "a/.tmp", "a/b/"] {
            assert!(resolve(root, bad).is_err(), "{bad:?} was resolved");
        }
    }
}
