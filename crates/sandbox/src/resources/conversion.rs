//! Conversion between served versions of one resource. Custom resources use the `None` strategy
//! (only apiVersion changes, as for CRDs without a conversion webhook). Events are the one
//! built-in served in two shapes: core `v1` and `events.k8s.io/v1` name the same fields
//! differently, and the real server converts between them on every read.

use crate::registry::ResourceInfo;
use serde_json::{Map, Value};

/// (core/v1 name, events.k8s.io/v1 name) of the fields that are renamed.
const EVENT_FIELDS: &[(&str, &str)] = &[
    ("involvedObject", "regarding"),
    ("message", "note"),
    ("reportingComponent", "reportingController"),
    ("source", "deprecatedSource"),
    ("firstTimestamp", "deprecatedFirstTimestamp"),
    ("lastTimestamp", "deprecatedLastTimestamp"),
    ("count", "deprecatedCount"),
];

/// Converts a stored object to the version the request named, with apiVersion and kind first.
pub fn as_version(mut object: Value, info: &ResourceInfo) -> Value {
    if info.plural == "events" && (info.group.is_empty() || info.group == "events.k8s.io") {
        let stored = object.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
        let stored_is_core = stored == "v1";
        let wanted_core = info.group.is_empty();
        if stored_is_core != wanted_core
            && let Some(map) = object.as_object_mut()
        {
            rename_event_fields(map, wanted_core);
        }
    }
    if let Some(map) = object.as_object_mut() {
        let mut ordered = Map::with_capacity(map.len() + 2);
        ordered.insert("apiVersion".into(), Value::String(info.api_version()));
        ordered.insert("kind".into(), Value::String(info.kind.clone()));
        for (key, value) in std::mem::take(map) {
            if key != "apiVersion" && key != "kind" {
                ordered.insert(key, value);
            }
        }
        *map = ordered;
    }
    object
}

fn rename_event_fields(map: &mut Map<String, Value>, to_core: bool) {
    for (core, events) in EVENT_FIELDS {
        let (from, to) = if to_core { (events, core) } else { (core, events) };
        if let Some(value) = map.remove(*from) {
            map.insert((*to).to_string(), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Registry;
    use serde_json::json;

    #[test]
    fn events_convert_both_ways() {
        let registry = Registry::with_builtins();
        let core = registry.get("", "v1", "events").expect("core events");
        let events = registry.get("events.k8s.io", "v1", "events").expect("events.k8s.io");
        let stored = json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"},
            "involvedObject": {"kind": "Pod", "name": "web"}, "message": "Started container", "count": 2,
            "source": {"component": "kubelet"}, "reason": "Started"});
        let new_shape = as_version(stored.clone(), &events);
        assert_eq!(new_shape["apiVersion"], "events.k8s.io/v1");
        assert_eq!(new_shape["regarding"]["name"], "web");
        assert_eq!(new_shape["note"], "Started container");
        assert_eq!(new_shape["deprecatedCount"], 2);
        assert_eq!(new_shape["reason"], "Started");
        let back = as_version(new_shape, &core);
        assert_eq!(back["involvedObject"], stored["involvedObject"]);
        assert_eq!(back["message"], stored["message"]);
    }
}
