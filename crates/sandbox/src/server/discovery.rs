//! Discovery documents: the legacy per-group lists and aggregated discovery (apidiscovery.k8s.io/v2),
//! which kubectl 1.32 and client-go ask for first and which saves them one request per group.

use crate::registry::{Registry, ResourceInfo};
use serde_json::{Value, json};

pub const AGGREGATED_V2: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
pub const AGGREGATED_V2BETA1: &str = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

/// Which aggregated discovery format the client accepts, if any (the first one it lists wins).
pub fn aggregated_format(accept: &str) -> Option<&'static str> {
    for candidate in accept.split(',') {
        let candidate = candidate.replace(' ', "");
        if candidate.contains("as=APIGroupDiscoveryList") && candidate.contains("g=apidiscovery.k8s.io") {
            if candidate.contains("v=v2beta1") {
                return Some(AGGREGATED_V2BETA1);
            }
            if candidate.contains("v=v2") {
                return Some(AGGREGATED_V2);
            }
        }
    }
    None
}

pub fn version() -> Value {
    let minor = crate::KUBERNETES_VERSION.trim_start_matches("v1.").split('.').next().unwrap_or("32");
    json!({
        "major": "1",
        "minor": minor,
        "gitVersion": crate::KUBERNETES_VERSION,
        "gitCommit": "fluxtui-sandbox",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.23.0",
        "compiler": "gc",
        "platform": format!("linux/{}", go_arch()),
    })
}

fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

pub fn core_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    })
}

fn group_entry(registry: &Registry, group: &str) -> Value {
    let versions: Vec<Value> = registry
        .versions_of(group)
        .iter()
        .map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
        .collect();
    let preferred = versions.first().cloned().unwrap_or(Value::Null);
    json!({"name": group, "versions": versions, "preferredVersion": preferred})
}

pub fn groups(registry: &Registry) -> Value {
    let groups: Vec<Value> =
        registry.groups().iter().filter(|g| !g.is_empty()).map(|g| group_entry(registry, g)).collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

pub fn group(registry: &Registry, group: &str) -> Option<Value> {
    if registry.versions_of(group).is_empty() {
        return None;
    }
    let mut entry = group_entry(registry, group);
    entry["kind"] = json!("APIGroup");
    entry["apiVersion"] = json!("v1");
    Some(entry)
}

const SUBRESOURCE_VERBS: &[&str] = &["get", "patch", "update"];

pub fn resource_list(registry: &Registry, group: &str, version: &str) -> Option<Value> {
    let resources = registry.resources(group, version);
    if resources.is_empty() {
        return None;
    }
    let mut entries = Vec::new();
    for info in &resources {
        let mut entry = json!({
            "name": info.plural,
            "singularName": info.singular,
            "namespaced": info.namespaced,
            "kind": info.kind,
            "verbs": info.verbs,
        });
        if !info.short_names.is_empty() {
            entry["shortNames"] = json!(info.short_names);
        }
        if !info.categories.is_empty() {
            entry["categories"] = json!(info.categories);
        }
        entries.push(entry);
        for (sub, kind, verbs) in subresources(info) {
            let mut entry = json!({"name": format!("{}/{sub}", info.plural), "singularName": "", "namespaced": info.namespaced, "kind": kind.1, "verbs": verbs});
            if !kind.0.is_empty() {
                entry["group"] = json!(kind.0);
                entry["version"] = json!("v1");
            }
            entries.push(entry);
        }
    }
    let group_version = if group.is_empty() { version.to_string() } else { format!("{group}/{version}") };
    Some(json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": entries}))
}

/// (name, (response group, response kind), verbs) of each subresource a resource serves.
fn subresources(info: &ResourceInfo) -> Vec<(&'static str, (&'static str, String), Vec<&'static str>)> {
    let mut subs = Vec::new();
    if info.status_subresource {
        subs.push(("status", ("", info.kind.clone()), SUBRESOURCE_VERBS.to_vec()));
    }
    if info.scale_subresource.is_some() {
        subs.push(("scale", ("autoscaling", "Scale".to_string()), SUBRESOURCE_VERBS.to_vec()));
    }
    if info.log_subresource {
        subs.push(("log", ("", "Pod".to_string()), vec!["get"]));
    }
    if info.group.is_empty() && info.plural == "namespaces" {
        subs.push(("finalize", ("", "Namespace".to_string()), vec!["update"]));
    }
    subs
}

/// The aggregated document for `/api` (`core == true`) or `/apis`.
pub fn aggregated(registry: &Registry, core: bool, content_type: &str) -> Value {
    let api_version =
        if content_type == AGGREGATED_V2BETA1 { "apidiscovery.k8s.io/v2beta1" } else { "apidiscovery.k8s.io/v2" };
    let groups: Vec<String> =
        registry.groups().into_iter().filter(|g| if core { g.is_empty() } else { !g.is_empty() }).collect();
    let items: Vec<Value> = groups
        .iter()
        .map(|group| {
            let versions: Vec<Value> = registry
                .versions_of(group)
                .iter()
                .map(|version| {
                    let resources: Vec<Value> =
                        registry.resources(group, version).iter().map(|info| aggregated_resource(info)).collect();
                    json!({"version": version, "resources": resources, "freshness": "Current"})
                })
                .collect();
            let metadata = if group.is_empty() {
                json!({"creationTimestamp": null})
            } else {
                json!({"name": group, "creationTimestamp": null})
            };
            json!({"metadata": metadata, "versions": versions})
        })
        .collect();
    json!({"kind": "APIGroupDiscoveryList", "apiVersion": api_version, "metadata": {}, "items": items})
}

fn aggregated_resource(info: &ResourceInfo) -> Value {
    let mut entry = json!({
        "resource": info.plural,
        "responseKind": {"group": info.group, "version": info.version, "kind": info.kind},
        "scope": if info.namespaced { "Namespaced" } else { "Cluster" },
        "singularResource": info.singular,
        "verbs": info.verbs,
    });
    if !info.short_names.is_empty() {
        entry["shortNames"] = json!(info.short_names);
    }
    if !info.categories.is_empty() {
        entry["categories"] = json!(info.categories);
    }
    let subs: Vec<Value> = subresources(info)
        .into_iter()
        .map(|(name, (group, kind), verbs)| {
            let version = if group.is_empty() { info.version.as_str() } else { "v1" };
            let group = if group.is_empty() { info.group.as_str() } else { group };
            json!({"subresource": name, "responseKind": {"group": group, "version": version, "kind": kind}, "verbs": verbs})
        })
        .collect();
    if !subs.is_empty() {
        entry["subresources"] = Value::Array(subs);
    }
    entry
}
