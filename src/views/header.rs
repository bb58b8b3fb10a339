//! The header: where fluxtui is connected, the versions, and key hints from the active keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use crate::app::action::Action;
use crate::app::state::{AppState, Screen};

/// The actions hinted in the header, by screen; the keys come from the active keymap.
fn hinted_actions(screen: &Screen) -> &'static [Action] {
    match screen {
        Screen::Table { .. } => &[
            Action::Describe,
            Action::ShowYaml,
            Action::StartFilter,
            Action::StartCommand,
            Action::NextTab,
            Action::ToggleFavorite,
            Action::AllNamespaces,
            Action::ShowOverview,
            Action::Help,
            Action::Quit,
        ],
        Screen::Describe(_) | Screen::Yaml(_) => {
            &[Action::Describe, Action::ShowYaml, Action::RevealSecrets, Action::ToggleWrap, Action::Back, Action::Help]
        }
        Screen::Overview { .. } => {
            &[Action::Describe, Action::ShowYaml, Action::ShowAll, Action::StartCommand, Action::Help, Action::Quit]
        }
        Screen::Help { .. } | Screen::Picker(_) => &[Action::Open, Action::Back],
        Screen::ActionLog { .. } => &[Action::Back, Action::Help, Action::Quit],
        Screen::Tree(_) => &[
            Action::Open,
            Action::Describe,
            Action::ShowYaml,
            Action::ShowEvents,
            Action::ShowTrace,
            Action::ShowPods,
            Action::Back,
        ],
        Screen::Pods(_) => {
            &[Action::Describe, Action::ShowYaml, Action::ShowLogs, Action::ShowEvents, Action::ShowTrace, Action::Back]
        }
        Screen::Trace(_) | Screen::LiveObject(_) => {
            &[Action::ShowTrace, Action::ShowPods, Action::ToggleWrap, Action::Back]
        }
        Screen::HelmDetails(_) => &[Action::RevealSecrets, Action::ShowTree, Action::ToggleWrap, Action::Back],
        Screen::Diff(_) => &[Action::RevealSecrets, Action::ShowDiff, Action::ToggleWrap, Action::Back],
        Screen::Graph(_) => {
            &[Action::Describe, Action::ShowYaml, Action::ShowDependencyGraph, Action::Edit, Action::Back, Action::Help]
        }
        Screen::Events(_) => &[Action::StartFilter, Action::Top, Action::Back, Action::Help],
        Screen::Logs(_) => &[
            Action::ToggleFollow,
            Action::CycleLogLevel,
            Action::StartFilter,
            Action::ToggleWrap,
            Action::SaveLogs,
            Action::Back,
            Action::Help,
        ],
    }
}

pub fn draw(frame: &mut Frame, state: &AppState, area: Rect) {
    let theme = &state.theme;
    let label = |text: &'static str| Span::styled(text, theme.header_label);
    let value = |text: String| Span::styled(text, theme.header);
    let namespace = state.namespace.clone().unwrap_or_else(|| "all".to_string());
    let context = if state.location.context.is_empty() { "-".to_string() } else { state.location.context.clone() };
    let info_lines = vec![
        Line::from(vec![label("Context:   "), value(context)]),
        Line::from(vec![label("Cluster:   "), value(state.location.cluster_url.clone())]),
        Line::from(vec![
            label("K8s:       "),
            value(state.info.server_version.clone().unwrap_or_else(|| "-".to_string())),
            label("  Flux: "),
            value(state.info.flux_version.clone().unwrap_or_else(|| "-".to_string())),
        ]),
        Line::from(vec![
            label("Namespace: "),
            value(namespace),
            if state.readonly { Span::styled("  read-only", theme.warning) } else { Span::raw("") },
        ]),
    ];
    let mut info_lines = info_lines;
    if let Some(engine) = &state.engine {
        // On the Flux line: the engine stands where the Flux controllers would.
        let style = match engine {
            crate::app::engine::EngineStatus::Failed(_) => theme.warning,
            _ => theme.header,
        };
        info_lines[2].spans.extend([label("  Engine: "), Span::styled(engine.label(), style)]);
    }
    if area.height < 4 {
        // A short terminal gets one line: context and namespace.
        let line = Line::from(info_lines.into_iter().take(1).flat_map(|line| line.spans).collect::<Vec<_>>());
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    let info_width = info_lines.iter().map(Line::width).max().unwrap_or(0).max(40) as u16 + 2;
    let info_area = Rect::new(area.x, area.y, info_width.min(area.width), area.height);
    frame.render_widget(Paragraph::new(info_lines), info_area);

    // Hints fill columns of four to the right of the info block.
    let hints: Vec<(String, &str)> = hinted_actions(state.screen())
        .iter()
        .filter_map(|action| {
            let keys = state.keys_for(*action)?;
            let key = keys.first()?;
            Some((format!("<{key}>"), short_label(*action)))
        })
        .collect();
    let mut x = info_area.right() + 1;
    for column in hints.chunks(area.height as usize) {
        let key_width = column.iter().map(|(key, _)| key.width()).max().unwrap_or(0);
        let width = column.iter().map(|(_, label)| label.width()).max().unwrap_or(0) + key_width + 2;
        if x + width as u16 > area.right() {
            break;
        }
        let lines: Vec<Line> = column
            .iter()
            .map(|(key, label)| {
                Line::from(vec![
                    Span::styled(format!("{key:<key_width$} "), theme.key),
                    Span::styled(label.to_string(), theme.muted),
                ])
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), Rect::new(x, area.y, width as u16, area.height));
        x += width as u16 + 2;
    }
}

/// A hint's label: the first words of the action's description.
fn short_label(action: Action) -> &'static str {
    match action {
        Action::Describe => "describe",
        Action::ShowYaml => "yaml",
        Action::StartFilter => "filter",
        Action::StartCommand => "command",
        Action::NextTab => "next tab",
        Action::ToggleFavorite => "favorite",
        Action::AllNamespaces => "all namespaces",
        Action::ShowOverview => "overview",
        Action::ShowAll => "all objects",
        Action::Help => "help",
        Action::Quit => "quit",
        Action::RevealSecrets => "reveal secrets",
        // Only hinted on the diff screen, where the key computes the diff again.
        Action::ShowDiff => "recompute",
        Action::ToggleWrap => "wrap",
        Action::Back => "back",
        Action::Open => "choose",
        Action::ToggleFollow => "follow/pause",
        Action::CycleLogLevel => "level",
        Action::SaveLogs => "save",
        Action::Top => "top",
        other => other.name(),
    }
}
