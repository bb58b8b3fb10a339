//! The endpoints and endpoint-slice controllers, simplified: for every Service with a selector,
//! an Endpoints object and one EndpointSlice listing the matching pods' IPs (ready ones as
//! addresses, the rest as not ready) and the Service's ports resolved against the pods.

use super::client::{
    Api, CONTROLLER_MANAGER, fnv32a, gr, is_deleting, name, namespace, pod_is_active, pod_is_ready, s, safe_encode, uid,
};
use super::runtime::Reconciler;
use crate::error::ApiError;
use crate::store::{EventType, StoredObject, WatchEvent, string_map};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

type Selector = BTreeMap<String, String>;

pub(super) struct Endpoints {
    api: Api,
    /// The non-empty selector of every Service, by (namespace, name), kept current from Service
    /// events, so that a pod event concerns only the Services that select it (before or after).
    selectors: HashMap<(String, String), Selector>,
}

impl Endpoints {
    pub fn new(api: Api) -> Self {
        Endpoints { api, selectors: HashMap::new() }
    }

    fn remember(&mut self, service: &StoredObject, deleted: bool) {
        let key = (service.namespace.clone(), service.name.clone());
        let selector = if deleted { Selector::new() } else { string_map(service.value().pointer("/spec/selector")) };
        if selector.is_empty() {
            self.selectors.remove(&key);
        } else {
            self.selectors.insert(key, selector);
        }
    }
}

fn selects(selector: &Selector, labels: &BTreeMap<String, String>) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

impl Reconciler for Endpoints {
    type Key = (String, String);

    fn name(&self) -> &'static str {
        "endpoint-controller"
    }

    fn keys_for(&mut self, event: &WatchEvent, out: &mut Vec<Self::Key>) {
        match (event.gr.group.as_str(), event.gr.resource.as_str()) {
            ("", "services") => {
                self.remember(&event.object, event.event_type == EventType::Deleted);
                out.push((event.object.namespace.clone(), event.object.name.clone()));
            }
            ("", "pods") => {
                let pod = &event.object;
                let before = event.previous.as_ref().map(|p| &p.labels);
                for ((namespace, service), selector) in &self.selectors {
                    if namespace == &pod.namespace
                        && (selects(selector, &pod.labels) || before.is_some_and(|l| selects(selector, l)))
                    {
                        out.push((namespace.clone(), service.clone()));
                    }
                }
            }
            _ => {}
        }
    }

    fn all_keys(&mut self) -> Vec<Self::Key> {
        let (services, _) = self.api.state.store.list(&gr("", "services"), None);
        self.selectors.clear();
        for service in &services {
            self.remember(service, false);
        }
        services.iter().map(|o| (o.namespace.clone(), o.name.clone())).collect()
    }

    fn reconcile(&mut self, key: &Self::Key) -> Result<Option<Duration>, ApiError> {
        let endpoints_gr = gr("", "endpoints");
        let Some(service) = self.api.get(&gr("", "services"), &key.0, &key.1) else {
            // The slice goes with its owner (garbage collector); Endpoints have no owner.
            if self.api.get(&endpoints_gr, &key.0, &key.1).is_some_and(|e| managed(&e)) {
                self.api.delete(&endpoints_gr, &key.0, &key.1, None, None)?;
            }
            return Ok(None);
        };
        let selector = string_map(service.pointer("/spec/selector"));
        if selector.is_empty() || is_deleting(&service) {
            return Ok(None);
        }
        // Only the selected pods are parsed.
        let (candidates, _) = self.api.state.store.list(&gr("", "pods"), Some(&key.0));
        let pods: Vec<Value> = candidates
            .iter()
            .filter(|p| selects(&selector, &p.labels))
            .map(|p| p.value())
            .filter(|p| pod_is_active(p) && !s(p, "/status/podIP").is_empty())
            .collect();
        self.write_endpoints(&service, &pods)?;
        self.write_slice(&service, &pods)?;
        Ok(None)
    }
}

fn managed(endpoints: &Value) -> bool {
    s(endpoints, "/metadata/labels/endpoints.kubernetes.io~1managed-by") == "endpoint-controller"
        || endpoints.pointer("/metadata/labels").is_none()
}

/// The port a Service port reaches on a pod: a number, or a named container port.
fn target_port(service_port: &Value, pod: Option<&Value>) -> Option<i64> {
    match service_port.get("targetPort").or_else(|| service_port.get("port")) {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(port_name)) => pod?
            .pointer("/spec/containers")?
            .as_array()?
            .iter()
            .flat_map(|c| c.get("ports").and_then(Value::as_array).into_iter().flatten())
            .find(|p| p.get("name").and_then(Value::as_str) == Some(port_name))?
            .get("containerPort")?
            .as_i64(),
        _ => None,
    }
}

fn ports(service: &Value, pod: Option<&Value>) -> Vec<Value> {
    service
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let mut port =
                json!({"port": target_port(p, pod)?, "protocol": p.get("protocol").cloned().unwrap_or(json!("TCP"))});
            if let Some(port_name) = p.get("name").filter(|n| n.as_str().is_some_and(|n| !n.is_empty())) {
                port["name"] = port_name.clone();
            }
            Some(port)
        })
        .collect()
}

fn target_ref(pod: &Value) -> Value {
    json!({"kind": "Pod", "namespace": namespace(pod), "name": name(pod), "uid": uid(pod)})
}

impl Endpoints {
    /// Creates the object or replaces its content when it differs.
    fn upsert(
        &self,
        resource: &crate::registry::GroupResource,
        namespace: &str,
        desired: Value,
    ) -> Result<(), ApiError> {
        let object_name = name(&desired).to_string();
        if self.api.get(resource, namespace, &object_name).is_none() {
            return match self.api.create(resource, namespace, desired, CONTROLLER_MANAGER) {
                Err(err) if err.code == 409 => Err(ApiError::new(409, "Conflict", "created concurrently")),
                other => other.map(|_| ()),
            };
        }
        self.api.modify(resource, namespace, &object_name, CONTROLLER_MANAGER, |current| {
            let mut changed = false;
            for (key, value) in desired.as_object().into_iter().flatten() {
                if key == "metadata" {
                    for field in ["labels", "ownerReferences"] {
                        if let Some(v) = value.get(field)
                            && current["metadata"].get(field) != Some(v)
                        {
                            current["metadata"][field] = v.clone();
                            changed = true;
                        }
                    }
                } else if current.get(key) != Some(value) {
                    current[key] = value.clone();
                    changed = true;
                }
            }
            changed
        })?;
        Ok(())
    }

    fn write_endpoints(&self, service: &Value, pods: &[Value]) -> Result<(), ApiError> {
        let address =
            |p: &Value| json!({"ip": s(p, "/status/podIP"), "nodeName": "sandbox", "targetRef": target_ref(p)});
        let ready: Vec<Value> = pods.iter().filter(|p| pod_is_ready(p)).map(address).collect();
        let not_ready: Vec<Value> = pods.iter().filter(|p| !pod_is_ready(p)).map(address).collect();
        let mut subset = Map::new();
        if !ready.is_empty() {
            subset.insert("addresses".into(), json!(ready));
        }
        if !not_ready.is_empty() {
            subset.insert("notReadyAddresses".into(), json!(not_ready));
        }
        subset.insert("ports".into(), json!(ports(service, pods.first())));
        let mut endpoint_labels = service.pointer("/metadata/labels").cloned().unwrap_or_else(|| json!({}));
        endpoint_labels["endpoints.kubernetes.io/managed-by"] = json!("endpoint-controller");
        let mut body = json!({
            "apiVersion": "v1",
            "kind": "Endpoints",
            "metadata": {"name": name(service), "namespace": namespace(service), "labels": endpoint_labels},
        });
        if !pods.is_empty() {
            body["subsets"] = json!([subset]);
        }
        self.upsert(&gr("", "endpoints"), namespace(service), body)
    }

    fn write_slice(&self, service: &Value, pods: &[Value]) -> Result<(), ApiError> {
        let slice_name =
            format!("{}-{}", name(service), safe_encode(fnv32a(uid(service))).chars().take(5).collect::<String>());
        let endpoints: Vec<Value> = pods
            .iter()
            .map(|p| {
                let ready = pod_is_ready(p);
                json!({
                    "addresses": [s(p, "/status/podIP")],
                    "conditions": {"ready": ready, "serving": ready, "terminating": false},
                    "nodeName": "sandbox",
                    "targetRef": target_ref(p),
                })
            })
            .collect();
        let body = json!({
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {
                "name": slice_name,
                "namespace": namespace(service),
                "labels": {
                    "kubernetes.io/service-name": name(service),
                    "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                },
                "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": name(service), "uid": uid(service), "controller": true, "blockOwnerDeletion": true}],
            },
            "addressType": "IPv4",
            "endpoints": endpoints,
            "ports": ports(service, pods.first()),
        });
        self.upsert(&gr("discovery.k8s.io", "endpointslices"), namespace(service), body)
    }
}
