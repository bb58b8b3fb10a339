//! Concurrent writers, garbage collection, removal, digest checks and bad input.

use std::fs;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use fluxtui::api::kind::FluxKind;
use fluxtui::api::meta::Artifact;
use fluxtui::controllers::storage::{ArtifactOwner, Retention, Storage, StorageError, include_everything};

use crate::support::*;

#[test]
fn two_writers_of_one_object_leave_a_whole_artifact() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Arc::new(storage_in(dir.path()));
    let trees: Vec<_> = (0..2)
        .map(|writer| {
            let tree = dir.path().join(format!("tree-{writer}"));
            fs::create_dir_all(&tree).unwrap();
            // Large enough that the writes overlap in time.
            for file in 0..200 {
                fs::write(tree.join(format!("file-{file}.yaml")), format!("writer: {writer}\n").repeat(200)).unwrap();
            }
            tree
        })
        .collect();
    let handles: Vec<_> = trees
        .into_iter()
        .map(|tree| {
            let storage = storage.clone();
            std::thread::spawn(move || {
                (0..5)
                    .map(|_| {
                        storage
                            .store_directory(&owner("shared"), "same.tar.gz", &tree, &include_everything, "r")
                            .unwrap()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let artifacts: Vec<Artifact> = handles.into_iter().flat_map(|handle| handle.join().unwrap()).collect();
    let digests: std::collections::BTreeSet<_> = artifacts.iter().map(|a| a.digest.clone().unwrap()).collect();
    assert_eq!(digests.len(), 2, "each writer's tree has one digest");
    // The file on disk is one writer's whole archive: it verifies against that writer's artifact.
    let verified = artifacts.iter().filter(|artifact| storage.verify(artifact).is_ok()).count();
    assert_eq!(verified, 5, "exactly one writer's artifacts match the file");
    let leftovers: Vec<_> = fs::read_dir(storage.root().join("gitrepository/flux-system/shared"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["same.tar.gz"], "no temporary file is left behind");
}

#[test]
fn garbage_collection_keeps_the_newest_and_the_current_artifact() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("chart.tgz");
    fs::write(&source, "chart").unwrap();
    let storage = storage_in(dir.path()).with_retention(Retention { records: 2, ttl: Duration::from_secs(3600) });
    let object = owner("gc");
    let now = SystemTime::now();
    let mut artifacts = Vec::new();
    for (index, name) in ["a.tgz", "b.tgz", "c.tgz", "d.tgz"].into_iter().enumerate() {
        let artifact = storage.store_file(&object, name, &source, name).unwrap();
        set_mtime(&storage.artifact_file(&artifact).unwrap(), now - Duration::from_secs(40 - index as u64 * 10));
        artifacts.push(artifact);
    }
    // A crash left a temporary file behind.
    let object_dir = storage.root().join("gitrepository/flux-system/gc");
    fs::write(object_dir.join(".d.tgz.1.1.tmp"), "half").unwrap();

    // The current artifact is the oldest one (a rollback to an old revision): it stays, and counts as a record.
    let removed = storage.collect_garbage(&object, Some(&artifacts[0])).unwrap();
    assert_eq!(removed, ["gitrepository/flux-system/gc/b.tgz", "gitrepository/flux-system/gc/c.tgz"]);
    let mut left: Vec<_> = fs::read_dir(&object_dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    left.sort();
    assert_eq!(left, ["a.tgz", "d.tgz"]);

    // Past the TTL, only the current artifact is left.
    let storage = storage.with_retention(Retention { records: 5, ttl: Duration::from_secs(5) });
    let removed = storage.collect_garbage(&object, Some(&artifacts[3])).unwrap();
    assert_eq!(removed, ["gitrepository/flux-system/gc/a.tgz"]);
    assert!(storage.contains(&artifacts[3]) && !storage.contains(&artifacts[0]));

    // A deleted object's finalizer removes everything it had.
    assert!(storage.remove_owner(&object).unwrap());
    assert!(!object_dir.exists());
    assert!(!storage.remove_owner(&object).unwrap(), "a second removal finds nothing");
    assert!(storage.collect_garbage(&object, None).unwrap().is_empty());
}

#[test]
fn orphans_of_objects_deleted_while_no_engine_ran_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("file");
    fs::write(&source, "x").unwrap();
    let storage = storage_in(dir.path());
    for name in ["kept", "deleted"] {
        storage.store_file(&owner(name), "f.tar.gz", &source, "r").unwrap();
    }
    let other_kind = ArtifactOwner::new(FluxKind::Bucket, "flux-system", "deleted");
    storage.store_file(&other_kind, "f.tar.gz", &source, "r").unwrap();
    let removed = storage.remove_orphans(FluxKind::GitRepository, |_, name| name == "kept").unwrap();
    assert_eq!(removed, [owner("deleted")]);
    assert!(storage.root().join("gitrepository/flux-system/kept/f.tar.gz").is_file());
    assert!(storage.root().join("bucket/flux-system/deleted/f.tar.gz").is_file(), "other kinds are not touched");
}

#[test]
fn digest_verification_catches_corruption() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(&dir.path().join("tree"), false);
    let storage = storage_in(dir.path());
    let artifact =
        storage.store_directory(&owner("a"), "a.tar.gz", &dir.path().join("tree"), &include_everything, "r").unwrap();
    let mut file = storage.open_verified(&artifact).unwrap();
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut bytes).unwrap();
    assert_eq!(sha256(&bytes), artifact.digest.clone().unwrap(), "the verified file is returned from its start");

    let path = storage.artifact_file(&artifact).unwrap();
    let mut corrupt = bytes.clone();
    let middle = corrupt.len() / 2;
    corrupt[middle] ^= 0x01;
    fs::write(&path, &corrupt).unwrap();
    let err = storage.verify(&artifact).unwrap_err();
    assert!(matches!(err, StorageError::DigestMismatch { .. }), "{err}");
    assert!(err.to_string().contains("is corrupt"), "{err}");

    fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
    assert!(matches!(storage.verify(&artifact), Err(StorageError::DigestMismatch { .. })));

    fs::remove_file(&path).unwrap();
    assert!(matches!(storage.verify(&artifact), Err(StorageError::ArtifactNotFound { .. })));

    let bad_digest = Artifact { digest: Some("md5:abc".into()), ..artifact.clone() };
    assert!(matches!(storage.verify(&bad_digest), Err(StorageError::UnsupportedDigest { .. })));
    let no_digest = Artifact { digest: None, ..artifact };
    assert!(matches!(storage.verify(&no_digest), Err(StorageError::ArtifactIncomplete { field: "digest" })));
}

#[test]
fn bad_input_is_refused_with_a_clear_error_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let storage = storage_in(dir.path());
    let object = owner("bad");
    let object_dir = storage.root().join("gitrepository/flux-system/bad");

    // A source file that exists but cannot be read (the kernel refuses reads of address 0 with EIO, even to root).
    let err = storage.store_file(&object, "f.tgz", Path::new("/proc/self/mem"), "r").unwrap_err();
    assert!(matches!(err, StorageError::Io { .. }), "{err}");
    assert!(err.to_string().contains("/proc/self/mem"), "{err}");
    assert_eq!(fs::read_dir(&object_dir).unwrap().count(), 0, "the failed write left a file");

    let missing = dir.path().join("missing");
    let err = storage.store_directory(&object, "f.tar.gz", &missing, &include_everything, "r").unwrap_err();
    assert!(err.to_string().contains("missing"), "{err}");
    let err = storage.store_file(&object, "f.tgz", dir.path(), "r").unwrap_err();
    assert!(matches!(err, StorageError::NotAFile { .. }), "{err}");
    let file = dir.path().join("plain");
    fs::write(&file, "x").unwrap();
    let err = storage.store_directory(&object, "f.tar.gz", &file, &include_everything, "r").unwrap_err();
    assert!(matches!(err, StorageError::NotADirectory { .. }), "{err}");

    // Names that would leave the storage root.
    for (name, file_name) in [("..", "f.tgz"), ("ok", "../../../escape.tgz"), ("ok", "/etc/passwd"), ("a/b", "f")] {
        let err = storage.store_file(&owner(name), file_name, &file, "r").unwrap_err();
        assert!(matches!(err, StorageError::InvalidPathSegment { .. }), "{name} {file_name}: {err}");
    }
    let escaping = Artifact { path: Some("../../etc/passwd".into()), digest: Some(sha256(b"")), ..Artifact::default() };
    assert!(matches!(storage.verify(&escaping), Err(StorageError::PathEscapesRoot { .. })));
    assert!(!dir.path().join("escape.tgz").exists());
    // The storage root must be a directory.
    assert!(Storage::new(&file, "localhost").is_err());
}
