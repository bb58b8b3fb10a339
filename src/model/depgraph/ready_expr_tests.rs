//! `readyExpr` in the graph: the expression decides instead of the built-in rule (or as well, with the
//! `AdditiveCELDependencyCheck` gate), and the blocking chain names it when it blocks.

use std::sync::Arc;

use serde_json::{Value, json};

use super::*;
use crate::model::cel::ReadyExprCache;

/// A Kustomization `name` in flux-system, Ready as given, generation 2, observed as given, depending on
/// `depends_on` entries (JSON, so each can carry a readyExpr).
fn ks(name: &str, depends_on: Value, ready: &str, observed_generation: i64) -> Arc<Row> {
    let object = AnyFluxObject::from_value(json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": name, "namespace": "flux-system", "generation": 2, "labels": {"tier": name}},
        "spec": {"interval": "10m", "path": "./", "prune": true, "dependsOn": depends_on,
                 "sourceRef": {"kind": "GitRepository", "name": name}},
        "status": {"observedGeneration": observed_generation, "conditions": [
            {"type": "Ready", "status": ready, "reason": "Test", "message": format!("{name} is {ready}"),
             "lastTransitionTime": "2026-11-24T11:00:00Z"}]},
    }));
    Arc::new(Row::new(FluxKind::Kustomization, Arc::new(object)))
}

fn explain(rows: &[Arc<Row>], additive: bool) -> Option<String> {
    let graph = DepGraph::build_with(rows, &mut ReadyExprCache::default(), additive);
    let apps = graph.nodes.iter().position(|node| node.key.name == "apps").expect("apps");
    graph.explain(apps, &SourceRevisions::new())
}

const READY: &str = "dep.status.conditions.filter(c, c.type == 'Ready').all(c, c.status == 'True')";
const RECONCILED: &str = "dep.metadata.generation == dep.status.observedGeneration";

#[test]
fn a_true_expression_replaces_the_built_in_rule() {
    // infra is not Ready, but reconciled at its generation: the expression says ready, so nothing blocks apps.
    let rows = vec![
        ks("apps", json!([{"name": "infra", "readyExpr": RECONCILED}]), "True", 2),
        ks("infra", json!([]), "False", 2),
    ];
    assert_eq!(explain(&rows, false), None);
    // Without the expression the built-in rule blocks.
    let rows = vec![ks("apps", json!([{"name": "infra"}]), "True", 2), ks("infra", json!([]), "False", 2)];
    assert_eq!(explain(&rows, false).as_deref(), Some("apps waits for infra, which fails: infra is False"));
}

#[test]
fn with_the_additive_gate_the_built_in_rule_must_hold_too() {
    let rows = vec![
        ks("apps", json!([{"name": "infra", "readyExpr": RECONCILED}]), "True", 2),
        ks("infra", json!([]), "False", 2),
    ];
    assert_eq!(explain(&rows, true).as_deref(), Some("apps waits for infra, which fails: infra is False"));
}

#[test]
fn a_false_expression_blocks_and_is_named_in_the_chain() {
    let rows = vec![
        ks("apps", json!([{"name": "infra", "readyExpr": READY}]), "False", 2),
        ks("infra", json!([]), "False", 2),
    ];
    assert_eq!(explain(&rows, false), Some(format!("apps waits for infra: readyExpr `{READY}` is false")));
    // A label check that reads `self` and `dep`.
    let labels = "dep.metadata.labels.tier == 'infra' && self.metadata.labels.tier == 'web'";
    let rows = vec![
        ks("apps", json!([{"name": "infra", "readyExpr": labels}]), "False", 2),
        ks("infra", json!([]), "True", 2),
    ];
    assert_eq!(explain(&rows, false), Some(format!("apps waits for infra: readyExpr `{labels}` is false")));
}

#[test]
fn an_expression_further_down_the_chain_is_reported_at_its_step() {
    let rows = vec![
        ks("apps", json!([{"name": "configs"}]), "False", 2),
        ks("configs", json!([{"name": "infra", "readyExpr": RECONCILED}]), "False", 2),
        ks("infra", json!([]), "True", 1),
    ];
    assert_eq!(
        explain(&rows, false),
        Some(format!("apps waits for configs, which waits for infra: readyExpr `{RECONCILED}` is false"))
    );
}

#[test]
fn a_runtime_error_on_a_missing_field_blocks_with_the_error() {
    let expr = "dep.status.inventory.entries.size() > 0";
    let rows =
        vec![ks("apps", json!([{"name": "infra", "readyExpr": expr}]), "False", 2), ks("infra", json!([]), "True", 2)];
    assert_eq!(
        explain(&rows, false),
        Some(format!("apps waits for infra: readyExpr `{expr}` fails: no such key: inventory"))
    );
}

#[test]
fn a_syntax_error_blocks_as_an_invalid_expression_that_stalls_the_dependent() {
    let expr = "dep.status.conditions.exists(c, c.type == 'Ready'";
    let rows =
        vec![ks("apps", json!([{"name": "infra", "readyExpr": expr}]), "False", 2), ks("infra", json!([]), "True", 2)];
    let text = explain(&rows, false).unwrap();
    assert!(text.starts_with(&format!("apps waits for infra: readyExpr `{expr}` is invalid (")), "{text}");
    assert!(text.contains("Syntax error") && text.ends_with("; Flux stalls apps (InvalidCELExpression)"), "{text}");
}

#[test]
fn each_distinct_expression_compiles_once_across_rebuilds() {
    let rows = vec![
        ks("apps", json!([{"name": "infra", "readyExpr": READY}, {"name": "configs", "readyExpr": READY}]), "True", 2),
        ks("configs", json!([{"name": "infra", "readyExpr": RECONCILED}]), "True", 2),
        ks("infra", json!([]), "True", 2),
    ];
    let mut cache = ReadyExprCache::default();
    let first = DepGraph::build_with(&rows, &mut cache, false);
    assert_eq!(cache.len(), 2);
    let second = DepGraph::build_with(&rows, &mut cache, false);
    let apps = |graph: &DepGraph| graph.nodes.iter().position(|node| node.key.name == "apps").unwrap();
    assert_eq!(first.nodes[apps(&first)].dependencies, second.nodes[apps(&second)].dependencies);
    // The focused graph keeps the compiled expressions and the gate.
    let focused = DepGraph::build_with(&rows, &mut cache, true).focused_on(&first.nodes[apps(&first)].key).unwrap();
    assert!(focused.additive_cel);
    assert_eq!(focused.nodes[apps(&focused)].dependencies.len(), 2);
    // A build without expressions forgets them.
    DepGraph::build_with(&[ks("infra", json!([]), "True", 2)], &mut cache, false);
    assert!(cache.is_empty());
}

#[test]
fn a_function_fluxtui_lacks_is_shown_as_undecided_rather_than_invalid() {
    let expr = "quantity(dep.metadata.labels.tier).isGreaterThan(quantity('1'))";
    let rows =
        vec![ks("apps", json!([{"name": "infra", "readyExpr": expr}]), "False", 2), ks("infra", json!([]), "True", 2)];
    assert_eq!(
        explain(&rows, false),
        Some(format!(
            "apps waits for infra: readyExpr `{expr}` cannot be evaluated here (function 'quantity' is not supported by fluxtui)"
        ))
    );
}
