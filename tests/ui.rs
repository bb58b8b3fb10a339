//! The terminal UI without a terminal: every view drawn on ratatui's TestBackend from the demo fleet (insta
//! snapshots under tests/snapshots/), driven by keys through the default keymap.

#[path = "ui/actions.rs"]
mod actions;
#[path = "ui/diff.rs"]
mod diff;
#[path = "ui/events.rs"]
mod events;
#[path = "ui/graph.rs"]
mod graph;
#[path = "ui/harness.rs"]
mod harness;
#[path = "ui/interaction.rs"]
mod interaction;
#[path = "ui/logs.rs"]
mod logs;
#[path = "ui/tree.rs"]
mod tree;
#[path = "ui/views.rs"]
mod views;
