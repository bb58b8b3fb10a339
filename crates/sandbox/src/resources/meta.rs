//! Small helpers for reading and writing object metadata in `serde_json::Value`s.

use serde_json::{Map, Value};

/// A timestamp as Kubernetes writes them (RFC 3339, whole seconds, UTC: `2024-05-01T12:00:00Z`).
pub fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub fn now_rfc3339() -> String {
    rfc3339(chrono::Utc::now())
}

pub fn meta(object: &Value) -> Option<&Map<String, Value>> {
    object.get("metadata").and_then(Value::as_object)
}

/// The object's metadata map, created when missing (a body without metadata is still an object).
pub fn meta_mut(object: &mut Value) -> &mut Map<String, Value> {
    if !object.get("metadata").is_some_and(Value::is_object) {
        object["metadata"] = Value::Object(Map::new());
    }
    match object.get_mut("metadata") {
        Some(Value::Object(map)) => map,
        // Just made sure metadata is an object.
        _ => unreachable!("metadata was set to an object above"),
    }
}

pub fn meta_str<'a>(object: &'a Value, key: &str) -> &'a str {
    crate::store::metadata_str(object, key)
}

pub fn finalizers(object: &Value) -> Vec<String> {
    meta(object)
        .and_then(|m| m.get("finalizers"))
        .and_then(Value::as_array)
        .map(|f| f.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

pub fn is_deleting(object: &Value) -> bool {
    meta(object).is_some_and(|m| m.get("deletionTimestamp").is_some_and(|t| !t.is_null()))
}

/// Everything but metadata and status: what a change to bumps `metadata.generation`.
pub fn spec_part(object: &Value) -> Value {
    match object {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !matches!(k.as_str(), "metadata" | "status" | "apiVersion" | "kind"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The alphabet of apimachinery's `rand.String` and `rand.SafeEncodeString`: no vowels, no
/// look-alike characters, so generated names and hashes never spell words.
pub const SAFE_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// A random suffix for `generateName`, from the same alphabet the real server uses.
pub fn random_suffix() -> String {
    const ALPHABET: &[u8] = SAFE_ALPHABET;
    let bytes = uuid::Uuid::new_v4().into_bytes();
    bytes.iter().take(5).map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect()
}
