//! CRDs become served resources the moment they are written, and take their objects with them
//! when they go.

use super::{ApiState, Target};
use crate::registry::{GroupResource, resources_from_crd};
use crate::store::Txn;
use serde_json::Value;

fn is_crd(target: &Target) -> bool {
    target.info.group == "apiextensions.k8s.io" && target.info.plural == "customresourcedefinitions"
}

/// Serves every CRD already in the store (after a restart with a state directory).
pub(super) fn serve_stored_crds(state: &ApiState) {
    let crds = GroupResource::new("apiextensions.k8s.io", "customresourcedefinitions");
    let (stored, _) = state.store.list(&crds, None);
    state.update_registry(|registry| {
        for crd in stored {
            match resources_from_crd(&crd.value()) {
                Ok(resources) => resources.into_iter().for_each(|info| registry.insert(info)),
                Err(err) => tracing::warn!(crd = %crd.name, %err, "stored CRD cannot be served"),
            }
        }
    });
}

/// After a CRD is stored: serve exactly the versions it now declares.
pub(super) fn after_write(state: &ApiState, target: &Target, object: &Value) {
    if !is_crd(target) {
        return;
    }
    // Admission already checked the CRD, so this only fails for a CRD stored before a check existed.
    let Ok(resources) = resources_from_crd(object) else { return };
    state.update_registry(|registry| {
        registry.remove_crd(&target.name);
        resources.into_iter().for_each(|info| registry.insert(info));
    });
}

/// After an object left the store: a CRD's objects go with it, and so does a namespace's content.
pub(super) fn after_delete(state: &ApiState, txn: &mut Txn<'_>, target: &Target, object: &Value) {
    if is_crd(target) {
        if let (Some(group), Some(plural)) = (
            object.pointer("/spec/group").and_then(Value::as_str),
            object.pointer("/spec/names/plural").and_then(Value::as_str),
        ) {
            let gr = GroupResource::new(group, plural);
            for stored in txn.list(&gr, None) {
                txn.delete(&gr, &stored.namespace, &stored.name);
            }
        }
        state.update_registry(|registry| registry.remove_crd(&target.name));
        return;
    }
    if target.info.group.is_empty() && target.info.plural == "namespaces" {
        // The namespace controller normally empties a namespace before it goes; this catches
        // anything created during the race, as the real server's namespace finalizer would.
        let namespaced: Vec<GroupResource> =
            state.registry().all().filter(|info| info.namespaced).map(|info| info.group_resource()).collect();
        for gr in txn.resources().into_iter().filter(|gr| namespaced.contains(gr)) {
            for stored in txn.list(&gr, Some(&target.name)) {
                txn.delete(&gr, &stored.namespace, &stored.name);
            }
        }
    }
}
