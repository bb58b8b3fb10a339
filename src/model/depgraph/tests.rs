use std::sync::Arc;

use serde_json::{Value, json};

use super::*;

fn conditions(ready: &str, message: &str) -> Value {
    json!([{"type": "Ready", "status": ready, "reason": "Test", "message": message, "lastTransitionTime": "2026-11-24T11:00:00Z"}])
}

/// A Kustomization in `namespace` depending on `depends_on` (names, or `ns/name`), Ready as given.
fn ks(namespace: &str, name: &str, depends_on: &[&str], ready: &str, message: &str) -> Arc<Row> {
    let dependencies: Vec<Value> = depends_on
        .iter()
        .map(|dependency| match dependency.split_once('/') {
            Some((namespace, name)) => json!({"name": name, "namespace": namespace}),
            None => json!({"name": dependency}),
        })
        .collect();
    row(json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": name, "namespace": namespace, "generation": 1},
        "spec": {"interval": "10m", "path": "./", "prune": true, "dependsOn": dependencies,
                 "sourceRef": {"kind": "GitRepository", "name": "fleet"}},
        "status": {"observedGeneration": 1, "conditions": conditions(ready, message)},
    }))
}

fn row(value: Value) -> Arc<Row> {
    let object = AnyFluxObject::from_value(value);
    let kind = object.kind().expect("a Flux kind");
    Arc::new(Row::new(kind, Arc::new(object)))
}

fn key(kind: FluxKind, namespace: &str, name: &str) -> ObjectKey {
    ObjectKey { kind, namespace: namespace.to_string(), name: name.to_string() }
}

fn node(graph: &DepGraph, name: &str) -> usize {
    graph.nodes.iter().position(|node| node.key.name == name).unwrap_or_else(|| panic!("no node {name}"))
}

#[test]
fn layers_follow_the_longest_dependency_path() {
    let rows = vec![
        ks("flux-system", "apps", &["infra-configs", "infra-controllers"], "True", "ok"),
        ks("flux-system", "infra-configs", &["infra-controllers"], "True", "ok"),
        ks("flux-system", "infra-controllers", &[], "True", "ok"),
        ks("flux-system", "lonely", &[], "True", "ok"),
    ];
    let graph = DepGraph::build(&rows);
    let layers = layers(&graph);
    assert_eq!(layers.get(&0), Some(&vec!["infra-controllers".to_string()]));
    assert_eq!(layers.get(&1), Some(&vec!["infra-configs".to_string()]));
    assert_eq!(layers.get(&2), Some(&vec!["apps".to_string()]));
    assert_eq!(graph.components, 1);
    assert_eq!(graph.isolated, 1, "lonely has no relations and is only counted");
    assert!(graph.cycles.is_empty() && graph.missing.is_empty());
    assert_eq!(graph.lines[0], GraphLine::Component { number: 1, nodes: 3 });
}

#[test]
fn the_blocking_chain_is_spelled_out_to_the_root_cause() {
    let rows = vec![
        ks("flux-system", "apps", &["infra-configs"], "False", "dependency 'flux-system/infra-configs' is not ready"),
        ks("flux-system", "infra-configs", &["infra-controllers"], "False", "dependency not ready"),
        ks("flux-system", "infra-controllers", &[], "False", "install retries exhausted"),
    ];
    let graph = DepGraph::build(&rows);
    let sources = SourceRevisions::new();
    let apps = node(&graph, "apps");
    let chain: Vec<usize> = graph.blocking_chain(apps, &sources).into_iter().map(|(node, _)| node).collect();
    assert_eq!(chain, vec![node(&graph, "infra-configs"), node(&graph, "infra-controllers")]);
    assert_eq!(
        graph.explain(apps, &sources).as_deref(),
        Some("apps waits for infra-configs, which waits for infra-controllers, which fails: install retries exhausted")
    );
    // The root cause explains itself.
    assert_eq!(
        graph.explain(node(&graph, "infra-controllers"), &sources).as_deref(),
        Some("infra-controllers fails: install retries exhausted")
    );
}

#[test]
fn a_ready_object_with_ready_dependencies_has_no_explanation() {
    let rows = vec![ks("a", "app", &["base"], "True", "ok"), ks("a", "base", &[], "True", "ok")];
    let graph = DepGraph::build(&rows);
    assert_eq!(graph.explain(node(&graph, "app"), &SourceRevisions::new()), None);
}

#[test]
fn a_dependency_behind_its_generation_or_suspended_blocks() {
    let mut stale = ks("a", "base", &[], "True", "ok");
    let mut value = stale.object.to_value();
    value["metadata"]["generation"] = json!(2);
    stale = row(value);
    let rows = vec![ks("a", "app", &["base"], "False", "waiting"), stale];
    let graph = DepGraph::build(&rows);
    let text = graph.explain(node(&graph, "app"), &SourceRevisions::new()).unwrap();
    assert_eq!(text, "app waits for base, which has not been reconciled at its latest generation");

    let mut value = ks("a", "base", &[], "False", "old failure").object.to_value();
    value["spec"]["suspend"] = json!(true);
    let rows = vec![ks("a", "app", &["base"], "False", "waiting"), row(value)];
    let graph = DepGraph::build(&rows);
    let text = graph.explain(node(&graph, "app"), &SourceRevisions::new()).unwrap();
    assert_eq!(text, "app waits for base, which is suspended");
}

#[test]
fn a_kustomization_sharing_the_source_must_have_applied_its_revision() {
    let mut value = ks("flux-system", "base", &[], "True", "ok").object.to_value();
    value["status"]["lastAppliedRevision"] = json!("main@sha1:old");
    let rows = vec![
        ks("flux-system", "app", &["base"], "False", "waiting"),
        row(value),
        row(json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
            "metadata": {"name": "fleet", "namespace": "flux-system", "generation": 1},
            "spec": {"url": "https://example.com/fleet", "interval": "1m"},
            "status": {"observedGeneration": 1, "conditions": conditions("True", "stored"),
                       "artifact": {"revision": "main@sha1:new", "path": "p", "url": "u", "digest": "sha256:0", "lastUpdateTime": "2026-11-24T11:00:00Z"}},
        })),
    ];
    let sources = source_revisions(&rows);
    assert_eq!(sources.len(), 1, "{sources:?}");
    let graph = DepGraph::build(&rows);
    assert_eq!(graph.nodes.len(), 2, "only Kustomizations and HelmReleases are nodes");
    let text = graph.explain(node(&graph, "app"), &sources).unwrap();
    assert_eq!(text, "app waits for base, which has applied main@sha1:old but its source is at main@sha1:new");
}

#[test]
fn cycles_are_found_and_reported_once() {
    let rows = vec![
        ks("a", "one", &["two"], "False", "dependency 'a/two' is not ready"),
        ks("a", "two", &["three"], "False", "dependency 'a/three' is not ready"),
        ks("a", "three", &["one"], "False", "dependency 'a/one' is not ready"),
        ks("a", "after", &["one"], "False", "dependency 'a/one' is not ready"),
        ks("a", "selfish", &["selfish"], "False", "dependency 'a/selfish' is not ready"),
    ];
    let graph = DepGraph::build(&rows);
    assert_eq!(graph.cycles.len(), 2);
    let names: Vec<Vec<&str>> = graph
        .cycles
        .iter()
        .map(|cycle| cycle.iter().map(|node| graph.nodes[*node].key.name.as_str()).collect())
        .collect();
    assert_eq!(names, vec![vec!["one", "two", "three"], vec!["selfish"]]);
    assert!(graph.nodes[node(&graph, "two")].in_cycle);
    assert!(!graph.nodes[node(&graph, "after")].in_cycle);
    let summary = graph.summary();
    assert!(summary.contains("cycle: one -> two -> three -> one"), "{summary}");
    assert!(summary.contains("cycle: selfish -> selfish"), "{summary}");
    // The chain stops where it comes round.
    let text = graph.explain(node(&graph, "after"), &SourceRevisions::new()).unwrap();
    assert!(text.starts_with("after waits for one, which waits for two, which waits for three"), "{text}");
    assert!(text.contains("which is in a dependency cycle"), "{text}");
}

#[test]
fn missing_dependencies_become_placeholder_nodes() {
    let rows = vec![ks("apps", "app", &["flux-system/infra"], "False", "dependency 'flux-system/infra' not found")];
    let graph = DepGraph::build(&rows);
    assert_eq!(graph.missing.len(), 1);
    let missing = &graph.nodes[graph.missing[0]];
    assert_eq!(missing.key, key(FluxKind::Kustomization, "flux-system", "infra"));
    assert!(!missing.exists());
    assert!(graph.summary().contains("missing: Kustomization flux-system/infra"), "{}", graph.summary());
    let text = graph.explain(node(&graph, "app"), &SourceRevisions::new()).unwrap();
    assert_eq!(text, "app waits for flux-system/infra, which does not exist");
}

#[test]
fn cross_namespace_dependencies_resolve_and_helm_releases_depend_on_their_own_kind() {
    let hr = |name: &str, depends_on: Value| {
        row(json!({
            "apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
            "metadata": {"name": name, "namespace": "apps", "generation": 1},
            "spec": {"interval": "5m", "chart": {"spec": {"chart": "c", "sourceRef": {"kind": "HelmRepository", "name": "r"}}},
                     "dependsOn": depends_on},
            "status": {"observedGeneration": 1, "conditions": conditions("True", "ok")},
        }))
    };
    let rows = vec![
        hr("web", json!([{"name": "db", "namespace": "data", "readyExpr": "dep.status.ready == true"}])),
        // A HelmRelease named like a Kustomization: dependsOn names the same kind only.
        ks("apps", "db", &[], "True", "ok"),
    ];
    let graph = DepGraph::build(&rows);
    let web = node(&graph, "web");
    let dependency = &graph.nodes[web].dependencies[0];
    assert_eq!(graph.nodes[dependency.node].key, key(FluxKind::HelmRelease, "data", "db"));
    assert_eq!(dependency.ready_expr.as_ref().map(|expr| expr.text()), Some("dep.status.ready == true"));
    assert_eq!(graph.missing, vec![dependency.node]);
    let text = graph.explain(web, &SourceRevisions::new()).unwrap();
    // Flux gets the dependency before evaluating its readyExpr: a missing one blocks whatever the expression says.
    assert_eq!(text, "web waits for data/db, which does not exist");
}

#[test]
fn focusing_keeps_dependencies_and_dependents_only() {
    let rows = vec![
        ks("a", "top", &["middle"], "True", "ok"),
        ks("a", "middle", &["bottom"], "True", "ok"),
        ks("a", "bottom", &[], "True", "ok"),
        ks("a", "sibling", &["bottom"], "True", "ok"),
        ks("a", "other", &["unrelated"], "True", "ok"),
        ks("a", "unrelated", &[], "True", "ok"),
        ks("a", "alone", &[], "True", "ok"),
    ];
    let graph = DepGraph::build(&rows);
    assert_eq!(graph.components, 2);
    let focused = graph.focused_on(&key(FluxKind::Kustomization, "a", "middle")).unwrap();
    let mut names: Vec<&str> = focused.nodes.iter().map(|node| node.key.name.as_str()).collect();
    names.sort();
    assert_eq!(names, vec!["bottom", "middle", "top"]);
    let alone = graph.focused_on(&key(FluxKind::Kustomization, "a", "alone")).unwrap();
    assert_eq!(alone.lines.len(), 2, "a graph of one still shows");
    assert!(graph.focused_on(&key(FluxKind::Kustomization, "a", "nope")).is_none());
}

#[test]
fn a_thousand_node_chain_lays_out_without_recursion() {
    let rows: Vec<Arc<Row>> = (0..1000)
        .map(|index| {
            let dependency = format!("ks-{}", index + 1);
            let depends_on: Vec<&str> = if index < 999 { vec![dependency.as_str()] } else { Vec::new() };
            ks("a", &format!("ks-{index}"), &depends_on, "True", "ok")
        })
        .collect();
    let graph = DepGraph::build(&rows);
    assert_eq!(graph.nodes[node(&graph, "ks-0")].layer, 999);
    assert_eq!(graph.lines.len(), 1001);
}

#[test]
fn a_namespace_keeps_the_graphs_that_touch_it() {
    let rows = vec![
        ks("apps", "web", &["infra/base"], "True", "ok"),
        ks("infra", "base", &[], "True", "ok"),
        ks("team", "one", &["two"], "True", "ok"),
        ks("team", "two", &["missing"], "True", "ok"),
        ks("apps", "alone", &[], "True", "ok"),
    ];
    let mut graph = DepGraph::build(&rows);
    assert_eq!(graph.components, 2);
    graph.only_graphs_touching("apps");
    assert_eq!(graph.components, 1);
    let names: Vec<&str> = graph
        .lines
        .iter()
        .filter_map(|line| match line {
            GraphLine::Node(node) => Some(graph.nodes[*node].key.name.as_str()),
            GraphLine::Component { .. } => None,
        })
        .collect();
    assert_eq!(names, vec!["base", "web"], "the dependency in another namespace stays");
    assert!(graph.missing.is_empty(), "team's missing dependency is not reported for apps");
    assert_eq!(graph.isolated, 1);
}
