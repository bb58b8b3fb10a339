//! `spec.valuesFiles`: the listed files merged in order into one map that replaces the chart's `values.yaml`
//! (Flux's `mergeFileValues` / `mergeChartValues`): maps merge deeply, later files win, anything else (lists
//! included) is replaced. `values.yaml` is part of the result only when it is listed.
//!
//! For a chart from a Git or Bucket source the paths are relative to the source's root; for a chart from a
//! HelmRepository they are paths inside the chart, `values.yaml` meaning the chart's own values.

use std::path::Path;

use serde_json::{Map, Value};

use super::chart_files::{ChartFiles, secure_join, yaml_mapping};

/// The merge result: the values, and the files that took part (missing ones skipped when allowed).
#[derive(Debug, Clone, PartialEq)]
pub struct MergedValues {
    pub values: Map<String, Value>,
    pub files: Vec<String>,
}

/// Merges `b` into `a`: maps deeply, anything else replaced (`transform.MergeMaps`).
pub fn merge_maps(mut a: Map<String, Value>, b: Map<String, Value>) -> Map<String, Value> {
    for (key, value) in b {
        match (a.remove(&key), value) {
            (Some(Value::Object(left)), Value::Object(right)) => {
                a.insert(key, Value::Object(merge_maps(left, right)));
            }
            (_, value) => {
                a.insert(key, value);
            }
        }
    }
    a
}

/// Merges files of an unpacked source (Git, Bucket), paths relative to `source_root`.
pub fn merge_source_files(source_root: &Path, paths: &[String], ignore_missing: bool) -> Result<MergedValues, String> {
    let mut merged = MergedValues { values: Map::new(), files: Vec::new() };
    for path in paths {
        let full = secure_join(source_root, path);
        let bytes = match std::fs::metadata(&full) {
            Ok(metadata) if metadata.is_file() => {
                std::fs::read(&full).map_err(|e| format!("could not read values from file '{path}': {e}"))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && ignore_missing => continue,
            _ => {
                let shown = full.strip_prefix(source_root).unwrap_or(&full).display().to_string();
                return Err(format!("no values file found at path '/{shown}' (reference '{path}')"));
            }
        };
        merge_one(&mut merged, path, &bytes)?;
    }
    Ok(merged)
}

/// Merges files of a chart (from a HelmRepository), paths inside the chart.
pub fn merge_chart_files(chart: &ChartFiles, paths: &[String], ignore_missing: bool) -> Result<MergedValues, String> {
    let mut merged = MergedValues { values: Map::new(), files: Vec::new() };
    for path in paths {
        let clean = secure_join(Path::new(""), path).to_string_lossy().replace('\\', "/");
        match chart.files.get(&clean) {
            Some(bytes) => merge_one(&mut merged, path, bytes)?,
            None if ignore_missing => continue,
            None => return Err(format!("no values file found at path '{path}'")),
        }
    }
    Ok(merged)
}

fn merge_one(merged: &mut MergedValues, path: &str, bytes: &[u8]) -> Result<(), String> {
    let values = yaml_mapping(bytes).map_err(|e| format!("unmarshaling values from '{path}' failed: {e}"))?;
    merged.values = merge_maps(std::mem::take(&mut merged.values), values);
    merged.files.push(path.to_string());
    Ok(())
}

/// Replaces the chart's `values.yaml` with `values` (Flux's `OverwriteChartDefaultValues`); a chart without one
/// is refused, as Helm requires it.
pub fn overwrite_values(chart: &mut ChartFiles, values: &Map<String, Value>) -> Result<(), String> {
    if !chart.files.contains_key("values.yaml") {
        return Err("failed to locate values file: values.yaml".to_string());
    }
    let text = if values.is_empty() {
        "{}\n".to_string()
    } else {
        serde_saphyr::to_string(values).map_err(|e| format!("failed to serialise merged values: {e}"))?
    };
    chart.files.insert("values.yaml".into(), text.into_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn maps_merge_deeply_and_lists_are_replaced() {
        let base = map(json!({"a": {"b": 1, "c": [1, 2]}, "d": "x", "e": {"f": 1}}));
        let over = map(json!({"a": {"c": [3], "g": true}, "d": {"now": "a map"}, "e": null}));
        let merged = merge_maps(base, over);
        assert_eq!(
            Value::Object(merged),
            json!({"a": {"b": 1, "c": [3], "g": true}, "d": {"now": "a map"}, "e": null})
        );
    }

    #[test]
    fn source_files_merge_in_order_and_missing_ones_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.yaml"), "replicas: 1\nimage: {tag: a}\n").unwrap();
        std::fs::write(dir.path().join("b.yaml"), "image: {tag: b}\n").unwrap();
        let paths = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        let merged = merge_source_files(dir.path(), &paths(&["a.yaml", "./b.yaml"]), false).unwrap();
        assert_eq!(Value::Object(merged.values), json!({"replicas": 1, "image": {"tag": "b"}}));
        let missing = merge_source_files(dir.path(), &paths(&["a.yaml", "nope.yaml"]), false).unwrap_err();
        assert_eq!(missing, "no values file found at path '/nope.yaml' (reference 'nope.yaml')");
        let skipped = merge_source_files(dir.path(), &paths(&["nope.yaml", "b.yaml"]), true).unwrap();
        assert_eq!(skipped.files, ["b.yaml"]);
        std::fs::write(dir.path().join("list.yaml"), "- 1\n").unwrap();
        let bad = merge_source_files(dir.path(), &paths(&["list.yaml"]), false).unwrap_err();
        assert!(bad.starts_with("unmarshaling values from 'list.yaml' failed"), "{bad}");
    }
}
