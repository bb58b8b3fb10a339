//! One stored object: its canonical JSON plus the few fields the store indexes.

use bytes::Bytes;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The ownerReference with `controller: true`, as read on write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControllerRef {
    pub kind: String,
    pub name: String,
    pub uid: String,
}

/// An object as the store keeps it. The JSON bytes are the source of truth (they are what lists
/// and watches send, without re-serializing); the other fields are read out once on write, so
/// that watchers (the simulated controllers, the garbage collector) need not parse the bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredObject {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub resource_version: u64,
    pub labels: BTreeMap<String, String>,
    /// The controller ownerReference (shared: most objects have none, pods share nothing big).
    pub controller: Option<Arc<ControllerRef>>,
    /// The uids of every ownerReference, controller or not.
    pub owners: Vec<String>,
    /// `metadata.deletionTimestamp` is set.
    pub deleting: bool,
    pub raw: Bytes,
}

/// `metadata.<key>` as a string, or "" when missing or not a string.
pub fn metadata_str<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get("metadata").and_then(|m| m.get(key)).and_then(Value::as_str).unwrap_or_default()
}

/// A JSON object of strings (labels, annotations, a `matchLabels` or `nodeSelector`) as a map;
/// non-string values are skipped, anything but an object is empty.
pub fn string_map(value: Option<&Value>) -> BTreeMap<String, String> {
    value
        .and_then(Value::as_object)
        .map(|map| map.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
        .unwrap_or_default()
}

impl StoredObject {
    /// Builds the stored form of an object whose `metadata.resourceVersion` is already set.
    pub fn from_value(value: &Value, resource_version: u64) -> Self {
        let meta = value.get("metadata");
        let references = meta.and_then(|m| m.get("ownerReferences")).and_then(Value::as_array);
        let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
        let owners = references
            .into_iter()
            .flatten()
            .filter_map(|r| r.get("uid").and_then(Value::as_str).map(str::to_string))
            .collect();
        let controller = references
            .into_iter()
            .flatten()
            .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
            .map(|r| Arc::new(ControllerRef { kind: text(r, "kind"), name: text(r, "name"), uid: text(r, "uid") }));
        // Serializing a serde_json::Value cannot fail: every key is a string.
        let raw = Bytes::from(serde_json::to_vec(value).unwrap_or_default());
        StoredObject {
            namespace: metadata_str(value, "namespace").to_string(),
            name: metadata_str(value, "name").to_string(),
            uid: metadata_str(value, "uid").to_string(),
            resource_version,
            labels: string_map(meta.and_then(|m| m.get("labels"))),
            controller,
            owners,
            deleting: meta.and_then(|m| m.get("deletionTimestamp")).is_some_and(|t| !t.is_null()),
            raw,
        }
    }

    /// The object as JSON. The bytes were produced by `serde_json` from a `Value`, so parsing
    /// them back cannot fail; a `Null` would only show a corrupted store.
    pub fn value(&self) -> Value {
        serde_json::from_slice(&self.raw).unwrap_or(Value::Null)
    }

    /// The controller's uid, when the object has a controller.
    pub fn controller_uid(&self) -> Option<&str> {
        self.controller.as_deref().map(|c| c.uid.as_str())
    }
}
