//! The published OpenAPI patch metadata of built-in kinds (`defs.rs`, `meta.rs`) and the table
//! the patch engine uses (`patch::merge_keys`) describe the same lists and maps twice. This test
//! walks every built-in kind's published schema next to the engine's shapes and fails on any
//! disagreement, so the two cannot drift apart again.
//!
//! Checked, wherever the schema describes a node: a list's patch strategy and merge key
//! (`x-kubernetes-patch-strategy` / `-merge-key`) against the engine's strategic-merge view, its
//! `x-kubernetes-list-type` / `-list-map-keys` against the server-side-apply view, and a map's or
//! struct's `x-kubernetes-map-type: atomic`. And the other way round: every field the engine
//! gives non-default semantics (a merged or keyed list, an atomic map or struct) must be
//! described, not left open, where its parent is described. `retainKeys` is not compared: the
//! engine honours the `$retainKeys` directive wherever a client sends it. Open sub-trees
//! (`x-kubernetes-preserve-unknown-fields` without structure) publish nothing to disagree with.

use super::defs::builtin_kind_schema;
use super::meta::meta_definitions;
use crate::patch::merge_keys::{RootKind, Shape, SmpList, SsaList, Struct, field_shape, table_fields};
use crate::registry::builtin_resources;
use serde_json::{Map, Value};

struct Walk {
    definitions: Map<String, Value>,
    problems: Vec<String>,
}

fn struct_of(shape: Shape) -> Struct {
    match shape {
        Shape::Struct(s) | Shape::AtomicStruct(s) => s,
        Shape::List { item, .. } => item,
        Shape::Map { .. } => Struct::Opaque,
    }
}

/// Semantics a client can only learn from the published schema.
fn is_special(shape: Shape) -> bool {
    match shape {
        Shape::List { smp, ssa, .. } => smp != SmpList::Replace || ssa != SsaList::Atomic,
        Shape::Map { atomic } => atomic,
        Shape::AtomicStruct(_) => true,
        Shape::Struct(_) => false,
    }
}

fn is_open(schema: &Value) -> bool {
    ["type", "properties", "additionalProperties", "items", "$ref"].iter().all(|k| schema.get(k).is_none())
}

fn published_smp(schema: &Value) -> SmpList {
    let strategy = schema.get("x-kubernetes-patch-strategy").and_then(Value::as_str).unwrap_or_default();
    if !strategy.split(',').any(|s| s == "merge") {
        return SmpList::Replace;
    }
    match schema.get("x-kubernetes-patch-merge-key").and_then(Value::as_str) {
        // `MergeByKey` holds a `&'static str`; compare through the engine's own value below.
        Some(_) => SmpList::MergeByKey(""),
        None => SmpList::MergeScalars,
    }
}

impl Walk {
    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        let target = schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/"));
        match target.and_then(|name| self.definitions.get(name)) {
            Some(definition) => definition,
            None => schema,
        }
    }

    fn check(&mut self, schema: &Value, shape: Shape, path: &str) {
        let schema = self.resolve(schema).clone();
        if is_open(&schema) {
            return;
        }
        let atomic_published = schema.get("x-kubernetes-map-type").and_then(Value::as_str) == Some("atomic");
        if schema.get("type").and_then(Value::as_str) == Some("array") {
            self.check_list(&schema, shape, path);
            return;
        }
        let is_object = schema.get("properties").is_some() || schema.get("additionalProperties").is_some();
        if !is_object {
            return;
        }
        let atomic_engine = matches!(shape, Shape::AtomicStruct(_) | Shape::Map { atomic: true });
        if atomic_published != atomic_engine {
            self.problems.push(format!("{path}: map-type atomic published {atomic_published}, engine {atomic_engine}"));
        }
        if matches!(shape, Shape::List { .. }) {
            self.problems.push(format!("{path}: published as an object, the engine has a list"));
            return;
        }
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else { return };
        let parent = struct_of(shape);
        for (name, property) in properties {
            self.check(property, field_shape(parent, name), &format!("{path}.{name}"));
        }
        // The other way round: what the engine treats specially must be described here.
        let engine_fields: Vec<(&str, Shape)> = match parent {
            Struct::Root(_) => Vec::new(),
            other => table_fields(other).collect(),
        };
        for (name, field) in engine_fields {
            let described = properties.get(name).is_some_and(|p| !is_open(self.resolve(p)));
            if is_special(field) && !described {
                self.problems.push(format!("{path}.{name}: the engine has {field:?}, the schema does not publish it"));
            }
        }
    }

    fn check_list(&mut self, schema: &Value, shape: Shape, path: &str) {
        let (smp, ssa, item) = match shape {
            Shape::List { smp, ssa, item } => (smp, ssa, item),
            // Anything else is, to the engine, a list without strategy that is atomic.
            _ => (SmpList::Replace, SsaList::Atomic, Struct::Opaque),
        };
        let published = published_smp(schema);
        let smp_agrees = match (published, smp) {
            (SmpList::MergeByKey(_), SmpList::MergeByKey(key)) => {
                schema.get("x-kubernetes-patch-merge-key").and_then(Value::as_str) == Some(key)
            }
            (published, engine) => published == engine,
        };
        if !smp_agrees {
            self.problems.push(format!("{path}: patch strategy published {published:?} {schema}, engine {smp:?}"));
        }
        let list_type = schema.get("x-kubernetes-list-type").and_then(Value::as_str).unwrap_or("atomic");
        let map_keys: Vec<&str> = crate::schema::list_map_keys(schema).collect();
        let ssa_agrees = match ssa {
            SsaList::Atomic => list_type == "atomic",
            SsaList::Set => list_type == "set",
            SsaList::Map(keys) => list_type == "map" && keys.iter().map(|k| k.name).eq(map_keys.iter().copied()),
        };
        if !ssa_agrees {
            self.problems.push(format!("{path}: list type published {list_type} {map_keys:?}, engine {ssa:?}"));
        }
        if let Some(items) = schema.get("items") {
            self.check(items, item.item_shape(), &format!("{path}[]"));
        }
    }
}

#[test]
fn published_patch_metadata_agrees_with_the_patch_engine() {
    let mut walk = Walk { definitions: meta_definitions().into_iter().collect(), problems: Vec::new() };
    for info in builtin_resources() {
        let schema = builtin_kind_schema(&info.group, &info.kind);
        let root = Shape::Struct(Struct::Root(RootKind::of(&info.kind)));
        walk.check(&schema, root, &format!("{}/{}", info.group, info.kind));
    }
    assert!(walk.problems.is_empty(), "drift:\n{}", walk.problems.join("\n"));
}

#[test]
fn the_drift_check_notices_a_disagreement() {
    let mut walk = Walk { definitions: Map::new(), problems: Vec::new() };
    let schema = serde_json::json!({"type": "object", "properties": {
        "spec": {"type": "object", "properties": {
            "nodeSelector": {"type": "object", "additionalProperties": {"type": "string"}},
            "tolerations": {"type": "array", "items": {}, "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["key"], "x-kubernetes-patch-strategy": "merge",
                "x-kubernetes-patch-merge-key": "key"}
        }}
    }});
    walk.check(&schema, Shape::Struct(Struct::Root(RootKind::Pod)), "Pod");
    let found = |needle: &str| walk.problems.iter().any(|p| p.starts_with(needle));
    assert!(found("Pod.spec.nodeSelector: map-type atomic published false"), "{:#?}", walk.problems);
    assert!(found("Pod.spec.tolerations: patch strategy"), "{:#?}", walk.problems);
    assert!(found("Pod.spec.tolerations: list type published map"), "{:#?}", walk.problems);
    assert!(found("Pod.spec.containers: the engine has"), "{:#?}", walk.problems);
}
