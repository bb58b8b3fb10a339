//! The Bucket fetch stage against a real S3 server: moto's, from the testkit, checking signatures. The expected
//! revisions are computed here from what the tests put: S3's etag of a single-part upload is the MD5 of the
//! content, and Flux hashes the lines `"<key> <etag>\n"` sorted by key.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use fluxtui::api::kind::FluxKind;
use fluxtui::api::source::BucketSpec;
use fluxtui::controllers::bucket::{BucketClient, BucketError, BucketRequest, fetch, fetch_index};
use fluxtui::controllers::storage::{ArtifactOwner, Storage, include_everything};
use fluxtui_testkit::S3Server;
use md5::Md5;
use sha2::{Digest, Sha256};

const BUCKET: &str = "flux-config";

fn spec(server_endpoint: &str, prefix: Option<&str>, ignore: Option<&str>) -> BucketSpec {
    BucketSpec {
        endpoint: Some(server_endpoint.to_string()),
        bucket_name: Some(BUCKET.to_string()),
        insecure: Some(true),
        prefix: prefix.map(str::to_string),
        ignore: ignore.map(str::to_string),
        ..BucketSpec::default()
    }
}

fn request(server: &S3Server, prefix: Option<&str>, ignore: Option<&str>) -> BucketRequest {
    let secret = server.secret_data();
    BucketRequest::from_spec(&spec(&server.endpoint(), prefix, ignore), Some(&secret), Duration::from_secs(30))
        .expect("a valid request")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The revision Flux computes for these objects, from their contents alone.
fn expected_revision(objects: &[(&str, &[u8])]) -> String {
    let mut lines: Vec<String> =
        objects.iter().map(|(key, content)| format!("{key} {}\n", hex(&Md5::digest(content)))).collect();
    lines.sort();
    format!("sha256:{}", hex(&Sha256::digest(lines.concat().as_bytes())))
}

/// Every regular file under `root`, relative, sorted.
fn files(root: &Path) -> Vec<String> {
    fn visit(root: &Path, dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                visit(root, &entry.path(), found);
            } else {
                found.push(entry.path().strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut found = Vec::new();
    visit(root, root, &mut found);
    found.sort();
    found
}

fn server_with(objects: &[(&str, &[u8])]) -> S3Server {
    let server = S3Server::start();
    server.create_bucket(BUCKET);
    server.put_objects(BUCKET, objects);
    server
}

const TREE: &[(&str, &[u8])] = &[
    ("apps/podinfo/deployment.yaml", b"kind: Deployment\n"),
    ("apps/podinfo/service.yaml", b"kind: Service\n"),
    ("apps.yaml", b"kind: Kustomization\n"),
    ("infra/controllers/ingress.yaml", b"kind: HelmRelease\n"),
    ("README.md", b"# config\n"),
];

#[tokio::test]
async fn nested_keys_are_downloaded_and_the_revision_is_flux_s() {
    let server = server_with(TREE);
    let work = tempfile::tempdir().unwrap();
    let done = fetch(request(&server, None, None), work.path()).await.unwrap_or_else(|e| panic!("{e}{}", server.log()));
    assert_eq!(done.revision, expected_revision(TREE));
    assert_eq!(done.object_count, TREE.len());
    assert_eq!(done.path, work.path());
    let mut keys: Vec<&str> = TREE.iter().map(|(key, _)| *key).collect();
    keys.sort();
    assert_eq!(files(work.path()), keys);
    for (key, content) in TREE {
        assert_eq!(std::fs::read(work.path().join(key)).unwrap(), *content, "{key}");
    }
    assert_eq!(done.index.etag("README.md"), Some(hex(&Md5::digest(b"# config\n")).as_str()), "etags are unquoted");
}

#[tokio::test]
async fn the_prefix_is_a_plain_string_prefix() {
    let server = server_with(TREE);
    // Not a directory: `apps` matches `apps.yaml` too, as in S3 and Flux.
    let apps: Vec<(&str, &[u8])> = TREE.iter().copied().filter(|(key, _)| key.starts_with("apps")).collect();
    let index = fetch_index(request(&server, Some("apps"), None)).await.unwrap();
    assert_eq!(index.revision(), expected_revision(&apps));
    assert_eq!(index.len(), 3);
    let work = tempfile::tempdir().unwrap();
    let done = fetch(request(&server, Some("infra"), None), work.path()).await.unwrap();
    assert_eq!(files(work.path()), ["infra/controllers/ingress.yaml"], "keys keep their full path");
    assert_eq!(done.object_count, 1);

    // moto miscomputes the signature of a query value with a `/`; AWS and MinIO do not.
    server.check_signatures(false);
    let index = fetch_index(request(&server, Some("apps/"), None)).await.unwrap();
    let keys: Vec<&str> = index.entries().map(|(key, _)| key).collect();
    assert_eq!(keys, ["apps/podinfo/deployment.yaml", "apps/podinfo/service.yaml"]);
}

#[tokio::test]
async fn the_revision_is_stable_and_follows_every_change() {
    let server = server_with(TREE);
    let first = fetch_index(request(&server, None, None)).await.unwrap();
    let again = fetch_index(request(&server, None, None)).await.unwrap();
    assert_eq!(first.revision(), again.revision(), "nothing changed, nothing moves");
    let work = tempfile::tempdir().unwrap();
    let fetched = fetch(request(&server, None, None), work.path()).await.unwrap();
    assert_eq!(fetched.revision, first.revision(), "the index alone predicts the fetched revision");

    server.put_object(BUCKET, "apps.yaml", b"kind: Kustomization\nspec: {}\n");
    let changed = fetch_index(request(&server, None, None)).await.unwrap();
    assert_ne!(changed.revision(), first.revision());
    let mut tree: Vec<(&str, &[u8])> = TREE.to_vec();
    tree[2] = ("apps.yaml", b"kind: Kustomization\nspec: {}\n");
    assert_eq!(changed.revision(), expected_revision(&tree));

    server.delete_object(BUCKET, "README.md");
    let removed = fetch_index(request(&server, None, None)).await.unwrap();
    tree.retain(|(key, _)| *key != "README.md");
    assert_eq!(removed.revision(), expected_revision(&tree));
}

#[tokio::test]
async fn ignore_rules_come_from_the_bucket_and_the_spec_without_defaults() {
    let objects: &[(&str, &[u8])] = &[
        (".sourceignore", b"# bucket rules\n*.txt\n"),
        ("apps/app.yaml", b"a\n"),
        ("apps/notes.txt", b"n\n"),
        ("keep.txt", b"k\n"),
        ("secrets/key.yaml", b"s\n"),
        // In the default set for Git, but source-controller applies no default set to buckets.
        ("docs/logo.png", b"png\n"),
        (".github/workflows/ci.yaml", b"ci\n"),
    ];
    let server = server_with(objects);
    let work = tempfile::tempdir().unwrap();
    let done = fetch(request(&server, None, Some("/secrets/\n!keep.txt\n")), work.path()).await.unwrap();
    let kept: Vec<(&str, &[u8])> = objects
        .iter()
        .copied()
        .filter(|(key, _)| ["apps/app.yaml", "keep.txt", "docs/logo.png", ".github/workflows/ci.yaml"].contains(key))
        .collect();
    assert_eq!(done.revision, expected_revision(&kept), "the index holds neither .sourceignore nor ignored keys");
    assert_eq!(done.object_count, 4);
    assert_eq!(
        files(work.path()),
        [".github/workflows/ci.yaml", ".sourceignore", "apps/app.yaml", "docs/logo.png", "keep.txt"],
        "the .sourceignore file goes into the artifact, as in source-controller"
    );

    // Only the bucket's rules: the spec's re-inclusion and exclusion are gone.
    let index = fetch_index(request(&server, None, None)).await.unwrap();
    let keys: Vec<&str> = index.entries().map(|(key, _)| key).collect();
    assert_eq!(keys, [".github/workflows/ci.yaml", "apps/app.yaml", "docs/logo.png", "secrets/key.yaml"]);
}

#[tokio::test]
async fn a_wrong_secret_key_is_an_access_error_with_the_servers_reason() {
    let server = server_with(TREE);
    let mut secret = server.secret_data();
    secret.insert("secretkey".to_string(), b"not-the-secret".to_vec());
    let request =
        BucketRequest::from_spec(&spec(&server.endpoint(), None, None), Some(&secret), Duration::from_secs(30));
    let error = fetch_index(request.unwrap()).await.expect_err("a wrong secret key must be refused");
    assert!(matches!(error, BucketError::AccessDenied { .. }), "{error:?}");
    assert!(error.to_string().contains("SignatureDoesNotMatch"), "{error}");
    assert!(error.to_string().contains(BUCKET), "{error}");
    assert_eq!(error.reason(), "BucketOperationFailed");
    assert!(!error.is_terminal());

    let incomplete = BTreeMap::from([("accesskey".to_string(), server.access_key().as_bytes().to_vec())]);
    let error =
        BucketRequest::from_spec(&spec(&server.endpoint(), None, None), Some(&incomplete), Duration::from_secs(30))
            .expect_err("a secret without secretkey is unusable");
    assert!(error.to_string().contains("missing key 'secretkey'"), "{error}");
    assert_eq!(error.reason(), "AuthenticationFailed");
}

#[tokio::test]
async fn a_missing_bucket_is_reported_by_name() {
    let server = server_with(TREE);
    let mut missing = request(&server, None, None);
    missing.bucket_name = "no-such-bucket".to_string();
    let work = tempfile::tempdir().unwrap();
    let error = fetch(missing, work.path()).await.expect_err("the bucket does not exist");
    assert_eq!(error, BucketError::BucketNotFound { bucket: "no-such-bucket".to_string() });
    assert_eq!(error.to_string(), "bucket 'no-such-bucket' not found");
    assert_eq!(error.reason(), "BucketOperationFailed");
}

#[tokio::test]
async fn a_closed_port_is_unreachable_and_a_silent_server_times_out() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let secret = BTreeMap::from([("accesskey".to_string(), b"a".to_vec()), ("secretkey".to_string(), b"s".to_vec())]);
    let unreachable =
        BucketRequest::from_spec(&spec(&closed.to_string(), None, None), Some(&secret), Duration::from_secs(20));
    let error = fetch_index(unreachable.unwrap()).await.expect_err("nothing listens there");
    assert!(matches!(error, BucketError::Unreachable { .. }), "{error:?}");
    assert!(error.to_string().contains(&closed.to_string()), "{error}");

    // Accepted by the kernel's backlog, never answered.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = silent.local_addr().unwrap().to_string();
    let slow = BucketRequest::from_spec(&spec(&endpoint, None, None), Some(&secret), Duration::from_secs(1));
    let started = std::time::Instant::now();
    let error = fetch_index(slow.unwrap()).await.expect_err("the server never answers");
    assert!(matches!(error, BucketError::Timeout { stage: "listing", .. }), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(10), "the timeout bounds the retries too");
}

#[tokio::test]
async fn a_key_that_climbs_out_is_refused_and_nothing_is_written_outside() {
    let server = server_with(&[("apps/app.yaml", b"a\n"), ("../escape.yaml", b"x\n")]);
    let work = tempfile::tempdir().unwrap();
    let inner = work.path().join("inner");
    let error = fetch(request(&server, None, None), &inner).await.expect_err("the key escapes");
    assert!(matches!(error, BucketError::UnsafeObjectKey { .. }), "{error:?}");
    assert!(error.to_string().contains("../escape.yaml"), "{error}");
    assert!(!work.path().join("escape.yaml").exists());
    assert!(files(work.path()).iter().all(|file| !file.contains("escape")), "{:?}", files(work.path()));
}

#[tokio::test]
async fn more_than_a_thousand_objects_take_two_pages() {
    // S3 lists at most 1,000 keys a page.
    let contents: Vec<(String, Vec<u8>)> =
        (0..1_200).map(|n| (format!("d{:02}/f{:04}.yaml", n / 100, n), format!("n: {n}\n").into_bytes())).collect();
    let objects: Vec<(&str, &[u8])> =
        contents.iter().map(|(key, content)| (key.as_str(), content.as_slice())).collect();
    let server = server_with(&objects);
    let work = tempfile::tempdir().unwrap();
    let client = BucketClient::new(request(&server, None, None)).unwrap();
    let index = client.index().await.unwrap();
    assert_eq!(index.len(), 1_200);
    let done = client.download(index, work.path()).await.unwrap();
    assert_eq!(done.object_count, 1_200);
    assert_eq!(done.revision, expected_revision(&objects));
    assert_eq!(files(work.path()).len(), 1_200);
    assert_eq!(std::fs::read_to_string(work.path().join("d11/f1199.yaml")).unwrap(), "n: 1199\n");
}

#[tokio::test]
async fn fetched_directories_store_as_the_same_artifact() {
    let server = server_with(TREE);
    let storage_root = tempfile::tempdir().unwrap();
    let storage = Storage::new(storage_root.path(), "localhost:9090").unwrap();
    let owner = ArtifactOwner::new(FluxKind::Bucket, "flux-system", "config");
    let mut digests = Vec::new();
    for attempt in ["first", "second"] {
        let work = tempfile::tempdir().unwrap();
        let done = fetch(request(&server, None, None), work.path()).await.unwrap();
        let hex = done.revision.strip_prefix("sha256:").unwrap();
        let artifact = storage
            .store_directory(&owner, &format!("{hex}.tar.gz"), &done.path, &include_everything, &done.revision)
            .unwrap_or_else(|e| panic!("{attempt}: {e}"));
        assert_eq!(artifact.revision.as_deref(), Some(done.revision.as_str()));
        digests.push(artifact.digest.expect("a stored artifact has a digest"));
    }
    assert_eq!(digests[0], digests[1], "two fetches of the same bucket archive identically");
}

#[tokio::test]
async fn the_server_stops_when_dropped() {
    let server = S3Server::start();
    let addr: std::net::SocketAddr = server.endpoint().parse().unwrap();
    let connects = || std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok();
    assert!(connects());
    drop(server);
    assert!(!connects(), "moto still listens after its server was dropped");
}
