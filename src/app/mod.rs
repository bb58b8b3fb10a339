//! The application layer: today the terminal guard and the error hooks that every subcommand installs; the
//! state, the `Action` enum, the update step, keymaps, themes and the event loop join it with the terminal UI.

pub mod action;
pub mod config;
pub mod errors;
pub mod keymap;
pub mod terminal;
pub mod theme;
