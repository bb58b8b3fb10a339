//! Turning a PATCH body into the requested new object.

use super::PatchType;
use crate::error::ApiError;
use crate::registry::ResourceInfo;
use serde_json::Value;

/// Parses a server-side apply body: YAML or JSON (JSON is YAML).
pub fn parse_apply_body(body: &[u8]) -> Result<Value, ApiError> {
    let text = std::str::from_utf8(body).map_err(|e| ApiError::bad_request(format!("apply body is not UTF-8: {e}")))?;
    let value: Value =
        serde_saphyr::from_str(text).map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))?;
    if !value.is_object() {
        return Err(ApiError::bad_request("apply body must be an object"));
    }
    Ok(value)
}

/// Applies a JSON, merge or strategic merge patch to `base`.
pub fn apply_patch(base: &Value, patch_type: PatchType, body: &[u8], info: &ResourceInfo) -> Result<Value, ApiError> {
    match patch_type {
        PatchType::Json => {
            let patch: json_patch::Patch = serde_json::from_slice(body).map_err(|e| {
                ApiError::bad_request(format!("the server rejected our request due to an error in our request: {e}"))
            })?;
            let mut doc = base.clone();
            json_patch::patch(&mut doc, &patch).map_err(|e| {
                ApiError::new(
                    422,
                    "Invalid",
                    format!("the server rejected our request due to an error in our request: {e}"),
                )
            })?;
            Ok(doc)
        }
        PatchType::Merge => {
            let patch: Value = serde_json::from_slice(body)
                .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
            let mut doc = base.clone();
            json_patch::merge(&mut doc, &patch);
            Ok(doc)
        }
        PatchType::Strategic | PatchType::Apply => Err(unsupported(info, patch_type)),
    }
}

/// Server-side apply of `applied` onto `live`.
pub fn server_side_apply(
    _live: Option<&Value>,
    _applied: &Value,
    info: &ResourceInfo,
    _manager: &str,
    _force: bool,
    _subresource: Option<&str>,
) -> Result<Value, ApiError> {
    Err(unsupported(info, PatchType::Apply))
}

fn unsupported(info: &ResourceInfo, patch_type: PatchType) -> ApiError {
    ApiError::unsupported_media_type(&format!("{patch_type:?} patch for {}", info.plural))
}
