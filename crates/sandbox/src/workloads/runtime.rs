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
    type Key: Ord + Clone + std::hash::Hash + std::fmt::Debug + Send + 'static;

    fn name(&self) -> &'static str;

    /// Adds the keys a committed change concerns. Called for every change, in commit order.
    fn keys_for(&mut self, event: &WatchEvent, out: &mut Vec<Self::Key>);

    /// Every key worth a look: at start, and after the broadcast dropped events (lag).
    fn all_keys(&mut self) -> Vec<Self::Key>;

    /// Reconciles one key. `Ok(Some(d))` asks to be called again after `d` even without events.
    fn reconcile(&mut self, key: &Self::Key) -> Result<Option<Duration>, ApiError>;
}

/// How long to wait before retrying a key whose reconcile failed for a reason other than a
/// conflict; it doubles with every further failure of the same key, up to [`MAX_ERROR_RETRY`],
/// like the real controllers' rate-limited work queues.
const ERROR_RETRY: Duration = Duration::from_secs(1);
const MAX_ERROR_RETRY: Duration = Duration::from_secs(60);
/// At most this many keys are reconciled per trip to the blocking pool, so that new events are
/// looked at regularly during a long backlog.
const BATCH: usize = 32;

/// The back-off after the `failures`-th failure in a row of one key.
fn error_retry(failures: u32) -> Duration {
    ERROR_RETRY.saturating_mul(2u32.saturating_pow(failures.saturating_sub(1))).min(MAX_ERROR_RETRY)
}

/// Runs a controller until `shutdown` turns true (or its sender goes away).
///
/// The loop itself (events, timers, the queue) is async; the reconciles, which write to the store
/// (and with a state directory fsync under its lock), run on the blocking pool in batches, so
/// they never hold up the runtime's workers. Shutdown is checked between keys.
pub(super) fn run<R: Reconciler>(
    reconciler: R,
    state: Arc<ApiState>,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut reconciler = reconciler;
        let controller = reconciler.name();
        // Subscribing before listing means nothing committed in between is missed.
        let mut events = match state.store.subscribe(WatchStart::Now) {
            Ok(subscription) => subscription.receiver,
            Err(_) => {
                tracing::error!(controller, "cannot watch the store");
                return;
            }
        };
        let mut dirty: BTreeSet<R::Key> = reconciler.all_keys().into_iter().collect();
        let mut timers: HashMap<R::Key, Instant> = HashMap::new();
        let mut failures: HashMap<R::Key, u32> = HashMap::new();
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
                        tracing::debug!(controller, missed, "watch lagged; resyncing");
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
            if !dirty.is_empty() {
                let batch: Vec<R::Key> = std::iter::from_fn(|| dirty.pop_first()).take(BATCH).collect();
                let stop = shutdown.clone();
                let work = tokio::task::spawn_blocking(move || {
                    let mut results = Vec::with_capacity(batch.len());
                    for key in batch {
                        if *stop.borrow() {
                            break;
                        }
                        let result = reconciler.reconcile(&key);
                        results.push((key, result));
                    }
                    (reconciler, results)
                });
                let results;
                (reconciler, results) = match work.await {
                    Ok(done) => done,
                    Err(err) => {
                        tracing::error!(controller, %err, "reconcile panicked; controller stopped");
                        return;
                    }
                };
                for (key, result) in results {
                    settle(controller, key, result, &mut dirty, &mut timers, &mut failures);
                }
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

/// Schedules what comes after one reconcile of `key`.
fn settle<K: Ord + Clone + std::hash::Hash + std::fmt::Debug>(
    controller: &str,
    key: K,
    result: Result<Option<Duration>, ApiError>,
    dirty: &mut BTreeSet<K>,
    timers: &mut HashMap<K, Instant>,
    failures: &mut HashMap<K, u32>,
) {
    match result {
        Ok(after) => {
            failures.remove(&key);
            match after {
                Some(after) => timers.insert(key, Instant::now() + after),
                None => timers.remove(&key),
            };
        }
        // Someone else wrote first: look again with the fresh state. Only a real write conflict:
        // AlreadyExists is a 409 too, but retrying it at once cannot help (the name is taken).
        Err(err) if err.code == 409 && err.reason == "Conflict" => {
            dirty.insert(key);
        }
        // The object (or its namespace) is going away; its next event says what to do.
        Err(err) if err.code == 404 || (err.code == 403 && err.message.contains("being terminated")) => {
            failures.remove(&key);
        }
        Err(err) => {
            let count = failures.entry(key.clone()).or_default();
            *count = count.saturating_add(1);
            let delay = error_retry(*count);
            tracing::warn!(controller, ?key, code = err.code, reason = %err.reason, message = %err.message, ?delay, "reconcile failed");
            timers.insert(key, Instant::now() + delay);
        }
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SandboxConfig;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Fails its one key with `error` the first `failing` times, counting every call.
    struct Failing {
        calls: Arc<AtomicUsize>,
        error: ApiError,
        failing: usize,
    }

    impl Reconciler for Failing {
        type Key = u8;

        fn name(&self) -> &'static str {
            "failing"
        }

        fn keys_for(&mut self, _: &WatchEvent, _: &mut Vec<u8>) {}

        fn all_keys(&mut self) -> Vec<u8> {
            vec![1]
        }

        fn reconcile(&mut self, _: &u8) -> Result<Option<Duration>, ApiError> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            if n < self.failing { Err(self.error.clone()) } else { Ok(None) }
        }
    }

    fn start(error: ApiError, failing: usize) -> (Arc<AtomicUsize>, watch::Sender<bool>, JoinHandle<()>) {
        let state = ApiState::open(SandboxConfig::default()).expect("open state");
        let calls = Arc::new(AtomicUsize::new(0));
        let (stop, shutdown) = watch::channel(false);
        let handle = run(Failing { calls: calls.clone(), error, failing }, state, shutdown);
        (calls, stop, handle)
    }

    #[tokio::test]
    async fn a_taken_name_backs_off_instead_of_spinning() {
        let (calls, stop, handle) = start(ApiError::already_exists("", "pods", "db-0"), usize::MAX);
        tokio::time::sleep(Duration::from_millis(300)).await;
        // The first attempt, then nothing before the one-second back-off.
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        stop.send_replace(true);
        tokio::time::timeout(Duration::from_secs(2), handle).await.expect("prompt shutdown").expect("join");
    }

    #[tokio::test]
    async fn a_write_conflict_is_retried_at_once() {
        let conflict = ApiError::conflict("", "pods", "db-0", "the object has been modified");
        let (calls, stop, handle) = start(conflict, 3);
        let deadline = Instant::now() + Duration::from_millis(500);
        while calls.load(Ordering::SeqCst) < 4 {
            assert!(Instant::now() < deadline, "conflicts were not retried at once");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        stop.send_replace(true);
        tokio::time::timeout(Duration::from_secs(2), handle).await.expect("prompt shutdown").expect("join");
    }

    #[test]
    fn error_back_off_doubles_up_to_a_cap() {
        assert_eq!(error_retry(1), Duration::from_secs(1));
        assert_eq!(error_retry(3), Duration::from_secs(4));
        assert_eq!(error_retry(40), MAX_ERROR_RETRY);
    }
}
