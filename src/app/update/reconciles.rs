//! Reconcile requests the user is waiting on: `flux reconcile` waits until the controller has handled the
//! request (`status.lastHandledReconcileAt` equals the requested time) and the object is no longer in progress,
//! then reports ready or failed; a request that is not handled in time is reported, not forgotten.

use chrono::{DateTime, Duration, Utc};

use crate::app::state::AppState;
use crate::model::{ObjectKey, Readiness};

/// How long a reconcile may take before fluxtui says so: the flux CLI's default `--timeout`.
pub const RECONCILE_TIMEOUT: Duration = Duration::minutes(5);

/// A reconcile request waiting for its controller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingReconcile {
    pub key: ObjectKey,
    /// The annotation's value, which the controller copies to `status.lastHandledReconcileAt`.
    pub requested_at: String,
    pub since: DateTime<Utc>,
}

/// Starts waiting for a reconcile request the loop has just written.
pub fn reconcile_requested(state: &mut AppState, key: ObjectKey, requested_at: String) {
    state.flash_info(format!("reconciling {} {}/{}: waiting for its controller…", key.kind, key.namespace, key.name));
    state.reconciles.retain(|pending| pending.key != key);
    state.reconciles.push(PendingReconcile { key, requested_at, since: state.now });
}

/// Reports the reconciles whose outcome is known (after a store change) or whose time is up (on the clock).
pub fn check_reconciles(state: &mut AppState) {
    let pending = std::mem::take(&mut state.reconciles);
    for request in pending {
        let name = format!("{} {}/{}", request.key.kind, request.key.namespace, request.key.name);
        let Some(row) = state.find_row(&request.key).cloned() else {
            state.flash_error(format!("{name} was deleted while it was being reconciled"));
            continue;
        };
        let handled = row.object.last_handled_reconcile_at() == Some(request.requested_at.as_str());
        match row.readiness {
            Readiness::Ready | Readiness::Suspended if handled => {
                state.flash_info(format!("{name} reconciled: {}", row.message));
            }
            Readiness::Failed if handled => {
                state.flash_error(format!("{name} reconciliation failed: {}", row.message));
            }
            _ if state.now - request.since > RECONCILE_TIMEOUT => {
                state.flash_error(format!(
                    "{name}: not reconciled within 5m (is its controller running? the request stays on the object)"
                ));
            }
            _ => state.reconciles.push(request),
        }
    }
}
