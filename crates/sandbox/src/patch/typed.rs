//! Walks over typed objects, in the shape of structured-merge-diff: the field set a value
//! defines, the comparison of two values, the apply merge, and removal of pruned items.

use super::field_set::{FieldSet, PathElement, path_string};
use super::schema_walk::{ListSemantics, TypeNode};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The path element of a list item, or why the item cannot have one.
pub fn item_element(item: &Value, semantics: &ListSemantics) -> Result<PathElement, String> {
    match semantics {
        ListSemantics::Map(keys) => {
            let mut fields = Vec::with_capacity(keys.len());
            for key in keys {
                match item.get(&key.name).filter(|v| !v.is_null()).or(key.default.as_ref()) {
                    Some(value) => fields.push((key.name.clone(), value.clone())),
                    None => {
                        return Err(format!(
                            "associative list with keys has an element that omits key field {:?} (and doesn't have default value)",
                            key.name
                        ));
                    }
                }
            }
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(PathElement::Key(fields))
        }
        ListSemantics::Set => Ok(PathElement::Value(item.clone())),
        // Atomic lists are leaves; callers never ask for their items' elements.
        ListSemantics::Atomic => Err("atomic list items have no path element".to_string()),
    }
}

/// The elements of every item of a granular list; `Err` names the first offending item.
/// `unique` rejects duplicates, as the server does for an applied configuration.
fn elements(items: &[Value], semantics: &ListSemantics, unique: bool) -> Result<Vec<PathElement>, String> {
    let mut out: Vec<PathElement> = Vec::with_capacity(items.len());
    let mut key_error = None;
    for (index, item) in items.iter().enumerate() {
        match item_element(item, semantics) {
            Ok(element) => out.push(element),
            Err(e) => {
                key_error = Some(format!("element {index}: {e}"));
                break;
            }
        }
    }
    // A duplicate before the first unkeyable item is reported first, as a one-pass check would.
    if unique {
        let mut seen = BTreeSet::new();
        if let Some(duplicate) = out.iter().find(|element| !seen.insert(*element)) {
            return Err(format!("duplicate entries for key {duplicate}"));
        }
    }
    match key_error {
        Some(error) => Err(error),
        None => Ok(out),
    }
}

/// The set of fields `value` sets, as the owner of a configuration would own them: scalars,
/// atomic lists and maps, list items, map entries, and null or empty-object fields.
pub fn to_field_set(value: &Value, ty: TypeNode<'_>) -> Result<FieldSet, String> {
    let mut set = FieldSet::new();
    walk_field_set(value, ty, &mut Vec::new(), &mut set)?;
    Ok(set)
}

fn walk_field_set(
    value: &Value,
    ty: TypeNode<'_>,
    path: &mut Vec<PathElement>,
    set: &mut FieldSet,
) -> Result<(), String> {
    match value {
        Value::Object(map) if !ty.is_atomic_map() => {
            for (key, child) in map {
                let (child_ty, declared) = ty.field(key);
                path.push(PathElement::Field(key.clone()));
                walk_field_set(child, child_ty, path, set)?;
                let empty_object = child.as_object().is_some_and(Map::is_empty);
                if child.is_null() || empty_object || !declared {
                    set.insert(path);
                }
                path.pop();
            }
        }
        Value::Array(items) => {
            let semantics = ty.list_semantics();
            if semantics == ListSemantics::Atomic {
                set.insert(path);
                return Ok(());
            }
            let elements = elements(items, &semantics, true).map_err(|e| format!("{}: {e}", path_string(path)))?;
            for (item, element) in items.iter().zip(elements) {
                path.push(element);
                walk_field_set(item, ty.items(), path, set)?;
                set.insert(path);
                path.pop();
            }
        }
        _ => set.insert(path),
    }
    Ok(())
}

/// What changed between two versions of an object.
#[derive(Debug, Default)]
pub struct Comparison {
    pub added: FieldSet,
    pub modified: FieldSet,
    pub removed: FieldSet,
}

/// Compares `old` and `new`: leaves that changed, and containers that appeared or vanished.
/// `metadata.managedFields` is skipped: managed fields never track themselves.
pub fn compare(old: &Value, new: &Value, ty: TypeNode<'_>) -> Comparison {
    let mut out = Comparison::default();
    walk_compare(Some(old), Some(new), ty, &mut Vec::new(), &mut out);
    out
}

/// The granular children of a value, or `None` when it is a leaf here.
enum Children<'v> {
    Map(&'v Map<String, Value>),
    /// Items by their path element; for duplicates (tolerated in live lists) the first wins.
    List(BTreeMap<PathElement, &'v Value>),
}

impl<'v> Children<'v> {
    fn of(value: &'v Value, ty: TypeNode<'_>) -> Option<Children<'v>> {
        match value {
            Value::Object(map) if !ty.is_atomic_map() => Some(Children::Map(map)),
            Value::Array(items) => {
                let semantics = ty.list_semantics();
                if semantics == ListSemantics::Atomic {
                    return None;
                }
                // An unkeyable live list (duplicates are tolerated) is compared as a whole.
                let elements = elements(items, &semantics, false).ok()?;
                let mut index = BTreeMap::new();
                for (element, item) in elements.into_iter().zip(items) {
                    index.entry(element).or_insert(item);
                }
                Some(Children::List(index))
            }
            _ => None,
        }
    }
}

/// Is `key`, a child of the map at `path`, the object's `metadata.managedFields`?
fn is_managed_fields(path: &[PathElement], key: &str) -> bool {
    key == "managedFields" && matches!(path, [PathElement::Field(metadata)] if metadata == "metadata")
}

fn walk_compare(
    old: Option<&Value>,
    new: Option<&Value>,
    ty: TypeNode<'_>,
    path: &mut Vec<PathElement>,
    out: &mut Comparison,
) {
    let same_kind = match (old, new) {
        (Some(a), Some(b)) => std::mem::discriminant(a) == std::mem::discriminant(b),
        _ => true,
    };
    let old_children = old.and_then(|v| Children::of(v, ty));
    let new_children = new.and_then(|v| Children::of(v, ty));
    let granular =
        same_kind && old.is_none_or(|_| old_children.is_some()) && new.is_none_or(|_| new_children.is_some());
    if !granular {
        match (old, new) {
            (None, Some(_)) => out.added.insert(path),
            (Some(_), None) => out.removed.insert(path),
            (Some(a), Some(b)) if a != b => out.modified.insert(path),
            _ => {}
        }
        return;
    }
    let mut visit = |element: PathElement, old: Option<&Value>, new: Option<&Value>, path: &mut Vec<PathElement>| {
        let child_ty = match &element {
            PathElement::Field(name) => ty.field(name).0,
            _ => ty.items(),
        };
        path.push(element);
        walk_compare(old, new, child_ty, path, out);
        path.pop();
    };
    // Both sides are granular and of the same kind (or absent): two maps or two lists.
    let is_map = matches!(old_children, Some(Children::Map(_))) || matches!(new_children, Some(Children::Map(_)));
    if is_map {
        let empty = Map::new();
        let old_map = match &old_children {
            Some(Children::Map(map)) => *map,
            _ => &empty,
        };
        let new_map = match &new_children {
            Some(Children::Map(map)) => *map,
            _ => &empty,
        };
        for (key, old_child) in old_map {
            if !is_managed_fields(path, key) {
                visit(PathElement::Field(key.clone()), Some(old_child), new_map.get(key), path);
            }
        }
        for (key, new_child) in new_map {
            if !old_map.contains_key(key) && !is_managed_fields(path, key) {
                visit(PathElement::Field(key.clone()), None, Some(new_child), path);
            }
        }
    } else {
        let old_items = match old_children {
            Some(Children::List(items)) => items,
            _ => BTreeMap::new(),
        };
        let new_items = match new_children {
            Some(Children::List(items)) => items,
            _ => BTreeMap::new(),
        };
        for (element, old_child) in &old_items {
            visit(element.clone(), Some(old_child), new_items.get(element).copied(), path);
        }
        for (element, new_child) in new_items {
            if !old_items.contains_key(&element) {
                visit(element, None, Some(new_child), path);
            }
        }
    }
    match (old, new) {
        (None, Some(_)) => out.added.insert(path),
        (Some(_), None) => out.removed.insert(path),
        _ => {}
    }
}

/// Merges an applied configuration into the live object: maps merge key by key (a `null` in
/// the configuration clears the field), granular lists merge by item, everything else — atomic
/// lists and maps, scalars, type changes — is replaced by the configuration.
pub fn merge(live: &Value, config: &Value, ty: TypeNode<'_>) -> Result<Value, String> {
    let mut path = Vec::new();
    merge_at(live, config, ty, &mut path)
}

fn merge_at(live: &Value, config: &Value, ty: TypeNode<'_>, path: &mut Vec<PathElement>) -> Result<Value, String> {
    match (live, config) {
        (Value::Object(live_map), Value::Object(config_map)) if !ty.is_atomic_map() => {
            let mut out = live_map.clone();
            for (key, value) in config_map {
                if value.is_null() {
                    // `shift_remove`: with `preserve_order`, `remove` would move the last key here.
                    out.shift_remove(key);
                    continue;
                }
                let (child_ty, _) = ty.field(key);
                path.push(PathElement::Field(key.clone()));
                let merged = match live_map.get(key) {
                    Some(existing) => merge_at(existing, value, child_ty, path)?,
                    None => merge_at(&Value::Null, value, child_ty, path)?,
                };
                path.pop();
                out.insert(key.clone(), merged);
            }
            Ok(Value::Object(out))
        }
        (Value::Array(live_items), Value::Array(config_items)) if ty.list_semantics() != ListSemantics::Atomic => {
            merge_lists(live_items, config_items, ty, path)
        }
        // Nothing live to merge with: take the configuration, minus nulls inside it.
        (_, Value::Object(_)) if !ty.is_atomic_map() => merge_at(&Value::Object(Map::new()), config, ty, path),
        _ => Ok(config.clone()),
    }
}

/// Merges two granular lists the way structured-merge-diff orders them: items shared by both
/// follow the configuration's order, live-only items stay where they were relative to them.
fn merge_lists(
    live: &[Value],
    config: &[Value],
    ty: TypeNode<'_>,
    path: &mut Vec<PathElement>,
) -> Result<Value, String> {
    let semantics = ty.list_semantics();
    let config_elements = elements(config, &semantics, true).map_err(|e| format!("{}: {e}", path_string(path)))?;
    let Ok(live_elements) = elements(live, &semantics, false) else {
        // A live list that cannot be keyed is replaced wholesale by the configuration.
        return Ok(Value::Array(config.to_vec()));
    };
    // Indexes instead of linear searches per item: the first live item with each element, and
    // the configuration's elements.
    let mut live_index: BTreeMap<&PathElement, usize> = BTreeMap::new();
    for (i, element) in live_elements.iter().enumerate() {
        live_index.entry(element).or_insert(i);
    }
    let config_index: BTreeSet<&PathElement> = config_elements.iter().collect();
    let live_of = |element: &PathElement| live_index.get(element).map(|&i| &live[i]);
    let in_config = |element: &PathElement| config_index.contains(element);
    let mut shared = config_elements.iter().filter(|e| live_index.contains_key(e));
    let mut next_shared = shared.next();
    let mut out = Vec::with_capacity(live.len().max(config.len()));
    let (mut l, mut r) = (0, 0);
    let item_ty = ty.items();
    let merge_item = |element: &PathElement, config_item: &Value, path: &mut Vec<PathElement>| {
        path.push(element.clone());
        let merged = merge_at(live_of(element).unwrap_or(&Value::Null), config_item, item_ty, path);
        path.pop();
        merged
    };
    while l < live.len() || r < config.len() {
        if l < live.len() && r < config.len() && live_elements[l] == config_elements[r] {
            out.push(merge_item(&config_elements[r], &config[r], path)?);
            l += 1;
            r += 1;
            next_shared = shared.next();
            continue;
        }
        if l < live.len() && in_config(&live_elements[l]) {
            // Shared, but its turn comes with the configuration's order.
            if r >= config.len() || next_shared != Some(&live_elements[l]) {
                l += 1;
                continue;
            }
        } else if l < live.len() {
            out.push(live[l].clone());
            l += 1;
            continue;
        }
        if r < config.len() {
            let element = &config_elements[r];
            out.push(merge_item(element, &config[r], path)?);
            if next_shared == Some(element) {
                next_shared = shared.next();
            }
            r += 1;
        }
    }
    Ok(Value::Array(out))
}

/// Removes every item of `value` that `last` (what the applier owned before) has as a member
/// and `managed` (what every manager owns now) does not.
pub fn prune(value: &mut Value, ty: TypeNode<'_>, last: &FieldSet, managed: Option<&FieldSet>) {
    let keep = |element: &PathElement| -> bool {
        match last.child(element) {
            Some(owned_before) if owned_before.is_member() => {
                managed.and_then(|m| m.child(element)).is_some_and(FieldSet::is_member)
            }
            _ => true,
        }
    };
    match value {
        Value::Object(map) if !ty.is_atomic_map() => {
            map.retain(|key, _| keep(&PathElement::Field(key.clone())));
            for (key, child) in map.iter_mut() {
                let element = PathElement::Field(key.clone());
                if let Some(last_child) = last.child(&element) {
                    prune(child, ty.field(key).0, last_child, managed.and_then(|m| m.child(&element)));
                }
            }
        }
        Value::Array(items) => {
            let semantics = ty.list_semantics();
            if semantics == ListSemantics::Atomic {
                return;
            }
            let Ok(elements) = elements(items, &semantics, false) else { return };
            let mut kept = Vec::with_capacity(items.len());
            for (mut item, element) in std::mem::take(items).into_iter().zip(elements) {
                if !keep(&element) {
                    continue;
                }
                if let Some(last_child) = last.child(&element) {
                    prune(&mut item, ty.items(), last_child, managed.and_then(|m| m.child(&element)));
                }
                kept.push(item);
            }
            *items = kept;
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patch::test_support::builtin;
    use serde_json::json;

    fn names(list: &Value) -> Vec<&str> {
        list.as_array().into_iter().flatten().filter_map(|c| c["name"].as_str()).collect()
    }

    #[test]
    fn list_merge_follows_the_configuration_order_for_shared_items() {
        let info = builtin("Pod");
        let ty = TypeNode::root(&info);
        let live = json!({"spec": {"containers": [{"name": "a", "image": "1"}, {"name": "x"}, {"name": "b"}]}});
        let config = json!({"spec": {"containers": [{"name": "b", "image": "2"}, {"name": "a"}, {"name": "new"}]}});
        let merged = merge(&live, &config, ty).expect("merges");
        assert_eq!(names(&merged["spec"]["containers"]), vec!["x", "b", "a", "new"]);
        assert_eq!(merged["spec"]["containers"][2]["image"], "1");
        assert_eq!(merged["spec"]["containers"][1]["image"], "2");
    }

    #[test]
    fn merge_keeps_the_live_key_order() {
        let info = builtin("ConfigMap");
        let ty = TypeNode::root(&info);
        let live = json!({"data": {"a": "1", "b": "2", "c": "3", "d": "4"}});
        let merged = merge(&live, &json!({"data": {"b": null, "c": "x"}}), ty).expect("merges");
        let keys: Vec<&str> =
            merged["data"].as_object().into_iter().flat_map(|m| m.keys()).map(String::as_str).collect();
        assert_eq!(keys, vec!["a", "c", "d"]);
    }

    #[test]
    fn compare_marks_new_containers_and_changed_leaves() {
        let info = builtin("Pod");
        let ty = TypeNode::root(&info);
        let old = json!({"spec": {"containers": [{"name": "a", "image": "1"}]}});
        let new = json!({"spec": {"containers": [{"name": "a", "image": "2"}], "nodeSelector": {"disk": "ssd"}}});
        let cmp = compare(&old, &new, ty);
        assert_eq!(
            cmp.modified.to_fields_v1(),
            json!({"f:spec": {"f:containers": {"k:{\"name\":\"a\"}": {"f:image": {}}}}})
        );
        // nodeSelector is an atomic map: one leaf, not a leaf per key.
        assert_eq!(cmp.added.to_fields_v1(), json!({"f:spec": {"f:nodeSelector": {}}}));
        assert!(cmp.removed.is_empty());
    }

    #[test]
    fn compare_ignores_managed_fields_and_keys_list_items() {
        let info = builtin("Pod");
        let ty = TypeNode::root(&info);
        let old = json!({"metadata": {"name": "p", "managedFields": [{"manager": "a"}]},
                         "spec": {"containers": [{"name": "a"}, {"name": "b", "image": "1"}]}});
        let new = json!({"metadata": {"name": "p", "managedFields": [{"manager": "b"}]},
                         "spec": {"containers": [{"name": "b", "image": "1"}, {"name": "a"}]}});
        let cmp = compare(&old, &new, ty);
        assert!(cmp.added.is_empty() && cmp.modified.is_empty() && cmp.removed.is_empty());
        let dup = json!({"spec": {"containers": [{"name": "a"}, {"image": "x"}, {"name": "a"}]}});
        assert_eq!(to_field_set(&dup, ty).map(|_| ()), Err(".spec.containers: element 1: associative list with keys has an element that omits key field \"name\" (and doesn't have default value)".to_string()));
        let dup = json!({"spec": {"containers": [{"name": "a"}, {"name": "a"}, {"image": "x"}]}});
        assert_eq!(
            to_field_set(&dup, ty).map(|_| ()),
            Err(".spec.containers: duplicate entries for key [name=\"a\"]".to_string())
        );
    }

    #[test]
    fn owner_references_are_owned_as_whole_items() {
        let info = builtin("ConfigMap");
        let object = json!({"metadata": {"ownerReferences": [{"uid": "1", "name": "x", "kind": "K"}]}});
        let set = to_field_set(&object, TypeNode::root(&info)).expect("typed");
        assert_eq!(set.to_fields_v1(), json!({"f:metadata": {"f:ownerReferences": {"k:{\"uid\":\"1\"}": {}}}}));
    }

    #[test]
    fn prune_removes_only_what_nobody_owns_any_more() {
        let info = builtin("ConfigMap");
        let ty = TypeNode::root(&info);
        let mut value = json!({"data": {"a": "1", "b": "2", "c": "3"}});
        let mut last = FieldSet::new();
        for key in ["a", "b"] {
            last.insert(&[PathElement::Field("data".into()), PathElement::Field(key.into())]);
        }
        let mut managed = FieldSet::new();
        managed.insert(&[PathElement::Field("data".into()), PathElement::Field("b".into())]);
        prune(
            &mut value,
            ty,
            &last.ensure_named_fields_are_members(),
            Some(&managed.ensure_named_fields_are_members()),
        );
        assert_eq!(value, json!({"data": {"b": "2", "c": "3"}}));
    }
}
