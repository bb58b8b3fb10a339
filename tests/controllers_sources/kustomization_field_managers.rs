//! Kustomization adopting objects created with `kubectl apply` (client-side): kustomize-controller takes over
//! kubectl's fields and drops the last-applied annotation, so a field that is not in Git is removed from the
//! cluster; with `kustomize.toolkit.fluxcd.io/ssa: Merge` kubectl's fields are kept.

use fluxtui::api::FluxKind;
use fluxtui_testkit::{GitDaemon, GitRepos};
use serde_json::{Value, json};

use crate::support::{EngineCluster, assert_kstatus, ready_is};

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

fn config_map(name: &str, annotations: &str, data: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: default\n  annotations: {{{annotations}}}\ndata:\n{data}"
    )
}

fn managers(object: &Value) -> Vec<(String, String)> {
    object["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["manager"].as_str().unwrap_or_default().to_string(),
                e["operation"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adopted_objects_lose_kubectl_fields_unless_merged() {
    let env = EngineCluster::start().await;
    // Created by hand with client-side apply, with a value Git will not have.
    let by_hand = "  a: '1'\n  b: '2'\n";
    env.apply("adopted", &config_map("adopted", "", by_hand));
    env.apply("merged", &config_map("merged", "", by_hand));
    let before = env.live("v1", "ConfigMap", "configmaps", "default", "adopted").await.expect("created");
    assert!(before["metadata"]["annotations"].get(LAST_APPLIED).is_some(), "{before:#}");
    assert!(managers(&before).contains(&("kubectl-client-side-apply".into(), "Update".into())), "{before:#}");

    let repos = GitRepos::new();
    let repo = repos.create("app");
    let git = "  a: '1'\n";
    repo.commit(
        &[
            ("deploy/adopted.yaml", &config_map("adopted", "", git)),
            ("deploy/merged.yaml", &config_map("merged", "kustomize.toolkit.fluxcd.io/ssa: Merge", git)),
        ],
        "first",
    );
    repo.push();
    let daemon = GitDaemon::start(&repos);
    env.apply_git_repository("app", &daemon.url(&repo), "1h");
    env.apply(
        "ks",
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: app\n  namespace: default\nspec:\n  interval: 1h\n  path: ./deploy\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: app\n",
    );
    let object = env.wait_for(FluxKind::Kustomization, "app", "Ready=True", |o| ready_is(o, "True")).await;
    assert_kstatus(&object);

    // Taken over: the value Git does not have is gone, and so are kubectl's traces.
    let adopted = env.live("v1", "ConfigMap", "configmaps", "default", "adopted").await.expect("adopted");
    assert_eq!(adopted["data"], json!({"a": "1"}), "{adopted:#}");
    assert!(adopted["metadata"]["annotations"].get(LAST_APPLIED).is_none(), "{adopted:#}");
    assert_eq!(managers(&adopted), [("kustomize-controller".to_string(), "Apply".to_string())], "{adopted:#}");
    assert_eq!(adopted["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/name"], "app");

    // ssa: Merge: kubectl's value and record stay next to kustomize-controller's fields.
    let merged = env.live("v1", "ConfigMap", "configmaps", "default", "merged").await.expect("merged");
    assert_eq!(merged["data"], json!({"a": "1", "b": "2"}), "{merged:#}");
    assert!(merged["metadata"]["annotations"].get(LAST_APPLIED).is_some(), "{merged:#}");
    let merged_managers = managers(&merged);
    assert!(merged_managers.contains(&("kubectl-client-side-apply".into(), "Update".into())), "{merged:#}");
    assert!(merged_managers.contains(&("kustomize-controller".into(), "Apply".into())), "{merged:#}");

    // Nothing left to clean: the next reconcile changes neither object.
    let version = adopted["metadata"]["resourceVersion"].clone();
    env.cluster.kubectl_success(&["annotate", "--overwrite", "kustomization/app", "reconcile.fluxcd.io/requestedAt=1"]);
    env.wait_for(FluxKind::Kustomization, "app", "the requested reconcile", |o| {
        o["status"]["lastHandledReconcileAt"] == "1" && ready_is(o, "True")
    })
    .await;
    let again = env.live("v1", "ConfigMap", "configmaps", "default", "adopted").await.expect("adopted");
    assert_eq!(again["metadata"]["resourceVersion"], version, "unchanged: {again:#}");
    env.stop().await;
}
