//! Managed-fields bookkeeping for writes that are not server-side apply (create, update, and
//! the JSON / merge / strategic patches): the writer becomes the owner of every field it
//! changed, taking it from whoever owned it before.

use super::managed::{self, FieldManagerContext, ManagerEntry, Operation, filter_untracked};
use super::schema_walk::TypeNode;
use super::typed;
use serde_json::{Map, Value};

/// Records an `operation: Update` entry for `ctx.manager` in `new.metadata.managedFields`.
///
/// `old` is the stored object (`None` on create); `new` is the object about to be stored. When
/// `new` carries a non-empty `managedFields` list on a main-resource write, that list is taken
/// as the client's replacement (so `[{}]` resets ownership, as in the real server); otherwise
/// the stored object's entries carry over. A write that changes nothing adds no entry, fields
/// that changed are taken away from their previous owners, and managers left with no fields
/// are dropped. Unreadable managed fields are reset rather than failing the write.
pub fn record_update(old: Option<&Value>, new: &mut Value, ctx: &FieldManagerContext<'_>) {
    let info = ctx.info;
    let subresource = ctx.subresource.unwrap_or_default();
    let api_version =
        new.get("apiVersion").and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| info.api_version());
    let ty = TypeNode::root(info);

    let supplied = match new.pointer("/metadata/managedFields") {
        // `[{}]` is the documented way to clear ownership.
        Some(Value::Array(list))
            if !list.is_empty() && list.iter().all(|e| e.as_object().is_some_and(Map::is_empty)) =>
        {
            Some(Vec::new())
        }
        Some(Value::Array(list)) if !list.is_empty() && ctx.subresource.is_none() => managed::decode(new).ok(),
        _ => None,
    };
    let mut entries = supplied.unwrap_or_else(|| old.and_then(|o| managed::decode(o).ok()).unwrap_or_default());

    // `compare` skips `metadata.managedFields` itself, so neither object is copied here.
    let empty = Value::Object(Map::new());
    let typed::Comparison { added, mut modified, removed } = typed::compare(old.unwrap_or(&empty), new, ty);
    modified.union_with(&added);
    let changed = filter_untracked(&modified, info, ctx.subresource);
    let removed = filter_untracked(&removed, info, ctx.subresource);

    for entry in entries.iter_mut() {
        entry.fields = entry.fields.difference(&changed).difference(&removed);
    }
    if !changed.is_empty() {
        let time = Some(crate::resources::rfc3339(ctx.now));
        match entries.iter_mut().find(|e| e.is(ctx.manager, Operation::Update, &api_version, subresource)) {
            Some(entry) => {
                entry.fields.union_with(&changed);
                entry.time = time;
            }
            None => entries.push(ManagerEntry {
                manager: ctx.manager.to_string(),
                operation: Operation::Update,
                api_version,
                time,
                subresource: subresource.to_string(),
                fields: changed,
            }),
        }
    }
    managed::encode(entries, new);
}

#[cfg(test)]
#[path = "update_tests.rs"]
mod tests;
