//! The authorization step: what a request asks (kube's `RequestInfo` turned into authorizer attributes), and the
//! RBAC decision for an impersonated identity. The sandbox's own callers keep their token's powers.

use super::Shared;
use super::http::{Query, flag};
use super::impersonation::Identity;
use super::route::{ResourcePath, Route};
use crate::error::ApiError;
use crate::rbac::Attributes;
use axum::http::Method;
use std::sync::Arc;

/// The verb kube-apiserver derives from the method and the path (`get` of a collection is `list`, or `watch`
/// with `?watch=true` or the `/watch/` form; `delete` of a collection is `deletecollection`).
pub fn resource_verb(method: &Method, path: &ResourcePath, query: &Query) -> &'static str {
    let collection = path.name.is_empty();
    match *method {
        Method::GET | Method::HEAD if path.legacy_watch || (collection && flag(query, "watch")) => "watch",
        Method::GET | Method::HEAD if collection => "list",
        Method::GET | Method::HEAD => "get",
        Method::POST => "create",
        Method::PUT => "update",
        Method::PATCH => "patch",
        Method::DELETE if collection => "deletecollection",
        _ => "delete",
    }
}

/// The attributes of a resource request.
pub fn resource_attributes(method: &Method, path: &ResourcePath, query: &Query) -> Attributes {
    // A Namespace object is addressed in its own namespace, so a RoleBinding there can grant reading it.
    let namespace = if path.resource == "namespaces" { &path.name } else { &path.namespace };
    Attributes::resource(resource_verb(method, path, query), &path.group, &path.resource, namespace, &path.name)
        .with_subresource(path.subresource.as_deref().unwrap_or_default())
}

/// The attributes of any routed request: resources by their path, the rest (discovery, `/version`, OpenAPI, the
/// admin endpoints) as non-resource paths with the lowercased method as verb.
pub fn attributes(route: &Route, method: &Method, uri_path: &str, query: &Query) -> Attributes {
    match route {
        Route::Resource(path) => resource_attributes(method, path, query),
        _ => Attributes::non_resource(&method.as_str().to_ascii_lowercase(), uri_path),
    }
}

/// Lets the request through, or answers with RBAC's 403: only impersonated identities are asked about.
pub async fn authorize(shared: &Arc<Shared>, identity: &Identity, request: Attributes) -> Result<(), ApiError> {
    let Identity::Impersonated(user) = identity else { return Ok(()) };
    let shared = shared.clone();
    let user = user.clone();
    // Reading the RBAC objects takes the store's lock, which a committing write holds through its fsync.
    tokio::task::spawn_blocking(move || shared.authorizer.authorize(&shared.state.store, &user, &request))
        .await
        .map_err(|e| ApiError::internal(format!("authorization failed: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::route;

    fn of(method: Method, uri: &str) -> Attributes {
        let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
        let route = route::parse(path).expect("routed");
        attributes(&route, &method, path, &super::super::http::parse_query(Some(query)))
    }

    #[test]
    fn verbs_and_scopes_follow_the_request_info_of_kube_apiserver() {
        let list = of(Method::GET, "/apis/apps/v1/namespaces/team/deployments");
        assert_eq!((list.verb.as_str(), list.namespace.as_str(), list.name.as_str()), ("list", "team", ""));
        assert_eq!(of(Method::GET, "/apis/apps/v1/deployments?watch=true").verb, "watch");
        assert_eq!(of(Method::GET, "/api/v1/watch/namespaces/team/pods").verb, "watch");
        assert_eq!(of(Method::DELETE, "/api/v1/namespaces/team/configmaps").verb, "deletecollection");
        let scale = of(Method::PATCH, "/apis/apps/v1/namespaces/team/deployments/web/scale");
        assert_eq!((scale.verb.as_str(), scale.combined_resource().as_str()), ("patch", "deployments/scale"));
        let namespace = of(Method::GET, "/api/v1/namespaces/team");
        assert_eq!((namespace.namespace.as_str(), namespace.name.as_str()), ("team", "team"));
        let discovery = of(Method::GET, "/apis/apps/v1");
        assert!(!discovery.resource_request);
        assert_eq!((discovery.verb.as_str(), discovery.path.as_str()), ("get", "/apis/apps/v1"));
    }
}
