//! Trees, storages and digests the storage tests share.

use std::fs::{self, File, FileTimes};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

use fluxtui::api::kind::FluxKind;
use fluxtui::api::meta::Artifact;
use fluxtui::controllers::storage::{ArtifactOwner, Storage};
use sha2::{Digest, Sha256};

pub fn owner(name: &str) -> ArtifactOwner {
    ArtifactOwner::new(FluxKind::GitRepository, "flux-system", name)
}

pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().fold(String::from("sha256:"), |mut out, byte| {
        out.push_str(&format!("{byte:02x}"));
        out
    })
}

#[cfg(unix)]
pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

pub fn set_mtime(path: &Path, time: SystemTime) {
    File::options().write(true).open(path).unwrap().set_times(FileTimes::new().set_modified(time)).unwrap();
}

/// A small repository tree: nested directories, an empty one, an executable, a name past tar's 100-byte field,
/// a symlink and a fifo (both must be left out). `reverse` creates everything in the opposite order, with other
/// modes and times, as another checkout of the same commit under another umask would.
pub fn write_tree(root: &Path, reverse: bool) {
    let long_dir = "a-directory-name-long-enough/that-the-whole-path-does-not-fit/in-the-hundred-bytes-of-a-tar-header";
    let mut files: Vec<(String, &str, bool)> = vec![
        ("README.md".into(), "# demo\n", false),
        ("apps/podinfo/kustomization.yaml".into(), "resources: [deployment.yaml]\n", false),
        ("apps/podinfo/deployment.yaml".into(), "kind: Deployment\n", false),
        ("scripts/run.sh".into(), "#!/bin/sh\necho hi\n", true),
        (format!("{long_dir}/values.yaml"), "replicas: 2\n", false),
    ];
    if reverse {
        files.reverse();
    }
    let when = if reverse { SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000) } else { SystemTime::now() };
    fs::create_dir_all(root.join("empty")).unwrap();
    for (path, content, executable) in &files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, content).unwrap();
        #[cfg(unix)]
        set_mode(
            &path,
            match (executable, reverse) {
                (true, false) => 0o755,
                (true, true) => 0o744,
                (false, false) => 0o644,
                (false, true) => 0o600,
            },
        );
        set_mtime(&path, when);
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("README.md", root.join("link-to-readme")).unwrap();
        std::os::unix::fs::symlink("/etc", root.join("apps/escape")).unwrap();
        let status = Command::new("mkfifo").arg(root.join("a-fifo")).status().expect("mkfifo runs");
        assert!(status.success());
        set_mode(&root.join("apps"), if reverse { 0o777 } else { 0o755 });
    }
}

pub fn storage_in(dir: &Path) -> Storage {
    Storage::new(dir.join("storage"), "source-controller.flux-system.svc.cluster.local.").unwrap()
}

pub fn stored_bytes(storage: &Storage, artifact: &Artifact) -> Vec<u8> {
    fs::read(storage.root().join(artifact.path.as_deref().unwrap())).unwrap()
}
