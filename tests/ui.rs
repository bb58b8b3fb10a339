//! The terminal UI without a terminal: every view drawn on ratatui's TestBackend from the demo fleet (insta
//! snapshots under tests/snapshots/), driven by keys through the default keymap.

#[path = "ui/events.rs"]
mod events;
#[path = "ui/harness.rs"]
mod harness;
#[path = "ui/interaction.rs"]
mod interaction;
#[path = "ui/logs.rs"]
mod logs;
#[path = "ui/views.rs"]
mod views;
