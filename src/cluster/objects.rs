//! Live access to arbitrary Kubernetes objects (Deployments, Services, CRDs... whatever an inventory names):
//! apiVersion/kind resolved to an `ApiResource` through discovery, cached for the life of the access, and
//! reads through `DynamicObject`. Every failure is a value ([`Lookup`]), so one missing kind or forbidden
//! object never aborts a whole tree.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use kube::api::{Api, DynamicObject, ListParams};
use kube::core::GroupVersionKind;
use kube::discovery::{ApiResource, Scope, pinned_kind};
use kube::{Client, Error};
use serde_json::Value;

use crate::api::references::ObjectReference;

/// A resolved kind: where its objects live and whether they are namespaced.
#[derive(Debug, Clone)]
pub struct ResolvedKind {
    pub resource: ApiResource,
    pub namespaced: bool,
}

/// Why an object could not be read, or what it is.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    /// The live object, as JSON (managed fields stripped).
    Found(Value),
    /// The kind is known but the object does not exist (404).
    NotFound,
    /// The API server refused the read (403), with its words.
    Forbidden(String),
    /// The cluster does not serve this apiVersion/kind.
    UnknownKind(String),
    /// Any other failure (connection, 5xx...), with the error's words.
    Failed(String),
}

impl Lookup {
    pub fn object(&self) -> Option<&Value> {
        match self {
            Lookup::Found(value) => Some(value),
            _ => None,
        }
    }
}

/// What discovery said per (apiVersion, kind): the resource, or why there is none.
type KindCache = HashMap<(String, String), Result<ResolvedKind, String>>;

/// Reads arbitrary objects over one client, remembering what discovery said about each kind.
#[derive(Clone)]
pub struct ObjectAccess {
    client: Client,
    kinds: Arc<Mutex<KindCache>>,
}

impl std::fmt::Debug for ObjectAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectAccess").finish_non_exhaustive()
    }
}

/// Splits `apps/v1` into ("apps", "v1") and `v1` into ("", "v1").
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((group, version)) => (group, version),
        None => ("", api_version),
    }
}

impl ObjectAccess {
    pub fn new(client: Client) -> ObjectAccess {
        ObjectAccess { client, kinds: Arc::default() }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The resource behind an apiVersion and kind; discovery runs once per pair.
    pub async fn resolve(&self, api_version: &str, kind: &str) -> Result<ResolvedKind, String> {
        let cache_key = (api_version.to_string(), kind.to_string());
        if let Some(known) = self.lock().get(&cache_key) {
            return known.clone();
        }
        let (group, version) = split_api_version(api_version);
        let gvk = GroupVersionKind::gvk(group, version, kind);
        let resolved = match pinned_kind(&self.client, &gvk).await {
            Ok((resource, capabilities)) => {
                Ok(ResolvedKind { resource, namespaced: capabilities.scope == Scope::Namespaced })
            }
            Err(Error::Api(status)) if status.code == 403 => {
                Err(format!("discovery of {api_version} is forbidden: {}", status.message))
            }
            // An inventory written before an API upgrade names a version the cluster no longer serves (a
            // HelmRelease recorded as v2beta1): the kind is still there at the group's preferred version.
            Err(Error::Api(status)) if status.code == 404 => self.preferred_version(group, kind, api_version).await,
            Err(Error::Discovery(_)) => self.preferred_version(group, kind, api_version).await,
            // A transient failure is not cached: the next refresh asks again.
            Err(err) => return Err(format!("cannot discover {kind} in {api_version}: {err}")),
        };
        self.lock().insert(cache_key, resolved.clone());
        resolved
    }

    /// The kind at its group's preferred version, when the version asked for is not served.
    async fn preferred_version(&self, group: &str, kind: &str, api_version: &str) -> Result<ResolvedKind, String> {
        let not_served = || format!("the cluster does not serve {kind} in {api_version}");
        let discovered = kube::discovery::group(&self.client, group).await.map_err(|_| not_served())?;
        let (resource, capabilities) = discovered.recommended_kind(kind).ok_or_else(not_served)?;
        Ok(ResolvedKind { resource, namespaced: capabilities.scope == Scope::Namespaced })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, KindCache> {
        self.kinds.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn api(&self, resolved: &ResolvedKind, namespace: &str) -> Api<DynamicObject> {
        if resolved.namespaced {
            Api::namespaced_with(self.client.clone(), namespace, &resolved.resource)
        } else {
            Api::all_with(self.client.clone(), &resolved.resource)
        }
    }

    /// Reads one object. `reference.api_version` must be set (`v1`, `apps/v1`).
    pub async fn get(&self, reference: &ObjectReference) -> Lookup {
        let api_version = reference.api_version.as_deref().unwrap_or("v1");
        let resolved = match self.resolve(api_version, &reference.kind).await {
            Ok(resolved) => resolved,
            Err(message) => return Lookup::UnknownKind(message),
        };
        match self.api(&resolved, &reference.namespace).get_opt(&reference.name).await {
            Ok(Some(object)) => Lookup::Found(to_value(object)),
            Ok(None) => Lookup::NotFound,
            Err(err) => from_error(err),
        }
    }

    /// Lists the objects of a kind in a namespace ("" for every namespace), optionally by label selector.
    pub async fn list(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        label_selector: Option<&str>,
    ) -> Result<Vec<Value>, Lookup> {
        let resolved = self.resolve(api_version, kind).await.map_err(Lookup::UnknownKind)?;
        let api = if namespace.is_empty() || !resolved.namespaced {
            Api::all_with(self.client.clone(), &resolved.resource)
        } else {
            self.api(&resolved, namespace)
        };
        let mut params = ListParams::default();
        if let Some(selector) = label_selector {
            params = params.labels(selector);
        }
        match api.list(&params).await {
            Ok(list) => Ok(list.items.into_iter().map(to_value).collect()),
            Err(err) => Err(from_error(err)),
        }
    }
}

fn from_error(err: Error) -> Lookup {
    match err {
        Error::Api(status) if status.code == 404 => Lookup::NotFound,
        Error::Api(status) if status.code == 403 => Lookup::Forbidden(status.message),
        other => Lookup::Failed(other.to_string()),
    }
}

/// The object as JSON without managed fields, which nobody reads in a tree and which dominate its size.
fn to_value(mut object: DynamicObject) -> Value {
    object.metadata.managed_fields = None;
    serde_json::to_value(&object).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_error(code: u16, message: &str) -> Error {
        let status: kube::core::Status =
            serde_json::from_value(serde_json::json!({"code": code, "message": message})).expect("a Status");
        Error::Api(Box::new(status))
    }

    #[test]
    fn read_failures_are_values() {
        assert_eq!(from_error(api_error(404, "not found")), Lookup::NotFound);
        let forbidden = "deployments.apps \"web\" is forbidden: User \"viewer\" cannot get resource";
        assert_eq!(from_error(api_error(403, forbidden)), Lookup::Forbidden(forbidden.to_string()));
        assert!(
            matches!(from_error(api_error(500, "etcd timeout")), Lookup::Failed(message) if message.contains("etcd timeout"))
        );
        assert_eq!(split_api_version("apps/v1"), ("apps", "v1"));
        assert_eq!(split_api_version("v1"), ("", "v1"));
    }
}
