//! Admission defaults, garbage collection, namespaces and service accounts.

use super::{cluster, deployment};
use crate::resources::{Propagation, WriteOptions};
use serde_json::{Value, json};

fn config_map(name: &str, owner: Option<&Value>, finalizers: &[&str]) -> Value {
    let mut body = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": "v"}});
    if let Some(owner) = owner {
        body["metadata"]["ownerReferences"] = json!([{
            "apiVersion": "v1", "kind": "ConfigMap", "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
            "blockOwnerDeletion": true,
        }]);
    }
    if !finalizers.is_empty() {
        body["metadata"]["finalizers"] = json!(finalizers);
    }
    body
}

#[tokio::test]
async fn pods_and_workloads_are_defaulted_at_admission() {
    let c = cluster();
    let pod = c.create(
        "",
        "pods",
        "default",
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [
            {"name": "a", "image": "nginx", "ports": [{"containerPort": 80}]},
            {"name": "b", "image": "nginx:1.27", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}},
        ]}}),
    );
    let spec = &pod["spec"];
    assert_eq!(spec["restartPolicy"], "Always");
    assert_eq!(spec["dnsPolicy"], "ClusterFirst");
    assert_eq!(spec["schedulerName"], "default-scheduler");
    assert_eq!(spec["terminationGracePeriodSeconds"], 30);
    assert_eq!(spec["serviceAccountName"], "default");
    assert_eq!(spec["serviceAccount"], "default");
    assert_eq!(spec["securityContext"], json!({}));
    assert_eq!(spec["enableServiceLinks"], true);
    assert_eq!(spec["priority"], 0);
    assert_eq!(spec["preemptionPolicy"], "PreemptLowerPriority");
    assert_eq!(spec["containers"][0]["imagePullPolicy"], "Always");
    assert_eq!(spec["containers"][1]["imagePullPolicy"], "IfNotPresent");
    assert_eq!(spec["containers"][0]["terminationMessagePath"], "/dev/termination-log");
    assert_eq!(spec["containers"][0]["terminationMessagePolicy"], "File");
    assert_eq!(spec["containers"][0]["resources"], json!({}));
    assert_eq!(spec["containers"][0]["ports"][0]["protocol"], "TCP");
    assert_eq!(spec["containers"][1]["resources"]["requests"], json!({"cpu": "1", "memory": "1Gi"}));
    assert_eq!(pod["status"], json!({"phase": "Pending", "qosClass": "Burstable"}));

    let d = c.create("apps", "deployments", "default", deployment("web", 1, "nginx:1.27"));
    assert_eq!(
        d["spec"]["strategy"],
        json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}})
    );
    assert_eq!(d["spec"]["revisionHistoryLimit"], 10);
    assert_eq!(d["spec"]["progressDeadlineSeconds"], 600);
    assert_eq!(d["spec"]["template"]["spec"]["restartPolicy"], "Always");
    assert!(
        d["spec"]["template"]["spec"].get("serviceAccountName").is_none(),
        "templates get no admission-plugin fields"
    );

    let target = c.target("apps", "deployments", "default", "");
    let mut no_selector = deployment("bad", 1, "nginx");
    no_selector["spec"].as_object_mut().expect("spec").remove("selector");
    let err = c.state.create(&target, no_selector, &WriteOptions::manager("test")).expect_err("selector required");
    assert_eq!(err.code, 422);
    assert!(err.message.contains("spec.selector: Required value"), "{}", err.message);
    let mut mismatch = deployment("bad", 1, "nginx");
    mismatch["spec"]["template"]["metadata"]["labels"] = json!({"app": "other"});
    let err = c.state.create(&target, mismatch, &WriteOptions::manager("test")).expect_err("mismatch");
    assert_eq!(err.code, 422);
    assert!(
        err.message.ends_with(
            "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\"}: `selector` does not match template `labels`"
        ),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn background_deletion_removes_dependents() {
    let c = cluster();
    c.create("apps", "deployments", "default", deployment("web", 2, "nginx:1.27"));
    c.wait_for("2 pods", |c| (c.list("", "pods", "default").len() == 2).then_some(())).await;
    c.delete("apps", "deployments", "default", "web", None);
    c.wait_for("replica sets and pods collected", |c| {
        (c.list("apps", "replicasets", "default").is_empty() && c.list("", "pods", "default").is_empty()).then_some(())
    })
    .await;
}

#[tokio::test]
async fn foreground_deletion_waits_for_blocking_dependents() {
    let c = cluster();
    let owner = c.create("", "configmaps", "default", config_map("owner", None, &[]));
    c.create("", "configmaps", "default", config_map("held", Some(&owner), &["test.fluxtui.io/hold"]));
    c.create("", "configmaps", "default", config_map("free", Some(&owner), &[]));
    c.delete("", "configmaps", "default", "owner", Some(Propagation::Foreground));
    let held = c
        .wait_for("free dependent gone, held one deleting", |c| {
            let held = c.get("", "configmaps", "default", "held")?;
            (c.get("", "configmaps", "default", "free").is_none() && held["metadata"]["deletionTimestamp"].is_string())
                .then_some(held)
        })
        .await;
    let owner = c.get("", "configmaps", "default", "owner").expect("owner waits for its blocking dependent");
    assert_eq!(owner["metadata"]["finalizers"], json!(["foregroundDeletion"]));
    // Release the finalizer as any client would: read, modify, write, and start over on a conflict
    // (the garbage collector may still be writing to `held` right after it started deleting it).
    let target = c.target("", "configmaps", "default", "held");
    let mut current = held;
    loop {
        let mut released = current.clone();
        released["metadata"]["finalizers"] = json!([]);
        match c.state.update(&target, released, &WriteOptions::manager("test")) {
            Ok(_) => break,
            Err(err) if err.reason == "Conflict" => {
                current = c.get("", "configmaps", "default", "held").expect("held is still there");
            }
            Err(err) => panic!("release: {err}"),
        }
    }
    c.wait_for("owner gone", |c| c.get("", "configmaps", "default", "owner").is_none().then_some(())).await;
}

#[tokio::test]
async fn orphan_deletion_keeps_dependents_without_the_reference() {
    let c = cluster();
    let owner = c.create("", "configmaps", "default", config_map("owner", None, &[]));
    c.create("", "configmaps", "default", config_map("child", Some(&owner), &[]));
    c.delete("", "configmaps", "default", "owner", Some(Propagation::Orphan));
    c.wait_for("owner gone", |c| c.get("", "configmaps", "default", "owner").is_none().then_some(())).await;
    let child = c.get("", "configmaps", "default", "child").expect("orphan stays");
    assert!(child["metadata"].get("ownerReferences").is_none(), "{child}");
}

#[tokio::test]
async fn namespace_deletion_empties_and_removes_the_namespace() {
    let c = cluster();
    c.create("", "namespaces", "", json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}}));
    c.wait_for("default service account", |c| c.get("", "serviceaccounts", "team", "default")).await;
    c.create("apps", "deployments", "team", deployment("web", 1, "nginx:1.27"));
    c.create("", "configmaps", "team", config_map("held", None, &["test.fluxtui.io/hold"]));
    c.wait_for("pod", |c| (c.list("", "pods", "team").len() == 1).then_some(())).await;
    c.delete("", "namespaces", "", "team", None);
    let held = c
        .wait_for("everything but the held config map gone", |c| {
            let held = c.get("", "configmaps", "team", "held")?;
            let rest = ["pods", "serviceaccounts"].iter().all(|p| c.list("", p, "team").is_empty())
                && c.list("apps", "deployments", "team").is_empty()
                && c.list("apps", "replicasets", "team").is_empty();
            (rest && held["metadata"]["deletionTimestamp"].is_string()).then_some(held)
        })
        .await;
    let ns = c.get("", "namespaces", "", "team").expect("namespace waits");
    assert_eq!(ns["status"]["phase"], "Terminating");
    let mut released = held;
    released["metadata"]["finalizers"] = json!([]);
    let target = c.target("", "configmaps", "team", "held");
    c.state.update(&target, released, &WriteOptions::manager("test")).expect("release");
    c.wait_for("namespace gone", |c| c.get("", "namespaces", "", "team").is_none().then_some(())).await;
}

#[tokio::test]
async fn every_namespace_gets_a_default_service_account() {
    let c = cluster();
    c.wait_for("default/default", |c| c.get("", "serviceaccounts", "default", "default")).await;
    c.wait_for("kube-system/default", |c| c.get("", "serviceaccounts", "kube-system", "default")).await;
    c.delete("", "serviceaccounts", "default", "default", None);
    c.wait_for("recreated", |c| c.get("", "serviceaccounts", "default", "default")).await;
}
