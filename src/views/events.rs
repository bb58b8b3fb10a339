//! The events view: one row per Kubernetes Event, newest first, warnings highlighted, events whose object is gone
//! marked; only the visible rows are drawn.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use crate::app::state::AppState;
use crate::app::update::events::EventsView;
use crate::cluster::events::ObjectPresence;
use crate::model::events::{EventRow, EventTarget};

use super::ellipsize;

/// Column titles and the widest each may grow (the message takes what is left).
const COLUMNS: [(&str, usize); 6] =
    [("TYPE", 7), ("REASON", 24), ("OBJECT", 48), ("SOURCE", 22), ("COUNT", 5), ("LAST SEEN", 9)];

pub fn draw(frame: &mut Frame, state: &AppState, area: Rect, view: &EventsView) {
    let theme = &state.theme;
    let count = if view.filter_text.is_empty() {
        format!("[{}] ", view.rows.len())
    } else {
        format!("[{}/{}] ", view.visible.len(), view.rows.len())
    };
    let mut title = vec![Span::styled(format!(" Events {} {count}", view.target.label()), theme.title)];
    if !view.filter_text.is_empty() {
        title.push(Span::styled(format!("</{}> ", view.filter_text), theme.prompt));
    }
    if target_gone(view) {
        title.push(Span::styled("(object deleted) ", theme.failed));
    }
    let block = Block::bordered().border_style(theme.frame).title(Line::from(title).alignment(Alignment::Center));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let titles = Rect { height: 1, ..inner };
    let body = Rect { y: inner.y + 1, height: inner.height.saturating_sub(1), ..inner };
    if let Some(error) = &view.error {
        let line = Line::from(Span::styled(format!("watch failing, retrying: {error}"), theme.error));
        frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: true }), titles);
    }
    let show_namespace = matches!(view.target, EventTarget::AllFlux { namespace: None });
    let cells: Vec<[String; 7]> = view
        .visible_rows()
        .skip(view.offset)
        .take(body.height as usize)
        .map(|row| row_cells(row, show_namespace, state))
        .collect();
    let widths = column_widths(&cells, inner.width as usize);
    if view.error.is_none() {
        let mut spans = Vec::new();
        for (index, (name, _)) in COLUMNS.iter().enumerate() {
            spans.push(Span::styled(format!("{:<width$} ", name, width = widths[index]), theme.table_header));
        }
        spans.push(Span::styled("MESSAGE", theme.table_header));
        frame.render_widget(Paragraph::new(Line::from(spans)), titles);
    }
    if view.visible.is_empty() {
        let text = if view.loading {
            "loading events…".to_string()
        } else if !view.rows.is_empty() {
            format!("no event matches the filter {:?} (esc clears it)", view.filter_text)
        } else {
            "no events: Kubernetes keeps events for an hour by default; new ones appear here live".to_string()
        };
        let line = Line::from(Span::styled(text, theme.muted));
        frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: true }), body);
        return;
    }
    let rows = view.visible_rows().skip(view.offset).take(body.height as usize);
    for (line_index, (row, cells)) in rows.zip(&cells).enumerate() {
        let selected = view.offset + line_index == view.selected;
        let base = if row.deleted {
            theme.muted
        } else if row.is_warning() {
            theme.warning
        } else {
            theme.body
        };
        let style = if selected { base.patch(theme.selected) } else { base };
        let mut spans = Vec::new();
        for (index, cell) in cells.iter().enumerate().take(COLUMNS.len()) {
            let text = ellipsize(cell, widths[index]);
            let pad = widths[index].saturating_sub(text.width());
            let cell_style = if index == 0 && row.is_warning() { style.patch(theme.failed) } else { style };
            spans.push(Span::styled(format!("{text}{} ", " ".repeat(pad)), cell_style));
        }
        let used: usize = widths.iter().map(|width| width + 1).sum();
        let room = (inner.width as usize).saturating_sub(used);
        spans.push(Span::styled(format!("{:<room$}", ellipsize(&cells[6], room)), style));
        let y = body.y + line_index as u16;
        frame.render_widget(Paragraph::new(Line::from(spans)).style(Style::default()), Rect { y, height: 1, ..body });
    }
}

/// Whether the view's own object is known to be gone.
fn target_gone(view: &EventsView) -> bool {
    matches!(view.presence, Some(ObjectPresence::Gone))
        || (matches!(view.target, EventTarget::Object(_))
            && !view.rows.is_empty()
            && view.rows.iter().all(|row| row.deleted))
}

fn row_cells(row: &EventRow, show_namespace: bool, state: &AppState) -> [String; 7] {
    let object = if show_namespace && !row.object.namespace.is_empty() {
        format!("{}/{}/{}", row.object.kind, row.object.namespace, row.object.name)
    } else {
        row.object_label()
    };
    // In front, so a narrow column never cuts it off.
    let object = if row.deleted { format!("(deleted) {object}") } else { object };
    let age = match row.last_seen {
        Some(time) => crate::model::human_duration(state.now - time),
        None => "-".to_string(),
    };
    [
        row.event_type.clone(),
        row.reason.clone(),
        object,
        if row.source.is_empty() { "-".to_string() } else { row.source.clone() },
        row.count.to_string(),
        age,
        row.message.clone(),
    ]
}

/// Each column as wide as its widest visible cell (and its title), within its cap.
fn column_widths(cells: &[[String; 7]], total: usize) -> [usize; 6] {
    let mut widths = [0; 6];
    for (index, (name, cap)) in COLUMNS.iter().enumerate() {
        let widest = cells.iter().map(|row| row[index].width()).max().unwrap_or(0);
        widths[index] = widest.max(name.width()).min(*cap);
    }
    // On a narrow terminal the source gives way first, then the reason, then the object, so the message keeps a
    // quarter of the width.
    let minimum_message = total / 4;
    let overflow = |widths: &[usize; 6]| widths.iter().map(|width| width + 1).sum::<usize>() + minimum_message > total;
    for (column, floor) in [(3, 14), (1, 18), (2, 24), (3, 8), (1, 10), (2, 16)] {
        while overflow(&widths) && widths[column] > floor {
            widths[column] -= 1;
        }
    }
    widths
}
