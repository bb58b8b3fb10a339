//! Role-based access control for impersonated identities, decided as kube-apiserver's RBAC authorizer decides:
//! Roles and ClusterRoles (aggregated ones included), RoleBindings and ClusterRoleBindings read from the store,
//! the default bootstrap roles (`bootstrap`), and the forbidden Status the real server sends.
//!
//! The sandbox's own callers (the admin token, or anyone when no token is configured) stay all-powerful and the
//! read-only token stays read-only; RBAC decides only for the identity an admin caller impersonates.

mod bootstrap;
mod policy;
mod rule;

pub(crate) use bootstrap::bootstrap;
pub use policy::Policy;
pub use rule::{Attributes, PolicyRule};

use crate::error::ApiError;
use crate::store::Store;
use policy::PolicyKey;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Who a request acts as (kube's `user.Info`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserInfo {
    pub name: String,
    pub uid: String,
    pub groups: Vec<String>,
    pub extra: BTreeMap<String, Vec<String>>,
}

/// The RBAC policy read from the store, kept until an RBAC object changes.
#[derive(Default)]
pub struct Authorizer {
    cached: Mutex<Option<(PolicyKey, Arc<Policy>)>>,
}

impl Authorizer {
    /// The policy as the store holds it now. Listing the four RBAC resources is cheap (shared pointers under the
    /// store's lock); parsing them happens only when one of them changed.
    pub fn policy(&self, store: &Store) -> Arc<Policy> {
        let (key, objects) = policy::snapshot(store);
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((cached_key, policy)) = cached.as_ref()
            && *cached_key == key
        {
            return policy.clone();
        }
        let policy = Arc::new(Policy::from_objects(&objects));
        *cached = Some((key, policy.clone()));
        policy
    }

    /// Allows the request for `user`, or answers with the 403 kube-apiserver sends.
    pub fn authorize(&self, store: &Store, user: &UserInfo, request: &Attributes) -> Result<(), ApiError> {
        match self.policy(store).authorize(user, request) {
            Ok(_) => Ok(()),
            Err(reason) => Err(forbidden(&user.name, request, &reason)),
        }
    }
}

/// kube-apiserver's 403 for `user` (`responsewriters.Forbidden` with `apierrors.NewForbidden`):
/// `deployments.apps "web" is forbidden: User "u" cannot patch resource "deployments" in API group "apps" in the
/// namespace "team"`, the authorizer's reason appended after a colon.
pub fn forbidden(user: &str, request: &Attributes, reason: &str) -> ApiError {
    let mut detail = if !request.resource_request {
        format!("User \"{user}\" cannot {} path \"{}\"", request.verb, request.path)
    } else {
        let scope = if request.namespace.is_empty() {
            "at the cluster scope".to_string()
        } else {
            format!("in the namespace \"{}\"", request.namespace)
        };
        format!(
            "User \"{user}\" cannot {} resource \"{}\" in API group \"{}\" {scope}",
            request.verb,
            request.combined_resource(),
            request.group
        )
    };
    if !reason.is_empty() {
        detail = format!("{detail}: {reason}");
    }
    let qualified = match (request.resource.as_str(), request.group.as_str()) {
        ("", _) => String::new(),
        (resource, "") => resource.to_string(),
        (resource, group) => format!("{resource}.{group}"),
    };
    let message = match (qualified.is_empty(), request.name.is_empty()) {
        (true, _) => format!("forbidden: {detail}"),
        (false, true) => format!("{qualified} is forbidden: {detail}"),
        (false, false) => format!("{qualified} \"{}\" is forbidden: {detail}", request.name),
    };
    let mut err = ApiError::forbidden(message);
    // metav1.StatusDetails drops empty fields.
    err.details.group = Some(request.group.clone()).filter(|g| !g.is_empty());
    err.details.kind = Some(request.resource.clone()).filter(|k| !k.is_empty());
    if !request.name.is_empty() {
        err.details.name = Some(request.name.clone());
    }
    err
}

#[cfg(test)]
mod tests;
