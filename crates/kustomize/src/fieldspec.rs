//! Field specs: "this path, in objects of this kind", as kustomize's transformer configurations write them
//! (`spec/template/metadata/labels`, `spec/containers[]/image`). A path walks through sequences on its own.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::resource::Gvk;

type Text = Cow<'static, str>;

/// Where a transformer writes. Built-in tables borrow static text; `configurations` and CRDs own theirs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    pub group: Option<Text>,
    pub version: Option<Text>,
    pub kind: Option<Text>,
    pub path: Text,
    /// Create the field (and missing mappings on the way) when it is absent.
    pub create: bool,
}

/// A field spec as `configurations` files write it: `{group, version, kind, path, create}` (other keys, such as
/// the old `behavior`, ignored as kustomize ignores them).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldSpecText {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub create: bool,
}

impl From<FieldSpecText> for FieldSpec {
    fn from(text: FieldSpecText) -> Self {
        let part = |s: String| if s.is_empty() { None } else { Some(Cow::Owned(s)) };
        FieldSpec {
            group: part(text.group),
            version: part(text.version),
            kind: part(text.kind),
            path: Cow::Owned(text.path),
            create: text.create,
        }
    }
}

impl FieldSpec {
    pub const fn any(path: &'static str, create: bool) -> Self {
        FieldSpec { group: None, version: None, kind: None, path: Cow::Borrowed(path), create }
    }

    pub const fn kind(kind: &'static str, path: &'static str, create: bool) -> Self {
        FieldSpec { group: None, version: None, kind: Some(Cow::Borrowed(kind)), path: Cow::Borrowed(path), create }
    }

    pub const fn group_kind(group: &'static str, kind: &'static str, path: &'static str, create: bool) -> Self {
        FieldSpec {
            group: Some(Cow::Borrowed(group)),
            version: None,
            kind: Some(Cow::Borrowed(kind)),
            path: Cow::Borrowed(path),
            create,
        }
    }

    pub const fn version_kind(version: &'static str, kind: &'static str, path: &'static str, create: bool) -> Self {
        FieldSpec {
            group: None,
            version: Some(Cow::Borrowed(version)),
            kind: Some(Cow::Borrowed(kind)),
            path: Cow::Borrowed(path),
            create,
        }
    }

    /// kustomize's `Gvk.IsSelected`: every part the spec sets must match.
    pub fn selects(&self, gvk: &Gvk) -> bool {
        self.group.as_deref().is_none_or(|g| g == gvk.group)
            && self.version.as_deref().is_none_or(|v| v == gvk.version)
            && self.kind.as_deref().is_none_or(|k| k == gvk.kind)
    }

    /// Path segments, `\/` kept inside a segment and `[]` markers dropped.
    pub fn segments(&self) -> Vec<String> {
        segments_of(&self.path)
    }

    /// Calls `visit` on every node the path reaches in `value` (creating it as `null` first when `create` is set
    /// and it is missing). Sequences on the way are walked element by element.
    pub fn apply(
        &self,
        value: &mut Value,
        visit: &mut dyn FnMut(&mut Value) -> Result<(), String>,
    ) -> Result<(), String> {
        walk(value, &self.segments(), self.create, visit)
    }
}

/// Calls `visit` on every existing node `path` reaches in `value`.
pub fn apply_path(
    path: &str,
    value: &mut Value,
    visit: &mut dyn FnMut(&mut Value) -> Result<(), String>,
) -> Result<(), String> {
    walk(value, &segments_of(path), false, visit)
}

fn segments_of(path: &str) -> Vec<String> {
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'/') => {
                current.push('/');
                chars.next();
            }
            '/' => segments.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    segments.push(current);
    segments.into_iter().map(|s| s.trim_end_matches("[]").to_string()).collect()
}

fn walk(
    value: &mut Value,
    segments: &[String],
    create: bool,
    visit: &mut dyn FnMut(&mut Value) -> Result<(), String>,
) -> Result<(), String> {
    let Some((first, rest)) = segments.split_first() else { return visit(value) };
    match value {
        Value::Array(items) => {
            for item in items {
                walk(item, segments, create, visit)?;
            }
            Ok(())
        }
        Value::Object(map) => match map.get_mut(first.as_str()) {
            Some(Value::Null) if create && !rest.is_empty() => {
                let child = map.entry(first.clone()).or_insert(Value::Null);
                *child = Value::Object(Map::new());
                walk(child, rest, create, visit)
            }
            Some(child) => walk(child, rest, create, visit),
            None if create => {
                let child = map.entry(first.clone()).or_insert(if rest.is_empty() {
                    Value::Null
                } else {
                    Value::Object(Map::new())
                });
                walk(child, rest, create, visit)
            }
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn walks_sequences_and_creates_missing_mappings() {
        let mut doc = json!({"spec": {"containers": [{"image": "a"}, {"image": "b"}]}});
        let mut seen = Vec::new();
        FieldSpec::any("spec/containers[]/image", false)
            .apply(&mut doc, &mut |v| {
                seen.push(v.clone());
                Ok(())
            })
            .unwrap();
        assert_eq!(seen, vec![json!("a"), json!("b")]);
        FieldSpec::any("spec/selector/matchLabels", true)
            .apply(&mut doc, &mut |v| {
                *v = json!({"x": "y"});
                Ok(())
            })
            .unwrap();
        assert_eq!(doc["spec"]["selector"], json!({"matchLabels": {"x": "y"}}));
    }

    #[test]
    fn escaped_slashes_stay_in_a_segment() {
        let spec = FieldSpec::any("metadata/annotations/ingress.kubernetes.io\\/auth-secret", false);
        assert_eq!(spec.segments(), ["metadata", "annotations", "ingress.kubernetes.io/auth-secret"]);
    }
}
