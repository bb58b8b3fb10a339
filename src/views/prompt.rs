//! The filter (`/`) and command (`:`) lines, drawn as a framed box above the pane like k9s.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use unicode_width::UnicodeWidthStr;

use crate::app::command;
use crate::app::state::{AppState, Mode};

pub fn draw(frame: &mut Frame, state: &AppState, area: Rect) {
    let theme = &state.theme;
    let (symbol, title) = match state.mode {
        Mode::Filter => ("/", " filter: text, regex, !invert, -l key=value "),
        Mode::Command => (":", " command (tab completes, ↑↓ history) "),
        Mode::Normal => return,
    };
    let block = Block::bordered().border_style(theme.prompt).title(Span::styled(title, theme.muted));
    let inner = block.inner(area);
    let mut spans = vec![Span::styled(format!("{symbol} "), theme.prompt), Span::styled(&state.input.text, theme.body)];
    if state.mode == Mode::Command
        && let Some(completed) =
            command::complete(&state.input.text, &state.namespaces, &state.contexts, &state.theme_names)
        && let Some(rest) = completed.strip_prefix(state.input.text.as_str())
    {
        // The completion Tab would insert, shown greyed after the cursor.
        spans.push(Span::styled(rest.trim_end().to_string(), theme.muted));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).block(block), area);
    let before: String = state.input.text.chars().take(state.input.cursor).collect();
    let x = inner.x + 2 + before.width() as u16;
    if x < inner.right() {
        frame.set_cursor_position(Position::new(x, inner.y));
    }
}
