//! Describe text for any Kubernetes object (tree nodes, pods): identity, labels, the kstatus-like status,
//! conditions, owners, and for pods their containers. Flux objects have their own describe (`describe`).

use serde_json::Value;

use super::text::{StyledLine, TextClass};
use super::tree::{LiveStatus, live_status};

fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn field(lines: &mut Vec<StyledLine>, label: &str, value: &str, class: TextClass) {
    let mut line = StyledLine::default();
    line.push(format!("{:<18}", format!("{label}:")), TextClass::Key);
    line.push(value, class);
    lines.push(line);
}

fn heading(lines: &mut Vec<StyledLine>, text: &str) {
    let mut line = StyledLine::default();
    line.push(text, TextClass::Heading);
    lines.push(line);
}

pub fn describe_live_object(object: &Value) -> Vec<StyledLine> {
    let mut lines = Vec::new();
    field(&mut lines, "Name", text(object, "/metadata/name"), TextClass::Value);
    let namespace = text(object, "/metadata/namespace");
    if !namespace.is_empty() {
        field(&mut lines, "Namespace", namespace, TextClass::Value);
    }
    field(&mut lines, "Kind", text(object, "/kind"), TextClass::Value);
    field(&mut lines, "API version", text(object, "/apiVersion"), TextClass::Value);
    field(&mut lines, "Created", text(object, "/metadata/creationTimestamp"), TextClass::Value);
    let (status, message) = live_status(object);
    let class = match status {
        LiveStatus::Current => TextClass::Ready,
        LiveStatus::InProgress => TextClass::Reconciling,
        _ => TextClass::Failed,
    };
    let status_text =
        if message.is_empty() { status.label().to_string() } else { format!("{} ({message})", status.label()) };
    field(&mut lines, "Status", &status_text, class);
    for (label, pointer) in [("Labels", "/metadata/labels"), ("Annotations", "/metadata/annotations")] {
        let Some(map) = object.pointer(pointer).and_then(Value::as_object).filter(|map| !map.is_empty()) else {
            continue;
        };
        heading(&mut lines, &format!("{label}:"));
        for (key, value) in map {
            let mut line = StyledLine::default();
            line.push(format!("  {key}="), TextClass::Key);
            line.push(value.as_str().unwrap_or_default(), TextClass::String);
            lines.push(line);
        }
    }
    if let Some(owners) = object.pointer("/metadata/ownerReferences").and_then(Value::as_array) {
        heading(&mut lines, "Owned by:");
        for owner in owners {
            lines.push(StyledLine::plain(format!("  {}/{}", text(owner, "/kind"), text(owner, "/name"))));
        }
    }
    if let Some(containers) = object.pointer("/spec/containers").and_then(Value::as_array) {
        heading(&mut lines, "Containers:");
        let statuses = object.pointer("/status/containerStatuses").and_then(Value::as_array);
        for container in containers {
            let name = text(container, "/name");
            let status = statuses.into_iter().flatten().find(|status| text(status, "/name") == name);
            let ready = status.and_then(|s| s.get("ready")).and_then(Value::as_bool) == Some(true);
            let restarts = status.and_then(|s| s.get("restartCount")).and_then(Value::as_i64).unwrap_or(0);
            let mut line = StyledLine::default();
            line.push(format!("  {name:<20}"), TextClass::Key);
            line.push(format!("{:<40}", text(container, "/image")), TextClass::Value);
            line.push(
                if ready { "ready" } else { "not ready" },
                if ready { TextClass::Ready } else { TextClass::Reconciling },
            );
            line.push(format!("  restarts {restarts}"), TextClass::Muted);
            lines.push(line);
        }
    }
    if let Some(conditions) = object.pointer("/status/conditions").and_then(Value::as_array) {
        heading(&mut lines, "Conditions:");
        for condition in conditions {
            let status = text(condition, "/status");
            let class = if status == "True" { TextClass::Ready } else { TextClass::Muted };
            let mut line = StyledLine::default();
            line.push(format!("  {:<28}", text(condition, "/type")), TextClass::Key);
            line.push(format!("{status:<8}"), class);
            line.push(format!("{:<28}", text(condition, "/reason")), TextClass::Plain);
            line.push(text(condition, "/message"), TextClass::Plain);
            lines.push(line);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_pod_is_described_with_its_containers_and_conditions() {
        let pod = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web-1", "namespace": "shop", "labels": {"app": "web"},
                "ownerReferences": [{"kind": "ReplicaSet", "name": "web-abc"}]},
            "spec": {"containers": [{"name": "app", "image": "nginx"}]},
            "status": {"phase": "Running", "containerStatuses": [{"name": "app", "ready": true, "restartCount": 2}],
                "conditions": [{"type": "Ready", "status": "True"}]}});
        let text: String = describe_live_object(&pod).iter().map(|line| line.text() + "\n").collect();
        for expected in [
            "Namespace:        shop",
            "Status:           Ready (Running)",
            "  app=web",
            "  ReplicaSet/web-abc",
            "restarts 2",
            "  Ready",
        ] {
            assert!(text.contains(expected), "{expected:?} in\n{text}");
        }
    }
}
