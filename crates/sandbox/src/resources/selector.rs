//! Label and field selectors, parsed as the API server parses `labelSelector` and `fieldSelector`.

use crate::error::ApiError;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
enum LabelRequirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

/// A parsed `labelSelector`; the empty selector matches everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabelSelector(Vec<LabelRequirement>);

impl LabelSelector {
    pub fn parse(text: &str) -> Result<Self, ApiError> {
        let mut requirements = Vec::new();
        for term in split_terms(text) {
            let term = term.trim();
            if term.is_empty() {
                continue;
            }
            requirements.push(parse_label_term(term)?);
        }
        Ok(LabelSelector(requirements))
    }

    /// Builds a selector from a `metav1.LabelSelector` object (matchLabels + matchExpressions).
    pub fn from_object(selector: &Value) -> Self {
        let mut requirements = Vec::new();
        if let Some(labels) = selector.get("matchLabels").and_then(Value::as_object) {
            for (key, value) in labels {
                requirements
                    .push(LabelRequirement::Equals(key.clone(), value.as_str().unwrap_or_default().to_string()));
            }
        }
        for expression in selector.get("matchExpressions").and_then(Value::as_array).into_iter().flatten() {
            let key = expression.get("key").and_then(Value::as_str).unwrap_or_default().to_string();
            let values: Vec<String> = expression
                .get("values")
                .and_then(Value::as_array)
                .map(|v| v.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            match expression.get("operator").and_then(Value::as_str) {
                Some("In") => requirements.push(LabelRequirement::In(key, values)),
                Some("NotIn") => requirements.push(LabelRequirement::NotIn(key, values)),
                Some("Exists") => requirements.push(LabelRequirement::Exists(key)),
                Some("DoesNotExist") => requirements.push(LabelRequirement::DoesNotExist(key)),
                _ => {}
            }
        }
        LabelSelector(requirements)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.0.iter().all(|requirement| match requirement {
            LabelRequirement::Equals(k, v) => labels.get(k) == Some(v),
            LabelRequirement::NotEquals(k, v) => labels.get(k) != Some(v),
            LabelRequirement::In(k, vs) => labels.get(k).is_some_and(|v| vs.contains(v)),
            LabelRequirement::NotIn(k, vs) => labels.get(k).is_none_or(|v| !vs.contains(v)),
            LabelRequirement::Exists(k) => labels.contains_key(k),
            LabelRequirement::DoesNotExist(k) => !labels.contains_key(k),
        })
    }
}

impl LabelRequirement {
    fn key(&self) -> &str {
        match self {
            LabelRequirement::Equals(k, _)
            | LabelRequirement::NotEquals(k, _)
            | LabelRequirement::In(k, _)
            | LabelRequirement::NotIn(k, _)
            | LabelRequirement::Exists(k)
            | LabelRequirement::DoesNotExist(k) => k,
        }
    }
}

/// `labels.Requirement.String()`: `k=v`, `k!=v`, `k in (a,b)`, `k notin (a)`, `k`, `!k`, with
/// set values sorted.
impl std::fmt::Display for LabelRequirement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sorted = |values: &[String]| {
            let mut values: Vec<&str> = values.iter().map(String::as_str).collect();
            values.sort_unstable();
            values.join(",")
        };
        match self {
            LabelRequirement::Equals(k, v) => write!(f, "{k}={v}"),
            LabelRequirement::NotEquals(k, v) => write!(f, "{k}!={v}"),
            LabelRequirement::In(k, vs) => write!(f, "{k} in ({})", sorted(vs)),
            LabelRequirement::NotIn(k, vs) => write!(f, "{k} notin ({})", sorted(vs)),
            LabelRequirement::Exists(k) => write!(f, "{k}"),
            LabelRequirement::DoesNotExist(k) => write!(f, "!{k}"),
        }
    }
}

/// `metav1.LabelSelectorAsSelector(...).String()`: the requirements sorted by key, comma-joined;
/// the empty selector is `""` (tables show it as `<none>`, as `metav1.FormatLabelSelector` does).
impl std::fmt::Display for LabelSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut rendered: Vec<(&str, String)> = self.0.iter().map(|r| (r.key(), r.to_string())).collect();
        rendered.sort();
        for (i, (_, text)) in rendered.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(text)?;
        }
        Ok(())
    }
}

/// Splits on commas that are not inside `( )`.
fn split_terms(text: &str) -> Vec<&str> {
    let mut terms = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                terms.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    terms.push(&text[start..]);
    terms
}

fn parse_label_term(term: &str) -> Result<LabelRequirement, ApiError> {
    let invalid = || ApiError::bad_request(format!("unable to parse requirement: invalid label selector: {term:?}"));
    if let Some(key) = term.strip_prefix('!') {
        return Ok(LabelRequirement::DoesNotExist(valid_key(key.trim()).ok_or_else(invalid)?));
    }
    for (op, negate) in [(" notin ", true), (" in ", false)] {
        if let Some((key, rest)) = term.split_once(op) {
            let key = valid_key(key.trim()).ok_or_else(invalid)?;
            let values = rest.trim().strip_prefix('(').and_then(|r| r.strip_suffix(')')).ok_or_else(invalid)?;
            let values: Vec<String> =
                values.split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect();
            return Ok(if negate { LabelRequirement::NotIn(key, values) } else { LabelRequirement::In(key, values) });
        }
    }
    for (op, negate) in [("!=", true), ("==", false), ("=", false)] {
        if let Some((key, value)) = term.split_once(op) {
            let key = valid_key(key.trim()).ok_or_else(invalid)?;
            let value = value.trim().to_string();
            return Ok(if negate {
                LabelRequirement::NotEquals(key, value)
            } else {
                LabelRequirement::Equals(key, value)
            });
        }
    }
    Ok(LabelRequirement::Exists(valid_key(term).ok_or_else(invalid)?))
}

fn valid_key(key: &str) -> Option<String> {
    let ok = !key.is_empty()
        && key.len() <= 317
        && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    ok.then(|| key.to_string())
}

/// A parsed `fieldSelector`: `path=value`, `path==value` and `path!=value` terms.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldSelector(Vec<(String, bool, String)>);

impl FieldSelector {
    /// Parses and checks the fields against what the resource supports, as the server does
    /// (`field label not supported: spec.foo`).
    pub fn parse(text: &str, supported: &[&str]) -> Result<Self, ApiError> {
        let mut terms = Vec::new();
        for term in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let (field, negate, value) = if let Some((f, v)) = term.split_once("!=") {
                (f, true, v)
            } else if let Some((f, v)) = term.split_once("==") {
                (f, false, v)
            } else if let Some((f, v)) = term.split_once('=') {
                (f, false, v)
            } else {
                return Err(ApiError::bad_request(format!("invalid selector: '{text}'; can't understand '{term}'")));
            };
            let field = field.trim();
            if !supported.contains(&field) {
                return Err(ApiError::bad_request(format!("field label not supported: {field}")));
            }
            terms.push((field.to_string(), negate, value.trim().to_string()));
        }
        Ok(FieldSelector(terms))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the selector only needs name and namespace, which the store knows without parsing.
    pub fn needs_object(&self) -> bool {
        self.0.iter().any(|(field, _, _)| field != "metadata.name" && field != "metadata.namespace")
    }

    pub fn matches(&self, namespace: &str, name: &str, object: Option<&Value>) -> bool {
        self.0.iter().all(|(field, negate, expected)| {
            let actual = match field.as_str() {
                "metadata.name" => name.to_string(),
                "metadata.namespace" => namespace.to_string(),
                path => object.map(|o| field_value(o, path)).unwrap_or_default(),
            };
            (actual == *expected) != *negate
        })
    }
}

/// The string form of a dotted field path, as field selectors compare it.
fn field_value(object: &Value, path: &str) -> String {
    let mut current = object;
    for part in path.split('.') {
        match current.get(part) {
            Some(next) => current = next,
            None => return String::new(),
        }
    }
    match current {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Field selectors each resource supports, beyond metadata.name and metadata.namespace.
pub fn supported_fields(group: &str, resource: &str) -> &'static [&'static str] {
    const COMMON: &[&str] = &["metadata.name", "metadata.namespace"];
    match (group, resource) {
        ("", "events") | ("events.k8s.io", "events") => &[
            "metadata.name",
            "metadata.namespace",
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
            "regarding.kind",
            "regarding.namespace",
            "regarding.name",
            "regarding.uid",
        ],
        ("", "pods") => &[
            "metadata.name",
            "metadata.namespace",
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        ],
        ("", "secrets") => &["metadata.name", "metadata.namespace", "type"],
        ("", "namespaces") => &["metadata.name", "status.phase"],
        ("", "nodes") => &["metadata.name", "spec.unschedulable"],
        ("apps", "replicasets") => &["metadata.name", "metadata.namespace", "status.replicas"],
        ("batch", "jobs") => &["metadata.name", "metadata.namespace", "status.successful"],
        _ => COMMON,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn label_selectors_parse_every_operator() {
        let selector = LabelSelector::parse("app=web,tier!=db,env in (prod, staging),!legacy,team").expect("parses");
        assert!(selector.matches(&labels(&[("app", "web"), ("env", "prod"), ("team", "a")])));
        assert!(!selector.matches(&labels(&[("app", "web"), ("env", "dev"), ("team", "a")])));
        assert!(!selector.matches(&labels(&[("app", "web"), ("env", "prod"), ("team", "a"), ("legacy", "")])));
        let notin = LabelSelector::parse("env notin (prod)").expect("parses");
        assert!(notin.matches(&labels(&[])));
        assert!(LabelSelector::parse("a=(b").is_err() || LabelSelector::parse("=x").is_err());
    }

    #[test]
    fn field_selectors_check_support_and_match_nested_fields() {
        let event = json!({"involvedObject": {"kind": "Kustomization", "name": "apps"}});
        let selector =
            FieldSelector::parse("involvedObject.kind=Kustomization,metadata.name!=x", supported_fields("", "events"))
                .expect("parses");
        assert!(selector.needs_object());
        assert!(selector.matches("flux-system", "e1", Some(&event)));
        let err = FieldSelector::parse("spec.foo=bar", supported_fields("", "configmaps")).expect_err("unsupported");
        assert_eq!(err.message, "field label not supported: spec.foo");
    }

    #[test]
    fn selectors_print_like_the_real_server() {
        let selector = LabelSelector::from_object(&json!({
            "matchLabels": {"tier": "web", "app": "podinfo"},
            "matchExpressions": [
                {"key": "env", "operator": "In", "values": ["prod", "dev"]},
                {"key": "zone", "operator": "NotIn", "values": ["b"]},
                {"key": "canary", "operator": "DoesNotExist"},
                {"key": "team", "operator": "Exists"}
            ]
        }));
        assert_eq!(selector.to_string(), "app=podinfo,!canary,env in (dev,prod),team,tier=web,zone notin (b)");
        assert_eq!(LabelSelector::from_object(&json!({})).to_string(), "");
        assert_eq!(LabelSelector::parse("b!=2,a=1").expect("parses").to_string(), "a=1,b!=2");
    }

    #[test]
    fn match_labels_objects_become_selectors() {
        let selector = LabelSelector::from_object(
            &json!({"matchLabels": {"app": "podinfo"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["web"]}]}),
        );
        assert!(selector.matches(&labels(&[("app", "podinfo"), ("tier", "web")])));
        assert!(!selector.matches(&labels(&[("app", "podinfo")])));
    }
}
