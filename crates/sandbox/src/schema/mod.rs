//! Pure, I/O-free schema machinery of the sandbox API server.
//!
//! - custom resources: [`process_custom_resource`] prunes unknown fields, applies structural
//!   defaults and validates, in the real server's order ([`structural`], [`validate`], [`cel`]);
//! - names and CRDs: [`validate_object_name`] for every kind, [`validate_crd`];
//! - the status subresource split: [`reset_for_main`], [`reset_for_status`];
//! - OpenAPI v2 and v3 documents: [`openapi`].

mod cel;
mod names;
pub mod openapi;
mod status;
mod structural;
mod validate;

pub use names::{validate_crd, validate_object_name};
pub use status::{reset_for_main, reset_for_status};
pub use structural::{apply_defaults, prune};
pub use validate::{Validation, validate};

use crate::error::Cause;
use crate::registry::ResourceInfo;
use serde_json::Value;

/// The `fieldValidation` query parameter of POST, PUT and PATCH.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FieldValidation {
    /// Drop unknown fields silently.
    Ignore,
    /// Drop them and answer one `Warning` header per field (kubectl's default since 1.27).
    #[default]
    Warn,
    /// Refuse the request.
    Strict,
}

impl FieldValidation {
    /// Parses the query value; absent means `Warn`, as on the real server.
    pub fn from_query(value: Option<&str>) -> Result<Self, String> {
        match value {
            None | Some("") | Some("Warn") => Ok(FieldValidation::Warn),
            Some("Ignore") => Ok(FieldValidation::Ignore),
            Some("Strict") => Ok(FieldValidation::Strict),
            Some(other) => Err(format!("fieldValidation {other} is invalid, valid values are: Ignore, Warn, Strict")),
        }
    }
}

/// `s` as a JSON (and Go `%q`) string literal: `"spec.foo"`, with quotes and escapes.
pub(crate) fn quote(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// `unknown field "spec.foo"`: the text of one Warning header and of one strict-decoding error.
pub fn unknown_field_message(path: &str) -> String {
    format!("unknown field {}", quote(path))
}

/// The message of the real server's 400 BadRequest for `fieldValidation=Strict`:
/// `GitRepository in version "v1" cannot be handled as a GitRepository: strict decoding error: unknown field "spec.foo"`.
pub fn strict_decoding_message(info: &ResourceInfo, pruned: &[String]) -> String {
    let fields: Vec<String> = pruned.iter().map(|p| unknown_field_message(p)).collect();
    format!(
        "{kind} in version {version} cannot be handled as a {kind}: strict decoding error: {}",
        fields.join(", "),
        kind = info.kind,
        version = quote(&info.version),
    )
}

/// The result of [`process_custom_resource`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Processed {
    /// Paths of the fields pruning removed (for `fieldValidation`).
    pub pruned: Vec<String>,
    /// Validation failures; a non-empty list means 422 Invalid.
    pub causes: Vec<Cause>,
    /// CEL rules that were not evaluated (see [`cel`]), as `path: rule`.
    pub skipped_rules: Vec<String>,
}

/// Prunes, defaults and validates a custom resource in place against its version's schema, as
/// the real server does on create and update. Resources without a schema (built-ins) only get
/// their name checked. The name is validated as for any kind.
pub fn process_custom_resource(info: &ResourceInfo, object: &mut Value) -> Processed {
    let mut processed = Processed::default();
    if let Some(schema) = info.schema.as_deref() {
        processed.pruned = prune(schema, object);
        apply_defaults(schema, object);
        let validation = validate(schema, object);
        processed.causes = validation.causes;
        processed.skipped_rules = validation.skipped_rules;
    }
    let has_generate_name =
        object.pointer("/metadata/generateName").and_then(Value::as_str).is_some_and(|g| !g.is_empty());
    let name = object.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default();
    if !(name.is_empty() && has_generate_name)
        && let Some(cause) = validate_object_name(info, name)
    {
        processed.causes.insert(0, cause);
    }
    processed
}

#[cfg(test)]
mod tests;

/// The key fields of a `x-kubernetes-list-type: map` list schema (`x-kubernetes-list-map-keys`).
pub(crate) fn list_map_keys(schema: &Value) -> impl Iterator<Item = &str> {
    schema.get("x-kubernetes-list-map-keys").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
}
