//! The write actions: which objects they act on (the marked rows, else the selected one), what is refused before
//! anything is sent (read-only mode, a kind the action does not apply to, a kind the cluster does not serve), the
//! delete confirmation, and the [`Effect::Write`]s the loop runs. Each request becomes one operation in
//! `state.operations`, which the toasts and the action log show.

use std::sync::Arc;

use super::{Effect, Write, selected_row};
use crate::api::FluxKind;
use crate::app::action::Action;
use crate::app::operations::{Step, describe_key};
use crate::app::state::AppState;
use crate::cluster::KindState;
use crate::cluster::writes::Target;
use crate::model::deletion::deletion_consequences;
use crate::model::readiness::is_static;
use crate::model::reconcile_source::reconcile_sources;
use crate::model::{ObjectKey, Row};

/// A write waiting for the user's yes (delete).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    pub action: Action,
    pub title: String,
    /// What will happen, one line each: the objects, then the consequences (prune, uninstall).
    pub lines: Vec<String>,
    pub keys: Vec<ObjectKey>,
}

/// The objects a write acts on: every marked row still listed, else the selected row.
fn targets(state: &AppState) -> Vec<Arc<Row>> {
    if !state.marks.is_empty() {
        return state.marks.iter().filter_map(|key| state.find_row(key).cloned()).collect();
    }
    selected_row(state).into_iter().collect()
}

/// Handles suspend, resume, the reconciles and delete.
pub fn operate(state: &mut AppState, action: Action) -> Vec<Effect> {
    let now = state.now;
    if state.readonly {
        let message = format!("{}: refused, fluxtui runs read-only (--readonly or the config)", action.name());
        state.operations.refuse(action, Vec::new(), message, now);
        return Vec::new();
    }
    let rows = targets(state);
    if rows.is_empty() {
        state.operations.refuse(action, Vec::new(), format!("{}: select an object first", action.name()), now);
        return Vec::new();
    }
    let keys: Vec<ObjectKey> = rows.iter().map(|row| row.key.clone()).collect();
    if action == Action::Delete {
        state.dialog = Some(delete_confirmation(&rows));
        return Vec::new();
    }
    send(state, action, keys)
}

/// Starts the operation and returns a write for each target that passes the checks; the others fail at once.
fn send(state: &mut AppState, action: Action, keys: Vec<ObjectKey>) -> Vec<Effect> {
    let now = state.now;
    let id = state.operations.start(action, keys.clone(), now);
    let mut effects = Vec::new();
    for key in keys {
        match prepare(state, action, &key) {
            Ok((target, sources)) => effects.push(Effect::Write(Write { action, target, operation: id, sources })),
            Err(message) => state.operations.set_step(id, &key, Step::Failed(message), now),
        }
    }
    state.dirty = true;
    effects
}

/// The object at its served version, and the sources to reconcile first for `reconcile-with-source`.
fn prepare(state: &AppState, action: Action, key: &ObjectKey) -> Result<(Target, Vec<Target>), String> {
    let name = describe_key(key);
    let row = state.find_row(key).ok_or_else(|| format!("{name} is gone"))?;
    match action {
        Action::Suspend | Action::Resume if !key.kind.can_suspend() => {
            return Err(format!("{} objects cannot be suspended", key.kind));
        }
        Action::ReconcileForce | Action::ReconcileReset if key.kind != FluxKind::HelmRelease => {
            return Err(format!("{}: only HelmReleases have --force and --reset, not {}", action.name(), key.kind));
        }
        Action::Reconcile | Action::ReconcileWithSource | Action::ReconcileForce | Action::ReconcileReset
            if row.object.suspended() =>
        {
            return Err(format!("{name}: resource is suspended (resume it first)"));
        }
        Action::Reconcile | Action::ReconcileWithSource | Action::ReconcileForce | Action::ReconcileReset
            if is_static(&row.object) =>
        {
            return Err(format!("{name}: reconciliation not supported by the object (no controller reconciles it)"));
        }
        _ => {}
    }
    let target = target_for(state, key)?;
    let mut sources = Vec::new();
    if action == Action::ReconcileWithSource {
        let lookup = |key: &ObjectKey| state.find_row(key).map(|row| Arc::clone(&row.object));
        for source in reconcile_sources(&row.object, lookup).map_err(|message| format!("{name}: {message}"))? {
            sources.push(target_for(state, &source)?);
        }
    }
    Ok((target, sources))
}

fn target_for(state: &AppState, key: &ObjectKey) -> Result<Target, String> {
    let version = match state.kind_states.get(&key.kind) {
        Some(KindState::Synced { version } | KindState::Loading { version }) => version.clone(),
        _ => return Err(format!("the cluster does not serve {} right now", key.kind)),
    };
    Ok(Target { kind: key.kind, version, namespace: key.namespace.clone(), name: key.name.clone() })
}

/// How many objects a bulk confirmation lists one by one.
const MAX_LISTED: usize = 6;

fn delete_confirmation(rows: &[Arc<Row>]) -> Confirmation {
    let keys: Vec<ObjectKey> = rows.iter().map(|row| row.key.clone()).collect();
    let title = match rows {
        [only] => format!("Delete {}?", describe_key(&only.key)),
        _ => format!("Delete {} objects?", rows.len()),
    };
    let mut lines = Vec::new();
    // A long list would not fit the dialog: the first objects in detail, then how many more.
    for row in rows.iter().take(MAX_LISTED) {
        if rows.len() > 1 {
            lines.push(format!("• {}", describe_key(&row.key)));
        }
        let consequences = deletion_consequences(&row.object);
        let indent = if rows.len() > 1 { "  " } else { "" };
        lines.extend(consequences.into_iter().map(|line| format!("{indent}{line}")));
    }
    if rows.len() > MAX_LISTED {
        lines.push(format!("… and {} more", rows.len() - MAX_LISTED));
    }
    Confirmation { action: Action::Delete, title, lines, keys }
}

/// y or Enter in the dialog: the confirmed write goes out.
pub fn confirm(state: &mut AppState) -> Vec<Effect> {
    let Some(confirmation) = state.dialog.take() else { return Vec::new() };
    state.dirty = true;
    send(state, confirmation.action, confirmation.keys)
}

/// n or Esc in the dialog: nothing is sent.
pub fn cancel(state: &mut AppState) {
    if state.dialog.take().is_some() {
        state.flash_info("delete cancelled");
    }
}

/// What a write's task reports back: one target's new step.
pub fn write_progressed(state: &mut AppState, operation: u64, key: ObjectKey, step: Step) {
    let now = state.now;
    state.operations.set_step(operation, &key, step, now);
    state.dirty = true;
    // A reconcile may have been handled before its request's answer arrived.
    super::check_reconciles(state);
}

/// Keys while the confirmation is up: it is modal, so the keymap does not apply (as with a text input).
/// y or Enter confirms, n or Esc cancels, ctrl-c still quits; anything else is ignored.
pub fn on_dialog_key(state: &mut AppState, key: crossterm::event::KeyEvent) -> Vec<Effect> {
    use crossterm::event::{KeyCode, KeyModifiers};
    state.dirty = true;
    match key.code {
        KeyCode::Char('y' | 'Y') | KeyCode::Enter => return confirm(state),
        KeyCode::Char('n' | 'N') | KeyCode::Esc => cancel(state),
        KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => state.quit = true,
        _ => {}
    }
    Vec::new()
}

/// Another context or watch scope replaced the session: the reconciles waited on cannot be followed any more,
/// and marks and a pending confirmation named objects of the old one.
pub fn session_replaced(state: &mut AppState) {
    let now = state.now;
    state.operations.abandon("no longer followed: the session changed context or scope", now);
    state.marks.clear();
    state.dialog = None;
    state.dirty = true;
}
