//! `/openapi/v2` and `/openapi/v3` documents built from the [`Registry`].
//!
//! Definition names follow the real server: built-ins as `io.k8s.api.<group>.<version>.<Kind>`
//! (`io.k8s.api.core.v1.Pod`, `io.k8s.api.networking.v1.Ingress`), meta types under
//! `io.k8s.apimachinery.pkg.apis.meta.v1`, CRDs as reversed group + version + kind
//! (`io.fluxcd.toolkit.source.v1.GitRepository`). The v3 index lists one document per group
//! version (`api/v1`, `apis/apps/v1`, ...); discovery-only documents (`api`, `apis`, `version`)
//! are not served.

mod crd;
mod defs;
mod meta;
mod paths;

use crate::registry::{Registry, ResourceInfo};
use defs::{META, builtin_kind_schema, reference};
use meta::meta_definitions;
use paths::{Flavor, resource_paths};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

#[cfg(test)]
use crd::crd_schema_to_v2;

/// The Kubernetes release the documents claim to describe.
const INFO_VERSION: &str = "v1.32.0";

/// The component/definition name of a kind, as the real server names it.
pub fn definition_name(info: &ResourceInfo) -> String {
    let kind = &info.kind;
    let version = &info.version;
    if !info.is_builtin() {
        let reversed: Vec<&str> = info.group.split('.').rev().collect();
        return format!("{}.{version}.{kind}", reversed.join("."));
    }
    match info.group.as_str() {
        "" => format!("io.k8s.api.core.{version}.{kind}"),
        "apiextensions.k8s.io" => format!("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.{version}.{kind}"),
        group => {
            let short = group.trim_end_matches(".k8s.io").trim_end_matches(".authorization");
            format!("io.k8s.api.{short}.{version}.{kind}")
        }
    }
}

/// The v3 index key of a group version: `api/v1` or `apis/<group>/<version>`.
pub fn group_version_key(group: &str, version: &str) -> String {
    if group.is_empty() { format!("api/{version}") } else { format!("apis/{group}/{version}") }
}

fn gvk_list(group: &str, version: &str, kind: &str) -> Value {
    json!([{"group": group, "kind": kind, "version": version}])
}

/// The kind and list schemas of one resource, in v3 form.
fn resource_definitions(info: &ResourceInfo) -> Vec<(String, Value)> {
    let name = definition_name(info);
    let mut schema = match (&info.schema, info.is_builtin()) {
        (Some(crd_schema), false) => crd::crd_schema_to_v3(crd_schema),
        _ => builtin_kind_schema(&info.group, &info.kind),
    };
    schema["x-kubernetes-group-version-kind"] = gvk_list(&info.group, &info.version, &info.kind);
    let mut list = json!({
        "description": format!("{} is a list of {}", info.list_kind, info.kind),
        "type": "object",
        "required": ["items"],
        "properties": {
            "apiVersion": {"type": "string"},
            "items": {"type": "array", "items": reference(&name)},
            "kind": {"type": "string"},
            "metadata": reference(&format!("{META}.ListMeta")),
        },
    });
    list["x-kubernetes-group-version-kind"] = gvk_list(&info.group, &info.version, &info.list_kind);
    vec![(name.clone(), schema), (format!("{name}List"), list)]
}

/// Every `$ref` target named in a value.
fn collect_refs(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref"
                    && let Some(target) = v.as_str().and_then(|r| r.strip_prefix("#/components/schemas/"))
                {
                    out.insert(target.to_string());
                }
                collect_refs(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// The definitions reachable from `paths` and `roots`, sorted by name.
fn reachable(paths: &Map<String, Value>, roots: Vec<(String, Value)>) -> Map<String, Value> {
    let pool: BTreeMap<String, Value> = meta_definitions().into_iter().chain(roots).collect();
    let mut wanted = BTreeSet::new();
    paths.values().for_each(|item| collect_refs(item, &mut wanted));
    let mut done: BTreeMap<String, Value> = BTreeMap::new();
    let mut queue: Vec<String> = wanted.into_iter().collect();
    while let Some(name) = queue.pop() {
        if done.contains_key(&name) {
            continue;
        }
        if let Some(schema) = pool.get(&name) {
            let mut more = BTreeSet::new();
            collect_refs(schema, &mut more);
            queue.extend(more.into_iter().filter(|n| !done.contains_key(n)));
            done.insert(name, schema.clone());
        }
    }
    done.into_iter().collect()
}

fn build(resources: &[&ResourceInfo], flavor: Flavor) -> (Map<String, Value>, Map<String, Value>) {
    let mut paths = Map::new();
    let mut roots = Vec::new();
    for info in resources {
        let name = definition_name(info);
        for (path, item) in resource_paths(info, &name, flavor) {
            paths.insert(path, item);
        }
        roots.extend(resource_definitions(info));
    }
    let definitions = reachable(&paths, roots);
    (paths, definitions)
}

/// A document and its content hash (uppercase hex), for the v3 index, caching and ETags.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenApiDocument {
    pub document: Value,
    pub hash: String,
}

impl OpenApiDocument {
    fn new(document: Value) -> Self {
        let hash = content_hash(&document);
        OpenApiDocument { document, hash }
    }
}

/// `/openapi/v2`: one Swagger 2.0 document for every served resource.
pub fn openapi_v2(registry: &Registry) -> OpenApiDocument {
    let resources: Vec<&ResourceInfo> = registry.all().map(|i| i.as_ref()).collect();
    let (paths, definitions) = build(&resources, Flavor::V2);
    let mut definitions_v2 = Map::new();
    for (name, schema) in definitions {
        definitions_v2.insert(name, crd::to_v2(&schema));
    }
    let mut paths_v2 = Value::Object(paths);
    crd::rewrite_refs_v2(&mut paths_v2);
    OpenApiDocument::new(json!({
        "swagger": "2.0",
        "info": {"title": "Kubernetes", "version": INFO_VERSION},
        "paths": paths_v2,
        "definitions": definitions_v2,
        "securityDefinitions": {"BearerToken": {"description": "Bearer Token authentication", "type": "apiKey", "name": "authorization", "in": "header"}},
        "security": [{"BearerToken": []}],
    }))
}

/// One `/openapi/v3/<key>` document, `key` as in [`group_version_key`]; `None` when no resource
/// is served in that group version.
pub fn openapi_v3_group_version(registry: &Registry, key: &str) -> Option<OpenApiDocument> {
    let (group, version) = match key.trim_matches('/').split('/').collect::<Vec<_>>().as_slice() {
        ["api", version] => (String::new(), version.to_string()),
        ["apis", group, version] => (group.to_string(), version.to_string()),
        _ => return None,
    };
    let resources = registry.resources(&group, &version);
    if resources.is_empty() {
        return None;
    }
    let refs: Vec<&ResourceInfo> = resources.iter().map(|i| i.as_ref()).collect();
    let (paths, schemas) = build(&refs, Flavor::V3);
    Some(OpenApiDocument::new(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": INFO_VERSION},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"BearerToken": {"type": "apiKey", "description": "Bearer Token authentication", "name": "authorization", "in": "header"}},
        },
    })))
}

/// Every v3 group-version document, keyed as in the index.
pub fn openapi_v3_documents(registry: &Registry) -> BTreeMap<String, OpenApiDocument> {
    let mut keys = BTreeSet::new();
    for info in registry.all() {
        keys.insert(group_version_key(&info.group, &info.version));
    }
    keys.into_iter().filter_map(|key| openapi_v3_group_version(registry, &key).map(|doc| (key, doc))).collect()
}

/// `/openapi/v3`: `{"paths": {"apis/apps/v1": {"serverRelativeURL": "/openapi/v3/apis/apps/v1?hash=..."}}}`.
pub fn openapi_v3_index(documents: &BTreeMap<String, OpenApiDocument>) -> Value {
    let paths: Map<String, Value> = documents
        .iter()
        .map(|(key, doc)| (key.clone(), json!({"serverRelativeURL": format!("/openapi/v3/{key}?hash={}", doc.hash)})))
        .collect();
    json!({"paths": paths})
}

/// A 128-bit FNV-1a content hash (two differently seeded lanes) of the serialized document.
/// Only change detection matters (index URLs, ETags), not cryptographic strength.
pub fn content_hash(document: &Value) -> String {
    let bytes = document.to_string();
    let mut lanes: [u64; 2] = [0xcbf2_9ce4_8422_2325, 0x6c62_272e_07bb_0142];
    for byte in bytes.as_bytes() {
        for lane in &mut lanes {
            *lane ^= u64::from(*byte);
            *lane = lane.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{:016X}{:016X}", lanes[0], lanes[1])
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod drift_tests;
