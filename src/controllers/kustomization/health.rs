//! Health checks (SEMANTICS.md §2.2 and §4 step 11): kstatus for one object ([`compute`]: the generic rules, then
//! the built-in kinds' own; [`compute_with`] first asks the Kustomization's `healthCheckExprs`,
//! [`super::health_exprs`]) and [`wait_for_health`], which polls a set of objects until every one is `Current`,
//! failing early when one is `Failed`, with Flux's messages.

use std::fmt;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::apply::to_value;
use super::health_exprs::HealthExprs;
use super::object::{ObjectId, Resolver};
use crate::model::go_duration::format_duration;

/// kstatus's statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    InProgress,
    Failed,
    Current,
    Terminating,
    NotFound,
    Unknown,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::InProgress => "InProgress",
            Status::Failed => "Failed",
            Status::Current => "Current",
            Status::Terminating => "Terminating",
            Status::NotFound => "NotFound",
            Status::Unknown => "Unknown",
        })
    }
}

/// A status with kstatus's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    pub status: Status,
    pub message: String,
}

fn health(status: Status, message: impl Into<String>) -> Health {
    Health { status, message: message.into() }
}

fn int(object: &Value, pointer: &str) -> i64 {
    object.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

fn condition<'a>(object: &'a Value, type_: &str) -> Option<&'a Value> {
    object["status"]["conditions"].as_array()?.iter().find(|c| c["type"] == type_)
}

fn condition_is(object: &Value, type_: &str, status: &str) -> bool {
    condition(object, type_).is_some_and(|c| c["status"] == status)
}

fn message_of(c: &Value) -> String {
    c["message"].as_str().unwrap_or_default().to_string()
}

/// The status of one live object: by its `healthCheckExprs` entry when one covers its group and kind (which then
/// replaces kstatus's rules entirely, as a custom status reader does in Flux), else [`compute`].
pub fn compute_with(object: &Value, exprs: &HealthExprs) -> Health {
    exprs.status_of(object).unwrap_or_else(|| compute(object))
}

/// The kstatus of one live object.
pub fn compute(object: &Value) -> Health {
    if object["metadata"]["deletionTimestamp"].is_string() {
        return health(Status::Terminating, "Resource scheduled for deletion");
    }
    if let Some(observed) = object.pointer("/status/observedGeneration").and_then(Value::as_i64)
        && let Some(generation) = object.pointer("/metadata/generation").and_then(Value::as_i64)
        && observed != generation
    {
        return health(
            Status::InProgress,
            format!("{} generation is {generation}, but latest observed generation is {observed}", kind_of(object)),
        );
    }
    if let Some(c) = condition(object, "Reconciling").filter(|c| c["status"] == "True") {
        return health(Status::InProgress, message_of(c));
    }
    if let Some(c) = condition(object, "Stalled").filter(|c| c["status"] == "True") {
        return health(Status::Failed, message_of(c));
    }
    let group = object["apiVersion"].as_str().and_then(|v| v.rsplit_once('/')).map(|(g, _)| g).unwrap_or_default();
    match (group, kind_of(object)) {
        ("apps", "Deployment") => deployment(object),
        ("apps", "StatefulSet") => stateful_set(object),
        ("apps", "DaemonSet") => daemon_set(object),
        ("apps", "ReplicaSet") => replica_set(object),
        ("batch", "Job") => job(object),
        ("", "Pod") => pod(object),
        ("", "PersistentVolumeClaim") => pvc(object),
        ("", "Service") => service(object),
        ("", "Namespace") => namespace(object),
        ("apiextensions.k8s.io", "CustomResourceDefinition") => crd(object),
        ("policy", "PodDisruptionBudget") => pdb(object),
        _ => ready_condition(object),
    }
}

fn kind_of(object: &Value) -> &str {
    object["kind"].as_str().unwrap_or_default()
}

fn deployment(d: &Value) -> Health {
    if let Some(c) = condition(d, "Progressing").filter(|c| c["reason"] == "ProgressDeadlineExceeded") {
        return health(Status::Failed, format!("Progress deadline exceeded: {}", message_of(c)));
    }
    let spec = d.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
    let replicas = int(d, "/status/replicas");
    let updated = int(d, "/status/updatedReplicas");
    let ready = int(d, "/status/readyReplicas");
    let available = int(d, "/status/availableReplicas");
    if updated < spec {
        return health(Status::InProgress, format!("Updated: {updated}/{spec}"));
    }
    if replicas > updated {
        return health(Status::InProgress, format!("Pending termination: {}", replicas - updated));
    }
    if available < updated {
        return health(Status::InProgress, format!("Available: {available}/{updated}"));
    }
    if ready < updated {
        return health(Status::InProgress, format!("Ready: {ready}/{updated}"));
    }
    if !condition_is(d, "Available", "True") && spec > 0 {
        return health(Status::InProgress, "Deployment not Available");
    }
    health(Status::Current, format!("Deployment is available. Replicas: {replicas}"))
}

fn stateful_set(s: &Value) -> Health {
    let spec = s.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
    let ready = int(s, "/status/readyReplicas");
    let current = int(s, "/status/currentReplicas");
    let updated = int(s, "/status/updatedReplicas");
    if s.pointer("/spec/updateStrategy/type").and_then(Value::as_str) == Some("OnDelete") {
        return health(Status::Current, "StatefulSet is using the OnDelete update strategy");
    }
    if int(s, "/status/replicas") < spec {
        return health(Status::InProgress, format!("Replicas: {}/{spec}", int(s, "/status/replicas")));
    }
    if ready < spec {
        return health(Status::InProgress, format!("Ready: {ready}/{spec}"));
    }
    let partition = int(s, "/spec/updateStrategy/rollingUpdate/partition");
    if partition > 0 {
        if updated < spec - partition {
            return health(Status::InProgress, format!("updated: {updated}/{}", spec - partition));
        }
        return health(
            Status::Current,
            format!("Partitioned roll out complete. updated: {updated}/{}", spec - partition),
        );
    }
    if current < spec {
        return health(Status::InProgress, format!("current: {current}/{spec}"));
    }
    if s["status"]["updateRevision"] != s["status"]["currentRevision"] {
        return health(Status::InProgress, "Waiting for updated revision to match current");
    }
    health(Status::Current, format!("All replicas scheduled as expected. Replicas: {spec}"))
}

fn daemon_set(d: &Value) -> Health {
    let desired = int(d, "/status/desiredNumberScheduled");
    let checks = [
        ("currentNumberScheduled", "Current"),
        ("updatedNumberScheduled", "Updated"),
        ("numberAvailable", "Available"),
        ("numberReady", "Ready"),
    ];
    for (field, label) in checks {
        let value = int(d, &format!("/status/{field}"));
        if value < desired {
            return health(Status::InProgress, format!("{label}: {value}/{desired}"));
        }
    }
    health(Status::Current, format!("All replicas scheduled as expected. Replicas: {desired}"))
}

fn replica_set(r: &Value) -> Health {
    if condition_is(r, "ReplicaFailure", "True") {
        return health(Status::InProgress, "Replica Failure condition. Check Pods");
    }
    let spec = r.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
    for (field, label) in [("replicas", "Replicas"), ("readyReplicas", "Ready"), ("availableReplicas", "Available")] {
        let value = int(r, &format!("/status/{field}"));
        if value < spec {
            return health(Status::InProgress, format!("{label}: {value}/{spec}"));
        }
    }
    health(Status::Current, format!("ReplicaSet is available. Replicas: {spec}"))
}

fn job(j: &Value) -> Health {
    if let Some(c) = condition(j, "Failed").filter(|c| c["status"] == "True") {
        return health(Status::Failed, format!("Job Failed. failed: {}: {}", int(j, "/status/failed"), message_of(c)));
    }
    if condition_is(j, "Complete", "True") {
        return health(Status::Current, format!("Job Completed. succeeded: {}", int(j, "/status/succeeded")));
    }
    health(
        Status::InProgress,
        format!(
            "Job in progress. success:{}, active: {}, failed: {}",
            int(j, "/status/succeeded"),
            int(j, "/status/active"),
            int(j, "/status/failed")
        ),
    )
}

fn pod(p: &Value) -> Health {
    match p["status"]["phase"].as_str().unwrap_or_default() {
        "Succeeded" => return health(Status::Current, "Pod has completed successfully"),
        "Failed" => return health(Status::Failed, "Pod has completed, but not successfully"),
        _ => {}
    }
    if condition_is(p, "Ready", "True") {
        return health(Status::Current, "Pod is Ready");
    }
    let crash_looping = p["status"]["containerStatuses"]
        .as_array()
        .is_some_and(|list| list.iter().any(|c| c["state"]["waiting"]["reason"] == "CrashLoopBackOff"));
    if crash_looping {
        return health(Status::Failed, "Pod has containers in CrashLoopBackOff");
    }
    if condition(p, "PodScheduled").is_some_and(|c| c["reason"] == "Unschedulable") {
        return health(Status::Failed, "Pod could not be scheduled");
    }
    health(Status::InProgress, "Pod is not Ready")
}

fn pvc(p: &Value) -> Health {
    if p["status"]["phase"] == "Bound" {
        health(Status::Current, "PVC is Bound")
    } else {
        health(Status::InProgress, "PVC is not Bound")
    }
}

fn service(s: &Value) -> Health {
    if s["spec"]["type"] == "LoadBalancer"
        && s["status"]["loadBalancer"]["ingress"].as_array().is_none_or(Vec::is_empty)
    {
        return health(Status::InProgress, "LoadBalancer has no ingress yet");
    }
    health(Status::Current, "Service is ready")
}

fn namespace(n: &Value) -> Health {
    match n["status"]["phase"].as_str() {
        Some("Terminating") => health(Status::Terminating, "Namespace is terminating"),
        _ => health(Status::Current, "Resource is current"),
    }
}

fn crd(c: &Value) -> Health {
    if condition_is(c, "Established", "True") {
        return health(Status::Current, "CRD is established");
    }
    if let Some(names) = condition(c, "NamesAccepted").filter(|n| n["status"] == "False") {
        return health(Status::Failed, format!("CRD names not accepted: {}", message_of(names)));
    }
    health(Status::InProgress, "Install in progress")
}

fn pdb(p: &Value) -> Health {
    let healthy = int(p, "/status/currentHealthy");
    let desired = int(p, "/status/desiredHealthy");
    if healthy < desired {
        return health(Status::InProgress, format!("Budget not met. healthy replicas: {healthy}/{desired}"));
    }
    health(Status::Current, format!("Budget is met. Replicas: {healthy}/{desired}"))
}

/// Custom resources: Ready is consulted only for types without the generic conditions (handled before).
fn ready_condition(object: &Value) -> Health {
    match condition(object, "Ready") {
        Some(c) if c["status"] == "True" => health(Status::Current, message_of(c)),
        Some(c) => health(Status::InProgress, message_of(c)),
        None => health(Status::Current, "Resource is current"),
    }
}

/// How a wait polls.
#[derive(Debug, Clone)]
pub struct WaitOptions {
    pub interval: Duration,
    pub timeout: Duration,
    /// Stop at the first `Failed` object instead of waiting out the timeout (Flux's default).
    pub fail_fast: bool,
    /// The Kustomization's `healthCheckExprs` (empty: kstatus alone).
    pub exprs: HealthExprs,
}

/// The status of one object in the cluster now.
async fn observe(resolver: &Resolver, id: &ObjectId, exprs: &HealthExprs) -> Health {
    let resolved = match resolver.resolve(id).await {
        Ok(resolved) => resolved,
        Err(err) => return health(Status::Unknown, err),
    };
    match resolver.api(&resolved, id).get_opt(&id.name).await {
        Ok(Some(object)) => compute_with(&to_value(object), exprs),
        Ok(None) => health(Status::NotFound, "Resource not found"),
        Err(err) => health(Status::Unknown, err.to_string()),
    }
}

/// `<object> status: '<Status>'` per object not Current, as fluxcd/pkg/ssa lists them; an `Unknown` status carries
/// its error (`: <error>`), as kstatus reports a status reader's failure.
fn listing(statuses: &[(&ObjectId, Health)], which: impl Fn(Status) -> bool) -> String {
    statuses
        .iter()
        .filter(|(_, h)| which(h.status))
        .map(|(id, h)| match h.status {
            Status::Unknown if !h.message.is_empty() => format!("{id} status: '{}': {}", h.status, h.message),
            status => format!("{id} status: '{status}'"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Waits until every object is `Current`. Ok is "Health check passed in <d>"; Err is "health check failed after
/// <d>: timeout waiting for: [...]" or, failing fast, "... failed early due to stalled resources: [...]".
pub async fn wait_for_health(
    resolver: &Resolver,
    objects: &[ObjectId],
    options: &WaitOptions,
) -> Result<String, String> {
    let started = Instant::now();
    loop {
        let mut statuses = Vec::with_capacity(objects.len());
        for id in objects {
            statuses.push((id, observe(resolver, id, &options.exprs).await));
        }
        let elapsed = || format_duration(started.elapsed());
        if statuses.iter().all(|(_, h)| h.status == Status::Current) {
            return Ok(format!("Health check passed in {}", elapsed()));
        }
        if options.fail_fast && statuses.iter().any(|(_, h)| h.status == Status::Failed) {
            let failed = listing(&statuses, |s| s == Status::Failed);
            return Err(format!(
                "health check failed after {}: failed early due to stalled resources: [{failed}]",
                elapsed()
            ));
        }
        if started.elapsed() + options.interval > options.timeout {
            let pending = listing(&statuses, |s| s != Status::Current);
            // Wait out the rest of the timeout so the message's duration is the timeout, as in Flux.
            tokio::time::sleep(options.timeout.saturating_sub(started.elapsed())).await;
            return Err(format!("health check failed after {}: timeout waiting for: [{pending}]", elapsed()));
        }
        tokio::time::sleep(options.interval).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn generic_rules_come_first() {
        let deleting = json!({"kind": "ConfigMap", "metadata": {"deletionTimestamp": "2024-01-01T00:00:00Z"}});
        assert_eq!(compute(&deleting).status, Status::Terminating);
        let behind = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"generation": 2},
            "status": {"observedGeneration": 1}});
        assert_eq!(compute(&behind).status, Status::InProgress);
        let stalled = json!({"apiVersion": "x/v1", "kind": "Foo", "metadata": {},
            "status": {"conditions": [{"type": "Stalled", "status": "True", "message": "bad"}]}});
        assert_eq!(compute(&stalled), health(Status::Failed, "bad"));
        let not_ready = json!({"apiVersion": "x/v1", "kind": "Foo", "metadata": {},
            "status": {"conditions": [{"type": "Ready", "status": "False", "message": "waiting"}]}});
        assert_eq!(compute(&not_ready).status, Status::InProgress);
        assert_eq!(compute(&json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}})).status, Status::Current);
    }

    #[test]
    fn deployments_follow_their_rollout() {
        let d = |status: Value| {
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"generation": 1}, "spec": {"replicas": 2}, "status": status})
        };
        let rolling = d(json!({"observedGeneration": 1, "replicas": 2, "updatedReplicas": 1}));
        assert_eq!(compute(&rolling), health(Status::InProgress, "Updated: 1/2"));
        let done = d(json!({"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "readyReplicas": 2,
            "availableReplicas": 2, "conditions": [{"type": "Available", "status": "True"}]}));
        assert_eq!(compute(&done).status, Status::Current);
        let stuck = d(json!({"observedGeneration": 1, "conditions": [{"type": "Progressing", "status": "False",
            "reason": "ProgressDeadlineExceeded", "message": "timed out"}]}));
        assert_eq!(compute(&stuck).status, Status::Failed);
    }

    #[test]
    fn pods_jobs_and_crds() {
        let crash = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {}, "status": {"phase": "Running",
            "containerStatuses": [{"state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}});
        assert_eq!(compute(&crash).status, Status::Failed);
        let failed_job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {},
            "status": {"conditions": [{"type": "Failed", "status": "True", "message": "BackoffLimitExceeded"}]}});
        assert_eq!(compute(&failed_job).status, Status::Failed);
        let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {},
            "status": {"conditions": [{"type": "Established", "status": "True"}]}});
        assert_eq!(compute(&crd).status, Status::Current);
        let pending_pvc = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {},
            "status": {"phase": "Pending"}});
        assert_eq!(compute(&pending_pvc).status, Status::InProgress);
    }
}
