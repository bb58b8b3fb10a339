//! Creates objects together with their status, as a controller would have left them: for `fluxtui demo`
//! (until the embedded controllers write real statuses) and for the tests and benchmarks that need a
//! populated cluster.

use std::collections::HashMap;

use kube::Client;
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::Value;

/// Why an object could not be created.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("object without apiVersion, kind or metadata.name: {0}")]
    Incomplete(String),
    #[error("cannot create {kind} {name}: {source}")]
    Create { kind: String, name: String, source: kube::Error },
    #[error("the cluster does not serve {kind} ({api_version}): {source}")]
    NotServed { kind: String, api_version: String, source: kube::Error },
    #[error("cannot write the status of {kind} {name}: {source}")]
    Status { kind: String, name: String, source: kube::Error },
}

/// Creates each object (or leaves it if it exists), then writes its `status` through the status subresource.
pub async fn create_with_status(client: &Client, objects: &[Value]) -> Result<(), SeedError> {
    // Discovery names each kind's resource (its plural), once per kind.
    let mut resources: HashMap<GroupVersionKind, ApiResource> = HashMap::new();
    for object in objects {
        let api_version = object["apiVersion"].as_str().unwrap_or_default();
        let kind = object["kind"].as_str().unwrap_or_default();
        let name = object["metadata"]["name"].as_str().unwrap_or_default().to_string();
        if api_version.is_empty() || kind.is_empty() || name.is_empty() {
            return Err(SeedError::Incomplete(object.to_string()));
        }
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let gvk = GroupVersionKind::gvk(group, version, kind);
        let resource = match resources.get(&gvk) {
            Some(resource) => resource.clone(),
            None => {
                let (resource, _) = kube::discovery::pinned_kind(client, &gvk).await.map_err(|source| {
                    SeedError::NotServed { kind: kind.to_string(), api_version: api_version.to_string(), source }
                })?;
                resources.insert(gvk, resource.clone());
                resource
            }
        };
        let api: Api<DynamicObject> = match object["metadata"]["namespace"].as_str() {
            Some(namespace) => Api::namespaced_with(client.clone(), namespace, &resource),
            None => Api::all_with(client.clone(), &resource),
        };
        let mut body = object.clone();
        let status = body.as_object_mut().and_then(|map| map.remove("status"));
        let dynamic: DynamicObject =
            serde_json::from_value(body).map_err(|err| SeedError::Incomplete(format!("{kind} {name}: {err}")))?;
        match api.create(&PostParams::default(), &dynamic).await {
            Ok(_) => {}
            Err(kube::Error::Api(response)) if response.code == 409 => {}
            Err(source) => return Err(SeedError::Create { kind: kind.to_string(), name, source }),
        }
        if let Some(status) = status.filter(|status| status.as_object().is_some_and(|map| !map.is_empty())) {
            let patch = serde_json::json!({ "status": status });
            api.patch_status(&name, &PatchParams::default(), &Patch::Merge(&patch))
                .await
                .map_err(|source| SeedError::Status { kind: kind.to_string(), name, source })?;
        }
    }
    Ok(())
}
