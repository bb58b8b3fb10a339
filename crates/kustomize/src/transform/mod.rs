//! The transforms of one kustomization level, in kustomize's order: patches, namespace, name prefix, name suffix,
//! labels, annotations, JSON 6902 patches, replicas, images (replacements and `transformers` plugins follow in
//! the target); then the name reference fix-up.

pub mod config;
mod crd;
mod fields;
mod name_reference;
pub mod specs;

use std::path::Path;

use crate::fieldspec::FieldSpec;
use crate::kustomization::Kustomization;
use crate::openapi::OpenApi;
use crate::origin::Origin;
use crate::patch::Patches;
use crate::resource::Resource;
use config::TransformerConfig;

pub use fields::{
    LabelScope, add_annotations, add_labels, annotation_specs, label_specs, name_affix_specs, set_images,
    set_name_affix, set_namespace, set_replicas,
};
pub use name_reference::fix as fix_name_references;

/// The fields of a `labels` entry with its scope.
pub fn labels_entry_specs(
    label: &crate::kustomization::Label,
    config: &TransformerConfig,
) -> Result<Vec<FieldSpec>, String> {
    let (scope, extra) = if label.include_selectors {
        (LabelScope::Selectors, &config.common_labels)
    } else if label.include_templates {
        (LabelScope::Templates, &config.template_labels)
    } else {
        (LabelScope::Metadata, &Vec::new())
    };
    let mut specs = label_specs(scope, extra);
    specs.extend(config.labels.iter().cloned());
    if let Some(fields) = &label.fields {
        let fields: Vec<crate::fieldspec::FieldSpecText> =
            serde_json::from_value(fields.clone()).map_err(|e| format!("labels[].fields: {e}"))?;
        specs.extend(fields.into_iter().map(FieldSpec::from));
    }
    Ok(specs)
}

/// Applies every builtin transform `kustomization` (read from `file`) sets to `resources`, and says which
/// transformers ran (for `buildMetadata: [transformerAnnotations]`).
pub fn apply_builtins(
    file: &Path,
    kustomization: &Kustomization,
    patches: &Patches,
    config: &TransformerConfig,
    resources: &mut Vec<Resource>,
    openapi: &mut OpenApi,
) -> Result<Vec<Origin>, String> {
    let mut ran = Vec::new();
    let mut record = |kind: &str, times: usize| ran.extend((0..times).map(|_| Origin::builtin(file, kind)));
    record("PatchStrategicMergeTransformer", usize::from(patches.has_strategic_merge()));
    record("PatchTransformer", patches.patches_count());
    patches.apply_early(resources, openapi)?;
    if let Some(namespace) = kustomization.namespace.as_deref().filter(|n| !n.is_empty()) {
        set_namespace(resources, namespace, &config.namespace);
        record("NamespaceTransformer", 1);
    }
    if let Some(prefix) = kustomization.name_prefix.as_deref().filter(|p| !p.is_empty()) {
        set_name_affix(resources, prefix, true, &name_affix_specs(&config.name_prefix))?;
        record("PrefixTransformer", 1);
    }
    if let Some(suffix) = kustomization.name_suffix.as_deref().filter(|s| !s.is_empty()) {
        set_name_affix(resources, suffix, false, &name_affix_specs(&config.name_suffix))?;
        record("SuffixTransformer", 1);
    }
    for label in &kustomization.labels {
        add_labels(resources, &label.pairs, &labels_entry_specs(label, config)?)?;
        record("LabelTransformer", 1);
    }
    if !kustomization.common_labels.is_empty() {
        add_labels(
            resources,
            &kustomization.common_labels,
            &label_specs(LabelScope::Selectors, &config.common_labels),
        )?;
        record("LabelTransformer", 1);
    }
    if !kustomization.common_annotations.is_empty() {
        add_annotations(resources, &kustomization.common_annotations, &annotation_specs(&config.common_annotations))?;
        record("AnnotationsTransformer", 1);
    }
    patches.apply_json6902(resources, openapi)?;
    record("PatchJson6902Transformer", patches.json6902_count());
    if !kustomization.replicas.is_empty() {
        set_replicas(resources, &kustomization.replicas, &config.replicas)?;
        record("ReplicaCountTransformer", kustomization.replicas.len());
    }
    if !kustomization.images.is_empty() {
        set_images(resources, &kustomization.images, &config.images)?;
        record("ImageTagTransformer", kustomization.images.len());
    }
    Ok(ran)
}

/// The end of a level: references follow renamed objects, and ids must still be unique.
pub fn finish_level(config: &TransformerConfig, resources: &mut [Resource]) -> Result<(), String> {
    name_reference::fix(resources, config)?;
    check_unique(resources)
}

/// Fails when two resources ended with the same id (as `ResId::same_as` compares them). A set, not a pairwise
/// scan: levels of thousands of resources are common.
fn check_unique(resources: &[Resource]) -> Result<(), String> {
    let mut seen = std::collections::HashSet::new();
    for r in resources {
        let id = r.id();
        if !seen.insert((id.gvk.clone(), id.name.clone(), id.effective_namespace().to_string())) {
            return Err(format!("transformations produce an id conflict: {id}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
