//! The last line: breadcrumbs on the left, the flash message on the right.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use crate::app::state::AppState;

pub fn draw(frame: &mut Frame, state: &AppState, area: Rect) {
    let theme = &state.theme;
    let mut spans = Vec::new();
    let last = state.stack.len().saturating_sub(1);
    for (index, screen) in state.stack.iter().enumerate() {
        let style = if index == last { theme.crumb_active } else { theme.crumb };
        spans.push(Span::styled(format!(" <{}> ", screen.crumb()), style));
        spans.push(Span::raw(" "));
    }
    if let Some(pending) = &state.pending_keys {
        spans.push(Span::styled(format!(" {pending} … "), theme.key));
    }
    let used: usize = spans.iter().map(|span| span.content.width()).sum();
    if let Some(flash) = &state.flash {
        let room = (area.width as usize).saturating_sub(used + 1);
        let text = super::ellipsize(&flash.text, room).into_owned();
        let pad = room.saturating_sub(text.width());
        spans.push(Span::raw(" ".repeat(pad)));
        spans.push(Span::styled(text, if flash.is_error { theme.failed } else { theme.ready }));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
