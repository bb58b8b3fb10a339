//! The help view, generated from the active keymap and each action's description.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::app::state::AppState;

/// Commands typed after `:`, listed under the keys.
const COMMANDS: &[(&str, &str)] = &[
    (":all :sources :notifications :images :fav", "panes"),
    (":ks :hr :gitrepo :ocirepo :helmrepo :hc :bucket", "one kind"),
    (":alert :provider :receiver :imagerepo :imagepolicy :iua", "one kind"),
    (":overview", "counts, failures, controllers"),
    (":graph [all]  :deps  :edit", "dependsOn graph (of the selected object, or all), edit the selected object"),
    (":ns [name|all]  :ctx [name]  :theme [name]", "namespace, context, theme (pickers without a name)"),
    (":help  :q", "this help, quit"),
    (":tree  :trace  :values :history  :pods", "tree, trace, HelmRelease detail, pods of the selection"),
];

pub fn draw(frame: &mut Frame, state: &AppState, area: Rect, scroll: usize) {
    let theme = &state.theme;
    let block = Block::bordered()
        .border_style(theme.frame)
        .title(Line::from(Span::styled(" Help ", theme.title)).alignment(Alignment::Center));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let key_width = state.bindings.iter().map(|(_, keys)| keys.join(", ").len()).max().unwrap_or(0).min(24);
    let mut lines = vec![Line::from(Span::styled("Keys", theme.table_header))];
    for (action, keys) in &state.bindings {
        // Read-only mode hides every write.
        if keys.is_empty() || (state.readonly && action.writes()) {
            continue;
        }
        lines.push(Line::from(vec![
            Span::styled(format!("{:<key_width$}  ", keys.join(", ")), theme.key),
            Span::styled(action.description(), theme.body),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled("Commands", theme.table_header)));
    for (command, meaning) in COMMANDS {
        lines.push(Line::from(vec![
            Span::styled(format!("{command:<56}"), theme.key),
            Span::styled(*meaning, theme.body),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled("Filters", theme.table_header)));
    for (example, meaning) in [
        ("text", "rows containing text (name, namespace, kind, revision, message)"),
        ("fail|err.*", "a regular expression"),
        ("!text", "rows not matching"),
        ("-l app=podinfo,tier!=db", "a label selector"),
    ] {
        lines.push(Line::from(vec![
            Span::styled(format!("{example:<26}"), theme.key),
            Span::styled(meaning, theme.body),
        ]));
    }
    let scroll = scroll.min(lines.len().saturating_sub(inner.height as usize));
    frame.render_widget(Paragraph::new(lines).scroll((scroll.min(u16::MAX as usize) as u16, 0)), inner);
}
