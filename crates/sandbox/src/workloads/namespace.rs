//! The namespace controller: a namespace being deleted (phase Terminating, `spec.finalizers`
//! holding `kubernetes`) has all its content deleted; objects held by their own finalizers are
//! waited for; then `spec.finalizers` is cleared through the `finalize` subresource, which
//! completes the namespace's deletion. Status conditions tell `kubectl describe` what is left.

use super::client::{Api, CONTROLLER_MANAGER, gr, now, set_condition};
use super::runtime::Reconciler;
use crate::error::ApiError;
use crate::registry::GroupResource;
use crate::resources::finalizers;
use crate::store::WatchEvent;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::time::Duration;

pub(super) struct NamespaceController {
    api: Api,
    /// Namespaces known to be terminating, so that changes inside them wake the controller.
    terminating: HashSet<String>,
}

impl NamespaceController {
    pub fn new(api: Api) -> Self {
        NamespaceController { api, terminating: HashSet::new() }
    }

    fn namespaced_resources(&self) -> BTreeSet<GroupResource> {
        self.api.state.registry().all().filter(|info| info.namespaced).map(|info| info.group_resource()).collect()
    }
}

impl Reconciler for NamespaceController {
    type Key = String;

    fn name(&self) -> &'static str {
        "namespace-controller"
    }

    fn keys_for(&mut self, event: &WatchEvent, out: &mut Vec<String>) {
        if event.gr.group.is_empty() && event.gr.resource == "namespaces" {
            if event.object.deleting && event.event_type != crate::store::EventType::Deleted {
                self.terminating.insert(event.object.name.clone());
                out.push(event.object.name.clone());
            } else {
                self.terminating.remove(&event.object.name);
            }
        } else if !event.object.namespace.is_empty() && self.terminating.contains(&event.object.namespace) {
            out.push(event.object.namespace.clone());
        }
    }

    fn all_keys(&mut self) -> Vec<String> {
        let (namespaces, _) = self.api.state.store.list(&gr("", "namespaces"), None);
        self.terminating = namespaces.iter().filter(|n| n.deleting).map(|n| n.name.clone()).collect();
        self.terminating.iter().cloned().collect()
    }

    fn reconcile(&mut self, key: &String) -> Result<Option<Duration>, ApiError> {
        let namespaces = gr("", "namespaces");
        if !self.api.state.store.get(&namespaces, "", key).is_some_and(|n| n.deleting) {
            return Ok(None);
        }
        // One pass: delete what is not being deleted yet; a delete either removes the object
        // outright or leaves it waiting on its finalizers, which are then counted.
        let mut remaining: BTreeMap<String, usize> = BTreeMap::new();
        let mut held: BTreeMap<String, usize> = BTreeMap::new();
        for resource in self.namespaced_resources() {
            let (objects, _) = self.api.state.store.list(&resource, Some(key));
            for object in objects {
                if !object.deleting {
                    self.api.delete(&resource, key, &object.name, Some(&object.uid), None)?;
                }
                let Some(current) = self.api.state.store.get(&resource, key, &object.name) else { continue };
                *remaining.entry(resource.to_string()).or_default() += 1;
                for finalizer in finalizers(&current.value()) {
                    *held.entry(finalizer).or_default() += 1;
                }
            }
        }
        let left: usize = remaining.values().sum();
        if left > 0 {
            self.report(key, &remaining, &held)?;
            return Ok(None);
        }
        self.api.modify_sub(&namespaces, "", key, Some("finalize"), CONTROLLER_MANAGER, |ns| {
            ns["spec"]["finalizers"] = json!([]);
            true
        })?;
        self.terminating.remove(key);
        Ok(None)
    }
}

impl NamespaceController {
    /// The NamespaceContentRemaining / NamespaceFinalizersRemaining conditions.
    fn report(
        &self,
        key: &str,
        remaining: &BTreeMap<String, usize>,
        finalizers: &BTreeMap<String, usize>,
    ) -> Result<(), ApiError> {
        let at = now();
        let describe = |map: &BTreeMap<String, usize>, what: &str| {
            map.iter().map(|(k, n)| format!("{k} has {n} {what}")).collect::<Vec<_>>().join(", ")
        };
        let content = if remaining.is_empty() {
            json!({"type": "NamespaceContentRemaining", "status": "False", "reason": "ContentRemoved", "message": "All content successfully removed", "lastTransitionTime": at})
        } else {
            json!({"type": "NamespaceContentRemaining", "status": "True", "reason": "SomeResourcesRemain", "message": format!("Some resources are remaining: {}", describe(remaining, "resource instances")), "lastTransitionTime": at})
        };
        let held = if finalizers.is_empty() {
            json!({"type": "NamespaceFinalizersRemaining", "status": "False", "reason": "ContentHasNoFinalizers", "message": "All content-preserving finalizers finished", "lastTransitionTime": at})
        } else {
            json!({"type": "NamespaceFinalizersRemaining", "status": "True", "reason": "SomeFinalizersRemain", "message": format!("Some content in the namespace has finalizers remaining: {}", describe(finalizers, "resource instances")), "lastTransitionTime": at})
        };
        self.api.modify_status(&gr("", "namespaces"), "", key, CONTROLLER_MANAGER, |ns| {
            let before = ns.get("status").cloned();
            let mut status = before.clone().unwrap_or_else(|| json!({"phase": "Terminating"}));
            set_condition(&mut status, content.clone());
            set_condition(&mut status, held.clone());
            ns["status"] = status;
            ns.get("status") != before.as_ref()
        })?;
        Ok(())
    }
}
