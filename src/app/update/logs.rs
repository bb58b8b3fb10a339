//! The logs view's state and its update step: opening it (controllers, controllers about one object, one pod),
//! taking the followers' batches into the bounded buffer, follow and pause (a paused view stays on its lines and
//! counts the new ones), the level filter, search, wrap and saving.

use std::sync::Arc;

use crate::app::action::Action;
use crate::app::layout::body_height;
use crate::app::state::{AppState, Mode, Screen};
use crate::cluster::logs::{LogBatch, LogStatus, LogTarget};
use crate::model::logs::{LevelFilter, LogBuffer, LogFilter, LogLine};

use super::Effect;

/// An open logs view.
#[derive(Debug, Clone)]
pub struct LogView {
    /// The number of the followers feeding this view.
    pub stream: u64,
    pub target: LogTarget,
    pub buffer: LogBuffer,
    /// The buffered lines the level filter lets through, in time order.
    pub visible: Vec<Arc<LogLine>>,
    pub level: LevelFilter,
    /// Following: the view shows the newest lines. Paused: it stays on `top`.
    pub follow: bool,
    /// While paused: the first line shown (an index into `visible`) and that line's number, to find it again
    /// after new lines arrive or old ones are dropped.
    pub top: usize,
    anchor: Option<u64>,
    /// Lines that arrived while paused.
    pub new_lines: usize,
    pub wrap: bool,
    pub horizontal_scroll: usize,
    /// The search (lower case), the visible lines that match it, and the one jumped to.
    pub search: String,
    pub matches: Vec<usize>,
    pub current_match: Option<usize>,
    /// Lines dropped by the followers before they reached the buffer (a burst larger than the limit).
    pub skipped: u64,
    pub status: Option<LogStatus>,
}

impl LogView {
    pub fn new(stream: u64, target: LogTarget, limit: usize) -> LogView {
        LogView {
            stream,
            target,
            buffer: LogBuffer::new(limit),
            visible: Vec::new(),
            level: LevelFilter::All,
            follow: true,
            top: 0,
            anchor: None,
            new_lines: 0,
            wrap: false,
            horizontal_scroll: 0,
            search: String::new(),
            matches: Vec::new(),
            current_match: None,
            skipped: 0,
            status: None,
        }
    }

    pub fn crumb(&self) -> String {
        match &self.target {
            LogTarget::Controllers { filter, .. } => match &filter.name {
                Some(name) => format!("logs {name}"),
                None => "logs".to_string(),
            },
            LogTarget::Pod { name, .. } => format!("logs {name}"),
        }
    }

    /// The first visible line to draw when the view is `height` lines high (following: the newest page).
    pub fn first_line(&self, height: usize) -> usize {
        if self.follow { self.visible.len().saturating_sub(height) } else { self.top.min(self.visible.len()) }
    }

    /// Recomputes the visible lines after the buffer or the level filter changed, keeping a paused view on the
    /// line it showed.
    fn refresh(&mut self) {
        let level = self.level;
        self.visible = self.buffer.lines().iter().filter(|line| level.accepts(line.level)).cloned().collect();
        if let Some(anchor) = self.anchor {
            // The anchor may have been dropped (the buffer is full): the view then starts at the oldest line kept.
            self.top = self.visible.iter().position(|line| line.seq >= anchor).unwrap_or(0);
            if let Some(line) = self.visible.get(self.top) {
                self.anchor = Some(line.seq);
            }
        }
        self.refresh_matches();
    }

    fn refresh_matches(&mut self) {
        if self.search.is_empty() {
            self.matches.clear();
            self.current_match = None;
            return;
        }
        let current_seq = self.current_match.and_then(|index| self.visible.get(index)).map(|line| line.seq);
        self.matches = self
            .visible
            .iter()
            .enumerate()
            .filter(|(_, line)| line.contains(&self.search))
            .map(|(index, _)| index)
            .collect();
        self.current_match = current_seq.and_then(|seq| self.visible.iter().position(|line| line.seq == seq));
    }

    fn pause_at(&mut self, top: usize) {
        self.follow = false;
        self.top = top.min(self.visible.len().saturating_sub(1));
        self.anchor = self.visible.get(self.top).map(|line| line.seq);
    }

    fn resume(&mut self) {
        self.follow = true;
        self.anchor = None;
        self.new_lines = 0;
    }
}

/// `l`: the controllers' lines about the selected object (`flux logs --kind --name --namespace`), or all of them
/// when nothing is selected.
pub fn show_logs(state: &mut AppState) -> Vec<Effect> {
    // On a tree node or in a workload's pods: a pod's own log; other objects that are not Flux objects have none.
    if let Some(reference) = super::insight_selection(state) {
        if reference.kind == "Pod" {
            let target = LogTarget::Pod { namespace: reference.namespace, name: reference.name, container: None };
            return open_logs(state, target);
        }
        if reference.flux_kind().is_none() {
            state.flash_error(format!(
                "{} {} has no log of its own: choose one of its pods (p), or a Flux object for its controller's logs",
                reference.kind, reference.name
            ));
            return Vec::new();
        }
    }
    let filter = super::selected_row(state)
        .map(|row| LogFilter {
            kind: Some(row.key.kind.name().to_string()),
            name: Some(row.key.name.clone()),
            namespace: Some(row.key.namespace.clone()).filter(|namespace| !namespace.is_empty()),
        })
        .unwrap_or_default();
    let namespace = state.flux_namespace.clone();
    open_logs(state, LogTarget::Controllers { namespace, filter })
}

/// Opens a logs view on any target (a pod chosen in the workload drill-down calls this with `LogTarget::Pod`).
pub fn open_logs(state: &mut AppState, target: LogTarget) -> Vec<Effect> {
    state.live_streams_started += 1;
    let stream = state.live_streams_started;
    let limit = state.log_line_limit;
    state.stack.push(Screen::Logs(Box::new(LogView::new(stream, target.clone(), limit))));
    state.dirty = true;
    vec![Effect::FollowLogs { stream, target, limit }]
}

/// A batch from the followers of an open view; one of a closed view is ignored.
pub fn on_log_batch(state: &mut AppState, batch: LogBatch) {
    let Some(view) = log_view_mut(state, batch.stream) else { return };
    if let Some(status) = batch.status {
        view.status = Some(status);
    }
    view.skipped += batch.skipped;
    if !view.follow {
        let level = view.level;
        view.new_lines += batch.lines.iter().filter(|line| level.accepts(line.level)).count();
        view.new_lines += batch.skipped as usize;
    }
    for line in batch.lines {
        view.buffer.push(line);
    }
    view.refresh();
    state.dirty = true;
}

fn log_view_mut(state: &mut AppState, stream: u64) -> Option<&mut LogView> {
    state.stack.iter_mut().find_map(|screen| match screen {
        Screen::Logs(view) if view.stream == stream => Some(view.as_mut()),
        _ => None,
    })
}

/// Actions on the logs view; `None` when the action is not the view's (the caller handles it).
pub fn apply_in_logs(state: &mut AppState, action: Action) -> Option<Vec<Effect>> {
    // The last line of the frame is the status line.
    let page = body_height(state).saturating_sub(1).max(1);
    let Some(Screen::Logs(view)) = state.screen_mut() else { return None };
    let len = view.visible.len();
    let last_page = len.saturating_sub(page);
    let top = view.first_line(page);
    match action {
        Action::MoveUp => view.pause_at(top.saturating_sub(1)),
        Action::PageUp => view.pause_at(top.saturating_sub(page)),
        Action::HalfPageUp => view.pause_at(top.saturating_sub(page / 2)),
        Action::Top => view.pause_at(0),
        Action::MoveDown | Action::PageDown | Action::HalfPageDown if !view.follow => {
            let step = match action {
                Action::MoveDown => 1,
                Action::PageDown => page,
                _ => (page / 2).max(1),
            };
            view.pause_at((top + step).min(last_page));
        }
        Action::MoveDown | Action::PageDown | Action::HalfPageDown => {}
        Action::Bottom => view.resume(),
        Action::ToggleFollow if view.follow => view.pause_at(top),
        Action::ToggleFollow => view.resume(),
        Action::CycleLogLevel => {
            view.level = view.level.next();
            view.refresh();
            let label = view.level.label();
            state.flash_info(format!("log level: {label}"));
        }
        Action::ToggleWrap => {
            view.wrap = !view.wrap;
            view.horizontal_scroll = 0;
        }
        Action::ScrollLeft => view.horizontal_scroll = view.horizontal_scroll.saturating_sub(8),
        Action::ScrollRight if !view.wrap => view.horizontal_scroll += 8,
        Action::ScrollRight => {}
        Action::NextTab | Action::PreviousTab => jump_to_match(view, action == Action::NextTab, page),
        Action::StartFilter => {
            let text = view.search.clone();
            state.mode = Mode::Filter;
            state.input.set(&text);
        }
        Action::SaveLogs => {
            let lines: Vec<Arc<LogLine>> = view.buffer.lines().iter().cloned().collect();
            if lines.is_empty() {
                state.flash_error("save-logs: no lines to save yet");
                return Some(Vec::new());
            }
            let label = view.target.label();
            return Some(vec![Effect::SaveLogs { label, lines }]);
        }
        _ => return None,
    }
    Some(Vec::new())
}

/// Moves to the next (or previous) search match and pauses there, so it stays on screen.
fn jump_to_match(view: &mut LogView, forward: bool, page: usize) {
    if view.matches.is_empty() {
        return;
    }
    let position = match view.current_match.and_then(|current| view.matches.iter().position(|&m| m == current)) {
        Some(at) if forward => (at + 1) % view.matches.len(),
        Some(at) => (at + view.matches.len() - 1) % view.matches.len(),
        None if forward => view.matches.iter().position(|&m| m >= view.first_line(page)).unwrap_or(0),
        None => view.matches.len() - 1,
    };
    let line = view.matches[position];
    view.current_match = Some(line);
    // A third of the page above the match, so its context shows.
    view.pause_at(line.saturating_sub(page / 3));
}

/// The `/` search typed on the logs view: highlights the matches and jumps to the first one from the top shown.
pub fn set_log_search(state: &mut AppState, text: &str) -> bool {
    // The last line of the frame is the status line.
    let page = body_height(state).saturating_sub(1).max(1);
    let Some(Screen::Logs(view)) = state.screen_mut() else { return false };
    view.search = text.trim().to_lowercase();
    view.current_match = None;
    view.refresh_matches();
    if view.matches.is_empty() {
        if !view.search.is_empty() {
            let message = format!("no line matches {text:?}");
            state.flash_error(message);
        }
    } else {
        jump_to_match(view, true, page);
        let (count, query) = (view.matches.len(), text.to_string());
        let key = |action| state.keys_for(action).and_then(|keys| keys.first().cloned()).unwrap_or_default();
        let keys = format!("{} / {}", key(Action::NextTab), key(Action::PreviousTab));
        state.flash_info(format!("{count} lines match {query:?} (next / previous: {keys})"));
    }
    state.dirty = true;
    true
}

/// The saved file's text: one line each, as search sees them.
pub fn saved_text(lines: &[Arc<LogLine>]) -> String {
    let mut text = String::new();
    for line in lines {
        text.push_str(&line.text());
        text.push('\n');
    }
    text
}
