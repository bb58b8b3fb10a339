//! The describe and YAML views: styled lines, scrolled vertically and horizontally, optionally wrapped.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::app::state::{AppState, Detail};

pub fn draw(frame: &mut Frame, state: &AppState, area: Rect, what: &str, detail: &Detail) {
    let theme = &state.theme;
    let key = &detail.key;
    let mut title = vec![Span::styled(format!(" {what} {}/{}/{} ", key.kind, key.namespace, key.name), theme.title)];
    if detail.gone {
        title.push(Span::styled("(deleted) ", theme.failed));
    }
    title.push(Span::styled(
        if detail.reveal { "[secrets shown] " } else { "[secrets masked] " },
        if detail.reveal { theme.warning } else { theme.muted },
    ));
    let block = Block::bordered().border_style(theme.frame).title(Line::from(title).alignment(Alignment::Center));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let end = (detail.scroll + inner.height as usize).min(detail.lines.len());
    let start = detail.scroll.min(end);
    let lines: Vec<Line> = detail.lines[start..end]
        .iter()
        .map(|line| {
            Line::from(
                line.spans
                    .iter()
                    .map(|span| Span::styled(span.text.as_str(), theme.text(span.class)))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    let mut paragraph = Paragraph::new(lines);
    if detail.wrap {
        paragraph = paragraph.wrap(Wrap { trim: false });
    } else {
        paragraph = paragraph.scroll((0, detail.horizontal_scroll.min(u16::MAX as usize) as u16));
    }
    frame.render_widget(paragraph, inner);
}
