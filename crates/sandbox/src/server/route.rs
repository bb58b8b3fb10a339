//! Parsing Kubernetes API paths.

/// What a request path addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Version,
    Health,
    CoreVersions,
    Groups,
    Group(String),
    ResourceList { group: String, version: String },
    OpenApiV2,
    OpenApiV3Index,
    OpenApiV3 { path: String },
    Admin(String),
    Resource(ResourcePath),
}

/// `/api/v1/namespaces/ns/pods/name/log` and its relatives.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResourcePath {
    pub group: String,
    pub version: String,
    pub namespace: String,
    pub resource: String,
    pub name: String,
    pub subresource: Option<String>,
    /// The deprecated `/watch/` path form.
    pub legacy_watch: bool,
}

pub fn parse(path: &str) -> Option<Route> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        ["version"] => Some(Route::Version),
        ["healthz" | "readyz" | "livez", ..] => Some(Route::Health),
        ["api"] => Some(Route::CoreVersions),
        ["apis"] => Some(Route::Groups),
        ["apis", group] => Some(Route::Group(group.to_string())),
        ["api", version] => Some(Route::ResourceList { group: String::new(), version: version.to_string() }),
        ["apis", group, version] => {
            Some(Route::ResourceList { group: group.to_string(), version: version.to_string() })
        }
        ["openapi", "v2"] | ["swagger.json"] => Some(Route::OpenApiV2),
        ["openapi", "v3"] => Some(Route::OpenApiV3Index),
        ["openapi", "v3", rest @ ..] => Some(Route::OpenApiV3 { path: rest.join("/") }),
        ["sandbox", rest @ ..] => Some(Route::Admin(rest.join("/"))),
        ["api", version, rest @ ..] => resource_path("", version, rest).map(Route::Resource),
        ["apis", group, version, rest @ ..] => resource_path(group, version, rest).map(Route::Resource),
        _ => None,
    }
}

fn resource_path(group: &str, version: &str, rest: &[&str]) -> Option<ResourcePath> {
    let mut path = ResourcePath { group: group.to_string(), version: version.to_string(), ..Default::default() };
    let mut rest = rest;
    if rest.first() == Some(&"watch") {
        path.legacy_watch = true;
        rest = &rest[1..];
    }
    let rest = match rest {
        // `/namespaces/x` alone, or with a namespace subresource, is the Namespace object.
        ["namespaces", name] => {
            path.resource = "namespaces".into();
            path.name = name.to_string();
            return Some(path);
        }
        ["namespaces", name, sub @ ("status" | "finalize")] => {
            path.resource = "namespaces".into();
            path.name = name.to_string();
            path.subresource = Some(sub.to_string());
            return Some(path);
        }
        ["namespaces", namespace, rest @ ..] if !rest.is_empty() => {
            path.namespace = namespace.to_string();
            rest
        }
        rest => rest,
    };
    match rest {
        [resource] => path.resource = resource.to_string(),
        [resource, name] => {
            path.resource = resource.to_string();
            path.name = name.to_string();
        }
        [resource, name, subresource] => {
            path.resource = resource.to_string();
            path.name = name.to_string();
            path.subresource = Some(subresource.to_string());
        }
        _ => return None,
    }
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(path: &str) -> ResourcePath {
        match parse(path) {
            Some(Route::Resource(r)) => r,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn paths_resolve_as_the_api_server_resolves_them() {
        let logs = resource("/api/v1/namespaces/demo/pods/web-1/log");
        assert_eq!((logs.namespace.as_str(), logs.resource.as_str(), logs.name.as_str()), ("demo", "pods", "web-1"));
        assert_eq!(logs.subresource.as_deref(), Some("log"));
        let ns = resource("/api/v1/namespaces/demo");
        assert_eq!((ns.resource.as_str(), ns.name.as_str(), ns.namespace.as_str()), ("namespaces", "demo", ""));
        let finalize = resource("/api/v1/namespaces/demo/finalize");
        assert_eq!(finalize.subresource.as_deref(), Some("finalize"));
        let list = resource("/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories");
        assert_eq!(
            (list.group.as_str(), list.resource.as_str(), list.name.as_str()),
            ("source.toolkit.fluxcd.io", "gitrepositories", "")
        );
        let all = resource("/apis/apps/v1/deployments");
        assert_eq!(all.namespace, "");
        let watch = resource("/api/v1/watch/namespaces/demo/configmaps");
        assert!(watch.legacy_watch);
        assert_eq!(parse("/apis/apps/v1"), Some(Route::ResourceList { group: "apps".into(), version: "v1".into() }));
        assert_eq!(parse("/openapi/v3/apis/apps/v1"), Some(Route::OpenApiV3 { path: "apis/apps/v1".into() }));
    }
}
