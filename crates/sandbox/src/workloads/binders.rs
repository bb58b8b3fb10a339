//! What storage provisioners and cloud load-balancer controllers would do, reduced to what
//! health checks look at: a PersistentVolumeClaim becomes Bound (with its requested capacity),
//! and a Service of type LoadBalancer gets an ingress IP. Without these, `helm install --wait`
//! would wait forever on charts that contain either.

use super::client::{Api, CONTROLLER_MANAGER, gr, is_deleting, s};
use super::runtime::Reconciler;
use crate::error::ApiError;
use crate::registry::GroupResource;
use crate::store::{EventType, WatchEvent};
use serde_json::{Value, json};
use std::time::Duration;

pub(super) struct Binders {
    api: Api,
}

impl Binders {
    pub fn new(api: Api) -> Self {
        Binders { api }
    }
}

fn watched(gr: &GroupResource) -> bool {
    gr.group.is_empty() && matches!(gr.resource.as_str(), "persistentvolumeclaims" | "services")
}

impl Reconciler for Binders {
    /// (resource, namespace, name)
    type Key = (String, String, String);

    fn name(&self) -> &'static str {
        "persistentvolume-binder"
    }

    fn keys_for(&mut self, event: &WatchEvent, out: &mut Vec<Self::Key>) {
        if watched(&event.gr) && event.event_type != EventType::Deleted {
            out.push((event.gr.resource.clone(), event.object.namespace.clone(), event.object.name.clone()));
        }
    }

    fn all_keys(&mut self) -> Vec<Self::Key> {
        ["persistentvolumeclaims", "services"]
            .iter()
            .flat_map(|resource| {
                let keys = self.api.keys(&gr("", resource), None);
                keys.into_iter().map(|(namespace, name)| (resource.to_string(), namespace, name))
            })
            .collect()
    }

    fn reconcile(&mut self, key: &Self::Key) -> Result<Option<Duration>, ApiError> {
        let resource = gr("", &key.0);
        let Some(object) = self.api.get(&resource, &key.1, &key.2) else { return Ok(None) };
        if is_deleting(&object) {
            return Ok(None);
        }
        if key.0 == "persistentvolumeclaims" {
            if s(&object, "/status/phase") == "Bound" {
                return Ok(None);
            }
            let capacity = object.pointer("/spec/resources/requests").cloned().unwrap_or_else(|| json!({}));
            let modes = object.pointer("/spec/accessModes").cloned().unwrap_or_else(|| json!(["ReadWriteOnce"]));
            self.api.modify_status(&resource, &key.1, &key.2, CONTROLLER_MANAGER, |pvc| {
                pvc["status"] = json!({"phase": "Bound", "accessModes": modes, "capacity": capacity});
                true
            })?;
        } else if s(&object, "/spec/type") == "LoadBalancer"
            && object.pointer("/status/loadBalancer/ingress").and_then(Value::as_array).is_none_or(Vec::is_empty)
        {
            self.api.modify_status(&resource, &key.1, &key.2, "service-controller", |svc| {
                svc["status"] = json!({"loadBalancer": {"ingress": [{"ip": "127.0.0.1", "ipMode": "VIP"}]}});
                true
            })?;
        }
        Ok(None)
    }
}
