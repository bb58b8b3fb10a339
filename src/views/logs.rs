//! The logs view: parsed lines (time, level, source, object, message, fields) or plain lines with their colours
//! (through ansi-to-tui, so escapes are never printed raw), search matches highlighted, and a status line that
//! says whether the view follows or is paused with how many lines arrived since. Only the lines on screen are
//! styled.

use ansi_to_tui::IntoText;
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use crate::app::action::Action;
use crate::app::state::AppState;
use crate::app::theme::Theme;
use crate::app::update::logs::LogView;
use crate::cluster::logs::LogStatus;
use crate::model::logs::{LogLevel, LogLine, object_label};

pub fn draw(frame: &mut Frame, state: &AppState, area: Rect, view: &LogView) {
    let theme = &state.theme;
    let mut title = vec![Span::styled(format!(" Logs {} ", view.target.label()), theme.title)];
    title.push(Span::styled(format!("[{}] ", view.visible.len()), theme.title));
    if view.level != crate::model::logs::LevelFilter::All {
        title.push(Span::styled(format!("<level {}> ", view.level.label()), theme.prompt));
    }
    if !view.search.is_empty() {
        title.push(Span::styled(format!("</{}> {} matches ", view.search, view.matches.len()), theme.prompt));
    }
    let block = Block::bordered().border_style(theme.frame).title(Line::from(title).alignment(Alignment::Center));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 2 {
        return;
    }
    let body = Rect { height: inner.height - 1, ..inner };
    let status_area = Rect { y: inner.bottom() - 1, height: 1, ..inner };
    frame.render_widget(Paragraph::new(status_line(state, view)), status_area);

    if view.visible.is_empty() {
        let text = if view.buffer.is_empty() {
            match &view.status {
                Some(LogStatus::Following(sources)) if sources.is_empty() => {
                    "no Flux controller pod is running here yet; lines appear as soon as one starts".to_string()
                }
                Some(LogStatus::Following(_)) => "waiting for lines…".to_string(),
                Some(LogStatus::Error(error)) => error.clone(),
                None => "looking for the pods…".to_string(),
            }
        } else {
            format!("no line at level {} (the level filter hides {})", view.level.label(), view.buffer.len())
        };
        frame.render_widget(Paragraph::new(Span::styled(text, theme.muted)).wrap(Wrap { trim: true }), body);
        return;
    }

    let height = body.height as usize;
    let width = body.width.max(1) as usize;
    // Sources padded to the widest on screen, so levels and objects line up.
    let source_width = view.visible[view.visible.len().saturating_sub(height * 2)..]
        .iter()
        .map(|line| line.source.width())
        .max()
        .unwrap_or(0)
        .min(28);
    let start = if view.follow && view.wrap {
        // Following with wrapping: as many of the newest lines as fit once wrapped.
        let mut used = 0;
        let mut start = view.visible.len();
        while start > 0 {
            let line = styled_line(&view.visible[start - 1], theme, source_width);
            // The rows ratatui's word wrap will take, not an estimate: the newest line must never be cut off.
            let rows = Paragraph::new(line).wrap(Wrap { trim: false }).line_count(width as u16).max(1);
            if used + rows > height {
                break;
            }
            used += rows;
            start -= 1;
        }
        start
    } else {
        view.first_line(height)
    };
    let current = view.current_match;
    let lines: Vec<Line> = view.visible[start..]
        .iter()
        .take(height)
        .enumerate()
        .map(|(offset, line)| {
            let index = start + offset;
            let highlight = !view.search.is_empty() && view.matches.binary_search(&index).is_ok();
            let mut rendered = styled_line(line, theme, source_width);
            if highlight {
                rendered = highlight_matches(rendered, &view.search, theme);
            }
            if current == Some(index) {
                rendered = rendered.patch_style(Style::default().add_modifier(Modifier::UNDERLINED));
            }
            rendered
        })
        .collect();
    let mut paragraph = Paragraph::new(lines);
    if view.wrap {
        paragraph = paragraph.wrap(Wrap { trim: false });
    } else {
        paragraph = paragraph.scroll((0, view.horizontal_scroll.min(u16::MAX as usize) as u16));
    }
    frame.render_widget(paragraph, body);
}

/// Following or paused (with the new lines), what is followed, and dropped lines.
fn status_line<'a>(state: &'a AppState, view: &'a LogView) -> Line<'a> {
    let theme = &state.theme;
    let key = |action: Action| state.keys_for(action).and_then(|keys| keys.first().cloned()).unwrap_or_default();
    let mut spans = Vec::new();
    if view.follow {
        spans.push(Span::styled("● following", theme.ready));
    } else {
        spans.push(Span::styled("❚❚ paused", theme.warning));
        if view.new_lines > 0 {
            spans.push(Span::styled(format!(" +{} new", view.new_lines), theme.warning));
        }
        spans.push(Span::styled(
            format!(" ({} or {} to follow)", key(Action::Bottom), key(Action::ToggleFollow)),
            theme.muted,
        ));
    }
    if view.wrap {
        spans.push(Span::styled("  wrap", theme.muted));
    }
    // Before the sources, which may run past the edge.
    let dropped = view.buffer.dropped + view.skipped;
    if dropped > 0 {
        spans.push(Span::styled(
            format!("  {dropped} older lines dropped (limit {})", view.buffer.limit()),
            theme.muted,
        ));
    }
    match &view.status {
        Some(LogStatus::Following(sources)) => {
            spans.push(Span::styled(format!("  {} source(s): {}", sources.len(), sources.join(", ")), theme.muted));
        }
        Some(LogStatus::Error(error)) => spans.push(Span::styled(format!("  {error}"), theme.error)),
        None => {}
    }
    Line::from(spans)
}

fn level_style(level: LogLevel, theme: &Theme) -> Style {
    match level {
        LogLevel::Error => theme.failed,
        LogLevel::Warn => theme.warning,
        LogLevel::Info => theme.ready,
        LogLevel::Debug | LogLevel::Trace | LogLevel::Unknown => theme.muted,
    }
}

/// One line's spans: `time level source object logger: message error=… key=value…`, or the plain text with its
/// colours.
pub fn styled_line<'a>(line: &'a LogLine, theme: &Theme, source_width: usize) -> Line<'a> {
    let mut spans = Vec::new();
    match line.time {
        Some(time) => spans.push(Span::styled(time.format("%H:%M:%S%.3f ").to_string(), theme.muted)),
        None => spans.push(Span::styled("             ", theme.muted)),
    }
    spans.push(Span::styled(format!("{:<source_width$} ", line.source), theme.key));
    if !line.json {
        let text = line.message.as_bytes().into_text().ok();
        match text.and_then(|text| text.lines.into_iter().next()) {
            Some(colored) => spans.extend(colored.spans),
            None => spans.push(Span::styled(crate::model::logs::strip_ansi(&line.message), theme.body)),
        }
        return Line::from(spans);
    }
    spans.push(Span::styled(format!("{:<5} ", line.level.label()), level_style(line.level, theme)));
    if let Some(object) = &line.object {
        spans.push(Span::styled(format!("{} ", object_label(object)), theme.yaml_key));
    }
    if let Some(logger) = &line.logger {
        spans.push(Span::styled(format!("{logger}: "), theme.muted));
    }
    spans.push(Span::styled(line.message.as_str(), theme.body));
    if let Some(error) = &line.error {
        spans.push(Span::styled(" error=", theme.failed));
        spans.push(Span::styled(error.as_str(), theme.failed));
    }
    for (key, value) in &line.fields {
        spans.push(Span::styled(format!(" {key}="), theme.muted));
        spans.push(Span::styled(value.as_str(), theme.body));
    }
    Line::from(spans)
}

/// Splits spans around each case-insensitive occurrence of `query` and gives the occurrences the highlight style.
fn highlight_matches<'a>(line: Line<'a>, query: &str, theme: &Theme) -> Line<'a> {
    let highlight = theme.selected.add_modifier(Modifier::BOLD);
    let mut spans = Vec::new();
    for span in line.spans {
        let text = span.content.to_string();
        let lower = text.to_ascii_lowercase();
        let mut at = 0;
        while let Some(found) = lower[at..].find(query) {
            let begin = at + found;
            let end = begin + query.len();
            if !text.is_char_boundary(begin) || !text.is_char_boundary(end) {
                break;
            }
            if begin > at {
                spans.push(Span::styled(text[at..begin].to_string(), span.style));
            }
            spans.push(Span::styled(text[begin..end].to_string(), span.style.patch(highlight)));
            at = end;
        }
        if at < text.len() {
            spans.push(Span::styled(text[at..].to_string(), span.style));
        }
    }
    Line::from(spans)
}
