//! A table pane: tabs, column titles and only the visible rows (virtualized: drawing 10,000 rows costs what
//! drawing a screenful does), with an explanation when there is nothing to show.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use crate::api::FluxKind;
use crate::app::layout::Areas;
use crate::app::pane::Pane;
use crate::app::state::AppState;
use crate::app::table::TableView;
use crate::cluster::KindState;
use crate::model::Column;

use super::ellipsize;

pub fn draw(frame: &mut Frame, state: &AppState, areas: &Areas, pane: Pane, tab: usize) {
    let theme = &state.theme;
    let table = state.tables.get(&(pane, tab));
    let kinds = AppState::tab_kinds(pane, tab);
    let title_kind = pane.tabs().get(tab).copied().flatten().map(FluxKind::name).unwrap_or(pane.title());
    let namespace = state.namespace.as_deref().unwrap_or("all");
    let mut title = vec![Span::styled(format!(" {title_kind}({namespace})"), theme.title)];
    if let Some(table) = table {
        let count = if table.filter_text.is_empty() {
            format!("[{}] ", table.total)
        } else {
            format!("[{}/{}] ", table.rows.len(), table.total)
        };
        title.push(Span::styled(count, theme.title));
        if !table.filter_text.is_empty() {
            title.push(Span::styled(format!("</{}> ", table.filter_text), theme.prompt));
        }
        if !state.marks.is_empty() {
            title.push(Span::styled(format!("● {} marked ", state.marks.len()), theme.key));
        }
    } else {
        title.push(Span::styled(" ", theme.title));
    }
    let block = Block::bordered().border_style(theme.frame).title(Line::from(title).alignment(Alignment::Center));
    frame.render_widget(block, areas.main);

    if let Some(area) = areas.tabs {
        draw_tabs(frame, state, area, pane, tab);
    }
    let Some(table) = table else {
        draw_empty(frame, state, areas.body, &kinds, None);
        return;
    };
    if let Some(area) = areas.column_titles {
        draw_titles(frame, state, area, table);
    }
    if table.rows.is_empty() {
        draw_empty(frame, state, areas.body, &kinds, Some(table));
    } else {
        draw_rows(frame, state, areas.body, table);
        if kinds.len() > 1 {
            draw_unavailable_kinds(frame, state, areas.main, &kinds);
        }
    }
    if let Some(area) = areas.detail {
        draw_detail(frame, state, area, table);
    }
}

fn draw_tabs(frame: &mut Frame, state: &AppState, area: Rect, pane: Pane, current: usize) {
    let theme = &state.theme;
    let mut spans = Vec::new();
    for (index, tab) in pane.tabs().iter().enumerate() {
        let label = match tab {
            None => "all".to_string(),
            Some(kind) => kind.name().to_string(),
        };
        let unavailable = tab.is_some_and(|kind| {
            matches!(state.kind_states.get(&kind), Some(KindState::NotInstalled | KindState::NoAccess(_)))
        });
        let style = if index == current {
            theme.crumb_active
        } else if unavailable {
            theme.muted
        } else {
            theme.body
        };
        spans.push(Span::styled(format!(" {label} "), style));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_titles(frame: &mut Frame, state: &AppState, area: Rect, table: &TableView) {
    let theme = &state.theme;
    let mut spans = Vec::new();
    for (column, width) in &table.layout(area.width) {
        let mut title = column.title().to_string();
        if table.sort.column == *column {
            title.push(if table.sort.descending { '↓' } else { '↑' });
        }
        spans.push(Span::styled(pad(&title, *width as usize), theme.table_header));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_rows(frame: &mut Frame, state: &AppState, area: Rect, table: &TableView) {
    let theme = &state.theme;
    let layout = table.layout(area.width);
    let end = (table.offset + area.height as usize).min(table.rows.len());
    let mut lines = Vec::with_capacity(area.height as usize);
    for index in table.offset..end {
        let row = &table.rows[index];
        let selected = index == table.selected;
        let status_style = theme.readiness(row.readiness);
        let mut spans = Vec::with_capacity(layout.len() * 2);
        for (column, width) in &layout {
            let cell = row.cell(*column, state.now);
            let style = match column {
                Column::Ready | Column::Message if !selected => status_style,
                Column::Suspended if row.suspended && !selected => theme.suspended,
                _ if selected => theme.selected,
                _ => theme.body,
            };
            let style = if selected { theme.selected } else { style };
            spans.push(Span::styled(pad(&cell, *width as usize), style));
            spans.push(Span::styled(" ", if selected { theme.selected } else { Style::new() }));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), area);
    draw_marks(frame, state, area, table);
}

/// A `●` on the left border of each marked row, so marks show without taking a column.
fn draw_marks(frame: &mut Frame, state: &AppState, area: Rect, table: &TableView) {
    if state.marks.is_empty() || area.x == 0 {
        return;
    }
    let end = (table.offset + area.height as usize).min(table.rows.len());
    for index in table.offset..end {
        if state.marks.contains(&table.rows[index].key) {
            let y = area.y + (index - table.offset) as u16;
            frame.render_widget(Span::styled("●", state.theme.key), Rect::new(area.x - 1, y, 1, 1));
        }
    }
}

/// Why a table is empty: loading, not installed, no access, the filter, or really nothing there.
fn draw_empty(frame: &mut Frame, state: &AppState, area: Rect, kinds: &[FluxKind], table: Option<&TableView>) {
    let theme = &state.theme;
    let states: Vec<Option<&KindState>> = kinds.iter().map(|kind| state.kind_states.get(kind)).collect();
    let all = |f: &dyn Fn(&KindState) -> bool| states.iter().all(|s| s.is_some_and(f));
    let (text, style) = if let Some(table) = table.filter(|table| table.total > 0) {
        (format!("No object matches the filter {:?} (Esc clears it)", table.filter_text), theme.muted)
    } else if all(&|s| matches!(s, KindState::NotInstalled)) {
        let groups: Vec<&str> = {
            let mut groups: Vec<&str> = kinds.iter().map(|kind| kind.group()).collect();
            groups.dedup();
            groups
        };
        (format!("Not installed: this cluster serves no {} CRDs", groups.join(", ")), theme.warning)
    } else if let Some(KindState::NoAccess(message)) =
        states.iter().flatten().find(|s| matches!(s, KindState::NoAccess(_)))
        && all(&|s| matches!(s, KindState::NoAccess(_) | KindState::NotInstalled))
    {
        (format!("No access: {message}"), theme.failed)
    } else if states.iter().any(|s| matches!(s, None | Some(KindState::Discovering | KindState::Loading { .. }))) {
        ("Loading…".to_string(), theme.muted)
    } else if let Some(KindState::Failed(message)) = states.iter().flatten().find(|s| matches!(s, KindState::Failed(_)))
    {
        (format!("Cannot list: {message} (retrying)"), theme.failed)
    } else {
        let namespace = state.namespace.as_deref().map(|ns| format!(" in namespace {ns}")).unwrap_or_default();
        (format!("No objects{namespace}"), theme.muted)
    };
    let paragraph =
        Paragraph::new(Line::from(Span::styled(text, style))).alignment(Alignment::Center).wrap(Wrap { trim: true });
    let y = area.y + area.height / 3;
    let height = area.bottom().saturating_sub(y);
    frame.render_widget(paragraph, Rect::new(area.x, y, area.width, height));
}

/// For tables of several kinds, names the kinds that could not be listed, on the bottom border.
fn draw_unavailable_kinds(frame: &mut Frame, state: &AppState, main: Rect, kinds: &[FluxKind]) {
    let mut not_installed = Vec::new();
    let mut no_access = Vec::new();
    for kind in kinds {
        match state.kind_states.get(kind) {
            Some(KindState::NotInstalled) => not_installed.push(kind.name()),
            Some(KindState::NoAccess(_)) => no_access.push(kind.name()),
            _ => {}
        }
    }
    let mut parts = Vec::new();
    if !no_access.is_empty() {
        parts.push(format!("no access: {}", no_access.join(", ")));
    }
    if !not_installed.is_empty() {
        parts.push(format!("not installed: {}", not_installed.join(", ")));
    }
    if parts.is_empty() || main.height < 2 || main.width < 6 {
        return;
    }
    let text = ellipsize(&format!(" {} ", parts.join("; ")), main.width as usize - 4).into_owned();
    let area = Rect::new(main.x + 2, main.bottom() - 1, text.width() as u16, 1);
    frame.render_widget(Paragraph::new(Span::styled(text, state.theme.muted)), area);
}

/// The selected row's full message (the table ellipsizes it).
fn draw_detail(frame: &mut Frame, state: &AppState, area: Rect, table: &TableView) {
    let theme = &state.theme;
    let Some(row) = table.selected_row() else { return };
    let line = Line::from(vec![
        Span::styled(format!("{}/{}/{}: ", row.key.kind, row.key.namespace, row.key.name), theme.header_label),
        Span::styled(row.message.clone(), theme.readiness(row.readiness)),
    ]);
    frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: false }), area);
}

fn pad(text: &str, width: usize) -> String {
    let cut = ellipsize(text, width);
    let used = cut.width();
    let mut out = cut.into_owned();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}
