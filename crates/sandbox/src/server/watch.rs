//! Watch streams: newline-delimited JSON events, resumable from a resourceVersion, with
//! bookmarks, initial events, timeouts and a 410 ERROR event when the history no longer reaches.

use super::Shared;
use super::http::{Query, flag};
use crate::error::ApiError;
use crate::registry::ResourceInfo;
use crate::resources::{ListOptions, as_version};
use crate::store::{EventType, StoredObject, WatchEvent, WatchStart};
use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Value, json};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;

const BOOKMARK_INTERVAL: Duration = Duration::from_secs(10);

pub async fn serve(
    shared: Arc<Shared>,
    info: Arc<ResourceInfo>,
    namespace: String,
    list: ListOptions,
    query: &Query,
) -> Result<Response, ApiError> {
    let store = &shared.state.store;
    let gr = info.group_resource();
    let ns = (!namespace.is_empty()).then_some(namespace.as_str());
    let requested = query.get("resourceVersion").map(String::as_str).unwrap_or_default();
    let initial_events = flag(query, "sendInitialEvents");
    let bookmarks = flag(query, "allowWatchBookmarks");
    let timeout =
        query.get("timeoutSeconds").and_then(|s| s.parse::<u64>().ok()).filter(|s| *s > 0).map(Duration::from_secs);

    let (tx, rx) = mpsc::channel::<Result<Bytes, Infallible>>(256);
    let mut initial = Vec::new();
    let subscription = if requested.is_empty() || requested == "0" || initial_events {
        let (items, subscription) = store.subscribe_with_snapshot(&gr, ns);
        initial = items.into_iter().filter(|o| list.matches(o)).collect();
        Ok(subscription)
    } else {
        let rv = requested
            .parse::<u64>()
            .map_err(|_| ApiError::bad_request(format!("invalid resource version: {requested}")))?;
        store.subscribe(WatchStart::After(rv)).map_err(|oldest| (rv, oldest))
    };
    let mut shutdown = shared.shutdown.subscribe();
    // A stream opened after shutdown began must still end: a fresh receiver has already seen the flag, so
    // mark it unseen, or `changed()` would wait forever and hold the graceful shutdown open.
    if *shutdown.borrow() {
        shutdown.mark_changed();
    }
    let mut dropped = shared.faults.watch_generation.subscribe();
    let send_end_marker = initial_events;
    tokio::spawn(async move {
        let mut subscription = match subscription {
            Ok(subscription) => subscription,
            Err((rv, oldest)) => {
                // The real watch cache answers 200 and then an ERROR event with a 410 Status.
                let status = ApiError::gone(format!("too old resource version: {rv} ({oldest})")).to_status();
                let _ = tx.send(Ok(line("ERROR", &status.to_string()))).await;
                return;
            }
        };
        let mut last_rv = subscription.resource_version;
        for object in &initial {
            if tx.send(Ok(event_line("ADDED", object, &info))).await.is_err() {
                return;
            }
        }
        if send_end_marker {
            let marker = bookmark(&info, last_rv, true);
            if tx.send(Ok(line("BOOKMARK", &marker))).await.is_err() {
                return;
            }
        }
        for event in std::mem::take(&mut subscription.backlog) {
            last_rv = last_rv.max(event.object.resource_version);
            if let Some(bytes) = render(&event, &info, ns_of(&namespace), &list)
                && tx.send(Ok(bytes)).await.is_err()
            {
                return;
            }
        }
        let deadline = timeout.map(|t| tokio::time::Instant::now() + t);
        let mut ticker = tokio::time::interval(BOOKMARK_INTERVAL);
        ticker.tick().await;
        loop {
            tokio::select! {
                received = subscription.receiver.recv() => match received {
                    Ok(event) => {
                        last_rv = last_rv.max(event.object.resource_version);
                        if let Some(bytes) = render(&event, &info, ns_of(&namespace), &list)
                            && tx.send(Ok(bytes)).await.is_err()
                        {
                            return;
                        }
                    }
                    // A watcher that fell this far behind is ended; the client resumes from its
                    // last resourceVersion, which the history still covers in the common case.
                    Err(RecvError::Lagged(_)) | Err(RecvError::Closed) => return,
                },
                _ = ticker.tick(), if bookmarks => {
                    if tx.send(Ok(line("BOOKMARK", &bookmark(&info, last_rv, false)))).await.is_err() {
                        return;
                    }
                }
                _ = async { if let Some(d) = deadline { tokio::time::sleep_until(d).await } else { std::future::pending::<()>().await } } => return,
                _ = shutdown.changed() => return,
                _ = dropped.changed() => return,
                _ = tx.closed() => return,
            }
        }
    });
    let mut response = Response::new(Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx)));
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache, private"));
    Ok(response)
}

fn ns_of(namespace: &str) -> Option<&str> {
    (!namespace.is_empty()).then_some(namespace)
}

fn render(event: &WatchEvent, info: &ResourceInfo, namespace: Option<&str>, list: &ListOptions) -> Option<Bytes> {
    if event.gr != info.group_resource() {
        return None;
    }
    if namespace.is_some_and(|ns| ns != event.object.namespace) {
        return None;
    }
    let matches_now = list.matches(&event.object);
    // A filtered watch sees an object enter and leave its selection, as the real watch cache
    // reports it: a modification that moves it out is a DELETED, one that moves it in an ADDED.
    let kind = match (event.event_type, event.previous.as_ref().map(|p| list.matches(p))) {
        (EventType::Modified, Some(true)) if !matches_now => EventType::Deleted,
        (EventType::Modified, Some(false)) if matches_now => EventType::Added,
        (EventType::Modified, Some(false)) => return None,
        (_, _) if !matches_now => return None,
        (other, _) => other,
    };
    Some(event_line(kind.as_str(), &event.object, info))
}

fn event_line(kind: &str, object: &StoredObject, info: &ResourceInfo) -> Bytes {
    let prefix = format!("{{\"apiVersion\":\"{}\"", info.api_version());
    if object.raw.starts_with(prefix.as_bytes()) {
        let mut out = Vec::with_capacity(object.raw.len() + 32);
        out.extend_from_slice(format!("{{\"type\":\"{kind}\",\"object\":").as_bytes());
        out.extend_from_slice(&object.raw);
        out.extend_from_slice(b"}\n");
        return Bytes::from(out);
    }
    line(kind, &as_version(object.value(), info).to_string())
}

fn line(kind: &str, object_json: &str) -> Bytes {
    Bytes::from(format!("{{\"type\":\"{kind}\",\"object\":{object_json}}}\n"))
}

fn bookmark(info: &ResourceInfo, rv: u64, initial_events_end: bool) -> String {
    let mut metadata = json!({"resourceVersion": rv.to_string()});
    if initial_events_end {
        metadata["annotations"] = json!({"k8s.io/initial-events-end": "true"});
    }
    let object: Value = json!({"kind": info.kind, "apiVersion": info.api_version(), "metadata": metadata});
    object.to_string()
}
