//! The application layer: today the terminal guard and the error hooks that every subcommand installs; the
//! state, the `Action` enum, the update step, keymaps, themes and the event loop join it with the terminal UI.

pub mod action;
pub mod command;
pub mod errors;
pub mod layout;
pub mod pane;
pub mod run;
pub mod state;
pub mod table;
pub mod terminal;
pub mod theme;
pub mod update;
