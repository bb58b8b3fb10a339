//! Orphans the workload controllers adopt, and names they cannot take.

use super::cluster;
use serde_json::{Value, json};
use std::time::Duration;

fn bare_pod(name: &str, app: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": app}},
        "spec": {"containers": [{"name": "main", "image": "nginx"}]},
    })
}

fn controller_uid(object: &Value) -> Option<&str> {
    object["metadata"]["ownerReferences"].as_array()?.iter().find(|r| r["controller"] == true)?["uid"].as_str()
}

fn stateful_set(name: &str, replicas: i64) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "serviceName": name,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "main", "image": "postgres"}]}},
        },
    })
}

#[tokio::test]
async fn replica_set_adopts_a_matching_orphan() {
    let c = cluster();
    c.create("", "pods", "default", bare_pod("stray", "web"));
    let rs = c.create(
        "apps",
        "replicasets",
        "default",
        json!({
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {"name": "web"},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "main", "image": "nginx"}]}},
            },
        }),
    );
    let rs_uid = rs["metadata"]["uid"].as_str().expect("uid").to_string();
    c.wait_for("2 ready replicas", |c| {
        let rs = c.get("apps", "replicasets", "default", "web")?;
        (rs["status"]["readyReplicas"] == 2).then_some(())
    })
    .await;
    let pods = c.list("", "pods", "default");
    assert_eq!(pods.len(), 2, "the orphan counts as one of the replicas");
    let stray = c.get("", "pods", "default", "stray").expect("adopted, not replaced");
    assert_eq!(controller_uid(&stray), Some(rs_uid.as_str()));
    assert_eq!(stray["metadata"]["ownerReferences"][0]["kind"], "ReplicaSet");
}

#[tokio::test]
async fn stateful_set_adopts_its_orphaned_pod() {
    let c = cluster();
    c.create("", "pods", "default", bare_pod("db-0", "db"));
    let set = c.create("apps", "statefulsets", "default", stateful_set("db", 2));
    let set_uid = set["metadata"]["uid"].as_str().expect("uid").to_string();
    c.wait_for("db-0 adopted and db-1 created", |c| {
        let db0 = c.get("", "pods", "default", "db-0")?;
        let db1 = c.get("", "pods", "default", "db-1")?;
        (controller_uid(&db0) == Some(set_uid.as_str()) && controller_uid(&db1) == Some(set_uid.as_str())).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_name_taken_by_a_foreign_pod_is_reported_and_retried_with_back_off() {
    let c = cluster();
    // Same name, labels the set does not select: not an orphan of the set, so not adopted.
    c.create("", "pods", "default", bare_pod("db-0", "other"));
    c.create("apps", "statefulsets", "default", stateful_set("db", 1));
    let failed_create = |c: &super::Cluster| {
        c.list("", "events", "default")
            .into_iter()
            .find(|e| e["reason"] == "FailedCreate" && e["involvedObject"]["name"] == "db")
    };
    let event = c.wait_for("a FailedCreate event", failed_create).await;
    assert_eq!(event["type"], "Warning");
    assert!(event["message"].as_str().is_some_and(|m| m.contains("create Pod db-0 in StatefulSet db failed")));
    // Retried after the error back-off (1 s, then 2 s), not in a tight loop.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let count = failed_create(&c).and_then(|e| e["count"].as_i64()).expect("count");
    assert!(count <= 2, "retried {count} times in 1.5 s");
    let db0 = c.get("", "pods", "default", "db-0").expect("pod kept");
    assert!(db0["metadata"].get("ownerReferences").is_none(), "a pod the set does not select is not adopted");
}
