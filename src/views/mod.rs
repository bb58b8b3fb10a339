//! The panes. Each module draws one part of the screen from the state; none does I/O, waits or sorts.
//!
//! [`draw`] is the one view registry: it lays out the screen with [`crate::app::layout::areas`] and hands
//! each region to its view.

mod action_log;
mod banner;
mod dialog;
mod events;
mod footer;
mod graph;
mod header;
mod helm_details;
mod help;
mod logs;
mod overview;
mod picker;
mod pods;
mod prompt;
mod table;
mod text;
mod text_pane;
mod toast;
mod trace;
mod tree;

use ratatui::Frame;
use ratatui::widgets::Block;

use crate::app::layout::areas;
use crate::app::state::{AppState, Screen};

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, state: &AppState) {
    let areas = areas(state);
    frame.render_widget(Block::new().style(state.theme.body), frame.area());
    header::draw(frame, state, areas.header);
    if let Some(area) = areas.banner {
        banner::draw(frame, state, area);
    }
    if let Some(area) = areas.prompt {
        prompt::draw(frame, state, area);
    }
    match state.screen() {
        Screen::Overview { selected } => overview::draw(frame, state, areas.main, *selected),
        Screen::Table { pane, tab } => table::draw(frame, state, &areas, *pane, *tab),
        Screen::Describe(detail) => text::draw(frame, state, areas.main, "Describe", detail),
        Screen::Yaml(detail) => text::draw(frame, state, areas.main, "YAML", detail),
        Screen::Help { scroll } => help::draw(frame, state, areas.main, *scroll),
        Screen::Picker(picker) => picker::draw(frame, state, &areas, picker),
        Screen::ActionLog { scroll } => action_log::draw(frame, state, areas.main, *scroll),
        Screen::Tree(view) => tree::draw(frame, state, areas.main, view),
        Screen::Trace(pane) => trace::draw(frame, state, areas.main, pane),
        Screen::HelmDetails(pane) => helm_details::draw(frame, state, areas.main, pane),
        Screen::Pods(view) => pods::draw(frame, state, areas.main, view),
        Screen::LiveObject(pane) | Screen::Diff(pane) => text_pane::draw(frame, state, areas.main, pane),
        Screen::Graph(view) => graph::draw(frame, state, areas.main, view),
        Screen::Events(view) => events::draw(frame, state, areas.main, view),
        Screen::Logs(view) => logs::draw(frame, state, areas.main, view),
    }
    footer::draw(frame, state, areas.footer);
    toast::draw(frame, state, &areas);
    if let Some(confirmation) = &state.dialog {
        dialog::draw(frame, state, frame.area(), confirmation);
    }
}

/// Cuts `text` to `width` columns, ending with `…` when cut.
pub(crate) fn ellipsize(text: &str, width: usize) -> std::borrow::Cow<'_, str> {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    if text.width() <= width {
        return std::borrow::Cow::Borrowed(text);
    }
    if width == 0 {
        return std::borrow::Cow::Borrowed("");
    }
    let mut out = String::with_capacity(width + 3);
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    std::borrow::Cow::Owned(out)
}
