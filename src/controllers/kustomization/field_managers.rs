//! The managed-fields cleanup kustomize-controller runs before it applies an existing object (fluxcd/pkg/ssa
//! `cleanupMetadata`, SEMANTICS.md §4.1): fields written by `kubectl` (client-side apply, edit, scale, ...), by
//! kubectl's `before-first-apply` and by kustomize-controller's own non-apply writes become kustomize-controller's
//! server-side-apply fields, and kubectl's last-applied annotation and Flux v1's marks are removed. Once the fields
//! are its own, a field removed from Git is removed from the cluster by the next apply, instead of lingering under
//! `kubectl-client-side-apply` forever.
//!
//! An object whose desired or live metadata says `kustomize.toolkit.fluxcd.io/ssa: Merge` is left alone: other
//! managers keep their fields, which is what `Merge` means.
//!
//! The cleanup is one merge patch (`managedFields` replaced whole, the keys set to null) written as
//! `kustomize-controller`: the same change as Flux's JSON patch.

use serde_json::{Map, Value, json};

use super::object::SsaPolicy;
use crate::controllers::names::{cleanup, controller};

/// The merge patch that cleans `live`, or `None` when there is nothing to clean or the object opts out.
pub fn cleanup_patch(desired: &Value, live: &Value) -> Option<Value> {
    if SsaPolicy::of(desired) == SsaPolicy::Merge || SsaPolicy::of(live) == SsaPolicy::Merge {
        return None;
    }
    let mut metadata = Map::new();
    for (field, keys) in [("annotations", &cleanup::ANNOTATIONS[..]), ("labels", &cleanup::LABELS[..])] {
        let present: Map<String, Value> = keys
            .iter()
            .filter(|key| live["metadata"][field].get(**key).is_some())
            .map(|key| (key.to_string(), Value::Null))
            .collect();
        if !present.is_empty() {
            metadata.insert(field.to_string(), Value::Object(present));
        }
    }
    if let Some(entries) = taken_over(live) {
        metadata.insert("managedFields".to_string(), Value::Array(entries));
    }
    if metadata.is_empty() {
        return None;
    }
    Some(json!({ "metadata": metadata }))
}

/// Whether the entry belongs to a manager kustomize-controller takes over (by name prefix and operation; not a
/// subresource's).
fn taken(entry: &Value) -> bool {
    let manager = entry["manager"].as_str().unwrap_or_default();
    let operation = entry["operation"].as_str().unwrap_or_default();
    entry["subresource"].as_str().is_none_or(str::is_empty)
        && cleanup::MANAGERS.iter().any(|(prefix, op)| manager.starts_with(prefix) && operation == *op)
}

/// The managed fields with the taken-over entries renamed to kustomize-controller's apply and merged into one
/// (the API server keeps one entry per manager and operation), or `None` when no entry is taken over.
fn taken_over(live: &Value) -> Option<Vec<Value>> {
    let entries = live["metadata"]["managedFields"].as_array()?;
    if !entries.iter().any(taken) {
        return None;
    }
    let is_own_apply = |entry: &Value| {
        entry["manager"] == controller::KUSTOMIZE_CONTROLLER
            && entry["operation"] == "Apply"
            && entry["subresource"].as_str().is_none_or(str::is_empty)
    };
    let mut result: Vec<Value> = Vec::with_capacity(entries.len());
    let mut own: Option<usize> = None;
    for entry in entries {
        let mut entry = entry.clone();
        if taken(&entry) {
            entry["manager"] = json!(controller::KUSTOMIZE_CONTROLLER);
            entry["operation"] = json!("Apply");
        }
        if !is_own_apply(&entry) {
            result.push(entry);
            continue;
        }
        match own {
            Some(at) => {
                let fields = entry["fieldsV1"].take();
                union(&mut result[at]["fieldsV1"], fields);
            }
            None => {
                own = Some(result.len());
                result.push(entry);
            }
        }
    }
    Some(result)
}

/// Adds the FieldsV1 set `other` to `into` (both nested maps of `f:`/`k:`/`v:`/`i:` keys).
fn union(into: &mut Value, other: Value) {
    let Value::Object(other) = other else { return };
    if !into.is_object() {
        *into = json!({});
    }
    let Some(into) = into.as_object_mut() else { return };
    for (key, value) in other {
        match into.get_mut(&key) {
            Some(existing) => union(existing, value),
            None => {
                into.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live() -> Value {
        json!({"metadata": {
        "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}", "keep": "x"},
        "labels": {"fluxcd.io/sync-gc-mark": "y", "app": "a"},
        "managedFields": [
            {"manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "v1",
                "fieldsV1": {"f:data": {"f:a": {}, "f:b": {}}}},
            {"manager": "kustomize-controller", "operation": "Apply", "apiVersion": "v1",
                "fieldsV1": {"f:data": {"f:a": {}}, "f:metadata": {"f:labels": {"f:app": {}}}}},
            {"manager": "kubectl", "operation": "Update", "subresource": "scale", "fieldsV1": {"f:spec": {}}},
            {"manager": "hpa", "operation": "Update", "fieldsV1": {"f:spec": {"f:replicas": {}}}},
        ]}})
    }

    #[test]
    fn takes_over_kubectl_fields_and_removes_the_last_applied_annotation() {
        let patch = cleanup_patch(&json!({"metadata": {}}), &live()).expect("a cleanup");
        assert_eq!(patch["metadata"]["annotations"], json!({"kubectl.kubernetes.io/last-applied-configuration": null}));
        assert_eq!(patch["metadata"]["labels"], json!({"fluxcd.io/sync-gc-mark": null}));
        let managers: Vec<(&str, &str)> = patch["metadata"]["managedFields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["manager"].as_str().unwrap(), e["operation"].as_str().unwrap()))
            .collect();
        // The subresource's entry and other managers stay; the two kustomize-controller applies are one.
        assert_eq!(managers, [("kustomize-controller", "Apply"), ("kubectl", "Update"), ("hpa", "Update")]);
        assert_eq!(
            patch["metadata"]["managedFields"][0]["fieldsV1"],
            json!({"f:data": {"f:a": {}, "f:b": {}}, "f:metadata": {"f:labels": {"f:app": {}}}})
        );
    }

    #[test]
    fn merge_keeps_other_managers_and_a_clean_object_needs_nothing() {
        let merge = json!({"metadata": {"annotations": {"kustomize.toolkit.fluxcd.io/ssa": "merge"}}});
        assert_eq!(cleanup_patch(&merge, &live()), None);
        assert_eq!(cleanup_patch(&json!({"metadata": {}}), &merge), None);
        let clean = json!({"metadata": {"managedFields": [
            {"manager": "kustomize-controller", "operation": "Apply", "fieldsV1": {"f:data": {}}}]}});
        assert_eq!(cleanup_patch(&json!({"metadata": {}}), &clean), None);
    }
}
