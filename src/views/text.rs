//! The describe and YAML views: styled lines, scrolled vertically and horizontally, optionally wrapped.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::app::state::{AppState, Detail};
use crate::model::StyledLine;

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
    draw_lines(frame, state, inner, &detail.lines, (detail.scroll, detail.horizontal_scroll), detail.wrap);
}

/// The lines on screen from `scroll` (vertical, horizontal), styled by the theme; wrapped lines do not scroll
/// sideways. Shared by every view of styled text.
pub fn draw_lines(
    frame: &mut Frame,
    state: &AppState,
    inner: Rect,
    lines: &[StyledLine],
    (scroll, horizontal_scroll): (usize, usize),
    wrap: bool,
) {
    let theme = &state.theme;
    let end = (scroll + inner.height as usize).min(lines.len());
    let start = scroll.min(end);
    let lines: Vec<Line> = lines[start..end]
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
    if wrap {
        paragraph = paragraph.wrap(Wrap { trim: false });
    } else {
        paragraph = paragraph.scroll((0, horizontal_scroll.min(u16::MAX as usize) as u16));
    }
    frame.render_widget(paragraph, inner);
}
