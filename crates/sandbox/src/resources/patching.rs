//! Turning a PATCH body into the requested new object, through the `patch` engine.

use super::{Target, WriteOptions};
use crate::error::ApiError;
use crate::patch::{self, ApplyOptions, FieldManagerContext, PatchType};
use crate::registry::ResourceInfo;
use serde_json::Value;

/// The object a PATCH asks for: `base` changed by `body`. Only server-side apply may start from
/// nothing (it then creates); its result carries the new managedFields.
pub fn patched(
    base: Option<&Value>,
    patch_type: PatchType,
    body: &[u8],
    target: &Target,
    options: &WriteOptions,
) -> Result<Value, ApiError> {
    let info = &target.info;
    let not_found = || ApiError::not_found(&info.group, &info.plural, &target.name);
    let patched = match patch_type {
        PatchType::Apply => {
            let config = patch::parse_apply_body(body)?;
            let ctx = FieldManagerContext {
                info,
                manager: &options.field_manager,
                subresource: target.subresource.as_deref(),
                now: chrono::Utc::now(),
            };
            patch::server_side_apply(base, &config, &ApplyOptions { ctx, force: options.force })?
        }
        PatchType::Json => patch::apply_json_patch(base.ok_or_else(not_found)?, body)?,
        PatchType::Merge => patch::apply_merge_patch(base.ok_or_else(not_found)?, body)?,
        PatchType::StrategicMerge => patch::apply_strategic_merge_patch(base.ok_or_else(not_found)?, body, info)?,
    };
    Ok(patched)
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
