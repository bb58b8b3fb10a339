//! Edit (`ctrl-e`, `:edit`): checks that the selected object may be edited and asks the event loop to open it in
//! the user's editor; the loop reports the outcome back through [`edit_finished`]. Each edit is one operation in
//! `state.operations`, so it shows as a toast and in the action log like the other writes.

use crate::app::action::Action;
use crate::app::operations::Step;
use crate::app::state::AppState;
use crate::cluster::KindState;
use crate::cluster::writes::Target;
use crate::model::ObjectKey;

use super::{Effect, selected_row};

/// An object to edit, at the version its kind is served at, and the operation that tracks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditRequest {
    pub target: Target,
    pub operation: u64,
}

impl EditRequest {
    pub fn key(&self) -> ObjectKey {
        ObjectKey { kind: self.target.kind, namespace: self.target.namespace.clone(), name: self.target.name.clone() }
    }
}

/// Checks an edit can start on the selected object and hands it to the event loop.
pub fn edit(state: &mut AppState) -> Vec<Effect> {
    let name = Action::Edit.name();
    let now = state.now;
    state.dirty = true;
    if state.readonly {
        let message = format!("{name}: refused, fluxtui runs read-only (--readonly or the config)");
        state.operations.refuse(Action::Edit, Vec::new(), message, now);
        return Vec::new();
    }
    let Some(row) = selected_row(state) else {
        state.operations.refuse(Action::Edit, Vec::new(), format!("{name}: select an object first"), now);
        return Vec::new();
    };
    let key = row.key.clone();
    let version = match state.kind_states.get(&key.kind) {
        Some(KindState::Synced { version } | KindState::Loading { version }) => version.clone(),
        _ => {
            let message = format!("{name}: the cluster does not serve {} right now", key.kind);
            state.operations.refuse(Action::Edit, vec![key], message, now);
            return Vec::new();
        }
    };
    let target = Target { kind: key.kind, version, namespace: key.namespace.clone(), name: key.name.clone() };
    let operation = state.operations.start(Action::Edit, vec![key], now);
    vec![Effect::Edit(EditRequest { target, operation })]
}

/// Records how an edit ended: applied, cancelled, or refused (the message says why and where the text is kept).
pub fn edit_finished(state: &mut AppState, request: &EditRequest, outcome: Result<String, String>) {
    let step = match outcome {
        Ok(message) => Step::Succeeded(message),
        Err(message) => Step::Failed(message),
    };
    let now = state.now;
    state.operations.set_step(request.operation, &request.key(), step, now);
    state.dirty = true;
}
