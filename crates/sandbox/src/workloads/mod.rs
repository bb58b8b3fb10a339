//! Simulated cluster controllers: what the controller manager and the kubelet would do.

use crate::resources::ApiState;
use std::sync::Arc;

/// Starts the simulated controllers; they stop when `shutdown` turns true.
pub fn spawn(state: Arc<ApiState>, shutdown: tokio::sync::watch::Receiver<bool>) -> Vec<tokio::task::JoinHandle<()>> {
    let _ = (state, shutdown);
    Vec::new()
}
