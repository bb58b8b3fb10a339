//! Kubernetes object semantics on top of the store: what create, update, patch, delete, get,
//! list and watch mean for metadata, generation, status subresources, finalizers and CRDs.
//!
//! Everything here is synchronous and I/O-free apart from the store itself, so the HTTP layer,
//! the workload simulation and tests all go through the same rules.

mod admission;
mod conversion;
mod crd_lifecycle;
mod delete;
mod meta;
mod patching;
mod read;
pub mod selector;
mod write;

pub use crate::patch::PatchType;
pub use crate::schema::FieldValidation;
pub use delete::{DeleteOptions, FINALIZER_FOREGROUND, FINALIZER_ORPHAN, Propagation};
pub(crate) use meta::{SAFE_ALPHABET, finalizers, is_deleting, meta_mut, meta_str, now_rfc3339, rfc3339};
pub use read::{ListOptions, ListResult, as_version, list_json, selector_string};
pub use write::{WriteOptions, WriteOutcome};

use crate::config::SandboxConfig;
use crate::error::ApiError;
use crate::registry::{GroupResource, Registry, ResourceInfo};
use crate::store::{Store, StoreError};
use std::sync::{Arc, RwLock};

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        ApiError::internal(err.to_string())
    }
}

/// The whole state of one sandbox: objects, served resources and configuration.
pub struct ApiState {
    pub store: Store,
    registry: RwLock<Arc<Registry>>,
    pub config: SandboxConfig,
}

/// Which object a request is about.
#[derive(Debug, Clone)]
pub struct Target {
    pub info: Arc<ResourceInfo>,
    /// Empty for cluster-scoped resources.
    pub namespace: String,
    pub name: String,
    /// `status`, `scale` or none.
    pub subresource: Option<String>,
}

impl Target {
    pub fn new(info: Arc<ResourceInfo>, namespace: &str, name: &str) -> Self {
        let namespace = if info.namespaced { namespace.to_string() } else { String::new() };
        Target { info, namespace, name: name.to_string(), subresource: None }
    }

    pub fn with_subresource(mut self, subresource: Option<&str>) -> Self {
        self.subresource = subresource.map(str::to_string);
        self
    }

    pub fn gr(&self) -> GroupResource {
        self.info.group_resource()
    }
}

impl ApiState {
    /// Opens the state (replaying `state_dir` when set) and makes sure the namespaces and default
    /// RBAC roles every cluster has exist. CRDs found in the store are served again at once.
    pub fn open(config: SandboxConfig) -> Result<Arc<ApiState>, ApiError> {
        let store = Store::open(config.state_dir.as_deref(), config.watch_history)?;
        let state = Arc::new(ApiState { store, registry: RwLock::new(Arc::new(Registry::with_builtins())), config });
        crd_lifecycle::serve_stored_crds(&state);
        admission::bootstrap(&state)?;
        crate::rbac::bootstrap(&state)?;
        Ok(state)
    }

    /// A consistent snapshot of the served resources.
    pub fn registry(&self) -> Arc<Registry> {
        self.registry.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    fn update_registry(&self, change: impl FnOnce(&mut Registry)) {
        let mut guard = self.registry.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut next = (**guard).clone();
        change(&mut next);
        *guard = Arc::new(next);
    }

    /// Resolves URL parts to a served resource, or the 404 the real server gives.
    pub fn resource(&self, group: &str, version: &str, plural: &str) -> Result<Arc<ResourceInfo>, ApiError> {
        self.registry().get(group, version, plural).ok_or_else(ApiError::not_served)
    }

    /// Looks up a resource by apiVersion and kind (for in-process writers such as the workload simulation).
    pub fn resource_for_kind(&self, api_version: &str, kind: &str) -> Result<Arc<ResourceInfo>, ApiError> {
        self.registry().by_kind(api_version, kind).ok_or_else(|| {
            ApiError::new(404, "NotFound", format!("no matches for kind \"{kind}\" in version \"{api_version}\""))
        })
    }
}

#[cfg(test)]
mod tests;
