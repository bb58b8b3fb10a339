//! The action log screen (`show-action-log`, `:actions`): scrolling through the session's operations.

use crate::app::action::Action;
use crate::app::layout::body_height;
use crate::app::state::{AppState, Screen};

/// Moves the log's scroll position; the generic movement actions keep their meaning here.
pub fn scroll_action_log(state: &mut AppState, action: Action) -> bool {
    let page = body_height(state).max(1);
    let lines = state.operations.list.len();
    let Some(Screen::ActionLog { scroll }) = state.screen_mut() else { return false };
    let max = lines.saturating_sub(page);
    *scroll = match action {
        Action::MoveUp => scroll.saturating_sub(1),
        Action::MoveDown => (*scroll + 1).min(max),
        Action::PageUp => scroll.saturating_sub(page),
        Action::PageDown => (*scroll + page).min(max),
        Action::HalfPageUp => scroll.saturating_sub(page / 2),
        Action::HalfPageDown => (*scroll + page / 2).min(max),
        Action::Top => 0,
        Action::Bottom => max,
        _ => return false,
    };
    true
}
