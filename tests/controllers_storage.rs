//! The artifact storage and its HTTP server, against real readers: GNU tar and Python's tarfile read the
//! archives, curl downloads them, and the digest is recomputed from the bytes that came over the wire.

use std::fs::{self, File, FileTimes};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use fluxtui::api::kind::FluxKind;
use fluxtui::api::meta::Artifact;
use fluxtui::controllers::storage::{
    ArtifactOwner, ArtifactServer, Retention, Storage, StorageError, include_everything,
};
use sha2::{Digest, Sha256};

fn owner(name: &str) -> ArtifactOwner {
    ArtifactOwner::new(FluxKind::GitRepository, "flux-system", name)
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().fold(String::from("sha256:"), |mut out, byte| {
        out.push_str(&format!("{byte:02x}"));
        out
    })
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

fn set_mtime(path: &Path, time: SystemTime) {
    File::options().write(true).open(path).unwrap().set_times(FileTimes::new().set_modified(time)).unwrap();
}

/// A small repository tree: nested directories, an empty one, an executable, a name past tar's 100-byte field,
/// a symlink and a fifo (both must be left out). `reverse` creates everything in the opposite order, with other
/// modes and times, as another checkout of the same commit under another umask would.
fn write_tree(root: &Path, reverse: bool) {
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

fn storage_in(dir: &Path) -> Storage {
    Storage::new(dir.join("storage"), "source-controller.flux-system.svc.cluster.local.").unwrap()
}

fn stored_bytes(storage: &Storage, artifact: &Artifact) -> Vec<u8> {
    fs::read(storage.root().join(artifact.path.as_deref().unwrap())).unwrap()
}

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
    tar.extractall(sys.argv[2], filter="tar")
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn artifacts_round_trip_through_the_http_server() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(&dir.path().join("tree"), false);
    let server = ArtifactServer::start(dir.path().join("storage"), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let address = server.address();
    let storage = Storage::new(dir.path().join("storage"), address.to_string()).unwrap();
    let artifact = storage
        .store_directory(&owner("podinfo"), "abc.tar.gz", &dir.path().join("tree"), &include_everything, "r")
        .unwrap();
    let url = artifact.url.clone().unwrap();
    assert_eq!(url, format!("http://{address}/gitrepository/flux-system/podinfo/abc.tar.gz"));

    let downloaded = dir.path().join("downloaded.tar.gz");
    let (code, headers) = curl(&["-D", "-", "-o", downloaded.to_str().unwrap(), &url]).await;
    assert_eq!(code, 200, "{headers}");
    let headers = headers.to_ascii_lowercase();
    assert!(headers.contains("content-type: application/gzip"), "{headers}");
    assert!(headers.contains(&format!("content-length: {}", artifact.size.unwrap())), "{headers}");
    assert!(headers.contains("last-modified: "), "{headers}");
    assert_eq!(sha256(&fs::read(&downloaded).unwrap()), artifact.digest.clone().unwrap());

    // HEAD: the same headers, no body.
    let (code, head) = curl(&["-I", &url]).await;
    assert_eq!(code, 200, "{head}");
    assert!(head.to_ascii_lowercase().contains(&format!("content-length: {}", artifact.size.unwrap())), "{head}");

    let base = format!("http://{address}");
    for (path, expected) in [
        ("/gitrepository/flux-system/podinfo/missing.tar.gz", 404),
        // No directory listing.
        ("/gitrepository/flux-system/podinfo/", 404),
        ("/gitrepository/flux-system/podinfo", 404),
        ("/", 404),
        // Out of the root, however spelled.
        ("/../../../../etc/passwd", 404),
        ("/gitrepository/%2e%2e/%2e%2e/%2e%2e/etc/passwd", 404),
        ("//etc/passwd", 404),
    ] {
        let (code, body) = curl(&["--path-as-is", &format!("{base}{path}")]).await;
        assert_eq!(code, expected, "{path}: {body}");
    }
    let (code, _) = curl(&["-X", "POST", &url]).await;
    assert_eq!(code, 405);

    server.stop().await;
    let output = tokio::process::Command::new("curl").args(["-sS", "-o", "/dev/null", &url]).output().await.unwrap();
    assert!(!output.status.success(), "the stopped server still answered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_during_rewrites_always_get_a_whole_artifact() {
    let dir = tempfile::tempdir().unwrap();
    let server = ArtifactServer::start(dir.path().join("storage"), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let storage = Arc::new(Storage::new(dir.path().join("storage"), server.address().to_string()).unwrap());
    let sources: Vec<_> = (0..2)
        .map(|index| {
            let source = dir.path().join(format!("chart-{index}.tgz"));
            fs::write(&source, format!("chart {index}\n").repeat(50_000)).unwrap();
            source
        })
        .collect();
    let object = ArtifactOwner::new(FluxKind::HelmChart, "apps", "podinfo");
    let first = storage.store_file(&object, "podinfo.tgz", &sources[0], "1").unwrap();
    let url = first.url.clone().unwrap();
    let writer = {
        let (storage, object, sources) = (storage.clone(), object.clone(), sources.clone());
        tokio::task::spawn_blocking(move || {
            let mut digests = std::collections::BTreeSet::new();
            for round in 0..40 {
                let artifact = storage.store_file(&object, "podinfo.tgz", &sources[round % 2], "r").unwrap();
                digests.insert(artifact.digest.unwrap());
            }
            digests
        })
    };
    let mut downloads = Vec::new();
    for attempt in 0..20 {
        let target = dir.path().join(format!("download-{attempt}"));
        let (code, _) = curl(&["-o", target.to_str().unwrap(), &url]).await;
        assert_eq!(code, 200);
        downloads.push(sha256(&fs::read(&target).unwrap()));
    }
    let written = writer.await.unwrap();
    assert_eq!(written.len(), 2);
    for digest in downloads {
        assert!(written.contains(&digest), "a download got a partial or mixed file: {digest}");
    }
    server.stop().await;
}

/// Runs curl with `args`; returns the status code and what curl printed (headers or body).
async fn curl(args: &[&str]) -> (u16, String) {
    let output = tokio::process::Command::new("curl")
        .args(["-sS", "--max-time", "10", "-w", "\n%{http_code}"])
        .args(args)
        .output()
        .await
        .expect("curl runs");
    assert!(output.status.success(), "curl {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap();
    (code.trim().parse().unwrap(), body.to_string())
}

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
