//! What the real API server does to an object before it is stored: defaulting and validation of
//! the built-in kinds this sandbox models closely, CRD checks, and the namespace lifecycle rule.

use super::meta::{self, meta_mut};
use super::{ApiState, Target, WriteOptions};
use crate::error::{ApiError, Cause};
use crate::registry::{GroupResource, resources_from_crd};
use crate::schema::{self, FieldValidation};
use crate::store::Txn;
use base64::Engine;
use serde_json::{Value, json};

/// Runs every admission step for a create (`old` is `None`) or an update.
pub(super) fn admit(
    txn: &mut Txn<'_>,
    target: &Target,
    old: Option<&Value>,
    body: &mut Value,
    options: &WriteOptions,
    warnings: &mut Vec<String>,
) -> Result<(), ApiError> {
    let info = &target.info;
    schema_checks(target, body, options, warnings)?;
    match (info.group.as_str(), info.plural.as_str()) {
        ("", "namespaces") => namespace(old, body, target.subresource.as_deref()),
        ("", "services") => service(txn, old, body),
        ("", "secrets") => secret(info, &target.name, body)?,
        ("apiextensions.k8s.io", "customresourcedefinitions") => crd(info, &target.name, old, body)?,
        _ => {}
    }
    // Hook: built-in defaulting and validation of pods and workload kinds, kept next to the
    // simulated controllers that rely on it.
    crate::workloads::defaults::apply(info, old, body)?;
    Ok(())
}

/// Prune, default and validate against the CRD schema (and check the name, for every kind),
/// in the real server's order; unknown fields follow `fieldValidation`.
fn schema_checks(
    target: &Target,
    body: &mut Value,
    options: &WriteOptions,
    warnings: &mut Vec<String>,
) -> Result<(), ApiError> {
    let info = &target.info;
    let processed = schema::process_custom_resource(info, body);
    if !processed.pruned.is_empty() {
        match options.field_validation {
            FieldValidation::Strict => {
                return Err(ApiError::bad_request(schema::strict_decoding_message(info, &processed.pruned)));
            }
            FieldValidation::Warn => warnings.extend(processed.pruned.iter().map(|p| schema::unknown_field_message(p))),
            FieldValidation::Ignore => {}
        }
    }
    for rule in &processed.skipped_rules {
        tracing::debug!(kind = %info.kind, %rule, "validation rule not evaluated by the sandbox");
    }
    if !processed.causes.is_empty() {
        return Err(ApiError::invalid(&info.group, &info.kind, &target.name, processed.causes));
    }
    Ok(())
}

/// Writes into a namespace need it to exist and not be terminating.
pub(super) fn check_namespace_accepts_writes(txn: &Txn<'_>, namespace: &str) -> Result<(), ApiError> {
    let namespaces = GroupResource::new("", "namespaces");
    match txn.get(&namespaces, "", namespace) {
        None => Err(ApiError::not_found("", "namespaces", namespace)),
        Some(ns) if meta::is_deleting(&ns.value()) => Err(ApiError::forbidden(format!(
            "unable to create new content in namespace {namespace} because it is being terminated"
        ))),
        Some(_) => Ok(()),
    }
}

fn namespace(old: Option<&Value>, body: &mut Value, subresource: Option<&str>) {
    match old {
        None => {
            body["spec"] = json!({"finalizers": ["kubernetes"]});
            body["status"] = json!({"phase": "Active"});
            let name = meta::meta_str(body, "name").to_string();
            let labels = meta_mut(body).entry("labels").or_insert_with(|| json!({}));
            if let Some(labels) = labels.as_object_mut() {
                labels.insert("kubernetes.io/metadata.name".into(), Value::String(name));
            }
        }
        Some(_) if subresource == Some("finalize") => {}
        Some(old) => {
            // spec.finalizers only changes through the finalize subresource.
            if let Some(spec) = old.get("spec") {
                body["spec"] = spec.clone();
            }
        }
    }
}

/// Allocates a cluster IP as the service IP allocator does, and fills the defaults kubectl shows.
fn service(txn: &Txn<'_>, old: Option<&Value>, body: &mut Value) {
    let spec = body.get("spec").cloned().unwrap_or_else(|| json!({}));
    let mut spec = match spec {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    let service_type = spec.get("type").and_then(Value::as_str).unwrap_or("ClusterIP").to_string();
    spec.insert("type".into(), Value::String(service_type.clone()));
    spec.entry("sessionAffinity").or_insert_with(|| json!("None"));
    if service_type != "ExternalName" {
        let ip = match old.and_then(|o| o.pointer("/spec/clusterIP")).and_then(Value::as_str) {
            Some(ip) => ip.to_string(),
            None => match spec.get("clusterIP").and_then(Value::as_str) {
                Some(ip) if !ip.is_empty() => ip.to_string(),
                _ => allocate_cluster_ip(txn),
            },
        };
        spec.insert("clusterIPs".into(), json!([ip]));
        spec.insert("clusterIP".into(), Value::String(ip));
        spec.entry("ipFamilies").or_insert_with(|| json!(["IPv4"]));
        spec.entry("ipFamilyPolicy").or_insert_with(|| json!("SingleStack"));
        spec.entry("internalTrafficPolicy").or_insert_with(|| json!("Cluster"));
    }
    if let Some(ports) = spec.get_mut("ports").and_then(Value::as_array_mut) {
        for port in ports.iter_mut().filter_map(Value::as_object_mut) {
            port.entry("protocol").or_insert_with(|| json!("TCP"));
            if let Some(number) = port.get("port").cloned() {
                port.entry("targetPort").or_insert(number);
            }
        }
    }
    body["spec"] = Value::Object(spec);
    if body.get("status").is_none() {
        body["status"] = json!({"loadBalancer": {}});
    }
}

/// The next free address in 10.96.0.0/16, skipping .0.1 (the `kubernetes` service's).
fn allocate_cluster_ip(txn: &Txn<'_>) -> String {
    let services = GroupResource::new("", "services");
    let used: std::collections::HashSet<String> = txn
        .list(&services, None)
        .iter()
        .filter_map(|s| s.value().pointer("/spec/clusterIP").and_then(Value::as_str).map(str::to_string))
        .collect();
    (2..=65_534u32)
        .map(|n| format!("10.96.{}.{}", n / 256, n % 256))
        .find(|ip| !ip.ends_with(".0") && !used.contains(ip))
        .unwrap_or_else(|| "10.96.255.254".to_string())
}

/// `data` must be base64; `stringData` is folded into `data` as the real server does.
fn secret(info: &crate::registry::ResourceInfo, name: &str, body: &mut Value) -> Result<(), ApiError> {
    let engine = base64::engine::general_purpose::STANDARD;
    let mut causes = Vec::new();
    if let Some(data) = body.get("data").and_then(Value::as_object) {
        for (key, value) in data {
            if value.as_str().is_none_or(|text| engine.decode(text).is_err()) {
                causes.push(Cause::new(
                    "FieldValueInvalid",
                    format!("data[{key}]"),
                    "Invalid value: illegal base64 data",
                ));
            }
        }
    }
    if !causes.is_empty() {
        return Err(ApiError::invalid(&info.group, &info.kind, name, causes));
    }
    if let Some(Value::Object(string_data)) = body.as_object_mut().and_then(|m| m.remove("stringData")) {
        let data = body.as_object_mut().map(|m| m.entry("data").or_insert_with(|| json!({})));
        if let Some(Value::Object(data)) = data {
            for (key, value) in string_data {
                data.insert(key, Value::String(engine.encode(value.as_str().unwrap_or_default())));
            }
        }
    }
    if body.get("type").is_none() {
        body["type"] = json!("Opaque");
    }
    Ok(())
}

/// Checks a CRD and writes the status the apiextensions server would (names accepted, established).
fn crd(
    info: &crate::registry::ResourceInfo,
    name: &str,
    old: Option<&Value>,
    body: &mut Value,
) -> Result<(), ApiError> {
    let causes = schema::validate_crd(body);
    if !causes.is_empty() {
        return Err(ApiError::invalid(&info.group, &info.kind, name, causes));
    }
    if let Err(err) = resources_from_crd(body) {
        let message = err.to_string();
        let (field, detail) = message.split_once(": ").unwrap_or(("spec", message.as_str()));
        return Err(ApiError::invalid(
            &info.group,
            &info.kind,
            name,
            vec![Cause::new("FieldValueInvalid", field, detail)],
        ));
    }
    let names = body.pointer("/spec/names").cloned().unwrap_or_else(|| json!({}));
    let mut accepted = names.clone();
    if accepted.get("singular").is_none()
        && let Some(kind) = names.get("kind").and_then(Value::as_str)
    {
        accepted["singular"] = json!(kind.to_lowercase());
    }
    if accepted.get("listKind").is_none()
        && let Some(kind) = names.get("kind").and_then(Value::as_str)
    {
        accepted["listKind"] = json!(format!("{kind}List"));
    }
    let storage: Vec<Value> = body
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
        .filter_map(|v| v.get("name").cloned())
        .collect();
    let mut stored_versions: Vec<Value> =
        old.and_then(|o| o.pointer("/status/storedVersions")).and_then(Value::as_array).cloned().unwrap_or_default();
    for version in storage {
        if !stored_versions.contains(&version) {
            stored_versions.push(version);
        }
    }
    let now = meta::now_rfc3339();
    let since = |kind: &str| {
        old.and_then(|o| o.pointer("/status/conditions"))
            .and_then(Value::as_array)
            .and_then(|c| c.iter().find(|c| c.get("type").and_then(Value::as_str) == Some(kind)))
            .and_then(|c| c.get("lastTransitionTime").cloned())
            .unwrap_or_else(|| Value::String(now.clone()))
    };
    body["status"] = json!({
        "acceptedNames": accepted,
        "conditions": [
            {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found", "lastTransitionTime": since("NamesAccepted")},
            {"type": "Established", "status": "True", "reason": "InitialNamesAccepted", "message": "the initial names have been accepted", "lastTransitionTime": since("Established")},
        ],
        "storedVersions": stored_versions,
    });
    Ok(())
}

/// Makes sure the objects every cluster starts with exist.
pub(super) fn bootstrap(state: &ApiState) -> Result<(), ApiError> {
    let namespaces = state.resource("", "v1", "namespaces")?;
    for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        if state.store.get(&namespaces.group_resource(), "", name).is_none() {
            let target = Target::new(namespaces.clone(), "", name);
            let body = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}});
            state.create(&target, body, &WriteOptions::manager("kube-apiserver"))?;
        }
    }
    let services = state.resource("", "v1", "services")?;
    if state.store.get(&services.group_resource(), "default", "kubernetes").is_none() {
        let target = Target::new(services, "default", "kubernetes");
        let body = json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"clusterIP": "10.96.0.1", "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]},
        });
        state.create(&target, body, &WriteOptions::manager("kube-apiserver"))?;
    }
    let nodes = state.resource("", "v1", "nodes")?;
    if state.store.get(&nodes.group_resource(), "", "sandbox").is_none() {
        let target = Target::new(nodes, "", "sandbox");
        let body = json!({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": "sandbox", "labels": {"kubernetes.io/hostname": "sandbox", "kubernetes.io/os": "linux", "node-role.kubernetes.io/control-plane": ""}},
        });
        let created = state.create(&target, body, &WriteOptions::manager("kubelet"))?;
        let mut node = created.object;
        node["status"] = json!({
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status", "lastHeartbeatTime": meta::now_rfc3339(), "lastTransitionTime": meta::now_rfc3339()}],
            "nodeInfo": {"kubeletVersion": crate::KUBERNETES_VERSION, "osImage": "fluxtui sandbox", "architecture": std::env::consts::ARCH, "operatingSystem": "linux", "containerRuntimeVersion": "sandbox://simulated"},
            "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}, {"type": "Hostname", "address": "sandbox"}],
            "allocatable": {"cpu": "2", "memory": "24Gi", "pods": "110"},
            "capacity": {"cpu": "2", "memory": "24Gi", "pods": "110"},
        });
        let target = Target::new(state.resource("", "v1", "nodes")?, "", "sandbox").with_subresource(Some("status"));
        state.update(&target, node, &WriteOptions::manager("kubelet"))?;
    }
    Ok(())
}
