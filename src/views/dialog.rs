//! A confirmation dialog (delete): the objects and what deleting them does, centered over the screen, with the
//! keys that answer it. It is modal: while it is up, keys answer it and nothing else.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::app::state::AppState;
use crate::app::update::Confirmation;

pub fn draw(frame: &mut Frame, state: &AppState, area: Rect, dialog: &Confirmation) {
    let theme = &state.theme;
    let width = area.width.saturating_sub(4).min(90);
    if width < 20 || area.height < 6 {
        return;
    }
    let inner_width = width.saturating_sub(4) as usize;
    // Each line wraps; count the wrapped height so the box fits its text.
    let wrapped: usize = dialog.lines.iter().map(|line| line.chars().count().div_ceil(inner_width).max(1)).sum();
    let height = ((wrapped + 4) as u16 + 2).min(area.height);
    let x = area.x + (area.width - width) / 2;
    let y = area.y + area.height.saturating_sub(height) / 2;
    let rect = Rect::new(x, y, width, height);
    let mut lines: Vec<Line> = Vec::new();
    lines.push(Line::default());
    lines.extend(dialog.lines.iter().map(|line| Line::from(Span::styled(line.clone(), theme.body))));
    lines.push(Line::default());
    lines.push(
        Line::from(vec![
            Span::styled("y", theme.key),
            Span::styled("/", theme.muted),
            Span::styled("enter", theme.key),
            Span::styled(format!(" {}   ", dialog.action.name()), theme.body),
            Span::styled("n", theme.key),
            Span::styled("/", theme.muted),
            Span::styled("esc", theme.key),
            Span::styled(" cancel", theme.body),
        ])
        .alignment(Alignment::Center),
    );
    let block = Block::bordered()
        .border_style(theme.failed)
        .title(Line::from(Span::styled(format!(" {} ", dialog.title), theme.title)).alignment(Alignment::Center));
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(block.padding(ratatui::widgets::Padding::horizontal(1))).wrap(Wrap { trim: false }),
        rect,
    );
}
