//! One loop every watch of the session runs in: a failed watch is started afresh after the default backoff.
//!
//! kube-rs's own `default_backoff()` resumes a broken watch from its last resourceVersion, which is efficient
//! but silent: a watch that comes back after the server returned sends no event, so a kind shown as failed
//! would stay failed. Starting afresh relists, and every recovery ends in `InitDone`, which is what turns a
//! state back to synced and the banner back to connected. The delays are kube-rs's [`DefaultBackoff`] (0.8s
//! doubling to 30s, with jitter), reset whenever a list completes.

use std::time::Duration;

use futures::{Stream, StreamExt};
use kube::runtime::utils::Backoff;
use kube::runtime::watcher::{self, DefaultBackoff, Event};

use super::connectivity::Failure;

/// Runs the watch `start` makes until the task is aborted, handing `handle` each event and each failure.
pub async fn watch_forever<K, S>(mut start: impl FnMut() -> S, mut handle: impl FnMut(Result<&Event<K>, &Failure>))
where
    S: Stream<Item = Result<Event<K>, watcher::Error>>,
{
    let mut backoff = DefaultBackoff::default();
    loop {
        let mut stream = std::pin::pin!(start());
        while let Some(item) = stream.next().await {
            match item {
                Ok(event) => {
                    if matches!(event, Event::InitDone) {
                        backoff.reset();
                    }
                    handle(Ok(&event));
                }
                Err(error) => {
                    tracing::debug!(%error, "a watch failed; it starts again after a backoff");
                    handle(Err(&Failure::from_watcher(&error)));
                    break;
                }
            }
        }
        // The default backoff never runs out; the fallback only keeps this total.
        tokio::time::sleep(backoff.next().unwrap_or(Duration::from_secs(30))).await;
    }
}
