//! Reproducible archives, read back by GNU tar and Python's tarfile; files stored as they are.

use std::fs;
use std::path::Path;
use std::process::Command;

use fluxtui::api::kind::FluxKind;
use fluxtui::controllers::storage::{ArtifactOwner, include_everything};

use crate::support::*;

#[test]
fn the_same_tree_gives_the_same_bytes_whatever_times_modes_and_creation_order() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (dir.path().join("first"), dir.path().join("second"));
    write_tree(&first, false);
    write_tree(&second, true);
    let storage = storage_in(dir.path());
    let one = storage.store_directory(&owner("a"), "one.tar.gz", &first, &include_everything, "main@sha1:1").unwrap();
    let two = storage.store_directory(&owner("b"), "two.tar.gz", &second, &include_everything, "main@sha1:1").unwrap();
    assert_eq!(one.digest, two.digest);
    assert_eq!(stored_bytes(&storage, &one), stored_bytes(&storage, &two));
    assert_eq!(one.digest.as_deref().unwrap(), sha256(&stored_bytes(&storage, &one)));
    // The gzip header carries no time and an "unknown" OS: nothing of the machine that wrote it.
    let bytes = stored_bytes(&storage, &one);
    assert_eq!(&bytes[..3], [0x1f, 0x8b, 8], "a gzip stream");
    assert_eq!(&bytes[4..8], [0, 0, 0, 0], "mtime");
    assert_eq!(bytes[9], 255, "OS");
    assert_eq!(one.size, Some(stored_bytes(&storage, &one).len() as i64));

    // Another byte of content is another digest.
    fs::write(second.join("README.md"), "# demo!\n").unwrap();
    let three = storage.store_directory(&owner("b"), "three.tar.gz", &second, &include_everything, "x").unwrap();
    assert_ne!(one.digest, three.digest);
}

#[test]
fn the_artifact_carries_what_status_artifact_needs() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(&dir.path().join("tree"), false);
    let storage = storage_in(dir.path());
    let artifact = storage
        .store_directory(
            &owner("podinfo"),
            "0123abcd.tar.gz",
            &dir.path().join("tree"),
            &include_everything,
            "main@sha1:0123abcd",
        )
        .unwrap();
    assert_eq!(artifact.path.as_deref(), Some("gitrepository/flux-system/podinfo/0123abcd.tar.gz"));
    assert_eq!(
        artifact.url.as_deref(),
        Some(
            "http://source-controller.flux-system.svc.cluster.local./gitrepository/flux-system/podinfo/0123abcd.tar.gz"
        )
    );
    assert_eq!(artifact.revision.as_deref(), Some("main@sha1:0123abcd"));
    let digest = artifact.digest.as_deref().unwrap();
    assert!(digest.starts_with("sha256:") && digest.len() == 71, "{digest}");
    let time = artifact.last_update_time.as_deref().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(time).is_ok() && time.ends_with('Z'), "{time}");
    // The value serialises under the field names of the CRD.
    let json = serde_json::to_value(&artifact).unwrap();
    for field in ["path", "url", "revision", "digest", "lastUpdateTime", "size"] {
        assert!(json.get(field).is_some(), "{field} missing from {json}");
    }
}

#[test]
fn gnu_tar_lists_entries_as_source_controller_writes_them() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(&dir.path().join("tree"), true);
    let storage = storage_in(dir.path());
    let artifact =
        storage.store_directory(&owner("a"), "a.tar.gz", &dir.path().join("tree"), &include_everything, "r").unwrap();
    let file = storage.root().join(artifact.path.unwrap());
    let output = Command::new("tar").arg("--numeric-owner").arg("-tzvf").arg(&file).env("TZ", "UTC").output().unwrap();
    assert!(output.status.success(), "tar failed: {}", String::from_utf8_lossy(&output.stderr));
    let listing = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<(&str, &str, &str, &str)> = listing
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // mode, owner/group, size, date, time, name
            (fields[0], fields[1], fields[3], fields[5])
        })
        .collect();
    let names: Vec<&str> = lines.iter().map(|line| line.3).collect();
    assert_eq!(
        names,
        [
            ".",
            "README.md",
            "a-directory-name-long-enough",
            "a-directory-name-long-enough/that-the-whole-path-does-not-fit",
            "a-directory-name-long-enough/that-the-whole-path-does-not-fit/in-the-hundred-bytes-of-a-tar-header",
            "a-directory-name-long-enough/that-the-whole-path-does-not-fit/in-the-hundred-bytes-of-a-tar-header/values.yaml",
            "apps",
            "apps/podinfo",
            "apps/podinfo/deployment.yaml",
            "apps/podinfo/kustomization.yaml",
            "empty",
            "scripts",
            "scripts/run.sh",
        ],
        "{listing}"
    );
    for (mode, owners, date, name) in &lines {
        assert_eq!(*owners, "0/0", "{name}: {listing}");
        assert_eq!(*date, "1970-01-01", "{name}: {listing}");
        let expected = match *name {
            "scripts/run.sh" => "-rwx------",
            name if name.ends_with(".yaml") || name.ends_with(".md") => "-rw-------",
            _ => "drwxr-x---",
        };
        assert_eq!(*mode, expected, "{name}: {listing}");
    }
}

#[test]
fn python_tarfile_reads_and_extracts_the_archive() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    write_tree(&tree, false);
    let storage = storage_in(dir.path());
    let artifact = storage.store_directory(&owner("a"), "a.tar.gz", &tree, &include_everything, "r").unwrap();
    let archive = storage.root().join(artifact.path.unwrap());
    let out = dir.path().join("extracted");
    let script = r#"
import sys, tarfile
with tarfile.open(sys.argv[1], "r:gz") as tar:
    for m in tar.getmembers():
        print(m.name, "dir" if m.isdir() else "file" if m.isfile() else "other", oct(m.mode), m.uid, m.gid,
              repr(m.uname), repr(m.gname), m.mtime)
    # The "tar" filter (Python 3.12, and security releases before it) refuses what a safe reader must refuse.
    if hasattr(tarfile, "tar_filter"):
        tar.extractall(sys.argv[2], filter="tar")
    else:
        tar.extractall(sys.argv[2])
"#;
    let output = Command::new("python3").arg("-c").arg(script).arg(&archive).arg(&out).output().unwrap();
    assert!(output.status.success(), "python failed: {}", String::from_utf8_lossy(&output.stderr));
    let listing = String::from_utf8(output.stdout).unwrap();
    for line in listing.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        assert_ne!(fields[1], "other", "{line}");
        assert_eq!(&fields[3..], ["0", "0", "''", "''", "0"], "{line}");
    }
    assert!(listing.contains("scripts/run.sh file 0o700"), "{listing}");
    assert!(listing.contains("README.md file 0o600"), "{listing}");
    assert!(listing.contains("apps dir 0o750"), "{listing}");
    // Every file came back with its content; the symlinks and the fifo did not come at all.
    assert_eq!(fs::read_to_string(out.join("apps/podinfo/deployment.yaml")).unwrap(), "kind: Deployment\n");
    let long = out.join("a-directory-name-long-enough/that-the-whole-path-does-not-fit/in-the-hundred-bytes-of-a-tar-header/values.yaml");
    assert_eq!(fs::read_to_string(long).unwrap(), "replicas: 2\n");
    assert!(out.join("empty").is_dir());
    for absent in ["link-to-readme", "apps/escape", "a-fifo"] {
        assert!(fs::symlink_metadata(out.join(absent)).is_err(), "{absent} was archived");
    }
}

#[test]
fn the_filter_leaves_out_files_and_whole_directories() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    write_tree(&tree, false);
    fs::create_dir_all(tree.join(".git/objects")).unwrap();
    fs::write(tree.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    let storage = storage_in(dir.path());
    let seen = std::sync::Mutex::new(Vec::new());
    let filter = |path: &Path, is_dir: bool| {
        seen.lock().unwrap().push((path.to_path_buf(), is_dir));
        !(path == Path::new(".git") || path.extension().is_some_and(|ext| ext == "md"))
    };
    let artifact = storage.store_directory(&owner("a"), "a.tar.gz", &tree, &filter, "r").unwrap();
    let output = Command::new("tar").arg("-tzf").arg(storage.root().join(artifact.path.unwrap())).output().unwrap();
    let names = String::from_utf8(output.stdout).unwrap();
    assert!(!names.contains(".git") && !names.contains("README.md"), "{names}");
    assert!(names.contains("apps/podinfo/deployment.yaml"), "{names}");
    let seen = seen.into_inner().unwrap();
    // The callback sees relative paths, learns which are directories, and is never asked about a pruned subtree.
    assert!(seen.contains(&(Path::new(".git").to_path_buf(), true)), "{seen:?}");
    assert!(seen.contains(&(Path::new("apps/podinfo/deployment.yaml").to_path_buf(), false)), "{seen:?}");
    assert!(!seen.iter().any(|(path, _)| path.starts_with(".git") && path != Path::new(".git")), "{seen:?}");
}

#[test]
fn a_file_is_stored_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("podinfo-6.0.3.tgz");
    let bytes: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    fs::write(&chart, &bytes).unwrap();
    let storage = storage_in(dir.path());
    let chart_owner = ArtifactOwner::new(FluxKind::HelmChart, "flux-system", "podinfo");
    let artifact = storage.store_file(&chart_owner, "podinfo-6.0.3.tgz", &chart, "6.0.3").unwrap();
    assert_eq!(artifact.path.as_deref(), Some("helmchart/flux-system/podinfo/podinfo-6.0.3.tgz"));
    assert_eq!(stored_bytes(&storage, &artifact), bytes);
    assert_eq!(artifact.digest.as_deref().unwrap(), sha256(&bytes));
    assert_eq!(artifact.size, Some(100_000));
    storage.verify(&artifact).unwrap();
}
