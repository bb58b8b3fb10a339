//! The update step: actions, typed lines, mouse events and cluster events change the state here and nowhere
//! else. Anything slow or remote is returned as an [`Effect`] for the event loop to run.
//!
//! This module handles keymap actions; `input` the filter and command lines, `mouse` the mouse and `cluster`
//! what the watchers report.

mod action_log;
mod cluster;
mod edit;
pub mod events;
mod graph;
mod input;
mod insight;
mod insight_refresh;
mod live;
pub mod logs;
mod marks;
mod mouse;
mod operate;
mod reconciles;

pub use cluster::{on_cluster_event, refresh_stale_kinds};
pub use edit::{EditRequest, edit_finished};
pub use graph::{GRAPH_HEADER_LINES, GraphView, graph_page, refresh_graph, show_dependency_graph};
pub use input::{on_input_key, on_key, run_command};
pub use insight::insight_selection;
pub use insight_refresh::{on_insight_result, refresh_insight};
pub use live::{close_live_screens, on_live_update, stream_is_open};
pub use marks::drop_marks_of_deleted;
pub use mouse::on_mouse;
pub use operate::{Confirmation, session_replaced, write_progressed};
pub use reconciles::check_reconciles;

use std::sync::Arc;

use super::action::Action;
use super::layout::body_height;
use super::pane::Pane;
use super::state::{AppState, Detail, Mode, Picker, PickerPurpose, Screen};
use crate::model::{Column, Filter, Row, SortSpec, describe, yaml_lines};

/// Work the event loop does for the update step: I/O, or things that outlive the state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Connect to another kubeconfig context and start watching it.
    SwitchContext(String),
    /// Restart the watchers limited to this namespace (only when the watch is namespaced already).
    WatchNamespace(Option<String>),
    /// Load a theme and show it (the picker's live preview, or `:theme name`).
    PreviewTheme(String),
    /// Keep the previewed theme and remember it in the config.
    SaveTheme(String),
    /// Write the favorites to the config.
    SaveFavorites,
    /// Make a write to the cluster (suspend, resume, reconcile) and report its outcome.
    Write(Write),
    /// Read live objects for the tree, trace, HelmRelease detail or pods screens.
    Insight(crate::app::insight::InsightRequest),
    /// Open an object in the user's editor (the TUI suspended meanwhile) and apply the result.
    Edit(EditRequest),
    /// Start the events watch of the events view numbered `stream` (it stops when the view closes).
    WatchEvents { stream: u64, target: crate::model::events::EventTarget },
    /// Start following the logs of the logs view numbered `stream` (they stop when the view closes).
    FollowLogs { stream: u64, target: crate::cluster::logs::LogTarget, limit: usize },
    /// Write a logs view's buffered lines to a file, off the UI thread, and say where.
    SaveLogs { label: String, lines: Vec<Arc<crate::model::logs::LogLine>> },
}

/// A write the user asked for, with the object and the version its kind is served at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Write {
    pub action: Action,
    pub target: crate::cluster::writes::Target,
    /// The operation (in `state.operations`) this write reports its progress to.
    pub operation: u64,
    /// For `reconcile-with-source`: the sources reconciled (and waited for) first, in order.
    pub sources: Vec<crate::cluster::writes::Target>,
}

/// Handles one action from the keymap.
pub fn apply(state: &mut AppState, action: Action) -> Vec<Effect> {
    state.dirty = true;
    if action != Action::Back {
        state.flash = None;
    }
    if matches!(state.screen(), Screen::ActionLog { .. }) && action_log::scroll_action_log(state, action) {
        return Vec::new();
    }
    if let Some(effects) = events::apply_in_events(state, action).or_else(|| logs::apply_in_logs(state, action)) {
        return effects;
    }
    match state.screen() {
        Screen::Picker(_) => return apply_in_picker(state, action),
        Screen::Graph(_) if graph::handles(action) => {
            graph::apply_in_graph(state, action);
            return Vec::new();
        }
        Screen::Describe(_) | Screen::Yaml(_) | Screen::Help { .. } if scrolls_text(action) => {
            scroll_text(state, action);
            return Vec::new();
        }
        Screen::Tree(_)
        | Screen::Trace(_)
        | Screen::HelmDetails(_)
        | Screen::Diff(_)
        | Screen::Pods(_)
        | Screen::LiveObject(_)
            if insight::handles(state, action) =>
        {
            return insight::apply(state, action);
        }
        _ => {}
    }
    match action {
        Action::Quit => state.quit = true,
        Action::Help => push_screen(state, Screen::Help { scroll: 0 }),
        Action::Back => back(state),
        Action::MoveUp => move_selection(state, -1),
        Action::MoveDown => move_selection(state, 1),
        Action::PageUp => move_selection(state, -(page(state) as isize)),
        Action::PageDown => move_selection(state, page(state) as isize),
        Action::HalfPageUp => move_selection(state, -(page(state) as isize / 2).max(1)),
        Action::HalfPageDown => move_selection(state, (page(state) as isize / 2).max(1)),
        Action::Top => move_selection(state, isize::MIN / 2),
        Action::Bottom => move_selection(state, isize::MAX / 2),
        Action::ScrollLeft | Action::ScrollRight | Action::ToggleWrap | Action::RevealSecrets => {}
        Action::Open | Action::Describe => open_detail(state, false),
        Action::ShowYaml => open_detail(state, true),
        Action::StartFilter => {
            if state.current_table().is_some() && matches!(state.screen(), Screen::Table { .. }) {
                state.mode = Mode::Filter;
                let text = state.current_table().map(|table| table.filter_text.clone()).unwrap_or_default();
                state.input.set(&text);
            }
        }
        Action::StartCommand => {
            state.mode = Mode::Command;
            state.input.clear();
            state.history_position = None;
        }
        Action::NextTab => switch_tab(state, 1),
        Action::PreviousTab => switch_tab(state, -1),
        Action::ShowOverview => show_screen(state, Screen::Overview { selected: 0 }),
        Action::ShowAll => show_pane(state, Pane::All, 0),
        Action::ShowSources => show_pane(state, Pane::Sources, 0),
        Action::ShowKustomizations => show_pane(state, Pane::Kustomizations, 0),
        Action::ShowHelmReleases => show_pane(state, Pane::HelmReleases, 0),
        Action::ShowNotifications => show_pane(state, Pane::Notifications, 0),
        Action::ShowImageAutomation => show_pane(state, Pane::ImageAutomation, 0),
        Action::ShowFavorites => show_pane(state, Pane::Favorites, 0),
        Action::ToggleFavorite => return toggle_favorite(state),
        Action::AllNamespaces => return set_namespace(state, None),
        Action::SortByName => sort_by(state, Column::Name),
        Action::SortByNamespace => sort_by(state, Column::Namespace),
        Action::SortByKind => sort_by(state, Column::Kind),
        Action::SortByReady => sort_by(state, Column::Ready),
        Action::SortByRevision => sort_by(state, Column::Revision),
        Action::SortBySuspended => sort_by(state, Column::Suspended),
        Action::SortByMessage => sort_by(state, Column::Message),
        Action::SortByAge => sort_by(state, Column::Age),
        Action::SortByLastReconcile => sort_by(state, Column::LastReconcile),
        Action::PickTheme => open_picker(state, PickerPurpose::Theme),
        Action::PickContext => open_picker(state, PickerPurpose::Context),
        Action::PickNamespace => open_picker(state, PickerPurpose::Namespace),
        Action::Suspend | Action::Resume | Action::Reconcile => return operate::operate(state, action),
        Action::Delete | Action::ReconcileWithSource | Action::ReconcileForce | Action::ReconcileReset => {
            return operate::operate(state, action);
        }
        Action::ToggleMark => marks::toggle_mark(state),
        Action::ClearMarks => marks::clear_marks(state),
        Action::ShowActionLog => push_screen(state, Screen::ActionLog { scroll: 0 }),
        Action::ShowTree | Action::ShowTrace | Action::ShowHelmDetails | Action::ShowPods | Action::ShowDiff => {
            return insight::open(state, action);
        }
        Action::ShowDependencyGraph => show_dependency_graph(state, false),
        Action::Edit => return edit::edit(state),
        Action::ShowEvents => return events::show_events(state),
        Action::ShowLogs => return logs::show_logs(state),
        Action::ToggleFollow | Action::CycleLogLevel | Action::SaveLogs => {
            state.flash_error(format!("{}: only in a logs view", action.name()));
        }
    }
    Vec::new()
}

fn scrolls_text(action: Action) -> bool {
    action.is_movement()
        || matches!(action, Action::ScrollLeft | Action::ScrollRight | Action::ToggleWrap | Action::RevealSecrets)
}

fn page(state: &AppState) -> usize {
    body_height(state).max(1)
}

/// Scrolls the describe, YAML or help text; toggles wrapping and secret masking.
fn scroll_text(state: &mut AppState, action: Action) {
    let page = page(state);
    let refresh_detail = matches!(action, Action::RevealSecrets);
    // The help text is the bindings plus the commands and filter sections (about twenty lines).
    let help_lines = state.bindings.len() + 20;
    let Some(screen) = state.screen_mut() else { return };
    let (scroll, lines) = match screen {
        Screen::Describe(detail) | Screen::Yaml(detail) => {
            match action {
                Action::ScrollLeft => detail.horizontal_scroll = detail.horizontal_scroll.saturating_sub(8),
                Action::ScrollRight => detail.horizontal_scroll += 8,
                Action::ToggleWrap => {
                    detail.wrap = !detail.wrap;
                    detail.horizontal_scroll = 0;
                }
                Action::RevealSecrets => detail.reveal = !detail.reveal,
                _ => {}
            }
            let len = detail.lines.len();
            (&mut detail.scroll, len)
        }
        Screen::Help { scroll } => (scroll, help_lines),
        _ => return,
    };
    *scroll = action.moved(*scroll, lines.saturating_sub(page), page).unwrap_or(*scroll);
    if refresh_detail {
        refresh_detail_text(state);
    }
}

fn push_screen(state: &mut AppState, screen: Screen) {
    state.stack.push(screen);
}

/// Shows a top-level screen: the breadcrumb trail restarts from it.
fn show_screen(state: &mut AppState, screen: Screen) {
    state.stack.clear();
    state.stack.push(screen);
}

fn show_pane(state: &mut AppState, pane: Pane, tab: usize) {
    show_screen(state, Screen::Table { pane, tab });
    state.refresh_table(pane, tab);
    keep_selection_visible(state);
}

fn back(state: &mut AppState) {
    if let Screen::Picker(picker) = state.screen()
        && let Some(original) = picker.original_theme.clone()
    {
        state.theme = *original;
    }
    if state.stack.len() > 1 {
        state.stack.pop();
        if let Screen::Table { pane, tab } = *state.screen() {
            state.refresh_table(pane, tab);
        }
        // A graph under the closed view may have missed changes while it was hidden.
        graph::refresh_graph(state, &[crate::api::FluxKind::Kustomization].into_iter().collect());
        return;
    }
    // At the root, Esc clears the filter first, like k9s.
    if let Some(table) = state.current_table_mut()
        && !table.filter_text.is_empty()
    {
        table.filter_text.clear();
        table.filter = Filter::default();
        state.refresh_current_table();
    }
}

fn move_selection(state: &mut AppState, delta: isize) {
    let attention = state.overview.failing.len();
    if let Some(Screen::Overview { selected }) = state.screen_mut() {
        *selected = selected.saturating_add_signed(delta).min(attention.saturating_sub(1));
        return;
    }
    if let Some(table) = state.current_table_mut() {
        table.move_by(delta);
    }
    keep_selection_visible(state);
}

/// Scrolls the table so the selected row is on screen.
pub fn keep_selection_visible(state: &mut AppState) {
    let height = body_height(state);
    if let Some(table) = state.current_table_mut() {
        table.scroll_into_view(height);
    }
}

fn switch_tab(state: &mut AppState, delta: isize) {
    let Screen::Table { pane, tab } = *state.screen() else { return };
    let count = pane.tabs().len() as isize;
    if count < 2 {
        return;
    }
    let next = (tab as isize + delta).rem_euclid(count) as usize;
    if let Some(Screen::Table { tab, .. }) = state.screen_mut() {
        *tab = next;
    }
    state.refresh_table(pane, next);
    keep_selection_visible(state);
}

fn sort_by(state: &mut AppState, column: Column) {
    let Some(table) = state.current_table_mut() else { return };
    table.sort = if table.sort.column == column {
        SortSpec { column, descending: !table.sort.descending }
    } else {
        SortSpec { column, descending: false }
    };
    state.refresh_current_table();
    keep_selection_visible(state);
}

pub(super) fn selected_row(state: &AppState) -> Option<Arc<Row>> {
    match state.screen() {
        Screen::Overview { selected } => {
            let key = &state.overview.failing.get(*selected)?.key;
            state.find_row(key).cloned()
        }
        Screen::Table { .. } => state.current_table()?.selected_row().cloned(),
        Screen::Describe(detail) | Screen::Yaml(detail) => state.find_row(&detail.key).cloned(),
        Screen::Tree(_) | Screen::Trace(_) | Screen::HelmDetails(_) | Screen::Diff(_) => {
            insight::selected_flux_row(state)
        }
        Screen::Graph(view) => view.selected_node().and_then(|node| view.graph.nodes[node].row.clone()),
        _ => None,
    }
}

fn open_detail(state: &mut AppState, yaml: bool) {
    let Some(row) = selected_row(state) else { return };
    let detail = Box::new(Detail::new(row.key.clone()));
    // From a detail view, `y` and `d` switch between describe and YAML instead of stacking them.
    if matches!(state.screen(), Screen::Describe(_) | Screen::Yaml(_)) {
        state.stack.pop();
    }
    push_screen(state, if yaml { Screen::Yaml(detail) } else { Screen::Describe(detail) });
    refresh_detail_text(state);
}

/// Recomputes the open describe or YAML text from the store (after a change to the object, or a reveal).
fn refresh_detail_text(state: &mut AppState) {
    let now = state.now;
    let (key, is_yaml) = match state.screen() {
        Screen::Describe(detail) => (detail.key.clone(), false),
        Screen::Yaml(detail) => (detail.key.clone(), true),
        _ => return,
    };
    let object = state.find_row(&key).map(|row| Arc::clone(&row.object));
    let Some(Screen::Describe(detail) | Screen::Yaml(detail)) = state.screen_mut() else { return };
    match object {
        Some(object) => {
            detail.gone = false;
            detail.lines = if is_yaml {
                yaml_lines(&object.to_value(), detail.reveal)
            } else {
                describe(&object, detail.reveal, now)
            };
            detail.scroll = detail.scroll.min(detail.lines.len().saturating_sub(1));
        }
        None => detail.gone = true,
    }
}

fn toggle_favorite(state: &mut AppState) -> Vec<Effect> {
    let Some(row) = selected_row(state) else { return Vec::new() };
    if !state.favorites.remove(&row.key) {
        state.favorites.insert(row.key.clone());
        state.flash_info(format!("{} {}/{} is a favorite", row.key.kind, row.key.namespace, row.key.name));
    } else {
        state.flash_info(format!("{} {}/{} is no longer a favorite", row.key.kind, row.key.namespace, row.key.name));
    }
    if let Some((Pane::Favorites, tab)) = state.current_table_key() {
        state.refresh_table(Pane::Favorites, tab);
    }
    vec![Effect::SaveFavorites]
}

/// Limits the rows to one namespace (`None`: all). A session watching one namespace only is restarted.
pub fn set_namespace(state: &mut AppState, namespace: Option<String>) -> Vec<Effect> {
    state.namespace = namespace.clone();
    state.refresh_current_table();
    keep_selection_visible(state);
    let watching = state.location.watch_namespace.clone();
    if watching.is_some() && watching != namespace {
        return vec![Effect::WatchNamespace(namespace)];
    }
    Vec::new()
}

fn open_picker(state: &mut AppState, purpose: PickerPurpose) {
    let (items, current) = match purpose {
        PickerPurpose::Theme => (state.theme_names.clone(), state.theme.name.clone()),
        PickerPurpose::Context => (state.contexts.clone(), state.location.context.clone()),
        PickerPurpose::Namespace => {
            let mut items = vec!["all".to_string()];
            items.extend(state.namespaces.iter().cloned());
            (items, state.namespace.clone().unwrap_or_else(|| "all".to_string()))
        }
    };
    let selected = items.iter().position(|item| *item == current).unwrap_or(0);
    let original_theme = (purpose == PickerPurpose::Theme).then(|| Box::new(state.theme.clone()));
    push_screen(state, Screen::Picker(Picker { purpose, items, selected, offset: 0, original_theme }));
}

fn apply_in_picker(state: &mut AppState, action: Action) -> Vec<Effect> {
    let page = page(state);
    let Some(Screen::Picker(picker)) = state.screen_mut() else { return Vec::new() };
    let last = picker.items.len().saturating_sub(1);
    let before = picker.selected;
    match action {
        Action::MoveUp => picker.selected = picker.selected.saturating_sub(1),
        Action::MoveDown => picker.selected = (picker.selected + 1).min(last),
        Action::PageUp | Action::HalfPageUp => picker.selected = picker.selected.saturating_sub(page),
        Action::PageDown | Action::HalfPageDown => picker.selected = (picker.selected + page).min(last),
        Action::Top => picker.selected = 0,
        Action::Bottom => picker.selected = last,
        Action::Back => {
            back(state);
            return Vec::new();
        }
        Action::Quit => state.quit = true,
        Action::Open | Action::Describe => return choose_in_picker(state),
        _ => {}
    }
    let Some(Screen::Picker(picker)) = state.screen_mut() else { return Vec::new() };
    if picker.selected < picker.offset {
        picker.offset = picker.selected;
    } else if picker.selected >= picker.offset + page {
        picker.offset = picker.selected + 1 - page;
    }
    if picker.purpose == PickerPurpose::Theme && picker.selected != before {
        return picker
            .items
            .get(picker.selected)
            .map(|name| vec![Effect::PreviewTheme(name.clone())])
            .unwrap_or_default();
    }
    Vec::new()
}

fn choose_in_picker(state: &mut AppState) -> Vec<Effect> {
    let Some(Screen::Picker(picker)) = state.stack.pop() else { return Vec::new() };
    let Some(choice) = picker.items.get(picker.selected).cloned() else { return Vec::new() };
    match picker.purpose {
        PickerPurpose::Theme => vec![Effect::SaveTheme(choice)],
        PickerPurpose::Context => switch_context(state, choice),
        PickerPurpose::Namespace => set_namespace(state, (choice != "all").then_some(choice)),
    }
}

fn switch_context(state: &mut AppState, context: String) -> Vec<Effect> {
    if !state.contexts.contains(&context) {
        state.flash_error(format!("no context {context:?} in the kubeconfig"));
        return Vec::new();
    }
    vec![Effect::SwitchContext(context)]
}

/// Keeps the layout-dependent scroll positions right after a resize.
pub fn on_resize(state: &mut AppState, width: u16, height: u16) {
    state.size = (width, height);
    keep_selection_visible(state);
    state.dirty = true;
}
