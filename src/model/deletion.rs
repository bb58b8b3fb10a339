//! What deleting a Flux object does besides removing it, in the words the confirmation dialog shows. The rules
//! are the controllers' finalizers (shared reference, SEMANTICS.md §4.2 and helm-controller's delete path):
//! - a Kustomization deletes nothing if suspended or if its inventory is empty; otherwise `spec.deletionPolicy`
//!   decides: `MirrorPrune` (the default) deletes the inventory iff `spec.prune`, `Delete` and
//!   `WaitForTermination` always delete it, `Orphan` never does;
//! - a HelmRelease is uninstalled (its objects deleted with the release) unless it is suspended, in which case
//!   helm-controller skips the uninstall and the chart's removal, and the release stays installed.

use std::collections::BTreeMap;

use crate::api::AnyFluxObject;

/// The lines that explain a deletion, empty for kinds whose deletion touches nothing else.
pub fn deletion_consequences(object: &AnyFluxObject) -> Vec<String> {
    match object {
        AnyFluxObject::Kustomization(kustomization) => {
            let entries: Vec<&str> = kustomization
                .status
                .as_ref()
                .and_then(|status| status.inventory.as_ref())
                .and_then(|inventory| inventory.entries.as_ref())
                .into_iter()
                .flatten()
                .filter_map(|entry| entry.id.as_deref())
                .collect();
            let count = entries.len();
            let objects = plural(count, "object");
            if object.suspended() && count == 0 {
                return vec!["It is suspended: kustomize-controller deletes nothing else.".to_string()];
            }
            if object.suspended() {
                return vec![format!(
                    "It is suspended: kustomize-controller deletes nothing, the {objects} in its inventory stay in the cluster."
                )];
            }
            if count == 0 {
                return vec!["Its inventory is empty: nothing else is deleted.".to_string()];
            }
            let prune = kustomization.spec.prune.unwrap_or(false);
            let policy = kustomization.spec.deletion_policy.as_deref().unwrap_or("MirrorPrune");
            let deletes = match policy {
                "Delete" | "WaitForTermination" => true,
                "Orphan" => false,
                _ => prune,
            };
            if deletes {
                vec![format!("Prune deletes the {objects} in its inventory: {}.", kinds_summary(&entries))]
            } else if policy == "Orphan" {
                vec![format!("deletionPolicy is Orphan: the {objects} in its inventory stay in the cluster.")]
            } else {
                vec![format!("spec.prune is false: the {objects} in its inventory stay in the cluster.")]
            }
        }
        AnyFluxObject::HelmRelease(_) if object.suspended() => vec![
            "It is suspended: helm-controller skips the uninstall, the release and its objects stay in the cluster."
                .to_string(),
        ],
        AnyFluxObject::HelmRelease(_) => {
            vec!["helm-controller uninstalls the release: the objects it installed are deleted with it.".to_string()]
        }
        _ => Vec::new(),
    }
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}

/// `3 Deployment, 2 Service` from inventory ids (`<namespace>_<name>_<group>_<kind>`), most frequent first.
fn kinds_summary(ids: &[&str]) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for id in ids {
        // The kind is after the last `_`; a malformed id counts as "unknown" rather than failing the dialog.
        let kind = id.rsplit_once('_').map(|(_, kind)| kind).filter(|kind| !kind.is_empty()).unwrap_or("unknown");
        *counts.entry(kind).or_default() += 1;
    }
    let mut counts: Vec<(&str, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    counts.iter().map(|(kind, count)| format!("{count} {kind}")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn kustomization(spec: serde_json::Value, ids: &[&str]) -> AnyFluxObject {
        let entries: Vec<_> = ids.iter().map(|id| json!({"id": id, "v": "v1"})).collect();
        AnyFluxObject::from_value(json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": "apps", "namespace": "flux-system"},
            "spec": spec, "status": {"inventory": {"entries": entries}},
        }))
    }

    const IDS: &[&str] = &["apps_web_apps_Deployment", "apps_api_apps_Deployment", "apps_web__Service", "bad"];

    #[test]
    fn a_pruning_kustomization_lists_what_it_deletes() {
        let object = kustomization(json!({"prune": true}), IDS);
        assert_eq!(
            deletion_consequences(&object),
            ["Prune deletes the 4 objects in its inventory: 2 Deployment, 1 Service, 1 unknown."]
        );
    }

    #[test]
    fn without_prune_suspended_or_orphaned_nothing_goes() {
        let kept = kustomization(json!({"prune": false}), IDS);
        assert!(deletion_consequences(&kept)[0].starts_with("spec.prune is false"));
        let suspended = kustomization(json!({"prune": true, "suspend": true}), IDS);
        assert!(deletion_consequences(&suspended)[0].contains("deletes nothing"));
        let orphan = kustomization(json!({"prune": true, "deletionPolicy": "Orphan"}), IDS);
        assert!(deletion_consequences(&orphan)[0].starts_with("deletionPolicy is Orphan"));
        let forced = kustomization(json!({"prune": false, "deletionPolicy": "Delete"}), IDS);
        assert!(deletion_consequences(&forced)[0].starts_with("Prune deletes the 4 objects"));
        let empty = kustomization(json!({"prune": true}), &[]);
        assert_eq!(deletion_consequences(&empty), ["Its inventory is empty: nothing else is deleted."]);
    }
}
