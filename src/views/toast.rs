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
    let room = body.width.saturating_sub(2) as usize;
    // Failures wrap onto up to three lines, so their message can be read; the rest take one line each.
    let mut lines: Vec<(String, Style)> = Vec::new();
    for toast in toasts.iter().rev() {
        let (symbol, style) = match toast.severity {
            Severity::Progress => ("⟳", state.theme.reconciling),
            Severity::Success => ("✓", state.theme.ready),
            Severity::Failure => ("✗", state.theme.failed),
        };
        let style = style.add_modifier(Modifier::REVERSED);
        let text = format!(" {symbol} {} ", toast.text);
        let max_lines = if toast.severity == Severity::Failure { 3 } else { 1 };
        lines.extend(wrap(&text, room, max_lines).into_iter().map(|line| (line, style)));
    }
    let count = (lines.len() as u16).min(body.height);
    let lines: Vec<(String, Style)> = lines.split_off(lines.len() - count as usize);
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

/// Wraps `text` at spaces into lines of at most `width` columns, at most `max_lines` of them (the last
/// ellipsized), each padded to the widest so the toast is a block.
fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        let extra = if current.is_empty() { 0 } else { 1 };
        if !current.is_empty() && current.width() + extra + word.width() > width && lines.len() + 1 < max_lines {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    lines.push(current);
    let mut lines: Vec<String> = lines.iter().map(|line| ellipsize(line, width).into_owned()).collect();
    let widest = lines.iter().map(|line| line.width()).max().unwrap_or(0);
    for line in &mut lines {
        let pad = widest - line.width();
        line.push_str(&" ".repeat(pad));
    }
    lines
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
