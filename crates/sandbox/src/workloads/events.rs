//! core/v1 Events as the real components record them: one Event per (object, reason, message),
//! whose `count` and `lastTimestamp` grow when the same thing happens again, as client-go's
//! event correlator aggregates them. `kubectl get events` and `kubectl describe` show these.

use super::client::{Api, gr, name, namespace, now, uid};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum EventType {
    Normal,
    Warning,
}

/// Shared by every controller; remembers which Event each repeated occurrence should bump.
#[derive(Clone)]
pub(super) struct Recorder {
    api: Api,
    seen: Arc<Mutex<HashMap<String, (String, String)>>>,
}

impl Recorder {
    pub fn new(api: Api) -> Self {
        Recorder { api, seen: Arc::new(Mutex::new(HashMap::new())) }
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
    ) -> Result<(), crate::error::ApiError> {
        let events = gr("", "events");
        let event_namespace = match namespace(object) {
            "" => "default".to_string(),
            ns => ns.to_string(),
        };
        let key = format!("{}|{}|{reason}|{message}|{}", uid(object), field_path.unwrap_or_default(), component);
        let known = self.lock().get(&key).cloned();
        if let Some((ns, event_name)) = known {
            let bumped = self.api.modify(&events, &ns, &event_name, manager(component), |event| {
                let count = event.get("count").and_then(Value::as_i64).unwrap_or(1);
                event["count"] = json!(count + 1);
                event["lastTimestamp"] = json!(now());
                true
            });
            match bumped {
                Ok(_) => return Ok(()),
                // The Event was deleted (namespace cleanup, TTL): start a new one.
                Err(err) if err.code == 404 => {}
                Err(err) => return Err(err),
            }
        }
        let nanos = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
        let event_name = format!("{}.{:x}", name(object), nanos);
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
        self.api.create(&events, &event_namespace, body, manager(component))?;
        self.lock().insert(key, (event_namespace, event_name));
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (String, String)>> {
        // The map is a cache: a panic elsewhere cannot leave it inconsistent in a harmful way.
        self.seen.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn manager(component: &str) -> &'static str {
    if component == "kubelet" { super::client::KUBELET } else { super::client::CONTROLLER_MANAGER }
}
