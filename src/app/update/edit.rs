//! Edit (`ctrl-e`, `:edit`): checks that the selected object may be edited and asks the event loop to open it in
//! the user's editor; the loop reports the outcome back through [`edit_finished`].

use crate::app::action::Action;
use crate::app::state::AppState;
use crate::cluster::KindState;
use crate::cluster::writes::Target;

use super::{Effect, selected_row};

/// An object to edit, at the version its kind is served at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditRequest {
    pub target: Target,
}

/// Checks an edit can start on the selected object and hands it to the event loop.
pub fn edit(state: &mut AppState) -> Vec<Effect> {
    let name = Action::Edit.name();
    if state.readonly {
        state.flash_error(format!("{name}: refused, fluxtui runs read-only (--readonly or the config)"));
        return Vec::new();
    }
    let Some(row) = selected_row(state) else {
        state.flash_error(format!("{name}: select an object first"));
        return Vec::new();
    };
    let key = &row.key;
    let version = match state.kind_states.get(&key.kind) {
        Some(KindState::Synced { version } | KindState::Loading { version }) => version.clone(),
        _ => {
            state.flash_error(format!("{name}: the cluster does not serve {} right now", key.kind));
            return Vec::new();
        }
    };
    let target = Target { kind: key.kind, version, namespace: key.namespace.clone(), name: key.name.clone() };
    state.flash_info(format!("opening {} {}/{} in the editor…", key.kind, key.namespace, key.name));
    vec![Effect::Edit(EditRequest { target })]
}

/// Shows how an edit ended: applied, cancelled, or refused (the message says why and where the text is kept).
pub fn edit_finished(state: &mut AppState, outcome: Result<String, String>) {
    match outcome {
        Ok(message) => state.flash_info(message),
        Err(message) => state.flash_error(message),
    }
}
