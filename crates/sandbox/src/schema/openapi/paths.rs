//! The REST operations of one resource, rendered as OpenAPI v2 or v3 path items.
//!
//! Every operation carries `x-kubernetes-action` and `x-kubernetes-group-version-kind`, and
//! parameters are inlined (never `$ref`ed): kubectl's query-parameter verifier looks for a query
//! parameter named `fieldValidation` directly among the PATCH operation's parameters.

use super::defs::{META, reference};
use crate::registry::ResourceInfo;
use serde_json::{Map, Value, json};

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Flavor {
    V2,
    V3,
}

#[derive(Clone, Copy)]
struct Param {
    name: &'static str,
    location: &'static str,
    kind: &'static str,
    description: &'static str,
}

const fn query(name: &'static str, kind: &'static str, description: &'static str) -> Param {
    Param { name, location: "query", kind, description }
}

const PRETTY: Param = query("pretty", "string", "If 'true', then the output is pretty printed.");
const NAME: Param = Param { name: "name", location: "path", kind: "string", description: "name of the resource" };
const NAMESPACE: Param = Param {
    name: "namespace",
    location: "path",
    kind: "string",
    description: "object name and auth scope, such as for teams and projects",
};
const DRY_RUN: Param = query(
    "dryRun",
    "string",
    "When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed",
);
const FIELD_MANAGER: Param = query(
    "fieldManager",
    "string",
    "fieldManager is a name associated with the actor or entity that is making these changes.",
);
const FIELD_VALIDATION: Param = query(
    "fieldValidation",
    "string",
    "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict",
);
const FORCE: Param = query(
    "force",
    "boolean",
    "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people.",
);
const LIST_PARAMS: &[Param] = &[
    query("allowWatchBookmarks", "boolean", "allowWatchBookmarks requests watch events with type \"BOOKMARK\"."),
    query("continue", "string", "The continue option should be set when retrieving more results from the server."),
    query("fieldSelector", "string", "A selector to restrict the list of returned objects by their fields."),
    query("labelSelector", "string", "A selector to restrict the list of returned objects by their labels."),
    query("limit", "integer", "limit is a maximum number of responses to return for a list call."),
    query(
        "resourceVersion",
        "string",
        "resourceVersion sets a constraint on what resource versions a request may be served from.",
    ),
    query(
        "resourceVersionMatch",
        "string",
        "resourceVersionMatch determines how resourceVersion is applied to list calls.",
    ),
    query("sendInitialEvents", "boolean", "`sendInitialEvents=true` may be set together with `watch=true`."),
    query("timeoutSeconds", "integer", "Timeout for the list/watch call."),
    query(
        "watch",
        "boolean",
        "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.",
    ),
];
const DELETE_PARAMS: &[Param] = &[
    DRY_RUN,
    query("gracePeriodSeconds", "integer", "The duration in seconds before the object should be deleted."),
    query(
        "ignoreStoreReadErrorWithClusterBreakingPotential",
        "boolean",
        "if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error.",
    ),
    query(
        "orphanDependents",
        "boolean",
        "Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7.",
    ),
    query("propagationPolicy", "string", "Whether and how garbage collection will be performed."),
];

struct Op {
    method: &'static str,
    id: String,
    action: &'static str,
    description: String,
    gvk: (String, String, String),
    params: Vec<Param>,
    body: Option<String>,
    responses: Vec<(&'static str, &'static str, String)>,
    watch: bool,
    /// The request content types: the resource's patch types for PATCH, `*/*` otherwise.
    consumes: Vec<&'static str>,
}

/// `apps` -> `Apps`, `source.toolkit.fluxcd.io` -> `SourceToolkitFluxcdIo`; `.k8s.io` is dropped
/// for built-in groups as the real operation IDs do.
fn group_camel(info: &ResourceInfo) -> String {
    if info.group.is_empty() {
        return "Core".to_string();
    }
    let group = if info.is_builtin() { info.group.trim_end_matches(".k8s.io") } else { info.group.as_str() };
    group
        .split(['.', '-'])
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

fn tag(info: &ResourceInfo) -> String {
    let camel = group_camel(info);
    let mut chars = camel.chars();
    let lower = chars.next().map(|c| c.to_ascii_lowercase().to_string() + chars.as_str()).unwrap_or_default();
    format!("{lower}_{}", info.version)
}

/// All path items of one resource, keyed by path.
pub(crate) fn resource_paths(info: &ResourceInfo, kind_def: &str, flavor: Flavor) -> Vec<(String, Value)> {
    let prefix = if info.group.is_empty() {
        format!("/api/{}", info.version)
    } else {
        format!("/apis/{}/{}", info.group, info.version)
    };
    let ns = if info.namespaced { "namespaces/{namespace}/" } else { "" };
    let scoped = if info.namespaced { "Namespaced" } else { "" };
    let op_base = format!("{}{}", group_camel(info), capitalize(&info.version));
    let kind = &info.kind;
    let gvk = (info.group.clone(), info.version.clone(), info.kind.clone());
    let list_def = format!("{kind_def}List");
    let verbs = |v: &str| info.verbs.iter().any(|x| x == v);
    // Built-ins accept strategic merge patches; custom resources do not.
    let patch_types = crate::patch::accepted_patch_types(info);
    let op = |method: &'static str,
              verb: &str,
              action,
              params: Vec<Param>,
              body: Option<&str>,
              responses: Vec<(&'static str, &'static str, String)>| Op {
        method,
        id: format!("{verb}{op_base}{scoped}{kind}"),
        action,
        description: format!("{verb} {kind}"),
        gvk: gvk.clone(),
        params,
        body: body.map(str::to_string),
        responses,
        watch: false,
        consumes: if method == "patch" { patch_types.clone() } else { vec!["*/*"] },
    };
    let ok = |def: &str| ("200", "OK", def.to_string());
    let status_def = format!("{META}.Status");
    let write_params = || vec![DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION];
    let mut patch_params = write_params();
    patch_params.push(FORCE);
    let mut paths = Vec::new();

    // Collection: list, create, deletecollection.
    let mut collection = Vec::new();
    if verbs("list") {
        let mut list = op("get", "list", "list", LIST_PARAMS.to_vec(), None, vec![ok(&list_def)]);
        list.watch = true;
        collection.push(list);
    }
    if verbs("create") {
        collection.push(op(
            "post",
            "create",
            "post",
            write_params(),
            Some(kind_def),
            vec![ok(kind_def), ("201", "Created", kind_def.to_string()), ("202", "Accepted", kind_def.to_string())],
        ));
    }
    if verbs("deletecollection") {
        let mut params = LIST_PARAMS
            .iter()
            .copied()
            .filter(|p| p.name != "watch" && p.name != "allowWatchBookmarks")
            .collect::<Vec<_>>();
        params.extend(DELETE_PARAMS);
        let mut delete = op(
            "delete",
            "delete",
            "deletecollection",
            params,
            Some(&format!("{META}.DeleteOptions")),
            vec![ok(&status_def)],
        );
        delete.id = format!("delete{op_base}Collection{scoped}{kind}");
        collection.push(delete);
    }
    let path_params = |extra: &[Param]| {
        let mut p = extra.to_vec();
        if info.namespaced {
            p.push(NAMESPACE);
        }
        p.push(PRETTY);
        p
    };
    paths.push((format!("{prefix}/{ns}{}", info.plural), path_item(collection, &path_params(&[]), flavor)));

    // Single object: read, replace, patch, delete.
    let mut single = Vec::new();
    if verbs("get") {
        single.push(op("get", "read", "get", vec![], None, vec![ok(kind_def)]));
    }
    if verbs("update") {
        single.push(op(
            "put",
            "replace",
            "put",
            write_params(),
            Some(kind_def),
            vec![ok(kind_def), ("201", "Created", kind_def.to_string())],
        ));
    }
    if verbs("patch") {
        single.push(op(
            "patch",
            "patch",
            "patch",
            patch_params.clone(),
            Some(&format!("{META}.Patch")),
            vec![ok(kind_def), ("201", "Created", kind_def.to_string())],
        ));
    }
    if verbs("delete") {
        single.push(op(
            "delete",
            "delete",
            "delete",
            DELETE_PARAMS.to_vec(),
            Some(&format!("{META}.DeleteOptions")),
            vec![ok(&status_def), ("202", "Accepted", status_def.clone())],
        ));
    }
    let named = path_params(&[NAME]);
    paths.push((format!("{prefix}/{ns}{}/{{name}}", info.plural), path_item(single, &named, flavor)));

    for (sub, def, sub_gvk) in [
        ("status", Some(kind_def.to_string()), gvk.clone()),
        (
            "scale",
            Some("io.k8s.api.autoscaling.v1.Scale".to_string()),
            ("autoscaling".into(), "v1".into(), "Scale".into()),
        ),
    ] {
        let enabled = if sub == "status" { info.status_subresource } else { info.scale_subresource.is_some() };
        let Some(def) = def.filter(|_| enabled) else { continue };
        let suffix = capitalize(sub);
        let mut ops = vec![
            op("get", "read", "get", vec![], None, vec![ok(&def)]),
            op("put", "replace", "put", write_params(), Some(&def), vec![ok(&def), ("201", "Created", def.clone())]),
            op(
                "patch",
                "patch",
                "patch",
                patch_params.clone(),
                Some(&format!("{META}.Patch")),
                vec![ok(&def), ("201", "Created", def.clone())],
            ),
        ];
        for o in &mut ops {
            o.id.push_str(&suffix);
            o.gvk = sub_gvk.clone();
        }
        paths.push((format!("{prefix}/{ns}{}/{{name}}/{sub}", info.plural), path_item(ops, &named, flavor)));
    }

    if verbs("watch") {
        let watch_def = format!("{META}.WatchEvent");
        let mut watch_list = op("get", "watch", "watchlist", LIST_PARAMS.to_vec(), None, vec![ok(&watch_def)]);
        watch_list.id.push_str("List");
        watch_list.watch = true;
        paths.push((
            format!("{prefix}/watch/{ns}{}", info.plural),
            path_item(vec![watch_list], &path_params(&[]), flavor),
        ));
        let mut watch_one = op("get", "watch", "watch", LIST_PARAMS.to_vec(), None, vec![ok(&watch_def)]);
        watch_one.watch = true;
        paths
            .push((format!("{prefix}/watch/{ns}{}/{{name}}", info.plural), path_item(vec![watch_one], &named, flavor)));
        if info.namespaced {
            let mut all = op("get", "watch", "watchlist", LIST_PARAMS.to_vec(), None, vec![ok(&watch_def)]);
            all.id = format!("watch{op_base}{kind}ListForAllNamespaces");
            all.watch = true;
            paths.push((format!("{prefix}/watch/{}", info.plural), path_item(vec![all], &[PRETTY], flavor)));
        }
    }
    if info.namespaced && verbs("list") {
        let mut all = op("get", "list", "list", LIST_PARAMS.to_vec(), None, vec![ok(&list_def)]);
        all.id = format!("list{op_base}{kind}ForAllNamespaces");
        all.watch = true;
        paths.push((format!("{prefix}/{}", info.plural), path_item(vec![all], &[PRETTY], flavor)));
    }
    let tag = tag(info);
    for (_, item) in &mut paths {
        if let Some(map) = item.as_object_mut() {
            for (key, op) in map.iter_mut() {
                if key != "parameters" {
                    op["tags"] = json!([tag]);
                }
            }
        }
    }
    paths
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

fn param_json(p: &Param, flavor: Flavor) -> Value {
    let mut out = Map::new();
    out.insert("name".into(), json!(p.name));
    out.insert("in".into(), json!(p.location));
    out.insert("description".into(), json!(p.description));
    if p.location == "path" {
        out.insert("required".into(), json!(true));
    }
    match flavor {
        Flavor::V2 => {
            out.insert("type".into(), json!(p.kind));
            out.insert("uniqueItems".into(), json!(true));
        }
        Flavor::V3 => {
            out.insert("schema".into(), json!({"type": p.kind, "uniqueItems": true}));
        }
    }
    Value::Object(out)
}

fn path_item(ops: Vec<Op>, path_params: &[Param], flavor: Flavor) -> Value {
    let mut item = Map::new();
    for op in ops {
        item.insert(op.method.into(), render(&op, flavor));
    }
    item.insert("parameters".into(), Value::Array(path_params.iter().map(|p| param_json(p, flavor)).collect()));
    Value::Object(item)
}

fn render(op: &Op, flavor: Flavor) -> Value {
    let mut produces = vec!["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"];
    if op.watch {
        produces.extend(["application/json;stream=watch", "application/vnd.kubernetes.protobuf;stream=watch"]);
    }
    let consumes = &op.consumes;
    let mut params: Vec<Value> = op.params.iter().map(|p| param_json(p, flavor)).collect();
    let mut out = Map::new();
    out.insert("description".into(), json!(op.description));
    match flavor {
        Flavor::V2 => {
            out.insert("consumes".into(), json!(consumes));
            out.insert("produces".into(), json!(produces));
            out.insert("schemes".into(), json!(["https"]));
            if let Some(body) = &op.body {
                params.insert(
                    0,
                    json!({"name": "body", "in": "body", "required": op.method != "delete", "schema": reference(body)}),
                );
            }
            let responses: Map<String, Value> = op
                .responses
                .iter()
                .map(|(code, desc, def)| (code.to_string(), json!({"description": desc, "schema": reference(def)})))
                .chain(std::iter::once(("401".to_string(), json!({"description": "Unauthorized"}))))
                .collect();
            out.insert("responses".into(), Value::Object(responses));
        }
        Flavor::V3 => {
            if let Some(body) = &op.body {
                let content: Map<String, Value> =
                    consumes.iter().map(|c| (c.to_string(), json!({"schema": reference(body)}))).collect();
                let mut request = json!({"content": content});
                if op.method != "delete" {
                    request["required"] = json!(true);
                }
                out.insert("requestBody".into(), request);
            }
            let responses: Map<String, Value> = op
                .responses
                .iter()
                .map(|(code, desc, def)| {
                    let content: Map<String, Value> =
                        produces.iter().map(|c| (c.to_string(), json!({"schema": reference(def)}))).collect();
                    (code.to_string(), json!({"description": desc, "content": content}))
                })
                .chain(std::iter::once(("401".to_string(), json!({"description": "Unauthorized"}))))
                .collect();
            out.insert("responses".into(), Value::Object(responses));
        }
    }
    out.insert("operationId".into(), json!(op.id));
    out.insert("parameters".into(), Value::Array(params));
    out.insert("x-kubernetes-action".into(), json!(op.action));
    out.insert(
        "x-kubernetes-group-version-kind".into(),
        json!({"group": op.gvk.0, "version": op.gvk.1, "kind": op.gvk.2}),
    );
    Value::Object(out)
}
