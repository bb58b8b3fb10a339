//! The `dependsOn` graph of Kustomizations and HelmReleases, built purely from the rows the watchers keep.
//!
//! Flux (v2.9 CRDs) only allows same-kind dependencies: a Kustomization's `dependsOn` names Kustomizations and a
//! HelmRelease's names HelmReleases (`name`, `namespace` defaulting to the object's own, optional `readyExpr`). Both
//! kinds live in one graph here so that the whole picture shows at once; edges never cross kinds because the API
//! has no field for it.
//!
//! The graph is laid out in layers (a node's depth is one more than its deepest dependency), split into connected
//! components, and flattened into display lines once, so drawing only slices the visible lines.
//!
//! Each `readyExpr` is compiled while building (once per distinct expression, through a [`ReadyExprCache`] the
//! caller keeps across rebuilds) and evaluated when a blocking chain is asked for (see `blocking`).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

mod blocking;

pub use blocking::{DependencyState, SourceRevisions, dependency_state, source_revisions};

use super::cel::{ReadyExpr, ReadyExprCache};

use super::readiness::Readiness;
use super::row::{ObjectKey, Row};
use crate::api::{AnyFluxObject, FluxKind};

/// One `dependsOn` entry of a node, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    /// The node the entry names (a placeholder node when the object does not exist).
    pub node: usize,
    /// `readyExpr`, compiled: it replaces Flux's built-in readiness check (or adds to it, with the
    /// `AdditiveCELDependencyCheck` feature gate, see [`DepGraph::additive_cel`]).
    pub ready_expr: Option<ReadyExpr>,
}

/// One object in the graph, or a placeholder for a dependency that does not exist.
#[derive(Debug, Clone)]
pub struct GraphNode {
    pub key: ObjectKey,
    /// `None` for a dependency that names an object the stores do not hold.
    pub row: Option<Arc<Row>>,
    pub dependencies: Vec<Dependency>,
    /// The nodes whose `dependsOn` names this one.
    pub dependents: Vec<usize>,
    /// 0 for nodes without dependencies; otherwise one more than the deepest dependency (cycles broken).
    pub layer: usize,
    /// Which connected component (graph) the node belongs to.
    pub component: usize,
    pub in_cycle: bool,
}

impl GraphNode {
    pub fn exists(&self) -> bool {
        self.row.is_some()
    }

    pub fn readiness(&self) -> Option<Readiness> {
        self.row.as_ref().map(|row| row.readiness)
    }

    pub fn message(&self) -> &str {
        self.row.as_ref().map(|row| row.message.as_str()).unwrap_or("not found")
    }
}

/// What a line of the laid-out graph shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphLine {
    /// The start of a connected component: its number (from 1) and node count.
    Component {
        number: usize,
        nodes: usize,
    },
    Node(usize),
}

/// The laid-out graph.
#[derive(Debug, Clone, Default)]
pub struct DepGraph {
    pub nodes: Vec<GraphNode>,
    /// Display order: components one after the other, each by layer then kind, namespace and name.
    pub lines: Vec<GraphLine>,
    /// Each cycle once, as the nodes along it (`a -> b -> a` is `[a, b]`).
    pub cycles: Vec<Vec<usize>>,
    /// Placeholder nodes: dependencies that name objects that do not exist.
    pub missing: Vec<usize>,
    pub components: usize,
    /// Objects with neither dependencies nor dependents, left out of the top-level graph.
    pub isolated: usize,
    /// Whether the controllers run with the `AdditiveCELDependencyCheck` feature gate: a `readyExpr` must hold
    /// and the built-in rule too. Off (Flux's default), a `readyExpr` replaces the built-in rule.
    pub additive_cel: bool,
}

/// The `readyExpr` of each `dependsOn` entry, in the order of [`AnyFluxObject::depends_on`].
fn ready_exprs(object: &AnyFluxObject) -> Vec<Option<String>> {
    let entries = match object {
        AnyFluxObject::Kustomization(object) => object.spec.depends_on.as_ref(),
        AnyFluxObject::HelmRelease(object) => object.spec.depends_on.as_ref(),
        _ => None,
    };
    entries.into_iter().flatten().map(|entry| entry.ready_expr.clone().filter(|expr| !expr.is_empty())).collect()
}

/// Whether a kind takes part in the graph.
pub fn has_dependencies(kind: FluxKind) -> bool {
    matches!(kind, FluxKind::Kustomization | FluxKind::HelmRelease)
}

impl DepGraph {
    /// Builds the graph of every Kustomization and HelmRelease in `rows` (other kinds are ignored), compiling
    /// each `readyExpr` afresh; the screen uses [`DepGraph::build_with`] to compile each expression once.
    pub fn build<'a>(rows: impl IntoIterator<Item = &'a Arc<Row>>) -> DepGraph {
        DepGraph::build_with(rows, &mut ReadyExprCache::default(), false)
    }

    /// Builds the graph, taking compiled `readyExpr`s from `cache` (which then keeps only this build's), with
    /// `additive_cel` as the controllers' `AdditiveCELDependencyCheck` feature gate.
    pub fn build_with<'a>(
        rows: impl IntoIterator<Item = &'a Arc<Row>>,
        cache: &mut ReadyExprCache,
        additive_cel: bool,
    ) -> DepGraph {
        let mut nodes: Vec<GraphNode> = Vec::new();
        let mut index: HashMap<ObjectKey, usize> = HashMap::new();
        for row in rows.into_iter().filter(|row| has_dependencies(row.key.kind)) {
            if index.contains_key(&row.key) {
                continue;
            }
            index.insert(row.key.clone(), nodes.len());
            nodes.push(GraphNode {
                key: row.key.clone(),
                row: Some(Arc::clone(row)),
                dependencies: Vec::new(),
                dependents: Vec::new(),
                layer: 0,
                component: 0,
                in_cycle: false,
            });
        }
        let mut missing = Vec::new();
        for node in 0..nodes.len() {
            let Some(row) = nodes[node].row.clone() else { continue };
            let exprs = ready_exprs(&row.object);
            for (position, reference) in row.object.depends_on().into_iter().enumerate() {
                let key = ObjectKey { kind: row.key.kind, namespace: reference.namespace, name: reference.name };
                let target = match index.get(&key) {
                    Some(&target) => target,
                    None => {
                        let target = nodes.len();
                        index.insert(key.clone(), target);
                        missing.push(target);
                        nodes.push(GraphNode {
                            key,
                            row: None,
                            dependencies: Vec::new(),
                            dependents: Vec::new(),
                            layer: 0,
                            component: 0,
                            in_cycle: false,
                        });
                        target
                    }
                };
                // The same dependency listed twice is one edge.
                if nodes[node].dependencies.iter().any(|dependency| dependency.node == target) {
                    continue;
                }
                let ready_expr = exprs.get(position).and_then(Option::as_deref).map(|text| cache.get(text));
                nodes[node].dependencies.push(Dependency { node: target, ready_expr });
                nodes[target].dependents.push(node);
            }
        }
        cache.forget_unused();
        let mut graph = DepGraph { nodes, missing, additive_cel, ..DepGraph::default() };
        graph.find_cycles();
        graph.assign_layers();
        graph.assign_components();
        graph
    }

    /// Strongly connected components (Tarjan, iterative so that a 1,000-node chain cannot overflow the stack); each
    /// with more than one node, or a node depending on itself, is a cycle.
    fn find_cycles(&mut self) {
        let count = self.nodes.len();
        let mut order = vec![usize::MAX; count];
        let mut low = vec![0; count];
        let mut on_stack = vec![false; count];
        let mut stack = Vec::new();
        let mut next = 0;
        for start in 0..count {
            if order[start] != usize::MAX {
                continue;
            }
            // (node, index of the next dependency to visit)
            let mut work = vec![(start, 0usize)];
            order[start] = next;
            low[start] = next;
            next += 1;
            stack.push(start);
            on_stack[start] = true;
            while let Some(&mut (node, ref mut edge)) = work.last_mut() {
                if let Some(dependency) = self.nodes[node].dependencies.get(*edge).map(|dependency| dependency.node) {
                    *edge += 1;
                    if order[dependency] == usize::MAX {
                        order[dependency] = next;
                        low[dependency] = next;
                        next += 1;
                        stack.push(dependency);
                        on_stack[dependency] = true;
                        work.push((dependency, 0));
                    } else if on_stack[dependency] {
                        low[node] = low[node].min(order[dependency]);
                    }
                    continue;
                }
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[node]);
                }
                if low[node] == order[node] {
                    let mut members = Vec::new();
                    while let Some(member) = stack.pop() {
                        on_stack[member] = false;
                        members.push(member);
                        if member == node {
                            break;
                        }
                    }
                    let self_loop = self.nodes[node].dependencies.iter().any(|dependency| dependency.node == node);
                    if members.len() > 1 || self_loop {
                        members.sort_by(|a, b| self.nodes[*a].key.cmp(&self.nodes[*b].key));
                        for &member in &members {
                            self.nodes[member].in_cycle = true;
                        }
                        self.cycles.push(self.cycle_path(&members));
                    }
                }
            }
        }
        self.cycles.sort_by(|a, b| self.nodes[a[0]].key.cmp(&self.nodes[b[0]].key));
    }

    /// One walk around a strongly connected component, from its first member, for the message.
    fn cycle_path(&self, members: &[usize]) -> Vec<usize> {
        let start = members[0];
        let mut path = vec![start];
        let mut current = start;
        while path.len() <= members.len() {
            let next = self.nodes[current]
                .dependencies
                .iter()
                .map(|dependency| dependency.node)
                .filter(|node| members.contains(node))
                .find(|node| *node == start || !path.contains(node));
            match next {
                Some(node) if node == start => break,
                Some(node) => {
                    path.push(node);
                    current = node;
                }
                None => break,
            }
        }
        path
    }

    /// Longest-path layering with Kahn's algorithm; nodes left over sit in or behind a cycle and are placed one
    /// layer after their deepest placed dependency, so they still draw in a sensible spot.
    fn assign_layers(&mut self) {
        let count = self.nodes.len();
        let mut remaining: Vec<usize> = self.nodes.iter().map(|node| node.dependencies.len()).collect();
        let mut placed = vec![false; count];
        let mut queue: Vec<usize> = (0..count).filter(|&node| remaining[node] == 0).collect();
        while let Some(node) = queue.pop() {
            placed[node] = true;
            for position in 0..self.nodes[node].dependents.len() {
                let dependent = self.nodes[node].dependents[position];
                let layer = self.nodes[node].layer + 1;
                if self.nodes[dependent].layer < layer {
                    self.nodes[dependent].layer = layer;
                }
                remaining[dependent] -= 1;
                if remaining[dependent] == 0 {
                    queue.push(dependent);
                }
            }
        }
        let mut unplaced: Vec<usize> = (0..count).filter(|&node| !placed[node]).collect();
        unplaced.sort_by(|a, b| self.nodes[*a].key.cmp(&self.nodes[*b].key));
        for node in unplaced {
            let layer = self.nodes[node]
                .dependencies
                .iter()
                .filter(|dependency| placed[dependency.node])
                .map(|dependency| self.nodes[dependency.node].layer + 1)
                .max()
                .unwrap_or(0);
            self.nodes[node].layer = self.nodes[node].layer.max(layer);
            placed[node] = true;
        }
    }

    /// Numbers the connected components (edges taken both ways) and lays out the lines of every component that
    /// has at least one edge; isolated objects are only counted.
    fn assign_components(&mut self) {
        let count = self.nodes.len();
        let mut component = vec![usize::MAX; count];
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for start in 0..count {
            if component[start] != usize::MAX {
                continue;
            }
            let number = groups.len();
            let mut members = vec![start];
            component[start] = number;
            let mut cursor = 0;
            while cursor < members.len() {
                let node = members[cursor];
                cursor += 1;
                let neighbours = self.nodes[node]
                    .dependencies
                    .iter()
                    .map(|dependency| dependency.node)
                    .chain(self.nodes[node].dependents.iter().copied())
                    .collect::<Vec<_>>();
                for neighbour in neighbours {
                    if component[neighbour] == usize::MAX {
                        component[neighbour] = number;
                        members.push(neighbour);
                    }
                }
            }
            groups.push(members);
        }
        for members in &mut groups {
            members.sort_by(|a, b| {
                let (a, b) = (&self.nodes[*a], &self.nodes[*b]);
                a.layer.cmp(&b.layer).then_with(|| a.key.cmp(&b.key))
            });
        }
        // Components in the order of their first node's key, so the layout is stable across refreshes.
        groups.sort_by(|a, b| self.nodes[a[0]].key.cmp(&self.nodes[b[0]].key));
        let mut lines = Vec::new();
        let mut number = 0;
        for members in groups {
            let isolated = members.len() == 1 && self.nodes[members[0]].dependencies.is_empty();
            if isolated {
                self.nodes[members[0]].component = usize::MAX;
                self.isolated += 1;
                continue;
            }
            number += 1;
            lines.push(GraphLine::Component { number, nodes: members.len() });
            for &member in &members {
                self.nodes[member].component = number;
                lines.push(GraphLine::Node(member));
            }
        }
        self.components = number;
        self.lines = lines;
    }

    /// Keeps the graphs (components) that have at least one object in `namespace`, renumbered; the others are
    /// dropped from the lines (their nodes stay, unlisted). Dependencies in other namespaces stay in a kept graph.
    pub fn only_graphs_touching(&mut self, namespace: &str) {
        let touching: std::collections::HashSet<usize> = self
            .lines
            .iter()
            .filter_map(|line| match line {
                GraphLine::Node(node) if self.nodes[*node].key.namespace == namespace => {
                    Some(self.nodes[*node].component)
                }
                _ => None,
            })
            .collect();
        let mut lines = Vec::new();
        let mut number = 0;
        let mut keep = false;
        for line in &self.lines {
            match *line {
                GraphLine::Component { number: old, nodes } => {
                    keep = touching.contains(&old);
                    if keep {
                        number += 1;
                        lines.push(GraphLine::Component { number, nodes });
                    }
                }
                GraphLine::Node(node) if keep => lines.push(GraphLine::Node(node)),
                GraphLine::Node(_) => {}
            }
        }
        let number_of_old: HashMap<usize, usize> = {
            let mut map = HashMap::new();
            let mut next = 0;
            for line in &self.lines {
                if let GraphLine::Component { number: old, .. } = line
                    && touching.contains(old)
                {
                    next += 1;
                    map.insert(*old, next);
                }
            }
            map
        };
        for node in &mut self.nodes {
            node.component = number_of_old.get(&node.component).copied().unwrap_or(usize::MAX);
        }
        // Cycles and missing dependencies outside the kept graphs are not reported either.
        let kept = |node: &usize| self.nodes[*node].component != usize::MAX;
        let cycles: Vec<Vec<usize>> = self.cycles.iter().filter(|cycle| cycle.iter().any(kept)).cloned().collect();
        let missing: Vec<usize> = self.missing.iter().copied().filter(kept).collect();
        self.isolated = self
            .nodes
            .iter()
            .filter(|node| {
                node.dependencies.is_empty() && node.dependents.is_empty() && node.key.namespace == namespace
            })
            .count();
        self.cycles = cycles;
        self.missing = missing;
        self.components = number;
        self.lines = lines;
    }

    pub fn find(&self, key: &ObjectKey) -> Option<usize> {
        self.nodes.iter().position(|node| node.key == *key)
    }

    /// The graph around one node: everything it depends on and everything that depends on it (transitively),
    /// laid out as its own single graph. An object without relations is shown alone.
    pub fn focused_on(&self, key: &ObjectKey) -> Option<DepGraph> {
        let centre = self.find(key)?;
        let mut keep = vec![false; self.nodes.len()];
        keep[centre] = true;
        for upwards in [true, false] {
            let mut pending = vec![centre];
            while let Some(node) = pending.pop() {
                let next: Vec<usize> = if upwards {
                    self.nodes[node].dependencies.iter().map(|dependency| dependency.node).collect()
                } else {
                    self.nodes[node].dependents.clone()
                };
                for neighbour in next {
                    if !keep[neighbour] {
                        keep[neighbour] = true;
                        pending.push(neighbour);
                    }
                }
            }
        }
        let rows: Vec<Arc<Row>> =
            self.nodes.iter().zip(&keep).filter(|(_, kept)| **kept).filter_map(|(node, _)| node.row.clone()).collect();
        // The expressions are compiled already: hand them over rather than compiling them again.
        let mut cache = ReadyExprCache::default();
        for expr in self.nodes.iter().flat_map(|node| &node.dependencies).filter_map(|edge| edge.ready_expr.as_ref()) {
            cache.insert(expr.clone());
        }
        let mut graph = DepGraph::build_with(&rows, &mut cache, self.additive_cel);
        if graph.lines.is_empty()
            && let Some(node) = graph.find(key)
        {
            // Alone: show it anyway, as a graph of one.
            graph.isolated = 0;
            graph.components = 1;
            graph.nodes[node].component = 1;
            graph.lines = vec![GraphLine::Component { number: 1, nodes: 1 }, GraphLine::Node(node)];
        }
        Some(graph)
    }

    /// The line index of a node, if it is laid out.
    pub fn line_of(&self, node: usize) -> Option<usize> {
        self.lines.iter().position(|line| *line == GraphLine::Node(node))
    }

    /// A one-line summary for the header: size, cycles and missing dependencies.
    pub fn summary(&self) -> String {
        let shown = self.lines.iter().filter(|line| matches!(line, GraphLine::Node(_))).count();
        let mut parts = vec![format!("{shown} objects in {} graph{}", self.components, plural(self.components))];
        if self.isolated > 0 {
            parts.push(format!("{} without dependsOn relations not shown", self.isolated));
        }
        for cycle in &self.cycles {
            let mut names: Vec<&str> = cycle.iter().map(|node| self.nodes[*node].key.name.as_str()).collect();
            names.push(names[0]);
            parts.push(format!("cycle: {}", names.join(" -> ")));
        }
        if !self.missing.is_empty() {
            let names: Vec<String> = self
                .missing
                .iter()
                .map(|node| {
                    let key = &self.nodes[*node].key;
                    format!("{} {}/{}", key.kind, key.namespace, key.name)
                })
                .collect();
            parts.push(format!("missing: {}", names.join(", ")));
        }
        parts.join(" · ")
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// The graph's lines grouped for a quick look in tests and the headless output: node names per layer.
pub fn layers(graph: &DepGraph) -> BTreeMap<usize, Vec<String>> {
    let mut layers: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for line in &graph.lines {
        if let GraphLine::Node(node) = line {
            let node = &graph.nodes[*node];
            layers.entry(node.layer).or_default().push(node.key.name.clone());
        }
    }
    layers
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod ready_expr_tests;
