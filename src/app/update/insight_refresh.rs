//! The insight screens after their reads and after watch events: results land on the screen that asked, and
//! the open screens follow the Flux stores (a tree is read again when an inventory or release in it changes).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde_json::Value;

use super::Effect;
use super::insight::{flux_key, next_request, rebuild_pane_at};
use crate::api::{AnyFluxObject, FluxKind};
use crate::app::insight::{InsightRequest, InsightResult, PaneContent};
use crate::app::state::{AppState, Screen};
use crate::model::ObjectKey;
use crate::model::tree::{LiveStatus, TreeNode, live_status, reference_label};
use crate::model::workload::pod_row;

/// Takes a read's result to the screen that asked for it (if it is still open).
pub fn on_insight_result(state: &mut AppState, result: InsightResult) -> Vec<Effect> {
    let request = match &result {
        InsightResult::TreeChanged { request } => return tree_changed(state, *request),
        InsightResult::Tree { request, .. }
        | InsightResult::TraceChain { request, .. }
        | InsightResult::HelmRelease { request, .. }
        | InsightResult::Diff { request, .. }
        | InsightResult::Pods { request, .. } => *request,
    };
    let Some(index) = state.stack.iter().position(|screen| match screen {
        Screen::Tree(view) => view.request == request,
        Screen::Trace(pane) | Screen::HelmDetails(pane) | Screen::Diff(pane) => pane.request == request,
        Screen::Pods(view) => view.request == request,
        _ => false,
    }) else {
        // The pods screen this watch reports to is closed: stop the watch.
        if matches!(result, InsightResult::Pods { .. }) {
            return vec![Effect::Insight(InsightRequest::StopPods { request })];
        }
        return Vec::new();
    };
    let fingerprint = match &result {
        InsightResult::Tree { result: Ok(tree), .. } => Some(fingerprint(&FluxIndex::for_tree(state, tree), tree)),
        _ => None,
    };
    let Some(screen) = state.stack.get_mut(index) else { return Vec::new() };
    match (screen, result) {
        (Screen::Tree(view), InsightResult::Tree { result, .. }) => {
            view.loading = false;
            match result {
                Ok(tree) => {
                    // A first read opens the root's level; a re-read keeps what the user opened and selected.
                    if view.tree.is_none() {
                        view.opened.insert(Vec::new());
                    }
                    view.fingerprint = fingerprint.unwrap_or_default();
                    view.tree = Some(tree);
                    view.error = None;
                    if view.selected_node().is_none() {
                        view.selected.clear();
                    }
                }
                Err(message) => view.error = Some(message),
            }
        }
        (Screen::Trace(pane), InsightResult::TraceChain { result, .. }) => match result {
            Ok(chain) => {
                if let PaneContent::Trace { chain: kept, .. } = &mut pane.content {
                    *kept = chain.into_iter().map(Arc::new).collect();
                }
            }
            Err(message) => pane.error = Some(message),
        },
        (Screen::HelmDetails(pane), InsightResult::HelmRelease { result, sources: checked, .. }) => {
            if let PaneContent::HelmDetails { applied, sources, .. } = &mut pane.content {
                *applied = Some(result);
                *sources = checked;
            }
        }
        (Screen::Diff(pane), InsightResult::Diff { result, .. }) => match result {
            Ok(diff) => {
                if let PaneContent::Diff { result, .. } = &mut pane.content {
                    *result = Some(diff);
                }
                pane.error = None;
            }
            Err(message) => pane.error = Some(message),
        },
        (Screen::Pods(view), InsightResult::Pods { result, .. }) => {
            view.loading = false;
            match result {
                Ok((selector, pods)) => {
                    view.selector = selector;
                    view.rows = pods.iter().map(pod_row).collect();
                    view.pods = pods.into_iter().map(Arc::new).collect();
                    view.selected = view.selected.min(view.rows.len().saturating_sub(1));
                    view.error = None;
                }
                Err(message) => view.error = Some(message),
            }
        }
        _ => {}
    }
    rebuild_pane_at(state, index);
    state.dirty = true;
    Vec::new()
}

/// The Flux objects of the kinds a tree shows, by kind, namespace and name: one pass over the stores per
/// refresh instead of one per node.
struct FluxIndex(HashMap<(FluxKind, String, String), Arc<AnyFluxObject>>);

impl FluxIndex {
    fn for_tree(state: &AppState, tree: &TreeNode) -> FluxIndex {
        let mut kinds = BTreeSet::new();
        let mut stack = vec![tree];
        while let Some(node) = stack.pop() {
            stack.extend(node.children.iter());
            if let Some(key) = flux_key(&node.reference) {
                kinds.insert(key.kind);
            }
        }
        let mut index = HashMap::new();
        for kind in kinds {
            for object in state.stores.objects(kind) {
                index.insert((kind, object.namespace().to_string(), object.name().to_string()), object);
            }
        }
        FluxIndex(index)
    }

    fn get(&self, key: &ObjectKey) -> Option<&Arc<AnyFluxObject>> {
        self.0.get(&(key.kind, key.namespace.clone(), key.name.clone()))
    }
}

/// What the stores say about the tree's Kustomizations and HelmReleases: their inventories and release
/// versions. The objects under them only change when these do.
fn fingerprint(index: &FluxIndex, tree: &TreeNode) -> String {
    let mut out = String::new();
    let mut stack = vec![tree];
    while let Some(node) = stack.pop() {
        stack.extend(node.children.iter());
        let Some(key) = flux_key(&node.reference) else { continue };
        if !matches!(key.kind, FluxKind::Kustomization | FluxKind::HelmRelease) {
            continue;
        }
        let value = index.get(&key).map(|object| object.to_value());
        let inventory = value.as_ref().and_then(|v| v.pointer("/status/inventory")).map(Value::to_string);
        let release = value.as_ref().and_then(|v| v.pointer("/status/history/0/version")).map(Value::to_string);
        out.push_str(&format!("{}|{:?}|{:?};", reference_label(&node.reference), inventory, release));
    }
    out
}

/// Brings the Flux nodes' statuses up to date from the stores.
fn refresh_flux_statuses(index: &FluxIndex, node: &mut TreeNode) {
    if let Some(key) = flux_key(&node.reference)
        && let Some(object) = index.get(&key)
        && node.status != LiveStatus::Invalid
    {
        let value = object.to_value();
        let (status, message) = live_status(&value);
        node.status = status;
        node.message = message;
        node.object = Some(Arc::new(value));
    }
    for child in &mut node.children {
        refresh_flux_statuses(index, child);
    }
}

/// After cluster events: the open insight screens follow the stores. A tree whose Kustomizations or
/// HelmReleases changed their inventory or release is read again.
pub fn refresh_insight(state: &mut AppState) -> Vec<Effect> {
    let relevant =
        state.stale_kinds.iter().any(|kind| !matches!(kind, FluxKind::Alert | FluxKind::Provider | FluxKind::Receiver));
    if !relevant {
        return Vec::new();
    }
    let mut effects = Vec::new();
    for index in 0..state.stack.len() {
        match &state.stack[index] {
            Screen::Tree(_) => {
                // The tree leaves the state while the stores are read, so it is updated in place.
                let Some(Screen::Tree(view)) = state.stack.get_mut(index) else { continue };
                let Some(mut tree) = view.tree.take() else { continue };
                let flux = FluxIndex::for_tree(state, &tree);
                refresh_flux_statuses(&flux, &mut tree);
                let fingerprint = fingerprint(&flux, &tree);
                let request = match state.stack.get(index) {
                    Some(Screen::Tree(view)) if fingerprint != view.fingerprint && !view.loading => {
                        Some(next_request(state))
                    }
                    _ => None,
                };
                if let Some(Screen::Tree(view)) = state.stack.get_mut(index) {
                    view.tree = Some(tree);
                    if let Some(request) = request {
                        view.loading = true;
                        view.request = request;
                        effects.push(Effect::Insight(InsightRequest::Tree { root: view.root.clone(), request }));
                    }
                }
                state.dirty = true;
            }
            Screen::Trace(_) | Screen::HelmDetails(_) => rebuild_pane_at(state, index),
            _ => {}
        }
    }
    effects
}

/// An object of an open tree changed in the cluster: the tree is read again (keeping what is open and selected),
/// wherever it is in the stack, and that read watches again. A closed tree's report is dropped.
fn tree_changed(state: &mut AppState, request: u64) -> Vec<Effect> {
    let Some(index) =
        state.stack.iter().position(|screen| matches!(screen, Screen::Tree(view) if view.request == request))
    else {
        return Vec::new();
    };
    let next = next_request(state);
    let Some(Screen::Tree(view)) = state.stack.get_mut(index) else { return Vec::new() };
    view.request = next;
    view.loading = true;
    state.dirty = true;
    vec![Effect::Insight(InsightRequest::Tree { root: view.root.clone(), request: next })]
}
