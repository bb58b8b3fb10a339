//! What the crate's integration tests share: scratch directories and the comparison with `kubectl kustomize`.
#![allow(dead_code)] // Each test binary uses a part of it.

use std::path::{Path, PathBuf};
use std::process::Command;

use fluxtui_kustomize::{build, yaml};

/// A fresh directory for one test, canonical, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("fluxtui-kustomize-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the scratch directory");
        Scratch(dir.canonicalize().expect("canonical"))
    }

    pub fn write(&self, path: &str, text: &str) -> &Self {
        let path = self.0.join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create the directory");
        std::fs::write(path, text).expect("write the file");
        self
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn kubectl_available() -> bool {
    Command::new("kubectl").args(["version", "--client"]).output().is_ok_and(|o| o.status.success())
}

/// Builds `dir` with kubectl and with this engine: both succeed with the same documents, or both fail.
pub fn same_as_kubectl(dir: &Path) {
    let out = Command::new("kubectl").arg("kustomize").arg(dir).output().expect("run kubectl");
    let ours = build(dir);
    if !out.status.success() {
        let theirs = String::from_utf8_lossy(&out.stderr);
        assert!(ours.is_err(), "{}: kubectl failed ({theirs}), this engine built it", dir.display());
        return;
    }
    let expected = yaml::parse_documents(&String::from_utf8_lossy(&out.stdout)).expect("kubectl's YAML");
    let ours = ours.unwrap_or_else(|e| panic!("{}: kubectl built it, this engine failed: {e}", dir.display()));
    assert_eq!(ours.values(), expected, "{}", dir.display());
}
