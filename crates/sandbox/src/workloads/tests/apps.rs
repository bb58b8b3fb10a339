//! Deployments, ReplicaSets, pods and the kubelet.

use super::{cluster, condition, deployment, has_condition};
use serde_json::{Value, json};

fn ready_pods(pods: &[Value]) -> usize {
    pods.iter()
        .filter(|p| p.pointer("/metadata/deletionTimestamp").is_none())
        .filter(|p| super::condition(p, "Ready").is_some_and(|c| c["status"] == "True"))
        .count()
}

/// The Deployment is rolled out as `kubectl rollout status` judges it.
fn rolled_out(d: &Value, replicas: i64) -> bool {
    let n = json!(replicas);
    d["status"]["observedGeneration"] == d["metadata"]["generation"]
        && d["status"]["updatedReplicas"] == n
        && d["status"]["replicas"] == n
        && d["status"]["availableReplicas"] == n
        && d["status"]["readyReplicas"] == n
        && has_condition(d, "Available", "True", "MinimumReplicasAvailable")
        && has_condition(d, "Progressing", "True", "NewReplicaSetAvailable")
}

#[tokio::test]
async fn deployment_becomes_available_with_ready_pods() {
    let c = cluster();
    c.create("apps", "deployments", "default", deployment("web", 2, "nginx:1.27"));
    let d = c
        .wait_for("web rolled out", |c| c.get("apps", "deployments", "default", "web").filter(|d| rolled_out(d, 2)))
        .await;
    assert_eq!(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "1");
    let message = condition(&d, "Progressing").and_then(|c| c["message"].as_str()).unwrap_or_default().to_string();
    let rs = c.list("apps", "replicasets", "default");
    assert_eq!(rs.len(), 1);
    let rs_name = rs[0]["metadata"]["name"].as_str().expect("name");
    assert_eq!(message, format!("ReplicaSet \"{rs_name}\" has successfully progressed."));
    let hash = rs[0]["metadata"]["labels"]["pod-template-hash"].as_str().expect("hash");
    assert_eq!(rs_name, format!("web-{hash}"));
    assert_eq!(rs[0]["spec"]["selector"]["matchLabels"]["pod-template-hash"], hash);
    assert_eq!(rs[0]["metadata"]["ownerReferences"][0]["controller"], true);
    let pods = c.list("", "pods", "default");
    assert_eq!(ready_pods(&pods), 2);
    for pod in &pods {
        assert!(pod["metadata"]["name"].as_str().is_some_and(|n| n.starts_with(&format!("{rs_name}-"))));
        assert_eq!(pod["metadata"]["ownerReferences"][0]["blockOwnerDeletion"], true);
        assert_eq!(pod["spec"]["nodeName"], "sandbox");
        assert_eq!(pod["status"]["phase"], "Running");
        assert_eq!(pod["status"]["hostIP"], "127.0.0.1");
        assert!(pod["status"]["podIP"].as_str().is_some_and(|ip| ip.starts_with("10.244.")));
        let container = &pod["status"]["containerStatuses"][0];
        assert_eq!(container["ready"], true);
        assert!(container["state"]["running"]["startedAt"].is_string());
        assert!(container["containerID"].as_str().is_some_and(|id| id.starts_with("containerd://")));
        for kind in ["PodScheduled", "Initialized", "ContainersReady", "Ready", "PodReadyToStartContainers"] {
            assert!(has_condition_status(pod, kind), "{kind} on {pod}");
        }
    }
    // The key moments are recorded as Events.
    let events = c
        .wait_for("events", |c| {
            let events = c.list("", "events", "default");
            let reasons: Vec<String> = events.iter().filter_map(|e| e["reason"].as_str().map(str::to_string)).collect();
            ["ScalingReplicaSet", "SuccessfulCreate", "Scheduled", "Pulled", "Created", "Started"]
                .iter()
                .all(|r| reasons.iter().any(|x| x == r))
                .then_some(events)
        })
        .await;
    let scaling = events.iter().find(|e| e["reason"] == "ScalingReplicaSet").expect("scaling event");
    assert_eq!(scaling["message"], format!("Scaled up replica set {rs_name} to 2"));
    assert_eq!(scaling["involvedObject"]["kind"], "Deployment");
    assert_eq!(scaling["source"]["component"], "deployment-controller");
}

fn has_condition_status(pod: &Value, kind: &str) -> bool {
    condition(pod, kind).is_some_and(|c| c["status"] == "True")
}

#[tokio::test]
async fn scaling_up_and_down() {
    let c = cluster();
    c.create("apps", "deployments", "default", deployment("web", 1, "nginx:1.27"));
    c.wait_for("1 replica", |c| c.get("apps", "deployments", "default", "web").filter(|d| rolled_out(d, 1))).await;
    // Through the scale subresource, as `kubectl scale` does.
    let scale = c.target("apps", "deployments", "default", "web").with_subresource(Some("scale"));
    let body = json!({"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "web", "namespace": "default"}, "spec": {"replicas": 3}});
    c.state.update(&scale, body, &crate::resources::WriteOptions::manager("test")).expect("scale");
    c.wait_for("3 replicas", |c| c.get("apps", "deployments", "default", "web").filter(|d| rolled_out(d, 3))).await;
    assert_eq!(ready_pods(&c.list("", "pods", "default")), 3);
    c.patch("apps", "deployments", "default", "web", json!({"spec": {"replicas": 1}}));
    c.wait_for("back to 1", |c| {
        let done = c.get("apps", "deployments", "default", "web").filter(|d| rolled_out(d, 1))?;
        (c.list("", "pods", "default").len() == 1).then_some(done)
    })
    .await;
    assert_eq!(c.list("apps", "replicasets", "default").len(), 1);
}

#[tokio::test]
async fn rolling_update_replaces_pods() {
    let c = cluster();
    c.create("apps", "deployments", "default", deployment("web", 3, "nginx:1.26"));
    c.wait_for("v1 rolled out", |c| c.get("apps", "deployments", "default", "web").filter(|d| rolled_out(d, 3))).await;
    let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "main", "image": "nginx:1.27"}]}}}});
    c.patch("apps", "deployments", "default", "web", patch);
    let d = c
        .wait_for("v2 rolled out", |c| {
            let d = c.get("apps", "deployments", "default", "web").filter(|d| rolled_out(d, 3))?;
            let pods = c.list("", "pods", "default");
            (pods.len() == 3 && pods.iter().all(|p| p["spec"]["containers"][0]["image"] == "nginx:1.27")).then_some(d)
        })
        .await;
    assert_eq!(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "2");
    let sets = c.list("apps", "replicasets", "default");
    assert_eq!(sets.len(), 2, "the old ReplicaSet stays, scaled to 0, as history");
    let old = sets.iter().find(|rs| rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1");
    assert_eq!(old.map(|rs| rs["spec"]["replicas"].clone()), Some(json!(0)));
    let scaled_down = c.list("", "events", "default").into_iter().any(|e| {
        e["reason"] == "ScalingReplicaSet"
            && e["message"].as_str().is_some_and(|m| m.starts_with("Scaled down replica set"))
    });
    assert!(scaled_down);
}

#[tokio::test]
async fn failing_image_crash_loops_and_leaves_deployment_unavailable() {
    let c = cluster();
    c.create("apps", "deployments", "default", deployment("broken", 1, "example.com/app:fail"));
    let pod = c
        .wait_for("crash loop with restarts", |c| {
            c.list("", "pods", "default").into_iter().find(|p| {
                let status = &p["status"]["containerStatuses"][0];
                status["state"]["waiting"]["reason"] == "CrashLoopBackOff"
                    && status["restartCount"].as_i64().unwrap_or(0) >= 2
            })
        })
        .await;
    let status = &pod["status"]["containerStatuses"][0];
    assert_eq!(status["lastState"]["terminated"]["exitCode"], 1);
    assert_eq!(status["lastState"]["terminated"]["reason"], "Error");
    assert_eq!(status["ready"], false);
    assert!(has_condition(&pod, "Ready", "False", "ContainersNotReady"));
    let d = c.get("apps", "deployments", "default", "broken").expect("deployment");
    assert!(has_condition(&d, "Available", "False", "MinimumReplicasUnavailable"), "{d}");
    assert!(d["status"].get("availableReplicas").is_none());
    assert_eq!(d["status"]["unavailableReplicas"], 1);
    c.wait_for("BackOff event", |c| {
        c.list("", "events", "default").into_iter().find(|e| e["reason"] == "BackOff" && e["type"] == "Warning")
    })
    .await;
}

#[tokio::test]
async fn fail_annotation_on_the_template_fails_pods() {
    let c = cluster();
    let mut body = deployment("annotated", 1, "nginx:1.27");
    body["spec"]["template"]["metadata"]["annotations"] = json!({crate::workloads::FAIL_ANNOTATION: "true"});
    c.create("apps", "deployments", "default", body);
    c.wait_for("crash loop", |c| {
        c.list("", "pods", "default")
            .into_iter()
            .find(|p| p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "CrashLoopBackOff")
    })
    .await;
}

#[tokio::test]
async fn stalled_rollout_exceeds_its_progress_deadline() {
    let c = cluster();
    let mut body = deployment("stuck", 1, "example.com/app:fail");
    body["spec"]["progressDeadlineSeconds"] = json!(1);
    c.create("apps", "deployments", "default", body);
    let d = c
        .wait_for("ProgressDeadlineExceeded", |c| {
            c.get("apps", "deployments", "default", "stuck")
                .filter(|d| has_condition(d, "Progressing", "False", "ProgressDeadlineExceeded"))
        })
        .await;
    let message = condition(&d, "Progressing").and_then(|c| c["message"].as_str()).unwrap_or_default().to_string();
    assert!(message.ends_with("has timed out progressing."), "{message}");
}
