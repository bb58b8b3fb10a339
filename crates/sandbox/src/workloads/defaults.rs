//! Admission-time defaulting and the validation that goes with it, for the workload kinds:
//! what `SetDefaults_*` in `pkg/apis/*/v1/defaults.go` and the admission plugins
//! (ServiceAccount, Priority, DefaultTolerationSeconds) do before a Pod, ReplicaSet, Deployment,
//! StatefulSet, DaemonSet, Job or CronJob is stored. Clients such as helm compare the template
//! they sent with what the controllers copy, so the defaults must be exactly the real ones and
//! applying them twice must change nothing.

use crate::error::{ApiError, Cause};
use crate::registry::ResourceInfo;
use serde_json::{Map, Value, json};

/// Defaults and validates `body` (a create when `old` is `None`).
pub fn apply(info: &ResourceInfo, old: Option<&Value>, body: &mut Value) -> Result<(), ApiError> {
    let name = body.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_string();
    let invalid = |causes: Vec<Cause>| ApiError::invalid(&info.group, &info.kind, &name, causes);
    match (info.group.as_str(), info.plural.as_str()) {
        ("", "pods") => {
            pod(body, old.is_none());
            let causes = validate_containers(body.get("spec"), "spec");
            if !causes.is_empty() {
                return Err(invalid(causes));
            }
        }
        ("apps", "replicasets") => {
            spec_default(body, "replicas", json!(1));
            template_and_selector(body, old, "ReplicaSet").map_err(invalid)?;
        }
        ("apps", "deployments") => {
            spec_default(body, "replicas", json!(1));
            let spec = spec_mut(body);
            rolling_update_defaults(spec, "strategy", json!("25%"), json!("25%"));
            spec.entry("revisionHistoryLimit").or_insert_with(|| json!(10));
            spec.entry("progressDeadlineSeconds").or_insert_with(|| json!(600));
            template_and_selector(body, old, "Deployment").map_err(invalid)?;
        }
        ("apps", "statefulsets") => {
            spec_default(body, "replicas", json!(1));
            let spec = spec_mut(body);
            spec.entry("podManagementPolicy").or_insert_with(|| json!("OrderedReady"));
            let strategy = spec.entry("updateStrategy").or_insert_with(|| json!({}));
            if strategy.get("type").and_then(Value::as_str).is_none() {
                strategy["type"] = json!("RollingUpdate");
            }
            if strategy.get("type").and_then(Value::as_str) == Some("RollingUpdate")
                && strategy.get("rollingUpdate").is_none()
            {
                strategy["rollingUpdate"] = json!({"partition": 0});
            }
            spec.entry("revisionHistoryLimit").or_insert_with(|| json!(10));
            spec.entry("persistentVolumeClaimRetentionPolicy")
                .or_insert_with(|| json!({"whenDeleted": "Retain", "whenScaled": "Retain"}));
            template_and_selector(body, old, "StatefulSet").map_err(invalid)?;
        }
        ("apps", "daemonsets") => {
            let spec = spec_mut(body);
            rolling_update_defaults(spec, "updateStrategy", json!(1), json!(0));
            spec.entry("revisionHistoryLimit").or_insert_with(|| json!(10));
            template_and_selector(body, old, "DaemonSet").map_err(invalid)?;
        }
        ("batch", "jobs") => job(body, old).map_err(invalid)?,
        ("batch", "cronjobs") => {
            let spec = spec_mut(body);
            spec.entry("concurrencyPolicy").or_insert_with(|| json!("Allow"));
            spec.entry("suspend").or_insert_with(|| json!(false));
            spec.entry("successfulJobsHistoryLimit").or_insert_with(|| json!(3));
            spec.entry("failedJobsHistoryLimit").or_insert_with(|| json!(1));
            let mut causes = Vec::new();
            match spec.get("schedule").and_then(Value::as_str) {
                None | Some("") => causes.push(Cause::new("FieldValueRequired", "spec.schedule", "Required value")),
                Some(schedule) => {
                    if let Err(err) = super::cron::Schedule::parse(schedule) {
                        causes.push(Cause::new(
                            "FieldValueInvalid",
                            "spec.schedule",
                            format!("Invalid value: \"{schedule}\": {err}"),
                        ));
                    }
                }
            }
            if let Some(template) = body.pointer_mut("/spec/jobTemplate/spec/template") {
                pod_spec(template.get_mut("spec"));
            }
            causes.extend(job_template_checks(
                body.pointer("/spec/jobTemplate/spec/template"),
                "spec.jobTemplate.spec.template",
            ));
            if !causes.is_empty() {
                return Err(invalid(causes));
            }
        }
        _ => {}
    }
    Ok(())
}

/// `type: RollingUpdate` unless set, and the surge and unavailability defaults when rolling.
fn rolling_update_defaults(spec: &mut Map<String, Value>, field: &str, max_unavailable: Value, max_surge: Value) {
    let strategy = spec.entry(field).or_insert_with(|| json!({}));
    if strategy.get("type").and_then(Value::as_str).is_none() {
        strategy["type"] = json!("RollingUpdate");
    }
    if strategy.get("type").and_then(Value::as_str) != Some("RollingUpdate") {
        return;
    }
    let rolling = strategy
        .as_object_mut()
        .map(|s| s.entry("rollingUpdate").or_insert_with(|| json!({})))
        .and_then(Value::as_object_mut);
    if let Some(rolling) = rolling {
        rolling.entry("maxUnavailable").or_insert(max_unavailable);
        rolling.entry("maxSurge").or_insert(max_surge);
    }
}

fn spec_mut(body: &mut Value) -> &mut Map<String, Value> {
    if !body.get("spec").is_some_and(Value::is_object) {
        body["spec"] = json!({});
    }
    match body.get_mut("spec") {
        Some(Value::Object(spec)) => spec,
        // Just made sure spec is an object.
        _ => unreachable!("spec was set to an object above"),
    }
}

fn spec_default(body: &mut Value, key: &str, value: Value) {
    spec_mut(body).entry(key).or_insert(value);
}

/// `SetDefaults_Pod` plus what the admission plugins add to a new pod.
fn pod(body: &mut Value, create: bool) {
    pod_spec(body.get_mut("spec"));
    let Some(spec) = body.get_mut("spec").and_then(Value::as_object_mut) else { return };
    spec.entry("enableServiceLinks").or_insert(json!(true));
    // ServiceAccount admission.
    let account = spec
        .get("serviceAccountName")
        .or_else(|| spec.get("serviceAccount"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or("default")
        .to_string();
    spec.insert("serviceAccountName".into(), json!(account));
    spec.insert("serviceAccount".into(), json!(account));
    // Priority admission.
    spec.entry("priority").or_insert(json!(0));
    spec.entry("preemptionPolicy").or_insert(json!("PreemptLowerPriority"));
    // DefaultTolerationSeconds admission.
    if create {
        let tolerations = spec.entry("tolerations").or_insert_with(|| json!([]));
        if let Some(list) = tolerations.as_array_mut() {
            for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
                if !list.iter().any(|t| t.get("key").and_then(Value::as_str) == Some(key)) {
                    list.push(
                        json!({"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}),
                    );
                }
            }
        }
    }
    // Requests default to limits for pods (not templates).
    for list in ["initContainers", "containers"] {
        for container in spec.get_mut(list).and_then(Value::as_array_mut).into_iter().flatten() {
            let Some(limits) = container.pointer("/resources/limits").and_then(Value::as_object).cloned() else {
                continue;
            };
            let requests =
                container["resources"].as_object_mut().map(|r| r.entry("requests").or_insert_with(|| json!({})));
            if let Some(Value::Object(requests)) = requests {
                for (resource, quantity) in limits {
                    requests.entry(resource).or_insert(quantity);
                }
            }
        }
    }
    if create {
        let qos = qos_class(body.get("spec"));
        body["status"] = json!({"phase": "Pending", "qosClass": qos});
    }
}

/// `SetDefaults_PodSpec` and `SetDefaults_Container`, shared by pods and pod templates.
fn pod_spec(spec: Option<&mut Value>) {
    let Some(spec) = spec.and_then(Value::as_object_mut) else { return };
    spec.entry("restartPolicy").or_insert(json!("Always"));
    spec.entry("terminationGracePeriodSeconds").or_insert(json!(30));
    spec.entry("dnsPolicy").or_insert(json!("ClusterFirst"));
    spec.entry("securityContext").or_insert(json!({}));
    spec.entry("schedulerName").or_insert(json!("default-scheduler"));
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        for container in spec.get_mut(list).and_then(Value::as_array_mut).into_iter().flatten() {
            let Some(container) = container.as_object_mut() else { continue };
            container.entry("terminationMessagePath").or_insert(json!("/dev/termination-log"));
            container.entry("terminationMessagePolicy").or_insert(json!("File"));
            let image = container.get("image").and_then(Value::as_str).unwrap_or_default();
            let policy = if image_is_latest(image) { "Always" } else { "IfNotPresent" };
            container.entry("imagePullPolicy").or_insert(json!(policy));
            container.entry("resources").or_insert(json!({}));
            for port in container.get_mut("ports").and_then(Value::as_array_mut).into_iter().flatten() {
                if let Some(port) = port.as_object_mut() {
                    port.entry("protocol").or_insert(json!("TCP"));
                }
            }
        }
    }
}

/// `:latest` or no tag (and no digest) pulls every time.
fn image_is_latest(image: &str) -> bool {
    if image.contains('@') {
        return false;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, tag)) => tag == "latest",
        None => true,
    }
}

/// Guaranteed when every container's requests equal its cpu and memory limits, BestEffort when
/// nothing asks for anything, Burstable otherwise.
fn qos_class(spec: Option<&Value>) -> &'static str {
    let containers: Vec<&Value> = ["initContainers", "containers"]
        .iter()
        .filter_map(|list| spec.and_then(|s| s.get(*list)).and_then(Value::as_array))
        .flatten()
        .collect();
    let set = |c: &Value, kind: &str| {
        c.pointer(&format!("/resources/{kind}")).and_then(Value::as_object).is_some_and(|m| !m.is_empty())
    };
    if containers.iter().all(|c| !set(c, "requests") && !set(c, "limits")) {
        return "BestEffort";
    }
    let guaranteed = containers.iter().all(|c| {
        let limits = c.pointer("/resources/limits").and_then(Value::as_object);
        let requests = c.pointer("/resources/requests").and_then(Value::as_object);
        ["cpu", "memory"].iter().all(|r| {
            let limit = limits.and_then(|l| l.get(*r));
            limit.is_some() && requests.and_then(|q| q.get(*r)).is_none_or(|q| Some(q) == limit)
        })
    });
    if guaranteed { "Guaranteed" } else { "Burstable" }
}

fn validate_containers(spec: Option<&Value>, path: &str) -> Vec<Cause> {
    let mut causes = Vec::new();
    let containers = spec.and_then(|s| s.get("containers")).and_then(Value::as_array);
    match containers {
        None => causes.push(Cause::new("FieldValueRequired", format!("{path}.containers"), "Required value")),
        Some(list) if list.is_empty() => {
            causes.push(Cause::new("FieldValueRequired", format!("{path}.containers"), "Required value"))
        }
        Some(list) => {
            for (n, container) in list.iter().enumerate() {
                for field in ["name", "image"] {
                    if container.get(field).and_then(Value::as_str).is_none_or(str::is_empty) {
                        causes.push(Cause::new(
                            "FieldValueRequired",
                            format!("{path}.containers[{n}].{field}"),
                            "Required value",
                        ));
                    }
                }
            }
        }
    }
    causes
}

/// Template defaults plus the selector rules of the apps/v1 controllers.
fn template_and_selector(body: &mut Value, old: Option<&Value>, kind: &str) -> Result<(), Vec<Cause>> {
    if let Some(template) = body.pointer_mut("/spec/template") {
        pod_spec(template.get_mut("spec"));
    }
    let mut causes = Vec::new();
    let selector = body.pointer("/spec/selector");
    match selector {
        None | Some(Value::Null) => causes.push(Cause::new("FieldValueRequired", "spec.selector", "Required value")),
        Some(selector) => {
            let parsed = crate::resources::selector::LabelSelector::from_object(selector);
            if parsed.is_empty() {
                causes.push(Cause::new(
                    "FieldValueInvalid",
                    "spec.selector",
                    format!("Invalid value: {}: empty selector is invalid for {}", selector, kind.to_lowercase()),
                ));
            } else {
                let labels = super::client::labels_at(body, "/spec/template/metadata/labels");
                if !parsed.matches(&labels) {
                    causes.push(Cause::new(
                        "FieldValueInvalid",
                        "spec.template.metadata.labels",
                        format!("Invalid value: {}: `selector` does not match template `labels`", go_map(&labels)),
                    ));
                }
            }
            if let Some(previous) = old.and_then(|o| o.pointer("/spec/selector"))
                && previous != selector
            {
                causes.push(Cause::new(
                    "FieldValueInvalid",
                    "spec.selector",
                    format!("Invalid value: {selector}: field is immutable"),
                ));
            }
        }
    }
    causes.extend(validate_containers(body.pointer("/spec/template/spec"), "spec.template.spec"));
    if causes.is_empty() { Ok(()) } else { Err(causes) }
}

/// How Go's `%#v` prints a `map[string]string` (keys sorted), as in the real error messages.
fn go_map(labels: &std::collections::BTreeMap<String, String>) -> String {
    let entries: Vec<String> = labels.iter().map(|(k, v)| format!("{k:?}:{v:?}")).collect();
    format!("map[string]string{{{}}}", entries.join(", "))
}

/// Job defaults, the generated selector, and the Job-specific template rules.
fn job(body: &mut Value, old: Option<&Value>) -> Result<(), Vec<Cause>> {
    let uid = body.pointer("/metadata/uid").and_then(Value::as_str).unwrap_or_default().to_string();
    let name = body.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_string();
    let spec = spec_mut(body);
    let completions_set = spec.get("completions").is_some_and(|c| !c.is_null());
    let parallelism_set = spec.get("parallelism").is_some_and(|p| !p.is_null());
    if !completions_set && !parallelism_set {
        spec.insert("completions".into(), json!(1));
    }
    if !parallelism_set {
        spec.insert("parallelism".into(), json!(1));
    }
    spec.entry("backoffLimit").or_insert(json!(6));
    spec.entry("completionMode").or_insert(json!("NonIndexed"));
    spec.entry("suspend").or_insert(json!(false));
    spec.entry("podReplacementPolicy").or_insert(json!("TerminatingOrFailed"));
    let manual = spec.get("manualSelector").and_then(Value::as_bool) == Some(true);
    if !manual {
        spec.insert("selector".into(), json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}));
        if !spec.get("template").is_some_and(Value::is_object) {
            spec.insert("template".into(), json!({}));
        }
        if let Some(template) = spec.get_mut("template") {
            if !template.get("metadata").is_some_and(Value::is_object) {
                template["metadata"] = json!({});
            }
            if !template["metadata"].get("labels").is_some_and(Value::is_object) {
                template["metadata"]["labels"] = json!({});
            }
            let labels = &mut template["metadata"]["labels"];
            labels["batch.kubernetes.io/controller-uid"] = json!(uid);
            labels["batch.kubernetes.io/job-name"] = json!(name);
            labels["controller-uid"] = json!(uid);
            labels["job-name"] = json!(name);
        }
    }
    if let Some(template) = body.pointer_mut("/spec/template") {
        pod_spec(template.get_mut("spec"));
    }
    let mut causes = job_template_checks(body.pointer("/spec/template"), "spec.template");
    if manual {
        let selector = body.pointer("/spec/selector");
        let labels = super::client::labels_at(body, "/spec/template/metadata/labels");
        if !super::client::selector_matches(selector, &labels) {
            causes.push(Cause::new(
                "FieldValueInvalid",
                "spec.template.metadata.labels",
                format!("Invalid value: {}: `selector` does not match template `labels`", go_map(&labels)),
            ));
        }
    }
    if let Some(old) = old
        && old.pointer("/spec/template") != body.pointer("/spec/template")
        && old.pointer("/spec/suspend").and_then(Value::as_bool) != Some(true)
    {
        causes.push(Cause::new("FieldValueInvalid", "spec.template", "Invalid value: field is immutable"));
    }
    if causes.is_empty() { Ok(()) } else { Err(causes) }
}

fn job_template_checks(template: Option<&Value>, path: &str) -> Vec<Cause> {
    let mut causes = Vec::new();
    let policy = template.and_then(|t| t.pointer("/spec/restartPolicy")).and_then(Value::as_str).unwrap_or("Always");
    if !matches!(policy, "OnFailure" | "Never") {
        causes.push(Cause::new(
            "FieldValueNotSupported",
            format!("{path}.spec.restartPolicy"),
            format!("Unsupported value: \"{policy}\": supported values: \"OnFailure\", \"Never\""),
        ));
    }
    causes.extend(validate_containers(template.and_then(|t| t.get("spec")), &format!("{path}.spec")));
    causes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_pull_policy_follows_the_tag() {
        assert!(image_is_latest("nginx"));
        assert!(image_is_latest("nginx:latest"));
        assert!(image_is_latest("localhost:5000/app"));
        assert!(!image_is_latest("localhost:5000/app:1.2"));
        assert!(!image_is_latest("nginx@sha256:abc"));
    }

    #[test]
    fn qos_classes() {
        assert_eq!(qos_class(Some(&json!({"containers": [{"name": "a"}]}))), "BestEffort");
        let guaranteed = json!({"containers": [{"resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "1", "memory": "1Gi"}}}]});
        assert_eq!(qos_class(Some(&guaranteed)), "Guaranteed");
        let burstable = json!({"containers": [{"resources": {"requests": {"cpu": "1"}}}]});
        assert_eq!(qos_class(Some(&burstable)), "Burstable");
    }
}
