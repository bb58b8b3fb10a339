//! ArtifactGenerator: ExternalArtifacts composed from a GitRepository's artifact, end to end against the sandbox
//! and a git daemon, with source-watcher's statuses, labels, revisions, events and garbage collection.

use std::path::Path;

use fluxtui::api::FluxKind;
use fluxtui_testkit::{GitDaemon, GitRepos};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::git_repository::{reqwest_get, tar_listing};
use crate::support::{EngineCluster, assert_kstatus, condition, events_of, ready_is};

fn git_repository(name: &str, url: &str) -> String {
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: {name}\n  namespace: default\nspec:\n  url: {url}\n  interval: 1s\n  ref:\n    branch: main\n"
    )
}

fn generator(name: &str, spec: &str) -> String {
    format!(
        "apiVersion: source.extensions.fluxcd.io/v1beta1\nkind: ArtifactGenerator\nmetadata:\n  name: {name}\n  namespace: default\nspec:\n{spec}"
    )
}

const SOURCES: &str = "  sources:\n  - alias: repo\n    kind: GitRepository\n    name: mono\n";

const APP: &str = r#"  - name: app
    originRevision: "@repo"
    copy:
    - from: "@repo/deploy/app"
      to: "@artifact/"
    - from: "@repo/deploy/**/*.yaml"
      to: "@artifact/flat/"
      exclude: ["service.yaml"]
"#;

const CONFIG: &str = r#"  - name: config
    revision: "@repo"
    copy:
    - from: "@repo/config/base.yaml"
      to: "@artifact/values.yaml"
    - from: "@repo/config/prod.yaml"
      to: "@artifact/values.yaml"
      strategy: Merge
"#;

fn revision(object: &Value) -> String {
    object["status"]["artifact"]["revision"].as_str().unwrap_or_default().to_string()
}

/// The content of one file of a tar.gz.
fn tar_file(body: &[u8], path: &str) -> String {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(body));
    for entry in archive.entries().expect("a tar.gz") {
        let mut entry = entry.expect("an entry");
        if entry.path().expect("a path").to_string_lossy().trim_start_matches("./") == path {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut entry, &mut text).expect("a UTF-8 file");
            return text;
        }
    }
    panic!("{path} is not in the archive: {:?}", tar_listing(body));
}

/// Downloads an ExternalArtifact's artifact, checking its digest and size.
async fn download(object: &Value) -> Vec<u8> {
    let artifact = &object["status"]["artifact"];
    let body = reqwest_get(artifact["url"].as_str().expect("an artifact URL")).await;
    assert_eq!(artifact["digest"], format!("sha256:{:x}", Sha256::digest(&body)));
    assert_eq!(artifact["size"].as_u64(), Some(body.len() as u64));
    body
}

async fn ready_external_artifact(env: &EngineCluster, name: &str) -> Value {
    let object = env.wait_for(FluxKind::ExternalArtifact, name, "Ready=True", |o| ready_is(o, "True")).await;
    assert_kstatus(&object);
    object
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generator_composes_external_artifacts_and_follows_its_source() {
    let env = EngineCluster::start().await;
    let repos = GitRepos::new();
    let repo = repos.create("mono");
    let first = repo.commit(
        &[
            ("deploy/app/deployment.yaml", "kind: Deployment\nreplicas: 1\n"),
            ("deploy/app/service.yaml", "kind: Service\n"),
            ("deploy/app/README.md", "the app\n"),
            ("config/base.yaml", "replicas: 1\nimage:\n  repository: podinfo\n  tag: 6.0.0\nports: [80, 443]\n"),
            ("config/prod.yaml", "image:\n  tag: 6.1.0\nports: [8080]\n"),
            ("docs/guide.md", "not copied\n"),
        ],
        "first",
    );
    repo.push();
    let daemon = GitDaemon::start(&repos);
    env.apply("mono", &git_repository("mono", &daemon.url(&repo)));
    env.apply("gen", &generator("gen", &format!("{SOURCES}  artifacts:\n{APP}{CONFIG}")));

    let object = env.wait_for(FluxKind::ArtifactGenerator, "gen", "Ready=True", |o| ready_is(o, "True")).await;
    assert_kstatus(&object);
    let ready = condition(&object, "Ready").unwrap();
    assert_eq!(ready["reason"], "Succeeded");
    assert_eq!(ready["message"], "reconciliation succeeded, generated 2 artifact(s)");
    assert!(condition(&object, "Reconciling").is_none());
    assert_eq!(object["metadata"]["finalizers"][0], "source.extensions.fluxcd.io/finalizer");
    assert!(object["status"]["observedSourcesDigest"].as_str().unwrap().starts_with("sha256:"));
    let inventory = object["status"]["inventory"].as_array().expect("an inventory");
    let names: Vec<&str> = inventory.iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["app", "config"]);
    let uid = object["metadata"]["uid"].as_str().unwrap().to_string();

    // The directory copy and the glob with its exclude, with the content-addressed revision.
    let app = ready_external_artifact(&env, "app").await;
    assert_eq!(app["metadata"]["labels"]["app.kubernetes.io/managed-by"], "source-watcher");
    assert_eq!(app["metadata"]["labels"]["source.extensions.fluxcd.io/generator"], uid.as_str());
    let source_ref = &app["spec"]["sourceRef"];
    assert_eq!((source_ref["kind"].as_str(), source_ref["name"].as_str()), (Some("ArtifactGenerator"), Some("gen")));
    assert_eq!(condition(&app, "Ready").unwrap()["message"], "Artifact is ready");
    let artifact = &app["status"]["artifact"];
    assert_eq!(revision(&app), format!("latest@{}", artifact["digest"].as_str().unwrap()));
    let path = artifact["path"].as_str().unwrap();
    let file = path.strip_prefix("externalartifact/default/app/").expect("source-watcher's layout");
    assert!(file.strip_suffix(".tar.gz").unwrap().chars().all(|c| c.is_ascii_digit()), "{path}");
    assert_eq!(artifact["metadata"]["org.opencontainers.image.revision"], format!("main@sha1:{first}"));
    assert_eq!(inventory[0]["digest"], artifact["digest"]);
    assert_eq!(inventory[0]["filename"], file);
    let body = download(&app).await;
    assert_eq!(
        tar_listing(&body),
        ["app/README.md", "app/deployment.yaml", "app/service.yaml", "flat/deploy/app/deployment.yaml"]
    );

    // The merge of two YAML files, with the source's revision.
    let config = ready_external_artifact(&env, "config").await;
    assert_eq!(revision(&config), format!("main@sha1:{first}"));
    let values: Value = serde_saphyr::from_str(&tar_file(&download(&config).await, "values.yaml")).unwrap();
    assert_eq!(
        values,
        serde_json::json!({"image": {"repository": "podinfo", "tag": "6.1.0"}, "ports": [8080], "replicas": 1})
    );

    // source-watcher's events, as source-watcher.
    let events = events_of(&env.client, "gen").await;
    let reconciled = events
        .iter()
        .find(|e| e["message"] == format!("ExternalArtifact/default/app reconciled with revision {}", revision(&app)))
        .expect("an event for the new ExternalArtifact");
    assert_eq!((reconciled["type"].as_str(), reconciled["reason"].as_str()), (Some("Normal"), Some("Ready")));
    assert_eq!(reconciled["source"]["component"], "source-watcher");

    // A new commit: the GitRepository's new artifact triggers the generator; both outputs get new revisions.
    let second = repo.commit(&[("deploy/app/deployment.yaml", "kind: Deployment\nreplicas: 2\n")], "second");
    repo.push();
    let config = env
        .wait_for(FluxKind::ExternalArtifact, "config", "the new commit", |o| {
            revision(o) == format!("main@sha1:{second}")
        })
        .await;
    assert_kstatus(&config);
    let app = env
        .wait_for(FluxKind::ExternalArtifact, "app", "new content", |o| {
            o["status"]["artifact"]["metadata"]["org.opencontainers.image.revision"] == format!("main@sha1:{second}")
        })
        .await;
    assert_ne!(app["status"]["artifact"]["digest"], artifact["digest"]);
    assert!(tar_file(&download(&app).await, "app/deployment.yaml").contains("replicas: 2"));

    // An artifact removed from the spec: its ExternalArtifact and its stored files go.
    env.apply("gen", &generator("gen", &format!("{SOURCES}  artifacts:\n{APP}")));
    let object = env
        .wait_for(FluxKind::ArtifactGenerator, "gen", "one artifact", |o| {
            ready_is(o, "True") && o["status"]["inventory"].as_array().is_some_and(|i| i.len() == 1)
        })
        .await;
    assert_kstatus(&object);
    assert!(env.get(FluxKind::ExternalArtifact, "default", "config").await.is_none());
    let storage = env.engine.as_ref().unwrap().storage().root().to_path_buf();
    assert!(!storage.join("externalartifact/default/config").exists());
    assert!(storage.join("externalartifact/default/app").exists());

    // Deleting the generator deletes what it generated.
    env.cluster.kubectl_success(&["delete", "artifactgenerator/gen", "--wait=true"]);
    assert!(env.get(FluxKind::ExternalArtifact, "default", "app").await.is_none());
    assert!(!storage.join("externalartifact/default/app").exists());
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_shows_source_watchers_reasons_and_recovers() {
    let env = EngineCluster::start().await;
    let repos = GitRepos::new();
    let repo = repos.create("mono");
    repo.commit(&[("deploy/app.yaml", "kind: ConfigMap\n")], "only");
    repo.push();
    let daemon = GitDaemon::start(&repos);
    env.apply("mono", &git_repository("mono", &daemon.url(&repo)));
    let copy_all =
        "  artifacts:\n  - name: out\n    copy:\n    - from: \"@repo/deploy/**\"\n      to: \"@artifact/\"\n";
    env.apply(
        "missing",
        &generator("missing", &format!("{}{copy_all}", SOURCES.replace("name: mono", "name: absent"))),
    );
    let bad_copy = "  artifacts:\n  - name: out\n    copy:\n    - from: \"repo/deploy\"\n      to: \"@artifact/\"\n";
    env.apply("bad-copy", &generator("bad-copy", &format!("{SOURCES}{bad_copy}")));
    let duplicate = format!("{SOURCES}  - alias: repo\n    kind: GitRepository\n    name: other\n{copy_all}");
    env.apply("duplicate", &generator("duplicate", &duplicate));
    let disabled = generator("disabled", &format!("{SOURCES}{copy_all}"))
        .replace(
            "  namespace: default\n",
            "  namespace: default\n  annotations:\n    source.extensions.fluxcd.io/reconcile: Disabled\n",
        )
        .replace("name: out", "name: never");
    env.apply("disabled", &disabled);
    let failed = |reason: &'static str| {
        move |o: &Value| ready_is(o, "False") && condition(o, "Ready").unwrap()["reason"] == reason
    };

    // Suspended by annotation from the start: source-watcher's initial status, and nothing generated.
    let suspended = env
        .wait_for(FluxKind::ArtifactGenerator, "disabled", "ReconciliationDisabled", |o| {
            ready_is(o, "True") && condition(o, "Ready").unwrap()["reason"] == "ReconciliationDisabled"
        })
        .await;
    assert_eq!(condition(&suspended, "Ready").unwrap()["message"], "Initialized with reconciliation suspended");
    assert_kstatus(&suspended);

    let missing =
        env.wait_for(FluxKind::ArtifactGenerator, "missing", "SourceFetchFailed", failed("SourceFetchFailed")).await;
    assert_kstatus(&missing);
    let message = condition(&missing, "Ready").unwrap()["message"].as_str().unwrap().to_string();
    assert!(message.starts_with("get sources failed: ") && message.contains("\"absent\" not found"), "{message}");
    assert_eq!(condition(&missing, "Reconciling").unwrap()["reason"], "ProgressingWithRetry");

    let bad = env.wait_for(FluxKind::ArtifactGenerator, "bad-copy", "BuildFailed", failed("BuildFailed")).await;
    assert_kstatus(&bad);
    assert_eq!(
        condition(&bad, "Ready").unwrap()["message"],
        "out build failed: failed to apply copy operations: failed to apply copy operation from 'repo/deploy' to \
         '@artifact/': invalid copy source 'repo/deploy': source must start with '@'"
    );
    assert!(env.get(FluxKind::ExternalArtifact, "default", "out").await.is_none());

    let stalled =
        env.wait_for(FluxKind::ArtifactGenerator, "duplicate", "ValidationFailed", failed("ValidationFailed")).await;
    assert_kstatus(&stalled);
    let stalled_condition = condition(&stalled, "Stalled").expect("Stalled");
    assert_eq!(stalled_condition["reason"], "ValidationFailed");
    assert_eq!(stalled_condition["message"], "duplicate source alias 'repo' found");
    assert!(condition(&stalled, "Reconciling").is_none());

    assert!(env.get(FluxKind::ExternalArtifact, "default", "never").await.is_none());
    let events = events_of(&env.client, "disabled").await;
    assert!(events.iter().any(|e| e["reason"] == "ReconciliationDisabled"), "{events:?}");
    let events = events_of(&env.client, "bad-copy").await;
    assert!(events.iter().any(|e| e["type"] == "Warning" && e["reason"] == "BuildFailed"), "{events:?}");

    // The missing source appears: the generator recovers on its own.
    env.apply("absent", &git_repository("absent", &daemon.url(&repo)));
    let recovered = env.wait_for(FluxKind::ArtifactGenerator, "missing", "recovery", |o| ready_is(o, "True")).await;
    assert_kstatus(&recovered);
    let out = ready_external_artifact(&env, "out").await;
    assert_eq!(tar_listing(&download(&out).await), ["app.yaml"]);
    env.stop().await;
}

/// Every file under `dir`, relative and `/`-separated, with its text.
fn files_under(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).expect("list the fixture") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                let relative = path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                out.push((relative, text));
            }
        }
    }
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_the_kustomize_helm_example_splits_its_monorepo() {
    let Some(shared) = fluxtui_testkit::shared_dir() else {
        eprintln!("skipped: the shared reference directory is absent (set FLUXTUI_SHARED)");
        return;
    };
    let example = shared.join("fixtures/flux2-kustomize-helm-example");
    let env = EngineCluster::start().await;
    let repos = GitRepos::new();
    let repo = repos.create("fleet");
    let files = files_under(&example);
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let head = repo.commit(&borrowed, "the example");
    repo.push();
    let daemon = GitDaemon::start(&repos);
    // The example's own objects, moved to the test namespace: the bootstrap GitRepository the generator reads,
    // and the staging cluster's generator as the example ships it.
    env.apply("flux-system", &git_repository("flux-system", &daemon.url(&repo)));
    let manifest = std::fs::read_to_string(example.join("clusters/staging/artifacts.yaml")).unwrap();
    env.apply("artifacts", &manifest.replace("namespace: flux-system", "namespace: default"));

    let object = env.wait_for(FluxKind::ArtifactGenerator, "flux-system", "Ready=True", |o| ready_is(o, "True")).await;
    assert_kstatus(&object);
    let origin = format!("main@sha1:{head}");
    let expected_in = |prefix: &str, target: &str| -> Vec<String> {
        let mut expected: Vec<String> = files
            .iter()
            .filter_map(|(path, _)| path.strip_prefix(prefix).map(|rest| format!("{target}{rest}")))
            .collect();
        expected.sort();
        expected
    };

    // infrastructure/** into the root: the paths the example's Kustomizations use (./controllers, ./configs).
    let infrastructure = ready_external_artifact(&env, "infrastructure").await;
    assert_eq!(infrastructure["status"]["artifact"]["metadata"]["org.opencontainers.image.revision"], origin);
    let listing = tar_listing(&download(&infrastructure).await);
    assert_eq!(listing, expected_in("infrastructure/", ""));
    assert!(listing.contains(&"controllers/kustomization.yaml".to_string()), "{listing:?}");
    assert!(listing.contains(&"configs/kustomization.yaml".to_string()), "{listing:?}");

    // apps/base/** and apps/staging/** under base/ and staging/ (the apps Kustomization's ./staging).
    let apps = ready_external_artifact(&env, "apps").await;
    let listing = tar_listing(&download(&apps).await);
    let mut expected = expected_in("apps/base/", "base/");
    expected.extend(expected_in("apps/staging/", "staging/"));
    expected.sort();
    assert_eq!(listing, expected);
    assert!(listing.contains(&"staging/kustomization.yaml".to_string()), "{listing:?}");
    env.stop().await;
}
