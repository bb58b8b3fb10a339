//! `crds`: OpenAPI definitions of custom kinds (kustomize's legacy format, a map from Go type names to
//! `{Schema, Dependencies}`) whose properties carry extensions telling kustomize where a custom kind names
//! another object (`x-kubernetes-object-ref-kind`, `-api-version`, `-name-key`), holds annotations
//! (`x-kubernetes-annotation`), a label selector (`x-kubernetes-label-selector`) or its identity, which takes the
//! name prefix (`x-kubernetes-identity`). Properties are followed through `$ref` to other definitions.

use serde_json::{Map, Value};

use super::config::{NameReferenceConfig, TransformerConfig};
use crate::fieldspec::FieldSpec;

/// The configuration the definitions in `text` (JSON or YAML) declare.
pub fn config_from_crds(text: &str) -> Result<TransformerConfig, String> {
    let value = crate::yaml::parse_document(text)?;
    let Value::Object(definitions) = value else { return Err("expected a map of OpenAPI definitions".into()) };
    let mut config = TransformerConfig::default();
    for (type_name, definition) in &definitions {
        let properties = definition.pointer("/Schema/properties").and_then(Value::as_object);
        let is_kind = properties.is_some_and(|p| ["kind", "apiVersion", "metadata"].iter().all(|k| p.contains_key(*k)));
        if !is_kind {
            continue;
        }
        let kind = type_name.rsplit('.').next().unwrap_or(type_name).to_string();
        walk(&mut config, &kind, &definitions, type_name, &mut Vec::new(), 0);
    }
    Ok(config)
}

fn spec(kind: &str, path: &[String]) -> FieldSpec {
    FieldSpec {
        group: None,
        version: None,
        kind: Some(kind.to_string().into()),
        path: path.join("/").into(),
        create: false,
    }
}

fn walk(
    config: &mut TransformerConfig,
    kind: &str,
    definitions: &Map<String, Value>,
    type_name: &str,
    path: &mut Vec<String>,
    depth: usize,
) {
    // Definitions may refer to each other in a cycle; kustomize's schemas are shallow.
    if depth > 32 {
        return;
    }
    let Some(properties) = definitions.get(type_name).and_then(|d| d.pointer("/Schema/properties")) else { return };
    let Some(properties) = properties.as_object() else { return };
    for (name, property) in properties {
        path.push(name.clone());
        let extension = |key: &str| property.get(key).and_then(Value::as_str);
        if extension("x-kubernetes-annotation").is_some() {
            config.merge(TransformerConfig { common_annotations: vec![spec(kind, path)], ..Default::default() });
        }
        if extension("x-kubernetes-label-selector").is_some() {
            config.merge(TransformerConfig { common_labels: vec![spec(kind, path)], ..Default::default() });
        }
        if extension("x-kubernetes-identity").is_some() {
            config.merge(TransformerConfig { name_prefix: vec![spec(kind, path)], ..Default::default() });
        }
        if extension("x-kubernetes-object-ref-api-version").is_some()
            && let Some(referral) = extension("x-kubernetes-object-ref-kind")
        {
            let key = extension("x-kubernetes-object-ref-name-key").unwrap_or("name");
            path.push(key.to_string());
            let reference = NameReferenceConfig {
                group: String::new(),
                kind: referral.to_string(),
                fields: vec![spec(kind, path)],
            };
            path.pop();
            config.merge(TransformerConfig { name_reference: vec![reference], ..Default::default() });
        }
        if let Some(reference) = property.get("$ref").and_then(Value::as_str) {
            walk(config, kind, definitions, reference, path, depth + 1);
        }
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_ref_extensions_become_name_references() {
        let text = r#"{
          "x.MyKind": {"Schema": {"properties": {"apiVersion": {}, "kind": {}, "metadata": {},
            "spec": {"$ref": "x.Spec"}}}},
          "x.Spec": {"Schema": {"properties": {"secretRef": {"x-kubernetes-object-ref-api-version": "v1",
            "x-kubernetes-object-ref-kind": "Secret"}}}}
        }"#;
        let config = config_from_crds(text).unwrap();
        assert_eq!(config.name_reference.len(), 1);
        assert_eq!(config.name_reference[0].kind, "Secret");
        assert_eq!(config.name_reference[0].fields[0].path, "spec/secretRef/name");
        assert_eq!(config.name_reference[0].fields[0].kind.as_deref(), Some("MyKind"));
    }
}
