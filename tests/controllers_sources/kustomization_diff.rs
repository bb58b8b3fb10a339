//! The Kustomization diff (`fluxtui diff ks`, the TUI's diff view) against the sandbox with the engine: a Ready
//! Kustomization shows no drift; once suspended, a scaled Deployment, an edited ConfigMap and an edited Secret show
//! as drift (the Secret's values masked until revealed), a file removed from Git as a prune (an object with
//! `prune: disabled` as skipped), and a local directory (`--path`) is built instead of the artifact.

use std::sync::Arc;

use fluxtui::api::FluxKind;
use fluxtui::controllers::kustomization::{DiffError, DiffOptions, Drift, KustomizationDiff, diff_kustomization};
use fluxtui::controllers::runtime::context::ServedApis;
use fluxtui::controllers::storage::Storage;
use fluxtui_testkit::{GitDaemon, GitRepos};
use serde_json::Value;

use crate::support::{EngineCluster, ready_is};

const SETTINGS: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\ndata:\n  color: blue\n";
const CREDS: &str = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  namespace: default\nstringData:\n  token: s3cr3t-from-git\n";
const OLD: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: old\n  namespace: default\n";
const KEPT: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kept\n  namespace: default\n  annotations:\n    kustomize.toolkit.fluxcd.io/prune: disabled\n";

fn deployment(replicas: u32) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: default\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: nginx:1\n"
    )
}

const KUSTOMIZATION: &str = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: app\n  namespace: default\nspec:\n  interval: 1s\n  path: ./deploy\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: app\n";

fn drift_of<'a>(diff: &'a KustomizationDiff, id: &str) -> &'a fluxtui::controllers::kustomization::ObjectDrift {
    diff.objects.iter().find(|o| o.id.to_string() == id).unwrap_or_else(|| panic!("{id} not in {diff:#?}"))
}

fn outcomes(diff: &KustomizationDiff) -> Vec<(String, Drift)> {
    diff.objects.iter().map(|o| (o.id.to_string(), o.drift)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_diff_shows_drift_prunes_and_local_builds_before_they_are_corrected() {
    let env = EngineCluster::start().await;
    let repos = GitRepos::new();
    let repo = repos.create("app");
    let files = [
        ("deploy/settings.yaml", SETTINGS),
        ("deploy/creds.yaml", CREDS),
        ("deploy/web.yaml", &deployment(3)),
        ("deploy/old.yaml", OLD),
        ("deploy/kept.yaml", KEPT),
    ];
    repo.commit(&files, "first");
    repo.push();
    let daemon = GitDaemon::start(&repos);
    env.apply_git_repository("app", &daemon.url(&repo), "1s");
    env.apply("ks", KUSTOMIZATION);
    env.wait_for(FluxKind::Kustomization, "app", "Ready=True", |o| ready_is(o, "True")).await;
    let apis = ServedApis::discover(env.client.clone()).await.expect("discovery");
    let options = DiffOptions::default();

    // Right after a reconcile the cluster matches Git.
    let clean = diff_kustomization(&apis, "default", "app", &options).await.expect("a diff");
    assert!(!clean.has_differences(), "{:#?}", outcomes(&clean));
    assert_eq!(clean.count(Drift::Unchanged), 5, "{:#?}", outcomes(&clean));

    // Suspended, so the engine leaves the changes alone; then the cluster drifts and a file leaves Git.
    env.cluster.kubectl_success(&["patch", "kustomization/app", "--type=merge", "-p", r#"{"spec":{"suspend":true}}"#]);
    env.cluster.kubectl_success(&["scale", "deployment/web", "--replicas=5"]);
    env.cluster.kubectl_success(&["patch", "configmap/settings", "--type=merge", "-p", r#"{"data":{"color":"red"}}"#]);
    env.cluster.kubectl_success(&[
        "patch",
        "secret/creds",
        "--type=merge",
        "-p",
        r#"{"data":{"token":"ZWRpdGVkLWluLWNsdXN0ZXI="}}"#,
    ]);
    std::fs::remove_file(repo.work_dir().join("deploy/old.yaml")).expect("remove old.yaml");
    std::fs::remove_file(repo.work_dir().join("deploy/kept.yaml")).expect("remove kept.yaml");
    let second = repo.commit(&[], "remove old and kept");
    repo.push();
    env.wait_for(FluxKind::GitRepository, "app", "the second revision", |o: &Value| {
        o["status"]["artifact"]["revision"] == format!("main@sha1:{second}").as_str()
    })
    .await;

    let diff = diff_kustomization(&apis, "default", "app", &options).await.expect("a diff");
    assert_eq!(diff.built_from, format!("main@sha1:{second}"));
    let mut found = outcomes(&diff);
    found.sort();
    assert_eq!(
        found,
        [
            ("ConfigMap/default/kept".to_string(), Drift::Skipped),
            ("ConfigMap/default/old".to_string(), Drift::Pruned),
            ("ConfigMap/default/settings".to_string(), Drift::Drifted),
            ("Deployment/default/web".to_string(), Drift::Drifted),
            ("Secret/default/creds".to_string(), Drift::Drifted),
        ]
    );
    let web = drift_of(&diff, "Deployment/default/web").diff(false);
    assert!(web.contains("-  replicas: 5\n") && web.contains("+  replicas: 3\n"), "{web}");
    assert!(!web.contains("resourceVersion") && !web.contains("managedFields"), "{web}");
    let settings = drift_of(&diff, "ConfigMap/default/settings").diff(false);
    assert!(settings.contains("-  color: red\n") && settings.contains("+  color: blue\n"), "{settings}");
    let creds = drift_of(&diff, "Secret/default/creds");
    let masked = creds.diff(false);
    assert!(masked.contains("token: •••••••• (before)") && masked.contains("token: •••••••• (after)"), "{masked}");
    assert!(!masked.contains("ZWRpdGVk") && !masked.contains("czNjcjN0"), "a secret value leaked:\n{masked}");
    let revealed = creds.diff(true);
    assert!(revealed.contains("ZWRpdGVkLWluLWNsdXN0ZXI="), "{revealed}");
    // Nothing was written: the drift is still there, and the pruned object still exists.
    let replicas = env.cluster.kubectl_success(&["get", "deployment/web", "-o", "jsonpath={.spec.replicas}"]);
    assert_eq!(replicas, "5");
    env.cluster.kubectl_success(&["get", "configmap/old"]);

    // A local directory instead of the artifact: its new object shows as created.
    let local = tempfile::tempdir().expect("a temp dir");
    std::fs::write(local.path().join("web.yaml"), deployment(5)).expect("write web.yaml");
    std::fs::write(
        local.path().join("extra.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: default\n",
    )
    .expect("write extra.yaml");
    let local_options = DiffOptions { local_path: Some(local.path().to_path_buf()), ..DiffOptions::default() };
    let built = diff_kustomization(&apis, "default", "app", &local_options).await.expect("a local diff");
    assert_eq!(built.built_from, local.path().display().to_string());
    assert_eq!(drift_of(&built, "ConfigMap/default/extra").drift, Drift::Created);
    assert_eq!(drift_of(&built, "Deployment/default/web").drift, Drift::Unchanged, "{:#?}", outcomes(&built));
    assert!(!local.path().join("kustomization.yaml").exists(), "the user's directory is left as it was");

    // Errors of the whole diff say what is missing.
    let missing = diff_kustomization(&apis, "default", "nope", &options).await.unwrap_err();
    assert_eq!(missing, DiffError::NotFound { namespace: "default".into(), name: "nope".into() });
    assert_eq!(missing.to_string(), "Kustomization default/nope not found");

    // With the engine stopped its artifact server is gone: the download fails with the URL, while the engine's
    // storage (what the TUI with --controller passes) still has the artifact.
    let mut env = env;
    env.engine.take().expect("the engine").stop().await;
    let unreachable = diff_kustomization(&apis, "default", "app", &options).await.unwrap_err();
    assert!(
        matches!(&unreachable, DiffError::Artifact(message) if message.starts_with("failed to download artifact: failed to fetch http://")),
        "{unreachable}"
    );
    let storage = Storage::new(env.config().artifact_root(), "").expect("the engine's storage");
    let local_options = DiffOptions { storage: Some(Arc::new(storage)), ..DiffOptions::default() };
    let from_storage = diff_kustomization(&apis, "default", "app", &local_options).await.expect("a diff from storage");
    assert_eq!(outcomes(&from_storage), outcomes(&diff));
    env.stop().await;
}
