//! The tree, trace, HelmRelease detail and pods screens, driven with the default keys. Their live reads are
//! Effects the event loop runs; here the results come back through `update::on_insight_result`, built from
//! fixture objects with the same model functions the reader uses (the reads themselves are tested end to end
//! against the sandbox in tests/e2e/tree.rs).

use std::sync::Arc;

use fluxtui::api::AnyFluxObject;
use fluxtui::api::FluxKind;
use fluxtui::api::references::ObjectReference;
use fluxtui::app::action::Action;
use fluxtui::app::insight::{InsightRequest, InsightResult};
use fluxtui::app::state::Screen;
use fluxtui::app::update::{self, Effect};
use fluxtui::cluster::logs::LogTarget;
use fluxtui::cluster::{ClusterEvent, FluxStores};
use fluxtui::model::events::EventTarget;
use fluxtui::model::helm_release::{AppliedValues, SourceCheck, SourceState};
use fluxtui::model::tree::{LiveStatus, TreeNode, invalid_reference, live_status};
use serde_json::{Value, json};

use super::harness::Harness;

fn snapshot(name: &str, harness: &mut Harness) {
    let text = harness.render();
    insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

fn ready(message: &str) -> Value {
    json!({"observedGeneration": 1, "conditions": [{"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded",
        "message": message, "lastTransitionTime": "2026-11-24T11:00:00Z", "observedGeneration": 1}]})
}

fn flux_labels(kind: &str, name: &str, namespace: &str) -> Value {
    let group = if kind == "kustomize" { "kustomize.toolkit.fluxcd.io" } else { "helm.toolkit.fluxcd.io" };
    json!({format!("{group}/name"): name, format!("{group}/namespace"): namespace})
}

fn meta(name: &str, namespace: &str, labels: Value) -> Value {
    json!({"name": name, "namespace": namespace, "generation": 1, "creationTimestamp": "2026-11-20T12:00:00Z", "labels": labels})
}

/// A Kustomization `shop` whose inventory holds a namespace, a HelmRelease, a nested Kustomization, a
/// Deployment that is gone, and two corrupt entries; its source; the nested Kustomization; the HelmRelease.
fn fleet() -> Vec<Value> {
    let mut shop_status = ready("Applied revision: main@sha1:1111111");
    shop_status["lastAppliedRevision"] = json!("main@sha1:1111111");
    shop_status["inventory"] = json!({"entries": [
        {"id": "_shop__Namespace", "v": "v1"},
        {"id": "shop_tiny_helm.toolkit.fluxcd.io_HelmRelease", "v": "v2"},
        {"id": "flux-system_shop-infra_kustomize.toolkit.fluxcd.io_Kustomization", "v": "v1"},
        {"id": "shop_ghost_apps_Deployment", "v": "v1"},
        {"id": "not-an-id", "v": "v1"},
        {"id": "shop_widget_example.com_Widget", "v": "v1"},
    ]});
    let mut infra_status = json!({"observedGeneration": 1, "conditions": [{"type": "Ready", "status": "False",
        "reason": "BuildFailed", "message": "kustomization path not found", "lastTransitionTime": "2026-11-24T11:00:00Z"}]});
    infra_status["inventory"] = json!({"entries": [{"id": "shop_web_apps_Deployment", "v": "v1"}]});
    let mut tiny_status = ready("Helm install succeeded for release shop/tiny.v1 with chart tiny@0.1.0");
    tiny_status["history"] = json!([{"name": "tiny", "namespace": "shop", "version": 2, "status": "deployed",
        "chartName": "tiny", "chartVersion": "0.1.0", "appVersion": "1.0", "configDigest": "sha256:0123456789abcdef0123456789",
        "digest": "sha256:feed", "firstDeployed": "2026-11-24T10:00:00Z", "lastDeployed": "2026-11-24T11:00:00Z",
        "testHooks": {"tiny-test-connection": {"phase": "Succeeded"}}},
        {"name": "tiny", "namespace": "shop", "version": 1, "status": "superseded", "chartName": "tiny", "chartVersion": "0.0.9",
        "appVersion": "0.9", "configDigest": "sha256:aaaaaaaaaaaaaaaaaaaa", "firstDeployed": "2026-11-24T10:00:00Z",
        "lastDeployed": "2026-11-24T10:00:00Z"}]);
    tiny_status["helmChart"] = json!("flux-system/shop-tiny");
    vec![
        json!({"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository", "metadata": meta("shop", "flux-system", json!({})),
            "spec": {"url": "https://example.com/shop.git", "interval": "1m", "ref": {"branch": "main"}},
            "status": {"observedGeneration": 1, "artifact": {"revision": "main@sha1:2222222", "path": "x", "url": "x", "lastUpdateTime": "2026-11-24T11:00:00Z"},
                "conditions": [{"type": "Ready", "status": "True", "reason": "Succeeded", "message": "stored artifact for revision 'main@sha1:2222222'", "lastTransitionTime": "2026-11-24T11:00:00Z"}]}}),
        json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization", "metadata": meta("shop", "flux-system", json!({})),
            "spec": {"interval": "5m", "path": "./shop", "prune": true, "sourceRef": {"kind": "GitRepository", "name": "shop"}},
            "status": shop_status}),
        json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": meta("shop-infra", "flux-system", flux_labels("kustomize", "shop", "flux-system")),
            "spec": {"interval": "5m", "path": "./infra", "prune": true, "sourceRef": {"kind": "GitRepository", "name": "shop"}},
            "status": infra_status}),
        json!({"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
            "metadata": meta("tiny", "shop", flux_labels("kustomize", "shop", "flux-system")),
            "spec": {"interval": "5m", "chart": {"spec": {"chart": "tiny", "sourceRef": {"kind": "HelmRepository", "name": "shop", "namespace": "flux-system"}}},
                "values": {"replicas": 2, "auth": {"password": "hunter2"}},
                "valuesFrom": [{"kind": "ConfigMap", "name": "tiny-overrides", "targetPath": "replicas"}]},
            "status": tiny_status}),
    ]
}

/// The live non-Flux objects of the fixture cluster.
fn live_objects() -> Vec<Value> {
    vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}, "status": {"phase": "Active"}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta("web", "shop", flux_labels("kustomize", "shop-infra", "flux-system")),
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}},
            "status": {"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 1}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta("tiny", "shop", flux_labels("helm", "tiny", "shop")),
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "tiny"}}},
            "status": {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "availableReplicas": 1}}),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("tiny-config", "shop", flux_labels("helm", "tiny", "shop")),
            "data": {"greeting": "hello"}}),
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": meta("tiny-auth", "shop", flux_labels("helm", "tiny", "shop")),
            "data": {"password": "aHVudGVyMg=="}}),
    ]
}

fn harness() -> Harness {
    let mut harness = Harness::with_objects(fleet().into_iter().map(AnyFluxObject::from_value).collect());
    harness.press("4");
    harness
}

fn find(objects: &[Value], reference: &ObjectReference) -> Option<Value> {
    objects
        .iter()
        .find(|o| {
            o["kind"] == reference.kind.as_str()
                && o["metadata"]["name"] == reference.name.as_str()
                && o["metadata"]["namespace"].as_str().unwrap_or("") == reference.namespace
        })
        .cloned()
}

/// The tree the reader builds, from fixture objects: inventories and the release's objects resolved by name.
fn node(objects: &[Value], reference: ObjectReference) -> TreeNode {
    let Some(object) = find(objects, &reference) else {
        return TreeNode::problem(reference, LiveStatus::NotFound, "not found in the cluster");
    };
    let (status, message) = live_status(&object);
    let children = match reference.kind.as_str() {
        "Kustomization" => fluxtui::model::tree::inventory_entries(&object)
            .into_iter()
            .map(|entry| match entry {
                Ok(child) if child.kind == "Widget" => {
                    TreeNode::problem(child, LiveStatus::Unknown, "the cluster does not serve Widget in example.com/v1")
                }
                Ok(child) => node(objects, child),
                Err((id, message)) => TreeNode::problem(invalid_reference(&id), LiveStatus::Invalid, message),
            })
            .collect(),
        // The release's manifest, as the Helm storage decoding lists it.
        "HelmRelease" => ["Deployment/apps/v1/tiny", "ConfigMap/v1/tiny-config", "Secret/v1/tiny-auth"]
            .into_iter()
            .map(|spec| {
                let (kind, rest) = spec.split_once('/').unwrap();
                let (api_version, name) = rest.rsplit_once('/').unwrap();
                node(
                    objects,
                    ObjectReference {
                        kind: kind.to_string(),
                        name: name.to_string(),
                        namespace: "shop".to_string(),
                        api_version: Some(api_version.to_string()),
                    },
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    TreeNode { reference, status, message, object: Some(Arc::new(object)), children }
}

fn all_objects() -> Vec<Value> {
    fleet().into_iter().chain(live_objects()).collect()
}

/// Answers the last read the update step asked for, as the event loop would.
fn answer_reads(harness: &mut Harness) {
    let objects = all_objects();
    let pending: Vec<Effect> = harness.effects.drain(..).collect();
    for effect in pending {
        let Effect::Insight(request) = effect else { continue };
        let result = match request {
            InsightRequest::Tree { root, request } => InsightResult::Tree { request, result: Ok(node(&objects, root)) },
            InsightRequest::TraceChain { reference, request } => {
                let object = find(&objects, &reference).ok_or("not found".to_string());
                InsightResult::TraceChain { request, result: object.map(|object| vec![object]) }
            }
            InsightRequest::HelmRelease { request, .. } => InsightResult::HelmRelease {
                request,
                result: Ok(AppliedValues {
                    release: "tiny.v2".to_string(),
                    config: json!({"replicas": 2, "auth": {"password": "hunter2"}}),
                }),
                sources: vec![SourceCheck {
                    kind: "ConfigMap".to_string(),
                    name: "tiny-overrides".to_string(),
                    state: SourceState::NotFound,
                }],
            },
            InsightRequest::Pods { request, owner } => {
                let pods = ["tiny-5d9c7-abcde", "tiny-5d9c7-fghij"]
                    .iter()
                    .enumerate()
                    .map(|(index, name)| {
                        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": owner.namespace,
                            "creationTimestamp": "2026-11-24T11:58:00Z"},
                            "spec": {"nodeName": "sandbox", "containers": [{"name": "app", "image": "nginx"}]},
                            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": if index == 0 { "True" } else { "False" }}],
                                "containerStatuses": [{"name": "app", "ready": index == 0, "restartCount": index * 3,
                                    "state": if index == 0 { json!({"running": {}}) } else { json!({"waiting": {"reason": "CrashLoopBackOff"}}) }}]}})
                    })
                    .collect();
                InsightResult::Pods { request, result: Ok(("app=tiny".to_string(), pods)) }
            }
            InsightRequest::StopPods { .. } | InsightRequest::Diff { .. } => continue,
        };
        let effects = update::on_insight_result(&mut harness.state, result);
        harness.effects.extend(effects);
    }
}

#[test]
fn t_on_a_kustomization_reads_its_tree_and_shows_it_loading() {
    let mut harness = harness();
    harness.press("t");
    assert!(
        matches!(&harness.effects[..], [Effect::Insight(InsightRequest::Tree { root, .. })]
            if root.name == "shop" && root.api_version.as_deref() == Some("kustomize.toolkit.fluxcd.io/v1")),
        "{:?}",
        harness.effects
    );
    snapshot("tree_loading", &mut harness);
}

#[test]
fn kustomization_tree_with_nested_objects_and_a_corrupt_inventory() {
    let mut harness = harness();
    harness.press("t");
    answer_reads(&mut harness);
    snapshot("tree_kustomization_120x40", &mut harness);
    // Open the HelmRelease and the nested Kustomization (right expands, down moves).
    harness.press("j j right j j j j right");
    snapshot("tree_kustomization_expanded_120x40", &mut harness);
    harness.resize(80, 24);
    snapshot("tree_kustomization_expanded_80x24", &mut harness);
}

#[test]
fn tree_statuses_are_coloured_by_the_theme() {
    let mut harness = harness();
    harness.press("t");
    answer_reads(&mut harness);
    let buffer = harness.buffer();
    let theme = harness.theme().clone();
    let style_of = |word: &str, after: &str| {
        let text = super::harness::buffer_text(&buffer);
        let (y, line) = text.lines().enumerate().find(|(_, line)| line.contains(after)).expect("the node's line");
        let column = line.find(&format!("{after}  {word}")).expect("the status") + after.len() + 2;
        let x = line[..column].chars().count() as u16;
        buffer[(x, y as u16)].style()
    };
    assert_eq!(style_of("NotFound", "Deployment/shop/ghost").fg, theme.failed.fg);
    assert_eq!(style_of("Invalid", "InventoryEntry/not-an-id").fg, theme.failed.fg);
    assert_eq!(style_of("Ready", "Namespace/shop").fg, theme.ready.fg);
}

#[test]
fn write_actions_act_on_the_selected_flux_node() {
    let mut harness = harness();
    harness.press("t");
    answer_reads(&mut harness);
    // The HelmRelease node: reconcile asks for a write on it.
    harness.press("j j r");
    assert!(
        harness
            .effects
            .iter()
            .any(|effect| matches!(effect, Effect::Write(write) if format!("{write:?}").contains("tiny"))),
        "{:?}",
        harness.effects
    );
    // A non-Flux node has nothing to write to.
    harness.effects.clear();
    harness.press("right j r");
    assert!(!harness.effects.iter().any(|effect| matches!(effect, Effect::Write(_))), "{:?}", harness.effects);
}

#[test]
fn a_long_tree_scrolls_with_the_selection() {
    let mut objects = fleet();
    let entries: Vec<Value> =
        (0..80).map(|index| json!({"id": format!("shop_config-{index:02}__ConfigMap"), "v": "v1"})).collect();
    objects[1]["status"]["inventory"] = json!({ "entries": entries });
    let mut harness = Harness::with_objects(objects.clone().into_iter().map(AnyFluxObject::from_value).collect());
    harness.press("4 t");
    let Some(Effect::Insight(InsightRequest::Tree { root, request })) = harness.effects.pop() else {
        panic!("no read")
    };
    update::on_insight_result(&mut harness.state, InsightResult::Tree { request, result: Ok(node(&objects, root)) });
    harness.resize(80, 24);
    harness.press("G");
    let text = harness.render();
    assert!(text.contains("ConfigMap/shop/config-79") && !text.contains("config-10 "), "{text}");
    harness.press("ctrl-u");
    let text = harness.render();
    let Screen::Tree(view) = harness.state.screen() else { panic!("not on the tree") };
    let selected = view.selected[0];
    assert!(text.contains(&format!("ConfigMap/shop/config-{selected:02}")), "{text}");
    harness.press("g");
    assert!(harness.render().contains("▼ Kustomization/flux-system/shop"));
    // t on the root reads the tree again, keeping it on screen meanwhile.
    harness.press("t");
    assert!(matches!(harness.effects.last(), Some(Effect::Insight(InsightRequest::Tree { .. }))));
    assert!(harness.render().contains("(reading…)") && harness.state.stack.len() == 2);
}

#[test]
fn collapsing_and_moving_to_the_parent() {
    let mut harness = harness();
    harness.press("t");
    answer_reads(&mut harness);
    harness.press("j j right j");
    let Screen::Tree(view) = harness.state.screen() else { panic!("not on the tree") };
    assert_eq!(view.selected, vec![1, 0]);
    // Left on a leaf goes to its parent, left again closes it, left on the root closes everything.
    harness.press("h");
    let Screen::Tree(view) = harness.state.screen() else { panic!("not on the tree") };
    assert_eq!(view.selected, vec![1]);
    harness.press("h");
    let Screen::Tree(view) = harness.state.screen() else { panic!("not on the tree") };
    assert!(!view.opened.contains(&vec![1]));
    harness.press("g h");
    snapshot("tree_collapsed", &mut harness);
    harness.press("enter");
    let Screen::Tree(view) = harness.state.screen() else { panic!("not on the tree") };
    assert!(view.opened.contains(&Vec::new()), "enter opens the root again");
}

#[test]
fn helm_release_tree_lists_the_release_objects() {
    let mut harness = harness();
    harness.press("5 t");
    answer_reads(&mut harness);
    snapshot("tree_helm_release", &mut harness);
}

#[test]
fn a_tree_node_opens_describe_and_masked_yaml() {
    let mut harness = harness();
    harness.press("5 t");
    answer_reads(&mut harness);
    harness.press("G y");
    assert!(matches!(harness.state.screen(), Screen::LiveObject(_)));
    let text = harness.render();
    assert!(text.contains("YAML Secret/shop/tiny-auth") && !text.contains("aHVudGVyMg=="), "{text}");
    harness.press("x");
    assert!(harness.render().contains("aHVudGVyMg=="), "x reveals the Secret's data");
    harness.press("d");
    snapshot("tree_node_describe", &mut harness);
    // A Flux node opens the Flux describe view.
    harness.press("esc g d");
    assert!(matches!(harness.state.screen(), Screen::Describe(_)));
}

#[test]
fn the_tree_is_read_again_when_an_inventory_changes_and_follows_flux_statuses() {
    let mut harness = harness();
    harness.press("t");
    answer_reads(&mut harness);
    // A status change of a Flux object in the tree shows without a re-read.
    let mut objects = fleet();
    objects[2]["status"] = ready("Applied revision: main@sha1:2222222");
    objects[2]["status"]["inventory"] = json!({"entries": [{"id": "shop_web_apps_Deployment", "v": "v1"}]});
    harness.state.stores = FluxStores::from_objects(objects.clone().into_iter().map(AnyFluxObject::from_value));
    harness.cluster(ClusterEvent::StoreChanged(FluxKind::Kustomization));
    let effects = update::refresh_insight(&mut harness.state);
    assert!(effects.is_empty(), "{effects:?}");
    let Screen::Tree(view) = harness.state.screen() else { panic!("not on the tree") };
    let infra = view.tree.as_ref().and_then(|tree| tree.at(&[2])).expect("the nested Kustomization");
    assert_eq!(infra.status, LiveStatus::Current);
    // An inventory change asks for the tree again.
    objects[1]["status"]["inventory"]["entries"].as_array_mut().unwrap().pop();
    harness.state.stores = FluxStores::from_objects(objects.into_iter().map(AnyFluxObject::from_value));
    harness.cluster(ClusterEvent::StoreChanged(FluxKind::Kustomization));
    let effects = update::refresh_insight(&mut harness.state);
    assert!(matches!(&effects[..], [Effect::Insight(InsightRequest::Tree { .. })]), "{effects:?}");
}

#[test]
fn the_tree_refuses_other_kinds_and_reports_a_missing_root() {
    let mut harness = harness();
    harness.press("3 t");
    assert!(harness.effects.is_empty());
    assert!(harness.render().contains("the tree shows Kustomizations and HelmReleases, not GitRepository"));
    let mut harness = self::harness();
    harness.press("t");
    let Some(Effect::Insight(InsightRequest::Tree { request, .. })) = harness.effects.pop() else { panic!("no read") };
    update::on_insight_result(
        &mut harness.state,
        InsightResult::Tree { request, result: Err("Kustomization flux-system/shop not found".to_string()) },
    );
    assert!(harness.render().contains("Kustomization flux-system/shop not found"));
}

#[test]
fn trace_of_a_kustomization_and_of_a_tree_node() {
    let mut harness = harness();
    harness.press("j ctrl-t");
    assert!(harness.effects.is_empty(), "a Flux object is traced from the stores: {:?}", harness.effects);
    snapshot("trace_kustomization", &mut harness);
    // d on a trace describes the traced object.
    harness.press("d");
    assert!(matches!(harness.state.screen(), Screen::Describe(detail) if detail.key.name == "shop-infra"));
    harness.press("esc esc k t");
    answer_reads(&mut harness);
    // The Deployment under the nested Kustomization.
    harness.press("j j j right j ctrl-t");
    snapshot("trace_tree_node", &mut harness);
    harness.resize(80, 24);
    snapshot("trace_tree_node_80x24", &mut harness);
}

#[test]
fn helm_release_detail_masks_values_until_revealed() {
    let mut harness = harness();
    harness.press("5 v");
    snapshot("helm_details_reading", &mut harness);
    answer_reads(&mut harness);
    snapshot("helm_details_masked", &mut harness);
    harness.press("x");
    let text = harness.render();
    assert!(text.contains("password: hunter2") && text.contains("[secrets shown]"), "{text}");
    snapshot("helm_details_revealed", &mut harness);
    harness.resize(80, 24);
    snapshot("helm_details_revealed_80x24", &mut harness);
    let mut harness = self::harness();
    harness.press("v");
    assert!(harness.render().contains("the HelmRelease detail needs a HelmRelease, not Kustomization"));
}

#[test]
fn pods_of_a_tree_workload() {
    let mut harness = harness();
    harness.press("5 t");
    answer_reads(&mut harness);
    harness.press("j p");
    assert!(
        matches!(&harness.effects[..], [Effect::Insight(InsightRequest::Pods { owner, .. })] if owner.name == "tiny")
    );
    answer_reads(&mut harness);
    snapshot("pods", &mut harness);
    // What the logs and events screens open on: the selected pod.
    let pod = update::insight_selection(&harness.state).expect("a selected pod");
    assert_eq!((pod.kind.as_str(), pod.namespace.as_str(), pod.name.as_str()), ("Pod", "shop", "tiny-5d9c7-abcde"));
    harness.resize(80, 24);
    snapshot("pods_80x24", &mut harness);
    harness.resize(120, 40);
    harness.press("j enter");
    assert!(harness.render().contains("Describe Pod/shop/tiny-5d9c7-fghij"));
    // p again on the pods list reads them again.
    harness.press("esc p");
    assert!(matches!(&harness.effects[..], [Effect::Insight(InsightRequest::Pods { .. })]));
    // A ConfigMap has no pods: said at once, nothing read.
    harness.press("esc j p");
    assert!(harness.effects.iter().all(
        |effect| !matches!(effect, Effect::Insight(InsightRequest::Pods { owner, .. }) if owner.kind == "ConfigMap")
    ));
    assert!(harness.render().contains("ConfigMap objects have no pods"));
    // The pods list is a watch: a report for a pods screen that is gone stops it.
    let late = InsightResult::Pods { request: 999, result: Ok((String::new(), Vec::new())) };
    let effects = update::on_insight_result(&mut harness.state, late);
    assert_eq!(effects, vec![Effect::Insight(InsightRequest::StopPods { request: 999 })]);
}

#[test]
fn commands_open_the_same_screens() {
    let mut harness = harness();
    harness.press(":");
    harness.type_text("tree");
    harness.press("enter");
    assert!(matches!(harness.state.screen(), Screen::Tree(_)));
    assert!(harness.state.keys_for(Action::ShowTree).is_some_and(|keys| keys.contains(&"t".to_string())));
}

#[test]
fn a_pod_opens_its_log_and_any_node_its_events() {
    let mut harness = harness();
    harness.press("5 t");
    answer_reads(&mut harness);
    // A Deployment in the tree: its events, by apiVersion and kind, not only Flux objects.
    harness.press("j e");
    let Screen::Events(_) = harness.state.screen() else { panic!("not on the events view") };
    let watched = harness.effects.iter().find_map(|effect| match effect {
        Effect::WatchEvents { target: EventTarget::Object(object), .. } => Some(object.clone()),
        _ => None,
    });
    let object = watched.expect("an events watch on the node");
    assert_eq!((object.kind.as_str(), object.name.as_str()), ("Deployment", "tiny"));
    // A Deployment has no log of its own: said, nothing followed.
    harness.press("esc l");
    assert!(!matches!(harness.state.screen(), Screen::Logs(_)));
    assert!(harness.render().contains("has no log of its own"), "{}", harness.render());
    // Its pods: l follows the selected pod's log.
    harness.press("p");
    answer_reads(&mut harness);
    harness.press("l");
    let Screen::Logs(_) = harness.state.screen() else { panic!("not on the logs view") };
    let followed = harness.effects.iter().find_map(|effect| match effect {
        Effect::FollowLogs { target: LogTarget::Pod { namespace, name, container }, .. } => {
            Some((namespace.clone(), name.clone(), container.clone()))
        }
        _ => None,
    });
    assert_eq!(followed, Some(("shop".to_string(), "tiny-5d9c7-abcde".to_string(), None)));
}
