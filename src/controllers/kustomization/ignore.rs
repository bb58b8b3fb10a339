//! `spec.ignore` (SEMANTICS.md §4 and §4.1, fluxcd/pkg `ssa/jsondiff`): JSON pointers that the apply neither
//! writes nor counts as drift, on the objects a rule's `target` selects (every object without a target).
//!
//! - A target selects like Flux's `jsondiff.Selector`: group, version, kind, name and namespace are regular
//!   expressions anchored at both ends, label and annotation selectors use the label-selector syntax; it is
//!   matched against the object as built.
//! - Before the dry-run, for an object that exists ([`reshape`]): an ignored field owned by another manager's
//!   server-side apply is stripped from the payload (that manager keeps it); otherwise the live value is copied
//!   into the payload, so `kustomize-controller` keeps owning the field without changing it (stripping it would
//!   make the API server delete a field only `kustomize-controller` applied). A field the cluster does not have
//!   keeps the desired value. A new object is applied whole.
//! - The drift check and the diff compare live and dry-run objects with the ignored paths removed ([`mask`]), so
//!   a difference there alone is `unchanged`.

use std::collections::BTreeMap;

use regex::Regex;
use serde_json::Value;

use super::object::ObjectId;
use crate::api::meta::{IgnoreRule, Selector};
use crate::controllers::names::controller;
use crate::model::selector::LabelSelector;

/// A compiled `target`.
#[derive(Debug, Clone)]
struct Target {
    group: Option<Regex>,
    version: Option<Regex>,
    kind: Option<Regex>,
    name: Option<Regex>,
    namespace: Option<Regex>,
    labels: Option<LabelSelector>,
    annotations: Option<LabelSelector>,
}

#[derive(Debug, Clone)]
struct Rule {
    paths: Vec<String>,
    target: Option<Target>,
}

/// The compiled `spec.ignore` rules of a Kustomization.
#[derive(Debug, Clone, Default)]
pub struct IgnoreRules {
    rules: Vec<Rule>,
}

fn anchored(field: &str, pattern: Option<&str>) -> Result<Option<Regex>, String> {
    let Some(pattern) = pattern.filter(|p| !p.is_empty()) else { return Ok(None) };
    Regex::new(&format!("^(?:{pattern})$")).map(Some).map_err(|err| format!("{field} {pattern:?}: {err}"))
}

fn selector(field: &str, text: Option<&str>) -> Result<Option<LabelSelector>, String> {
    let Some(text) = text.filter(|t| !t.is_empty()) else { return Ok(None) };
    LabelSelector::parse(text).map(Some).map_err(|err| format!("{field}: {err}"))
}

impl Target {
    fn compile(selector_spec: &Selector) -> Result<Target, String> {
        Ok(Target {
            group: anchored("group", selector_spec.group.as_deref())?,
            version: anchored("version", selector_spec.version.as_deref())?,
            kind: anchored("kind", selector_spec.kind.as_deref())?,
            name: anchored("name", selector_spec.name.as_deref())?,
            namespace: anchored("namespace", selector_spec.namespace.as_deref())?,
            labels: selector("labelSelector", selector_spec.label_selector.as_deref())?,
            annotations: selector("annotationSelector", selector_spec.annotation_selector.as_deref())?,
        })
    }

    fn matches(&self, id: &ObjectId, object: &Value) -> bool {
        let fits = |regex: &Option<Regex>, text: &str| regex.as_ref().is_none_or(|r| r.is_match(text));
        let metadata = |field: &str| -> BTreeMap<String, String> {
            object["metadata"][field]
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        };
        fits(&self.group, &id.group)
            && fits(&self.version, &id.version)
            && fits(&self.kind, &id.kind)
            && fits(&self.name, &id.name)
            && fits(&self.namespace, &id.namespace)
            && self.labels.as_ref().is_none_or(|s| s.matches(&metadata("labels")))
            && self.annotations.as_ref().is_none_or(|s| s.matches(&metadata("annotations")))
    }
}

impl IgnoreRules {
    /// Compiles the rules; a bad regular expression or selector is an error naming the rule.
    pub fn compile(rules: &[IgnoreRule]) -> Result<IgnoreRules, String> {
        let mut compiled = Vec::with_capacity(rules.len());
        for (at, rule) in rules.iter().enumerate() {
            let target = rule
                .target
                .as_ref()
                .map(Target::compile)
                .transpose()
                .map_err(|err| format!("invalid spec.ignore[{at}].target: {err}"))?;
            if let Some(path) = rule.paths.iter().flatten().find(|p| !p.is_empty() && !p.starts_with('/')) {
                return Err(format!("invalid spec.ignore[{at}].paths: {path:?} is not a JSON pointer"));
            }
            compiled.push(Rule { paths: rule.paths.clone().unwrap_or_default(), target });
        }
        Ok(IgnoreRules { rules: compiled })
    }

    /// The ignored paths of the object `id`, as built.
    pub fn paths_for(&self, id: &ObjectId, object: &Value) -> Vec<String> {
        let mut paths: Vec<String> = Vec::new();
        for rule in &self.rules {
            if rule.target.as_ref().is_none_or(|t| t.matches(id, object)) {
                for path in &rule.paths {
                    if !path.is_empty() && !paths.contains(path) {
                        paths.push(path.clone());
                    }
                }
            }
        }
        paths
    }
}

/// The reference tokens of a JSON pointer (RFC 6901: `~1` is `/`, `~0` is `~`).
fn tokens(pointer: &str) -> Vec<String> {
    pointer.split('/').skip(1).map(|t| t.replace("~1", "/").replace("~0", "~")).collect()
}

/// Removes the value at `pointer`; missing paths are left alone.
fn remove(object: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else { return };
    let last = last.replace("~1", "/").replace("~0", "~");
    match object.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.remove(&last);
        }
        Some(Value::Array(items)) => {
            if let Ok(at) = last.parse::<usize>()
                && at < items.len()
            {
                items.remove(at);
            }
        }
        _ => {}
    }
}

/// The object without the ignored paths.
pub fn mask(object: &Value, paths: &[String]) -> Value {
    let mut masked = object.clone();
    for path in paths {
        remove(&mut masked, path);
    }
    masked
}

/// Whether a manager other than `kustomize-controller` owns `pointer` through a server-side apply (not through a
/// status subresource). Paths into lists cannot be mapped onto FieldsV1 keys here and count as not owned.
fn owned_by_other_applier(live: &Value, pointer: &str) -> bool {
    let path = tokens(pointer);
    live["metadata"]["managedFields"].as_array().into_iter().flatten().any(|entry| {
        entry["operation"] == "Apply"
            && entry["manager"] != controller::KUSTOMIZE_CONTROLLER
            && entry["subresource"].as_str().is_none_or(str::is_empty)
            && fields_cover(&entry["fieldsV1"], &path)
    })
}

/// Whether a FieldsV1 set holds the field at `path`, or an atomic value above it (a leaf `{}` the path goes
/// through).
fn fields_cover(fields: &Value, path: &[String]) -> bool {
    let mut node = fields;
    for (at, token) in path.iter().enumerate() {
        match node.get(format!("f:{token}")) {
            Some(child) => node = child,
            // `{}` is an atomic value owned whole; `{".": {}}` only owns the map's presence, not its children.
            None => return at > 0 && node.as_object().is_some_and(|m| m.is_empty()),
        }
    }
    true
}

/// Reshapes the payload of an existing object for its ignored paths: stripped when another applier owns the
/// field, the live value adopted otherwise, the desired value kept when the cluster has none.
pub fn reshape(payload: &mut Value, live: &Value, paths: &[String]) {
    for path in paths {
        if payload.pointer(path).is_none() {
            continue;
        }
        let Some(live_value) = live.pointer(path) else { continue };
        if owned_by_other_applier(live, path) {
            remove(payload, path);
        } else if let Some(slot) = payload.pointer_mut(path) {
            *slot = live_value.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn rules(value: Value) -> IgnoreRules {
        IgnoreRules::compile(&serde_json::from_value::<Vec<IgnoreRule>>(value).expect("rules")).expect("compiles")
    }

    fn deployment() -> (ObjectId, Value) {
        let object = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web-1", "namespace": "apps", "labels": {"tier": "web"}},
            "spec": {"replicas": 2, "template": {"metadata": {"annotations": {"a/b": "x"}}}}});
        (ObjectId::of(&object).expect("an object"), object)
    }

    #[test]
    fn targets_select_with_anchored_expressions_and_selectors() {
        let (id, object) = deployment();
        let set = rules(json!([
            {"paths": ["/spec/replicas"], "target": {"kind": "Deploy.*", "name": "web-[0-9]"}},
            {"paths": ["/spec/paused"], "target": {"kind": "Deploy"}},
            {"paths": ["/metadata/x"], "target": {"labelSelector": "tier in (web,api)"}},
            {"paths": ["/metadata/y"], "target": {"group": "apps", "namespace": "other"}},
            {"paths": ["/metadata/z", "/spec/replicas"]},
        ]));
        assert_eq!(set.paths_for(&id, &object), ["/spec/replicas", "/metadata/x", "/metadata/z"]);
    }

    #[test]
    fn bad_rules_are_named() {
        let bad = serde_json::from_value::<Vec<IgnoreRule>>(json!([{"paths": ["/a"]}, {"paths": ["/b"],
            "target": {"name": "(unclosed"}}]))
        .unwrap();
        assert!(
            IgnoreRules::compile(&bad).unwrap_err().starts_with("invalid spec.ignore[1].target: name \"(unclosed\"")
        );
        let relative = serde_json::from_value::<Vec<IgnoreRule>>(json!([{"paths": ["spec/replicas"]}])).unwrap();
        assert_eq!(
            IgnoreRules::compile(&relative).unwrap_err(),
            "invalid spec.ignore[0].paths: \"spec/replicas\" is not a JSON pointer"
        );
    }

    #[test]
    fn masks_pointers_with_escapes_and_indexes() {
        let (_, object) = deployment();
        let masked = mask(&object, &["/spec/template/metadata/annotations/a~1b".into(), "/spec/nothing".into()]);
        assert_eq!(masked["spec"]["template"]["metadata"]["annotations"], json!({}));
        let list = mask(&json!({"items": [1, 2, 3]}), &["/items/1".into()]);
        assert_eq!(list, json!({"items": [1, 3]}));
    }

    #[test]
    fn reshape_strips_fields_of_other_appliers_and_adopts_the_rest() {
        let live = json!({"metadata": {"managedFields": [
                {"manager": "hpa", "operation": "Apply", "fieldsV1": {"f:spec": {"f:replicas": {}}}},
                {"manager": "kustomize-controller", "operation": "Apply",
                    "fieldsV1": {"f:spec": {"f:paused": {}, "f:minReadySeconds": {}}}},
                {"manager": "kubectl-edit", "operation": "Update", "fieldsV1": {"f:spec": {"f:paused": {}}}}]},
            "spec": {"replicas": 5, "paused": true, "minReadySeconds": 3}});
        let mut payload = json!({"spec": {"replicas": 2, "paused": false, "minReadySeconds": 1, "new": 1}});
        let paths: Vec<String> =
            ["/spec/replicas", "/spec/paused", "/spec/new", "/spec/absent"].map(String::from).to_vec();
        reshape(&mut payload, &live, &paths);
        assert_eq!(payload, json!({"spec": {"paused": true, "minReadySeconds": 1, "new": 1}}));
    }
}
