//! Turning a PATCH body into the requested new object, through the `patch` engine.

use crate::error::ApiError;
use crate::patch::{self, ApplyOptions, FieldManagerContext, PatchType};
use crate::registry::ResourceInfo;
use serde_json::Value;

/// Applies a JSON, merge or strategic merge patch to `base`.
pub fn apply_patch(base: &Value, patch_type: PatchType, body: &[u8], info: &ResourceInfo) -> Result<Value, ApiError> {
    let patched = match patch_type {
        PatchType::Json => patch::apply_json_patch(base, body)?,
        PatchType::Merge => patch::apply_merge_patch(base, body)?,
        PatchType::StrategicMerge => patch::apply_strategic_merge_patch(base, body, info)?,
        PatchType::Apply => server_side_apply(Some(base), &patch::parse_apply_body(body)?, info, "", false, None)?,
    };
    Ok(patched)
}

/// Server-side apply of `applied` onto `live`; the result carries the new managedFields.
pub fn server_side_apply(
    live: Option<&Value>,
    applied: &Value,
    info: &ResourceInfo,
    manager: &str,
    force: bool,
    subresource: Option<&str>,
) -> Result<Value, ApiError> {
    let ctx = FieldManagerContext { info, manager, subresource, now: chrono::Utc::now() };
    Ok(patch::server_side_apply(live, applied, &ApplyOptions { ctx, force })?)
}

/// Records the fields a non-apply write changed as owned by its manager.
pub fn record_update(
    old: Option<&Value>,
    new: &mut Value,
    info: &ResourceInfo,
    manager: &str,
    subresource: Option<&str>,
) {
    let ctx = FieldManagerContext { info, manager, subresource, now: chrono::Utc::now() };
    patch::record_update(old, new, &ctx);
}

pub fn parse_apply_body(body: &[u8]) -> Result<Value, ApiError> {
    Ok(patch::parse_apply_body(body)?)
}
