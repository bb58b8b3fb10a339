//! The status writer and the finalizer: the only code in the engine that writes the reconciled objects.
//!
//! Status is written through the status subresource as a JSON merge patch computed between the status the
//! reconcile started from and the status it ends with, so a field the engine does not know (a newer Flux's) is
//! never dropped and an unchanged status is not written at all. Every write carries the controller's field
//! manager (`source-controller`, ...), as Flux's status patches do.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, Patch, PatchParams};
use serde_json::{Map, Value, json};

use crate::api::object::AnyFluxObject;

/// The JSON merge patch (RFC 7386) that turns `before` into `after`: changed and new keys, `null` for removed
/// ones; arrays and scalars are replaced whole. `None` when nothing changed.
pub fn merge_patch_between(before: &Value, after: &Value) -> Option<Value> {
    match (before, after) {
        (Value::Object(old), Value::Object(new)) => {
            let mut patch = Map::new();
            for (key, old_value) in old {
                match new.get(key) {
                    None => {
                        patch.insert(key.clone(), Value::Null);
                    }
                    Some(new_value) => {
                        if let Some(inner) = merge_patch_between(old_value, new_value) {
                            patch.insert(key.clone(), inner);
                        }
                    }
                }
            }
            for (key, new_value) in new {
                if !old.contains_key(key) {
                    patch.insert(key.clone(), new_value.clone());
                }
            }
            (!patch.is_empty()).then_some(Value::Object(patch))
        }
        // A JSON merge patch cannot say "set to null": drop the field instead (the schemas never need null).
        (old, Value::Null) if !old.is_null() => Some(Value::Null),
        (old, new) if old == new => None,
        (_, new) => Some(new.clone()),
    }
}

/// Writes one object's status.
pub struct StatusWriter {
    api: Api<AnyFluxObject>,
    name: String,
    manager: &'static str,
    /// The status as last written (or as read at the start).
    written: Value,
}

impl StatusWriter {
    pub fn new(api: Api<AnyFluxObject>, name: &str, manager: &'static str, current: Value) -> StatusWriter {
        let written = if current.is_object() { current } else { json!({}) };
        StatusWriter { api, name: name.to_string(), manager, written }
    }

    /// The status as last written.
    pub fn current(&self) -> &Value {
        &self.written
    }

    /// Writes `status` if it differs from what was last written.
    pub async fn write(&mut self, status: &Value) -> Result<(), kube::Error> {
        let Some(diff) = merge_patch_between(&self.written, status) else { return Ok(()) };
        let patch = json!({ "status": diff });
        let params = PatchParams { field_manager: Some(self.manager.to_string()), ..PatchParams::default() };
        self.api.patch_status(&self.name, &params, &Patch::Merge(&patch)).await?;
        self.written = status.clone();
        Ok(())
    }
}

/// Adds (`present`) or removes `finalizer` on the object `meta` describes, keeping the others. The read
/// `resourceVersion` goes with the patch as a precondition, so a concurrent change fails the write (and the
/// reconcile retries) instead of dropping someone else's finalizer. Removing from an object already gone is done.
pub async fn set_finalizer(
    api: &Api<AnyFluxObject>,
    meta: &ObjectMeta,
    finalizer: &str,
    present: bool,
    manager: &'static str,
) -> Result<(), kube::Error> {
    let mut list: Vec<String> = meta.finalizers.iter().flatten().filter(|f| f.as_str() != finalizer).cloned().collect();
    if present {
        list.push(finalizer.to_string());
    }
    let patch = json!({"metadata": {"finalizers": list, "resourceVersion": meta.resource_version}});
    let params = PatchParams { field_manager: Some(manager.to_string()), ..PatchParams::default() };
    let name = meta.name.as_deref().unwrap_or_default();
    match api.patch(name, &params, &Patch::Merge(&patch)).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 404 && !present => Ok(()),
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_patch_holds_only_what_changed() {
        let before = json!({"a": 1, "b": {"c": 2, "d": 3}, "list": [1, 2], "gone": true});
        let after = json!({"a": 1, "b": {"c": 5, "d": 3}, "list": [1], "new": "x"});
        assert_eq!(
            merge_patch_between(&before, &after),
            Some(json!({"b": {"c": 5}, "list": [1], "gone": null, "new": "x"}))
        );
        assert_eq!(merge_patch_between(&after, &after), None);
    }
}
