//! The action log: every write of the session, newest first, with its targets, its outcome (or "pending") and
//! how long it took.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use unicode_width::UnicodeWidthStr;

use crate::app::operations::Severity;
use crate::app::state::AppState;
use crate::model::human_duration;

use super::ellipsize;

// Times are UTC, as the API server's are, so they compare with `kubectl get events` directly.
const TIME: usize = 8;
// Times are UTC, as the API server's timestamps are, so they compare with `kubectl get events` directly.
const ACTION: usize = 22;
const TARGETS: usize = 36;
const DURATION: usize = 8;

pub fn draw(frame: &mut Frame, state: &AppState, area: Rect, scroll: usize) {
    let theme = &state.theme;
    let count = state.operations.list.len();
    let block = Block::bordered()
        .border_style(theme.frame)
        .title(Line::from(Span::styled(format!(" Actions[{count}] "), theme.title)).alignment(Alignment::Center));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let targets_width = TARGETS.min((inner.width as usize).saturating_sub(TIME + ACTION + DURATION + 24));
    let result_width = (inner.width as usize).saturating_sub(TIME + ACTION + targets_width + DURATION + 4);
    let cell = |text: &str, width: usize| {
        let cut = ellipsize(text, width).into_owned();
        let pad = width.saturating_sub(cut.width());
        format!("{cut}{} ", " ".repeat(pad))
    };
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "{}{}{}{}{}",
            cell("TIME UTC", TIME),
            cell("ACTION", ACTION),
            cell("TARGETS", targets_width),
            cell("DURATION", DURATION),
            cell("RESULT", result_width)
        ),
        theme.table_header,
    ))];
    if count == 0 {
        lines.push(Line::from(Span::styled("No actions yet in this session", theme.muted)));
    }
    for operation in state.operations.newest_first().skip(scroll).take(inner.height as usize - 1) {
        let time = operation.started.format("%H:%M:%S").to_string();
        let (result, style) = match operation.severity() {
            Severity::Progress => (format!("pending: {}", operation.result_text(state.now)), theme.reconciling),
            Severity::Success => (operation.result_text(state.now), theme.ready),
            Severity::Failure => (operation.result_text(state.now), theme.failed),
        };
        let targets = operation
            .targets
            .iter()
            .map(|target| crate::app::operations::describe_key(&target.key))
            .collect::<Vec<_>>()
            .join(", ");
        let targets = if targets.is_empty() { "-".to_string() } else { targets };
        lines.push(Line::from(vec![
            Span::styled(cell(&time, TIME), theme.muted),
            Span::styled(cell(operation.action.name(), ACTION), theme.body),
            Span::styled(cell(&targets, targets_width), theme.body),
            Span::styled(cell(&human_duration(operation.duration(state.now)), DURATION), theme.muted),
            Span::styled(cell(&result, result_width), style),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
