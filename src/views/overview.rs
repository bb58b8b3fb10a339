//! The overview: objects per kind and state, the failing objects first, the controllers' health, versions.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::api::FluxKind;
use crate::app::state::AppState;
use crate::cluster::KindState;

use super::ellipsize;

pub fn draw(frame: &mut Frame, state: &AppState, area: Rect, selected: usize) {
    let theme = &state.theme;
    let block = Block::bordered()
        .border_style(theme.frame)
        .title(Line::from(Span::styled(" Overview ", theme.title)).alignment(Alignment::Center));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [left, right] = Layout::horizontal([Constraint::Length(66), Constraint::Fill(1)]).areas(inner);
    let (left, right) = if inner.width < 100 {
        // Narrow terminals stack the sections, what needs attention first.
        let [top, bottom] = Layout::vertical([Constraint::Percentage(50), Constraint::Fill(1)]).areas(inner);
        (bottom, top)
    } else {
        (left, right)
    };
    draw_counts(frame, state, left);
    draw_failures_and_controllers(frame, state, right, selected);
}

fn draw_counts(frame: &mut Frame, state: &AppState, area: Rect) {
    let theme = &state.theme;
    let mut lines = vec![Line::from(Span::styled(
        format!("{:<22}{:>6}{:>7}{:>9}{:>8}{:>10}", "KIND", "TOTAL", "READY", "FAILING", "RECONC", "SUSPENDED"),
        theme.table_header,
    ))];
    let mut unavailable = Vec::new();
    for kind in FluxKind::ALL {
        let counts = state.overview.per_kind.iter().find(|counts| counts.kind == kind);
        match state.kind_states.get(&kind) {
            Some(KindState::NotInstalled) => {
                unavailable.push(format!("{kind}: not installed"));
                continue;
            }
            Some(KindState::NoAccess(_)) => {
                unavailable.push(format!("{kind}: no access"));
                continue;
            }
            _ => {}
        }
        let Some(counts) = counts.filter(|counts| counts.total > 0) else { continue };
        let number = |n: usize, style| Span::styled(if n == 0 { "-".to_string() } else { n.to_string() }, style);
        let cell = |n: usize, width: usize, style| {
            let span = number(n, style);
            Span::styled(format!("{:>width$}", span.content), span.style)
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{:<22}", kind.name()), theme.body),
            cell(counts.total, 6, theme.body),
            cell(counts.ready, 7, theme.ready),
            cell(counts.failing, 9, theme.failed),
            cell(counts.reconciling, 8, theme.reconciling),
            cell(counts.suspended, 10, theme.suspended),
        ]));
    }
    if lines.len() == 1 {
        lines.push(Line::from(Span::styled("No Flux objects yet", theme.muted)));
    }
    if !unavailable.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::from(Span::styled(
            ellipsize(&unavailable.join(", "), area.width as usize).into_owned(),
            theme.muted,
        )));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn draw_failures_and_controllers(frame: &mut Frame, state: &AppState, area: Rect, selected: usize) {
    let theme = &state.theme;
    let width = area.width as usize;
    let mut controllers = vec![Line::raw(""), Line::from(Span::styled("Controllers", theme.table_header))];
    if state.info.controllers.is_empty() {
        controllers.push(Line::from(Span::styled("no Flux controllers found in this cluster", theme.muted)));
    }
    for controller in &state.info.controllers {
        let healthy = controller.ready_replicas >= controller.desired_replicas && controller.desired_replicas > 0;
        let version = controller.image.rsplit(':').next().unwrap_or("");
        controllers.push(Line::from(vec![
            Span::styled(format!("{:<40} ", format!("{}/{}", controller.namespace, controller.name)), theme.body),
            Span::styled(
                format!("{}/{} ", controller.ready_replicas, controller.desired_replicas),
                if healthy { theme.ready } else { theme.failed },
            ),
            Span::styled(version.to_string(), theme.muted),
        ]));
    }
    // What needs attention comes first; the controllers get the lines left below it.
    let mut lines = vec![Line::from(Span::styled("Needs attention", theme.table_header))];
    if state.overview.failing.is_empty() {
        lines.push(Line::from(Span::styled("everything is ready", theme.ready)));
    }
    let room = (area.height as usize).saturating_sub(1 + controllers.len().min(4)).max(1);
    // Keep the selected object in view when the list is longer than the room.
    let first = selected.saturating_sub(room - 1);
    for (index, row) in state.overview.failing.iter().enumerate().skip(first).take(room) {
        let name = format!("{} {}/{}", row.key.kind, row.key.namespace, row.key.name);
        let text = format!("{:<width$}", format!("{name}: {}", row.message));
        let style = if index == selected { theme.selected } else { theme.readiness(row.readiness) };
        lines.push(Line::from(Span::styled(ellipsize(&text, width).into_owned(), style)));
    }
    lines.extend(controllers);
    frame.render_widget(Paragraph::new(lines), area);
}
