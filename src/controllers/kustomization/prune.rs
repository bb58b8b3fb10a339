//! Garbage collection of stale objects (SEMANTICS.md §4.2): an object that left the inventory is deleted
//! (background propagation) only while its live labels still name this Kustomization and nothing opts it out
//! (`prune: disabled`, `reconcile: disabled`, `ssa: Ignore`: those are `skipped`). A failed DELETE is reported
//! with the object so the caller keeps it in the inventory and retries.

use kube::api::{DeleteParams, PropagationPolicy};
use serde_json::Value;

use super::apply::{Action, Change, ChangeSet, to_value};
use super::object::{ObjectId, Policy, Resolver, SsaPolicy, api_error};
use crate::controllers::names::kustomize;

/// What a prune did: the change set (`deleted`, `skipped`) and the objects it could not delete, with why.
#[derive(Debug, Default)]
pub struct PruneResult {
    pub changes: ChangeSet,
    pub failed: Vec<(ObjectId, String)>,
}

impl PruneResult {
    /// Flux's prune error: the failures, one per line.
    pub fn error_message(&self) -> Option<String> {
        if self.failed.is_empty() {
            return None;
        }
        Some(self.failed.iter().map(|(_, message)| message.as_str()).collect::<Vec<_>>().join("\n"))
    }
}

/// Whether the live object may be deleted by the Kustomization `owner_name`/`owner_namespace`.
pub fn may_prune(live: &Value, owner_name: &str, owner_namespace: &str) -> bool {
    let labels = &live["metadata"]["labels"];
    let owned = labels[kustomize::NAME_LABEL].as_str() == Some(owner_name)
        && labels[kustomize::NAMESPACE_LABEL].as_str() == Some(owner_namespace);
    owned
        && !Policy::prune_disabled(live)
        && !Policy::reconcile_disabled(live)
        && SsaPolicy::of(live) != SsaPolicy::Ignore
}

/// Deletes the `stale` objects of the Kustomization `owner_name`/`owner_namespace`. An object already gone counts
/// as `deleted` (fluxcd/pkg/ssa does the same).
pub async fn prune(resolver: &Resolver, stale: &[ObjectId], owner_name: &str, owner_namespace: &str) -> PruneResult {
    let mut result = PruneResult::default();
    for id in stale {
        match prune_one(resolver, id, owner_name, owner_namespace).await {
            Ok(action) => result.changes.entries.push(Change { id: id.clone(), action }),
            Err(message) => result.failed.push((id.clone(), message)),
        }
    }
    result
}

async fn prune_one(
    resolver: &Resolver,
    id: &ObjectId,
    owner_name: &str,
    owner_namespace: &str,
) -> Result<Action, String> {
    let resolved = resolver.resolve(id).await.map_err(|err| format!("{id} query failed: {err}"))?;
    let api = resolver.api(&resolved, id);
    let live = match api.get_opt(&id.name).await {
        Ok(Some(live)) => to_value(live),
        Ok(None) => return Ok(Action::Deleted),
        Err(err) => return Err(format!("{id} query failed: {}", api_error(&err).1)),
    };
    if !may_prune(&live, owner_name, owner_namespace) {
        return Ok(Action::Skipped);
    }
    let params = DeleteParams { propagation_policy: Some(PropagationPolicy::Background), ..DeleteParams::default() };
    match api.delete(&id.name, &params).await {
        Ok(_) => Ok(Action::Deleted),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(Action::Deleted),
        Err(err) => Err(format!("{id} delete failed: {}", api_error(&err).1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn live(labels: Value, annotations: Value) -> Value {
        json!({"metadata": {"labels": labels, "annotations": annotations}})
    }

    #[test]
    fn prunes_only_owned_objects_without_opt_outs() {
        let owner = json!({kustomize::NAME_LABEL: "apps", kustomize::NAMESPACE_LABEL: "flux-system"});
        assert!(may_prune(&live(owner.clone(), json!({})), "apps", "flux-system"));
        assert!(!may_prune(&live(owner.clone(), json!({})), "apps", "other"));
        assert!(!may_prune(&live(owner.clone(), json!({})), "infra", "flux-system"));
        assert!(!may_prune(&live(json!({}), json!({})), "apps", "flux-system"));
        assert!(!may_prune(&live(owner.clone(), json!({kustomize::PRUNE: "disabled"})), "apps", "flux-system"));
        assert!(!may_prune(&live(owner.clone(), json!({kustomize::RECONCILE: "Disabled"})), "apps", "flux-system"));
        assert!(!may_prune(&live(owner, json!({kustomize::SSA: "Ignore"})), "apps", "flux-system"));
    }
}
