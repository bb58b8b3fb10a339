//! End to end in a real terminal: `fluxtui sandbox` with the Flux CRDs and fixtures applied by kubectl, and
//! fluxtui (or `fluxtui demo`) running in a 120x40 tmux pane, driven with keys and read back from the screen.

#[path = "e2e/support.rs"]
mod support;

#[path = "e2e/actions.rs"]
mod actions;
#[path = "e2e/contexts.rs"]
mod contexts;
#[path = "e2e/demo.rs"]
mod demo;
#[path = "e2e/diff.rs"]
mod diff;
#[path = "e2e/edit.rs"]
mod edit;
#[path = "e2e/engine.rs"]
mod engine;
#[path = "e2e/events.rs"]
mod events;
#[path = "e2e/graph.rs"]
mod graph;
#[path = "e2e/live.rs"]
mod live;
#[path = "e2e/logs.rs"]
mod logs;
#[path = "e2e/navigation.rs"]
mod navigation;
#[path = "e2e/ready_expr.rs"]
mod ready_expr;
#[path = "e2e/tree.rs"]
mod tree;
