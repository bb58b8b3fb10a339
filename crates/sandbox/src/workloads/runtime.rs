//! The loop every simulated controller runs: a work queue fed by the store's change broadcast,
//! plus per-key timers for the few things that really wait (pod readiness, crash-loop backoff,
//! progress deadlines, cron schedules).
//!
//! The queue deduplicates keys, so a burst of events for one object costs one reconcile. Reconcile
//! functions read the store directly (it is always current, unlike an informer cache), so there is
//! no expectation bookkeeping: what a controller wrote is visible to its next reconcile.

use crate::error::ApiError;
use crate::resources::ApiState;
use crate::store::{WatchEvent, WatchStart};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// One controller: which keys an event concerns, and how to bring one key to its desired state.
pub(super) trait Reconciler: Send + 'static {
    type Key: Ord + Clone + std::hash::Hash + std::fmt::Debug + Send;

    fn name(&self) -> &'static str;

    /// Adds the keys a committed change concerns. Called for every change, in commit order.
    fn keys_for(&mut self, event: &WatchEvent, out: &mut Vec<Self::Key>);

    /// Every key worth a look: at start, and after the broadcast dropped events (lag).
    fn all_keys(&mut self) -> Vec<Self::Key>;

    /// Reconciles one key. `Ok(Some(d))` asks to be called again after `d` even without events.
    fn reconcile(&mut self, key: &Self::Key) -> Result<Option<Duration>, ApiError>;
}

/// How long to wait before retrying a key whose reconcile failed for a reason other than a conflict.
const ERROR_RETRY: Duration = Duration::from_secs(1);

/// Runs a controller until `shutdown` turns true (or its sender goes away).
pub(super) fn run<R: Reconciler>(
    mut reconciler: R,
    state: Arc<ApiState>,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        // Subscribing before listing means nothing committed in between is missed.
        let mut events = match state.store.subscribe(WatchStart::Now) {
            Ok(subscription) => subscription.receiver,
            Err(_) => {
                tracing::error!(controller = reconciler.name(), "cannot watch the store");
                return;
            }
        };
        let mut dirty: BTreeSet<R::Key> = reconciler.all_keys().into_iter().collect();
        let mut timers: HashMap<R::Key, Instant> = HashMap::new();
        let mut keys = Vec::new();
        loop {
            if *shutdown.borrow() {
                return;
            }
            loop {
                match events.try_recv() {
                    Ok(event) => reconciler.keys_for(&event, &mut keys),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Lagged(missed)) => {
                        tracing::debug!(controller = reconciler.name(), missed, "watch lagged; resyncing");
                        keys.extend(reconciler.all_keys());
                    }
                    Err(TryRecvError::Closed) => return,
                }
            }
            dirty.extend(keys.drain(..));
            let now = Instant::now();
            timers.retain(|key, at| {
                if *at <= now {
                    dirty.insert(key.clone());
                    false
                } else {
                    true
                }
            });
            if let Some(key) = dirty.pop_first() {
                match reconciler.reconcile(&key) {
                    Ok(Some(after)) => {
                        timers.insert(key, Instant::now() + after);
                    }
                    Ok(None) => {
                        timers.remove(&key);
                    }
                    // Someone else wrote first: look again with the fresh state.
                    Err(err) if err.code == 409 => {
                        dirty.insert(key);
                    }
                    // The object (or its namespace) is going away; its next event says what to do.
                    Err(err) if err.code == 404 || (err.code == 403 && err.message.contains("being terminated")) => {}
                    Err(err) => {
                        tracing::warn!(controller = reconciler.name(), ?key, code = err.code, message = %err.message, "reconcile failed");
                        timers.insert(key, Instant::now() + ERROR_RETRY);
                    }
                }
                // Reconciles are synchronous; give the rest of the runtime a turn between keys.
                tokio::task::yield_now().await;
                continue;
            }
            let next_timer = timers.values().min().copied();
            tokio::select! {
                changed = shutdown.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
                received = events.recv() => match received {
                    Ok(event) => reconciler.keys_for(&event, &mut keys),
                    Err(RecvError::Lagged(_)) => keys.extend(reconciler.all_keys()),
                    Err(RecvError::Closed) => return,
                },
                _ = sleep_until(next_timer) => {}
            }
        }
    })
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
