//! The application layer: the state, the `Action` enum, the update step, keymaps, themes, the user config, the
//! terminal guard and the event loop.

pub mod action;
pub mod command;
pub mod config;
pub mod drift;
pub mod editor;
pub mod engine;
pub mod errors;
pub mod insight;
pub mod insight_tasks;
pub mod keymap;
pub mod layout;
pub mod operations;
pub mod pane;
pub mod run;
pub mod saved_logs;
pub mod state;
pub mod table;
pub mod terminal;
pub mod theme;
pub mod tree_watch;
pub mod update;
pub mod writer;
