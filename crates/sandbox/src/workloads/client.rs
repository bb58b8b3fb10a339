//! How the simulated controllers talk to the API: the same `ApiState` methods the HTTP layer
//! uses (so admission, defaulting and watch events apply), with read-modify-write retries on
//! 409 Conflict, plus the small object helpers every controller needs.

use crate::error::ApiError;
use crate::registry::GroupResource;
use crate::resources::selector::LabelSelector;
use crate::resources::{ApiState, DeleteOptions, Propagation, SAFE_ALPHABET, Target, WriteOptions, meta_mut, meta_str};
pub(super) use crate::resources::{is_deleting, now_rfc3339 as now};
use crate::store::{EventType, StoredObject, WatchEvent, string_map};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Field manager of everything the controller manager writes.
pub(super) const CONTROLLER_MANAGER: &str = "kube-controller-manager";
/// Field manager of pod status writes.
pub(super) const KUBELET: &str = "kubelet";
/// How often a read-modify-write is retried after 409 Conflict before the runner requeues the key.
const CONFLICT_RETRIES: usize = 5;

/// A resource by group and plural, e.g. `gr("apps", "deployments")`.
pub(super) fn gr(group: &str, plural: &str) -> GroupResource {
    GroupResource::new(group, plural)
}

#[derive(Clone)]
pub(super) struct Api {
    pub state: Arc<ApiState>,
}

impl Api {
    pub fn new(state: Arc<ApiState>) -> Self {
        Api { state }
    }

    /// The storage version's target of an object.
    fn target(&self, gr: &GroupResource, namespace: &str, name: &str) -> Result<Target, ApiError> {
        let info = self.state.registry().storage_info(gr).ok_or_else(|| {
            ApiError::new(404, "NotFound", format!("the server could not find the requested resource {gr}"))
        })?;
        Ok(Target::new(info, namespace, name))
    }

    pub fn get(&self, gr: &GroupResource, namespace: &str, name: &str) -> Option<Value> {
        self.state.store.get(gr, namespace, name).map(|o| o.value())
    }

    pub fn create(&self, gr: &GroupResource, namespace: &str, body: Value, manager: &str) -> Result<Value, ApiError> {
        let target = self.target(gr, namespace, "")?;
        Ok(self.state.create(&target, body, &WriteOptions::manager(manager))?.object)
    }

    /// Read-modify-write of the main resource: `change` edits a fresh copy and says whether it
    /// changed anything. Returns the stored object, or `None` when there was nothing to do.
    pub fn modify(
        &self,
        gr: &GroupResource,
        namespace: &str,
        name: &str,
        manager: &str,
        change: impl FnMut(&mut Value) -> bool,
    ) -> Result<Option<Value>, ApiError> {
        self.modify_sub(gr, namespace, name, None, manager, change)
    }

    /// Read-modify-write through the status subresource.
    pub fn modify_status(
        &self,
        gr: &GroupResource,
        namespace: &str,
        name: &str,
        manager: &str,
        change: impl FnMut(&mut Value) -> bool,
    ) -> Result<Option<Value>, ApiError> {
        self.modify_sub(gr, namespace, name, Some("status"), manager, change)
    }

    pub fn modify_sub(
        &self,
        gr: &GroupResource,
        namespace: &str,
        name: &str,
        subresource: Option<&str>,
        manager: &str,
        mut change: impl FnMut(&mut Value) -> bool,
    ) -> Result<Option<Value>, ApiError> {
        let target = self.target(gr, namespace, name)?.with_subresource(subresource);
        let mut last = None;
        for _ in 0..CONFLICT_RETRIES {
            let Some(mut object) = self.get(gr, namespace, name) else {
                return Err(ApiError::not_found(&gr.group, &gr.resource, name));
            };
            if !change(&mut object) {
                return Ok(None);
            }
            // The object carries the resourceVersion it was read at: a concurrent write is a 409.
            match self.state.update(&target, object, &WriteOptions::manager(manager)) {
                Ok(outcome) => return Ok(Some(outcome.object)),
                Err(err) if err.code == 409 => last = Some(err),
                Err(err) => return Err(err),
            }
        }
        Err(last.unwrap_or_else(|| ApiError::internal("conflict retries exhausted")))
    }

    /// Writes `status` through the status subresource, unless it is what is stored already.
    pub fn replace_status(
        &self,
        gr: &GroupResource,
        namespace: &str,
        name: &str,
        manager: &str,
        status: &Value,
    ) -> Result<(), ApiError> {
        self.modify_status(gr, namespace, name, manager, |current| {
            if current.get("status") == Some(status) {
                return false;
            }
            current["status"] = status.clone();
            true
        })?;
        Ok(())
    }

    /// Deletes an object if it is still the one with `uid` (404 counts as done).
    pub fn delete(
        &self,
        gr: &GroupResource,
        namespace: &str,
        name: &str,
        uid: Option<&str>,
        propagation: Option<Propagation>,
    ) -> Result<(), ApiError> {
        let target = self.target(gr, namespace, name)?;
        let options = DeleteOptions { propagation, precondition_uid: uid.map(str::to_string), ..Default::default() };
        match self.state.delete(&target, &options) {
            Ok(_) => Ok(()),
            Err(err) if err.code == 404 => Ok(()),
            // The uid precondition failed: a new object took the name; it is not ours to delete.
            Err(err) if err.code == 409 => Ok(()),
            Err(err) => Err(err),
        }
    }

    /// Objects in `namespace` controlled by `owner_uid` (their controller ownerReference); only
    /// those are parsed.
    pub fn owned(&self, gr: &GroupResource, namespace: &str, owner_uid: &str) -> Vec<Value> {
        let (objects, _) = self.state.store.list(gr, Some(namespace));
        objects.iter().filter(|o| o.controller_uid() == Some(owner_uid)).map(|o| o.value()).collect()
    }

    /// The (namespace, name) of every object of a resource, in one namespace or all, unparsed.
    pub fn keys(&self, gr: &GroupResource, namespace: Option<&str>) -> Vec<(String, String)> {
        let (objects, _) = self.state.store.list(gr, namespace);
        objects.iter().map(|o| (o.namespace.clone(), o.name.clone())).collect()
    }

    /// What `owner` controls of `gr` in its namespace, after adopting the orphans its
    /// `spec.selector` matches (no controller ownerReference, not being deleted), as the real
    /// controllers do. Objects controlled by someone else are left alone.
    pub fn claim(
        &self,
        gr: &GroupResource,
        owner: &Value,
        api_version: &str,
        kind: &str,
    ) -> Result<Vec<Value>, ApiError> {
        let selector = owner.pointer("/spec/selector");
        let (objects, _) = self.state.store.list(gr, Some(namespace(owner)));
        let mut claimed = Vec::new();
        for object in objects {
            match object.controller_uid() {
                Some(controller) if controller == uid(owner) => claimed.push(object.value()),
                None if !is_deleting(owner) && selector_matches(selector, &object.labels) => {
                    claimed.extend(self.adopt(gr, &object, owner, api_version, kind)?);
                }
                _ => {}
            }
        }
        Ok(claimed)
    }

    /// Makes `owner` the controller of an orphan, if it still is one and still matches.
    fn adopt(
        &self,
        gr: &GroupResource,
        orphan: &StoredObject,
        owner: &Value,
        api_version: &str,
        kind: &str,
    ) -> Result<Option<Value>, ApiError> {
        let reference = owner_ref(owner, api_version, kind);
        let selector = owner.pointer("/spec/selector");
        let adopted = self.modify(gr, &orphan.namespace, &orphan.name, CONTROLLER_MANAGER, |object| {
            if uid(object) != orphan.uid
                || controller_ref(object).is_some()
                || is_deleting(object)
                || !selector_matches(selector, &labels(object))
            {
                return false;
            }
            let references = meta_mut(object).entry("ownerReferences").or_insert_with(|| json!([]));
            if !references.is_array() {
                *references = json!([]);
            }
            if let Some(list) = references.as_array_mut() {
                list.push(reference.clone());
            }
            true
        });
        match adopted {
            Ok(object) => Ok(object),
            Err(err) if err.code == 404 => Ok(None),
            Err(err) => Err(err),
        }
    }
}

pub(super) fn s<'a>(object: &'a Value, pointer: &str) -> &'a str {
    object.pointer(pointer).and_then(Value::as_str).unwrap_or_default()
}

pub(super) fn i(object: &Value, pointer: &str) -> Option<i64> {
    object.pointer(pointer).and_then(Value::as_i64)
}

pub(super) fn name(object: &Value) -> &str {
    meta_str(object, "name")
}

pub(super) fn namespace(object: &Value) -> &str {
    meta_str(object, "namespace")
}

pub(super) fn uid(object: &Value) -> &str {
    meta_str(object, "uid")
}

pub(super) fn generation(object: &Value) -> i64 {
    i(object, "/metadata/generation").unwrap_or(1)
}

pub(super) fn labels(object: &Value) -> BTreeMap<String, String> {
    labels_at(object, "/metadata/labels")
}

pub(super) fn labels_at(object: &Value, pointer: &str) -> BTreeMap<String, String> {
    string_map(object.pointer(pointer))
}

/// The ownerReference with `controller: true`.
pub(super) fn controller_ref(object: &Value) -> Option<&Value> {
    object
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)?
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
}

/// A workload controller's kind: what it reconciles and what it owns, for the key mapping,
/// resync and lookup every workload controller shares.
pub(super) struct Workload {
    pub group: &'static str,
    pub resource: &'static str,
    pub kind: &'static str,
    /// The plural of what it controls (`pods`, or `replicasets`/`jobs` of its own group).
    pub owned: &'static str,
    /// Whether it adopts orphans its selector matches (so a new orphan concerns it).
    pub adopts: bool,
}

impl Workload {
    pub fn gr(&self) -> GroupResource {
        gr(self.group, self.resource)
    }

    pub fn owned_gr(&self) -> GroupResource {
        gr(if self.owned == "pods" { "" } else { self.group }, self.owned)
    }

    /// Reconcile keys from a store event: its own objects, the controller of any owned object that
    /// changed (also the former one, when the controller changed), and, for an orphan that just
    /// appeared, changed labels or lost its controller, every workload of the namespace that may
    /// adopt it. Reads only what the store extracted on write.
    pub fn keys_for(&self, api: &Api, event: &WatchEvent, out: &mut Vec<(String, String)>) {
        let (group, resource) = (event.gr.group.as_str(), event.gr.resource.as_str());
        if (group, resource) == (self.group, self.resource) {
            out.push((event.object.namespace.clone(), event.object.name.clone()));
            return;
        }
        if (group, resource) != (if self.owned == "pods" { "" } else { self.group }, self.owned) {
            return;
        }
        let object = &event.object;
        out.extend(controller_key(object, self.kind));
        if let Some(previous) = &event.previous
            && previous.controller != object.controller
        {
            out.extend(controller_key(previous, self.kind));
        }
        let claimable = object.controller.is_none()
            && event.event_type != EventType::Deleted
            && event.previous.as_ref().is_none_or(|p| p.labels != object.labels || p.controller.is_some());
        if self.adopts && claimable {
            out.extend(api.keys(&self.gr(), Some(&object.namespace)));
        }
    }

    /// Every workload of this kind: what the controller resyncs on start.
    pub fn all_keys(&self, api: &Api) -> Vec<(String, String)> {
        api.keys(&self.gr(), None)
    }

    /// The workload behind a key, unless it is gone or being deleted.
    pub fn get_live(&self, api: &Api, (namespace, name): &(String, String)) -> Option<Value> {
        api.get(&self.gr(), namespace, name).filter(|o| !is_deleting(o))
    }
}

/// The (namespace, name) of the object's controller when it is of `kind`.
pub(super) fn controller_key(object: &StoredObject, kind: &str) -> Option<(String, String)> {
    let owner = object.controller.as_deref().filter(|c| c.kind == kind)?;
    Some((object.namespace.clone(), owner.name.clone()))
}

/// An ownerReference making `owner` the controller of a new object.
pub(super) fn owner_ref(owner: &Value, api_version: &str, kind: &str) -> Value {
    json!({
        "apiVersion": api_version,
        "kind": kind,
        "name": name(owner),
        "uid": uid(owner),
        "controller": true,
        "blockOwnerDeletion": true,
    })
}

/// Whether the object's labels satisfy a `spec.selector`-style label selector object.
pub(super) fn selector_matches(selector: Option<&Value>, labels: &BTreeMap<String, String>) -> bool {
    match selector {
        // An absent selector selects nothing, as in the workload controllers.
        None => false,
        Some(selector) => {
            let parsed = LabelSelector::from_object(selector);
            !parsed.is_empty() && parsed.matches(labels)
        }
    }
}

/// A condition of `status.conditions` by type.
pub(super) fn condition<'a>(object: &'a Value, kind: &str) -> Option<&'a Value> {
    object
        .pointer("/status/conditions")
        .and_then(Value::as_array)?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
}

pub(super) fn condition_true(object: &Value, kind: &str) -> bool {
    condition(object, kind).and_then(|c| c.get("status")).and_then(Value::as_str) == Some("True")
}

/// Sets a condition, keeping `lastTransitionTime` when the status does not change and
/// `lastUpdateTime` (where the kind has one) when nothing about the condition changes.
pub(super) fn set_condition(status: &mut Value, mut new: Value) {
    if !status.is_object() {
        *status = json!({});
    }
    let kind = new.get("type").cloned().unwrap_or(Value::Null);
    if !status.get("conditions").is_some_and(Value::is_array) {
        status["conditions"] = json!([]);
    }
    let Some(conditions) = status.get_mut("conditions").and_then(Value::as_array_mut) else { return };
    match conditions.iter_mut().find(|c| c.get("type") == Some(&kind)) {
        Some(existing) => {
            if existing.get("status") == new.get("status")
                && let Some(t) = existing.get("lastTransitionTime")
            {
                new["lastTransitionTime"] = t.clone();
            }
            let same = ["status", "reason", "message"].iter().all(|k| existing.get(*k) == new.get(*k));
            if same
                && new.get("lastUpdateTime").is_some()
                && let Some(t) = existing.get("lastUpdateTime")
            {
                new["lastUpdateTime"] = t.clone();
            }
            *existing = new;
        }
        None => conditions.push(new),
    }
}

/// The pod is neither finished nor being deleted: it counts towards a controller's replicas.
pub(super) fn pod_is_active(pod: &Value) -> bool {
    !is_deleting(pod) && !matches!(s(pod, "/status/phase"), "Succeeded" | "Failed")
}

pub(super) fn pod_is_ready(pod: &Value) -> bool {
    pod_is_active(pod) && condition_true(pod, "Ready")
}

/// How many of `pods` are available, and how long until the next ready one becomes available.
pub(super) fn count_available<'a>(
    pods: impl IntoIterator<Item = &'a Value>,
    min_ready_seconds: i64,
) -> (i64, Option<std::time::Duration>) {
    let mut available = 0;
    let mut wait: Option<std::time::Duration> = None;
    for pod in pods {
        let (is_available, until) = pod_availability(pod, min_ready_seconds);
        available += i64::from(is_available);
        if let Some(until) = until {
            wait = Some(wait.map_or(until, |w| w.min(until)));
        }
    }
    (available, wait)
}

/// Sets `metadata.<field>.<key>` (`labels`, `annotations`), creating the map when missing.
pub(super) fn set_meta_entry(object: &mut Value, field: &str, key: &str, value: impl Into<Value>) {
    let map = meta_mut(object).entry(field).or_insert_with(|| json!({}));
    if !map.is_object() {
        *map = json!({});
    }
    map[key] = value.into();
}

/// Ready for at least `min_ready_seconds`. Returns `(available, wait)` where `wait` is how long
/// until a ready but not yet available pod becomes available.
pub(super) fn pod_availability(pod: &Value, min_ready_seconds: i64) -> (bool, Option<std::time::Duration>) {
    if !pod_is_ready(pod) {
        return (false, None);
    }
    if min_ready_seconds <= 0 {
        return (true, None);
    }
    let since = condition(pod, "Ready")
        .and_then(|c| c.get("lastTransitionTime"))
        .and_then(Value::as_str)
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
    let Some(since) = since else { return (true, None) };
    let ready_for = chrono::Utc::now().signed_duration_since(since).num_milliseconds();
    let needed = min_ready_seconds * 1000;
    if ready_for >= needed {
        (true, None)
    } else {
        (false, Some(std::time::Duration::from_millis((needed - ready_for) as u64)))
    }
}

/// Seconds since an RFC 3339 timestamp (negative for the future; `None` when unparsable).
pub(super) fn seconds_since(timestamp: &str) -> Option<i64> {
    let at = chrono::DateTime::parse_from_rfc3339(timestamp).ok()?;
    Some(chrono::Utc::now().signed_duration_since(at).num_seconds())
}

/// A pod to create from a template, owned by `owner` (the caller adds name or generateName).
pub(super) fn pod_from_template(template: &Value, namespace: &str, owner_ref: Value) -> Value {
    let mut metadata = template.get("metadata").cloned().unwrap_or_else(|| json!({}));
    if !metadata.is_object() {
        metadata = json!({});
    }
    metadata["namespace"] = json!(namespace);
    metadata["ownerReferences"] = json!([owner_ref]);
    if let Some(map) = metadata.as_object_mut() {
        for transient in ["name", "generateName", "uid", "resourceVersion", "creationTimestamp", "managedFields"] {
            map.remove(transient);
        }
    }
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": template.get("spec").cloned().unwrap_or_else(|| json!({})),
    })
}

/// Serializes with object keys sorted, so equal objects hash equally whatever their key order.
pub(super) fn canonical_json(value: &Value) -> String {
    fn write(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (n, key) in keys.into_iter().enumerate() {
                    if n > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(key.clone()).to_string());
                    out.push(':');
                    write(&map[key], out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (n, item) in items.iter().enumerate() {
                    if n > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(value, &mut out);
    out
}

/// FNV-1a 32-bit, the hash the real controllers use for pod-template-hash and revisions.
pub(super) fn fnv32a(text: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in text.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

/// `rand.SafeEncodeString(fmt.Sprint(hash))`: the decimal digits mapped onto the alphabet the
/// real controllers use, so hashes look like `7d4b9c8f5`.
pub(super) fn safe_encode(hash: u32) -> String {
    hash.to_string().bytes().map(|b| SAFE_ALPHABET[usize::from(b) % SAFE_ALPHABET.len()] as char).collect()
}

/// A pod template without the `pod-template-hash` label a Deployment adds to its ReplicaSets'.
pub(super) fn template_without_hash(template: &Value) -> Value {
    let mut template = template.clone();
    if let Some(labels) = template.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
        labels.remove("pod-template-hash");
    }
    template
}

/// The hash of a pod template, ignoring the `pod-template-hash` label the controller adds.
pub(super) fn template_hash(template: &Value) -> String {
    safe_encode(fnv32a(&canonical_json(&template_without_hash(template))))
}

/// Resolves an int-or-percent (`maxSurge: 25%`) against a total; percentages round up or down.
pub(super) fn int_or_percent(value: Option<&Value>, total: i64, round_up: bool, default: i64) -> i64 {
    match value {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(default),
        Some(Value::String(text)) => match text.strip_suffix('%').and_then(|p| p.trim().parse::<i64>().ok()) {
            Some(percent) => {
                let scaled = percent * total;
                if round_up { (scaled + 99) / 100 } else { scaled / 100 }
            }
            None => text.parse().unwrap_or(default),
        },
        _ => default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_key_order_independent_and_look_like_kubernetes_ones() {
        let a =
            json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}});
        let b = json!({"spec": {"containers": [{"image": "nginx", "name": "c"}]}, "metadata": {"labels": {"app": "web", "pod-template-hash": "x"}}});
        assert_eq!(template_hash(&a), template_hash(&b));
        assert!(template_hash(&a).chars().all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c)));
    }

    #[test]
    fn int_or_percent_rounds_like_the_deployment_controller() {
        assert_eq!(int_or_percent(Some(&json!("25%")), 3, true, 0), 1);
        assert_eq!(int_or_percent(Some(&json!("25%")), 3, false, 0), 0);
        assert_eq!(int_or_percent(Some(&json!(2)), 3, false, 0), 2);
        assert_eq!(int_or_percent(None, 3, false, 1), 1);
    }
}
