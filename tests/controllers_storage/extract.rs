//! Unpacking artifacts for consumers: our own archives come back whole, and hostile archives (made by Python's
//! tarfile, as another tool would make them) cannot write outside the destination or past the size cap.

use std::fs;
use std::path::Path;
use std::process::Command;

use fluxtui::controllers::storage::extract::unpack_tar_gz;
use fluxtui::controllers::storage::{DEFAULT_MAX_UNPACKED_SIZE, StorageError, include_everything};

use crate::support::*;

#[test]
fn a_stored_tree_unpacks_to_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    write_tree(&tree, false);
    let storage = storage_in(dir.path());
    let artifact = storage.store_directory(&owner("a"), "a.tar.gz", &tree, &include_everything, "r").unwrap();
    let out = dir.path().join("out");
    let unpacked = storage.unpack_verified(&artifact, &out, DEFAULT_MAX_UNPACKED_SIZE).unwrap();
    assert_eq!(unpacked.files, 5);
    for file in ["README.md", "apps/podinfo/deployment.yaml", "apps/podinfo/kustomization.yaml", "scripts/run.sh"] {
        assert_eq!(fs::read(out.join(file)).unwrap(), fs::read(tree.join(file)).unwrap(), "{file}");
    }
    assert!(out.join("empty").is_dir());
    assert!(fs::symlink_metadata(out.join("link-to-readme")).is_err(), "symlinks are never archived");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &str| fs::metadata(out.join(path)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode("scripts/run.sh"), 0o700);
        assert_eq!(mode("README.md"), 0o600);
    }

    // A corrupt artifact is refused before a single file is written.
    let path = storage.artifact_file(&artifact).unwrap();
    let mut bytes = fs::read(&path).unwrap();
    bytes[40] ^= 0xff;
    fs::write(&path, bytes).unwrap();
    let fresh = dir.path().join("fresh");
    let err = storage.unpack_verified(&artifact, &fresh, DEFAULT_MAX_UNPACKED_SIZE).unwrap_err();
    assert!(matches!(err, StorageError::DigestMismatch { .. }), "{err}");
    assert!(!fresh.exists());
}

/// Builds a tar.gz with Python's tarfile from a script that adds members to `tar`.
fn python_archive(dir: &Path, name: &str, members: &str) -> Vec<u8> {
    let path = dir.join(name);
    let script = format!(
        "import io, sys, tarfile\n\
         def add(tar, name, data=b'', kind=tarfile.REGTYPE, link=''):\n\
         \x20   info = tarfile.TarInfo(name); info.type = kind; info.linkname = link; info.size = len(data)\n\
         \x20   tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)\n\
         with tarfile.open(sys.argv[1], 'w:gz') as tar:\n{members}\n"
    );
    let output = Command::new("python3").arg("-c").arg(script).arg(&path).output().unwrap();
    assert!(output.status.success(), "python failed: {}", String::from_utf8_lossy(&output.stderr));
    fs::read(path).unwrap()
}

#[test]
fn hostile_archives_cannot_leave_the_destination() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let outside = dir.path().join("outside");
    fs::create_dir_all(&outside).unwrap();

    let climbing = python_archive(
        dir.path(),
        "climb.tar.gz",
        "    add(tar, 'ok.txt', b'ok')\n    add(tar, '../outside/evil.txt', b'evil')",
    );
    let err = unpack_tar_gz(&climbing[..], &out, DEFAULT_MAX_UNPACKED_SIZE, "climb").unwrap_err();
    assert!(matches!(err, StorageError::CorruptArchive { .. }), "{err}");
    assert!(err.to_string().contains("outside the destination"), "{err}");
    assert!(!outside.join("evil.txt").exists());

    let absolute =
        python_archive(dir.path(), "abs.tar.gz", &format!("    add(tar, '{}/abs.txt', b'evil')", outside.display()));
    assert!(unpack_tar_gz(&absolute[..], &out, DEFAULT_MAX_UNPACKED_SIZE, "abs").is_err());
    assert!(!outside.join("abs.txt").exists());

    // A symlink to outside, then a file written "through" it: the link is skipped, so the file lands inside.
    let through_link = python_archive(
        dir.path(),
        "link.tar.gz",
        "    add(tar, 'link', kind=tarfile.SYMTYPE, link='../outside')\n    add(tar, 'link/evil.txt', b'evil')\n    add(tar, 'hard', kind=tarfile.LNKTYPE, link='link/evil.txt')",
    );
    let fresh = dir.path().join("fresh");
    let unpacked = unpack_tar_gz(&through_link[..], &fresh, DEFAULT_MAX_UNPACKED_SIZE, "link").unwrap();
    assert_eq!(unpacked.files, 1);
    assert!(!outside.join("evil.txt").exists());
    assert!(fs::symlink_metadata(fresh.join("link")).unwrap().is_dir(), "the symlink was created");
    assert_eq!(fs::read(fresh.join("link/evil.txt")).unwrap(), b"evil");
    assert!(fs::symlink_metadata(fresh.join("hard")).is_err(), "the hard link was created");
}

#[test]
fn oversize_and_corrupt_archives_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let big = python_archive(dir.path(), "big.tar.gz", "    add(tar, 'a', b'x' * 600)\n    add(tar, 'b', b'x' * 600)");
    let err = unpack_tar_gz(&big[..], &dir.path().join("big"), 1000, "big").unwrap_err();
    assert!(matches!(err, StorageError::ArchiveTooLarge { max_size: 1000, .. }), "{err}");
    assert!(!dir.path().join("big/b").exists(), "the file past the cap was written");

    let err = unpack_tar_gz(&b"not a gzip stream at all"[..], &dir.path().join("junk"), 1000, "junk").unwrap_err();
    assert!(matches!(err, StorageError::CorruptArchive { .. }), "{err}");
    assert!(err.to_string().contains("archive junk is corrupt"), "{err}");
}
