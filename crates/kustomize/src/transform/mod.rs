//! The transforms of one kustomization level, in kustomize's order: patches, namespace, name prefix, name suffix, labels,
//! annotations, JSON 6902 patches, replicas, images; then the name reference fix-up.

mod fields;
mod name_reference;
pub mod specs;

use crate::kustomization::Kustomization;
use crate::patch::Patches;
use crate::resource::Resource;

pub use fields::{LabelScope, add_annotations, add_labels, set_images, set_name_affix, set_namespace, set_replicas};
pub use name_reference::fix as fix_name_references;

/// Applies every transform `kustomization` sets to `resources`.
pub fn apply_all(
    kustomization: &Kustomization,
    patches: &Patches,
    resources: &mut Vec<Resource>,
) -> Result<(), String> {
    patches.apply_early(resources)?;
    if let Some(namespace) = kustomization.namespace.as_deref().filter(|n| !n.is_empty()) {
        set_namespace(resources, namespace);
    }
    if let Some(prefix) = kustomization.name_prefix.as_deref().filter(|p| !p.is_empty()) {
        set_name_affix(resources, prefix, true);
    }
    if let Some(suffix) = kustomization.name_suffix.as_deref().filter(|s| !s.is_empty()) {
        set_name_affix(resources, suffix, false);
    }
    for label in &kustomization.labels {
        if label.fields.is_some() {
            return Err("labels[].fields is not supported yet by this engine".into());
        }
        let scope = if label.include_selectors {
            LabelScope::Selectors
        } else if label.include_templates {
            LabelScope::Templates
        } else {
            LabelScope::Metadata
        };
        add_labels(resources, &label.pairs, scope)?;
    }
    if !kustomization.common_labels.is_empty() {
        add_labels(resources, &kustomization.common_labels, LabelScope::Selectors)?;
    }
    if !kustomization.common_annotations.is_empty() {
        add_annotations(resources, &kustomization.common_annotations)?;
    }
    patches.apply_json6902(resources)?;
    if !kustomization.replicas.is_empty() {
        set_replicas(resources, &kustomization.replicas)?;
    }
    if !kustomization.images.is_empty() {
        set_images(resources, &kustomization.images);
    }
    name_reference::fix(resources)?;
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
