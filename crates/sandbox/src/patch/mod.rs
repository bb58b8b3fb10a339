//! Every PATCH flavour the API server accepts, plus server-side apply and managed-fields
//! bookkeeping for ordinary writes. Pure functions over `serde_json::Value`: the caller loads
//! the live object, calls in here, then validates and stores the result.
//!
//! - [`apply_json_patch`]: `application/json-patch+json` (RFC 6902).
//! - [`apply_merge_patch`]: `application/merge-patch+json` (RFC 7386).
//! - [`apply_strategic_merge_patch`]: `application/strategic-merge-patch+json`, built-in kinds only
//!   ([`check_patch_type`] answers 415 for CRDs, as the real server does).
//! - [`parse_apply_body`] + [`server_side_apply`]: `application/apply-patch+yaml`.
//! - [`record_update`]: the `operation: Update` managed-fields entry of create/update/patch.

mod apply;
mod field_set;
mod managed;
mod merge;
pub(crate) mod merge_keys;
mod schema_walk;
mod strategic;
#[cfg(test)]
mod test_support;
mod typed;
mod update;

pub use apply::{ApplyOptions, server_side_apply};
pub use managed::FieldManagerContext;
pub use update::record_update;

use crate::error::{ApiError, Cause};
use crate::registry::ResourceInfo;
use schema_walk::TypeNode;
use serde_json::Value;

/// The four patch content types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    Json,
    Merge,
    StrategicMerge,
    Apply,
}

impl PatchType {
    /// Parses a `Content-Type` header value (parameters such as `; charset=utf-8` are ignored).
    pub fn from_content_type(content_type: &str) -> Option<PatchType> {
        let media_type = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        match media_type.as_str() {
            "application/json-patch+json" => Some(PatchType::Json),
            "application/merge-patch+json" => Some(PatchType::Merge),
            "application/strategic-merge-patch+json" => Some(PatchType::StrategicMerge),
            "application/apply-patch+yaml" => Some(PatchType::Apply),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            PatchType::Json => "application/json-patch+json",
            PatchType::Merge => "application/merge-patch+json",
            PatchType::StrategicMerge => "application/strategic-merge-patch+json",
            PatchType::Apply => "application/apply-patch+yaml",
        }
    }
}

/// The patch content types a resource accepts, in the order the real server lists them.
pub fn accepted_patch_types(info: &ResourceInfo) -> Vec<&'static str> {
    let mut types = vec![PatchType::Json, PatchType::Merge];
    if supports_strategic_merge(info) {
        types.push(PatchType::StrategicMerge);
    }
    types.push(PatchType::Apply);
    types.into_iter().map(PatchType::content_type).collect()
}

/// Strategic merge patch needs Go struct tags, so only built-in kinds have it.
pub fn supports_strategic_merge(info: &ResourceInfo) -> bool {
    info.is_builtin()
}

/// The patch type of a request, or the 415 the real server answers for unknown or unsupported
/// (strategic merge on a custom resource) content types.
pub fn check_patch_type(info: &ResourceInfo, content_type: &str) -> Result<PatchType, PatchError> {
    match PatchType::from_content_type(content_type) {
        Some(PatchType::StrategicMerge) if !supports_strategic_merge(info) => {}
        Some(patch_type) => return Ok(patch_type),
        None => {}
    }
    Err(PatchError::UnsupportedMediaType { accepted: accepted_patch_types(info) })
}

/// One field another manager owns that an apply wanted to change.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// The manager as the real server prints it: `"kubectl-client-side-apply" using apps/v1`,
    /// or `"helm"` for an applier.
    pub manager: String,
    /// `.spec.replicas`
    pub field: String,
}

/// Why a patch could not be applied; converts into the Status the real server sends.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PatchError {
    /// A malformed patch or apply body (400).
    #[error("{0}")]
    BadRequest(String),
    /// A JSON patch operation failed: a `test` mismatch, a missing path (422).
    #[error("{0}")]
    JsonPatchFailed(String),
    /// The content type is not accepted for this resource (415).
    #[error("the body of the request was in an unknown format - accepted media types include: {}", .accepted.join(", "))]
    UnsupportedMediaType { accepted: Vec<&'static str> },
    /// Server-side apply conflicts (409), in manager then field order.
    #[error("{}", conflict_message(.0))]
    Conflicts(Vec<Conflict>),
    /// The object does not fit its type, e.g. a list item lacks its list-map key (500, as the
    /// real server reports these as untyped errors).
    #[error("{0}")]
    Internal(String),
}

/// `Apply failed with 1 conflict: conflict with "mgr" using apps/v1: .spec.replicas`, or for
/// several, one `conflicts with <manager>:` block per manager followed by `- <field>` lines.
fn conflict_message(conflicts: &[Conflict]) -> String {
    if let [only] = conflicts {
        return format!("Apply failed with 1 conflict: conflict with {}: {}", only.manager, only.field);
    }
    let mut managers: Vec<&str> = conflicts.iter().map(|c| c.manager.as_str()).collect();
    managers.sort();
    managers.dedup();
    let mut lines = Vec::new();
    for manager in managers {
        lines.push(format!("conflicts with {manager}:"));
        lines.extend(conflicts.iter().filter(|c| c.manager == manager).map(|c| format!("- {}", c.field)));
    }
    format!("Apply failed with {} conflicts: {}", conflicts.len(), lines.join("\n"))
}

impl From<PatchError> for ApiError {
    fn from(err: PatchError) -> Self {
        let message = err.to_string();
        match err {
            PatchError::BadRequest(_) => ApiError::bad_request(message),
            PatchError::JsonPatchFailed(detail) => {
                let mut api =
                    ApiError::new(422, "Invalid", "the server rejected our request due to an error in our request");
                api.details.causes.push(Cause::new("UnexpectedServerResponse", "", detail));
                api
            }
            PatchError::UnsupportedMediaType { .. } => ApiError::new(415, "UnsupportedMediaType", message),
            PatchError::Conflicts(conflicts) => {
                let mut api = ApiError::new(409, "Conflict", message);
                api.details.causes = conflicts
                    .into_iter()
                    .map(|c| Cause::new("FieldManagerConflict", c.field, format!("conflict with {}", c.manager)))
                    .collect();
                api
            }
            PatchError::Internal(_) => ApiError::internal(message),
        }
    }
}

fn parse_json(body: &[u8]) -> Result<Value, PatchError> {
    serde_json::from_slice(body).map_err(|e| PatchError::BadRequest(format!("error decoding patch: {e}")))
}

/// Applies an RFC 6902 JSON patch to `live`.
pub fn apply_json_patch(live: &Value, body: &[u8]) -> Result<Value, PatchError> {
    let patch: json_patch::Patch =
        serde_json::from_slice(body).map_err(|e| PatchError::BadRequest(format!("the JSON patch is invalid: {e}")))?;
    let mut doc = live.clone();
    json_patch::patch(&mut doc, &patch).map_err(|e| {
        let op = patch.0.get(e.operation);
        let path = op.map(|op| op.path().to_string()).unwrap_or_default();
        // Worded like the evanphx/json-patch errors the real server returns.
        let detail = match (&e.kind, op) {
            (json_patch::PatchErrorKind::TestFailed, _) => format!("testing value {path} failed: test failed"),
            (_, Some(json_patch::PatchOperation::Remove(_))) => {
                format!("remove operation does not apply: doc is missing path: {path:?}: missing value")
            }
            (_, Some(json_patch::PatchOperation::Replace(_))) => {
                format!("replace operation does not apply: doc is missing key: {path}: missing value")
            }
            (_, Some(json_patch::PatchOperation::Add(_))) => {
                format!("add operation does not apply: doc is missing path: {path:?}: missing value")
            }
            (kind, _) => format!("{kind} at {path}"),
        };
        PatchError::JsonPatchFailed(detail)
    })?;
    Ok(doc)
}

/// Applies an RFC 7386 JSON merge patch to `live`.
pub fn apply_merge_patch(live: &Value, body: &[u8]) -> Result<Value, PatchError> {
    let patch = parse_json(body)?;
    let mut doc = live.clone();
    merge::apply_merge_patch(&mut doc, &patch);
    Ok(doc)
}

/// Applies a strategic merge patch to `live`, an object of the built-in kind `info` describes.
/// Call [`check_patch_type`] first: custom resources do not accept this patch type.
pub fn apply_strategic_merge_patch(live: &Value, body: &[u8], info: &ResourceInfo) -> Result<Value, PatchError> {
    if !supports_strategic_merge(info) {
        return Err(PatchError::UnsupportedMediaType { accepted: accepted_patch_types(info) });
    }
    let patch = parse_json(body)?;
    strategic::strategic_merge(live, &patch, TypeNode::root(info))
}

/// Parses a server-side apply body (YAML, of which JSON is a subset) into an object.
pub fn parse_apply_body(body: &[u8]) -> Result<Value, PatchError> {
    let text = std::str::from_utf8(body).map_err(|e| PatchError::BadRequest(format!("error decoding YAML: {e}")))?;
    let value: Value =
        serde_saphyr::from_str(text).map_err(|e| PatchError::BadRequest(format!("error decoding YAML: {e}")))?;
    match value {
        Value::Object(_) => Ok(value),
        other => Err(PatchError::BadRequest(format!("error decoding YAML: expected an object, got {other}"))),
    }
}

#[cfg(test)]
mod tests;
