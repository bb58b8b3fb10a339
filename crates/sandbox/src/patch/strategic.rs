//! Strategic merge patch, as k8s.io/apimachinery's strategicpatch applies it to built-in kinds:
//! maps merge, `null` deletes, lists merge by their patch merge key (or as sets of scalars, or
//! are replaced when they have no patch strategy), and the `$patch`, `$retainKeys`,
//! `$deleteFromPrimitiveList/<field>` and `$setElementOrder/<field>` directives are honoured.

use super::PatchError;
use super::merge_keys::SmpList;
use super::schema_walk::TypeNode;
use serde_json::{Map, Value};

const DIRECTIVE: &str = "$patch";
const RETAIN_KEYS: &str = "$retainKeys";
const DELETE_FROM_PRIMITIVE_LIST: &str = "$deleteFromPrimitiveList/";
const SET_ELEMENT_ORDER: &str = "$setElementOrder/";

fn bad(message: impl Into<String>) -> PatchError {
    PatchError::BadRequest(message.into())
}

/// Applies a strategic merge patch to a whole object of the type `ty` describes.
pub fn strategic_merge(original: &Value, patch: &Value, ty: TypeNode<'_>) -> Result<Value, PatchError> {
    let Value::Object(patch) = patch else {
        return Err(bad(format!("unable to apply a strategic merge patch that is not an object: {patch}")));
    };
    let original = match original {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    // `$patch: delete` at the top level leaves an empty object, as the Go implementation does.
    Ok(Value::Object(merge_map(original, patch, ty)?.unwrap_or_default()))
}

/// Merges `patch` into `original`; `None` means the map was deleted with `$patch: delete`.
fn merge_map(
    mut original: Map<String, Value>,
    patch: &Map<String, Value>,
    ty: TypeNode<'_>,
) -> Result<Option<Map<String, Value>>, PatchError> {
    match patch.get(DIRECTIVE) {
        None => {}
        Some(Value::String(directive)) if directive == "replace" => {
            let mut body = patch.clone();
            body.shift_remove(DIRECTIVE);
            // Replacing means merging into nothing, which also drops nested directives and nulls.
            return merge_map(Map::new(), &body, ty);
        }
        Some(Value::String(directive)) if directive == "delete" => return Ok(None),
        // `merge` is the default behaviour; accept it as an explicit no-op.
        Some(Value::String(directive)) if directive == "merge" => {}
        Some(other) => {
            return Err(bad(format!("Unknown patch type: {other} in map: {}", Value::Object(patch.clone()))));
        }
    }

    if let Some(retain) = patch.get(RETAIN_KEYS) {
        let Value::Array(keys) = retain else {
            return Err(bad(format!("invalid $retainKeys directive: {retain}")));
        };
        original.retain(|key, _| keys.iter().any(|k| k.as_str() == Some(key)));
    }

    for (key, values) in patch {
        let Some(field) = key.strip_prefix(DELETE_FROM_PRIMITIVE_LIST) else { continue };
        let Value::Array(remove) = values else {
            return Err(bad(format!("invalid {key} directive: expected a list, got {values}")));
        };
        if let Some(Value::Array(list)) = original.get_mut(field) {
            list.retain(|item| !remove.contains(item));
        }
    }

    for (key, value) in patch {
        if key.starts_with('$') {
            continue;
        }
        if value.is_null() {
            // `shift_remove`: with `preserve_order`, `remove` would move the last key here.
            original.shift_remove(key);
            continue;
        }
        let (child_ty, _) = ty.field(key);
        let order = patch.get(&format!("{SET_ELEMENT_ORDER}{key}"));
        // The live value is taken out of its slot and the merge result written back into the
        // same slot (`insert` on an existing key keeps its position), so the object keeps the
        // live key order.
        let live = original.get_mut(key).map(Value::take);
        let merged = match (live, value) {
            (Some(Value::Object(live)), Value::Object(p)) => merge_map(live, p, child_ty)?.map(Value::Object),
            (_, Value::Object(p)) => merge_map(Map::new(), p, child_ty)?.map(Value::Object),
            (Some(Value::Array(live)), Value::Array(p)) => Some(Value::Array(merge_list(&live, p, child_ty, order)?)),
            (_, Value::Array(p)) => Some(Value::Array(merge_list(&[], p, child_ty, order)?)),
            (_, scalar) => Some(scalar.clone()),
        };
        match merged {
            Some(merged) => {
                original.insert(key.clone(), merged);
            }
            None => {
                original.shift_remove(key);
            }
        }
    }

    // `$setElementOrder` for a list the patch does not otherwise touch only reorders it; a list
    // without a merge strategy (replaced as a whole) has no order to set and stays as it is.
    for (key, order) in patch {
        let Some(field) = key.strip_prefix(SET_ELEMENT_ORDER) else { continue };
        if patch.contains_key(field) {
            continue;
        }
        let (child_ty, _) = ty.field(field);
        if child_ty.smp_list() == SmpList::Replace {
            continue;
        }
        if let Some(Value::Array(live)) = original.get_mut(field) {
            let reordered = merge_list(live, &[], child_ty, Some(order))?;
            *live = reordered;
        }
    }
    Ok(Some(original))
}

/// The identity of a list item: its merge key's value, or the item itself for scalars.
fn identity<'v>(item: &'v Value, key: Option<&str>) -> Option<&'v Value> {
    match key {
        Some(key) => item.get(key),
        None => Some(item),
    }
}

fn merge_list(
    original: &[Value],
    patch: &[Value],
    ty: TypeNode<'_>,
    order: Option<&Value>,
) -> Result<Vec<Value>, PatchError> {
    let merge_key = match ty.smp_list() {
        SmpList::Replace => {
            // No strategy: the patch's list is the new list. Items are merged into nothing so
            // that directives and nulls inside them do not leak into the object.
            let item_ty = ty.items();
            let mut out = Vec::with_capacity(patch.len());
            for item in patch {
                match item {
                    Value::Object(map) if map.len() == 1 && map.contains_key(DIRECTIVE) => {}
                    Value::Object(map) => out.extend(merge_map(Map::new(), map, item_ty)?.map(Value::Object)),
                    other => out.push(other.clone()),
                }
            }
            return Ok(out);
        }
        SmpList::MergeScalars => None,
        SmpList::MergeByKey(key) => Some(key),
    };

    let merged = match merge_key {
        None => {
            let mut merged = original.to_vec();
            for item in patch {
                if !merged.contains(item) {
                    merged.push(item.clone());
                }
            }
            merged
        }
        Some(key) => merge_keyed(original, patch, key, ty.items())?,
    };

    // The order rules of strategicpatch: items the patch (or `$setElementOrder`) names come in
    // that order; items only the server has keep their place relative to the live list.
    let order_list: Vec<&Value> = match order {
        Some(Value::Array(order)) => order.iter().collect(),
        Some(other) => return Err(bad(format!("invalid $setElementOrder directive: {other}"))),
        None => patch.iter().filter(|p| p.get(DIRECTIVE).is_none()).collect(),
    };
    let position_in = |list: &[&Value], item: &Value| {
        let id = identity(item, merge_key)?;
        list.iter().position(|candidate| identity(candidate, merge_key) == Some(id))
    };
    let (mut named, server_only): (Vec<Value>, Vec<Value>) =
        merged.into_iter().partition(|item| position_in(&order_list, item).is_some());
    named.sort_by_key(|item| position_in(&order_list, item));
    let live: Vec<&Value> = original.iter().collect();
    Ok(interleave(server_only, named, |a, b| match (position_in(&live, a), position_in(&live, b)) {
        (Some(x), Some(y)) => x < y,
        _ => false,
    }))
}

/// Inserts each of `left` (server-only items) into `right` (patch items) before the first
/// right item it precedes in the live list, keeping both lists' own order.
fn interleave(left: Vec<Value>, right: Vec<Value>, before: impl Fn(&Value, &Value) -> bool) -> Vec<Value> {
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut left = left.into_iter().peekable();
    let mut right = right.into_iter().peekable();
    loop {
        match (left.peek(), right.peek()) {
            (Some(l), Some(r)) => {
                let take_left = before(l, r);
                out.extend(if take_left { left.next() } else { right.next() });
            }
            (Some(_), None) => out.extend(left.next()),
            (None, Some(_)) => out.extend(right.next()),
            (None, None) => return out,
        }
    }
}

fn merge_keyed(
    original: &[Value],
    patch: &[Value],
    key: &str,
    item_ty: TypeNode<'_>,
) -> Result<Vec<Value>, PatchError> {
    let mut replace = false;
    let mut deleted: Vec<&Value> = Vec::new();
    let mut items: Vec<&Map<String, Value>> = Vec::new();
    for item in patch {
        let Value::Object(map) = item else {
            return Err(bad(format!("expected a map in a list merged by {key:?}, got {item}")));
        };
        match map.get(DIRECTIVE).and_then(Value::as_str) {
            None if map.contains_key(DIRECTIVE) => {
                return Err(bad(format!("Unknown patch type in list element: {item}")));
            }
            None => items.push(map),
            Some("delete") => match map.get(key) {
                Some(id) => deleted.push(id),
                None => return Err(bad(format!("delete patch type with no merge key defined: {item}"))),
            },
            Some("replace") => replace = true,
            Some("merge") => return Err(bad("merging lists cannot yet be specified in the patch")),
            Some(other) => return Err(bad(format!("Unknown patch type: {other} in list element: {item}"))),
        }
    }
    if replace {
        let mut out = Vec::with_capacity(items.len());
        for map in items {
            out.extend(merge_map(Map::new(), map, item_ty)?.map(Value::Object));
        }
        return Ok(out);
    }
    let mut merged: Vec<Value> =
        original.iter().filter(|o| o.get(key).is_none_or(|id| !deleted.contains(&id))).cloned().collect();
    for map in items {
        let Some(id) = map.get(key) else {
            return Err(bad(format!("map: {} does not contain declared merge key: {key}", Value::Object(map.clone()))));
        };
        match merged.iter().position(|o| o.get(key) == Some(id)) {
            Some(pos) => {
                let live = match merged[pos].take() {
                    Value::Object(live) => live,
                    _ => Map::new(),
                };
                match merge_map(live, map, item_ty)? {
                    Some(out) => merged[pos] = Value::Object(out),
                    None => {
                        merged.remove(pos);
                    }
                }
            }
            None => merged.extend(merge_map(Map::new(), map, item_ty)?.map(Value::Object)),
        }
    }
    Ok(merged)
}

#[cfg(test)]
#[path = "strategic_tests.rs"]
mod tests;
