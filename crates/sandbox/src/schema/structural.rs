//! Pruning and defaulting of custom resources against a structural `openAPIV3Schema`.
//!
//! The real server prunes first (recording what it dropped, for `fieldValidation`), then
//! applies `default`s, then validates; [`super::process_custom_resource`] runs them in that
//! order. `apiVersion`, `kind` and `metadata` are never pruned at the root or inside an
//! `x-kubernetes-embedded-resource`.

use serde_json::{Map, Value};

/// A field path as the API server prints it: `spec.containers[0].name`.
pub(crate) fn child(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

pub(crate) fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

fn preserves_unknown(schema: &Value) -> bool {
    schema.get("x-kubernetes-preserve-unknown-fields").and_then(Value::as_bool) == Some(true)
}

fn embedded(schema: &Value) -> bool {
    schema.get("x-kubernetes-embedded-resource").and_then(Value::as_bool) == Some(true)
}

/// Removes every field the schema does not specify; returns the removed paths in document order.
pub fn prune(schema: &Value, object: &mut Value) -> Vec<String> {
    let mut pruned = Vec::new();
    prune_at(schema, object, "", true, &mut pruned);
    pruned
}

fn prune_at(schema: &Value, value: &mut Value, path: &str, keep_meta: bool, pruned: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties").filter(|a| a.is_object());
            let keep_meta = keep_meta || embedded(schema);
            let preserve = preserves_unknown(schema);
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                // ObjectMeta is validated and normalised by the server itself, not by the CRD schema.
                if keep_meta && matches!(key.as_str(), "apiVersion" | "kind" | "metadata") {
                    continue;
                }
                let field_path = child(path, &key);
                let sub = properties.and_then(|p| p.get(&key)).or(additional);
                match sub {
                    Some(sub) => {
                        if let Some(v) = map.get_mut(&key) {
                            prune_at(sub, v, &field_path, false, pruned);
                        }
                    }
                    None if preserve => {}
                    None => {
                        map.shift_remove(&key);
                        pruned.push(field_path);
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items").filter(|i| i.is_object()) {
                for (i, item) in items.iter_mut().enumerate() {
                    prune_at(item_schema, item, &index(path, i), false, pruned);
                }
            }
        }
        _ => {}
    }
}

/// Applies `default`s wherever the enclosing object exists, including inside array items and
/// `additionalProperties` values, and inside values that were themselves just defaulted.
/// A `null` in a non-nullable field that has a default is replaced by the default.
pub fn apply_defaults(schema: &Value, value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                default_properties(properties, map);
            }
            if let Some(additional) = schema.get("additionalProperties").filter(|a| a.is_object()) {
                for v in map.values_mut() {
                    apply_defaults(additional, v);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items").filter(|i| i.is_object()) {
                for item in items.iter_mut() {
                    apply_defaults(item_schema, item);
                }
            }
        }
        _ => {}
    }
}

fn default_properties(properties: &Map<String, Value>, map: &mut Map<String, Value>) {
    for (key, sub) in properties {
        let nullable = sub.get("nullable").and_then(Value::as_bool) == Some(true);
        let missing = match map.get(key) {
            None => true,
            Some(Value::Null) => !nullable,
            Some(_) => false,
        };
        if missing && let Some(default) = sub.get("default") {
            map.insert(key.clone(), default.clone());
        }
        if let Some(v) = map.get_mut(key) {
            apply_defaults(sub, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prunes_unknown_fields_but_keeps_preserved_and_embedded_ones() {
        let schema = json!({"type": "object", "properties": {
            "metadata": {"type": "object"},
            "spec": {"type": "object", "properties": {
                "a": {"type": "string"},
                "list": {"type": "array", "items": {"type": "object", "properties": {"n": {"type": "string"}}}},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "template": {"type": "object", "x-kubernetes-embedded-resource": true, "properties": {"spec": {"type": "object"}}}
            }}
        }});
        let mut object = json!({
            "apiVersion": "x/v1", "kind": "X", "metadata": {"name": "x", "labels": {"a": "b"}},
            "spec": {"a": "1", "b": 2, "list": [{"n": "x", "m": 1}], "free": {"anything": [1]},
                     "labels": {"k": "v"}, "template": {"apiVersion": "v1", "kind": "Pod", "metadata": {}, "junk": 1}},
            "extra": true
        });
        let pruned = prune(&schema, &mut object);
        assert_eq!(pruned, vec!["spec.b", "spec.list[0].m", "spec.template.junk", "extra"]);
        assert_eq!(object["spec"]["free"], json!({"anything": [1]}));
        assert_eq!(object["spec"]["template"]["kind"], "Pod");
        assert_eq!(object["metadata"]["labels"]["a"], "b");
    }

    #[test]
    fn defaults_exist_only_where_the_parent_exists() {
        let schema = json!({"type": "object", "properties": {
            "spec": {"type": "object", "properties": {
                "interval": {"type": "string", "default": "5m"},
                "ref": {"type": "object", "properties": {"branch": {"type": "string", "default": "main"}}},
                "items": {"type": "array", "items": {"type": "object", "properties": {"w": {"type": "integer", "default": 1}}}},
                "nested": {"type": "object", "default": {}, "properties": {"deep": {"type": "boolean", "default": true}}},
                "n": {"type": "string", "default": "x"}
            }},
            "status": {"type": "object", "default": {"observedGeneration": -1}}
        }});
        let mut object = json!({"spec": {"items": [{}, {"w": 3}], "n": null}});
        apply_defaults(&schema, &mut object);
        assert_eq!(object["spec"]["interval"], "5m");
        assert!(object["spec"].get("ref").is_none(), "absent parents get no defaults");
        assert_eq!(object["spec"]["items"], json!([{"w": 1}, {"w": 3}]));
        assert_eq!(object["spec"]["nested"], json!({"deep": true}));
        assert_eq!(object["spec"]["n"], "x");
        assert_eq!(object["status"], json!({"observedGeneration": -1}));
    }
}
