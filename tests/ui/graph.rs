//! The dependency graph and the edit outcomes: snapshots at 120x40 and 80x24 (the blocking chain, every graph,
//! a cycle, a missing dependency, a 1,000-object graph scrolled) and the keys that drive them.

use fluxtui::api::AnyFluxObject;
use fluxtui::app::action::Action;
use fluxtui::app::state::Screen;
use fluxtui::app::update::{self, Effect};
use serde_json::{Value, json};

use super::harness::{Harness, fixed_now};

const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];

fn snapshot_sizes(name: &str, setup: impl Fn() -> Harness) {
    for (width, height) in SIZES {
        let mut harness = setup();
        harness.resize(width, height);
        let text = harness.render();
        insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"), prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(format!("{name}_{width}x{height}"), text);
        });
    }
}

fn command(harness: &mut Harness, line: &str) {
    harness.press(":");
    harness.type_text(line);
    harness.press("enter");
}

/// The demo fleet's Kustomizations, filtered to `name`, with the graph opened on it.
fn demo_graph_on(name: &str) -> Harness {
    let mut harness = Harness::demo();
    command(&mut harness, "ks");
    harness.press("/");
    harness.type_text(name);
    harness.press("enter");
    harness.press("D");
    harness
}

fn ks(namespace: &str, name: &str, depends_on: Value, ready: &str, message: &str) -> AnyFluxObject {
    AnyFluxObject::from_value(json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": {"name": name, "namespace": namespace, "generation": 1, "creationTimestamp": "2026-11-01T00:00:00Z"},
        "spec": {"interval": "10m", "path": "./", "prune": true, "dependsOn": depends_on,
                 "sourceRef": {"kind": "GitRepository", "name": "fleet"}},
        "status": {"observedGeneration": 1, "conditions": [{"type": "Ready", "status": ready, "reason": "Test",
                   "message": message, "lastTransitionTime": "2026-11-24T11:00:00Z"}]},
    }))
}

/// A cycle (a -> b -> c -> a), an object waiting on the cycle, and one depending on an object that does not exist.
fn broken_graph() -> Harness {
    let not_ready = |name: &str| format!("dependency 'team-a/{name}' is not ready");
    let mut harness = Harness::with_objects(vec![
        ks("team-a", "cycle-a", json!([{"name": "cycle-b"}]), "False", &not_ready("cycle-b")),
        ks("team-a", "cycle-b", json!([{"name": "cycle-c"}]), "False", &not_ready("cycle-c")),
        ks("team-a", "cycle-c", json!([{"name": "cycle-a"}]), "False", &not_ready("cycle-a")),
        ks("team-a", "waiting", json!([{"name": "cycle-a"}]), "False", &not_ready("cycle-a")),
        ks(
            "team-b",
            "orphan",
            json!([{"name": "infra", "namespace": "flux-system"}]),
            "False",
            "unable to get 'flux-system/infra' dependency: not found",
        ),
    ]);
    command(&mut harness, "graph all");
    harness
}

fn large_graph() -> Harness {
    let objects =
        fluxtui::demo::dependency_fleet(1000, fixed_now()).into_iter().map(AnyFluxObject::from_value).collect();
    let mut harness = Harness::with_objects(objects);
    command(&mut harness, "graph all");
    harness
}

#[test]
fn the_blocking_chain_is_highlighted_and_spelled_out() {
    snapshot_sizes("graph_blocked_chain", || demo_graph_on("apps"));
    let mut harness = demo_graph_on("apps");
    let screen = harness.render();
    assert!(screen.contains("apps waits for infra-configs, which fails: health check failed after 5m0s"), "{screen}");
    assert!(screen.contains("◀ blocks"), "{screen}");
}

#[test]
fn every_graph_at_the_top_level() {
    snapshot_sizes("graph_every", || {
        let mut harness = Harness::demo();
        command(&mut harness, "graph all");
        harness
    });
}

#[test]
fn cycles_and_missing_dependencies_are_reported() {
    snapshot_sizes("graph_cycle_missing", broken_graph);
    let mut harness = broken_graph();
    let screen = harness.render();
    assert!(screen.contains("cycle: cycle-a -> cycle-b -> cycle-c -> cycle-a"), "{screen}");
    assert!(screen.contains("missing: Kustomization flux-system/infra"), "{screen}");
    assert!(screen.contains("⟲ cycle"), "{screen}");
}

#[test]
fn a_large_graph_scrolls() {
    snapshot_sizes("graph_large_scrolled", || {
        let mut harness = large_graph();
        harness.press("pgdn pgdn pgdn j j");
        harness
    });
    let mut harness = large_graph();
    harness.press("G");
    let Screen::Graph(view) = harness.state.screen() else { panic!("not on the graph") };
    assert_eq!(view.graph.nodes.len(), 1000);
    assert_eq!(view.selected, view.graph.lines.len() - 1, "G selects the last node");
    assert!(view.offset > 0, "the graph scrolled");
}

#[test]
fn moving_skips_graph_headers_and_enter_opens_describe_of_the_node() {
    let mut harness = Harness::demo();
    command(&mut harness, "graph all");
    let Screen::Graph(view) = harness.state.screen() else { panic!("not on the graph") };
    let first = view.selected_node().expect("a node is selected");
    assert_eq!(view.graph.nodes[first].key.name, "infra-controllers", "the first graph's root");
    harness.press("j");
    let Screen::Graph(view) = harness.state.screen() else { panic!("not on the graph") };
    let second = view.selected_node().expect("a node is selected");
    assert_eq!(view.graph.nodes[second].key.name, "infra-configs");
    harness.press("enter");
    let Screen::Describe(detail) = harness.state.screen() else { panic!("enter did not describe") };
    assert_eq!(detail.key.name, "infra-configs");
    harness.press("y");
    assert!(matches!(harness.state.screen(), Screen::Yaml(_)), "y switches to YAML");
    harness.press("esc");
    assert!(matches!(harness.state.screen(), Screen::Graph(_)), "esc goes back to the graph");
}

#[test]
fn the_graph_follows_status_changes() {
    let mut harness = demo_graph_on("apps");
    let objects: Vec<AnyFluxObject> = fluxtui::demo::flux_objects(fixed_now())
        .into_iter()
        .map(|mut object| {
            if object["metadata"]["name"] == "infra-configs" {
                object["status"]["conditions"] = json!([{"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded",
                    "message": "Applied revision: main", "lastTransitionTime": "2026-11-24T11:59:00Z", "observedGeneration": 1}]);
            }
            AnyFluxObject::from_value(object)
        })
        .collect();
    harness.state.stores = fluxtui::cluster::FluxStores::from_objects(objects);
    harness.cluster(fluxtui::cluster::ClusterEvent::StoreChanged(fluxtui::api::FluxKind::Kustomization));
    harness.settle();
    let screen = harness.render();
    assert!(!screen.contains("which fails"), "{screen}");
    assert!(screen.contains("apps is not ready yet"), "{screen}");
}

#[test]
fn edit_asks_the_loop_to_open_the_editor_and_read_only_refuses() {
    let mut harness = Harness::demo();
    command(&mut harness, "ks");
    harness.press("ctrl-e");
    let Some(Effect::Edit(request)) = harness.effects.last() else { panic!("no edit: {:?}", harness.effects) };
    assert_eq!(request.target.kind, fluxtui::api::FluxKind::Kustomization);

    let mut read_only = Harness::demo();
    read_only.state.readonly = true;
    read_only.press("ctrl-e");
    assert!(read_only.effects.is_empty(), "an edit in read-only mode: {:?}", read_only.effects);
    assert!(Action::Edit.writes());
    snapshot_sizes("edit_refused_readonly", || {
        let mut harness = Harness::demo();
        harness.state.readonly = true;
        harness.press("ctrl-e");
        harness
    });
}

#[test]
fn edit_outcomes_show_as_toasts() {
    let outcomes: [(&str, Result<String, String>); 4] = [
        ("edit_applied", Ok("applied Kustomization flux-system/apps (server-side apply, field manager fluxtui)".to_string())),
        ("edit_cancelled", Ok("edit cancelled: Kustomization flux-system/apps unchanged".to_string())),
        ("edit_invalid_abandoned", Err("edit cancelled: invalid YAML: did not find expected node content at line 12 column 7 (your text is kept in /tmp/fluxtui-edit-kustomization-flux-system-apps.yaml)".to_string())),
        (
            "edit_conflict",
            Err("Kustomization flux-system/apps changed since you opened it; reopen to edit the latest (your text is kept in /tmp/fluxtui-edit-kustomization-flux-system-apps.yaml)".to_string()),
        ),
    ];
    for (name, outcome) in outcomes {
        snapshot_sizes(name, || {
            let mut harness = Harness::demo();
            command(&mut harness, "ks");
            harness.press("/");
            harness.type_text("^apps$");
            harness.press("enter");
            harness.press("ctrl-e");
            let Some(Effect::Edit(request)) = harness.effects.last().cloned() else { panic!("no edit") };
            assert_eq!(request.target.name, "apps");
            update::edit_finished(&mut harness.state, &request, outcome.clone());
            harness
        });
    }
}

#[test]
fn an_empty_graph_says_why() {
    snapshot_sizes("graph_empty", || {
        let mut harness = Harness::with_objects(Vec::new());
        command(&mut harness, "graph");
        harness
    });
    // A namespace without dependsOn relations narrows the demo's graph away.
    let mut harness = Harness::demo();
    command(&mut harness, "ns team-a");
    command(&mut harness, "graph all");
    let screen = harness.render();
    assert!(screen.contains("0 objects in 0 graphs"), "{screen}");
    assert!(screen.contains("No Kustomization or HelmRelease here has dependsOn"), "{screen}");
}

#[test]
fn statuses_and_the_blocking_chain_are_coloured() {
    let mut harness = demo_graph_on("apps");
    harness.resize(120, 40);
    let buffer = harness.buffer();
    let text = super::harness::buffer_text(&buffer);
    let theme = harness.theme().clone();
    // The style of the first cell of `needle` on the line that holds `line_marker`.
    let style_of = |line_marker: &str, needle: &str| {
        let (y, line) = text.lines().enumerate().find(|(_, line)| line.contains(line_marker)).expect("the line");
        let x = line[..line.find(needle).expect("the text")].chars().count();
        buffer[(x as u16, y as u16)].style()
    };
    assert_eq!(style_of("flux-system/infra-configs", "Failed").fg, theme.failed.fg);
    assert_eq!(style_of("flux-system/infra-controllers", "Ready").fg, theme.ready.fg);
    assert_eq!(style_of("flux-system/infra-configs", "◀ blocks").fg, theme.warning.fg);
    assert_eq!(style_of("apps waits for", "apps waits for").fg, theme.failed.fg);
}

#[test]
fn a_click_selects_a_node_and_a_second_click_describes_it() {
    use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let mut harness = Harness::demo();
    command(&mut harness, "graph all");
    let areas = fluxtui::app::layout::areas(&harness.state);
    // Lines: summary, explanation (two), the graph's header, infra-controllers, infra-configs.
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: areas.body.x + 10,
        row: areas.body.y + 5,
        modifiers: KeyModifiers::NONE,
    };
    update::on_mouse(&mut harness.state, click);
    let Screen::Graph(view) = harness.state.screen() else { panic!("not on the graph") };
    let node = view.selected_node().expect("a node");
    assert_eq!(view.graph.nodes[node].key.name, "infra-configs");
    update::on_mouse(&mut harness.state, click);
    let Screen::Describe(detail) = harness.state.screen() else { panic!("the second click did not describe") };
    assert_eq!(detail.key.name, "infra-configs");
}

#[test]
fn edits_are_in_the_action_log() {
    let mut harness = Harness::demo();
    command(&mut harness, "ks");
    harness.press("ctrl-e");
    let Some(Effect::Edit(request)) = harness.effects.last().cloned() else { panic!("no edit") };
    update::edit_finished(&mut harness.state, &request, Ok("applied it".to_string()));
    let mut read_only = Harness::demo();
    read_only.state.readonly = true;
    read_only.press("ctrl-e");
    read_only.press("a");
    let screen = read_only.render();
    assert!(screen.contains("edit: refused, fluxtui runs read-only"), "{screen}");
    harness.press("a");
    let screen = harness.render();
    assert!(screen.contains("applied it"), "{screen}");
}

/// `apps` waits for `infra` through a readyExpr that is false although infra is Ready; `web` depends on `infra`
/// through an expression that does not compile; `jobs` through one that holds although `batch` is not Ready.
fn ready_expr_graph() -> Harness {
    let mut harness = ready_expr_objects();
    command(&mut harness, "ks");
    harness.press("/");
    harness.type_text("apps");
    harness.press("enter");
    harness.press("D");
    harness
}

fn ready_expr_objects() -> Harness {
    Harness::with_objects(vec![
        ks(
            "flux-system",
            "apps",
            json!([{"name": "infra", "readyExpr": "dep.metadata.labels.tier == 'infra'"}]),
            "False",
            "dependency 'flux-system/infra' is not ready according to readyExpr eval",
        ),
        ks(
            "flux-system",
            "web",
            json!([{"name": "infra", "readyExpr": "dep.status.conditions.exists(c,"}]),
            "False",
            "x",
        ),
        ks(
            "flux-system",
            "jobs",
            json!([{"name": "batch", "readyExpr": "dep.metadata.generation == dep.status.observedGeneration"}]),
            "True",
            "Applied revision: main@sha1:1",
        ),
        ks("flux-system", "batch", json!([]), "False", "health check failed"),
        {
            let mut infra = ks("flux-system", "infra", json!([]), "True", "Applied revision: main@sha1:1").to_value();
            infra["metadata"]["labels"] = json!({"tier": "platform"});
            AnyFluxObject::from_value(infra)
        },
    ])
}

#[test]
fn a_ready_expr_that_is_false_is_named_in_the_blocking_chain() {
    snapshot_sizes("graph_ready_expr_false", ready_expr_graph);
    let mut harness = ready_expr_graph();
    let screen = harness.render();
    assert!(
        screen.contains("apps waits for infra: readyExpr `dep.metadata.labels.tier == 'infra'` is false"),
        "{screen}"
    );
    assert!(screen.contains("◀ blocks"), "{screen}");
}

#[test]
fn an_invalid_ready_expr_blocks_and_a_true_one_lets_a_not_ready_dependency_pass() {
    let mut harness = ready_expr_graph();
    harness.press("esc");
    command(&mut harness, "graph all");
    let mut explanations = Vec::new();
    for _ in 0..8 {
        if let Some(Screen::Graph(view)) = harness.state.stack.last() {
            let node = view.selected_node().map(|node| view.graph.nodes[node].key.name.clone());
            explanations.push((node, view.explanation.clone()));
        }
        harness.press("j");
    }
    let of = |name: &str| {
        explanations.iter().find(|(node, _)| node.as_deref() == Some(name)).map(|(_, text)| text.clone()).unwrap()
    };
    let web = of("web").expect("web is blocked");
    assert!(web.starts_with("web waits for infra: readyExpr `dep.status.conditions.exists(c,` is invalid ("), "{web}");
    assert!(web.ends_with("; Flux stalls web (InvalidCELExpression)"), "{web}");
    // The expression holds for batch (reconciled at its generation) although batch is not Ready: jobs is not blocked.
    assert_eq!(of("jobs"), None);
}

#[test]
fn with_the_additive_cel_gate_a_true_ready_expr_needs_the_built_in_rule_too() {
    let mut harness = ready_expr_objects();
    harness.state.additive_cel_dependency_check = true;
    command(&mut harness, "ks");
    harness.press("/");
    harness.type_text("jobs");
    harness.press("enter");
    harness.press("D");
    let screen = harness.render();
    assert!(screen.contains("jobs waits for batch, which fails: health check failed"), "{screen}");
}
