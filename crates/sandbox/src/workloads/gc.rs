//! The garbage collector: ownerReference cascades for every kind, custom resources included.
//!
//! It keeps an index of every object by uid and of dependents by owner uid, fed by the change
//! broadcast in commit order. Three cases, as in the real controller:
//! * background: once no owner of a dependent exists any more, the dependent is deleted (and
//!   references to vanished owners are dropped when other owners remain);
//! * foreground: an owner with `deletionTimestamp` and the `foregroundDeletion` finalizer gets its
//!   dependents deleted (in foreground too), and loses the finalizer once no dependent with
//!   `blockOwnerDeletion: true` is left, which completes its deletion;
//! * orphan: an owner with the `orphan` finalizer has its references removed from every
//!   dependent, then loses the finalizer.

use super::client::{Api, CONTROLLER_MANAGER, is_deleting, name, namespace, uid};
use super::runtime::Reconciler;
use crate::error::ApiError;
use crate::registry::GroupResource;
use crate::resources::{FINALIZER_FOREGROUND as FOREGROUND, FINALIZER_ORPHAN as ORPHAN, Propagation, finalizers};
use crate::store::{EventType, StoredObject, WatchEvent};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Key {
    /// Does this object still have a live owner?
    Dependent(String),
    /// Is this deleting owner waiting on (or orphaning) its dependents?
    Owner(String),
}

struct Entry {
    gr: GroupResource,
    namespace: String,
    name: String,
    owners: Vec<String>,
    resource_version: u64,
}

pub(super) struct GarbageCollector {
    api: Api,
    objects: HashMap<String, Entry>,
    dependents: HashMap<String, HashSet<String>>,
}

fn has_finalizer(object: &Value, finalizer: &str) -> bool {
    finalizers(object).iter().any(|f| f == finalizer)
}

impl GarbageCollector {
    pub fn new(api: Api) -> Self {
        GarbageCollector { api, objects: HashMap::new(), dependents: HashMap::new() }
    }

    /// Indexes one object state; returns the keys it concerns. Only an object being deleted is
    /// parsed (for its finalizers): the rest is what the store read on write.
    fn observe(&mut self, gr: &GroupResource, change: EventType, object: &StoredObject, out: &mut Vec<Key>) {
        let rv = object.resource_version;
        let uid = object.uid.clone();
        if uid.is_empty() {
            return;
        }
        if self.objects.get(&uid).is_some_and(|e| e.resource_version > rv) {
            return;
        }
        let previous = self.objects.get(&uid).map(|e| e.owners.clone()).unwrap_or_default();
        if change == EventType::Deleted {
            self.objects.remove(&uid);
            for owner in previous {
                if let Some(set) = self.dependents.get_mut(&owner) {
                    set.remove(&uid);
                }
                out.push(Key::Owner(owner));
            }
            for dependent in self.dependents.remove(&uid).into_iter().flatten() {
                out.push(Key::Dependent(dependent));
            }
            return;
        }
        let owners = object.owners.clone();
        for gone in previous.iter().filter(|o| !owners.contains(o)) {
            if let Some(set) = self.dependents.get_mut(gone) {
                set.remove(&uid);
            }
            out.push(Key::Owner(gone.clone()));
        }
        for owner in &owners {
            self.dependents.entry(owner.clone()).or_default().insert(uid.clone());
        }
        if !owners.is_empty() {
            out.push(Key::Dependent(uid.clone()));
        }
        // Deleting owners are what the owner keys are about; only they need a look inside.
        if object.deleting {
            let value = object.value();
            if has_finalizer(&value, FOREGROUND) || has_finalizer(&value, ORPHAN) {
                out.push(Key::Owner(uid.clone()));
            }
        }
        let entry = Entry {
            gr: gr.clone(),
            namespace: object.namespace.clone(),
            name: object.name.clone(),
            owners,
            resource_version: rv,
        };
        self.objects.insert(uid, entry);
    }

    /// The current object behind a uid, if it still exists under that uid.
    fn current(&self, uid: &str) -> Option<(GroupResource, Value)> {
        let entry = self.objects.get(uid)?;
        let stored = self.api.state.store.get(&entry.gr, &entry.namespace, &entry.name)?;
        (stored.uid == uid).then(|| (entry.gr.clone(), stored.value()))
    }

    /// Looks an owner up by its reference (apiVersion, kind, name) and checks the uid: the index
    /// is authoritative, but this guards against deleting anything on an index slip.
    fn owner_by_reference(&self, reference: &Value, namespace: &str) -> Option<Value> {
        let api_version = reference.get("apiVersion").and_then(Value::as_str)?;
        let kind = reference.get("kind").and_then(Value::as_str)?;
        let name = reference.get("name").and_then(Value::as_str)?;
        let info = self.api.state.resource_for_kind(api_version, kind).ok()?;
        let namespace = if info.namespaced { namespace } else { "" };
        let object = self.api.get(&info.group_resource(), namespace, name)?;
        (reference.get("uid").and_then(Value::as_str) == Some(uid(&object))).then_some(object)
    }

    fn dependent(&self, uid: &str) -> Result<(), ApiError> {
        let Some((gr, object)) = self.current(uid) else { return Ok(()) };
        let namespace = namespace(&object);
        let references =
            object.pointer("/metadata/ownerReferences").and_then(Value::as_array).cloned().unwrap_or_default();
        let (mut solid, mut waiting, mut dangling) = (0, Vec::new(), Vec::new());
        for reference in &references {
            let owner_uid = reference.get("uid").and_then(Value::as_str).unwrap_or_default();
            let owner =
                self.current(owner_uid).map(|(_, o)| o).or_else(|| self.owner_by_reference(reference, namespace));
            match owner {
                None => dangling.push(owner_uid.to_string()),
                Some(owner) if is_deleting(&owner) && has_finalizer(&owner, FOREGROUND) => {
                    waiting.push(owner_uid.to_string())
                }
                Some(_) => solid += 1,
            }
        }
        if dangling.is_empty() && waiting.is_empty() {
            return Ok(());
        }
        let name = name(&object);
        if solid == 0 {
            if is_deleting(&object) {
                return Ok(());
            }
            let propagation = if waiting.is_empty() { Propagation::Background } else { Propagation::Foreground };
            tracing::debug!(%gr, namespace, name, ?propagation, "garbage collecting dependent");
            return self.api.delete(&gr, namespace, name, Some(uid), Some(propagation));
        }
        // Other owners remain: only drop the references to owners that are gone or going.
        let drop: HashSet<String> = dangling.into_iter().chain(waiting).collect();
        self.remove_references(&gr, namespace, name, &drop)
    }

    fn remove_references(
        &self,
        gr: &GroupResource,
        namespace: &str,
        name: &str,
        uids: &HashSet<String>,
    ) -> Result<(), ApiError> {
        let result = self.api.modify(gr, namespace, name, CONTROLLER_MANAGER, |object| {
            let Some(list) = object.pointer_mut("/metadata/ownerReferences").and_then(Value::as_array_mut) else {
                return false;
            };
            let before = list.len();
            list.retain(|r| !r.get("uid").and_then(Value::as_str).is_some_and(|u| uids.contains(u)));
            let changed = list.len() != before;
            if list.is_empty()
                && let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut)
            {
                meta.remove("ownerReferences");
            }
            changed
        });
        match result {
            Ok(_) => Ok(()),
            Err(err) if err.code == 404 => Ok(()),
            Err(err) => Err(err),
        }
    }

    fn owner(&self, uid: &str) -> Result<(), ApiError> {
        let Some((gr, owner)) = self.current(uid) else { return Ok(()) };
        if !is_deleting(&owner) {
            return Ok(());
        }
        let dependents: Vec<String> = self.dependents.get(uid).map(|s| s.iter().cloned().collect()).unwrap_or_default();
        let (namespace, name) = (namespace(&owner).to_string(), name(&owner).to_string());
        if has_finalizer(&owner, ORPHAN) {
            let only_owner: HashSet<String> = [uid.to_string()].into_iter().collect();
            for dependent in &dependents {
                if let Some(entry) = self.objects.get(dependent) {
                    self.remove_references(&entry.gr, &entry.namespace, &entry.name, &only_owner)?;
                }
            }
            return self.remove_finalizer(&gr, &namespace, &name, ORPHAN);
        }
        if has_finalizer(&owner, FOREGROUND) {
            let mut blocked = false;
            for dependent in &dependents {
                let Some((_, object)) = self.current(dependent) else { continue };
                self.dependent(dependent)?;
                let blocks =
                    object.pointer("/metadata/ownerReferences").and_then(Value::as_array).into_iter().flatten().any(
                        |r| {
                            r.get("uid").and_then(Value::as_str) == Some(uid)
                                && r.get("blockOwnerDeletion").and_then(Value::as_bool) == Some(true)
                        },
                    );
                // Deleted now, or still there (held by its own finalizers): check the store.
                blocked |= blocks && self.current(dependent).is_some();
            }
            if !blocked {
                return self.remove_finalizer(&gr, &namespace, &name, FOREGROUND);
            }
        }
        Ok(())
    }

    fn remove_finalizer(
        &self,
        gr: &GroupResource,
        namespace: &str,
        name: &str,
        finalizer: &str,
    ) -> Result<(), ApiError> {
        let result = self.api.modify(gr, namespace, name, CONTROLLER_MANAGER, |object| {
            let Some(list) = object.pointer_mut("/metadata/finalizers").and_then(Value::as_array_mut) else {
                return false;
            };
            let before = list.len();
            list.retain(|f| f.as_str() != Some(finalizer));
            list.len() != before
        });
        match result {
            Ok(_) => Ok(()),
            Err(err) if err.code == 404 => Ok(()),
            Err(err) => Err(err),
        }
    }
}

impl Reconciler for GarbageCollector {
    type Key = Key;

    fn name(&self) -> &'static str {
        "garbage-collector"
    }

    fn keys_for(&mut self, event: &WatchEvent, out: &mut Vec<Key>) {
        self.observe(&event.gr, event.event_type, &event.object, out);
    }

    fn all_keys(&mut self) -> Vec<Key> {
        self.objects.clear();
        self.dependents.clear();
        let resources: BTreeSet<GroupResource> =
            self.api.state.registry().all().map(|info| info.group_resource()).collect();
        let mut keys = Vec::new();
        for gr in resources {
            for stored in self.api.state.store.list(&gr, None).0 {
                self.observe(&gr, EventType::Added, &stored, &mut keys);
            }
        }
        keys
    }

    fn reconcile(&mut self, key: &Key) -> Result<Option<Duration>, ApiError> {
        match key {
            Key::Dependent(uid) => self.dependent(uid)?,
            Key::Owner(uid) => self.owner(uid)?,
        }
        Ok(None)
    }
}
