//! What the watchers report: kind states, the connection, cluster facts, and the stores' changes, turned into
//! rows once per frame.

use std::collections::HashMap;
use std::sync::Arc;

use crate::api::{AnyFluxObject, FluxKind};
use crate::app::state::{AppState, Screen};
use crate::cluster::ClusterEvent;
use crate::model::{Row, overview};

use super::{keep_selection_visible, refresh_detail_text};

/// Applies what a watcher reported.
pub fn on_cluster_event(state: &mut AppState, event: ClusterEvent) {
    match event {
        ClusterEvent::StoreChanged(kind) => {
            // Recomputed once before the next frame, however many events arrive until then.
            state.stale_kinds.insert(kind);
            state.dirty = true;
        }
        ClusterEvent::KindStateChanged(kind, kind_state) => {
            state.kind_states.insert(kind, kind_state);
            state.dirty = true;
        }
        ClusterEvent::Connection(connection) => {
            if state.connection != connection {
                state.connection = connection;
                state.dirty = true;
            }
        }
        ClusterEvent::Info(info) => {
            state.info = info;
            state.dirty = true;
        }
        ClusterEvent::NamespacesChanged(namespaces) => state.namespaces = namespaces,
    }
}

/// Rebuilds the rows of every kind whose store changed since the last frame.
pub fn refresh_stale_kinds(state: &mut AppState) {
    let kinds = std::mem::take(&mut state.stale_kinds);
    if kinds.is_empty() {
        return;
    }
    for &kind in &kinds {
        rebuild_rows(state, kind);
    }
    // The overview, the table and an open detail view are rebuilt once, however many kinds changed.
    state.overview = overview(state.rows_by_kind.values().flatten().map(|row| row.as_ref()));
    match state.screen() {
        Screen::Table { pane, tab } => {
            let (pane, tab) = (*pane, *tab);
            if AppState::tab_kinds(pane, tab).iter().any(|kind| kinds.contains(kind)) {
                state.refresh_table(pane, tab);
                keep_selection_visible(state);
            }
        }
        Screen::Describe(detail) | Screen::Yaml(detail) if kinds.contains(&detail.key.kind) => {
            refresh_detail_text(state)
        }
        Screen::Overview { .. } => state.dirty = true,
        _ => {}
    }
    super::marks::drop_marks_of_deleted(state);
    if state.operations.has_unfinished() {
        super::check_reconciles(state);
    }
    super::refresh_graph(state, &kinds);
    super::events::refresh_deleted_marks(state);
}

/// Rebuilds one kind's rows from its store. The store hands back the same `Arc` for an object that did not
/// change, so only changed objects get a new row.
fn rebuild_rows(state: &mut AppState, kind: FluxKind) {
    let previous: HashMap<*const AnyFluxObject, Arc<Row>> = state
        .rows_by_kind
        .remove(&kind)
        .unwrap_or_default()
        .into_iter()
        .map(|row| (Arc::as_ptr(&row.object), row))
        .collect();
    let rows: Vec<Arc<Row>> = state
        .stores
        .objects(kind)
        .into_iter()
        .map(|object| match previous.get(&Arc::as_ptr(&object)) {
            Some(row) => Arc::clone(row),
            None => Arc::new(Row::new(kind, object)),
        })
        .collect();
    state.rows_by_kind.insert(kind, rows);
}
