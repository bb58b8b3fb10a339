//! The mouse: the wheel scrolls, clicks select and open, a click on a column title sorts.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

use crate::app::action::Action;
use crate::app::layout::areas;
use crate::app::state::{AppState, Screen};
use crate::model::Column;

use super::{Effect, apply, choose_in_picker, open_detail, sort_by};

/// Handles a mouse event: the wheel scrolls, a click selects a row (a second click opens it), a click on a
/// column title sorts by it.
pub fn on_mouse(state: &mut AppState, mouse: MouseEvent) -> Vec<Effect> {
    let areas = areas(state);
    let inside = |rect: ratatui::layout::Rect| {
        mouse.column >= rect.x && mouse.column < rect.right() && mouse.row >= rect.y && mouse.row < rect.bottom()
    };
    match mouse.kind {
        MouseEventKind::ScrollDown => return apply(state, Action::MoveDown),
        MouseEventKind::ScrollUp => return apply(state, Action::MoveUp),
        MouseEventKind::Down(MouseButton::Left) => {
            if let Screen::Picker(_) = state.screen() {
                let index = (mouse.row.saturating_sub(areas.body.y)) as usize;
                if inside(areas.body)
                    && let Some(Screen::Picker(picker)) = state.screen_mut()
                {
                    let target = picker.offset + index;
                    if target < picker.items.len() {
                        if picker.selected == target {
                            return choose_in_picker(state);
                        }
                        picker.selected = target;
                        state.dirty = true;
                    }
                }
                return Vec::new();
            }
            if matches!(state.screen(), Screen::Graph(_)) {
                if inside(areas.body) {
                    super::graph::click(state, (mouse.row - areas.body.y) as usize);
                }
                return Vec::new();
            }
            if !matches!(state.screen(), Screen::Table { .. }) {
                return Vec::new();
            }
            if let Some(titles) = areas.column_titles
                && inside(titles)
            {
                if let Some(column) = column_at(state, mouse.column.saturating_sub(titles.x), titles.width) {
                    sort_by(state, column);
                }
                return Vec::new();
            }
            if inside(areas.body) {
                let Some(table) = state.current_table_mut() else { return Vec::new() };
                let target = table.offset + (mouse.row - areas.body.y) as usize;
                if target < table.rows.len() {
                    if table.selected == target {
                        open_detail(state, false);
                    } else {
                        table.select(target);
                    }
                    state.dirty = true;
                }
            }
        }
        _ => {}
    }
    Vec::new()
}

/// Which column starts at or covers the x offset (columns are separated by one space).
fn column_at(state: &AppState, x: u16, total: u16) -> Option<Column> {
    let layout = state.current_table()?.layout(total);
    let mut start = 0u16;
    for (column, width) in &layout {
        let end = start + width + 1;
        if x < end {
            return Some(*column);
        }
        start = end;
    }
    layout.last().map(|(column, _)| *column)
}
