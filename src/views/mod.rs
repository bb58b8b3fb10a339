//! The panes of the terminal UI, one module per pane, each drawing the application state with ratatui.
//!
//! Nothing lives here yet: the terminal UI arrives in the next release. When it does, each pane (the kind
//! list, the resource table, YAML, events, the inventory tree, the dependsOn graph, logs) gets its own module,
//! listed in one view registry. A view reads [`crate::app`]'s state and draws only the visible rows; it does no
//! I/O, waits for nothing and never matches raw keys except inside an open text input (filter, command line).
