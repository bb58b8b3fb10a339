//! Which resources the server serves: the built-in kinds plus every version of every installed CRD.
//!
//! A [`ResourceInfo`] is one (group, version, resource); versions of the same CRD share storage,
//! keyed by [`GroupResource`].

mod builtin;
mod crd;

pub use builtin::builtin_resources;
pub use crd::{CrdError, resources_from_crd};

use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The storage key of a resource: all its versions live under one `GroupResource`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupResource {
    pub group: String,
    pub resource: String,
}

impl GroupResource {
    pub fn new(group: &str, resource: &str) -> Self {
        GroupResource { group: group.to_string(), resource: resource.to_string() }
    }
}

impl std::fmt::Display for GroupResource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.group.is_empty() {
            write!(f, "{}", self.resource)
        } else {
            write!(f, "{}.{}", self.resource, self.group)
        }
    }
}

/// One `additionalPrinterColumns` entry (CRDs) or a built-in table column.
#[derive(Debug, Clone, PartialEq)]
pub struct PrinterColumn {
    pub name: String,
    /// OpenAPI type: `string`, `integer`, `number`, `boolean`, `date`.
    pub column_type: String,
    pub format: String,
    pub description: String,
    pub priority: i64,
    /// A simple JSONPath such as `.status.conditions[?(@.type=="Ready")].status`.
    pub json_path: String,
}

/// The `scale` subresource of a CRD (or a built-in workload).
#[derive(Debug, Clone, PartialEq)]
pub struct ScaleSubresource {
    pub spec_replicas_path: String,
    pub status_replicas_path: String,
    pub label_selector_path: Option<String>,
}

/// Everything the server knows about one (group, version, resource).
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceInfo {
    /// `""` for the core group.
    pub group: String,
    pub version: String,
    pub kind: String,
    pub list_kind: String,
    pub plural: String,
    pub singular: String,
    pub namespaced: bool,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    pub verbs: Vec<String>,
    pub status_subresource: bool,
    pub scale_subresource: Option<ScaleSubresource>,
    /// Only pods serve `log`.
    pub log_subresource: bool,
    pub printer_columns: Vec<PrinterColumn>,
    /// The version's `openAPIV3Schema` for CRD resources; built-ins carry none (see `schema::builtin`).
    pub schema: Option<Arc<Value>>,
    /// Is this the version objects are stored in?
    pub storage_version: bool,
    /// Whether objects of this kind bump `metadata.generation` on spec changes (everything but a few core kinds).
    pub has_spec_generation: bool,
    /// The CRD that defines this resource, when it is not built in.
    pub crd_name: Option<String>,
}

impl ResourceInfo {
    pub fn group_resource(&self) -> GroupResource {
        GroupResource::new(&self.group, &self.plural)
    }

    /// `apps/v1`, or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() { self.version.clone() } else { format!("{}/{}", self.group, self.version) }
    }

    pub fn is_builtin(&self) -> bool {
        self.crd_name.is_none()
    }
}

/// The live set of served resources. Cheap to clone via `Arc` snapshots: readers take
/// [`Registry::snapshot`] and never hold a lock while serving.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    /// (group, version) -> resources in that version, in a stable order.
    by_group_version: BTreeMap<(String, String), Vec<Arc<ResourceInfo>>>,
    /// Preferred (storage, else first served) version per group, in the order groups were added.
    group_order: Vec<String>,
}

impl Registry {
    /// A registry holding only the built-in kinds.
    pub fn with_builtins() -> Self {
        let mut registry = Registry::default();
        for info in builtin_resources() {
            registry.insert(info);
        }
        registry
    }

    pub fn insert(&mut self, info: ResourceInfo) {
        if !self.group_order.contains(&info.group) {
            self.group_order.push(info.group.clone());
        }
        let entry = self.by_group_version.entry((info.group.clone(), info.version.clone())).or_default();
        entry.retain(|existing| existing.plural != info.plural);
        entry.push(Arc::new(info));
    }

    /// Removes every version of the resources a CRD defined.
    pub fn remove_crd(&mut self, crd_name: &str) {
        for resources in self.by_group_version.values_mut() {
            resources.retain(|info| info.crd_name.as_deref() != Some(crd_name));
        }
        self.by_group_version.retain(|_, resources| !resources.is_empty());
        let groups: Vec<String> = self.by_group_version.keys().map(|(g, _)| g.clone()).collect();
        self.group_order.retain(|g| groups.contains(g));
    }

    /// Looks up by URL parts: group, version and plural resource name.
    pub fn get(&self, group: &str, version: &str, plural: &str) -> Option<Arc<ResourceInfo>> {
        self.by_group_version
            .get(&(group.to_string(), version.to_string()))?
            .iter()
            .find(|info| info.plural == plural)
            .cloned()
    }

    /// Looks up by apiVersion and kind, as found in an object body.
    pub fn by_kind(&self, api_version: &str, kind: &str) -> Option<Arc<ResourceInfo>> {
        let (group, version) = split_api_version(api_version);
        self.by_group_version
            .get(&(group.to_string(), version.to_string()))?
            .iter()
            .find(|info| info.kind == kind)
            .cloned()
    }

    /// The storage version's info of a group-resource.
    pub fn storage_info(&self, gr: &GroupResource) -> Option<Arc<ResourceInfo>> {
        let mut fallback = None;
        for ((group, _), resources) in &self.by_group_version {
            if group != &gr.group {
                continue;
            }
            for info in resources.iter().filter(|info| info.plural == gr.resource) {
                if info.storage_version {
                    return Some(info.clone());
                }
                fallback.get_or_insert_with(|| info.clone());
            }
        }
        fallback
    }

    /// Every served version of one group, preferred (storage) version first.
    pub fn versions_of(&self, group: &str) -> Vec<String> {
        let mut versions: Vec<(bool, String)> = self
            .by_group_version
            .iter()
            .filter(|((g, _), _)| g == group)
            .map(|((_, v), resources)| (resources.iter().any(|r| r.storage_version), v.clone()))
            .collect();
        versions.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| version_priority(&b.1).cmp(&version_priority(&a.1))));
        versions.into_iter().map(|(_, v)| v).collect()
    }

    /// Groups in discovery order (core first, then the order they appeared).
    pub fn groups(&self) -> Vec<String> {
        self.group_order.clone()
    }

    /// Resources of one group version.
    pub fn resources(&self, group: &str, version: &str) -> Vec<Arc<ResourceInfo>> {
        self.by_group_version.get(&(group.to_string(), version.to_string())).cloned().unwrap_or_default()
    }

    /// Every served resource of every version.
    pub fn all(&self) -> impl Iterator<Item = &Arc<ResourceInfo>> {
        self.by_group_version.values().flatten()
    }
}

/// `apps/v1` -> (`apps`, `v1`); `v1` -> (``, `v1`).
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.rsplit_once('/') {
        Some((group, version)) => (group, version),
        None => ("", api_version),
    }
}

/// Kubernetes version ordering: GA > beta > alpha, higher numbers first (v2 > v1 > v1beta2 > v1beta1 > v1alpha1).
pub fn version_priority(version: &str) -> (u8, u32, u32) {
    let rest = version.strip_prefix('v').unwrap_or(version);
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let major = digits.parse().unwrap_or(0);
    let tail = &rest[digits.len()..];
    if tail.is_empty() {
        return (3, major, 0);
    }
    let (stage, number) = if let Some(n) = tail.strip_prefix("beta") {
        (2, n)
    } else if let Some(n) = tail.strip_prefix("alpha") {
        (1, n)
    } else {
        (0, "0")
    };
    (stage, major, number.parse().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_sort_as_kubernetes_does() {
        let mut versions = vec!["v1beta1", "v1", "v2beta2", "v1alpha1", "v2", "v1beta2"];
        versions.sort_by_key(|v| std::cmp::Reverse(version_priority(v)));
        assert_eq!(versions, vec!["v2", "v1", "v2beta2", "v1beta2", "v1beta1", "v1alpha1"]);
    }

    #[test]
    fn builtins_are_found_by_url_and_by_kind() {
        let registry = Registry::with_builtins();
        let deployments = registry.get("apps", "v1", "deployments").expect("deployments served");
        assert_eq!(deployments.kind, "Deployment");
        assert!(deployments.scale_subresource.is_some());
        assert_eq!(registry.by_kind("v1", "ConfigMap").map(|i| i.plural.clone()), Some("configmaps".to_string()));
        assert!(registry.get("", "v1", "pods").is_some_and(|p| p.log_subresource));
    }
}
