//! The text of one object's drift, as `flux diff kustomization` shows it: the live object and the dry-run
//! result without what the server keeps for itself ([`super::apply::comparable`]: managedFields,
//! resourceVersion, generation, uid, creationTimestamp, status), secret values masked unless revealed, emitted
//! as YAML with sorted keys, and a unified diff of the two.
//!
//! Masking follows the TUI's YAML view ([`Masking`]): every value under a Secret's `data` and `stringData`, and
//! values whose key names a credential. A masked value that differs shows as `<mask> (before)` and
//! `<mask> (after)`, so the diff says that a key changed without saying to what.

use serde_json::{Map, Value};
use similar::TextDiff;

use super::apply::comparable;
use crate::model::secrets::{MASK, Masking};

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// The unified diff (hunks only, no file header) from `live` to `merged`, empty when they are the same.
pub fn drift_diff(live: &Value, merged: &Value, reveal: bool) -> String {
    let mut before = comparable(live);
    let mut after = comparable(merged);
    let masking = Masking::for_object(merged, reveal);
    mask_pair(&mut before, &mut after, &mut Vec::new(), masking);
    let before = fluxtui_kustomize::yaml::to_yaml(&before);
    let after = fluxtui_kustomize::yaml::to_yaml(&after);
    if before == after {
        return String::new();
    }
    TextDiff::from_lines(&before, &after).unified_diff().context_radius(CONTEXT).to_string()
}

/// Masks the values the rule hides on both sides, marking the ones that differ.
fn mask_pair(before: &mut Value, after: &mut Value, path: &mut Vec<String>, masking: Masking) {
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: Vec<String> = a.keys().chain(b.keys()).cloned().collect();
            for key in keys {
                path.push(key.clone());
                match (a.get_mut(&key), b.get_mut(&key)) {
                    (Some(x), Some(y)) => mask_pair(x, y, path, masking),
                    (Some(x), None) => mask_alone(x, path, masking),
                    (None, Some(y)) => mask_alone(y, path, masking),
                    (None, None) => {}
                }
                path.pop();
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            let (shorter, longer) = (a.len().min(b.len()), a.len().max(b.len()));
            for at in 0..longer {
                match (a.get_mut(at), b.get_mut(at)) {
                    (Some(x), Some(y)) if at < shorter => mask_pair(x, y, path, masking),
                    (Some(x), _) => mask_alone(x, path, masking),
                    (_, Some(y)) => mask_alone(y, path, masking),
                    _ => {}
                }
            }
        }
        (a, b) if masks(path, masking) => {
            if a == b {
                *a = Value::String(MASK.to_string());
                *b = Value::String(MASK.to_string());
            } else {
                *a = Value::String(format!("{MASK} (before)"));
                *b = Value::String(format!("{MASK} (after)"));
            }
        }
        (a, b) => {
            // A container on one side and something else on the other: each is masked on its own.
            mask_alone(a, path, masking);
            mask_alone(b, path, masking);
        }
    }
}

fn mask_alone(value: &mut Value, path: &mut Vec<String>, masking: Masking) {
    match value {
        Value::Object(map) => mask_map(map, path, masking),
        Value::Array(items) => items.iter_mut().for_each(|item| mask_alone(item, path, masking)),
        scalar if masks(path, masking) => *scalar = Value::String(MASK.to_string()),
        _ => {}
    }
}

fn mask_map(map: &mut Map<String, Value>, path: &mut Vec<String>, masking: Masking) {
    for (key, value) in map.iter_mut() {
        path.push(key.clone());
        mask_alone(value, path, masking);
        path.pop();
    }
}

fn masks(path: &[String], masking: Masking) -> bool {
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    masking.masks(&path)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn shows_spec_changes_without_server_noise() {
        let live = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default", "uid": "u", "resourceVersion": "9", "generation": 3,
                "creationTimestamp": "2024-01-01T00:00:00Z", "managedFields": [{"manager": "kubectl"}]},
            "spec": {"replicas": 5, "template": {"spec": {"containers": [{"name": "web", "image": "nginx:1"}]}}},
            "status": {"replicas": 5}});
        let mut merged = live.clone();
        merged["spec"]["replicas"] = json!(3);
        merged["metadata"]["resourceVersion"] = json!("10");
        let diff = drift_diff(&live, &merged, false);
        assert!(diff.contains("-  replicas: 5\n+  replicas: 3\n"), "{diff}");
        for noise in ["resourceVersion", "uid", "managedFields", "status", "creationTimestamp", "generation"] {
            assert!(!diff.contains(noise), "{noise} in\n{diff}");
        }
        assert_eq!(drift_diff(&live, &live, false), "");
    }

    #[test]
    fn secret_values_are_masked_until_revealed() {
        let live = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
            "data": {"same": "YQ==", "changed": "Yg==", "gone": "Yw=="}});
        let merged = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
            "data": {"same": "YQ==", "changed": "ZA==", "new": "ZQ=="}});
        let masked = drift_diff(&live, &merged, false);
        for value in ["YQ==", "Yg==", "Yw==", "ZA==", "ZQ=="] {
            assert!(!masked.contains(value), "{value} leaked in\n{masked}");
        }
        assert!(masked.contains(&format!("-  changed: {MASK} (before)")), "{masked}");
        assert!(masked.contains(&format!("+  changed: {MASK} (after)")), "{masked}");
        assert!(
            masked.contains(&format!("-  gone: {MASK}")) && masked.contains(&format!("+  new: {MASK}")),
            "{masked}"
        );
        let revealed = drift_diff(&live, &merged, true);
        assert!(revealed.contains("-  changed: Yg==\n") && revealed.contains("+  changed: ZA==\n"), "{revealed}");
    }

    #[test]
    fn credentials_outside_secrets_are_masked_too() {
        let live = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
            "data": {"password": "old", "color": "red"}});
        let merged = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
            "data": {"password": "new", "color": "blue"}});
        let diff = drift_diff(&live, &merged, false);
        assert!(!diff.contains("old") && !diff.contains("new\n"), "{diff}");
        assert!(diff.contains("-  color: red\n") && diff.contains("+  color: blue\n"), "{diff}");
    }
}
