//! core/v1 Events as the real components record them: one Event per (object, reason, message),
//! whose `count` and `lastTimestamp` grow when the same thing happens again, as client-go's
//! event correlator aggregates them. `kubectl get events` and `kubectl describe` show these.
//!
//! The Event's name is derived from what it is about (`<object>.<hash>`), so a repeat finds
//! it in the store: nothing is remembered in memory, and a restart keeps aggregating.

use super::client::{Api, canonical_json, gr, name, namespace, now, uid};
use crate::error::ApiError;
use serde_json::{Value, json};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum EventType {
    Normal,
    Warning,
}

/// Longest name the API accepts for an Event (a DNS subdomain).
const MAX_NAME: usize = 253;

/// The Event recording one kind of occurrence: `<involved-name>.<hash>`, the hash (FNV-1a 64, in
/// hex) over the involved object's uid and field path, the reason, the message and the source.
fn event_name(object: &Value, field_path: Option<&str>, reason: &str, message: &str, component: &str) -> String {
    let identity = canonical_json(&json!([uid(object), field_path, reason, message, component]));
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in identity.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let suffix = format!(".{hash:016x}");
    let mut prefix = name(object);
    while prefix.len() + suffix.len() > MAX_NAME {
        let mut cut = MAX_NAME - suffix.len();
        while !prefix.is_char_boundary(cut) {
            cut -= 1;
        }
        prefix = &prefix[..cut];
    }
    format!("{prefix}{suffix}")
}

/// Shared by every controller.
#[derive(Clone)]
pub(super) struct Recorder {
    api: Api,
}

impl Recorder {
    pub fn new(api: Api) -> Self {
        Recorder { api }
    }

    /// Records an event about `object` (any kind with apiVersion, kind and metadata).
    /// Failing to record is logged and otherwise ignored, as in client-go: events are best effort.
    pub fn record(&self, object: &Value, kind: EventType, reason: &str, message: &str, component: &str) {
        self.record_at(object, None, kind, reason, message, component);
    }

    /// Same as [`Recorder::record`], for one container (`fieldPath: spec.containers{name}`).
    pub fn record_at(
        &self,
        object: &Value,
        field_path: Option<&str>,
        kind: EventType,
        reason: &str,
        message: &str,
        component: &str,
    ) {
        if let Err(err) = self.try_record(object, field_path, kind, reason, message, component) {
            // A terminating namespace refuses new content; that is expected, not worth a warning.
            if err.code == 403 || err.code == 404 {
                tracing::debug!(reason, %err, "event not recorded");
            } else {
                tracing::warn!(reason, %err, "event not recorded");
            }
        }
    }

    fn try_record(
        &self,
        object: &Value,
        field_path: Option<&str>,
        kind: EventType,
        reason: &str,
        message: &str,
        component: &str,
    ) -> Result<(), ApiError> {
        let events = gr("", "events");
        let event_namespace = match namespace(object) {
            "" => "default".to_string(),
            ns => ns.to_string(),
        };
        let event_name = event_name(object, field_path, reason, message, component);
        let mut involved = json!({
            "apiVersion": object.get("apiVersion").cloned().unwrap_or(Value::Null),
            "kind": object.get("kind").cloned().unwrap_or(Value::Null),
            "name": name(object),
            "uid": uid(object),
            "resourceVersion": object.pointer("/metadata/resourceVersion").cloned().unwrap_or(Value::Null),
        });
        if !namespace(object).is_empty() {
            involved["namespace"] = json!(namespace(object));
        }
        if let Some(path) = field_path {
            involved["fieldPath"] = json!(path);
        }
        let timestamp = now();
        let mut source = json!({"component": component});
        if component == "kubelet" {
            source["host"] = json!("sandbox");
        }
        let body = json!({
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": event_name, "namespace": event_namespace},
            "involvedObject": involved,
            "reason": reason,
            "message": message,
            "source": source,
            "firstTimestamp": timestamp,
            "lastTimestamp": timestamp,
            "count": 1,
            "type": if kind == EventType::Normal { "Normal" } else { "Warning" },
            "eventTime": null,
            "reportingComponent": component,
            "reportingInstance": if component == "kubelet" { "sandbox" } else { "" },
        });
        // A repeat bumps the existing Event; the first occurrence (or one whose Event was
        // deleted: namespace cleanup, TTL) creates it. Two recorders racing on the create: the
        // loser bumps what the winner created.
        for _ in 0..2 {
            let bumped = self.api.modify(&events, &event_namespace, &event_name, manager(component), |event| {
                let count = event.get("count").and_then(Value::as_i64).unwrap_or(1);
                event["count"] = json!(count + 1);
                event["lastTimestamp"] = json!(now());
                true
            });
            match bumped {
                Ok(_) => return Ok(()),
                Err(err) if err.code == 404 => {}
                Err(err) => return Err(err),
            }
            match self.api.create(&events, &event_namespace, body.clone(), manager(component)) {
                Err(err) if err.code == 409 && err.reason == "AlreadyExists" => {}
                other => return other.map(|_| ()),
            }
        }
        Ok(())
    }
}

fn manager(component: &str) -> &'static str {
    if component == "kubelet" { super::client::KUBELET } else { super::client::CONTROLLER_MANAGER }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SandboxConfig;
    use crate::resources::ApiState;

    #[test]
    fn repeats_bump_one_deterministically_named_event_even_across_recorders() {
        let state = ApiState::open(SandboxConfig::default()).expect("open state");
        let api = Api::new(state.clone());
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-1", "namespace": "default", "uid": "u-1"}});
        Recorder::new(api.clone()).record(&pod, EventType::Warning, "BackOff", "Back-off restarting", "kubelet");
        // A fresh recorder, as after a restart, remembers nothing: the store is what it finds.
        Recorder::new(api.clone()).record(&pod, EventType::Warning, "BackOff", "Back-off restarting", "kubelet");
        Recorder::new(api.clone()).record(&pod, EventType::Warning, "BackOff", "Another message", "kubelet");
        let events: Vec<Value> =
            state.store.list(&gr("", "events"), Some("default")).0.iter().map(|o| o.value()).collect();
        assert_eq!(events.len(), 2);
        let expected = event_name(&pod, None, "BackOff", "Back-off restarting", "kubelet");
        assert!(expected.starts_with("web-1.") && expected.len() == "web-1.".len() + 16);
        let bumped = events.iter().find(|e| e["metadata"]["name"] == expected.as_str()).expect("named by content");
        assert_eq!(bumped["count"], 2);
    }

    #[test]
    fn long_names_are_cut_to_fit() {
        let object = json!({"metadata": {"name": "x".repeat(300), "uid": "u"}});
        assert_eq!(event_name(&object, None, "R", "m", "c").len(), MAX_NAME);
    }
}
