//! The versioned object store: every object of every resource, one global resourceVersion
//! counter, a bounded history of changes for resuming watches, and optional durability.
//!
//! All writes go through [`Store::transact`], which holds the store's lock for the whole
//! read-modify-write, so optimistic concurrency checks and cascades see one consistent state.
//! Reads copy `Arc`s out under the lock and do their serialization after releasing it.

mod object;
mod wal;

pub use object::{ControllerRef, StoredObject, metadata_str, string_map};

use crate::registry::GroupResource;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::broadcast;
use wal::{Record, ReplayedEntry, Wal};

/// What happened to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One committed change. For deletes, `object` is the last state with the delete's resourceVersion.
#[derive(Debug, Clone)]
pub struct WatchEvent {
    pub gr: GroupResource,
    pub event_type: EventType,
    pub object: Arc<StoredObject>,
    /// The state before a modification, so that filtered watches can tell an object that stopped
    /// matching their selector (a DELETED for them) from one that started to (an ADDED).
    pub previous: Option<Arc<StoredObject>>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot use the state file {path}")]
    Io { path: String, source: std::io::Error },
    #[error("state is corrupt: {0}")]
    Corrupt(String),
}

impl StoreError {
    fn io(path: &Path, source: std::io::Error) -> Self {
        StoreError::Io { path: path.display().to_string(), source }
    }
}

type Objects = BTreeMap<(String, String), Arc<StoredObject>>;

struct Inner {
    objects: HashMap<GroupResource, Objects>,
    resource_version: u64,
    history: VecDeque<WatchEvent>,
    history_limit: usize,
    /// Watches asking for anything at or below this resourceVersion get 410 Gone.
    compacted_below: u64,
    wal: Option<Wal>,
    live_count: usize,
}

/// The object store. Cheap to share behind an `Arc`.
pub struct Store {
    inner: Mutex<Inner>,
    events: broadcast::Sender<WatchEvent>,
}

/// Where a watch starts.
pub enum WatchStart {
    /// Only changes after the current state.
    Now,
    /// Every change after this resourceVersion (from the history).
    After(u64),
}

/// A live watch: history events first, then the broadcast.
pub struct Subscription {
    pub backlog: Vec<WatchEvent>,
    pub receiver: broadcast::Receiver<WatchEvent>,
    pub resource_version: u64,
}

impl Store {
    /// Opens the store; with a state directory, replays the log found there.
    pub fn open(state_dir: Option<&Path>, history_limit: usize) -> Result<Store, StoreError> {
        let mut inner = Inner {
            objects: HashMap::new(),
            resource_version: 0,
            history: VecDeque::new(),
            history_limit: history_limit.max(1),
            compacted_below: 0,
            wal: None,
            live_count: 0,
        };
        if let Some(dir) = state_dir {
            let replayed = Wal::replay(dir)?;
            for entry in replayed.entries {
                match entry {
                    ReplayedEntry::Put { gr, rv, object } => {
                        let value: Value =
                            serde_json::from_slice(&object).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                        let stored = Arc::new(StoredObject::from_value(&value, rv));
                        let key = (stored.namespace.clone(), stored.name.clone());
                        inner.objects.entry(gr).or_default().insert(key, stored);
                    }
                    ReplayedEntry::Delete { gr, namespace, name } => {
                        if let Some(objects) = inner.objects.get_mut(&gr) {
                            objects.remove(&(namespace, name));
                        }
                    }
                }
            }
            inner.resource_version = replayed.resource_version;
            // Watches from before the restart cannot be resumed: the history was not kept.
            inner.compacted_below = replayed.resource_version;
            inner.live_count = inner.objects.values().map(BTreeMap::len).sum();
            let live = inner
                .objects
                .iter()
                .flat_map(|(gr, objects)| objects.values().map(move |o| (gr, o.resource_version, o.raw.as_ref())));
            inner.wal = Some(Wal::compact(dir, replayed.resource_version, live)?);
        }
        let (events, _) = broadcast::channel(4096);
        Ok(Store { inner: Mutex::new(inner), events })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave a half-written state: transactions only
        // publish their changes after every step succeeded. So a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn resource_version(&self) -> u64 {
        self.lock().resource_version
    }

    pub fn get(&self, gr: &GroupResource, namespace: &str, name: &str) -> Option<Arc<StoredObject>> {
        self.lock().objects.get(gr)?.get(&(namespace.to_string(), name.to_string())).cloned()
    }

    /// Objects of one resource, optionally in one namespace, in (namespace, name) order, with the
    /// store's resourceVersion at read time.
    pub fn list(&self, gr: &GroupResource, namespace: Option<&str>) -> (Vec<Arc<StoredObject>>, u64) {
        let inner = self.lock();
        let Some(objects) = inner.objects.get(gr) else { return (Vec::new(), inner.resource_version) };
        let items = match namespace {
            Some(ns) => objects
                .range((ns.to_string(), String::new())..)
                .take_while(|(key, _)| key.0 == ns)
                .map(|(_, o)| o.clone())
                .collect(),
            None => objects.values().cloned().collect(),
        };
        (items, inner.resource_version)
    }

    /// Like [`Store::list`], but as the objects were at `resource_version`, rolled back through the
    /// watch history: the next page of a paginated list shows the same snapshot as its first page,
    /// as the real server's continue tokens do. Fails with the oldest resourceVersion still
    /// known when the history no longer reaches back that far.
    pub fn list_at(
        &self,
        gr: &GroupResource,
        namespace: Option<&str>,
        after: &(String, String),
        resource_version: u64,
    ) -> Result<Vec<Arc<StoredObject>>, u64> {
        let inner = self.lock();
        if resource_version < inner.compacted_below {
            return Err(inner.compacted_below);
        }
        let in_scope = |ns: &str, name: &str| {
            namespace.is_none_or(|n| n == ns) && (ns, name) > (after.0.as_str(), after.1.as_str())
        };
        let mut snapshot: BTreeMap<(String, String), Arc<StoredObject>> = inner
            .objects
            .get(gr)
            .map(|objects| {
                objects
                    .range((std::ops::Bound::Excluded(after.clone()), std::ops::Bound::Unbounded))
                    .filter(|(key, _)| namespace.is_none_or(|ns| key.0 == ns))
                    .map(|(key, object)| (key.clone(), object.clone()))
                    .collect()
            })
            .unwrap_or_default();
        // Undo, newest first, every change made after the snapshot's resourceVersion.
        for event in inner.history.iter().rev().take_while(|e| e.object.resource_version > resource_version) {
            if &event.gr != gr || !in_scope(&event.object.namespace, &event.object.name) {
                continue;
            }
            let key = (event.object.namespace.clone(), event.object.name.clone());
            match &event.previous {
                Some(previous) => snapshot.insert(key, previous.clone()),
                None => snapshot.remove(&key),
            };
        }
        Ok(snapshot.into_values().collect())
    }

    /// Starts a watch. Fails with the oldest resourceVersion still known when `After` is too old.
    pub fn subscribe(&self, start: WatchStart) -> Result<Subscription, u64> {
        let inner = self.lock();
        // Subscribing under the lock means no commit can fall between the backlog and the stream.
        let receiver = self.events.subscribe();
        let backlog = match start {
            WatchStart::Now => Vec::new(),
            WatchStart::After(rv) => {
                if rv < inner.compacted_below {
                    return Err(inner.compacted_below);
                }
                inner.history.iter().filter(|e| e.object.resource_version > rv).cloned().collect()
            }
        };
        Ok(Subscription { backlog, receiver, resource_version: inner.resource_version })
    }

    /// Starts a watch together with a snapshot of one resource taken at the same instant, for
    /// watches that begin with the current state (resourceVersion "" or "0", sendInitialEvents).
    pub fn subscribe_with_snapshot(
        &self,
        gr: &GroupResource,
        namespace: Option<&str>,
    ) -> (Vec<Arc<StoredObject>>, Subscription) {
        let inner = self.lock();
        let receiver = self.events.subscribe();
        let items = inner
            .objects
            .get(gr)
            .map(|objects| objects.values().filter(|o| namespace.is_none_or(|ns| o.namespace == ns)).cloned().collect())
            .unwrap_or_default();
        (items, Subscription { backlog: Vec::new(), receiver, resource_version: inner.resource_version })
    }

    /// Forgets the watch history so every resumed watch gets 410 Gone (fault injection). The clock
    /// moves on by one, durably, so that what a client lists afterwards is watchable again: without
    /// that, a quiet cluster would answer each relist with a resourceVersion that is already too old.
    pub fn expire_history(&self) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let rv = inner.resource_version + 1;
        if let Some(wal) = inner.wal.as_mut() {
            wal.append(&Record::header(rv))?;
            wal.sync()?;
        }
        inner.resource_version = rv;
        inner.history.clear();
        inner.compacted_below = rv;
        Ok(())
    }

    /// Runs a read-modify-write under the store lock. Writes made through the [`Txn`] become
    /// visible, durable and broadcast together, and only if `f` succeeds.
    pub fn transact<R, E>(&self, f: impl FnOnce(&mut Txn<'_>) -> Result<R, E>) -> Result<R, E>
    where
        E: From<StoreError>,
    {
        let mut inner = self.lock();
        let start = inner.resource_version;
        let mut txn = Txn { inner: &mut inner, pending: Vec::new(), resource_version: start };
        let result = f(&mut txn)?;
        let pending = std::mem::take(&mut txn.pending);
        let committed_version = txn.resource_version;
        if pending.is_empty() {
            return Ok(result);
        }
        if let Some(wal) = inner.wal.as_mut() {
            for event in &pending {
                let gr = &event.gr;
                let rv = event.object.resource_version;
                let raw: &serde_json::value::RawValue;
                let record = match event.event_type {
                    EventType::Deleted => Record::delete(gr, rv, &event.object.namespace, &event.object.name),
                    _ => {
                        raw = serde_json::from_slice(&event.object.raw)
                            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                        Record::put(gr, rv, raw)
                    }
                };
                wal.append(&record)?;
            }
            wal.sync()?;
        }
        inner.resource_version = committed_version;
        for event in pending {
            let key = (event.object.namespace.clone(), event.object.name.clone());
            let objects = inner.objects.entry(event.gr.clone()).or_default();
            match event.event_type {
                EventType::Deleted => {
                    if objects.remove(&key).is_some() {
                        inner.live_count -= 1;
                    }
                }
                _ => {
                    if objects.insert(key, event.object.clone()).is_none() {
                        inner.live_count += 1;
                    }
                }
            }
            if inner.history.len() >= inner.history_limit
                && let Some(dropped) = inner.history.pop_front()
            {
                inner.compacted_below = dropped.object.resource_version;
            }
            inner.history.push_back(event.clone());
            // No receivers is fine: nobody is watching.
            let _ = self.events.send(event);
        }
        maybe_compact(&mut inner)?;
        Ok(result)
    }
}

/// Rewrites the log once it holds far more records than live objects.
fn maybe_compact(inner: &mut Inner) -> Result<(), StoreError> {
    let Some(wal) = inner.wal.as_ref() else { return Ok(()) };
    if wal.lines < 10_000 || wal.lines < inner.live_count * 4 {
        return Ok(());
    }
    let dir = wal.dir().to_path_buf();
    let live = inner
        .objects
        .iter()
        .flat_map(|(gr, objects)| objects.values().map(move |o| (gr, o.resource_version, o.raw.as_ref())));
    inner.wal = Some(Wal::compact(&dir, inner.resource_version, live)?);
    Ok(())
}

/// A write transaction: reads see the transaction's own earlier writes.
pub struct Txn<'a> {
    inner: &'a mut Inner,
    pending: Vec<WatchEvent>,
    /// The counter as this transaction advanced it; published only on commit.
    resource_version: u64,
}

impl Txn<'_> {
    pub fn get(&self, gr: &GroupResource, namespace: &str, name: &str) -> Option<Arc<StoredObject>> {
        if let Some(event) =
            self.pending.iter().rev().find(|e| &e.gr == gr && e.object.namespace == namespace && e.object.name == name)
        {
            return (event.event_type != EventType::Deleted).then(|| event.object.clone());
        }
        self.inner.objects.get(gr)?.get(&(namespace.to_string(), name.to_string())).cloned()
    }

    /// Every object of a resource (optionally one namespace), including this transaction's writes.
    pub fn list(&self, gr: &GroupResource, namespace: Option<&str>) -> Vec<Arc<StoredObject>> {
        let mut merged: BTreeMap<(String, String), Option<Arc<StoredObject>>> = BTreeMap::new();
        if let Some(objects) = self.inner.objects.get(gr) {
            for (key, object) in objects.iter().filter(|(key, _)| namespace.is_none_or(|ns| key.0 == ns)) {
                merged.insert(key.clone(), Some(object.clone()));
            }
        }
        for event in self.pending.iter().filter(|e| &e.gr == gr) {
            if namespace.is_some_and(|ns| ns != event.object.namespace) {
                continue;
            }
            let key = (event.object.namespace.clone(), event.object.name.clone());
            let value = (event.event_type != EventType::Deleted).then(|| event.object.clone());
            merged.insert(key, value);
        }
        merged.into_values().flatten().collect()
    }

    /// Resources that currently hold at least one object.
    pub fn resources(&self) -> Vec<GroupResource> {
        let mut resources: Vec<GroupResource> =
            self.inner.objects.iter().filter(|(_, o)| !o.is_empty()).map(|(gr, _)| gr.clone()).collect();
        for event in &self.pending {
            if !resources.contains(&event.gr) {
                resources.push(event.gr.clone());
            }
        }
        resources
    }

    fn next_resource_version(&mut self) -> u64 {
        self.resource_version += 1;
        self.resource_version
    }

    /// Stores an object (create or update), giving it the next resourceVersion.
    pub fn put(&mut self, gr: &GroupResource, mut value: Value) -> Arc<StoredObject> {
        let rv = self.next_resource_version();
        let previous = self.get(gr, metadata_str(&value, "namespace"), metadata_str(&value, "name"));
        if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.insert("resourceVersion".into(), Value::String(rv.to_string()));
        }
        let object = Arc::new(StoredObject::from_value(&value, rv));
        let event_type = if previous.is_some() { EventType::Modified } else { EventType::Added };
        self.pending.push(WatchEvent { gr: gr.clone(), event_type, object: object.clone(), previous });
        object
    }

    /// Removes an object; watchers see its last state with the delete's resourceVersion.
    pub fn delete(&mut self, gr: &GroupResource, namespace: &str, name: &str) -> Option<Arc<StoredObject>> {
        let existing = self.get(gr, namespace, name)?;
        let rv = self.next_resource_version();
        let mut value = existing.value();
        if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.insert("resourceVersion".into(), Value::String(rv.to_string()));
        }
        let object = Arc::new(StoredObject::from_value(&value, rv));
        let event = WatchEvent {
            gr: gr.clone(),
            event_type: EventType::Deleted,
            object: object.clone(),
            previous: Some(existing),
        };
        self.pending.push(event);
        Some(object)
    }
}

#[cfg(test)]
mod tests;
