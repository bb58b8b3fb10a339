//! Strategic merge as kustomize does it (kyaml `merge2` with new list elements first): mappings merged field by
//! field, `null` in the patch deletes, `$patch: delete` deletes a mapping or a list element, `$patch: replace`
//! replaces a mapping (or, as a `{$patch: replace}` element, a list), lists the schema marks as merged are matched
//! by their keys ([`super::schema`]), other lists replaced. Fields the patch does not name are kept as they are,
//! nulls included. `$setElementOrder/...`, `$retainKeys` and friends are ordinary fields to kyaml, so they are
//! copied into the result as kustomize copies them.

use serde_json::{Map, Value};

use super::schema::{List, Node};
use crate::openapi::Loaded;

const DIRECTIVE: &str = "$patch";

/// Merges `patch` into `object` under the `schema` in use. `None` when the patch deletes the object.
pub fn merge(object: &Value, patch: &Value, schema: Loaded<'_>) -> Result<Option<Value>, String> {
    walk(schema, Some(object), Some(patch), None, List::Replace)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Directive {
    Merge,
    Replace,
    Delete,
}

fn directive_of(value: &Value) -> Result<Directive, String> {
    match value.as_str() {
        Some("merge") => Ok(Directive::Merge),
        Some("replace") => Ok(Directive::Replace),
        Some("delete") => Ok(Directive::Delete),
        _ => Err(format!("unknown patch strategy '{}'", scalar_text(value))),
    }
}

fn kind_name(value: &Value) -> &'static str {
    match value {
        Value::Object(_) => "MappingNode",
        Value::Array(_) => "SequenceNode",
        _ => "ScalarNode",
    }
}

fn same_kind(a: &Value, b: &Value) -> bool {
    matches!((a, b), (Value::Object(_), Value::Object(_)) | (Value::Array(_), Value::Array(_)))
        || (!a.is_object() && !a.is_array() && !b.is_object() && !b.is_array())
}

/// The schema of a node: the one its parent gave, or the one of the kind it names.
fn schema_of<'s>(schema: Loaded<'s>, ty: Option<Node<'s>>, nodes: [Option<&Value>; 2]) -> Option<Node<'s>> {
    ty.or_else(|| {
        nodes.into_iter().flatten().find_map(|n| {
            let api_version = n.get("apiVersion")?.as_str()?;
            let kind = n.get("kind")?.as_str()?;
            schema.for_object(api_version, kind)
        })
    })
}

/// One node: `dest` from the object, `origin` from the patch. `None` means "no such field".
fn walk<'s>(
    schema: Loaded<'s>,
    dest: Option<&Value>,
    origin: Option<&Value>,
    ty: Option<Node<'s>>,
    list: List<'s>,
) -> Result<Option<Value>, String> {
    let Some(origin) = origin else { return Ok(dest.cloned()) };
    if origin.is_null() {
        return Ok(None);
    }
    let dest = dest.filter(|d| !d.is_null());
    if let Some(d) = dest
        && !same_kind(d, origin)
    {
        return Err(format!("wrong node kind: expected {} but got {}", kind_name(d), kind_name(origin)));
    }
    let ty = schema_of(schema, ty, [dest, Some(origin)]);
    match origin {
        Value::Object(patch) => merge_map(schema, dest.and_then(Value::as_object), patch, ty),
        Value::Array(patch) => merge_list(schema, dest.and_then(Value::as_array), patch, list),
        scalar => Ok(Some(scalar.clone())),
    }
}

fn merge_map<'s>(
    schema: Loaded<'s>,
    dest: Option<&Map<String, Value>>,
    patch: &Map<String, Value>,
    ty: Option<Node<'s>>,
) -> Result<Option<Value>, String> {
    let mut patch = patch.clone();
    let directive = match patch.remove(DIRECTIVE) {
        Some(d) => directive_of(&d)?,
        None => Directive::Merge,
    };
    let mut out = match (directive, dest) {
        (Directive::Delete, _) => return Ok(None),
        (Directive::Merge, Some(dest)) => dest.clone(),
        // Added or replaced: the patch's own content, its nulls and directives resolved.
        _ => Map::new(),
    };
    for (key, value) in &patch {
        let list = ty.map_or(List::Replace, |t| schema.list(t, key));
        match walk(schema, out.get(key), Some(value), ty.and_then(|t| schema.field(t, key)), list)? {
            Some(v) => {
                out.insert(key.clone(), v);
            }
            None => {
                out.remove(key);
            }
        }
    }
    Ok(Some(Value::Object(out)))
}

/// A `{$patch: ...}` element: the directive for the whole list.
fn list_directive(patch: &[Value]) -> Result<(Directive, Vec<Value>), String> {
    let position = patch.iter().position(|e| e.as_object().is_some_and(|m| m.len() == 1 && m.contains_key(DIRECTIVE)));
    match position {
        None => Ok((Directive::Merge, patch.to_vec())),
        Some(i) => {
            let directive = directive_of(&patch[i][DIRECTIVE])?;
            let mut rest = patch.to_vec();
            rest.remove(i);
            Ok((directive, rest))
        }
    }
}

fn merge_list<'s>(
    schema: Loaded<'s>,
    dest: Option<&Vec<Value>>,
    patch: &[Value],
    list: List<'s>,
) -> Result<Option<Value>, String> {
    if list == List::Replace {
        return Ok(Some(Value::Array(patch.to_vec())));
    }
    let (directive, patch) = list_directive(patch)?;
    let dest: &[Value] = match (directive, dest) {
        (Directive::Delete, Some(_)) => return Ok(None),
        (Directive::Merge, Some(dest)) => dest,
        _ => &[],
    };
    let merged = match list {
        List::Keys(keys, elements) => merge_keyed(schema, dest, &patch, &keys, elements)?,
        _ => merge_primitive(dest, &patch),
    };
    Ok(Some(Value::Array(merged)))
}

/// Union of scalars: the patch's first, then the object's others.
fn merge_primitive(dest: &[Value], patch: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for item in patch.iter().chain(dest) {
        if !out.iter().any(|o| scalar_text(o) == scalar_text(item)) {
            out.push(item.clone());
        }
    }
    out
}

pub(crate) fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// The values of `keys` in an element ("" where absent).
fn key_values(element: &Value, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| element.get(*k).filter(|v| !v.is_null()).map(scalar_text).unwrap_or_default()).collect()
}

/// The keys an element is matched on: those it sets (all of them when it sets none).
fn valid_keys<'k>(keys: &[&'k str], values: &[String]) -> (Vec<&'k str>, Vec<String>) {
    let pairs: Vec<(&str, String)> =
        keys.iter().zip(values).filter(|(_, v)| !v.is_empty()).map(|(k, v)| (*k, v.clone())).collect();
    if pairs.is_empty() {
        return (keys.to_vec(), values.to_vec());
    }
    pairs.into_iter().unzip()
}

fn matches(element: &Value, keys: &[&str], values: &[String]) -> bool {
    element.is_object()
        && keys.iter().zip(values).all(|(k, v)| {
            element.get(*k).is_some_and(|f| !f.is_null() && !scalar_text(f).is_empty() && scalar_text(f) == *v)
        })
}

/// Elements matched by their keys: the patch's in its order, then the object's others; an element the patch
/// deletes (or empties) is dropped. Object elements without any key are kept at the end, patch elements without
/// one are dropped, as kyaml does.
fn merge_keyed<'s>(
    schema: Loaded<'s>,
    dest: &[Value],
    patch: &[Value],
    keys: &[&str],
    elements: Option<Node<'s>>,
) -> Result<Vec<Value>, String> {
    let mut values: Vec<Vec<String>> = Vec::new();
    for element in patch.iter().chain(dest).filter(|e| e.is_object()) {
        let v = key_values(element, keys);
        if !values.contains(&v) {
            values.push(v);
        }
    }
    let mut dest: Vec<Value> = dest.to_vec();
    let mut out: Vec<Value> = Vec::new();
    for value in &values {
        let (keys, values) = valid_keys(keys, value);
        let in_dest = dest.iter().position(|e| matches(e, &keys, &values));
        let in_patch = patch.iter().find(|e| matches(e, &keys, &values));
        let merged = walk(schema, in_dest.map(|i| &dest[i]), in_patch, elements, List::Replace)?;
        let merged = match merged {
            Some(m) if m.as_object().is_some_and(|o| !o.is_empty()) => m,
            _ => {
                dest.retain(|e| !matches(e, &keys, &values));
                continue;
            }
        };
        if let Some(i) = in_dest {
            dest[i] = merged.clone();
        }
        match out.iter().position(|e| matches(e, &keys, &values)) {
            Some(i) => out[i] = merged,
            None => out.push(merged),
        }
    }
    out.extend(dest.into_iter().filter(|e| !e.is_object() || key_values(e, keys).iter().all(String::is_empty)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const BUILTIN: Loaded<'static> = Loaded { builtin: true, custom: None };

    fn deployment(spec: Value) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "app"}, "spec": {"template": {"spec": spec}}})
    }

    #[test]
    fn maps_merge_and_null_deletes_but_untouched_nulls_stay() {
        let object = json!({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "c", "creationTimestamp": null},
            "data": {"a": "1", "b": null, "c": "3"}});
        let patch = json!({"data": {"a": null, "d": null, "e": "5"}, "spec": {"n": {"q": {"r": null, "s": 1}}}});
        let merged = merge(&object, &patch, BUILTIN).unwrap().unwrap();
        assert_eq!(merged["data"], json!({"b": null, "c": "3", "e": "5"}));
        assert_eq!(merged["metadata"]["creationTimestamp"], Value::Null);
        assert_eq!(merged["spec"], json!({"n": {"q": {"s": 1}}}));
    }

    #[test]
    fn patch_directives_delete_and_replace() {
        let object = json!({"kind": "ConfigMap", "apiVersion": "v1", "spec": {"m": {"k": "v"}, "o": {"x": 1}}});
        let patch = json!({"spec": {"m": {"$patch": "replace", "z": "w"}, "o": {"$patch": "delete"},
            "p": {"$patch": "replace", "t": 1}}});
        assert_eq!(merge(&object, &patch, BUILTIN).unwrap().unwrap()["spec"], json!({"m": {"z": "w"}, "p": {"t": 1}}));
        assert_eq!(merge(&object, &json!({"$patch": "delete"}), BUILTIN).unwrap(), None);
        assert!(merge(&object, &json!({"$patch": "sideways"}), BUILTIN).is_err());
    }

    #[test]
    fn containers_merge_by_name_with_new_ones_first() {
        let object = deployment(json!({"containers": [
            {"name": "app", "image": "app:1", "ports": [{"containerPort": 80, "protocol": "TCP"}, {"containerPort": 81}],
             "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
            {"name": "other", "image": "other"}],
            "tolerations": [{"key": "x"}]}));
        let patch = deployment(json!({"containers": [
            {"name": "sidecar", "image": "side"},
            {"name": "app", "image": "app:2", "ports": [{"containerPort": 82, "protocol": "TCP"}],
             "env": [{"name": "C", "value": "3"}, {"name": "A", "$patch": "delete"}]}],
            "tolerations": [{"key": "y"}]}));
        let merged = merge(&object, &patch, BUILTIN).unwrap().unwrap();
        assert_eq!(
            merged["spec"]["template"]["spec"],
            json!({"containers": [
                {"name": "sidecar", "image": "side"},
                {"name": "app", "image": "app:2",
                 "ports": [{"containerPort": 82, "protocol": "TCP"}, {"containerPort": 80, "protocol": "TCP"}, {"containerPort": 81}],
                 "env": [{"name": "C", "value": "3"}, {"name": "B", "value": "2"}]},
                {"name": "other", "image": "other"}],
                "tolerations": [{"key": "y"}]})
        );
    }

    #[test]
    fn lists_of_unknown_kinds_are_replaced_and_finalizers_unite() {
        let object = json!({"apiVersion": "example.com/v1", "kind": "Foo", "metadata": {"finalizers": ["a", "b"]},
            "spec": {"containers": [{"name": "a"}]}});
        let patch = json!({"metadata": {"finalizers": ["c", "a"]}, "spec": {"containers": [{"name": "b"}]}});
        let merged = merge(&object, &patch, BUILTIN).unwrap().unwrap();
        assert_eq!(merged["spec"]["containers"], json!([{"name": "b"}]));
        assert_eq!(merged["metadata"]["finalizers"], json!(["c", "a"]), "no schema: replaced");
        let object = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"finalizers": ["a", "b"]}});
        let merged = merge(&object, &patch, BUILTIN).unwrap().unwrap();
        assert_eq!(merged["metadata"]["finalizers"], json!(["c", "a", "b"]));
    }

    #[test]
    fn a_replace_element_replaces_a_merged_list() {
        let object = deployment(json!({"containers": [{"name": "a"}, {"name": "b"}]}));
        let patch = deployment(json!({"containers": [{"$patch": "replace"}, {"name": "c"}]}));
        let merged = merge(&object, &patch, BUILTIN).unwrap().unwrap();
        assert_eq!(merged["spec"]["template"]["spec"]["containers"], json!([{"name": "c"}]));
    }

    #[test]
    fn a_patch_of_another_shape_is_an_error() {
        let object = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "1"}});
        assert!(merge(&object, &json!({"data": ["x"]}), BUILTIN).is_err());
    }
}
