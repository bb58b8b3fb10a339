//! The Kustomization reconciler's cluster stages (apply, inventory, prune, health) against the real sandbox over
//! HTTP: Flux's per-object actions, drift correction, staging of CRDs before their custom resources, the ssa
//! policies, immutable fields with and without force, inventory ids, prune's opt-outs, and health checks of
//! simulated workloads (../shared/flux/SEMANTICS.md §4.1, §4.2, §2.2).

use std::time::Duration;

use fluxtui::cluster::{ConnectOptions, connect};
use fluxtui::controllers::kustomization::{
    Action, ApplyOptions, ObjectId, Resolver, WaitOptions, apply_all, entry_of, inventory_of, parse_entry, prune,
    stale, wait_for_health,
};
use fluxtui_testkit::TestCluster;
use serde_json::{Value, json};

const OWNER: &str = "apps";
const OWNER_NAMESPACE: &str = "flux-system";

async fn start() -> (TestCluster, Resolver) {
    let cluster = TestCluster::start().await;
    let options = ConnectOptions { kubeconfig: Some(cluster.kubeconfig_path().to_path_buf()), context: None };
    let client = connect(&options).await.expect("connect to the sandbox").client().clone();
    (cluster, Resolver::new(client))
}

fn options() -> ApplyOptions {
    let mut options = ApplyOptions::new(OWNER, OWNER_NAMESPACE);
    options.default_namespace = "default".into();
    options.stage_wait.interval = Duration::from_millis(100);
    options
}

fn id_of(object: &Value) -> ObjectId {
    ObjectId::of(object).expect("complete object")
}

/// The live object, if any.
async fn live(resolver: &Resolver, object: &Value) -> Option<Value> {
    let id = id_of(object);
    let resolved = resolver.resolve(&id).await.expect("kind served");
    let found = resolver.api(&resolved, &id).get_opt(&id.name).await.expect("read the object");
    found.map(|o| serde_json::to_value(o).expect("as JSON"))
}

fn config_map(name: &str, data: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"}, "data": data})
}

fn deployment(name: &str, replicas: i64, image: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "progressDeadlineSeconds": 2,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "app", "image": image}]}
            }
        }
    })
}

fn service(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"},
        "spec": {"selector": {"app": name}, "ports": [{"port": 80, "targetPort": 8080}]}})
}

fn lines(set: &fluxtui::controllers::kustomization::ChangeSet) -> Vec<String> {
    set.to_string().lines().map(str::to_string).collect()
}

#[tokio::test]
async fn apply_reports_flux_actions_and_corrects_drift() {
    let (cluster, resolver) = start().await;
    let objects =
        |replicas| vec![deployment("web", replicas, "nginx:1"), service("web"), config_map("web", json!({"a": "1"}))];

    let first = apply_all(&resolver, objects(3), &options()).await.expect("first apply");
    assert_eq!(
        lines(&first),
        ["ConfigMap/default/web created", "Service/default/web created", "Deployment/default/web created"]
    );
    let applied = live(&resolver, &config_map("web", json!({}))).await.expect("applied");
    assert_eq!(applied["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/name"], OWNER);
    assert_eq!(applied["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/namespace"], OWNER_NAMESPACE);
    let managers: Vec<&str> = applied["metadata"]["managedFields"]
        .as_array()
        .expect("managed fields")
        .iter()
        .filter_map(|m| m["manager"].as_str())
        .collect();
    assert_eq!(managers, ["kustomize-controller"]);

    let again = apply_all(&resolver, objects(3), &options()).await.expect("second apply");
    assert!(again.entries.iter().all(|c| c.action == Action::Unchanged), "{again}");

    let scaled = apply_all(&resolver, objects(2), &options()).await.expect("new replica count");
    assert_eq!(scaled.action_of(&id_of(&deployment("web", 2, ""))), Some(Action::Configured));
    assert_eq!(scaled.action_of(&id_of(&service("web"))), Some(Action::Unchanged));

    // The issue's drift scenario: someone scales by hand, the next apply puts Git's replica count back.
    let set_to_three = apply_all(&resolver, objects(3), &options()).await.expect("back to 3");
    assert_eq!(set_to_three.action_of(&id_of(&deployment("web", 3, ""))), Some(Action::Configured));
    cluster.kubectl_success(&["scale", "deployment/web", "--replicas=5", "-n", "default"]);
    let drifted = live(&resolver, &deployment("web", 3, "")).await.expect("deployment");
    assert_eq!(drifted["spec"]["replicas"], 5);
    let corrected = apply_all(&resolver, objects(3), &options()).await.expect("drift corrected");
    assert_eq!(lines(&corrected)[2], "Deployment/default/web configured");
    let healed = live(&resolver, &deployment("web", 3, "")).await.expect("deployment");
    assert_eq!(healed["spec"]["replicas"], 3);
}

#[tokio::test]
async fn crds_are_applied_and_established_before_their_custom_resources() {
    let (_cluster, resolver) = start().await;
    let crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com", "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]
        }
    });
    let widget = json!({"apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": {"name": "w", "namespace": "default"}, "spec": {"size": 3}});
    let namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}});
    // The custom resource first in the input: staging must still put its CRD before it.
    let set = apply_all(&resolver, vec![widget.clone(), namespace, crd], &options()).await.expect("staged apply");
    assert_eq!(
        lines(&set),
        ["CustomResourceDefinition/widgets.example.com created", "Namespace/team created", "Widget/default/w created"]
    );
    assert_eq!(live(&resolver, &widget).await.expect("widget")["spec"]["size"], 3);

    let unknown =
        json!({"apiVersion": "example.com/v1", "kind": "Gizmo", "metadata": {"name": "g", "namespace": "default"}});
    let err = apply_all(&resolver, vec![unknown], &options()).await.expect_err("unknown kind");
    assert_eq!(
        err.message,
        "Gizmo/default/g dry-run failed: no matches for kind \"Gizmo\" in version \"example.com/v1\""
    );

    let mut invalid = deployment("bad", 1, "nginx:1");
    invalid["spec"]["selector"]["matchLabels"]["app"] = json!("other");
    let err = apply_all(&resolver, vec![invalid], &options()).await.expect_err("invalid object");
    assert!(err.message.starts_with("Deployment/default/bad dry-run failed (Invalid): "), "{}", err.message);
    assert!(err.message.contains("`selector` does not match template `labels`"), "{}", err.message);
}

fn with_annotation(mut object: Value, key: &str, value: &str) -> Value {
    object["metadata"]["annotations"] = json!({key: value});
    object
}

#[tokio::test]
async fn ssa_policies_skip_create_only_and_merge() {
    let (cluster, resolver) = start().await;
    const SSA: &str = "kustomize.toolkit.fluxcd.io/ssa";

    let once = |value: &str| with_annotation(config_map("once", json!({"v": value})), SSA, "IfNotPresent");
    let set = apply_all(&resolver, vec![once("1")], &options()).await.expect("created");
    assert_eq!(lines(&set), ["ConfigMap/default/once created"]);
    let set = apply_all(&resolver, vec![once("2")], &options()).await.expect("skipped");
    assert_eq!(lines(&set), ["ConfigMap/default/once skipped"]);
    assert_eq!(live(&resolver, &once("")).await.expect("kept")["data"]["v"], "1");

    let ignored = with_annotation(config_map("ignored", json!({})), SSA, "Ignore");
    let set = apply_all(&resolver, vec![ignored.clone()], &options()).await.expect("ignored");
    assert_eq!(lines(&set), ["ConfigMap/default/ignored skipped"]);
    assert!(live(&resolver, &ignored).await.is_none());

    let disabled =
        with_annotation(config_map("disabled", json!({})), "kustomize.toolkit.fluxcd.io/reconcile", "disabled");
    let set = apply_all(&resolver, vec![disabled], &options()).await.expect("disabled");
    assert_eq!(lines(&set), ["ConfigMap/default/disabled skipped"]);

    // Another manager adds a key; Merge keeps it while Git's keys are still applied.
    let merged = |value: &str| with_annotation(config_map("merged", json!({"v": value})), SSA, "Merge");
    apply_all(&resolver, vec![merged("1")], &options()).await.expect("created");
    cluster.kubectl_success(&[
        "patch",
        "configmap",
        "merged",
        "-n",
        "default",
        "--type=merge",
        "-p",
        r#"{"data":{"extra":"kept"}}"#,
    ]);
    let set = apply_all(&resolver, vec![merged("2")], &options()).await.expect("merged");
    assert_eq!(lines(&set), ["ConfigMap/default/merged configured"]);
    let data = live(&resolver, &merged("")).await.expect("merged")["data"].clone();
    assert_eq!(data, json!({"v": "2", "extra": "kept"}));
}

#[tokio::test]
async fn immutable_field_changes_need_force() {
    let (_cluster, resolver) = start().await;
    let with_selector = |app: &str| {
        let mut d = deployment("imm", 1, "nginx:1");
        d["spec"]["selector"]["matchLabels"]["app"] = json!(app);
        d["spec"]["template"]["metadata"]["labels"]["app"] = json!(app);
        d
    };
    apply_all(&resolver, vec![with_selector("a")], &options()).await.expect("created");
    let err = apply_all(&resolver, vec![with_selector("b")], &options()).await.expect_err("immutable");
    assert!(err.message.starts_with("Deployment/default/imm dry-run failed (Invalid): "), "{}", err.message);
    assert!(err.message.contains("field is immutable"), "{}", err.message);

    let mut forced = options();
    forced.force = true;
    let set = apply_all(&resolver, vec![with_selector("b")], &forced).await.expect("recreated");
    assert_eq!(lines(&set), ["Deployment/default/imm created"]);
    let recreated = live(&resolver, &with_selector("b")).await.expect("deployment");
    assert_eq!(recreated["spec"]["selector"]["matchLabels"]["app"], "b");

    // The force annotation on the object does the same without spec.force.
    let annotated = with_annotation(with_selector("c"), "kustomize.toolkit.fluxcd.io/force", "Enabled");
    let set = apply_all(&resolver, vec![annotated], &options()).await.expect("recreated by annotation");
    assert_eq!(lines(&set), ["Deployment/default/imm created"]);
}

#[tokio::test]
async fn inventory_and_prune_honour_ownership_and_opt_outs() {
    let (_cluster, resolver) = start().await;
    let namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}});
    let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": "system:team:view"}, "rules": []});
    let keep = with_annotation(config_map("keep", json!({})), "kustomize.toolkit.fluxcd.io/prune", "disabled");
    let drop = config_map("drop", json!({}));
    let web = deployment("web", 1, "nginx:1");
    let all = vec![web.clone(), drop.clone(), keep.clone(), role, namespace];
    let set = apply_all(&resolver, all, &options()).await.expect("applied");
    let old = inventory_of(&set);
    let ids: Vec<&str> = old.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "_team__Namespace",
            "_system__team__view_rbac.authorization.k8s.io_ClusterRole",
            "default_drop__ConfigMap",
            "default_keep__ConfigMap",
            "default_web_apps_Deployment",
        ]
    );
    assert!(old.iter().all(|e| e.v == "v1"));
    for (entry, change) in old.iter().zip(&set.entries) {
        assert_eq!(parse_entry(entry).expect("parses"), change.id);
    }

    // Another Kustomization owns `theirs`: listed as stale here, it must survive.
    let mut infra = options();
    infra.owner_name = "infra".into();
    let theirs = config_map("theirs", json!({}));
    apply_all(&resolver, vec![theirs.clone()], &infra).await.expect("applied by infra");
    let mut old = old;
    old.push(entry_of(&id_of(&theirs)));

    let new = apply_all(&resolver, vec![web.clone()], &options()).await.expect("applied again");
    let gone = stale(&old, &inventory_of(&new)).expect("stale set");
    let pruned = prune(&resolver, &gone, OWNER, OWNER_NAMESPACE).await;
    assert!(pruned.failed.is_empty(), "{:?}", pruned.failed);
    assert_eq!(
        lines(&pruned.changes),
        [
            "Namespace/team deleted",
            "ClusterRole/system:team:view deleted",
            "ConfigMap/default/drop deleted",
            "ConfigMap/default/keep skipped",
            "ConfigMap/default/theirs skipped",
        ]
    );
    assert!(live(&resolver, &drop).await.is_none());
    assert!(live(&resolver, &keep).await.is_some());
    assert!(live(&resolver, &theirs).await.is_some());
    assert!(live(&resolver, &web).await.is_some());
}

#[tokio::test]
async fn health_passes_for_ready_workloads_and_fails_fast_on_crash_loops() {
    let (_cluster, resolver) = start().await;
    let wait = |seconds| WaitOptions {
        interval: Duration::from_millis(100),
        timeout: Duration::from_secs(seconds),
        fail_fast: true,
        exprs: Default::default(),
    };

    let ready = deployment("ready", 2, "nginx:1");
    apply_all(&resolver, vec![ready.clone()], &options()).await.expect("applied");
    let passed = wait_for_health(&resolver, &[id_of(&ready)], &wait(30)).await.expect("healthy");
    assert!(passed.starts_with("Health check passed in "), "{passed}");

    let crashing = deployment("crashing", 1, "ghcr.io/acme/app:fail");
    apply_all(&resolver, vec![crashing.clone()], &options()).await.expect("applied");
    let started = std::time::Instant::now();
    let failed = wait_for_health(&resolver, &[id_of(&crashing)], &wait(60)).await.expect_err("crash loop");
    assert!(started.elapsed() < Duration::from_secs(20), "failed fast, not at the timeout: {failed}");
    assert!(failed.starts_with("health check failed after "), "{failed}");
    assert!(
        failed.ends_with(": failed early due to stalled resources: [Deployment/default/crashing status: 'Failed']"),
        "{failed}"
    );

    let missing = config_map("missing", json!({}));
    let timeout = WaitOptions {
        interval: Duration::from_millis(100),
        timeout: Duration::from_millis(500),
        fail_fast: true,
        exprs: Default::default(),
    };
    let timed_out = wait_for_health(&resolver, &[id_of(&missing), id_of(&ready)], &timeout).await.expect_err("timeout");
    assert!(timed_out.starts_with("health check failed after 5"), "{timed_out}");
    assert!(
        timed_out.ends_with(": timeout waiting for: [ConfigMap/default/missing status: 'NotFound']"),
        "{timed_out}"
    );
}
