//! # fluxtui
//!
//! A k9s-style terminal client for Flux CD, with an embedded Flux engine and an embedded Kubernetes API server.
//!
//! Today the binary runs the embedded API server (`fluxtui sandbox`, from the `fluxtui-sandbox` crate); the
//! terminal UI and the engine arrive in later releases. The library is organised in the layers that
//! `docs/ARCHITECTURE.md` describes, from the bottom up; each layer uses only the layers below it:
//!
//! - [`controllers`]: the embedded Flux engine (so far its artifact storage and HTTP server);
//! - [`app`]: the application's state and the terminal guard;
//! - [`views`]: one module per pane (planned);
//! - [`cli`]: argument parsing and the subcommands;
//! - [`logging`]: the log file every subcommand writes to.

pub mod api;
pub mod app;
pub mod cli;
pub mod cluster;
pub mod controllers;
pub mod demo;
pub mod logging;
pub mod model;
pub mod views;
