//! Updates from the live streams (events watches, log followers), and which streams still have a screen.

use crate::app::state::{AppState, Screen};
use crate::cluster::live::LiveUpdate;

/// Hands an update to the view whose stream sent it.
pub fn on_live_update(state: &mut AppState, update: LiveUpdate) {
    match update {
        LiveUpdate::Events(update) => super::events::on_events_update(state, update),
        LiveUpdate::Logs(batch) => super::logs::on_log_batch(state, batch),
    }
}

/// Whether a screen on the stack is fed by `stream`: the loop stops the streams of closed screens.
pub fn stream_is_open(state: &AppState, stream: u64) -> bool {
    state.stack.iter().any(|screen| match screen {
        Screen::Events(view) => view.stream == stream,
        Screen::Logs(view) => view.stream == stream,
        _ => false,
    })
}

/// Closes the events and logs views (their streams belong to a session being replaced).
pub fn close_live_screens(state: &mut AppState) {
    state.stack.retain(|screen| !matches!(screen, Screen::Events(_) | Screen::Logs(_)));
    if state.stack.is_empty() {
        state.stack.push(Screen::Table { pane: crate::app::pane::Pane::All, tab: 0 });
    }
    state.dirty = true;
}
