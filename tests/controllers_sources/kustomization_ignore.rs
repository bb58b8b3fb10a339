//! Kustomization `spec.ignore`: fields at the ignored JSON pointers of the selected objects are neither reverted
//! nor reported as drift — replicas set by another server-side applier (an autoscaler) stay and leave
//! kustomize-controller's ownership, a ConfigMap value edited by hand stays — while the other fields drift and are
//! corrected as usual; the diff agrees.

use fluxtui::api::FluxKind;
use fluxtui::controllers::kustomization::{DiffOptions, Drift, diff_kustomization};
use fluxtui::controllers::runtime::context::ServedApis;
use fluxtui_testkit::{GitDaemon, GitRepos};
use serde_json::Value;

use crate::support::{EngineCluster, assert_kstatus, kustomization_yaml, ready_is};

const SETTINGS: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\ndata:\n  a: '1'\n  b: '2'\n";

const WEB: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1
";

/// What an autoscaler applies: only the replicas, as its own field manager.
const AUTOSCALER: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 5
";

/// The Kustomization's own spec fields.
const SPEC: &str = "  ignore:
  - paths: [/spec/replicas]
    target:
      kind: Deploy.*
  - paths: [/data/b]
    target:
      kind: ConfigMap
      name: settings
";

fn owns_replicas(deployment: &Value, manager: &str) -> bool {
    deployment["metadata"]["managedFields"].as_array().into_iter().flatten().any(|entry| {
        entry["manager"] == manager
            && entry["operation"] == "Apply"
            && entry["fieldsV1"]["f:spec"].get("f:replicas").is_some()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ignored_paths_are_neither_applied_nor_drift() {
    let env = EngineCluster::start().await;
    let repos = GitRepos::new();
    let repo = repos.create("app");
    repo.commit(&[("deploy/settings.yaml", SETTINGS), ("deploy/web.yaml", WEB)], "first");
    repo.push();
    let daemon = GitDaemon::start(&repos);
    env.apply_git_repository("app", &daemon.url(&repo), "1h");
    env.apply("ks", &kustomization_yaml("app", "./deploy", "1h", SPEC));
    env.wait_for(FluxKind::Kustomization, "app", "Ready=True", |o| ready_is(o, "True")).await;
    // A new object is applied whole, ignored paths included.
    let web = env.live("apps/v1", "Deployment", "deployments", "default", "web").await.expect("web");
    assert_eq!(web["spec"]["replicas"], 2);
    assert!(owns_replicas(&web, "kustomize-controller"));

    // An autoscaler takes the replicas with its own server-side apply; someone edits both ConfigMap values.
    let path = env.cluster.dir().join("autoscaler.yaml");
    std::fs::write(&path, AUTOSCALER).expect("write the manifest");
    env.cluster.kubectl_success(&[
        "apply",
        "--server-side",
        "--force-conflicts",
        "--field-manager=autoscaler",
        "-f",
        path.to_str().expect("utf-8 path"),
    ]);
    env.cluster.kubectl_success(&[
        "patch",
        "configmap/settings",
        "--type=merge",
        "-p",
        r#"{"data":{"a":"9","b":"8"}}"#,
    ]);

    // The diff shows the ConfigMap's `a` only, and no drift on the Deployment.
    let apis = ServedApis::discover(env.client.clone()).await.expect("discovery");
    let diff = diff_kustomization(&apis, "default", "app", &DiffOptions::default()).await.expect("a diff");
    let drift_of = |id: &str| diff.objects.iter().find(|o| o.id.to_string() == id).expect("in the diff");
    assert_eq!(drift_of("Deployment/default/web").drift, Drift::Unchanged, "{diff:#?}");
    let settings = drift_of("ConfigMap/default/settings");
    assert_eq!(settings.drift, Drift::Drifted);
    let text = settings.diff(true);
    assert!(text.contains("a: '9'") || text.contains("a: \"9\""), "{text}");
    assert!(!text.contains("b:"), "the ignored value is not shown: {text}");

    // A reconcile corrects `a` and leaves the ignored fields as the cluster has them.
    env.cluster.kubectl_success(&["annotate", "--overwrite", "kustomization/app", "reconcile.fluxcd.io/requestedAt=1"]);
    let object = env
        .wait_for(FluxKind::Kustomization, "app", "the requested reconcile", |o| {
            o["status"]["lastHandledReconcileAt"] == "1" && ready_is(o, "True")
        })
        .await;
    assert_kstatus(&object);
    let settings = env.live("v1", "ConfigMap", "configmaps", "default", "settings").await.expect("settings");
    assert_eq!(settings["data"]["a"], "1", "drift corrected");
    assert_eq!(settings["data"]["b"], "8", "ignored: the live value stays");
    let web = env.live("apps/v1", "Deployment", "deployments", "default", "web").await.expect("web");
    assert_eq!(web["spec"]["replicas"], 5, "ignored: the autoscaler's replicas stay");
    assert!(owns_replicas(&web, "autoscaler"));
    assert!(!owns_replicas(&web, "kustomize-controller"), "kustomize-controller released the replicas: {web:#}");
    let diff = diff_kustomization(&apis, "default", "app", &DiffOptions::default()).await.expect("a diff");
    assert!(!diff.has_differences(), "{diff:#?}");
    env.stop().await;
}
