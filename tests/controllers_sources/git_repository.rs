//! GitRepository: the reconciler end to end, from a Git server to a stored artifact and Flux's status.

use std::time::Duration;

use fluxtui::api::FluxKind;
use fluxtui_testkit::{GitDaemon, GitHttpServer, GitRepos};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::support::{EngineCluster, assert_kstatus, condition, events_of, ready_is};

fn git_repository(name: &str, url: &str, extra_spec: &str) -> String {
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: {name}\n  namespace: default\nspec:\n  url: {url}\n  interval: 1s\n  ref:\n    branch: main\n{extra_spec}"
    )
}

fn revision(object: &Value) -> String {
    object["status"]["artifact"]["revision"].as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repository_becomes_ready_with_flux_status_events_and_a_served_artifact() {
    let env = EngineCluster::start().await;
    let repos = GitRepos::new();
    let repo = repos.create("app");
    let first = repo.commit(&[("deploy/app.yaml", "replicas: 1\n"), ("image.png", "not really")], "first commit");
    repo.push();
    let daemon = GitDaemon::start(&repos);
    env.apply("repo", &git_repository("app", &daemon.url(&repo), ""));

    let object = env.wait_for(FluxKind::GitRepository, "app", "Ready=True", |o| ready_is(o, "True")).await;
    assert_kstatus(&object);
    let expected_revision = format!("main@sha1:{first}");
    assert_eq!(revision(&object), expected_revision);
    let ready = condition(&object, "Ready").unwrap();
    assert_eq!(ready["reason"], "Succeeded");
    assert_eq!(ready["message"], format!("stored artifact for revision '{expected_revision}'"));
    let stored = condition(&object, "ArtifactInStorage").unwrap();
    assert_eq!((stored["status"].as_str(), stored["reason"].as_str()), (Some("True"), Some("Succeeded")));
    assert!(condition(&object, "Reconciling").is_none(), "Reconciling is removed on success");
    assert_eq!(object["status"]["observedGeneration"], object["metadata"]["generation"]);
    assert_eq!(object["metadata"]["finalizers"][0], "finalizers.fluxcd.io");

    // The artifact: source-controller's path and file name, a sha256 digest of the served bytes, and its size.
    let artifact = &object["status"]["artifact"];
    assert_eq!(artifact["path"], format!("gitrepository/default/app/{first}.tar.gz"));
    let url = artifact["url"].as_str().unwrap();
    assert_eq!(object["status"]["url"], url, "status.url is the download link of the artifact");
    let body = reqwest_get(url).await;
    assert_eq!(artifact["digest"], format!("sha256:{:x}", Sha256::digest(&body)));
    assert_eq!(artifact["size"].as_u64(), Some(body.len() as u64));
    assert!(artifact["lastUpdateTime"].as_str().unwrap().ends_with('Z'));
    // The default ignore rules dropped the image.
    let listing = tar_listing(&body);
    assert!(listing.contains(&"deploy/app.yaml".to_string()), "{listing:?}");
    assert!(!listing.iter().any(|f| f.ends_with("image.png")), "{listing:?}");

    // A NewArtifact event with Flux's subject message and the revision and digest in its annotations.
    let events = events_of(&env.client, "app").await;
    let new_artifact = events.iter().find(|e| e["reason"] == "NewArtifact").expect("a NewArtifact event");
    assert_eq!(new_artifact["type"], "Normal");
    assert_eq!(new_artifact["message"], "stored artifact for commit 'first commit'");
    assert_eq!(new_artifact["source"]["component"], "source-controller");
    assert_eq!(new_artifact["metadata"]["annotations"]["source.toolkit.fluxcd.io/revision"], expected_revision);
    assert_eq!(new_artifact["metadata"]["annotations"]["source.toolkit.fluxcd.io/digest"], artifact["digest"]);

    // A new commit is picked up within the interval; the previous artifact is still there for its consumers.
    let second = repo.commit(&[("deploy/app.yaml", "replicas: 2\n")], "second commit");
    repo.push();
    let object = env
        .wait_for(FluxKind::GitRepository, "app", "the new revision", |o| revision(o) == format!("main@sha1:{second}"))
        .await;
    assert_kstatus(&object);
    assert!(ready_is(&object, "True"));

    // A force-push replacing the tip is a new revision too.
    let forced = repo.force_push_amended(&[("deploy/app.yaml", "replicas: 3\n")], "rewritten");
    env.wait_for(FluxKind::GitRepository, "app", "the force-pushed revision", |o| {
        revision(o) == format!("main@sha1:{forced}")
    })
    .await;

    // A requested reconcile is recorded as handled.
    env.cluster.kubectl_success(&[
        "annotate",
        "--overwrite",
        "gitrepository/app",
        "reconcile.fluxcd.io/requestedAt=now-1",
    ]);
    env.wait_for(FluxKind::GitRepository, "app", "lastHandledReconcileAt", |o| {
        o["status"]["lastHandledReconcileAt"] == "now-1"
    })
    .await;
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_show_flux_reasons_and_the_engine_keeps_serving_other_objects() {
    let env = EngineCluster::start().await;
    let repos = GitRepos::new();
    let repo = repos.create("private");
    let head = repo.commit(&[("a.yaml", "a: 1\n")], "only");
    repo.push();
    let http = GitHttpServer::start(&repos, "flux", "right");
    let daemon = GitDaemon::start(&repos);
    let secret = |name: &str, password: &str| {
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: default\nstringData:\n  username: flux\n  password: {password}\n"
        )
    };
    env.apply("wrong", &secret("wrong", "nope"));
    env.apply("right", &secret("right", "right"));
    let url = http.url(&repo);
    let with_secret = |secret: &str| format!("  secretRef:\n    name: {secret}\n");
    env.apply("denied", &git_repository("denied", &url, &with_secret("wrong")));
    env.apply("missing-secret", &git_repository("missing-secret", &url, &with_secret("absent")));
    env.apply(
        "unknown-branch",
        &git_repository("unknown-branch", &daemon.url(&repo), "").replace("branch: main", "branch: nope"),
    );
    env.apply(
        "bad-semver",
        &git_repository("bad-semver", &daemon.url(&repo), "").replace("branch: main", "semver: \">=x.y\""),
    );
    env.apply("unreachable", &git_repository("unreachable", "http://127.0.0.1:9/none.git", ""));
    env.apply("allowed", &git_repository("allowed", &url, &with_secret("right")));

    let failed = |reason: &'static str| {
        move |o: &Value| ready_is(o, "False") && condition(o, "Ready").unwrap()["reason"] == reason
    };
    let denied =
        env.wait_for(FluxKind::GitRepository, "denied", "AuthenticationFailed", failed("AuthenticationFailed")).await;
    assert_kstatus(&denied);
    let fetch = condition(&denied, "FetchFailed").expect("FetchFailed");
    assert_eq!(fetch["status"], "True");
    assert!(fetch["message"].as_str().unwrap().contains("authentication"), "{fetch}");
    assert_eq!(condition(&denied, "Reconciling").unwrap()["reason"], "ProgressingWithRetry");
    assert!(denied["status"]["artifact"].is_null());

    let missing = env
        .wait_for(FluxKind::GitRepository, "missing-secret", "AuthenticationFailed", failed("AuthenticationFailed"))
        .await;
    assert!(
        condition(&missing, "Ready").unwrap()["message"].as_str().unwrap().contains("secrets \"absent\" not found")
    );
    let unknown = env
        .wait_for(FluxKind::GitRepository, "unknown-branch", "GitOperationFailed", failed("GitOperationFailed"))
        .await;
    assert!(
        condition(&unknown, "Ready").unwrap()["message"].as_str().unwrap().contains("unable to find branch 'nope'")
    );
    assert_kstatus(&unknown);
    let unreachable =
        env.wait_for(FluxKind::GitRepository, "unreachable", "GitOperationFailed", failed("GitOperationFailed")).await;
    assert_kstatus(&unreachable);

    // An invalid range is terminal: Stalled, no Reconciling, the generation observed.
    let stalled = env
        .wait_for(FluxKind::GitRepository, "bad-semver", "Stalled", |o| {
            condition(o, "Stalled").is_some_and(|c| c["status"] == "True")
        })
        .await;
    assert_kstatus(&stalled);
    assert!(condition(&stalled, "Reconciling").is_none());
    assert_eq!(stalled["status"]["observedGeneration"], stalled["metadata"]["generation"]);

    // Meanwhile the good one is served; a warning event names the failure.
    let allowed = env.wait_for(FluxKind::GitRepository, "allowed", "Ready=True", |o| ready_is(o, "True")).await;
    assert_eq!(revision(&allowed), format!("main@sha1:{head}"));
    let events = events_of(&env.client, "denied").await;
    assert!(events.iter().any(|e| e["type"] == "Warning" && e["reason"] == "AuthenticationFailed"), "{events:?}");

    // Fixing the secret recovers the object: failure conditions go, Ready turns True.
    env.apply("wrong", &secret("wrong", "right"));
    let recovered = env.wait_for(FluxKind::GitRepository, "denied", "recovery", |o| ready_is(o, "True")).await;
    assert!(condition(&recovered, "FetchFailed").is_none());
    assert_kstatus(&recovered);
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suspend_include_and_deletion() {
    let env = EngineCluster::start().await;
    let repos = GitRepos::new();
    let shared = repos.create("shared");
    shared.commit(&[("lib/common.yaml", "common: true\n"), ("README.md", "x\n")], "shared");
    shared.push();
    let app = repos.create("app");
    app.commit(&[("app.yaml", "app: 1\n")], "app");
    app.push();
    let daemon = GitDaemon::start(&repos);
    env.apply("shared", &git_repository("shared", &daemon.url(&shared), ""));
    env.wait_for(FluxKind::GitRepository, "shared", "Ready", |o| ready_is(o, "True")).await;
    let include = "  include:\n  - repository:\n      name: shared\n    fromPath: lib\n    toPath: vendor/lib\n";
    env.apply("app", &git_repository("app", &daemon.url(&app), include));
    let object = env.wait_for(FluxKind::GitRepository, "app", "Ready", |o| ready_is(o, "True")).await;
    let body = reqwest_get(object["status"]["artifact"]["url"].as_str().unwrap()).await;
    let listing = tar_listing(&body);
    assert!(listing.contains(&"vendor/lib/common.yaml".to_string()), "{listing:?}");
    assert!(listing.contains(&"app.yaml".to_string()), "{listing:?}");
    assert_eq!(object["status"]["includedArtifacts"].as_array().map(Vec::len), Some(1));

    // Suspended: a new commit is not fetched.
    env.cluster.kubectl_success(&["patch", "gitrepository/app", "--type=merge", "-p", r#"{"spec":{"suspend":true}}"#]);
    let before = revision(&object);
    app.commit(&[("app.yaml", "app: 2\n")], "while suspended");
    app.push();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let still = env.get(FluxKind::GitRepository, "default", "app").await.unwrap();
    assert_eq!(revision(&still), before, "a suspended repository is not reconciled");
    env.cluster.kubectl_success(&["patch", "gitrepository/app", "--type=merge", "-p", r#"{"spec":{"suspend":false}}"#]);
    env.wait_for(FluxKind::GitRepository, "app", "the commit after resume", |o| revision(o) != before).await;

    // Deleting removes the finalizer, the object and its stored artifacts.
    let path = env.get(FluxKind::GitRepository, "default", "app").await.unwrap()["status"]["artifact"]["path"]
        .as_str()
        .unwrap()
        .to_string();
    let stored = env.cluster.dir().join("engine/artifacts").join(&path);
    assert!(stored.exists(), "{}", stored.display());
    env.cluster.kubectl_success(&["delete", "gitrepository/app", "--wait=true", "--timeout=30s"]);
    assert!(env.get(FluxKind::GitRepository, "default", "app").await.is_none());
    assert!(!stored.exists(), "the artifact is removed with the object");
    env.stop().await;
}

/// GETs a URL with a plain HTTP/1.1 request (the artifact server is plain HTTP on loopback).
pub async fn reqwest_get(url: &str) -> Vec<u8> {
    let output = tokio::process::Command::new("curl").args(["-sSf", url]).output().await.expect("run curl");
    assert!(output.status.success(), "curl {url}: {}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

/// The regular files of a tar.gz, relative.
pub fn tar_listing(body: &[u8]) -> Vec<String> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(body));
    let mut files: Vec<String> = archive
        .entries()
        .expect("a tar.gz")
        .filter_map(|e| {
            let e = e.expect("an entry");
            e.header()
                .entry_type()
                .is_file()
                .then(|| e.path().expect("a path").to_string_lossy().trim_start_matches("./").to_string())
        })
        .collect();
    files.sort();
    files
}
