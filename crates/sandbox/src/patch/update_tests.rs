use super::*;
use crate::patch::test_support::{builtin, custom};
use chrono::TimeZone;
use serde_json::json;

fn ctx<'a>(
    info: &'a crate::registry::ResourceInfo,
    manager: &'a str,
    subresource: Option<&'a str>,
) -> FieldManagerContext<'a> {
    FieldManagerContext {
        info,
        manager,
        subresource,
        now: Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 5).single().expect("valid time"),
    }
}

use chrono::Utc;

#[test]
fn create_records_every_field_with_container_markers() {
    let info = builtin("ConfigMap");
    let mut cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "cfg", "namespace": "default", "uid": "u", "resourceVersion": "1", "labels": {"x": "1"}},
        "data": {"a": "1"}});
    record_update(None, &mut cm, &ctx(&info, "kubectl-create", None));
    assert_eq!(
        cm["metadata"]["managedFields"],
        json!([{"manager": "kubectl-create", "operation": "Update", "apiVersion": "v1", "time": "2025-01-02T03:04:05Z",
                "fieldsType": "FieldsV1",
                "fieldsV1": {"f:data": {".": {}, "f:a": {}}, "f:metadata": {"f:labels": {".": {}, "f:x": {}}}}}])
    );
}

#[test]
fn unchanged_writes_add_nothing_and_changes_move_ownership() {
    let info = builtin("ConfigMap");
    let mut v1 =
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"a": "1", "b": "2"}});
    record_update(None, &mut v1, &ctx(&info, "alice", None));
    let mut same = v1.clone();
    same["metadata"]["resourceVersion"] = json!("2");
    record_update(Some(&v1), &mut same, &ctx(&info, "bob", None));
    assert_eq!(same["metadata"]["managedFields"], v1["metadata"]["managedFields"]);

    let mut v2 = v1.clone();
    v2["data"]["a"] = json!("changed");
    v2["data"].as_object_mut().expect("map").remove("b");
    record_update(Some(&v1), &mut v2, &ctx(&info, "bob", None));
    let entries = v2["metadata"]["managedFields"].as_array().expect("entries");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["manager"], "alice");
    // alice keeps the map itself (a member without children encodes as `{}`).
    assert_eq!(entries[0]["fieldsV1"], json!({"f:data": {}}));
    assert_eq!(entries[1]["manager"], "bob");
    assert_eq!(entries[1]["fieldsV1"], json!({"f:data": {"f:a": {}}}));

    // Taking the last field of a manager removes the manager.
    let mut v3 = v2.clone();
    v3.as_object_mut().expect("map").remove("data");
    record_update(Some(&v2), &mut v3, &ctx(&info, "carol", None));
    assert!(v3["metadata"].get("managedFields").is_none(), "{v3}");
}

#[test]
fn status_is_tracked_only_through_the_status_subresource() {
    let info = custom("Kustomization", None);
    let old = json!({"apiVersion": "example.com/v1", "kind": "Kustomization", "metadata": {"name": "k"}, "spec": {"interval": "1m"}});
    let mut new = old.clone();
    new["status"] = json!({"observedGeneration": 1});
    record_update(Some(&old), &mut new, &ctx(&info, "kubectl", None));
    assert!(new["metadata"].get("managedFields").is_none());

    let mut new = old.clone();
    new["status"] = json!({"observedGeneration": 1});
    new["spec"]["interval"] = json!("5m");
    record_update(Some(&old), &mut new, &ctx(&info, "kustomize-controller", Some("status")));
    assert_eq!(
        new["metadata"]["managedFields"],
        json!([{"manager": "kustomize-controller", "operation": "Update", "apiVersion": "example.com/v1",
                "time": "2025-01-02T03:04:05Z", "fieldsType": "FieldsV1",
                "fieldsV1": {"f:status": {".": {}, "f:observedGeneration": {}}}, "subresource": "status"}])
    );
}

#[test]
fn clients_can_replace_or_reset_managed_fields() {
    let info = builtin("ConfigMap");
    let mut v1 = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"a": "1"}});
    record_update(None, &mut v1, &ctx(&info, "alice", None));
    let mut reset = v1.clone();
    reset["metadata"]["managedFields"] = json!([{}]);
    record_update(Some(&v1), &mut reset, &ctx(&info, "bob", None));
    assert!(reset["metadata"].get("managedFields").is_none());

    // A client that drops the field (an empty list) does not lose anybody's ownership.
    let mut dropped = v1.clone();
    dropped["metadata"]["managedFields"] = json!([]);
    record_update(Some(&v1), &mut dropped, &ctx(&info, "bob", None));
    assert_eq!(dropped["metadata"]["managedFields"], v1["metadata"]["managedFields"]);
}

#[test]
fn more_than_ten_updaters_fold_into_ancient_changes() {
    let info = builtin("ConfigMap");
    let mut current = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {}});
    for i in 0..12u32 {
        let mut next = current.clone();
        next["data"][format!("k{i:02}")] = json!("v");
        let now = Utc.with_ymd_and_hms(2025, 1, 1, 0, i, 0).single().expect("valid time");
        let manager = format!("writer-{i:02}");
        record_update(
            Some(&current),
            &mut next,
            &FieldManagerContext { info: &info, manager: &manager, subresource: None, now },
        );
        current = next;
    }
    let entries = current["metadata"]["managedFields"].as_array().expect("entries");
    assert_eq!(entries.len(), 10);
    let ancient = entries.iter().find(|e| e["manager"] == "ancient-changes").expect("bucket");
    assert_eq!(ancient["fieldsV1"], json!({"f:data": {"f:k00": {}, "f:k01": {}, "f:k02": {}}}));
    assert_eq!(ancient["time"], "2025-01-01T00:02:00Z");
}
