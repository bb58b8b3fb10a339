//! Patch targets: kustomize's `Selector`. Group, version, kind, name and namespace are anchored regular
//! expressions; name and namespace match the original or the current id; label and annotation selectors use the
//! Kubernetes label selector syntax (`a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`).

use regex::Regex;
use serde::Deserialize;
use serde_json::Value;

use crate::resource::Resource;

/// A `target`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Target {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub namespace: String,
    #[serde(default)]
    pub label_selector: String,
    #[serde(default)]
    pub annotation_selector: String,
}

fn anchored(pattern: &str) -> Result<Option<Regex>, String> {
    if pattern.is_empty() {
        return Ok(None);
    }
    Regex::new(&format!("^(?:{pattern})$")).map(Some).map_err(|e| format!("invalid target pattern `{pattern}`: {e}"))
}

fn is_match(regex: &Option<Regex>, text: &str) -> bool {
    regex.as_ref().is_none_or(|r| r.is_match(text))
}

impl Target {
    /// The indices of the resources this target selects, in order.
    pub fn select(&self, resources: &[Resource]) -> Result<Vec<usize>, String> {
        let group = anchored(&self.group)?;
        let version = anchored(&self.version)?;
        let kind = anchored(&self.kind)?;
        let name = anchored(&self.name)?;
        let namespace = anchored(&self.namespace)?;
        let labels = Selector::parse(&self.label_selector)?;
        let annotations = Selector::parse(&self.annotation_selector)?;
        let mut out = Vec::new();
        for (i, r) in resources.iter().enumerate() {
            let (original, current) = (r.original_id(), r.id());
            let gvk = r.gvk();
            let selected = (is_match(&namespace, original.effective_namespace())
                || is_match(&namespace, current.effective_namespace()))
                && (is_match(&name, &original.name) || is_match(&name, &current.name))
                && is_match(&group, &gvk.group)
                && is_match(&version, &gvk.version)
                && is_match(&kind, &gvk.kind)
                && labels.matches(r.value.pointer("/metadata/labels"))
                && annotations.matches(r.value.pointer("/metadata/annotations"));
            if selected {
                out.push(i);
            }
        }
        Ok(out)
    }
}

#[derive(Debug, PartialEq)]
enum Requirement {
    Exists(String),
    NotExists(String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
}

/// A parsed label (or annotation) selector; empty selects everything.
#[derive(Debug, PartialEq)]
pub struct Selector(Vec<Requirement>);

/// Splits on commas outside parentheses.
fn split_requirements(text: &str) -> Vec<&str> {
    let (mut depth, mut start, mut out) = (0i32, 0, Vec::new());
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out
}

fn set_of(text: &str) -> Result<Vec<String>, String> {
    let inner = text
        .trim()
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .ok_or_else(|| format!("expected a set in parentheses, found `{text}`"))?;
    Ok(inner.split(',').map(|v| v.trim().to_string()).collect())
}

impl Selector {
    pub fn parse(text: &str) -> Result<Selector, String> {
        let mut requirements = Vec::new();
        if text.trim().is_empty() {
            return Ok(Selector(requirements));
        }
        for part in split_requirements(text) {
            let part = part.trim();
            let requirement = if let Some((key, value)) = part.split_once("!=") {
                Requirement::NotIn(key.trim().into(), vec![value.trim().into()])
            } else if let Some((key, value)) = part.split_once("==").or_else(|| part.split_once('=')) {
                Requirement::In(key.trim().into(), vec![value.trim().into()])
            } else if let Some((key, set)) = part.split_once(" notin ") {
                Requirement::NotIn(key.trim().into(), set_of(set)?)
            } else if let Some((key, set)) = part.split_once(" in ") {
                Requirement::In(key.trim().into(), set_of(set)?)
            } else if let Some(key) = part.strip_prefix('!') {
                Requirement::NotExists(key.trim().into())
            } else if !part.is_empty() && !part.contains(char::is_whitespace) {
                Requirement::Exists(part.into())
            } else {
                return Err(format!("unable to parse requirement `{part}` of selector `{text}`"));
            };
            requirements.push(requirement);
        }
        Ok(Selector(requirements))
    }

    /// Whether a `metadata.labels` (or `annotations`) mapping satisfies every requirement.
    pub fn matches(&self, map: Option<&Value>) -> bool {
        let get = |key: &str| map.and_then(|m| m.get(key)).and_then(Value::as_str);
        self.0.iter().all(|r| match r {
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::NotExists(k) => get(k).is_none(),
            Requirement::In(k, set) => get(k).is_some_and(|v| set.iter().any(|s| s == v)),
            Requirement::NotIn(k, set) => get(k).is_none_or(|v| set.iter().all(|s| s != v)),
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn resource(kind: &str, name: &str, labels: Value) -> Resource {
        Resource::new(json!({"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "labels": labels}}))
            .unwrap()
    }

    #[test]
    fn label_selectors_use_kubernetes_syntax() {
        let labels = json!({"app": "web", "tier": "front"});
        let yes = ["app=web", "app==web,tier", "tier in (back, front)", "app notin (db)", "!missing", "app!=db", ""];
        for text in yes {
            assert!(Selector::parse(text).unwrap().matches(Some(&labels)), "{text}");
        }
        for text in ["app=db", "missing", "!app", "tier notin (front)", "app in (db,cache)"] {
            assert!(!Selector::parse(text).unwrap().matches(Some(&labels)), "{text}");
        }
    }

    #[test]
    fn names_are_anchored_regular_expressions() {
        let resources = vec![
            resource("Deployment", "web", json!({"app": "x"})),
            resource("Deployment", "web-2", json!({})),
            resource("StatefulSet", "web", json!({})),
        ];
        let target = Target { kind: "Deployment".into(), name: "web".into(), ..Default::default() };
        assert_eq!(target.select(&resources).unwrap(), vec![0]);
        let target = Target { name: "web.*".into(), label_selector: "!app".into(), ..Default::default() };
        assert_eq!(target.select(&resources).unwrap(), vec![1, 2]);
        let target = Target { group: "apps".into(), namespace: "default".into(), ..Default::default() };
        assert_eq!(target.select(&resources).unwrap(), vec![0, 1, 2]);
    }
}
