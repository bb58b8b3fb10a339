//! The apimachinery `meta/v1` definitions (and `autoscaling/v1` Scale) every document embeds.

use super::defs::{META, atomic_list, keyed_list, meta_ref, object, open, str_map, string};
use serde_json::{Value, json};

/// The apimachinery meta definitions every document needs.
pub(crate) fn meta_definitions() -> Vec<(String, Value)> {
    let object_meta = object(
        vec![
            ("annotations", str_map()),
            ("creationTimestamp", meta_ref("Time")),
            ("deletionGracePeriodSeconds", json!({"type": "integer", "format": "int64"})),
            ("deletionTimestamp", meta_ref("Time")),
            (
                "finalizers",
                json!({"type": "array", "items": {"type": "string", "default": ""}, "x-kubernetes-list-type": "set", "x-kubernetes-patch-strategy": "merge"}),
            ),
            ("generateName", string()),
            ("generation", json!({"type": "integer", "format": "int64"})),
            ("labels", str_map()),
            (
                "managedFields",
                json!({"type": "array", "items": meta_ref("ManagedFieldsEntry"), "x-kubernetes-list-type": "atomic"}),
            ),
            ("name", string()),
            ("namespace", string()),
            ("ownerReferences", keyed_list(meta_ref("OwnerReference"), "uid", &["uid"], false)),
            ("resourceVersion", string()),
            ("selfLink", string()),
            ("uid", string()),
        ],
        &[],
    );
    let with_desc = |mut v: Value, d: &str| {
        v["description"] = json!(d);
        v
    };
    vec![
        (
            format!("{META}.ObjectMeta"),
            with_desc(
                object_meta,
                "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
            ),
        ),
        (
            format!("{META}.ListMeta"),
            object(
                vec![
                    ("continue", string()),
                    ("remainingItemCount", json!({"type": "integer", "format": "int64"})),
                    ("resourceVersion", string()),
                    ("selfLink", string()),
                ],
                &[],
            ),
        ),
        (
            format!("{META}.Time"),
            json!({"type": "string", "format": "date-time", "description": "Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON."}),
        ),
        (format!("{META}.MicroTime"), json!({"type": "string", "format": "date-time"})),
        (
            format!("{META}.ManagedFieldsEntry"),
            object(
                vec![
                    ("apiVersion", string()),
                    ("fieldsType", string()),
                    ("manager", string()),
                    ("operation", string()),
                    ("subresource", string()),
                    ("time", meta_ref("Time")),
                ],
                &["fieldsV1"],
            ),
        ),
        (format!("{META}.OwnerReference"), {
            let mut o = object(
                vec![
                    ("apiVersion", string()),
                    ("blockOwnerDeletion", json!({"type": "boolean"})),
                    ("controller", json!({"type": "boolean"})),
                    ("kind", string()),
                    ("name", string()),
                    ("uid", string()),
                ],
                &[],
            );
            o["required"] = json!(["apiVersion", "kind", "name", "uid"]);
            o["x-kubernetes-map-type"] = json!("atomic");
            o
        }),
        (format!("{META}.LabelSelector"), {
            let mut o = object(vec![("matchExpressions", atomic_list()), ("matchLabels", str_map())], &[]);
            o["x-kubernetes-map-type"] = json!("atomic");
            o
        }),
        (
            format!("{META}.Status"),
            object(
                vec![
                    ("apiVersion", string()),
                    ("code", json!({"type": "integer", "format": "int32"})),
                    ("kind", string()),
                    ("message", string()),
                    ("metadata", meta_ref("ListMeta")),
                    ("reason", string()),
                    ("status", string()),
                ],
                &["details"],
            ),
        ),
        (
            format!("{META}.DeleteOptions"),
            object(
                vec![
                    ("apiVersion", string()),
                    (
                        "dryRun",
                        json!({"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "atomic"}),
                    ),
                    ("gracePeriodSeconds", json!({"type": "integer", "format": "int64"})),
                    ("kind", string()),
                    ("orphanDependents", json!({"type": "boolean"})),
                    ("propagationPolicy", string()),
                ],
                &["ignoreStoreReadErrorWithClusterBreakingPotential", "preconditions"],
            ),
        ),
        (
            format!("{META}.Patch"),
            json!({"type": "object", "description": "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body."}),
        ),
        (format!("{META}.WatchEvent"), {
            let mut o = object(vec![("object", open()), ("type", string())], &[]);
            o["required"] = json!(["type", "object"]);
            o
        }),
        (
            format!("{META}.Condition"),
            object(
                vec![
                    ("lastTransitionTime", meta_ref("Time")),
                    ("message", string()),
                    ("observedGeneration", json!({"type": "integer", "format": "int64"})),
                    ("reason", string()),
                    ("status", string()),
                    ("type", string()),
                ],
                &[],
            ),
        ),
        (
            "io.k8s.api.autoscaling.v1.Scale".to_string(),
            object(
                vec![("apiVersion", string()), ("kind", string()), ("metadata", meta_ref("ObjectMeta"))],
                &["spec", "status"],
            ),
        ),
    ]
}
