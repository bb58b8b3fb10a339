//! Reconcile requests the user is waiting on: `flux reconcile` waits until the controller has handled the
//! request (`status.lastHandledReconcileAt` equals the requested time) and the object is no longer in progress,
//! then reports ready or failed; a request not handled within the reconcile timeout (`state.reconcile_timeout`,
//! 5m unless configured) is reported as timed out, not forgotten. The store the watchers fill is the only source:
//! nothing is polled.

use crate::app::operations::{Step, Waiting, describe_key};
use crate::app::state::AppState;
use crate::model::{Readiness, human_duration};

/// Moves every reconcile that is waiting for its controller on, after a store change or a clock tick.
pub fn check_reconciles(state: &mut AppState) {
    let now = state.now;
    for Waiting { operation, key, requested_at, generation, since } in state.operations.waiting() {
        let name = describe_key(&key);
        let step = match state.find_row(&key) {
            None => Some(Step::Failed(format!("{name} was deleted while it was being reconciled"))),
            Some(row) => {
                let handled = match &requested_at {
                    Some(requested_at) => row.object.last_handled_reconcile_at() == Some(requested_at.as_str()),
                    // A resume: the spec changed, so the controller has handled it once it observed the generation.
                    // (The store may not hold the patched object yet: its generation tells.)
                    None => {
                        let current = row.object.metadata().generation;
                        current >= generation && current.is_some() && row.object.observed_generation() == current
                    }
                };
                match row.readiness {
                    Readiness::Ready | Readiness::Suspended if handled => {
                        Some(Step::Succeeded(format!("{name} reconciled: {}", row.message)))
                    }
                    Readiness::Failed if handled => {
                        Some(Step::Failed(format!("{name} reconciliation failed: {}", row.message)))
                    }
                    _ if now - since > state.reconcile_timeout => Some(Step::TimedOut(format!(
                        "{name}: not reconciled within {} (is its controller running? the request stays on the object)",
                        human_duration(state.reconcile_timeout)
                    ))),
                    _ => None,
                }
            }
        };
        if let Some(step) = step {
            state.operations.set_step(operation, &key, step, now);
            state.dirty = true;
        }
    }
}
