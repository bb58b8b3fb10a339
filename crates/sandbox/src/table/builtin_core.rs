//! Printers for core, networking, RBAC, coordination and apiextensions kinds, mirroring
//! kubectl's internal printers (`pkg/printers/internalversion`).

use super::builtin_apps::{format_labels, int_at, or_none, str_at};
use super::{CREATION_DESCRIPTION, CellFn, Column, age, age_at, created_at_rfc3339, parse_time};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

pub(crate) fn printer(group: &str, kind: &str) -> Option<(Vec<Column>, CellFn)> {
    let name = Column::name;
    let age = Column::age;
    let s = |n: &str| Column::new(n, "string", "");
    let i = |n: &str| Column::new(n, "integer", "");
    let (columns, cells): (Vec<Column>, CellFn) = match (group, kind) {
        ("", "Pod") => (
            vec![
                name(),
                s("Ready"),
                s("Status"),
                s("Restarts"),
                age(),
                s("IP").wide(),
                s("Node").wide(),
                s("Nominated Node").wide(),
                s("Readiness Gates").wide(),
            ],
            pod,
        ),
        ("", "Service") => (
            vec![name(), s("Type"), s("Cluster-IP"), s("External-IP"), s("Port(s)"), age(), s("Selector").wide()],
            service,
        ),
        ("", "Namespace") => (vec![name(), s("Status"), age()], namespace),
        ("", "ConfigMap") => (vec![name(), i("Data"), age()], config_map),
        ("", "Secret") => (vec![name(), s("Type"), i("Data"), age()], secret),
        ("", "ServiceAccount") => (vec![name(), i("Secrets"), age()], service_account),
        ("", "Endpoints") => (vec![name(), s("Endpoints"), age()], endpoints),
        ("", "Node") => (
            vec![
                name(),
                s("Status"),
                s("Roles"),
                age(),
                s("Version"),
                s("Internal-IP").wide(),
                s("External-IP").wide(),
                s("OS-Image").wide(),
                s("Kernel-Version").wide(),
                s("Container-Runtime").wide(),
            ],
            node,
        ),
        ("", "Event") | ("events.k8s.io", "Event") => (
            vec![
                s("Last Seen"),
                s("Type"),
                s("Reason"),
                s("Object"),
                s("Subobject").wide(),
                s("Source").wide(),
                s("Message"),
                s("First Seen").wide(),
                s("Count").wide(),
                Column { format: "name", ..s("Name").wide() },
            ],
            event,
        ),
        ("networking.k8s.io", "Ingress") => {
            (vec![name(), s("Class"), s("Hosts"), s("Address"), s("Ports"), age()], ingress)
        }
        ("coordination.k8s.io", "Lease") => (vec![name(), s("Holder"), age()], lease),
        ("rbac.authorization.k8s.io", "Role" | "ClusterRole") => {
            (vec![name(), Column::new("Created At", "string", CREATION_DESCRIPTION)], created_at)
        }
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => (
            vec![name(), s("Role"), age(), s("Users").wide(), s("Groups").wide(), s("ServiceAccounts").wide()],
            role_binding,
        ),
        _ => return None,
    };
    Some((columns, cells))
}

fn array<'a>(o: &'a Value, pointer: &str) -> &'a [Value] {
    o.pointer(pointer).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// The aggregate pod status `kubectl get pods` shows, following `printPod`.
fn pod(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let total = array(o, "/spec/containers").len();
    let mut reason = str_at(o, "/status/phase").to_string();
    if !str_at(o, "/status/reason").is_empty() {
        reason = str_at(o, "/status/reason").to_string();
    }
    let conditions = array(o, "/status/conditions");
    let condition = |kind: &str| conditions.iter().find(|c| str_at(c, "/type") == kind);
    if let Some(c) = condition("PodScheduled")
        && str_at(c, "/status") == "False"
        && str_at(c, "/reason") == "SchedulingGated"
    {
        reason = "SchedulingGated".to_string();
    }
    let mut restarts = 0;
    let mut last_restart: Option<DateTime<Utc>> = None;
    let mut note_restart = |status: &Value, restarts: &mut i64| {
        *restarts += int_at(status, "/restartCount");
        if let Some(t) = status.pointer("/lastState/terminated/finishedAt").and_then(Value::as_str).and_then(parse_time)
            && last_restart.is_none_or(|l| t > l)
        {
            last_restart = Some(t);
        }
    };
    let init_total = array(o, "/spec/initContainers").len();
    let mut initializing = false;
    for (index, status) in array(o, "/status/initContainerStatuses").iter().enumerate() {
        note_restart(status, &mut restarts);
        let terminated = status.pointer("/state/terminated");
        if terminated.is_some_and(|t| int_at(t, "/exitCode") == 0) {
            continue;
        }
        // A started restartable init container (a sidecar) does not hold the pod in Init.
        if status.get("started").and_then(Value::as_bool) == Some(true) && is_sidecar(o, str_at(status, "/name")) {
            continue;
        }
        initializing = true;
        let waiting_reason = str_at(status, "/state/waiting/reason");
        reason = match terminated {
            Some(t) if str_at(t, "/reason").is_empty() => match int_at(t, "/signal") {
                0 => format!("Init:ExitCode:{}", int_at(t, "/exitCode")),
                signal => format!("Init:Signal:{signal}"),
            },
            Some(t) => format!("Init:{}", str_at(t, "/reason")),
            None if !waiting_reason.is_empty() && waiting_reason != "PodInitializing" => {
                format!("Init:{waiting_reason}")
            }
            None => format!("Init:{index}/{init_total}"),
        };
        break;
    }
    let mut ready = 0;
    let initialized = condition("Initialized").is_some_and(|c| str_at(c, "/status") == "True");
    if !initializing || initialized {
        restarts = 0;
        let mut has_running = false;
        for status in array(o, "/status/containerStatuses").iter().rev() {
            note_restart(status, &mut restarts);
            let waiting = str_at(status, "/state/waiting/reason");
            let terminated = status.pointer("/state/terminated");
            if !waiting.is_empty() {
                reason = waiting.to_string();
            } else if let Some(t) = terminated.filter(|t| !str_at(t, "/reason").is_empty()) {
                reason = str_at(t, "/reason").to_string();
            } else if let Some(t) = terminated {
                reason = match int_at(t, "/signal") {
                    0 => format!("ExitCode:{}", int_at(t, "/exitCode")),
                    signal => format!("Signal:{signal}"),
                };
            } else if status.get("ready").and_then(Value::as_bool) == Some(true)
                && status.pointer("/state/running").is_some()
            {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            let pod_ready = condition("Ready").is_some_and(|c| str_at(c, "/status") == "True");
            reason = if pod_ready { "Running" } else { "NotReady" }.to_string();
        }
    }
    if o.pointer("/metadata/deletionTimestamp").is_some() {
        reason = if str_at(o, "/status/reason") == "NodeLost" { "Unknown" } else { "Terminating" }.to_string();
    }
    let restarts_cell = match last_restart {
        Some(t) => format!("{restarts} ({} ago)", super::human_duration(now.signed_duration_since(t))),
        None => restarts.to_string(),
    };
    let gates = array(o, "/spec/readinessGates");
    let gates_cell = if gates.is_empty() {
        "<none>".to_string()
    } else {
        let true_gates = gates
            .iter()
            .filter(|g| condition(str_at(g, "/conditionType")).is_some_and(|c| str_at(c, "/status") == "True"))
            .count();
        format!("{true_gates}/{}", gates.len())
    };
    vec![
        json!(format!("{ready}/{total}")),
        json!(reason),
        json!(restarts_cell),
        age(o, now),
        json!(or_none(str_at(o, "/status/podIP").to_string())),
        json!(or_none(str_at(o, "/spec/nodeName").to_string())),
        json!(or_none(str_at(o, "/status/nominatedNodeName").to_string())),
        json!(gates_cell),
    ]
}

fn is_sidecar(pod: &Value, name: &str) -> bool {
    array(pod, "/spec/initContainers")
        .iter()
        .any(|c| str_at(c, "/name") == name && str_at(c, "/restartPolicy") == "Always")
}

fn service(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let kind = match str_at(o, "/spec/type") {
        "" => "ClusterIP",
        t => t,
    };
    let external_ips: Vec<&str> = array(o, "/spec/externalIPs").iter().filter_map(Value::as_str).collect();
    let external = match kind {
        "ExternalName" => str_at(o, "/spec/externalName").to_string(),
        "LoadBalancer" => {
            let mut ips: Vec<&str> = array(o, "/status/loadBalancer/ingress")
                .iter()
                .map(|i| if str_at(i, "/ip").is_empty() { str_at(i, "/hostname") } else { str_at(i, "/ip") })
                .filter(|s| !s.is_empty())
                .collect();
            ips.extend(&external_ips);
            if ips.is_empty() { "<pending>".to_string() } else { ips.join(",") }
        }
        _ => or_none(external_ips.join(",")),
    };
    let ports: Vec<String> = array(o, "/spec/ports")
        .iter()
        .map(|p| {
            let protocol = match str_at(p, "/protocol") {
                "" => "TCP",
                proto => proto,
            };
            match int_at(p, "/nodePort") {
                0 => format!("{}/{protocol}", int_at(p, "/port")),
                node_port => format!("{}:{node_port}/{protocol}", int_at(p, "/port")),
            }
        })
        .collect();
    vec![
        json!(kind),
        json!(or_none(str_at(o, "/spec/clusterIP").to_string())),
        json!(or_none(external)),
        json!(or_none(ports.join(","))),
        age(o, now),
        json!(format_labels(o.pointer("/spec/selector"))),
    ]
}

fn namespace(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![json!(str_at(o, "/status/phase")), age(o, now)]
}

fn object_len(o: &Value, pointer: &str) -> usize {
    o.pointer(pointer).and_then(Value::as_object).map_or(0, |m| m.len())
}

fn config_map(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![json!(object_len(o, "/data") + object_len(o, "/binaryData")), age(o, now)]
}

fn secret(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![json!(str_at(o, "/type")), json!(object_len(o, "/data")), age(o, now)]
}

fn service_account(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![json!(array(o, "/secrets").len()), age(o, now)]
}

/// `formatEndpoints`: `ip:port` pairs, at most three, then `+ N more...`.
fn endpoints(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let mut pairs = Vec::new();
    for subset in array(o, "/subsets") {
        let ports = array(subset, "/ports");
        for address in array(subset, "/addresses") {
            let ip = str_at(address, "/ip");
            if ports.is_empty() {
                pairs.push(ip.to_string());
            }
            for port in ports {
                pairs.push(format!("{ip}:{}", int_at(port, "/port")));
            }
        }
    }
    let shown = if pairs.len() > 3 {
        format!("{} + {} more...", pairs[..3].join(","), pairs.len() - 3)
    } else {
        or_none(pairs.join(","))
    };
    vec![json!(shown), age(o, now)]
}

fn node(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let ready = array(o, "/status/conditions").iter().find(|c| str_at(c, "/type") == "Ready");
    let mut status = match ready.map(|c| str_at(c, "/status")) {
        Some("True") => "Ready".to_string(),
        Some(_) => "NotReady".to_string(),
        None => "Unknown".to_string(),
    };
    if o.pointer("/spec/unschedulable").and_then(Value::as_bool) == Some(true) {
        status.push_str(",SchedulingDisabled");
    }
    let mut roles: Vec<&str> = o
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, _)| k.strip_prefix("node-role.kubernetes.io/"))
        .filter(|r| !r.is_empty())
        .collect();
    roles.sort_unstable();
    let address = |kind: &str| {
        or_none(
            array(o, "/status/addresses")
                .iter()
                .find(|a| str_at(a, "/type") == kind)
                .map(|a| str_at(a, "/address").to_string())
                .unwrap_or_default(),
        )
    };
    vec![
        json!(status),
        json!(or_none(roles.join(","))),
        age(o, now),
        json!(str_at(o, "/status/nodeInfo/kubeletVersion")),
        json!(address("InternalIP")),
        json!(address("ExternalIP")),
        json!(str_at(o, "/status/nodeInfo/osImage")),
        json!(str_at(o, "/status/nodeInfo/kernelVersion")),
        json!(str_at(o, "/status/nodeInfo/containerRuntimeVersion")),
    ]
}

/// Core and events.k8s.io events share a printer; the latter's field names are mapped here.
fn event(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let core = o.get("involvedObject").is_some() || o.get("regarding").is_none();
    let (regarding, message, first_ts, last_ts) = if core {
        ("/involvedObject", "/message", "/firstTimestamp", "/lastTimestamp")
    } else {
        ("/regarding", "/note", "/deprecatedFirstTimestamp", "/deprecatedLastTimestamp")
    };
    let since = |pointer: &str| o.pointer(pointer).and_then(Value::as_str).map(|_| age_at(o, pointer, now));
    let first = since(first_ts).or_else(|| since("/eventTime")).unwrap_or_else(|| "<unknown>".to_string());
    let mut last = since(last_ts).unwrap_or_else(|| first.clone());
    let count_pointer = if core { "/count" } else { "/deprecatedCount" };
    let mut count = int_at(o, count_pointer);
    if o.get("series").is_some_and(Value::is_object) {
        last = since("/series/lastObservedTime").unwrap_or(last);
        count = int_at(o, "/series/count");
    } else if count == 0 {
        count = 1;
    }
    let kind = str_at(o, &format!("{regarding}/kind")).to_lowercase();
    let name = str_at(o, &format!("{regarding}/name"));
    let target = if name.is_empty() { kind } else { format!("{kind}/{name}") };
    let component = if core { str_at(o, "/source/component") } else { str_at(o, "/deprecatedSource/component") };
    let host = if core { str_at(o, "/source/host") } else { str_at(o, "/deprecatedSource/host") };
    let source = match (component, host) {
        ("", _) => {
            let controller = str_at(o, "/reportingController");
            let instance = str_at(o, "/reportingInstance");
            if instance.is_empty() { controller.to_string() } else { format!("{controller}, {instance}") }
        }
        (c, "") => c.to_string(),
        (c, h) => format!("{c}, {h}"),
    };
    vec![
        json!(last),
        json!(str_at(o, "/type")),
        json!(str_at(o, "/reason")),
        json!(target),
        json!(str_at(o, &format!("{regarding}/fieldPath"))),
        json!(source),
        json!(str_at(o, message).trim()),
        json!(first),
        json!(count.to_string()),
        json!(str_at(o, "/metadata/name")),
    ]
}

fn ingress(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let mut hosts: Vec<&str> = Vec::new();
    for rule in array(o, "/spec/rules") {
        let host = match str_at(rule, "/host") {
            "" => "*",
            h => h,
        };
        if !hosts.contains(&host) {
            hosts.push(host);
        }
    }
    let hosts_cell = if hosts.len() > 4 {
        format!("{} + {} more...", hosts[..4].join(","), hosts.len() - 4)
    } else if hosts.is_empty() {
        "*".to_string()
    } else {
        hosts.join(",")
    };
    let address: Vec<&str> = array(o, "/status/loadBalancer/ingress")
        .iter()
        .map(|i| if str_at(i, "/ip").is_empty() { str_at(i, "/hostname") } else { str_at(i, "/ip") })
        .filter(|s| !s.is_empty())
        .collect();
    let ports = if array(o, "/spec/tls").is_empty() { "80" } else { "80, 443" };
    vec![
        json!(or_none(str_at(o, "/spec/ingressClassName").to_string())),
        json!(hosts_cell),
        json!(address.join(",")),
        json!(ports),
        age(o, now),
    ]
}

fn lease(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![json!(str_at(o, "/spec/holderIdentity")), age(o, now)]
}

fn created_at(o: &Value, _now: DateTime<Utc>) -> Vec<Value> {
    vec![json!(created_at_rfc3339(o))]
}

fn role_binding(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let subjects = array(o, "/subjects");
    let of_kind = |kind: &str| -> String {
        subjects
            .iter()
            .filter(|s| str_at(s, "/kind") == kind)
            .map(|s| {
                let ns = str_at(s, "/namespace");
                if kind == "ServiceAccount" {
                    format!("{ns}/{}", str_at(s, "/name"))
                } else {
                    str_at(s, "/name").to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    vec![
        json!(format!("{}/{}", str_at(o, "/roleRef/kind"), str_at(o, "/roleRef/name"))),
        age(o, now),
        json!(of_kind("User")),
        json!(of_kind("Group")),
        json!(of_kind("ServiceAccount")),
    ]
}
