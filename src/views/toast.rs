//! The toasts: the outcome of recent writes (progress while a reconcile is pending, then success or failure),
//! stacked in the bottom-right corner of the body, newest at the bottom. They move to the top of the body when
//! they would cover the selected row.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use crate::app::layout::Areas;
use crate::app::operations::Severity;
use crate::app::state::{AppState, Screen};

use super::ellipsize;

pub fn draw(frame: &mut Frame, state: &AppState, areas: &Areas) {
    let toasts = state.operations.toasts(state.now);
    let body = areas.body;
    if toasts.is_empty() || body.width < 10 || body.height == 0 {
        return;
    }
    let count = (toasts.len() as u16).min(body.height);
    let room = body.width.saturating_sub(2) as usize;
    let lines: Vec<(String, Style)> = toasts
        .iter()
        .take(count as usize)
        .rev()
        .map(|toast| {
            let (symbol, style) = match toast.severity {
                Severity::Progress => ("⟳", state.theme.reconciling),
                Severity::Success => ("✓", state.theme.ready),
                Severity::Failure => ("✗", state.theme.failed),
            };
            let text = ellipsize(&format!(" {symbol} {} ", toast.text), room).into_owned();
            (text, style.add_modifier(Modifier::REVERSED))
        })
        .collect();
    let width = lines.iter().map(|(text, _)| text.width()).max().unwrap_or(0) as u16;
    let x = body.right().saturating_sub(width + 1);
    let bottom = Rect::new(x, body.bottom() - count, width, count);
    let top = Rect::new(x, body.y, width, count);
    let area = match selected_row_y(state, areas) {
        Some(y) if y >= bottom.y && y < bottom.bottom() && (y < top.y || y >= top.bottom()) => top,
        _ => bottom,
    };
    frame.render_widget(Clear, area);
    let lines: Vec<Line> =
        lines.into_iter().map(|(text, style)| Line::from(Span::styled(text, style)).right_aligned()).collect();
    frame.render_widget(Paragraph::new(lines), area);
}

/// The screen line of the selected table row, if a table is shown.
fn selected_row_y(state: &AppState, areas: &Areas) -> Option<u16> {
    if !matches!(state.screen(), Screen::Table { .. }) {
        return None;
    }
    let table = state.current_table()?;
    let line = table.selected.checked_sub(table.offset)?;
    (line < areas.body.height as usize).then(|| areas.body.y + line as u16)
}
