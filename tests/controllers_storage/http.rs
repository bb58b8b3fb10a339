//! Downloads through the artifact server with curl.

use std::fs;
use std::sync::Arc;

use fluxtui::api::kind::FluxKind;
use fluxtui::controllers::storage::{ArtifactOwner, ArtifactServer, Storage, include_everything};

use crate::support::*;

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
