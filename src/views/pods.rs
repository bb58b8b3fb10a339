//! The pods of a workload: name, ready containers, status, restarts, age and node, like `kubectl get pods`.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::app::insight::PodsView;
use crate::app::state::AppState;
use crate::model::age;
use crate::model::tree::LiveStatus;

pub fn draw(frame: &mut Frame, state: &AppState, area: Rect, view: &PodsView) {
    let theme = &state.theme;
    let owner = &view.owner;
    let mut title = vec![Span::styled(
        format!(" Pods of {}/{}/{}[{}] ", owner.kind, owner.namespace, owner.name, view.rows.len()),
        theme.title,
    )];
    if view.loading {
        title.push(Span::styled("(reading…) ", theme.muted));
    } else if !view.selector.is_empty() {
        title.push(Span::styled(format!("{} ", view.selector), theme.muted));
    }
    let block = Block::bordered().border_style(theme.frame).title(Line::from(title).alignment(Alignment::Center));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(error) = &view.error {
        frame.render_widget(Paragraph::new(Span::styled(error.as_str(), theme.error)), inner);
        return;
    }
    let name_width = view.rows.iter().map(|row| row.name.len()).max().unwrap_or(4).clamp(4, 60);
    let format_row = |name: &str, ready: &str, status: &str, restarts: &str, age: &str, node: &str| {
        format!(" {name:<name_width$}  {ready:<6} {status:<18} {restarts:<9} {age:<6} {node}")
    };
    let mut lines =
        vec![Line::styled(format_row("NAME", "READY", "STATUS", "RESTARTS", "AGE", "NODE"), theme.table_header)];
    if view.rows.is_empty() && !view.loading {
        lines.push(Line::styled(" no pods match", theme.muted));
    }
    let height = (inner.height as usize).saturating_sub(1);
    for (index, row) in view.rows.iter().enumerate().skip(view.offset).take(height) {
        let age = age(row.created, state.now);
        let text = format_row(&row.name, &row.ready, &row.status, &row.restarts.to_string(), &age, &row.node);
        let style = if index == view.selected {
            theme.selected
        } else {
            match row.live {
                LiveStatus::Current => theme.body,
                LiveStatus::InProgress => theme.reconciling,
                _ => theme.failed,
            }
        };
        lines.push(Line::styled(text, style));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
