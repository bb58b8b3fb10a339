//! The insight screens' part of the update step: opening the tree, trace, HelmRelease detail and pods on the
//! selected object, moving and expanding in them, taking their reads' results, and keeping them live as the
//! Flux stores change (`insight_refresh`: the tree is read again when an inventory or release it shows changes).

use std::sync::Arc;

use serde_json::Value;

use super::{Effect, body_height, push_screen, refresh_detail_text, selected_row};
use crate::api::FluxKind;
use crate::api::references::ObjectReference;
use crate::app::action::Action;
use crate::app::drift::{drift_header, drift_lines};
use crate::app::insight::{InsightRequest, PaneContent, PodsView, TextPane, TreeView};
use crate::app::state::{AppState, Detail, Screen};
use crate::cluster::KindState;
use crate::model::helm_release::helm_release_lines;
use crate::model::live_object::describe_live_object;
use crate::model::trace::{manager_of, trace, trace_lines};
use crate::model::tree::reference_label;
use crate::model::workload::pod_selector;
use crate::model::{ObjectKey, StyledLine, yaml_lines};

/// What an insight action acts on: an object reference, its live JSON when known, and its store key when it
/// is a Flux object.
struct Target {
    reference: ObjectReference,
    object: Option<Arc<Value>>,
    flux: Option<ObjectKey>,
}

pub(super) fn flux_key(reference: &ObjectReference) -> Option<ObjectKey> {
    let kind = FluxKind::from_name(&reference.kind)?;
    let is_flux =
        reference.api_version.as_deref().is_none_or(|version| version.starts_with(&format!("{}/", kind.group())));
    is_flux.then(|| ObjectKey { kind, namespace: reference.namespace.clone(), name: reference.name.clone() })
}

pub(super) fn next_request(state: &mut AppState) -> u64 {
    state.insight_requests += 1;
    state.insight_requests
}

/// The object the selection points at, on any screen.
fn target(state: &AppState) -> Option<Target> {
    let from_reference = |reference: &ObjectReference, object: Option<Arc<Value>>| Target {
        flux: flux_key(reference),
        reference: reference.clone(),
        object,
    };
    match state.screen() {
        Screen::Tree(view) => {
            let node = view.selected_node()?;
            Some(from_reference(&node.reference, node.object.clone()))
        }
        Screen::Pods(view) => {
            let pod = view.pods.get(view.selected)?;
            let row = view.rows.get(view.selected)?;
            let reference = ObjectReference {
                kind: "Pod".to_string(),
                name: row.name.clone(),
                namespace: row.namespace.clone(),
                api_version: Some("v1".to_string()),
            };
            Some(from_reference(&reference, Some(Arc::clone(pod))))
        }
        Screen::Trace(pane) | Screen::LiveObject(pane) | Screen::HelmDetails(pane) | Screen::Diff(pane) => match &pane
            .content
        {
            PaneContent::Trace { reference, chain } => Some(from_reference(reference, chain.first().cloned())),
            PaneContent::Object { reference, object, .. } => Some(from_reference(reference, Some(Arc::clone(object)))),
            PaneContent::HelmDetails { key, .. } | PaneContent::Diff { key, .. } => {
                let row = state.find_row(key)?;
                Some(Target {
                    reference: row_reference(&row.key, row.object.api_version()),
                    object: Some(Arc::new(row.object.to_value())),
                    flux: Some(key.clone()),
                })
            }
        },
        _ => {
            let row = selected_row(state)?;
            // An object our types could not read may lack its apiVersion: the version discovery found serves it.
            let served = match state.kind_states.get(&row.key.kind) {
                Some(KindState::Synced { version } | KindState::Loading { version }) => {
                    format!("{}/{version}", row.key.kind.group())
                }
                _ => String::new(),
            };
            let api_version = Some(row.object.api_version()).filter(|v| !v.is_empty()).unwrap_or(&served);
            Some(Target {
                reference: row_reference(&row.key, api_version),
                object: Some(Arc::new(row.object.to_value())),
                flux: Some(row.key.clone()),
            })
        }
    }
}

/// The object selected on an insight screen (tree node, pod, traced object, live object, HelmRelease), for
/// actions of other screens that take any Kubernetes object: a pod's logs, an object's events.
pub fn insight_selection(state: &AppState) -> Option<ObjectReference> {
    match state.screen() {
        Screen::Tree(_)
        | Screen::Pods(_)
        | Screen::Trace(_)
        | Screen::HelmDetails(_)
        | Screen::Diff(_)
        | Screen::LiveObject(_) => target(state).map(|target| target.reference),
        _ => None,
    }
}

/// The Flux object selected on an insight screen (a tree node, the traced object, the HelmRelease), so that the
/// write actions and describe act on it as on a table row.
pub(super) fn selected_flux_row(state: &AppState) -> Option<Arc<crate::model::Row>> {
    let key = target(state)?.flux?;
    state.find_row(&key).cloned()
}

fn row_reference(key: &ObjectKey, api_version: &str) -> ObjectReference {
    ObjectReference {
        kind: key.kind.name().to_string(),
        name: key.name.clone(),
        namespace: key.namespace.clone(),
        api_version: Some(api_version.to_string()),
    }
}

/// Opens a tree, trace, HelmRelease detail or pods screen on the selected object.
pub(super) fn open(state: &mut AppState, action: Action) -> Vec<Effect> {
    if action == Action::ShowPods && matches!(state.screen(), Screen::Pods(_)) {
        return reread_pods(state);
    }
    // `t` on a tree's root reads the tree again (its non-Flux objects are read only when it opens or an
    // inventory changes); on a nested Kustomization or HelmRelease it opens that one's tree.
    if action == Action::ShowTree
        && let Screen::Tree(view) = state.screen()
        && view.selected.is_empty()
        && !view.loading
    {
        return reread_tree(state);
    }
    // The diff key on a diff computes it again.
    if action == Action::ShowDiff && matches!(state.screen(), Screen::Diff(_)) {
        return recompute_diff(state);
    }
    let Some(target) = target(state) else {
        state.flash_error(format!("{}: select an object first", action.name()));
        return Vec::new();
    };
    match action {
        Action::ShowDiff => open_diff(state, target),
        Action::ShowTree => open_tree(state, target),
        Action::ShowTrace => open_trace(state, target),
        Action::ShowHelmDetails => open_helm_details(state, target),
        Action::ShowPods => open_pods(state, target),
        _ => Vec::new(),
    }
}

fn open_tree(state: &mut AppState, target: Target) -> Vec<Effect> {
    let kind = target.flux.as_ref().map(|key| key.kind);
    if !matches!(kind, Some(FluxKind::Kustomization | FluxKind::HelmRelease)) {
        state.flash_error(format!("the tree shows Kustomizations and HelmReleases, not {}", target.reference.kind));
        return Vec::new();
    }
    let request = next_request(state);
    push_screen(state, Screen::Tree(Box::new(TreeView::new(target.reference.clone(), request))));
    vec![Effect::Insight(InsightRequest::Tree { root: target.reference, request })]
}

fn open_diff(state: &mut AppState, target: Target) -> Vec<Effect> {
    let Some(key) = target.flux.filter(|key| key.kind == FluxKind::Kustomization) else {
        state.flash_error(format!("the diff needs a Kustomization, not {}", target.reference.kind));
        return Vec::new();
    };
    let request = next_request(state);
    let title = format!("diff {}/{}", key.namespace, key.name);
    let effect = InsightRequest::Diff { namespace: key.namespace.clone(), name: key.name.clone(), request };
    let content = PaneContent::Diff { key, result: None };
    push_screen(state, Screen::Diff(Box::new(TextPane::new(title, content, request))));
    rebuild_top_pane(state);
    vec![Effect::Insight(effect)]
}

fn recompute_diff(state: &mut AppState) -> Vec<Effect> {
    let request = next_request(state);
    let Some(Screen::Diff(pane)) = state.screen_mut() else { return Vec::new() };
    let PaneContent::Diff { key, result } = &mut pane.content else { return Vec::new() };
    *result = None;
    let effect = InsightRequest::Diff { namespace: key.namespace.clone(), name: key.name.clone(), request };
    pane.request = request;
    pane.error = None;
    rebuild_top_pane(state);
    vec![Effect::Insight(effect)]
}

fn open_trace(state: &mut AppState, target: Target) -> Vec<Effect> {
    let request = next_request(state);
    let title = format!("trace {}", reference_label(&target.reference));
    // An object that carries Flux's labels (or is a Flux object) is traced at once from the stores; anything else
    // is read with its owners first (a pod's labels do not say which Kustomization applied its Deployment).
    let ready = target.object.as_ref().filter(|object| manager_of(object).is_some() || target.flux.is_some());
    let chain = ready.map(|object| vec![Arc::clone(object)]).unwrap_or_default();
    let needs_read = chain.is_empty();
    let content = PaneContent::Trace { reference: target.reference.clone(), chain };
    push_screen(state, Screen::Trace(Box::new(TextPane::new(title, content, request))));
    rebuild_top_pane(state);
    if needs_read {
        return vec![Effect::Insight(InsightRequest::TraceChain { reference: target.reference, request })];
    }
    Vec::new()
}

fn open_helm_details(state: &mut AppState, target: Target) -> Vec<Effect> {
    let Some(key) = target.flux.filter(|key| key.kind == FluxKind::HelmRelease) else {
        state.flash_error(format!("the HelmRelease detail needs a HelmRelease, not {}", target.reference.kind));
        return Vec::new();
    };
    let request = next_request(state);
    let title = format!("helmrelease {}/{}", key.namespace, key.name);
    let content = PaneContent::HelmDetails { key, applied: None, sources: Vec::new() };
    push_screen(state, Screen::HelmDetails(Box::new(TextPane::new(title, content, request))));
    rebuild_top_pane(state);
    vec![Effect::Insight(InsightRequest::HelmRelease { reference: target.reference, request })]
}

fn open_pods(state: &mut AppState, target: Target) -> Vec<Effect> {
    if target.flux.is_some() {
        state.flash_error(format!(
            "{} objects have no pods: open the tree (t) and pick a workload",
            target.reference.kind
        ));
        return Vec::new();
    }
    // What the object is, when known, says already whether it has pods.
    if let Some(object) = &target.object
        && target.reference.kind != "Pod"
        && let Err(message) = pod_selector(object)
    {
        state.flash_error(format!("{}: {message}", reference_label(&target.reference)));
        return Vec::new();
    }
    let request = next_request(state);
    push_screen(state, Screen::Pods(Box::new(PodsView::new(target.reference.clone(), request))));
    vec![Effect::Insight(InsightRequest::Pods { owner: target.reference, request })]
}

fn reread_tree(state: &mut AppState) -> Vec<Effect> {
    let request = next_request(state);
    let Some(Screen::Tree(view)) = state.screen_mut() else { return Vec::new() };
    view.request = request;
    view.loading = true;
    vec![Effect::Insight(InsightRequest::Tree { root: view.root.clone(), request })]
}

fn reread_pods(state: &mut AppState) -> Vec<Effect> {
    let request = next_request(state);
    let Some(Screen::Pods(view)) = state.screen_mut() else { return Vec::new() };
    view.request = request;
    view.loading = true;
    vec![Effect::Insight(InsightRequest::Pods { owner: view.owner.clone(), request })]
}

/// Whether an insight screen handles the action itself (the rest go to the common handling: back, quit...).
pub(super) fn handles(state: &AppState, action: Action) -> bool {
    use Action::*;
    let moves = action.is_movement();
    match state.screen() {
        Screen::Tree(_) => moves || matches!(action, ScrollLeft | ScrollRight | Open | Describe | ShowYaml),
        Screen::Pods(_) => moves || matches!(action, Open | Describe | ShowYaml),
        Screen::LiveObject(_) => {
            moves || matches!(action, ScrollLeft | ScrollRight | ToggleWrap | RevealSecrets | Describe | ShowYaml)
        }
        Screen::Trace(_) | Screen::HelmDetails(_) => {
            moves || matches!(action, ScrollLeft | ScrollRight | ToggleWrap | RevealSecrets | Describe | ShowYaml)
        }
        Screen::Diff(_) => moves || matches!(action, ScrollLeft | ScrollRight | ToggleWrap | RevealSecrets | ShowDiff),
        _ => false,
    }
}

pub(super) fn apply(state: &mut AppState, action: Action) -> Vec<Effect> {
    match state.screen() {
        Screen::Tree(_) => apply_in_tree(state, action),
        Screen::Pods(_) => apply_in_pods(state, action),
        // The traced object, or the HelmRelease, in its describe or YAML view.
        Screen::Trace(_) | Screen::HelmDetails(_) if matches!(action, Action::Describe | Action::ShowYaml) => {
            open_node(state, action == Action::ShowYaml)
        }
        Screen::Diff(_) if action == Action::ShowDiff => recompute_diff(state),
        _ => {
            if matches!(action, Action::Describe | Action::ShowYaml) {
                if let Some(Screen::LiveObject(pane)) = state.screen_mut()
                    && let PaneContent::Object { yaml, .. } = &mut pane.content
                {
                    *yaml = action == Action::ShowYaml;
                    pane.scroll = 0;
                }
                rebuild_top_pane(state);
            } else {
                scroll_pane(state, action);
            }
            Vec::new()
        }
    }
}

/// Where a move lands, from `current` in a list of `len` rows.
fn moved(current: usize, len: usize, action: Action, page: usize) -> usize {
    action.moved(current, len.saturating_sub(1), page).unwrap_or(current)
}

/// Scrolls a list just enough to show its selected row.
pub(super) fn keep_in_view(offset: &mut usize, selected: usize, height: usize) {
    let height = height.max(1);
    if selected < *offset {
        *offset = selected;
    } else if selected >= *offset + height {
        *offset = selected + 1 - height;
    }
}

fn apply_in_tree(state: &mut AppState, action: Action) -> Vec<Effect> {
    let height = body_height(state);
    let Some(Screen::Tree(view)) = state.screen_mut() else { return Vec::new() };
    let Some(node) = view.selected_node() else { return Vec::new() };
    let has_children = !node.children.is_empty();
    let is_open = view.opened.contains(&view.selected);
    match action {
        Action::ScrollRight if has_children && !is_open => {
            view.opened.insert(view.selected.clone());
        }
        Action::ScrollRight if has_children => view.selected.push(0),
        Action::ScrollLeft if is_open => {
            view.opened.remove(&view.selected);
        }
        Action::ScrollLeft => {
            view.selected.pop();
        }
        Action::Open if has_children => {
            if !view.opened.remove(&view.selected) {
                view.opened.insert(view.selected.clone());
            }
        }
        Action::Open | Action::Describe => return open_node(state, false),
        Action::ShowYaml => return open_node(state, true),
        Action::ScrollRight => {}
        _ => {
            let visible = view.visible();
            let current = visible.iter().position(|path| *path == view.selected).unwrap_or(0);
            let next = moved(current, visible.len(), action, height);
            if let Some(path) = visible.get(next) {
                view.selected = path.clone();
            }
        }
    }
    let visible = view.visible();
    let index = visible.iter().position(|path| *path == view.selected).unwrap_or(0);
    keep_in_view(&mut view.offset, index, height);
    Vec::new()
}

/// Describe or YAML of the selected object (tree node, traced object, HelmRelease): Flux objects in their own
/// views, others as live objects.
fn open_node(state: &mut AppState, yaml: bool) -> Vec<Effect> {
    let Some(target) = target(state) else { return Vec::new() };
    if let Some(key) = target.flux.filter(|key| state.find_row(key).is_some()) {
        let detail = Box::new(Detail::new(key));
        push_screen(state, if yaml { Screen::Yaml(detail) } else { Screen::Describe(detail) });
        refresh_detail_text(state);
        return Vec::new();
    }
    let Some(object) = target.object else {
        let message = match state.screen() {
            Screen::Tree(view) => view.selected_node().map(|node| node.message.clone()).unwrap_or_default(),
            _ => String::new(),
        };
        state.flash_error(format!("{} cannot be shown: {message}", reference_label(&target.reference)));
        return Vec::new();
    };
    open_live_object(state, target.reference, object, yaml);
    Vec::new()
}

fn open_live_object(state: &mut AppState, reference: ObjectReference, object: Arc<Value>, yaml: bool) {
    let title = reference_label(&reference);
    let content = PaneContent::Object { reference, object, yaml };
    push_screen(state, Screen::LiveObject(Box::new(TextPane::new(title, content, 0))));
    rebuild_top_pane(state);
}

fn apply_in_pods(state: &mut AppState, action: Action) -> Vec<Effect> {
    let height = body_height(state).saturating_sub(1);
    if matches!(action, Action::Open | Action::Describe | Action::ShowYaml) {
        let Some(target) = target(state) else { return Vec::new() };
        if let Some(object) = target.object {
            open_live_object(state, target.reference, object, action == Action::ShowYaml);
        }
        return Vec::new();
    }
    let Some(Screen::Pods(view)) = state.screen_mut() else { return Vec::new() };
    view.selected = moved(view.selected, view.rows.len(), action, height);
    keep_in_view(&mut view.offset, view.selected, height);
    Vec::new()
}

fn scroll_pane(state: &mut AppState, action: Action) {
    let page = body_height(state).max(1);
    let reveal_changed = action == Action::RevealSecrets;
    let Some(Screen::Trace(pane) | Screen::HelmDetails(pane) | Screen::Diff(pane) | Screen::LiveObject(pane)) =
        state.screen_mut()
    else {
        return;
    };
    let max = pane.lines.len().saturating_sub(page);
    match action {
        Action::ScrollLeft => pane.horizontal_scroll = pane.horizontal_scroll.saturating_sub(8),
        Action::ScrollRight => pane.horizontal_scroll += 8,
        Action::ToggleWrap => {
            pane.wrap = !pane.wrap;
            pane.horizontal_scroll = 0;
        }
        Action::RevealSecrets => pane.reveal = !pane.reveal,
        _ => pane.scroll = moved(pane.scroll, max + 1, action, page),
    }
    if reveal_changed {
        rebuild_top_pane(state);
    }
}

/// Finds a Flux object in the live stores, as JSON.
pub(super) fn find_flux(state: &AppState, kind: FluxKind, namespace: &str, name: &str) -> Option<Value> {
    state
        .stores
        .objects(kind)
        .iter()
        .find(|object| object.namespace() == namespace && object.name() == name)
        .map(|object| object.to_value())
}

/// The text of a pane, from its content and the stores.
fn pane_lines(state: &AppState, pane: &TextPane) -> Vec<StyledLine> {
    match &pane.content {
        PaneContent::Trace { chain, .. } if chain.is_empty() => {
            vec![StyledLine::plain("reading the object and its owners…")]
        }
        PaneContent::Trace { chain, .. } => {
            let chain: Vec<Value> = chain.iter().map(|object| (**object).clone()).collect();
            let find = |kind: FluxKind, namespace: &str, name: &str| find_flux(state, kind, namespace, name);
            trace_lines(&trace(&chain, &find))
        }
        PaneContent::HelmDetails { key, applied, sources } => {
            match find_flux(state, key.kind, &key.namespace, &key.name) {
                Some(helm_release) => helm_release_lines(&helm_release, applied.as_ref(), sources, pane.reveal),
                None => vec![StyledLine::plain(format!(
                    "HelmRelease {}/{} is not in the cluster (any more)",
                    key.namespace, key.name
                ))],
            }
        }
        PaneContent::Diff { result: None, .. } => vec![StyledLine::plain(
            "computing the diff: building the source and dry-running every object as kustomize-controller…",
        )],
        PaneContent::Diff { result: Some(diff), .. } => {
            let mut lines = vec![drift_header(diff), StyledLine::default()];
            lines.extend(drift_lines(diff, pane.reveal));
            lines
        }
        PaneContent::Object { object, yaml: true, .. } => yaml_lines(object, pane.reveal),
        PaneContent::Object { object, yaml: false, .. } => describe_live_object(object),
    }
}

fn rebuild_top_pane(state: &mut AppState) {
    if let Some(index) = state.stack.len().checked_sub(1) {
        rebuild_pane_at(state, index);
    }
}

pub(super) fn rebuild_pane_at(state: &mut AppState, index: usize) {
    let lines = match state.stack.get(index) {
        Some(Screen::Trace(pane) | Screen::HelmDetails(pane) | Screen::Diff(pane) | Screen::LiveObject(pane)) => {
            pane_lines(state, pane)
        }
        _ => return,
    };
    if let Some(Screen::Trace(pane) | Screen::HelmDetails(pane) | Screen::Diff(pane) | Screen::LiveObject(pane)) =
        state.stack.get_mut(index)
    {
        pane.scroll = pane.scroll.min(lines.len().saturating_sub(1));
        pane.lines = lines;
    }
    state.dirty = true;
}
