//! Kubernetes Events as `flux events` shows them: one row per core/v1 Event with type, reason, object, message,
//! count, last seen and the controller that reported it; newest first; which events concern Flux; what an events
//! view is for (one object, or every Flux object). Pure: the watch lives in `cluster::events`.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::duration::human_duration;
use crate::api::FluxKind;
use crate::api::references::ObjectReference;

/// The Flux controllers, as they name themselves in Events (`reportingController`, `source.component`) and as
/// their pods are labelled (`app=<name>`).
pub const FLUX_CONTROLLERS: [&str; 6] = [
    "source-controller",
    "kustomize-controller",
    "helm-controller",
    "notification-controller",
    "image-reflector-controller",
    "image-automation-controller",
];

/// One Event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub uid: String,
    /// The Event's own namespace.
    pub namespace: String,
    /// `Normal` or `Warning` (anything else is shown as written).
    pub event_type: String,
    pub reason: String,
    /// `involvedObject`, with the Event's namespace when the reference has none and the object is namespaced.
    pub object: ObjectReference,
    /// The uid of the object the Event was recorded for, to tell a recreated object from the one it was about.
    pub object_uid: Option<String>,
    pub message: String,
    pub count: i32,
    pub first_seen: Option<DateTime<Utc>>,
    /// The newest of `lastTimestamp`, `series.lastObservedTime` and `eventTime` (events.k8s.io writers fill only
    /// the latter two).
    pub last_seen: Option<DateTime<Utc>>,
    /// `reportingController`, else `source.component`.
    pub source: String,
    /// The object is gone (or is another object by now); set by the app from its stores.
    pub deleted: bool,
    /// `metadata.resourceVersion` as a number, when it is one. Versions are opaque to clients in general, but
    /// etcd's (and the sandbox's) grow with every write, which orders events recorded within the same second
    /// (Event timestamps have a one-second resolution).
    pub written: Option<u64>,
}

impl EventRow {
    /// Reads an Event as the API serves it (`v1` field names). `None` without a uid or a name.
    pub fn from_value(event: &Value) -> Option<EventRow> {
        let text = |pointer: &str| event.pointer(pointer).and_then(Value::as_str).unwrap_or_default().to_string();
        let time = |pointer: &str| {
            event
                .pointer(pointer)
                .and_then(Value::as_str)
                .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
                .map(|time| time.with_timezone(&Utc))
        };
        let uid = text("/metadata/uid");
        if uid.is_empty() && text("/metadata/name").is_empty() {
            return None;
        }
        let namespace = text("/metadata/namespace");
        let involved_namespace = text("/involvedObject/namespace");
        let object = ObjectReference {
            kind: text("/involvedObject/kind"),
            name: text("/involvedObject/name"),
            namespace: if involved_namespace.is_empty() { namespace.clone() } else { involved_namespace },
            api_version: Some(text("/involvedObject/apiVersion")).filter(|version| !version.is_empty()),
        };
        let count = event
            .pointer("/count")
            .or_else(|| event.pointer("/series/count"))
            .and_then(Value::as_i64)
            .map(|count| count.clamp(1, i64::from(i32::MAX)) as i32)
            .unwrap_or(1);
        let last_seen = [time("/lastTimestamp"), time("/series/lastObservedTime"), time("/eventTime")]
            .into_iter()
            .flatten()
            .max()
            .or_else(|| time("/firstTimestamp"))
            .or_else(|| time("/metadata/creationTimestamp"));
        let source = Some(text("/reportingComponent"))
            .filter(|source| !source.is_empty())
            .unwrap_or_else(|| text("/source/component"));
        Some(EventRow {
            uid: if uid.is_empty() { format!("{namespace}/{}", text("/metadata/name")) } else { uid },
            namespace,
            event_type: text("/type"),
            reason: text("/reason"),
            object,
            object_uid: Some(text("/involvedObject/uid")).filter(|uid| !uid.is_empty()),
            message: text("/message").split_whitespace().collect::<Vec<_>>().join(" "),
            count,
            first_seen: time("/firstTimestamp").or(time("/eventTime")),
            last_seen,
            source,
            deleted: false,
            written: text("/metadata/resourceVersion").parse().ok(),
        })
    }

    pub fn is_warning(&self) -> bool {
        self.event_type == "Warning"
    }

    /// `Kind/name`, as `flux events` writes the object.
    pub fn object_label(&self) -> String {
        format!("{}/{}", self.object.kind, self.object.name)
    }

    /// Whether the Event concerns Flux: about a Flux object, or reported by a Flux controller.
    pub fn is_flux(&self) -> bool {
        FluxKind::from_name(&self.object.kind).is_some() || FLUX_CONTROLLERS.contains(&self.source.as_str())
    }

    /// kubectl's LAST SEEN: `5m2s`, or `19s (x17 over 8m24s)` for a repeated event.
    pub fn last_seen_label(&self, now: DateTime<Utc>) -> String {
        let Some(last) = self.last_seen else { return "-".to_string() };
        let since = human_duration(now - last);
        match self.first_seen {
            Some(first) if self.count > 1 => format!("{since} (x{} over {})", self.count, human_duration(now - first)),
            _ => since,
        }
    }

    /// Every cell, for the `/` filter.
    fn matches_text(&self, lowercase_query: &str) -> bool {
        [&self.event_type, &self.reason, &self.object.kind, &self.object.name, &self.object.namespace, &self.message]
            .into_iter()
            .chain([&self.source])
            .any(|cell| cell.to_lowercase().contains(lowercase_query))
    }
}

/// What an events view shows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EventTarget {
    /// Events about any Flux object or from any Flux controller, in one namespace or all.
    AllFlux { namespace: Option<String> },
    /// Events about one object of any kind (a Flux object, or a node of a tree: a Deployment, a Pod...).
    Object(ObjectReference),
}

impl EventTarget {
    /// The namespace to list Events in (`None`: all namespaces).
    pub fn namespace(&self) -> Option<&str> {
        match self {
            EventTarget::AllFlux { namespace } => namespace.as_deref(),
            EventTarget::Object(object) => (!object.namespace.is_empty()).then_some(object.namespace.as_str()),
        }
    }

    /// The field selector the API server filters with, as `flux events --for` and `kubectl events --for` use.
    pub fn field_selector(&self) -> Option<String> {
        match self {
            EventTarget::AllFlux { .. } => None,
            EventTarget::Object(object) => {
                let mut selector = format!("involvedObject.kind={},involvedObject.name={}", object.kind, object.name);
                if !object.namespace.is_empty() {
                    selector.push_str(&format!(",involvedObject.namespace={}", object.namespace));
                }
                Some(selector)
            }
        }
    }

    /// Whether an Event belongs in the view (the server's selection, checked again client-side).
    pub fn matches(&self, row: &EventRow) -> bool {
        match self {
            EventTarget::AllFlux { namespace } => {
                row.is_flux() && namespace.as_ref().is_none_or(|namespace| *namespace == row.namespace)
            }
            EventTarget::Object(object) => {
                row.object.kind == object.kind
                    && row.object.name == object.name
                    && (object.namespace.is_empty() || row.object.namespace == object.namespace)
            }
        }
    }

    /// For titles: `Kustomization/flux-system/apps`, or `Flux objects (all)`.
    pub fn label(&self) -> String {
        match self {
            EventTarget::AllFlux { namespace } => format!("Flux objects ({})", namespace.as_deref().unwrap_or("all")),
            EventTarget::Object(object) if object.namespace.is_empty() => format!("{}/{}", object.kind, object.name),
            EventTarget::Object(object) => format!("{}/{}/{}", object.kind, object.namespace, object.name),
        }
    }
}

/// Newest first (within one second, the last written first); ties by reason and object so the order is stable
/// between frames.
pub fn sort_newest_first(rows: &mut [EventRow]) {
    rows.sort_by(|a, b| {
        b.last_seen
            .cmp(&a.last_seen)
            .then_with(|| b.written.cmp(&a.written))
            .then_with(|| a.object.name.cmp(&b.object.name))
            .then_with(|| a.reason.cmp(&b.reason))
            .then_with(|| a.uid.cmp(&b.uid))
    });
}

/// The indices of the rows a `/` filter keeps: every word of the text must appear in some cell (case ignored);
/// a leading `!` keeps the rows that do not match.
pub fn filter_rows(rows: &[EventRow], text: &str) -> Vec<usize> {
    let text = text.trim();
    let (invert, text) = match text.strip_prefix('!') {
        Some(rest) => (true, rest.trim()),
        None => (false, text),
    };
    let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
    (0..rows.len())
        .filter(|&index| {
            let matches = words.iter().all(|word| rows[index].matches_text(word));
            matches != invert || words.is_empty()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn event(name: &str, kind: &str, object: &str, event_type: &str, last: &str, source: &str) -> Value {
        json!({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": name, "namespace": "flux-system", "uid": format!("uid-{name}")},
            "involvedObject": {"kind": kind, "name": object, "namespace": "flux-system", "uid": "object-uid"},
            "type": event_type, "reason": "ReconciliationSucceeded", "message": "Applied revision:\n main@sha1:abc",
            "firstTimestamp": "2026-11-24T11:00:00Z", "lastTimestamp": last, "count": 3,
            "source": {"component": source},
        })
    }

    #[test]
    fn an_event_is_read_with_kubectls_last_seen() {
        let value = event("a", "Kustomization", "apps", "Normal", "2026-11-24T11:58:00Z", "kustomize-controller");
        let row = EventRow::from_value(&value).unwrap();
        assert_eq!(row.object_label(), "Kustomization/apps");
        assert_eq!(row.message, "Applied revision: main@sha1:abc");
        assert_eq!(row.source, "kustomize-controller");
        assert_eq!(row.object_uid.as_deref(), Some("object-uid"));
        let now = DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(row.last_seen_label(now), "2m (x3 over 60m)");
        assert!(row.is_flux());
        assert!(!row.is_warning());
    }

    #[test]
    fn events_k8s_io_fields_and_the_reporting_controller_are_used() {
        let value = json!({
            "metadata": {"name": "b", "namespace": "apps", "uid": "u"},
            "involvedObject": {"kind": "Deployment", "name": "podinfo"},
            "type": "Warning", "reason": "HealthCheckFailed", "message": "timeout",
            "eventTime": "2026-11-24T11:00:00.000000Z",
            "series": {"count": 5, "lastObservedTime": "2026-11-24T11:59:00.000000Z"},
            "reportingComponent": "kustomize-controller",
        });
        let row = EventRow::from_value(&value).unwrap();
        assert_eq!(row.count, 5);
        assert_eq!(row.object.namespace, "apps", "a namespaced reference without namespace is the event's");
        assert_eq!(row.last_seen.unwrap().to_rfc3339(), "2026-11-24T11:59:00+00:00");
        assert!(row.is_flux(), "reported by a Flux controller, about a Deployment");
        assert!(row.is_warning());
    }

    #[test]
    fn events_of_the_same_second_show_the_last_written_first() {
        let mut first =
            event("first", "Kustomization", "apps", "Normal", "2026-11-24T11:00:00Z", "kustomize-controller");
        first["metadata"]["resourceVersion"] = json!("900");
        let mut second =
            event("second", "Kustomization", "zz", "Normal", "2026-11-24T11:00:00Z", "kustomize-controller");
        second["metadata"]["resourceVersion"] = json!("1000");
        let mut rows: Vec<EventRow> = [first, second].iter().filter_map(EventRow::from_value).collect();
        sort_newest_first(&mut rows);
        let names: Vec<&str> = rows.iter().map(|row| row.object.name.as_str()).collect();
        assert_eq!(names, ["zz", "apps"], "compared as numbers, not as text");
    }

    #[test]
    fn targets_select_filter_and_sort() {
        let rows: Vec<EventRow> = [
            event("old", "Kustomization", "apps", "Normal", "2026-11-24T10:00:00Z", "kustomize-controller"),
            event("new", "HelmRelease", "podinfo", "Warning", "2026-11-24T11:00:00Z", "helm-controller"),
            event("pod", "Pod", "web-1", "Normal", "2026-11-24T11:30:00Z", "kubelet"),
        ]
        .iter()
        .filter_map(EventRow::from_value)
        .collect();
        let all = EventTarget::AllFlux { namespace: None };
        let mut flux: Vec<EventRow> = rows.iter().filter(|row| all.matches(row)).cloned().collect();
        sort_newest_first(&mut flux);
        let names: Vec<&str> = flux.iter().map(|row| row.object.name.as_str()).collect();
        assert_eq!(names, ["podinfo", "apps"]);

        let one = EventTarget::Object(ObjectReference {
            kind: "Kustomization".into(),
            name: "apps".into(),
            namespace: "flux-system".into(),
            api_version: None,
        });
        assert_eq!(
            one.field_selector().unwrap(),
            "involvedObject.kind=Kustomization,involvedObject.name=apps,involvedObject.namespace=flux-system"
        );
        assert_eq!(rows.iter().filter(|row| one.matches(row)).count(), 1);
        assert_eq!(one.label(), "Kustomization/flux-system/apps");

        assert_eq!(filter_rows(&flux, "warning"), vec![0]);
        assert_eq!(filter_rows(&flux, "!warning"), vec![1]);
        assert_eq!(filter_rows(&flux, "helm podinfo"), vec![0]);
        assert_eq!(filter_rows(&flux, ""), vec![0, 1]);
    }
}
