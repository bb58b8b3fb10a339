//! Publishing CRD schemas: the v3 form (metadata as ObjectMeta) and the Swagger 2.0 subset.

use super::defs::{META, reference};
use serde_json::{Map, Value, json};

/// The v3 component schema of a CRD version's `openAPIV3Schema`: `metadata` points at
/// ObjectMeta, `apiVersion` and `kind` are described strings.
pub(crate) fn crd_schema_to_v3(schema: &Value) -> Value {
    let mut out = schema.clone();
    if !out.is_object() {
        out = json!({"type": "object"});
    }
    let properties = out.as_object_mut().and_then(|o| {
        o.entry("properties").or_insert_with(|| json!({}));
        o.get_mut("properties").and_then(Value::as_object_mut)
    });
    if let Some(properties) = properties {
        properties.insert("metadata".into(), reference(&format!("{META}.ObjectMeta")));
        for (field, doc) in [
            ("apiVersion", "APIVersion defines the versioned schema of this representation of an object."),
            ("kind", "Kind is a string value representing the REST resource this object represents."),
        ] {
            properties.entry(field).or_insert_with(|| json!({"type": "string", "description": doc}));
        }
    }
    out
}

/// The Swagger 2.0 subset of a raw CRD `openAPIV3Schema`, as `/openapi/v2` publishes it.
#[cfg(test)]
pub(crate) fn crd_schema_to_v2(schema: &Value) -> Value {
    to_v2(&crd_schema_to_v3(schema))
}

/// Drops what Swagger 2.0 cannot say, as the real server's v2 conversion does: `oneOf`,
/// `anyOf`, `allOf`, `not`, CEL rules; a `nullable` schema loses its type and structure (an
/// untyped value is the only v2 way to admit null); refs move to `#/definitions/`.
pub(crate) fn to_v2(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let nullable = map.get("nullable").and_then(Value::as_bool) == Some(true);
            let mut out = Map::new();
            for (key, value) in map {
                match key.as_str() {
                    "oneOf" | "anyOf" | "allOf" | "not" | "nullable" | "x-kubernetes-validations" => {}
                    "type" | "properties" | "items" | "additionalProperties" if nullable => {}
                    "$ref" => {
                        let target =
                            value.as_str().unwrap_or_default().replace("#/components/schemas/", "#/definitions/");
                        out.insert(key.clone(), json!(target));
                    }
                    // Property names are data, not keywords: convert each property's schema.
                    "properties" => {
                        let converted: Map<String, Value> = value
                            .as_object()
                            .into_iter()
                            .flatten()
                            .map(|(name, sub)| (name.clone(), to_v2(sub)))
                            .collect();
                        out.insert(key.clone(), Value::Object(converted));
                    }
                    "default" | "example" | "enum" => {
                        out.insert(key.clone(), value.clone());
                    }
                    _ => {
                        out.insert(key.clone(), to_v2(value));
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(to_v2).collect()),
        other => other.clone(),
    }
}

/// Rewrites every v3 component reference inside path items to a v2 definition reference.
pub(crate) fn rewrite_refs_v2(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key == "$ref"
                    && let Some(target) = v.as_str()
                {
                    *v = json!(target.replace("#/components/schemas/", "#/definitions/"));
                } else {
                    rewrite_refs_v2(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs_v2),
        _ => {}
    }
}
