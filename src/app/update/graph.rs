//! The dependency graph screen: opening it (on the selected object's graph, or every graph), moving between
//! nodes, opening describe/YAML on a node, and rebuilding it when the watched objects change.
//!
//! The graph is rebuilt from the rows (never from the API server) only when a Kustomization, HelmRelease or
//! source changed, so drawing just slices the laid-out lines.

use std::sync::Arc;

use crate::api::{FluxKind, KindFamily};
use crate::app::action::Action;
use crate::app::layout::body_height;
use crate::app::state::{AppState, Detail, Screen};
use crate::model::cel::ReadyExprCache;
use crate::model::depgraph::{DepGraph, GraphLine, SourceRevisions, has_dependencies, source_revisions};
use crate::model::{ObjectKey, Row};

use super::{push_screen, refresh_detail_text, selected_row};

/// Lines the graph screen keeps above the graph: the summary and the selected node's explanation (two lines).
pub const GRAPH_HEADER_LINES: usize = 3;

/// What the graph screen shows.
#[derive(Debug, Clone)]
pub struct GraphView {
    /// The object the graph was opened on; `None` shows every graph.
    pub focus: Option<ObjectKey>,
    pub graph: DepGraph,
    pub sources: SourceRevisions,
    /// The compiled `readyExpr`s, kept across rebuilds so each distinct expression compiles once.
    pub ready_exprs: ReadyExprCache,
    /// The selected line (always a node line while the graph has nodes).
    pub selected: usize,
    /// The first line on screen.
    pub offset: usize,
    pub horizontal_scroll: usize,
    /// The selected node's blocking chain in words, and the nodes along it (highlighted).
    pub explanation: Option<String>,
    pub chain: Vec<usize>,
    /// The focused object was deleted while the screen was open.
    pub gone: bool,
}

impl GraphView {
    /// The selected node, if the selected line is one.
    pub fn selected_node(&self) -> Option<usize> {
        match self.graph.lines.get(self.selected) {
            Some(GraphLine::Node(node)) => Some(*node),
            _ => None,
        }
    }
}

/// Opens the graph: on the selected Kustomization or HelmRelease's graph, or every graph when nothing (or an
/// object of another kind) is selected.
pub fn show_dependency_graph(state: &mut AppState, everything: bool) {
    let focus = if everything {
        None
    } else {
        selected_row(state).map(|row| row.key.clone()).filter(|key| has_dependencies(key.kind))
    };
    open_graph(state, focus, ReadyExprCache::default());
}

/// Pushes a graph centred on `focus` (every graph for `None`), its focus selected; `ready_exprs` carries the
/// compiled readyExpr expressions over from a graph it replaces.
fn open_graph(state: &mut AppState, focus: Option<ObjectKey>, ready_exprs: ReadyExprCache) {
    let mut view = GraphView {
        focus,
        graph: DepGraph::default(),
        sources: SourceRevisions::new(),
        ready_exprs,
        selected: 0,
        offset: 0,
        horizontal_scroll: 0,
        explanation: None,
        chain: Vec::new(),
        gone: false,
    };
    rebuild(state, &mut view);
    let selected = view.focus.as_ref().and_then(|key| view.graph.find(key)).and_then(|node| view.graph.line_of(node));
    view.selected = selected.unwrap_or(0);
    settle_selection(&mut view, 1);
    explain_selected(&mut view);
    push_screen(state, Screen::Graph(Box::new(view)));
    keep_visible(state);
}

/// Recomputes the graph from the rows, keeping the selected node selected when it still exists.
fn rebuild(state: &AppState, view: &mut GraphView) {
    let rows: Vec<&Arc<Row>> = graph_rows(state).collect();
    view.sources = source_revisions(
        state.rows_by_kind.iter().filter(|(kind, _)| kind.family() == KindFamily::Source).flat_map(|(_, rows)| rows),
    );
    let all = DepGraph::build_with(rows.iter().copied(), &mut view.ready_exprs, state.additive_cel_dependency_check);
    view.graph = match &view.focus {
        Some(key) => match all.focused_on(key) {
            Some(graph) => {
                view.gone = false;
                graph
            }
            None => {
                // The object went away: keep the last picture, marked as gone.
                view.gone = true;
                return;
            }
        },
        None => {
            let mut all = all;
            if let Some(namespace) = &state.namespace {
                all.only_graphs_touching(namespace);
            }
            all
        }
    };
}

/// The Kustomization and HelmRelease rows of every namespace: dependencies cross namespaces, so the graph is
/// built whole and, at the top level, narrowed to the graphs touching the chosen namespace afterwards.
fn graph_rows(state: &AppState) -> impl Iterator<Item = &Arc<Row>> {
    [FluxKind::Kustomization, FluxKind::HelmRelease]
        .into_iter()
        .flat_map(move |kind| state.rows_by_kind.get(&kind))
        .flatten()
}

/// Rebuilds an open graph after a store change, if a kind it depends on changed.
pub fn refresh_graph(state: &mut AppState, kinds: &std::collections::BTreeSet<FluxKind>) {
    let relevant = kinds.iter().any(|kind| has_dependencies(*kind) || kind.family() == KindFamily::Source);
    if !relevant {
        return;
    }
    let Some(Screen::Graph(view)) = state.stack.last() else { return };
    let mut view = view.clone();
    let selected_key = view.selected_node().map(|node| view.graph.nodes[node].key.clone());
    rebuild(state, &mut view);
    if let Some(line) = selected_key.and_then(|key| view.graph.find(&key)).and_then(|node| view.graph.line_of(node)) {
        view.selected = line;
    }
    view.selected = view.selected.min(view.graph.lines.len().saturating_sub(1));
    settle_selection(&mut view, 1);
    explain_selected(&mut view);
    if let Some(Screen::Graph(open)) = state.stack.last_mut() {
        *open = view;
    }
    keep_visible(state);
    state.dirty = true;
}

/// Moves the selection off component headers, in the direction of travel (then the other way at an end).
fn settle_selection(view: &mut GraphView, direction: isize) {
    let lines = &view.graph.lines;
    if lines.is_empty() {
        view.selected = 0;
        return;
    }
    let is_node = |line: usize| matches!(lines.get(line), Some(GraphLine::Node(_)));
    let mut line = view.selected.min(lines.len() - 1);
    for step in [direction, -direction] {
        let mut probe = line as isize;
        while probe >= 0 && (probe as usize) < lines.len() {
            if is_node(probe as usize) {
                line = probe as usize;
                view.selected = line;
                return;
            }
            probe += step;
        }
    }
}

fn explain_selected(view: &mut GraphView) {
    match view.selected_node() {
        Some(node) => {
            view.explanation = view.graph.explain(node, &view.sources);
            view.chain = view.graph.blocking_chain(node, &view.sources).into_iter().map(|(node, _)| node).collect();
        }
        None => {
            view.explanation = None;
            view.chain = Vec::new();
        }
    }
}

/// How many graph lines fit under the graph's own header lines.
pub fn graph_page(state: &AppState) -> usize {
    body_height(state).saturating_sub(GRAPH_HEADER_LINES).max(1)
}

fn keep_visible(state: &mut AppState) {
    let page = graph_page(state);
    if let Some(Screen::Graph(view)) = state.screen_mut() {
        if view.selected < view.offset {
            view.offset = view.selected;
        } else if view.selected >= view.offset + page {
            view.offset = view.selected + 1 - page;
        }
        // A component header just above the selection stays in sight when there is room.
        if view.offset == view.selected && view.offset > 0 && page > 1 {
            view.offset -= 1;
        }
    }
}

/// Whether the graph screen gives the action its own meaning (moves between nodes, opens the selected node).
pub fn handles(action: Action) -> bool {
    action.is_movement()
        || matches!(
            action,
            Action::ScrollLeft
                | Action::ScrollRight
                | Action::Open
                | Action::Describe
                | Action::ShowYaml
                | Action::ShowDependencyGraph
        )
}

/// Handles an action on the graph screen; `None` when the generic handling applies instead.
pub fn apply_in_graph(state: &mut AppState, action: Action) -> Option<()> {
    let page = graph_page(state) as isize;
    let Some(Screen::Graph(view)) = state.screen_mut() else { return None };
    let last = view.graph.lines.len().saturating_sub(1) as isize;
    let target = |delta: isize, view: &GraphView| (view.selected as isize + delta).clamp(0, last.max(0)) as usize;
    let (line, direction) = match action {
        Action::MoveUp => (target(-1, view), -1),
        Action::MoveDown => (target(1, view), 1),
        Action::PageUp => (target(-page, view), -1),
        Action::PageDown => (target(page, view), 1),
        Action::HalfPageUp => (target(-(page / 2).max(1), view), -1),
        Action::HalfPageDown => (target((page / 2).max(1), view), 1),
        Action::Top => (0, 1),
        Action::Bottom => (last.max(0) as usize, -1),
        Action::ScrollLeft => {
            view.horizontal_scroll = view.horizontal_scroll.saturating_sub(8);
            return Some(());
        }
        Action::ScrollRight => {
            view.horizontal_scroll += 8;
            return Some(());
        }
        Action::Open | Action::Describe | Action::ShowYaml => {
            open_node(state, action == Action::ShowYaml);
            return Some(());
        }
        Action::ShowDependencyGraph => {
            // Again on a node: centre the graph on it.
            let key = view.selected_node().map(|node| view.graph.nodes[node].key.clone());
            if let Some(key) = key {
                let ready_exprs = view.ready_exprs.clone();
                state.stack.pop();
                open_graph(state, Some(key), ready_exprs);
            }
            return Some(());
        }
        _ => return None,
    };
    view.selected = line;
    settle_selection(view, direction);
    explain_selected(view);
    keep_visible(state);
    Some(())
}

/// A click `row` lines below the top of the graph's frame: selects the node there, or opens it when it is
/// selected already (as a table row does).
pub fn click(state: &mut AppState, row: usize) {
    let Some(Screen::Graph(view)) = state.screen_mut() else { return };
    let Some(line) = row.checked_sub(GRAPH_HEADER_LINES).map(|line| view.offset + line) else { return };
    if !matches!(view.graph.lines.get(line), Some(GraphLine::Node(_))) {
        return;
    }
    if view.selected == line {
        open_node(state, false);
        return;
    }
    view.selected = line;
    explain_selected(view);
    state.dirty = true;
}

/// Opens describe or YAML on the selected node (from the store, like the table does).
fn open_node(state: &mut AppState, yaml: bool) {
    let Screen::Graph(view) = state.screen() else { return };
    let Some(node) = view.selected_node() else { return };
    let node = &view.graph.nodes[node];
    if !node.exists() {
        let key = node.key.clone();
        state.flash_error(format!("{} {}/{} does not exist", key.kind, key.namespace, key.name));
        return;
    }
    let detail = Box::new(Detail::new(node.key.clone()));
    push_screen(state, if yaml { Screen::Yaml(detail) } else { Screen::Describe(detail) });
    refresh_detail_text(state);
}
