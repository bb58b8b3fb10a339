//! The action log screen (`show-action-log`, `:actions`): scrolling through the session's operations.

use crate::app::action::Action;
use crate::app::layout::body_height;
use crate::app::state::{AppState, Screen};

/// Moves the log's scroll position; the generic movement actions keep their meaning here.
pub fn scroll_action_log(state: &mut AppState, action: Action) -> bool {
    let page = body_height(state).max(1);
    let lines = state.operations.list.len();
    let Some(Screen::ActionLog { scroll }) = state.screen_mut() else { return false };
    let Some(moved) = action.moved(*scroll, lines.saturating_sub(page), page) else { return false };
    *scroll = moved;
    true
}
