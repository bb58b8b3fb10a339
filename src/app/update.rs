//! The update step: actions, typed lines, mouse events and cluster events change the state here and nowhere
//! else. Anything slow or remote is returned as an [`Effect`] for the event loop to run.

use std::collections::HashMap;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::action::Action;
use super::command::{self, Command};
use super::layout::{areas, body_height};
use super::pane::Pane;
use super::state::{AppState, Detail, Mode, Picker, PickerPurpose, Screen};
use crate::api::{AnyFluxObject, FluxKind};
use crate::cluster::ClusterEvent;
use crate::model::{Column, Filter, Row, SortSpec, describe, overview, yaml_lines};

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
}

/// Handles one action from the keymap.
pub fn apply(state: &mut AppState, action: Action) -> Vec<Effect> {
    state.dirty = true;
    if action != Action::Back {
        state.flash = None;
    }
    match state.screen() {
        Screen::Picker(_) => return apply_in_picker(state, action),
        Screen::Describe(_) | Screen::Yaml(_) | Screen::Help { .. } if scrolls_text(action) => {
            scroll_text(state, action);
            return Vec::new();
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
    }
    Vec::new()
}

fn scrolls_text(action: Action) -> bool {
    matches!(
        action,
        Action::MoveUp
            | Action::MoveDown
            | Action::PageUp
            | Action::PageDown
            | Action::HalfPageUp
            | Action::HalfPageDown
            | Action::Top
            | Action::Bottom
            | Action::ScrollLeft
            | Action::ScrollRight
            | Action::ToggleWrap
            | Action::RevealSecrets
    )
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
    let max = lines.saturating_sub(page);
    *scroll = match action {
        Action::MoveUp => scroll.saturating_sub(1),
        Action::MoveDown => (*scroll + 1).min(max),
        Action::PageUp => scroll.saturating_sub(page),
        Action::PageDown => (*scroll + page).min(max),
        Action::HalfPageUp => scroll.saturating_sub(page / 2),
        Action::HalfPageDown => (*scroll + page / 2).min(max),
        Action::Top => 0,
        Action::Bottom => max,
        _ => *scroll,
    };
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

fn selected_row(state: &AppState) -> Option<Arc<Row>> {
    match state.screen() {
        Screen::Overview { selected } => {
            let key = &state.overview.failing.get(*selected)?.key;
            state.find_row(key).cloned()
        }
        Screen::Table { .. } => state.current_table()?.selected_row().cloned(),
        Screen::Describe(detail) | Screen::Yaml(detail) => state.find_row(&detail.key).cloned(),
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

/// Handles a key while the filter or command line is open: the keymap does not apply there.
pub fn on_input_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    state.dirty = true;
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => {
            if state.mode == Mode::Filter {
                // Esc abandons the edit: the filter in force stays as it was.
                state.refresh_current_table();
            }
            state.mode = Mode::Normal;
            state.input.clear();
        }
        KeyCode::Enter => {
            let text = state.input.text.trim().to_string();
            let mode = std::mem::take(&mut state.mode);
            state.input.clear();
            if mode == Mode::Command {
                if !text.is_empty() {
                    state.command_history.retain(|entry| *entry != text);
                    state.command_history.push(text.clone());
                    return run_command(state, &text);
                }
            } else {
                set_filter(state, &text);
            }
        }
        KeyCode::Char('c') if ctrl => {
            state.mode = Mode::Normal;
            state.input.clear();
        }
        KeyCode::Char('u') if ctrl => {
            state.input.clear();
            live_filter(state);
        }
        KeyCode::Char(c) if !ctrl => {
            state.input.insert(c);
            live_filter(state);
        }
        KeyCode::Backspace => {
            state.input.backspace();
            live_filter(state);
        }
        KeyCode::Delete => {
            state.input.delete();
            live_filter(state);
        }
        KeyCode::Left => state.input.left(),
        KeyCode::Right => state.input.right(),
        KeyCode::Home => state.input.cursor = 0,
        KeyCode::End => state.input.cursor = state.input.text.chars().count(),
        KeyCode::Tab if state.mode == Mode::Command => {
            let themes = state.theme_names.clone();
            if let Some(completed) = command::complete(&state.input.text, &state.namespaces, &state.contexts, &themes) {
                state.input.set(&completed);
            }
        }
        KeyCode::Up if state.mode == Mode::Command => history_step(state, -1),
        KeyCode::Down if state.mode == Mode::Command => history_step(state, 1),
        _ => {}
    }
    Vec::new()
}

fn history_step(state: &mut AppState, delta: isize) {
    let len = state.command_history.len();
    if len == 0 {
        return;
    }
    let position = match (state.history_position, delta < 0) {
        (None, true) => Some(len - 1),
        (None, false) => None,
        (Some(position), true) => Some(position.saturating_sub(1)),
        (Some(position), false) => (position + 1 < len).then_some(position + 1),
    };
    state.history_position = position;
    match position {
        Some(position) => {
            let entry = state.command_history[position].clone();
            state.input.set(&entry);
        }
        None => state.input.clear(),
    }
}

/// Applies the filter being typed as the user types, when it parses; errors wait for Enter.
fn live_filter(state: &mut AppState) {
    if state.mode != Mode::Filter {
        return;
    }
    let text = state.input.text.clone();
    if let Ok(filter) = Filter::parse(&text)
        && let Some(table) = state.current_table_mut()
    {
        table.filter = filter;
        table.filter_text = text;
        table.selected = 0;
        table.offset = 0;
        state.refresh_current_table();
    }
}

fn set_filter(state: &mut AppState, text: &str) {
    match Filter::parse(text) {
        Ok(filter) => {
            if let Some(table) = state.current_table_mut() {
                table.filter = filter;
                table.filter_text = text.to_string();
            }
            state.refresh_current_table();
            keep_selection_visible(state);
        }
        Err(err) => state.flash_error(format!("filter {text:?}: {err}")),
    }
}

/// Runs a `:` command.
pub fn run_command(state: &mut AppState, line: &str) -> Vec<Effect> {
    let command = match command::parse(line) {
        Ok(command) => command,
        Err(err) => {
            state.flash_error(err);
            return Vec::new();
        }
    };
    match command {
        Command::Quit => state.quit = true,
        Command::Help => push_screen(state, Screen::Help { scroll: 0 }),
        Command::ShowOverview => show_screen(state, Screen::Overview { selected: 0 }),
        Command::ShowPane(pane) => show_pane(state, pane, 0),
        Command::ShowKind(kind) => {
            let (pane, tab) = Pane::for_kind(kind);
            show_pane(state, pane, tab);
        }
        Command::Namespace(None) => open_picker(state, PickerPurpose::Namespace),
        Command::Namespace(Some(name)) => {
            let namespace = (!matches!(name.as_str(), "all" | "-A" | "*")).then_some(name);
            return set_namespace(state, namespace);
        }
        Command::Context(None) => open_picker(state, PickerPurpose::Context),
        Command::Context(Some(name)) => return switch_context(state, name),
        Command::Theme(None) => open_picker(state, PickerPurpose::Theme),
        Command::Theme(Some(name)) => return vec![Effect::SaveTheme(name)],
    }
    Vec::new()
}

/// Applies what a watcher reported.
pub fn on_cluster_event(state: &mut AppState, event: ClusterEvent) {
    match event {
        ClusterEvent::StoreChanged(kind) => {
            // Recomputed once before the next frame, however many events arrive until then.
            state.stale_kinds.insert(kind);
            state.dirty = true;
        }
        ClusterEvent::KindStateChanged(kind, kind_state) => {
            state.kind_states.insert(kind, kind_state);
            state.dirty = true;
        }
        ClusterEvent::Connection(connection) => {
            if state.connection != connection {
                state.connection = connection;
                state.dirty = true;
            }
        }
        ClusterEvent::Info(info) => {
            state.info = info;
            state.dirty = true;
        }
        ClusterEvent::NamespacesChanged(namespaces) => state.namespaces = namespaces,
    }
}

/// Rebuilds the rows of every kind whose store changed since the last frame.
pub fn refresh_stale_kinds(state: &mut AppState) {
    let kinds = std::mem::take(&mut state.stale_kinds);
    if kinds.is_empty() {
        return;
    }
    for &kind in &kinds {
        rebuild_rows(state, kind);
    }
    // The overview, the table and an open detail view are rebuilt once, however many kinds changed.
    state.overview = overview(state.rows_by_kind.values().flatten().map(|row| row.as_ref()));
    match state.screen() {
        Screen::Table { pane, tab } => {
            let (pane, tab) = (*pane, *tab);
            if AppState::tab_kinds(pane, tab).iter().any(|kind| kinds.contains(kind)) {
                state.refresh_table(pane, tab);
                keep_selection_visible(state);
            }
        }
        Screen::Describe(detail) | Screen::Yaml(detail) if kinds.contains(&detail.key.kind) => {
            refresh_detail_text(state)
        }
        Screen::Overview { .. } => state.dirty = true,
        _ => {}
    }
}

/// Rebuilds one kind's rows from its store. The store hands back the same `Arc` for an object that did not
/// change, so only changed objects get a new row.
fn rebuild_rows(state: &mut AppState, kind: FluxKind) {
    let previous: HashMap<*const AnyFluxObject, Arc<Row>> = state
        .rows_by_kind
        .remove(&kind)
        .unwrap_or_default()
        .into_iter()
        .map(|row| (Arc::as_ptr(&row.object), row))
        .collect();
    let rows: Vec<Arc<Row>> = state
        .stores
        .objects(kind)
        .into_iter()
        .map(|object| match previous.get(&Arc::as_ptr(&object)) {
            Some(row) => Arc::clone(row),
            None => Arc::new(Row::new(kind, object)),
        })
        .collect();
    state.rows_by_kind.insert(kind, rows);
}

/// Handles a mouse event: the wheel scrolls, a click selects a row (a second click opens it), a click on a
/// column title sorts by it.
pub fn on_mouse(state: &mut AppState, mouse: MouseEvent) -> Vec<Effect> {
    let areas = areas(state);
    let inside = |rect: ratatui::layout::Rect| {
        mouse.column >= rect.x && mouse.column < rect.right() && mouse.row >= rect.y && mouse.row < rect.bottom()
    };
    match mouse.kind {
        MouseEventKind::ScrollDown => return apply(state, Action::MoveDown),
        MouseEventKind::ScrollUp => return apply(state, Action::MoveUp),
        MouseEventKind::Down(MouseButton::Left) => {
            if let Screen::Picker(_) = state.screen() {
                let index = (mouse.row.saturating_sub(areas.body.y)) as usize;
                if inside(areas.body)
                    && let Some(Screen::Picker(picker)) = state.screen_mut()
                {
                    let target = picker.offset + index;
                    if target < picker.items.len() {
                        if picker.selected == target {
                            return choose_in_picker(state);
                        }
                        picker.selected = target;
                        state.dirty = true;
                    }
                }
                return Vec::new();
            }
            if !matches!(state.screen(), Screen::Table { .. }) {
                return Vec::new();
            }
            if let Some(titles) = areas.column_titles
                && inside(titles)
            {
                if let Some(column) = column_at(state, mouse.column.saturating_sub(titles.x), titles.width) {
                    sort_by(state, column);
                }
                return Vec::new();
            }
            if inside(areas.body) {
                let Some(table) = state.current_table_mut() else { return Vec::new() };
                let target = table.offset + (mouse.row - areas.body.y) as usize;
                if target < table.rows.len() {
                    if table.selected == target {
                        open_detail(state, false);
                    } else {
                        table.select(target);
                    }
                    state.dirty = true;
                }
            }
        }
        _ => {}
    }
    Vec::new()
}

/// Which column starts at or covers the x offset (columns are separated by one space).
fn column_at(state: &AppState, x: u16, total: u16) -> Option<Column> {
    let layout = state.current_table()?.layout(total);
    let mut start = 0u16;
    for (column, width) in &layout {
        let end = start + width + 1;
        if x < end {
            return Some(*column);
        }
        start = end;
    }
    layout.last().map(|(column, _)| *column)
}

/// Keeps the layout-dependent scroll positions right after a resize.
pub fn on_resize(state: &mut AppState, width: u16, height: u16) {
    state.size = (width, height);
    keep_selection_visible(state);
    state.dirty = true;
}
