//! Kustomization `spec.healthCheckExprs`: a custom resource's health decided by CEL instead of kstatus — the wait
//! holds while the expression cannot be evaluated or is false, passes once `current` holds, fails fast once
//! `failed` holds; an evaluation error fails the health check at the timeout naming the expression; an invalid
//! expression stalls the Kustomization with `InvalidCELExpression`.

use fluxtui::api::FluxKind;
use fluxtui_testkit::{GitDaemon, GitRepos};
use serde_json::Value;

use crate::support::{EngineCluster, assert_kstatus, condition, ready_is};

const CRD: &str = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
";

const WIDGET: &str =
    "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: default\nspec:\n  size: 3\n";

const SETTINGS: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\ndata:\n  a: '1'\n";

fn git_repository(url: &str) -> String {
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: app\n  namespace: default\nspec:\n  url: {url}\n  interval: 1h\n  ref:\n    branch: main\n"
    )
}

fn kustomization(name: &str, path: &str, timeout: &str, exprs: &str) -> String {
    format!(
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: {name}\n  namespace: default\nspec:\n  interval: 1h\n  timeout: {timeout}\n  path: {path}\n  prune: true\n  wait: true\n  sourceRef:\n    kind: GitRepository\n    name: app\n  healthCheckExprs:\n{exprs}"
    )
}

const WIDGET_EXPRS: &str = "  - apiVersion: example.com/v1
    kind: Widget
    failed: status.phase == 'Broken'
    current: status.phase == 'Ready'
";

fn reason_of(object: &Value, type_: &str) -> String {
    condition(object, type_).and_then(|c| c["reason"].as_str()).unwrap_or_default().to_string()
}

fn message_of(object: &Value, type_: &str) -> String {
    condition(object, type_).and_then(|c| c["message"].as_str()).unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_check_exprs_decide_custom_resource_health() {
    let env = EngineCluster::start().await;
    let repos = GitRepos::new();
    let repo = repos.create("app");
    repo.commit(&[("widgets/crd.yaml", CRD), ("widgets/widget.yaml", WIDGET), ("settings/cm.yaml", SETTINGS)], "first");
    repo.push();
    let daemon = GitDaemon::start(&repos);
    env.apply("repo", &git_repository(&daemon.url(&repo)));
    env.apply("widgets", &kustomization("widgets", "./widgets", "1m", WIDGET_EXPRS));

    // kstatus alone would call a Widget without conditions Current; the expression keeps the wait going.
    let object = env
        .wait_for(FluxKind::Kustomization, "widgets", "the health check running", |o| {
            reason_of(o, "Healthy") == "Progressing"
        })
        .await;
    assert_eq!(condition(&object, "Healthy").unwrap()["status"], "Unknown");
    env.wait_live(("example.com/v1", "Widget", "widgets"), "default", "w", "the Widget applied", |_| true).await;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let still = env.get(FluxKind::Kustomization, "default", "widgets").await.expect("the Kustomization");
    assert_eq!(reason_of(&still, "Healthy"), "Progressing", "the Widget is not Ready by its expression yet");

    // The Widget's controller reports Ready: `current` holds, the Kustomization is Healthy and Ready.
    env.cluster.kubectl_success(&[
        "patch",
        "widget/w",
        "--subresource=status",
        "--type=merge",
        "-p",
        r#"{"status":{"phase":"Ready"}}"#,
    ]);
    let object = env.wait_for(FluxKind::Kustomization, "widgets", "Ready=True", |o| ready_is(o, "True")).await;
    assert_kstatus(&object);
    assert_eq!(reason_of(&object, "Healthy"), "Succeeded");
    assert!(
        message_of(&object, "Healthy").starts_with("Health check passed in "),
        "{}",
        message_of(&object, "Healthy")
    );

    // `failed` holds: the next reconcile fails fast with Flux's message.
    env.cluster.kubectl_success(&[
        "patch",
        "widget/w",
        "--subresource=status",
        "--type=merge",
        "-p",
        r#"{"status":{"phase":"Broken"}}"#,
    ]);
    env.cluster.kubectl_success(&[
        "annotate",
        "--overwrite",
        "kustomization/widgets",
        "reconcile.fluxcd.io/requestedAt=1",
    ]);
    let object = env
        .wait_for(FluxKind::Kustomization, "widgets", "HealthCheckFailed", |o| {
            ready_is(o, "False") && reason_of(o, "Ready") == "HealthCheckFailed"
        })
        .await;
    assert_kstatus(&object);
    let message = message_of(&object, "Ready");
    assert!(
        message.starts_with("health check failed after ")
            && message.ends_with("failed early due to stalled resources: [Widget/default/w status: 'Failed']"),
        "{message}"
    );
    assert_eq!(reason_of(&object, "Healthy"), "HealthCheckFailed");

    // An expression that cannot be evaluated on the object: Unknown until the timeout, then a failure naming it.
    let missing_key = "  - apiVersion: v1\n    kind: ConfigMap\n    current: data.missing == 'x'\n";
    env.apply("settings", &kustomization("settings", "./settings", "2s", missing_key));
    let object = env
        .wait_for(FluxKind::Kustomization, "settings", "HealthCheckFailed", |o| {
            reason_of(o, "Ready") == "HealthCheckFailed"
        })
        .await;
    assert_kstatus(&object);
    let message = message_of(&object, "Ready");
    assert!(
        message.contains(
            "timeout waiting for: [ConfigMap/default/settings status: 'Unknown': failed to evaluate the CEL \
             expression 'data.missing == 'x'': no such key: missing]"
        ),
        "{message}"
    );

    // An expression that does not parse: Stalled, nothing fetched or applied.
    let invalid = "  - apiVersion: v1\n    kind: ConfigMap\n    current: data.(\n";
    env.apply("invalid", &kustomization("invalid", "./settings", "1m", invalid));
    let object = env
        .wait_for(FluxKind::Kustomization, "invalid", "InvalidCELExpression", |o| {
            reason_of(o, "Ready") == "InvalidCELExpression"
        })
        .await;
    assert_kstatus(&object);
    assert_eq!(condition(&object, "Stalled").expect("Stalled")["status"], "True");
    assert!(
        message_of(&object, "Ready").starts_with(
            "Reconciliation failed terminally due to configuration error: failed to create custom status evaluator \
             for healthchecks[0]: failed to parse the expression Current: failed to parse the CEL expression 'data.(': "
        ),
        "{}",
        message_of(&object, "Ready")
    );
    assert!(object["status"].get("lastAttemptedRevision").is_none(), "nothing fetched");
    env.stop().await;
}
