//! The dependency graph: a summary line (size, cycles, missing dependencies), the selected node's blocking chain
//! in words, then the laid-out graph as an indented DAG, one line per node, layered by depth. Each node shows its
//! live status and message and what it depends on; the nodes of the selected node's blocking chain are marked.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::app::state::AppState;
use crate::app::update::{GRAPH_HEADER_LINES, GraphView};
use crate::model::Readiness;
use crate::model::depgraph::{GraphLine, GraphNode};

use super::ellipsize;

/// Indentation per layer, capped so that deep chains keep their names on screen.
const INDENT: usize = 3;
const MAX_INDENT_LAYERS: usize = 12;

pub fn draw(frame: &mut Frame, state: &AppState, area: Rect, view: &GraphView) {
    let theme = &state.theme;
    let mut title = vec![Span::styled(
        match &view.focus {
            Some(key) => format!(" Dependencies of {} {}/{} ", key.kind, key.namespace, key.name),
            None => " Dependencies (every graph) ".to_string(),
        },
        theme.title,
    )];
    if view.gone {
        title.push(Span::styled("(deleted) ", theme.failed));
    }
    let block = Block::bordered().border_style(theme.frame).title(Line::from(title).alignment(Alignment::Center));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let width = inner.width as usize;
    let graph = &view.graph;
    let problems = !graph.cycles.is_empty() || !graph.missing.is_empty();
    let summary = Line::from(Span::styled(
        ellipsize(&graph.summary(), width).into_owned(),
        if problems { theme.warning } else { theme.muted },
    ));
    // The chain is the point of the screen: it may take two lines (wrapped) before it is cut.
    let explanation = match &view.explanation {
        Some(text) => Line::from(Span::styled(text.as_str(), theme.failed)),
        None if graph.lines.is_empty() => {
            Line::from(Span::styled("No Kustomization or HelmRelease here has dependsOn.", theme.muted))
        }
        None => Line::from(Span::styled("Nothing blocks the selected object.", theme.ready)),
    };
    let header_height = (GRAPH_HEADER_LINES as u16).min(inner.height);
    frame.render_widget(Paragraph::new(summary), Rect::new(inner.x, inner.y, inner.width, header_height.min(1)));
    frame.render_widget(
        Paragraph::new(explanation).wrap(Wrap { trim: true }),
        Rect::new(inner.x, inner.y + header_height.min(1), inner.width, header_height.saturating_sub(1)),
    );
    let body = Rect::new(inner.x, inner.y + header_height, inner.width, inner.height - header_height);
    let end = (view.offset + body.height as usize).min(graph.lines.len());
    let body_lines: Vec<Line> = (view.offset.min(end)..end)
        .map(|index| match graph.lines[index] {
            GraphLine::Component { number, nodes } => Line::from(Span::styled(
                format!(
                    "── graph {number} of {} · {nodes} object{} ",
                    graph.components,
                    if nodes == 1 { "" } else { "s" }
                ),
                theme.table_header,
            )),
            GraphLine::Node(node) => node_line(state, view, node, index == view.selected),
        })
        .collect();
    // Sideways scrolling moves the graph, not the header lines.
    let scroll = view.horizontal_scroll.min(u16::MAX as usize) as u16;
    frame.render_widget(Paragraph::new(body_lines).scroll((0, scroll)), body);
}

/// One node: indentation by layer, a connector, the status mark, kind and name, status, what it depends on, and
/// the message.
fn node_line<'a>(state: &'a AppState, view: &'a GraphView, index: usize, selected: bool) -> Line<'a> {
    let theme = &state.theme;
    let graph = &view.graph;
    let node = &graph.nodes[index];
    let depth = node.layer.min(MAX_INDENT_LAYERS);
    let mut indent = " ".repeat(depth * INDENT);
    if node.layer > MAX_INDENT_LAYERS {
        indent.push_str(&format!("+{} ", node.layer - MAX_INDENT_LAYERS));
    }
    // Roots get a dot; a node in a cycle may sit on the first layer yet have dependencies, so the connector
    // follows its dependencies rather than its layer.
    let connector = if node.dependencies.is_empty() { "● " } else { "└▶ " };
    let (mark, status, style) = status_of(state, node);
    let in_chain = view.chain.contains(&index);
    let mut spans = vec![
        Span::styled(if selected { "›" } else { " " }, theme.key),
        Span::raw(indent),
        Span::styled(connector, theme.muted),
        Span::styled(format!("{mark} "), style),
        Span::styled(format!("{} ", short_kind(node)), theme.muted),
        Span::styled(
            format!("{}/{}", node.key.namespace, node.key.name),
            if node.exists() { theme.body } else { theme.failed },
        ),
        Span::raw("  "),
        Span::styled(status, style),
    ];
    if node.in_cycle {
        spans.push(Span::styled("  ⟲ cycle", theme.warning));
    }
    if in_chain {
        spans.push(Span::styled("  ◀ blocks", theme.warning.add_modifier(Modifier::BOLD)));
    }
    if !node.dependencies.is_empty() {
        let names: Vec<String> = node
            .dependencies
            .iter()
            .map(|dependency| {
                let target = &graph.nodes[dependency.node].key;
                let name = if target.namespace == node.key.namespace {
                    target.name.clone()
                } else {
                    format!("{}/{}", target.namespace, target.name)
                };
                if dependency.ready_expr.is_some() { format!("{name} (readyExpr)") } else { name }
            })
            .collect();
        spans.push(Span::styled(format!("  needs {}", names.join(", ")), theme.muted));
    }
    let message = node.message();
    if !message.is_empty() {
        spans.push(Span::styled(format!("  {message}"), theme.muted));
    }
    let mut line = Line::from(spans);
    if selected {
        line = line.patch_style(theme.selected);
    } else if in_chain {
        line = line.patch_style(Style::default().add_modifier(Modifier::BOLD));
    }
    line
}

fn short_kind(node: &GraphNode) -> &'static str {
    match node.key.kind {
        crate::api::FluxKind::Kustomization => "ks",
        crate::api::FluxKind::HelmRelease => "hr",
        _ => "",
    }
}

fn status_of(state: &AppState, node: &GraphNode) -> (&'static str, &'static str, Style) {
    let theme = &state.theme;
    match node.readiness() {
        None => ("?", "Missing", theme.failed),
        Some(Readiness::Ready) => ("✔", "Ready", theme.ready),
        Some(Readiness::Failed) => ("✗", "Failed", theme.failed),
        Some(Readiness::Reconciling) => ("◷", "Reconciling", theme.reconciling),
        Some(Readiness::Suspended) => ("‖", "Suspended", theme.suspended),
        Some(Readiness::Unknown) => ("·", "Unknown", theme.unknown),
    }
}
