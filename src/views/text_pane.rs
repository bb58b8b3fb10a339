//! A scrollable text screen of the insight panes (trace, HelmRelease detail, a Kustomization's diff, live objects): styled lines in a
//! frame titled with what they show, scrolled or wrapped like the describe view.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::app::insight::{PaneContent, TextPane};
use crate::app::state::AppState;

pub fn draw(frame: &mut Frame, state: &AppState, area: Rect, pane: &TextPane) {
    let theme = &state.theme;
    let what = match &pane.content {
        PaneContent::Trace { .. } => "Trace",
        PaneContent::HelmDetails { .. } => "HelmRelease",
        PaneContent::Diff { .. } => "Diff",
        PaneContent::Object { yaml: true, .. } => "YAML",
        PaneContent::Object { yaml: false, .. } => "Describe",
    };
    let name = pane
        .title
        .split_once(' ')
        .map(|(_, name)| name)
        .filter(|_| !matches!(pane.content, PaneContent::Object { .. }));
    let mut title = vec![Span::styled(format!(" {what} {} ", name.unwrap_or(&pane.title)), theme.title)];
    let masks = matches!(
        pane.content,
        PaneContent::HelmDetails { .. } | PaneContent::Diff { .. } | PaneContent::Object { yaml: true, .. }
    );
    if masks {
        title.push(Span::styled(
            if pane.reveal { "[secrets shown] " } else { "[secrets masked] " },
            if pane.reveal { theme.warning } else { theme.muted },
        ));
    }
    let block = Block::bordered().border_style(theme.frame).title(Line::from(title).alignment(Alignment::Center));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(error) = &pane.error {
        frame
            .render_widget(Paragraph::new(Span::styled(error.as_str(), theme.error)).wrap(Wrap { trim: false }), inner);
        return;
    }
    super::text::draw_lines(frame, state, inner, &pane.lines, (pane.scroll, pane.horizontal_scroll), pane.wrap);
}
