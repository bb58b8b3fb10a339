//! Workload drill-down: which pods belong to a workload (its label selector, as kubectl finds them) and the
//! pod rows people read: ready containers, status, restarts, age, node.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::duration::parse_time;
use super::tree::{LiveStatus, live_status};

/// The label selector (in `kubectl -l` syntax) that finds a workload's pods.
pub fn pod_selector(owner: &Value) -> Result<String, String> {
    let kind = owner.get("kind").and_then(Value::as_str).unwrap_or("");
    let selector = match kind {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => owner.pointer("/spec/selector"),
        // A Service's selector is a plain map, the pods it routes to.
        "Service" => {
            let labels = owner.pointer("/spec/selector").and_then(Value::as_object);
            let Some(labels) = labels.filter(|labels| !labels.is_empty()) else {
                return Err("this Service selects no pods (no spec.selector)".to_string());
            };
            return Ok(labels
                .iter()
                .map(|(key, value)| format!("{key}={}", value.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(","));
        }
        "CronJob" => return Err("a CronJob's pods belong to its Jobs: open one of its Jobs".to_string()),
        other => return Err(format!("{other} objects have no pods")),
    };
    let Some(selector) = selector else { return Err(format!("this {kind} has no spec.selector")) };
    let mut parts = Vec::new();
    if let Some(labels) = selector.get("matchLabels").and_then(Value::as_object) {
        parts.extend(labels.iter().map(|(key, value)| format!("{key}={}", value.as_str().unwrap_or_default())));
    }
    for expression in selector.get("matchExpressions").and_then(Value::as_array).into_iter().flatten() {
        let key = expression.get("key").and_then(Value::as_str).unwrap_or_default();
        let values: Vec<&str> = expression
            .get("values")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        match expression.get("operator").and_then(Value::as_str).unwrap_or_default() {
            "In" => parts.push(format!("{key} in ({})", values.join(","))),
            "NotIn" => parts.push(format!("{key} notin ({})", values.join(","))),
            "Exists" => parts.push(key.to_string()),
            "DoesNotExist" => parts.push(format!("!{key}")),
            other => return Err(format!("unsupported selector operator {other:?}")),
        }
    }
    if parts.is_empty() {
        return Err(format!("this {kind}'s selector is empty: it would select every pod"));
    }
    Ok(parts.join(","))
}

/// One row of the pods list.
#[derive(Debug, Clone, PartialEq)]
pub struct PodRow {
    pub namespace: String,
    pub name: String,
    /// `ready/total` containers.
    pub ready: String,
    /// The phase, or the reason a container waits or terminated (`CrashLoopBackOff`), as kubectl shows it.
    pub status: String,
    pub restarts: i64,
    /// When the pod was created, for its age (computed when drawn, so it ages with the clock).
    pub created: Option<DateTime<Utc>>,
    pub node: String,
    pub live: LiveStatus,
}

pub fn pod_row(pod: &Value) -> PodRow {
    let text = |pointer: &str| pod.pointer(pointer).and_then(Value::as_str).unwrap_or("").to_string();
    let statuses: Vec<&Value> =
        pod.pointer("/status/containerStatuses").and_then(Value::as_array).into_iter().flatten().collect();
    let total = pod.pointer("/spec/containers").and_then(Value::as_array).map(Vec::len).unwrap_or(statuses.len());
    let ready = statuses.iter().filter(|status| status.get("ready").and_then(Value::as_bool) == Some(true)).count();
    let restarts = statuses.iter().filter_map(|status| status.get("restartCount").and_then(Value::as_i64)).sum();
    let reason = statuses.iter().find_map(|status| {
        status
            .pointer("/state/waiting/reason")
            .or_else(|| status.pointer("/state/terminated/reason"))
            .and_then(Value::as_str)
    });
    let deleting = pod.pointer("/metadata/deletionTimestamp").is_some();
    let status = if deleting {
        "Terminating".to_string()
    } else {
        reason.map(str::to_string).unwrap_or_else(|| {
            Some(text("/status/phase")).filter(|p| !p.is_empty()).unwrap_or_else(|| "Pending".to_string())
        })
    };
    PodRow {
        namespace: text("/metadata/namespace"),
        name: text("/metadata/name"),
        ready: format!("{ready}/{total}"),
        status,
        restarts,
        created: parse_time(&text("/metadata/creationTimestamp")),
        node: Some(text("/spec/nodeName")).filter(|node| !node.is_empty()).unwrap_or_else(|| "<none>".to_string()),
        live: live_status(pod).0,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::duration::age;

    #[test]
    fn selectors_come_from_the_workload() {
        let deployment = json!({"kind": "Deployment", "spec": {"selector": {"matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}, {"key": "canary", "operator": "DoesNotExist"}]}}});
        assert_eq!(pod_selector(&deployment), Ok("app=web,tier in (a,b),!canary".to_string()));
        let service = json!({"kind": "Service", "spec": {"selector": {"app": "web"}}});
        assert_eq!(pod_selector(&service), Ok("app=web".to_string()));
        assert!(pod_selector(&json!({"kind": "ConfigMap"})).unwrap_err().contains("no pods"));
        assert!(pod_selector(&json!({"kind": "Deployment", "spec": {"selector": {}}})).unwrap_err().contains("empty"));
    }

    #[test]
    fn pod_rows_read_like_kubectl() {
        let now = parse_time("2026-11-24T12:00:00Z").unwrap();
        let pod = json!({"kind": "Pod", "metadata": {"name": "web-1", "namespace": "shop", "creationTimestamp": "2026-11-24T11:55:00Z"},
            "spec": {"nodeName": "node-1", "containers": [{"name": "a"}, {"name": "b"}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"ready": true, "restartCount": 1, "state": {"running": {}}},
                {"ready": false, "restartCount": 3, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}});
        let row = pod_row(&pod);
        assert_eq!((row.ready.as_str(), row.status.as_str(), row.restarts), ("1/2", "CrashLoopBackOff", 4));
        assert_eq!((age(row.created, now).as_str(), row.node.as_str(), row.live), ("5m", "node-1", LiveStatus::Failed));
    }
}
