//! One stored object: its canonical JSON plus the few fields the store indexes.

use bytes::Bytes;
use serde_json::Value;
use std::collections::BTreeMap;

/// An object as the store keeps it. The JSON bytes are the source of truth (they are what lists
/// and watches send, without re-serializing); the other fields are read out once on write.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredObject {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub resource_version: u64,
    pub labels: BTreeMap<String, String>,
    pub raw: Bytes,
}

impl StoredObject {
    /// Builds the stored form of an object whose `metadata.resourceVersion` is already set.
    pub fn from_value(value: &Value, resource_version: u64) -> Self {
        let meta = value.get("metadata");
        let text = |key: &str| meta.and_then(|m| m.get(key)).and_then(Value::as_str).unwrap_or_default().to_string();
        let labels = meta
            .and_then(|m| m.get("labels"))
            .and_then(Value::as_object)
            .map(|labels| labels.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
            .unwrap_or_default();
        // Serializing a serde_json::Value cannot fail: every key is a string.
        let raw = Bytes::from(serde_json::to_vec(value).unwrap_or_default());
        StoredObject {
            namespace: text("namespace"),
            name: text("name"),
            uid: text("uid"),
            resource_version,
            labels,
            raw,
        }
    }

    /// The object as JSON. The bytes were produced by `serde_json` from a `Value`, so parsing
    /// them back cannot fail; a `Null` would only show a corrupted store.
    pub fn value(&self) -> Value {
        serde_json::from_slice(&self.raw).unwrap_or(Value::Null)
    }
}
