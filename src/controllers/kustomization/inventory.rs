//! `status.inventory` (SEMANTICS.md §4.2): entries `{id, v}` with `id = <namespace>_<name>_<group>_<kind>` (RBAC
//! names have `:` written as `__`) and `v` the API version, in apply order; parsing them back; and the stale set
//! (what the last inventory has and the new one does not).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::apply::ChangeSet;
use super::object::ObjectId;
use crate::api::kustomize::kustomization::Kustomization;

/// One `status.inventory.entries[]` item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryEntry {
    pub id: String,
    pub v: String,
}

/// Kinds whose names may contain `:` (`system:controller:…`), which the id writes as `__`.
const RBAC_KINDS: [&str; 4] = ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"];

fn is_rbac(id: &ObjectId) -> bool {
    id.group == "rbac.authorization.k8s.io" && RBAC_KINDS.contains(&id.kind.as_str())
}

/// The inventory the Kustomization's status records (its last successful apply).
pub fn recorded(ks: &Kustomization) -> Vec<InventoryEntry> {
    let entries = ks.status.as_ref().and_then(|s| s.inventory.as_ref()).and_then(|i| i.entries.as_ref());
    entries
        .into_iter()
        .flatten()
        .map(|e| InventoryEntry { id: e.id.clone().unwrap_or_default(), v: e.v.clone().unwrap_or_default() })
        .collect()
}

/// The entry of one object.
pub fn entry_of(id: &ObjectId) -> InventoryEntry {
    let name = if is_rbac(id) { id.name.replace(':', "__") } else { id.name.clone() };
    InventoryEntry { id: format!("{}_{}_{}_{}", id.namespace, name, id.group, id.kind), v: id.version.clone() }
}

/// The object an entry names. The namespace runs up to the first `_`, the kind follows the last one, the group
/// the one before; the rest is the name (Kubernetes names have no `_`; in RBAC names `__` turns back into `:`).
pub fn parse_entry(entry: &InventoryEntry) -> Result<ObjectId, String> {
    let invalid = || format!("invalid inventory entry '{}'", entry.id);
    let (namespace, rest) = entry.id.split_once('_').ok_or_else(invalid)?;
    let (rest, kind) = rest.rsplit_once('_').ok_or_else(invalid)?;
    let (name, group) = rest.rsplit_once('_').ok_or_else(invalid)?;
    if name.is_empty() || kind.is_empty() {
        return Err(invalid());
    }
    let mut id = ObjectId {
        group: group.to_string(),
        version: entry.v.clone(),
        kind: kind.to_string(),
        namespace: namespace.to_string(),
        name: name.to_string(),
    };
    if is_rbac(&id) {
        id.name = id.name.replace("__", ":");
    }
    Ok(id)
}

/// The inventory of an apply: every object of its change set (skipped ones included, as Flux records them), in
/// apply order.
pub fn inventory_of(set: &ChangeSet) -> Vec<InventoryEntry> {
    set.entries.iter().map(|change| entry_of(&change.id)).collect()
}

/// The objects `old` has and `new` does not, in `old`'s order. Versions do not count: an object moved from
/// `v1beta1` to `v1` is the same object. Unparseable entries are reported, not dropped silently.
pub fn stale(old: &[InventoryEntry], new: &[InventoryEntry]) -> Result<Vec<ObjectId>, String> {
    let kept: HashSet<&str> = new.iter().map(|e| e.id.as_str()).collect();
    old.iter().filter(|e| !kept.contains(e.id.as_str())).map(parse_entry).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(api_version: &str, kind: &str, namespace: &str, name: &str) -> ObjectId {
        ObjectId::new(api_version, kind, namespace, name)
    }

    #[test]
    fn writes_flux_ids() {
        let cases = [
            (id("v1", "Service", "default", "podinfo"), "default_podinfo__Service", "v1"),
            (id("apps/v1", "Deployment", "default", "podinfo"), "default_podinfo_apps_Deployment", "v1"),
            (id("v1", "Namespace", "", "apps"), "_apps__Namespace", "v1"),
            (
                id("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "foos.example.com"),
                "_foos.example.com_apiextensions.k8s.io_CustomResourceDefinition",
                "v1",
            ),
            (
                id("rbac.authorization.k8s.io/v1", "ClusterRole", "", "system:aggregate:view"),
                "_system__aggregate__view_rbac.authorization.k8s.io_ClusterRole",
                "v1",
            ),
            (id("example.com/v2", "Foo", "apps", "a"), "apps_a_example.com_Foo", "v2"),
        ];
        for (object, expected_id, version) in cases {
            let entry = entry_of(&object);
            assert_eq!(entry.id, expected_id);
            assert_eq!(entry.v, version);
            assert_eq!(parse_entry(&entry).expect("parses"), object, "round trip of {expected_id}");
        }
    }

    #[test]
    fn rejects_malformed_entries() {
        for bad in ["", "nounderscore", "a_b", "__x_", "ns__group_Kind"] {
            let entry = InventoryEntry { id: bad.into(), v: "v1".into() };
            assert!(parse_entry(&entry).is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn stale_is_old_minus_new_ignoring_versions() {
        let a = entry_of(&id("v1", "ConfigMap", "default", "a"));
        let b = entry_of(&id("v1", "ConfigMap", "default", "b"));
        let c_old = entry_of(&id("example.com/v1beta1", "Foo", "default", "c"));
        let c_new = entry_of(&id("example.com/v1", "Foo", "default", "c"));
        let gone = stale(&[a.clone(), b.clone(), c_old], &[a, c_new]).expect("parses");
        assert_eq!(gone, vec![id("v1", "ConfigMap", "default", "b")]);
    }
}
