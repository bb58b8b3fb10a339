//! The namespace controller: a namespace being deleted (phase Terminating, `spec.finalizers`
//! holding `kubernetes`) has all its content deleted; objects held by their own finalizers are
//! waited for; then `spec.finalizers` is cleared through the `finalize` subresource, which
//! completes the namespace's deletion. Status conditions tell `kubectl describe` what is left.

use super::client::{Api, CONTROLLER_MANAGER, gr, is_deleting, name, now, set_condition};
use super::runtime::Reconciler;
use crate::error::ApiError;
use crate::registry::GroupResource;
use crate::store::WatchEvent;
use serde_json::{Value, json};
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
            let namespace = event.object.value();
            if is_deleting(&namespace) && event.event_type != crate::store::EventType::Deleted {
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
        let namespaces = self.api.list(&gr("", "namespaces"), None);
        self.terminating = namespaces.iter().filter(|n| is_deleting(n)).map(|n| name(n).to_string()).collect();
        self.terminating.iter().cloned().collect()
    }

    fn reconcile(&mut self, key: &String) -> Result<Option<Duration>, ApiError> {
        let namespaces = gr("", "namespaces");
        let Some(namespace) = self.api.get(&namespaces, "", key) else { return Ok(None) };
        if !is_deleting(&namespace) {
            return Ok(None);
        }
        for resource in self.namespaced_resources() {
            for object in self.api.list(&resource, Some(key)) {
                if !is_deleting(&object) {
                    let uid = object.pointer("/metadata/uid").and_then(Value::as_str);
                    self.api.delete(&resource, key, name(&object), uid, None)?;
                }
            }
        }
        // What was deleted outright is gone now; what is left waits on finalizers.
        let mut remaining: BTreeMap<String, usize> = BTreeMap::new();
        let mut finalizers: BTreeMap<String, usize> = BTreeMap::new();
        for resource in self.namespaced_resources() {
            for object in self.api.list(&resource, Some(key)) {
                *remaining.entry(resource.to_string()).or_default() += 1;
                for finalizer in object.pointer("/metadata/finalizers").and_then(Value::as_array).into_iter().flatten()
                {
                    *finalizers.entry(finalizer.as_str().unwrap_or_default().to_string()).or_default() += 1;
                }
            }
        }
        let left: usize = remaining.values().sum();
        if left > 0 {
            self.report(key, &remaining, &finalizers)?;
            return Ok(None);
        }
        let target = self.api.target(&namespaces, "", key)?.with_subresource(Some("finalize"));
        let mut body = namespace.clone();
        body["spec"]["finalizers"] = json!([]);
        self.api.state.update(&target, body, &crate::resources::WriteOptions::manager(CONTROLLER_MANAGER))?;
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
