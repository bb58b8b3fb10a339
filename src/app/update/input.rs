//! Keys: through the keymap, or typed into the filter and command lines (history, completion, running `:`
//! commands).

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::app::command::{self, Command};
use crate::app::keymap::{KeyOutcome, Keymap};
use crate::app::pane::Pane;
use crate::app::state::{AppState, Mode, PickerPurpose, Screen};
use crate::model::Filter;

use super::{
    Effect, keep_selection_visible, open_picker, push_screen, set_namespace, show_pane, show_screen, switch_context,
};

/// Handles a key press: typed into the filter or command line while one is open, otherwise resolved by the
/// keymap (whose chord in progress the footer shows).
pub fn on_key(state: &mut AppState, keymap: &mut Keymap, key: KeyEvent) -> Vec<Effect> {
    if key.kind == KeyEventKind::Release {
        return Vec::new();
    }
    if state.mode != Mode::Normal {
        return on_input_key(state, key);
    }
    if state.dialog.is_some() {
        return super::operate::on_dialog_key(state, key);
    }
    let outcome = keymap.resolve(key);
    let pending = keymap.pending();
    if state.pending_keys != pending {
        state.pending_keys = pending;
        state.dirty = true;
    }
    match outcome {
        KeyOutcome::Action(action) => super::apply(state, action),
        KeyOutcome::Pending | KeyOutcome::Unbound => Vec::new(),
    }
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
            } else if !super::events::set_events_filter(state, &text) && !super::logs::set_log_search(state, &text) {
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
    if super::events::set_events_filter(state, &text) || matches!(state.screen(), Screen::Logs(_)) {
        return;
    }
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
        Command::Act(action) => return super::apply(state, action),
        Command::Graph { everything } => super::show_dependency_graph(state, everything),
        Command::Edit => return super::edit::edit(state),
        Command::Events => {
            let namespace = state.namespace.clone();
            return super::events::open_events(state, crate::model::events::EventTarget::AllFlux { namespace });
        }
        Command::Logs => {
            let target = crate::cluster::logs::LogTarget::Controllers {
                namespace: state.flux_namespace.clone(),
                filter: Default::default(),
            };
            return super::logs::open_logs(state, target);
        }
    }
    Vec::new()
}
