//! Turning a CustomResourceDefinition object into the resources it serves.

use super::{PrinterColumn, ResourceInfo, ScaleSubresource};
use serde_json::Value;
use std::sync::Arc;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CrdError {
    #[error("spec.{0}: Required value")]
    MissingField(&'static str),
    #[error("metadata.name: Invalid value: {name:?}: must be spec.names.plural+\".\"+spec.group")]
    NameMismatch { name: String },
    #[error("spec.versions: Invalid value: must have exactly one version marked as storage version")]
    StorageVersion,
}

fn str_at<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer).and_then(Value::as_str)
}

fn strings_at(value: &Value, pointer: &str) -> Vec<String> {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// The served versions of a CRD as resources. Checks what the real server checks before it
/// establishes names; schema validity is checked by the `schema` module.
pub fn resources_from_crd(crd: &Value) -> Result<Vec<ResourceInfo>, CrdError> {
    let name = str_at(crd, "/metadata/name").unwrap_or_default().to_string();
    let group = str_at(crd, "/spec/group").ok_or(CrdError::MissingField("group"))?;
    let kind = str_at(crd, "/spec/names/kind").ok_or(CrdError::MissingField("names.kind"))?;
    let plural = str_at(crd, "/spec/names/plural").ok_or(CrdError::MissingField("names.plural"))?;
    if name != format!("{plural}.{group}") {
        return Err(CrdError::NameMismatch { name });
    }
    let singular = str_at(crd, "/spec/names/singular").map(str::to_string).unwrap_or_else(|| kind.to_lowercase());
    let list_kind = str_at(crd, "/spec/names/listKind").map(str::to_string).unwrap_or_else(|| format!("{kind}List"));
    let namespaced = str_at(crd, "/spec/scope") != Some("Cluster");
    let versions = crd.pointer("/spec/versions").and_then(Value::as_array).ok_or(CrdError::MissingField("versions"))?;
    if versions.iter().filter(|v| v.get("storage").and_then(Value::as_bool) == Some(true)).count() != 1 {
        return Err(CrdError::StorageVersion);
    }
    let mut resources = Vec::new();
    for version in versions {
        if version.get("served").and_then(Value::as_bool) != Some(true) {
            continue;
        }
        let Some(version_name) = version.get("name").and_then(Value::as_str) else { continue };
        let printer_columns = version
            .get("additionalPrinterColumns")
            .and_then(Value::as_array)
            .map(|columns| columns.iter().map(printer_column).collect())
            .unwrap_or_default();
        let scale = version.pointer("/subresources/scale").map(|scale| ScaleSubresource {
            spec_replicas_path: str_at(scale, "/specReplicasPath").unwrap_or(".spec.replicas").to_string(),
            status_replicas_path: str_at(scale, "/statusReplicasPath").unwrap_or(".status.replicas").to_string(),
            label_selector_path: str_at(scale, "/labelSelectorPath").map(str::to_string),
        });
        resources.push(ResourceInfo {
            group: group.to_string(),
            version: version_name.to_string(),
            kind: kind.to_string(),
            list_kind: list_kind.clone(),
            plural: plural.to_string(),
            singular: singular.clone(),
            namespaced,
            short_names: strings_at(crd, "/spec/names/shortNames"),
            categories: strings_at(crd, "/spec/names/categories"),
            verbs: ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            status_subresource: version.pointer("/subresources/status").is_some(),
            scale_subresource: scale,
            log_subresource: false,
            printer_columns,
            schema: version.pointer("/schema/openAPIV3Schema").cloned().map(Arc::new),
            storage_version: version.get("storage").and_then(Value::as_bool) == Some(true),
            has_spec_generation: true,
            crd_name: Some(name.clone()),
        });
    }
    Ok(resources)
}

fn printer_column(column: &Value) -> PrinterColumn {
    PrinterColumn {
        name: str_at(column, "/name").unwrap_or_default().to_string(),
        column_type: str_at(column, "/type").unwrap_or("string").to_string(),
        format: str_at(column, "/format").unwrap_or_default().to_string(),
        description: str_at(column, "/description").unwrap_or_default().to_string(),
        priority: column.get("priority").and_then(Value::as_i64).unwrap_or(0),
        json_path: str_at(column, "/jsonPath").unwrap_or_default().to_string(),
    }
}
