//! One RBAC rule and the request it is checked against, matched as kube-apiserver's RBAC authorizer matches them
//! (`rbac/v1` helpers `VerbMatches`, `APIGroupMatches`, `ResourceMatches`, `ResourceNameMatches`,
//! `NonResourceURLMatches`).

use serde::{Deserialize, Serialize};

/// `rbac.authorization.k8s.io/v1` PolicyRule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PolicyRule {
    pub verbs: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub api_groups: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource_names: Vec<String>,
    #[serde(rename = "nonResourceURLs", skip_serializing_if = "Vec::is_empty")]
    pub non_resource_urls: Vec<String>,
}

/// What a request asks to do, as the authorizer sees it (kube's `authorizer.Attributes`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    /// `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`, `impersonate`; for a
    /// non-resource request the lowercased HTTP method.
    pub verb: String,
    /// False for paths outside `/api/...` and `/apis/...` resources (discovery, `/version`, OpenAPI).
    pub resource_request: bool,
    pub group: String,
    pub resource: String,
    pub subresource: String,
    /// Empty at the cluster scope (cluster-scoped resources, and lists or watches across namespaces).
    pub namespace: String,
    /// Empty for lists, watches and creates.
    pub name: String,
    /// The URL path of a non-resource request.
    pub path: String,
}

impl Attributes {
    /// A request on a resource.
    pub fn resource(verb: &str, group: &str, resource: &str, namespace: &str, name: &str) -> Attributes {
        Attributes {
            verb: verb.to_string(),
            resource_request: true,
            group: group.to_string(),
            resource: resource.to_string(),
            namespace: namespace.to_string(),
            name: name.to_string(),
            ..Attributes::default()
        }
    }

    /// The same request on a subresource (`status`, `scale`, `log`...).
    pub fn with_subresource(mut self, subresource: &str) -> Attributes {
        self.subresource = subresource.to_string();
        self
    }

    /// A request on a path outside the resources.
    pub fn non_resource(verb: &str, path: &str) -> Attributes {
        Attributes { verb: verb.to_string(), path: path.to_string(), ..Attributes::default() }
    }

    /// `resource` or `resource/subresource`, as rules and messages name it.
    pub fn combined_resource(&self) -> String {
        if self.subresource.is_empty() {
            self.resource.clone()
        } else {
            format!("{}/{}", self.resource, self.subresource)
        }
    }
}

impl PolicyRule {
    /// Whether the rule allows the request.
    pub fn allows(&self, request: &Attributes) -> bool {
        if !matches_or_star(&self.verbs, &request.verb) {
            return false;
        }
        if request.resource_request {
            matches_or_star(&self.api_groups, &request.group)
                && self.resource_matches(request)
                && (self.resource_names.is_empty() || self.resource_names.contains(&request.name))
        } else {
            self.non_resource_urls.iter().any(|url| url_matches(url, &request.path))
        }
    }

    /// `*`, the exact `resource[/subresource]`, or `*/subresource` for any resource's subresource.
    fn resource_matches(&self, request: &Attributes) -> bool {
        let combined = request.combined_resource();
        self.resources.iter().any(|resource| {
            resource == "*"
                || *resource == combined
                || (!request.subresource.is_empty()
                    && resource.strip_prefix("*/").is_some_and(|sub| sub == request.subresource))
        })
    }
}

fn matches_or_star(values: &[String], wanted: &str) -> bool {
    values.iter().any(|v| v == "*" || v == wanted)
}

/// `*`, the exact path, or a prefix ending in `*`.
fn url_matches(rule: &str, path: &str) -> bool {
    rule == "*" || rule == path || rule.strip_suffix('*').is_some_and(|prefix| path.starts_with(prefix))
}
