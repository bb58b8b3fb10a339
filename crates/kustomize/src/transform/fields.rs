//! The field transforms: namespace, name prefix and suffix, labels, annotations, replicas and images.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::specs;
use crate::fieldspec::FieldSpec;
use crate::kustomization::{Image, Replica};
use crate::resource::Resource;

/// Sets the namespace of every namespaced object, and the namespace fields kustomize knows about.
pub fn set_namespace(resources: &mut [Resource], namespace: &str, extra: &[FieldSpec]) {
    for r in resources {
        let gvk = r.gvk();
        if gvk.group.is_empty() && gvk.kind == "Namespace" {
            // kustomize renames a Namespace object to the kustomization's namespace.
            if r.name() != namespace {
                r.remember_id();
                r.set_name(namespace.to_string());
            }
            continue;
        }
        if !gvk.is_cluster_scoped() && r.namespace() != namespace {
            r.remember_id();
            r.set_namespace(namespace.to_string());
        }
        for spec in specs::NAMESPACE_FIELDS.iter().chain(extra).filter(|s| s.selects(&gvk)) {
            let _ = spec.apply(&mut r.value, &mut |v| {
                *v = Value::String(namespace.to_string());
                Ok(())
            });
        }
        // RoleBinding subjects naming the `default` service account follow the namespace.
        if gvk.group == "rbac.authorization.k8s.io"
            && matches!(gvk.kind.as_str(), "RoleBinding" | "ClusterRoleBinding")
            && let Some(Value::Array(subjects)) = r.value.get_mut("subjects")
        {
            for subject in subjects.iter_mut().filter_map(Value::as_object_mut) {
                if subject.get("name").and_then(Value::as_str) == Some("default") {
                    subject.insert("namespace".into(), Value::String(namespace.to_string()));
                }
            }
        }
    }
}

/// The fields a name prefix or suffix goes to by default: `metadata/name`, plus configured ones.
pub fn name_affix_specs(extra: &[FieldSpec]) -> Vec<FieldSpec> {
    let mut fields = vec![FieldSpec::any("metadata/name", false)];
    fields.extend(extra.iter().cloned());
    fields
}

/// Adds a name prefix (or suffix) to the fields `fields` select, in every object but CustomResourceDefinitions,
/// APIServices and Namespaces (kustomize's PrefixSuffixTransformer). A `metadata/name` spec renames the object.
pub fn set_name_affix(
    resources: &mut [Resource],
    affix: &str,
    prefix: bool,
    fields: &[FieldSpec],
) -> Result<(), String> {
    for r in resources {
        let gvk = r.original_id().gvk;
        let skipped = (gvk.group == "apiextensions.k8s.io" && gvk.kind == "CustomResourceDefinition")
            || (gvk.group == "apiregistration.k8s.io" && gvk.kind == "APIService")
            || (gvk.group.is_empty() && gvk.kind == "Namespace");
        if skipped {
            continue;
        }
        for spec in fields.iter().filter(|s| s.selects(&gvk)) {
            if spec.path == "metadata/name" {
                if affix.is_empty() {
                    continue;
                }
                r.remember_id();
                if prefix {
                    r.prefixes.push(affix.to_string());
                } else {
                    r.suffixes.push(affix.to_string());
                }
            }
            spec.apply(&mut r.value, &mut |v| {
                if let Value::String(name) = v {
                    *name = if prefix { format!("{affix}{name}") } else { format!("{name}{affix}") };
                }
                Ok(())
            })?;
        }
    }
    Ok(())
}

/// Where a set of labels goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelScope {
    /// `metadata/labels` only.
    Metadata,
    /// Also pod templates (`labels[].includeTemplates`).
    Templates,
    /// Also templates and selectors (`commonLabels`, `labels[].includeSelectors`).
    Selectors,
}

fn merge_into(pairs: &BTreeMap<String, String>) -> impl FnMut(&mut Value) -> Result<(), String> + '_ {
    move |node: &mut Value| {
        if node.is_null() {
            *node = Value::Object(Map::new());
        }
        let Value::Object(map) = node else { return Err(format!("expected a mapping, found {node}")) };
        for (k, v) in pairs {
            map.insert(k.clone(), Value::String(v.clone()));
        }
        Ok(())
    }
}

/// The fields labels of `scope` go to: kustomize's defaults plus the configured `extra` ones (`commonLabels`
/// configuration for selectors, `templateLabels` for templates).
pub fn label_specs(scope: LabelScope, extra: &[FieldSpec]) -> Vec<FieldSpec> {
    let mut fields = vec![FieldSpec::any("metadata/labels", true)];
    if scope != LabelScope::Metadata {
        fields.extend_from_slice(specs::TEMPLATE_LABELS);
    }
    if scope == LabelScope::Selectors {
        fields.extend_from_slice(specs::COMMON_LABEL_SELECTORS);
        for kind in ["Deployment", "StatefulSet"] {
            for path in specs::AFFINITY_PATHS {
                fields.push(FieldSpec::group_kind("apps", kind, path, false));
            }
        }
    }
    fields.extend(extra.iter().cloned());
    fields
}

/// Adds labels to `fields`.
pub fn add_labels(
    resources: &mut [Resource],
    pairs: &BTreeMap<String, String>,
    fields: &[FieldSpec],
) -> Result<(), String> {
    apply_fields(resources, fields, &mut merge_into(pairs))
}

/// The fields annotations go to: metadata and pod templates, plus configured ones.
pub fn annotation_specs(extra: &[FieldSpec]) -> Vec<FieldSpec> {
    let mut fields = vec![FieldSpec::any("metadata/annotations", true)];
    fields.extend_from_slice(specs::TEMPLATE_ANNOTATIONS);
    fields.extend(extra.iter().cloned());
    fields
}

/// Adds annotations to `fields`.
pub fn add_annotations(
    resources: &mut [Resource],
    pairs: &BTreeMap<String, String>,
    fields: &[FieldSpec],
) -> Result<(), String> {
    apply_fields(resources, fields, &mut merge_into(pairs))
}

fn apply_fields(
    resources: &mut [Resource],
    fields: &[FieldSpec],
    visit: &mut dyn FnMut(&mut Value) -> Result<(), String>,
) -> Result<(), String> {
    for r in resources {
        let gvk = r.gvk();
        for spec in fields.iter().filter(|s| s.selects(&gvk)) {
            spec.apply(&mut r.value, visit).map_err(|e| format!("{}: {}: {e}", r.id(), spec.path))?;
        }
    }
    Ok(())
}

/// Sets `spec.replicas` of the workloads named by `replicas` (current or earlier names), and the `extra`
/// configured replica fields of other kinds.
pub fn set_replicas(resources: &mut [Resource], replicas: &[Replica], extra: &[FieldSpec]) -> Result<(), String> {
    for replica in replicas {
        for r in resources.iter_mut() {
            if !r.all_ids().any(|id| id.name == replica.name) {
                continue;
            }
            let gvk = r.gvk();
            let mut fields: Vec<FieldSpec> = extra.iter().filter(|s| s.selects(&gvk)).cloned().collect();
            if specs::REPLICAS.contains(&r.kind()) {
                fields.push(FieldSpec::any("spec/replicas", true));
            }
            for spec in fields {
                spec.apply(&mut r.value, &mut |v| {
                    *v = Value::from(replica.count);
                    Ok(())
                })?;
            }
        }
    }
    Ok(())
}

/// kustomize's `image.Split`: name, tag and digest of an image reference.
pub fn split_image(image: &str) -> (String, String, String) {
    let slash = image.find('/').filter(|&i| i > 0).unwrap_or(0);
    let search = &image[slash..];
    let at = search.find('@').map(|i| i + slash);
    let colon = search.find(':').map(|i| i + slash);
    match (colon, at) {
        (None, None) => (image.to_string(), String::new(), String::new()),
        (c, Some(d)) if c.is_none_or(|c| d < c) => (image[..d].to_string(), String::new(), image[d + 1..].to_string()),
        (Some(c), Some(d)) => (image[..c].to_string(), image[c + 1..d].to_string(), image[d + 1..].to_string()),
        (Some(c), None) => (image[..c].to_string(), image[c + 1..].to_string(), String::new()),
        (None, Some(_)) => unreachable!("the digest-only arm takes every case without a colon"),
    }
}

fn update_image(current: &str, image: &Image) -> Option<String> {
    let (mut name, mut tag, mut digest) = split_image(current);
    if name != image.name {
        return None;
    }
    if let Some(new_name) = image.new_name.as_deref().filter(|n| !n.is_empty()) {
        name = new_name.to_string();
    }
    let new_tag = image.new_tag.as_deref().filter(|t| !t.is_empty());
    let new_digest = image.digest.as_deref().filter(|d| !d.is_empty());
    match (new_tag, new_digest) {
        (Some(t), Some(d)) => (tag, digest) = (t.to_string(), d.to_string()),
        (Some(t), None) => (tag, digest) = (t.to_string(), String::new()),
        (None, Some(d)) => (tag, digest) = (String::new(), d.to_string()),
        (None, None) => {}
    }
    if let Some(suffix) = image.tag_suffix.as_deref() {
        tag.push_str(suffix);
    }
    if !tag.is_empty() {
        name = format!("{name}:{tag}");
    }
    if !digest.is_empty() {
        name = format!("{name}@{digest}");
    }
    Some(name)
}

/// Updates the `image` of every container and init container, wherever they sit in an object, and the image
/// fields `extra` configures.
pub fn set_images(resources: &mut [Resource], images: &[Image], extra: &[FieldSpec]) -> Result<(), String> {
    for r in resources {
        walk_containers(&mut r.value, images);
        let gvk = r.gvk();
        for spec in extra.iter().filter(|s| s.selects(&gvk)) {
            spec.apply(&mut r.value, &mut |v| {
                if let Some(updated) = v.as_str().and_then(|c| images.iter().find_map(|i| update_image(c, i))) {
                    *v = Value::String(updated);
                }
                Ok(())
            })?;
        }
    }
    Ok(())
}

fn walk_containers(value: &mut Value, images: &[Image]) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if matches!(key.as_str(), "containers" | "initContainers")
                    && let Value::Array(containers) = child
                {
                    for container in containers.iter_mut().filter_map(Value::as_object_mut) {
                        let Some(current) = container.get("image").and_then(Value::as_str) else { continue };
                        if let Some(updated) = images.iter().find_map(|i| update_image(current, i)) {
                            container.insert("image".into(), Value::String(updated));
                        }
                    }
                    continue;
                }
                walk_containers(child, images);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| walk_containers(i, images)),
        _ => {}
    }
}
