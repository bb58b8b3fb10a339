//! Server-side apply: merge the applied configuration into the live object, drop what the
//! applier no longer applies (unless someone else owns it), detect conflicts with other
//! managers, and record the applier's ownership.

use super::field_set::path_string;
use super::managed::{self, FieldManagerContext, ManagerEntry, Operation, filter_untracked, without_managed_fields};
use super::schema_walk::TypeNode;
use super::typed;
use super::{Conflict, PatchError};
use serde_json::{Map, Value};

/// A server-side apply request.
#[derive(Debug, Clone, Copy)]
pub struct ApplyOptions<'a> {
    pub ctx: FieldManagerContext<'a>,
    /// `?force=true`: take conflicting fields over instead of failing.
    pub force: bool,
}

/// Applies `config` (the parsed `application/apply-patch+yaml` body) to `live` (`None`: the
/// object does not exist and is created from the configuration).
///
/// Returns the merged object with `metadata.managedFields` updated. The caller still owns the
/// rest of a write: uid, resourceVersion, creationTimestamp and generation, resetting `status`
/// (main resource) or `spec` (status subresource) as its strategy does, defaulting, validation.
/// Those reset fields are never owned nor conflicted on here.
pub fn server_side_apply(
    live: Option<&Value>,
    config: &Value,
    options: &ApplyOptions<'_>,
) -> Result<Value, PatchError> {
    let ctx = &options.ctx;
    let info = ctx.info;
    let expected = info.api_version();
    let given = config.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
    if given != expected {
        return Err(PatchError::BadRequest(format!(
            "Incorrect version specified in apply patch. Specified patch version: {given}, expected: {expected}"
        )));
    }
    if config.pointer("/metadata/managedFields").is_some_and(|v| !v.is_null()) {
        return Err(PatchError::BadRequest("metadata.managedFields must be nil".to_string()));
    }
    let ty = TypeNode::root(info);
    let subresource = ctx.subresource.unwrap_or_default();
    let typed_error =
        |what: &str, e: String| PatchError::Internal(format!("failed to create typed {what} object ({expected}): {e}"));

    let live_clean = live.map(without_managed_fields).unwrap_or_else(|| Value::Object(Map::new()));
    let mut entries = match live {
        Some(live) => {
            managed::decode(live).map_err(|e| PatchError::Internal(format!("failed to decode managed fields: {e}")))?
        }
        None => Vec::new(),
    };
    let config_set = typed::to_field_set(config, ty).map_err(|e| typed_error("patch", e))?;
    let config_set = filter_untracked(&config_set, info, ctx.subresource);
    let mut merged = typed::merge(&live_clean, config, ty).map_err(|e| typed_error("patch", e))?;

    // The applier's entry now owns exactly what it applied.
    let position = entries.iter().position(|e| e.is(ctx.manager, Operation::Apply, &expected, subresource));
    let previous = position.map(|i| entries.remove(i));
    let last_set = previous.as_ref().map(|p| p.fields.clone()).unwrap_or_default();
    let applier = ManagerEntry {
        manager: ctx.manager.to_string(),
        operation: Operation::Apply,
        api_version: expected.clone(),
        time: previous.as_ref().and_then(|p| p.time.clone()),
        subresource: subresource.to_string(),
        fields: config_set,
    };

    // Prune what the applier applied last time but not this time, unless somebody (the applier
    // included) still owns it.
    if !last_set.is_empty() {
        let mut everyone = applier.fields.clone();
        for entry in &entries {
            everyone.union_with(&entry.fields);
        }
        typed::prune(
            &mut merged,
            ty,
            &last_set.ensure_named_fields_are_members(),
            Some(&everyone.ensure_named_fields_are_members()),
        );
    }

    // Whatever changed and is owned by another manager is a conflict; removed fields are
    // disowned by everybody.
    let typed::Comparison { added, mut modified, removed } = typed::compare(&live_clean, &merged, ty);
    modified.union_with(&added);
    let changed = filter_untracked(&modified, info, ctx.subresource);
    let removed = filter_untracked(&removed, info, ctx.subresource);
    let mut conflicts = Vec::new();
    for entry in entries.iter_mut() {
        let conflicting = entry.fields.intersection(&changed);
        if !conflicting.is_empty() {
            if !options.force {
                conflicts.extend(
                    conflicting
                        .members()
                        .iter()
                        .map(|path| Conflict { manager: entry.printed(), field: path_string(path) }),
                );
                continue;
            }
            entry.fields = entry.fields.difference(&conflicting);
        }
        entry.fields = entry.fields.difference(&removed);
    }
    if !conflicts.is_empty() {
        conflicts.sort_by(|a, b| a.manager.cmp(&b.manager));
        return Err(PatchError::Conflicts(conflicts));
    }

    let mut applier = applier;
    if applier.time.is_none() || merged != live_clean {
        applier.time = Some(crate::resources::rfc3339(ctx.now));
    }
    entries.push(applier);
    entries.retain(|e| !e.fields.is_empty());
    managed::encode(entries, &mut merged);
    Ok(merged)
}

#[cfg(test)]
#[path = "apply_tests.rs"]
mod tests;
