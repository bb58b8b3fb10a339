//! The events watch behind an events view: core/v1 Events, selected on the server by field selectors for one
//! object (as `kubectl events --for` does) or every Event in scope for the Flux view, kept in a map by uid and
//! sent to the app as a sorted snapshot after each burst of changes. For an object of a kind the app does not
//! store (a tree's Deployment, say), a metadata watch on that object says whether it still exists.

use std::collections::HashMap;
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::Event;
use kube::api::{DynamicObject, GroupVersionKind};
use kube::core::PartialObjectMeta;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, watcher};
use kube::{Api, Client};
use tokio::sync::mpsc;

use super::live::LiveUpdate;
use crate::api::FluxKind;
use crate::model::events::{EventRow, EventTarget, sort_newest_first};

/// The most events a view holds: a busy cluster has tens of thousands, a person reads the newest.
pub const MAX_EVENTS: usize = 2_000;
/// Changes arriving this close together are sent as one snapshot.
const COALESCE: Duration = Duration::from_millis(100);

/// A snapshot of an events view's Events.
#[derive(Debug, Clone)]
pub struct EventsUpdate {
    pub stream: u64,
    /// Newest first, at most [`MAX_EVENTS`]; `None` when only the other fields changed.
    pub rows: Option<Vec<EventRow>>,
    /// The watch failed (forbidden, disconnected); it retries with backoff.
    pub error: Option<String>,
    /// For an object target of a kind outside the app's stores: whether it exists, and its uid.
    pub object: Option<ObjectPresence>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectPresence {
    Exists { uid: Option<String> },
    Gone,
}

/// Watches the Events of `target` until the task is aborted.
pub async fn watch_events(client: Client, target: EventTarget, stream: u64, tx: mpsc::Sender<LiveUpdate>) {
    let presence = presence_watch(&client, &target, stream, tx.clone());
    let events = event_watch(client.clone(), target.clone(), stream, tx);
    tokio::join!(presence, events);
}

async fn event_watch(client: Client, target: EventTarget, stream: u64, tx: mpsc::Sender<LiveUpdate>) {
    let api: Api<Event> = match target.namespace() {
        Some(namespace) => Api::namespaced(client, namespace),
        None => Api::all(client),
    };
    let mut config = watcher::Config::default();
    if let Some(selector) = target.field_selector() {
        config = config.fields(&selector);
    }
    let mut events = std::pin::pin!(watcher(api, config).default_backoff().ready_chunks(512));
    let mut known: HashMap<String, EventRow> = HashMap::new();
    let mut listing: HashMap<String, EventRow> = HashMap::new();
    while let Some(chunk) = events.next().await {
        let mut changed = false;
        let mut error = None;
        for item in chunk {
            match item {
                Ok(watcher::Event::Init) => listing.clear(),
                Ok(watcher::Event::InitApply(event)) => {
                    if let Some(row) = row_for(&target, &event) {
                        listing.insert(row.uid.clone(), row);
                    }
                }
                Ok(watcher::Event::InitDone) => {
                    known = std::mem::take(&mut listing);
                    changed = true;
                }
                Ok(watcher::Event::Apply(event)) => {
                    if let Some(row) = row_for(&target, &event) {
                        known.insert(row.uid.clone(), row);
                        changed = true;
                    }
                }
                Ok(watcher::Event::Delete(event)) => {
                    // Events expire (the API server's TTL); the view forgets them with the server.
                    if let Some(uid) = event.metadata.uid.as_ref() {
                        changed |= known.remove(uid).is_some();
                    }
                }
                Err(err) => error = Some(format!("events: {err}")),
            }
        }
        if !changed && error.is_none() {
            continue;
        }
        let rows = changed.then(|| {
            let mut rows: Vec<EventRow> = known.values().cloned().collect();
            sort_newest_first(&mut rows);
            rows.truncate(MAX_EVENTS);
            rows
        });
        let update = EventsUpdate { stream, rows, error, object: None };
        if tx.send(LiveUpdate::Events(update)).await.is_err() {
            return;
        }
        tokio::time::sleep(COALESCE).await;
    }
}

fn row_for(target: &EventTarget, event: &Event) -> Option<EventRow> {
    let value = serde_json::to_value(event).ok()?;
    EventRow::from_value(&value).filter(|row| target.matches(row))
}

/// Whether an object of a kind the app does not store still exists: a metadata watch on it by name, through
/// discovery of its `apiVersion`. Flux kinds are checked by the app against its stores instead.
async fn presence_watch(client: &Client, target: &EventTarget, stream: u64, tx: mpsc::Sender<LiveUpdate>) {
    let EventTarget::Object(object) = target else { return };
    let Some(api_version) = object.api_version.as_deref() else { return };
    if FluxKind::from_name(&object.kind).is_some() {
        return;
    }
    let (group, version) = match api_version.split_once('/') {
        Some((group, version)) => (group, version),
        None => ("", api_version),
    };
    let gvk = GroupVersionKind::gvk(group, version, &object.kind);
    let Ok((resource, _)) = kube::discovery::pinned_kind(client, &gvk).await else { return };
    let api: Api<PartialObjectMeta<DynamicObject>> = if object.namespace.is_empty() {
        Api::all_with(client.clone(), &resource)
    } else {
        Api::namespaced_with(client.clone(), &object.namespace, &resource)
    };
    let config = watcher::Config::default().fields(&format!("metadata.name={}", object.name));
    let mut changes = std::pin::pin!(watcher(api, config).default_backoff());
    let mut seen: Option<ObjectPresence> = None;
    let mut listed = false;
    while let Some(item) = changes.next().await {
        let presence = match item {
            Ok(watcher::Event::Init) => {
                listed = false;
                continue;
            }
            Ok(watcher::Event::InitApply(meta) | watcher::Event::Apply(meta)) => {
                listed = true;
                ObjectPresence::Exists { uid: meta.metadata.uid }
            }
            Ok(watcher::Event::InitDone) if !listed => ObjectPresence::Gone,
            Ok(watcher::Event::InitDone) => continue,
            Ok(watcher::Event::Delete(_)) => ObjectPresence::Gone,
            Err(_) => continue,
        };
        if seen.as_ref() != Some(&presence) {
            seen = Some(presence.clone());
            let update = EventsUpdate { stream, rows: None, error: None, object: Some(presence) };
            if tx.send(LiveUpdate::Events(update)).await.is_err() {
                return;
            }
        }
    }
}

/// Lists the Events of `target` once, newest first: `fluxtui events`.
pub async fn list_events(client: Client, target: &EventTarget) -> Result<Vec<EventRow>, kube::Error> {
    let api: Api<Event> = match target.namespace() {
        Some(namespace) => Api::namespaced(client, namespace),
        None => Api::all(client),
    };
    let mut params = kube::api::ListParams::default();
    if let Some(selector) = target.field_selector() {
        params = params.fields(&selector);
    }
    let list = api.list(&params).await?;
    let mut rows: Vec<EventRow> = list.items.iter().filter_map(|event| row_for(target, event)).collect();
    sort_newest_first(&mut rows);
    Ok(rows)
}
