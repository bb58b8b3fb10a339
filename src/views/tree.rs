//! The tree screen: `flux tree` drawn with tui-tree-widget, each node with its live status and why.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, StatefulWidget};
use tui_tree_widget::{Tree, TreeItem, TreeState};

use crate::app::insight::TreeView;
use crate::app::state::AppState;
use crate::app::theme::Theme;
use crate::model::tree::{LiveStatus, TreeNode};

fn status_style(theme: &Theme, status: LiveStatus) -> ratatui::style::Style {
    match status {
        LiveStatus::Current => theme.ready,
        LiveStatus::InProgress => theme.reconciling,
        LiveStatus::Unknown => theme.unknown,
        LiveStatus::Failed | LiveStatus::NotFound | LiveStatus::Forbidden | LiveStatus::Invalid => theme.failed,
    }
}

fn item<'a>(theme: &Theme, node: &'a TreeNode, identifier: usize) -> TreeItem<'a, usize> {
    let mut spans = vec![Span::styled(node.label(), theme.body), Span::raw("  ")];
    spans.push(Span::styled(node.status.label(), status_style(theme, node.status)));
    if !node.message.is_empty() {
        spans.push(Span::styled(format!("  {}", node.message), theme.muted));
    }
    let children: Vec<TreeItem<usize>> =
        node.children.iter().enumerate().map(|(index, child)| item(theme, child, index)).collect();
    // Identifiers are child indexes, unique among siblings by construction, so `new` cannot fail; a leaf is
    // the fallback all the same.
    TreeItem::new(identifier, Line::from(spans.clone()), children)
        .unwrap_or_else(|_| TreeItem::new_leaf(identifier, Line::from(spans)))
}

pub fn draw(frame: &mut Frame, state: &AppState, area: Rect, view: &TreeView) {
    let theme = &state.theme;
    let mut title = vec![Span::styled(format!(" Tree {} ", view.title()), theme.title)];
    if view.loading {
        title.push(Span::styled("(reading…) ", theme.muted));
    }
    let block = Block::bordered().border_style(theme.frame).title(Line::from(title).alignment(Alignment::Center));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(error) = &view.error {
        frame.render_widget(Paragraph::new(Span::styled(error.as_str(), theme.error)), inner);
        return;
    }
    let Some(tree) = &view.tree else {
        frame.render_widget(Paragraph::new(Span::styled("reading the objects…", theme.muted)), inner);
        return;
    };
    let items = [item(theme, tree, 0)];
    let Ok(widget) = Tree::new(&items) else { return };
    let widget = widget
        .highlight_style(theme.selected)
        .node_closed_symbol("▶ ")
        .node_open_symbol("▼ ")
        .node_no_children_symbol("  ");
    // The widget's state lives for one frame: the app keeps the opened and selected paths, and the offset.
    let mut widget_state = TreeState::default();
    for path in &view.opened {
        widget_state.open(std::iter::once(0).chain(path.iter().copied()).collect());
    }
    widget_state.select(std::iter::once(0).chain(view.selected.iter().copied()).collect());
    if view.offset > 0 {
        // The widget clamps its offset to what it drew last; a first pass off screen tells it the length.
        let mut scratch = Buffer::empty(inner);
        widget.clone().render(inner, &mut scratch, &mut widget_state);
        widget_state.scroll_down(view.offset);
        widget_state.select(std::iter::once(0).chain(view.selected.iter().copied()).collect());
    }
    frame.render_stateful_widget(widget, inner, &mut widget_state);
}
