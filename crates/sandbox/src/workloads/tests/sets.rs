//! StatefulSets, DaemonSets and Endpoints.

use super::cluster;
use serde_json::{Value, json};

fn workload(kind: &str, name: &str, image: &str) -> Value {
    let mut body = json!({
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {"name": name},
        "spec": {
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "main", "image": image, "ports": [{"name": "http", "containerPort": 8080}]}]}},
        },
    });
    if kind == "StatefulSet" {
        body["spec"]["replicas"] = json!(3);
        body["spec"]["serviceName"] = json!(name);
    }
    body
}

#[tokio::test]
async fn stateful_set_creates_ordered_pods_and_rolls_updates() {
    let c = cluster();
    c.create("apps", "statefulsets", "default", workload("StatefulSet", "db", "postgres:16"));
    let ready = |c: &super::Cluster, image: &str| {
        let set = c.get("apps", "statefulsets", "default", "db")?;
        let status = &set["status"];
        let pods = c.list("", "pods", "default");
        (status["readyReplicas"] == 3
            && status["updatedReplicas"] == 3
            && status["currentRevision"] == status["updateRevision"]
            && status["observedGeneration"] == set["metadata"]["generation"]
            && pods.len() == 3
            && pods.iter().all(|p| p["spec"]["containers"][0]["image"] == image))
        .then_some(set)
    };
    let set = c.wait_for("3 ready pods", |c| ready(c, "postgres:16")).await;
    let mut names: Vec<String> = c
        .list("", "pods", "default")
        .iter()
        .filter_map(|p| p["metadata"]["name"].as_str().map(str::to_string))
        .collect();
    names.sort();
    assert_eq!(names, ["db-0", "db-1", "db-2"]);
    let first_revision = set["status"]["updateRevision"].clone();
    c.patch(
        "apps",
        "statefulsets",
        "default",
        "db",
        json!({"spec": {"template": {"spec": {"containers": [{"name": "main", "image": "postgres:17"}]}}}}),
    );
    let set = c.wait_for("rolled to postgres:17", |c| ready(c, "postgres:17")).await;
    assert_ne!(set["status"]["updateRevision"], first_revision);
    assert_eq!(c.list("apps", "controllerrevisions", "default").len(), 2);
}

#[tokio::test]
async fn daemon_set_runs_one_pod_on_the_node() {
    let c = cluster();
    c.create("apps", "daemonsets", "default", workload("DaemonSet", "agent", "fluent-bit:3"));
    let set = c
        .wait_for("daemon ready", |c| {
            let set = c.get("apps", "daemonsets", "default", "agent")?;
            let status = &set["status"];
            (status["desiredNumberScheduled"] == 1
                && status["numberReady"] == 1
                && status["updatedNumberScheduled"] == 1
                && status["numberAvailable"] == 1
                && status["observedGeneration"] == set["metadata"]["generation"])
                .then_some(set)
        })
        .await;
    assert!(set["status"].get("numberUnavailable").is_none());
    let pods = c.list("", "pods", "default");
    assert_eq!(pods.len(), 1);
    assert_eq!(pods[0]["spec"]["nodeName"], "sandbox");
}

#[tokio::test]
async fn service_endpoints_list_ready_pod_ips() {
    let c = cluster();
    c.create("apps", "deployments", "default", super::deployment("web", 2, "nginx:1.27"));
    c.create(
        "",
        "services",
        "default",
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}}),
    );
    let endpoints = c
        .wait_for("2 ready addresses", |c| {
            c.get("", "endpoints", "default", "web")
                .filter(|e| e["subsets"][0]["addresses"].as_array().is_some_and(|a| a.len() == 2))
        })
        .await;
    assert_eq!(endpoints["subsets"][0]["ports"], json!([{"port": 8080, "protocol": "TCP", "name": "http"}]));
    let slice = c
        .wait_for("endpoint slice", |c| {
            c.list("discovery.k8s.io", "endpointslices", "default").into_iter().find(|s| {
                s["endpoints"]
                    .as_array()
                    .is_some_and(|e| e.len() == 2 && e.iter().all(|e| e["conditions"]["ready"] == true))
            })
        })
        .await;
    assert_eq!(slice["metadata"]["labels"]["kubernetes.io/service-name"], "web");
}

#[tokio::test]
async fn claims_bind_and_load_balancers_get_an_address() {
    let c = cluster();
    c.create(
        "",
        "persistentvolumeclaims",
        "default",
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}),
    );
    c.create(
        "",
        "services",
        "default",
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "lb"}, "spec": {"type": "LoadBalancer", "ports": [{"port": 80}]}}),
    );
    let pvc = c
        .wait_for("bound", |c| {
            c.get("", "persistentvolumeclaims", "default", "data").filter(|p| p["status"]["phase"] == "Bound")
        })
        .await;
    assert_eq!(pvc["status"]["capacity"]["storage"], "1Gi");
    c.wait_for("ingress", |c| {
        c.get("", "services", "default", "lb")
            .filter(|s| s["status"]["loadBalancer"]["ingress"][0]["ip"] == "127.0.0.1")
    })
    .await;
}
