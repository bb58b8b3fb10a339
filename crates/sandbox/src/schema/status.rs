//! The status-subresource split: what the main endpoint and the `/status` endpoint may change.
//!
//! Applies to every resource with a status subresource, built-in or custom. The semantics are
//! those of the custom-resource strategies; a few built-in strategies deviate in details the
//! sandbox does not model (the Pod status strategy also lets labels/annotations through; the
//! Deployment one resets labels) — here the status endpoint only ever changes `status`.

use serde_json::Value;

/// For create and update on the main endpoint: a create cannot set `status`, an update keeps
/// the stored `status` whatever the request said.
pub fn reset_for_main(old: Option<&Value>, new: &mut Value) {
    let Some(map) = new.as_object_mut() else { return };
    match old.and_then(|o| o.get("status")) {
        Some(status) => {
            map.insert("status".to_string(), status.clone());
        }
        None => {
            map.shift_remove("status");
        }
    }
}

/// For updates through `/status`: the result is the stored object with the request's `status`
/// (removed if the request has none) and the request's `metadata.managedFields`, which the
/// field manager has just recomputed for this status write.
pub fn reset_for_status(old: &Value, new: &mut Value) {
    let mut result = old.clone();
    if let Some(map) = result.as_object_mut() {
        match new.get("status") {
            Some(status) => {
                map.insert("status".to_string(), status.clone());
            }
            None => {
                map.shift_remove("status");
            }
        }
        if let Some(managed) = new.pointer("/metadata/managedFields")
            && let Some(meta) = map.get_mut("metadata").and_then(Value::as_object_mut)
        {
            meta.insert("managedFields".to_string(), managed.clone());
        }
    }
    *new = result;
}
