//! The `Merge` copy strategy: a YAML file copied onto an existing one is deep-merged into it, as source-watcher
//! does (Helm's rule for values files: maps merge key by key, the copied file wins, lists and scalars are
//! replaced whole). Each file may hold several documents; they are merged into one map first. The result is
//! written with its keys sorted, as Go's `sigs.k8s.io/yaml` marshals a map.

use std::path::Path;

use serde_json::{Map, Value};

use crate::controllers::helm_chart::merge_maps;

/// Merges the YAML file `overlay` into the YAML file `base`, rewriting `base`.
pub fn merge_yaml_file(overlay: &Path, base: &Path) -> Result<(), String> {
    let merged = merge_maps(load_yaml(base)?, load_yaml(overlay)?);
    let text = if merged.is_empty() {
        "{}\n".to_string()
    } else {
        serde_saphyr::to_string(&sorted(Value::Object(merged)))
            .map_err(|err| format!("failed to merged YAML: {err}"))?
    };
    std::fs::write(base, text).map_err(|err| format!("failed to write '{}': {err}", base.display()))
}

/// The documents of a YAML file merged into one map; empty documents count as empty maps.
pub fn load_yaml(path: &Path) -> Result<Map<String, Value>, String> {
    let bytes = std::fs::read(path).map_err(|err| format!("failed to read '{}': {err}", path.display()))?;
    let text = std::str::from_utf8(&bytes).map_err(|err| format!("error reading YAML document: {err}"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let documents: Vec<Value> =
        serde_saphyr::from_multiple(text).map_err(|err| format!("cannot unmarshal YAML document: {err}"))?;
    let mut out = Map::new();
    for document in documents {
        match document {
            Value::Null => {}
            Value::Object(map) => out = merge_maps(out, map),
            _ => return Err("cannot unmarshal YAML document: the document is not a mapping".to_string()),
        }
    }
    Ok(out)
}

/// `value` with every map's keys in byte order.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(key, value)| (key, sorted(value))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn maps_merge_deeply_lists_are_replaced_and_documents_fold() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("base.yaml");
        let overlay = dir.path().join("overlay.yaml");
        std::fs::write(&base, "replicas: 1\nimage:\n  repository: podinfo\n  tag: 6.0.0\nports: [80, 443]\n").unwrap();
        std::fs::write(&overlay, "image:\n  tag: 6.1.0\nports: [8080]\n---\nextra: true\n").unwrap();
        merge_yaml_file(&overlay, &base).unwrap();
        let merged = load_yaml(&base).unwrap();
        assert_eq!(
            Value::Object(merged),
            json!({"extra": true, "image": {"repository": "podinfo", "tag": "6.1.0"}, "ports": [8080], "replicas": 1})
        );
        let text = std::fs::read_to_string(&base).unwrap();
        assert!(text.starts_with("extra:"), "keys are sorted: {text}");
    }

    #[test]
    fn a_list_document_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("base.yaml");
        let overlay = dir.path().join("list.yaml");
        std::fs::write(&base, "a: 1\n").unwrap();
        std::fs::write(&overlay, "- 1\n").unwrap();
        let err = merge_yaml_file(&overlay, &base).unwrap_err();
        assert!(err.starts_with("cannot unmarshal YAML document"), "{err}");
        assert_eq!(std::fs::read_to_string(&base).unwrap(), "a: 1\n", "the base is left alone");
    }
}
