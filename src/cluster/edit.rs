//! Editing an object as YAML: the live object fetched from the API server, shown without what a user cannot or
//! should not edit, and the edited text applied with server-side apply under the `fluxtui` field manager.
//!
//! What the editor shows: the object as the API server returns it, minus `metadata.managedFields` (as
//! `kubectl edit` does), `status` (a status subresource: the main resource ignores it), the server-owned
//! `metadata.uid`, `resourceVersion`, `generation` and `creationTimestamp`, and kubectl's
//! `last-applied-configuration` annotation. The `resourceVersion` read here is put
//! back into the applied object as a precondition, so an object that changed since it was fetched is refused
//! (409 Conflict) instead of silently overwritten.

use kube::Client;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::Value;

use super::writes::{FIELD_MANAGER, Target};

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Metadata fields the server owns: hidden from the editor and never applied.
const SERVER_OWNED_METADATA: &[&str] = &["managedFields", "uid", "resourceVersion", "generation", "creationTimestamp"];

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("cannot read {object}: {source}")]
    Fetch {
        object: String,
        #[source]
        source: kube::Error,
    },
    #[error("{object} has no resourceVersion; cannot edit it safely")]
    NoResourceVersion { object: String },
    #[error("{object} changed since you opened it; reopen to edit the latest")]
    Changed { object: String },
    #[error("cannot apply {object}: {source}")]
    Apply {
        object: String,
        #[source]
        source: kube::Error,
    },
}

/// The object ready for the editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditableObject {
    /// The YAML text the editor opens.
    pub text: String,
    /// The version read, the precondition of the apply.
    pub resource_version: String,
}

fn describe(target: &Target) -> String {
    format!("{} {}/{}", target.kind, target.namespace, target.name)
}

fn api(client: Client, target: &Target) -> Api<DynamicObject> {
    Api::namespaced_with(client, &target.namespace, &target.kind.api_resource(&target.version))
}

/// Reads the live object (not the watch's copy, which has its managed fields stripped and may lag).
pub async fn fetch_for_edit(client: Client, target: &Target) -> Result<EditableObject, EditError> {
    let object = api(client, target)
        .get(&target.name)
        .await
        .map_err(|source| EditError::Fetch { object: describe(target), source })?;
    let resource_version = object
        .metadata
        .resource_version
        .clone()
        .ok_or_else(|| EditError::NoResourceVersion { object: describe(target) })?;
    let mut value = serde_json::to_value(&object).unwrap_or(Value::Null);
    editable(&mut value);
    Ok(EditableObject { text: crate::model::yaml_text(&value, true), resource_version })
}

/// Removes what the editor does not show (see the module docs).
pub fn editable(value: &mut Value) {
    let Some(map) = value.as_object_mut() else { return };
    map.remove("status");
    if let Some(metadata) = map.get_mut("metadata").and_then(Value::as_object_mut) {
        for field in SERVER_OWNED_METADATA {
            metadata.remove(*field);
        }
        // kubectl's client-side apply record: noise in the editor, and kept by the server since kubectl owns it.
        if let Some(annotations) = metadata.get_mut("annotations").and_then(Value::as_object_mut) {
            annotations.remove(LAST_APPLIED);
        }
        if metadata.get("annotations").and_then(Value::as_object).is_some_and(|annotations| annotations.is_empty()) {
            metadata.remove("annotations");
        }
    }
}

/// Reads the edited text back: it must be one YAML mapping naming the same object (kind, name, namespace); the
/// error says what is wrong, for the comment at the top of the reopened file.
pub fn parse_edited(text: &str, target: &Target) -> Result<Value, String> {
    let value: Value = serde_saphyr::from_str(text).map_err(|err| format!("invalid YAML: {err}"))?;
    let Value::Object(map) = &value else { return Err("the text must be one YAML mapping (an object)".to_string()) };
    let field = |path: &[&str]| -> Option<&str> {
        let mut current = map.get(path[0])?;
        for key in &path[1..] {
            current = current.get(*key)?;
        }
        current.as_str()
    };
    if field(&["kind"]) != Some(target.kind.name()) {
        return Err(format!("kind must stay {}", target.kind.name()));
    }
    if field(&["metadata", "name"]) != Some(target.name.as_str()) {
        return Err(format!("metadata.name must stay {} (create a new object with kubectl instead)", target.name));
    }
    if field(&["metadata", "namespace"]).is_some_and(|namespace| namespace != target.namespace) {
        return Err(format!("metadata.namespace must stay {}", target.namespace));
    }
    if field(&["apiVersion"]).is_none() {
        return Err("apiVersion is missing".to_string());
    }
    Ok(value)
}

/// Applies the edited object with server-side apply, forcing conflicts (the user asked for these values), with
/// the resourceVersion read before editing as a precondition.
pub async fn apply_edit(
    client: Client,
    target: &Target,
    mut value: Value,
    resource_version: &str,
) -> Result<(), EditError> {
    editable(&mut value);
    if let Some(metadata) = value.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.insert("resourceVersion".to_string(), Value::String(resource_version.to_string()));
        metadata.insert("namespace".to_string(), Value::String(target.namespace.clone()));
    }
    let params = PatchParams::apply(FIELD_MANAGER).force();
    match api(client, target).patch(&target.name, &params, &Patch::Apply(&value)).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 409 => Err(EditError::Changed { object: describe(target) }),
        Err(source) => Err(EditError::Apply { object: describe(target), source }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::FluxKind;

    fn target() -> Target {
        Target {
            kind: FluxKind::Kustomization,
            version: "v1".to_string(),
            namespace: "apps".to_string(),
            name: "web".to_string(),
        }
    }

    #[test]
    fn the_editor_shows_no_server_owned_fields() {
        let mut value = serde_json::json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": "web", "namespace": "apps", "uid": "u", "resourceVersion": "7", "generation": 2,
                         "creationTimestamp": "2026-01-01T00:00:00Z", "managedFields": [{"manager": "x"}], "labels": {"a": "b"},
                         "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}},
            "spec": {"interval": "1m"}, "status": {"observedGeneration": 2},
        });
        editable(&mut value);
        assert_eq!(
            value,
            serde_json::json!({
                "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
                "metadata": {"name": "web", "namespace": "apps", "labels": {"a": "b"}},
                "spec": {"interval": "1m"},
            })
        );
    }

    #[test]
    fn edited_text_must_be_yaml_naming_the_same_object() {
        let good = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: web\n  namespace: apps\nspec:\n  interval: 5m\n";
        assert_eq!(parse_edited(good, &target()).unwrap()["spec"]["interval"], "5m");
        assert!(parse_edited("spec: [unclosed", &target()).unwrap_err().starts_with("invalid YAML"));
        assert!(parse_edited("- a\n- b\n", &target()).unwrap_err().contains("one YAML mapping"));
        let renamed = good.replace("name: web", "name: other");
        assert!(parse_edited(&renamed, &target()).unwrap_err().contains("metadata.name must stay web"));
        let moved = good.replace("namespace: apps", "namespace: elsewhere");
        assert!(parse_edited(&moved, &target()).unwrap_err().contains("namespace must stay apps"));
    }
}
