//! Marked rows (`toggle-mark`): writes act on every marked object instead of the selected one. Marks are keys,
//! so they survive sorting and filtering; they are dropped when their object is deleted and cleared when the
//! session changes context.

use super::{keep_selection_visible, selected_row};
use crate::app::state::{AppState, Screen};

/// Marks or unmarks the selected row, then moves down so that space, space, space marks a run of rows.
pub fn toggle_mark(state: &mut AppState) {
    if !matches!(state.screen(), Screen::Table { .. }) {
        return;
    }
    let Some(row) = selected_row(state) else { return };
    if !state.marks.remove(&row.key) {
        state.marks.insert(row.key.clone());
    }
    if let Some(table) = state.current_table_mut() {
        table.move_by(1);
    }
    keep_selection_visible(state);
    state.dirty = true;
}

pub fn clear_marks(state: &mut AppState) {
    if !state.marks.is_empty() {
        state.marks.clear();
        state.dirty = true;
    }
}

/// Forgets the marks of objects that are gone (after the rows were rebuilt from the stores). A kind whose rows
/// are not known yet keeps its marks.
pub fn drop_marks_of_deleted(state: &mut AppState) {
    let before = state.marks.len();
    let rows = &state.rows_by_kind;
    state.marks.retain(|key| rows.get(&key.kind).is_none_or(|rows| rows.iter().any(|row| row.key == *key)));
    if state.marks.len() != before {
        state.dirty = true;
    }
}
