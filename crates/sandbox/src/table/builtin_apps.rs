//! Printers for workload kinds (apps/v1, batch/v1), mirroring kubectl's internal printers.

use super::{CellFn, Column, age, age_at, human_duration, parse_time};
use crate::resources::selector::LabelSelector;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

pub(crate) fn printer(group: &str, kind: &str) -> Option<(Vec<Column>, CellFn)> {
    let name = Column::name;
    let age = Column::age;
    let s = |n: &str| Column::new(n, "string", "");
    let i = |n: &str| Column::new(n, "integer", "");
    let containers = || s("Containers").wide();
    let images = || s("Images").wide();
    let selector = || s("Selector").wide();
    let (columns, cells): (Vec<Column>, CellFn) = match (group, kind) {
        ("apps", "Deployment") => (
            vec![name(), s("Ready"), i("Up-to-date"), i("Available"), age(), containers(), images(), selector()],
            deployment,
        ),
        ("apps", "ReplicaSet") => (
            vec![name(), i("Desired"), i("Current"), i("Ready"), age(), containers(), images(), selector()],
            replica_set,
        ),
        ("apps", "StatefulSet") => (vec![name(), s("Ready"), age(), containers(), images()], stateful_set),
        ("apps", "DaemonSet") => (
            vec![
                name(),
                i("Desired"),
                i("Current"),
                i("Ready"),
                i("Up-to-date"),
                i("Available"),
                s("Node Selector"),
                age(),
                containers(),
                images(),
                selector(),
            ],
            daemon_set,
        ),
        ("batch", "Job") => {
            (vec![name(), s("Status"), s("Completions"), s("Duration"), age(), containers(), images(), selector()], job)
        }
        ("batch", "CronJob") => (
            vec![
                name(),
                s("Schedule"),
                s("Timezone"),
                s("Suspend"),
                i("Active"),
                s("Last Schedule"),
                age(),
                containers(),
                images(),
                selector(),
            ],
            cron_job,
        ),
        _ => return None,
    };
    Some((columns, cells))
}

pub(crate) fn int_at(object: &Value, pointer: &str) -> i64 {
    object.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

pub(crate) fn str_at<'a>(object: &'a Value, pointer: &str) -> &'a str {
    object.pointer(pointer).and_then(Value::as_str).unwrap_or_default()
}

pub(crate) fn or_none(s: String) -> String {
    if s.is_empty() { "<none>".to_string() } else { s }
}

/// `spec.replicas`, which the real server defaults to 1.
fn desired(object: &Value) -> i64 {
    object.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1)
}

/// Container names and images of a pod template, comma-joined, as `layoutContainerCells` does.
fn containers_and_images(object: &Value, template: &str) -> [Value; 2] {
    let containers = object.pointer(&format!("{template}/spec/containers")).and_then(Value::as_array);
    let names: Vec<&str> = containers.into_iter().flatten().map(|c| str_at(c, "/name")).collect();
    let images: Vec<&str> = containers.into_iter().flatten().map(|c| str_at(c, "/image")).collect();
    [json!(names.join(",")), json!(images.join(","))]
}

/// `metav1.FormatLabelSelector`: the selector as the real server prints it, `<none>` when empty.
pub(crate) fn format_selector(selector: Option<&Value>) -> String {
    or_none(selector.filter(|s| s.is_object()).map(|s| LabelSelector::from_object(s).to_string()).unwrap_or_default())
}

/// `labels.FormatLabels`: sorted `k=v` pairs, `<none>` when empty.
pub(crate) fn format_labels(map: Option<&Value>) -> String {
    let mut pairs: Vec<String> = map
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
        .collect();
    pairs.sort();
    or_none(pairs.join(","))
}

fn deployment(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let [containers, images] = containers_and_images(o, "/spec/template");
    vec![
        json!(format!("{}/{}", int_at(o, "/status/readyReplicas"), desired(o))),
        json!(int_at(o, "/status/updatedReplicas")),
        json!(int_at(o, "/status/availableReplicas")),
        age(o, now),
        containers,
        images,
        json!(format_selector(o.pointer("/spec/selector"))),
    ]
}

fn replica_set(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let [containers, images] = containers_and_images(o, "/spec/template");
    vec![
        json!(desired(o)),
        json!(int_at(o, "/status/replicas")),
        json!(int_at(o, "/status/readyReplicas")),
        age(o, now),
        containers,
        images,
        json!(format_selector(o.pointer("/spec/selector"))),
    ]
}

fn stateful_set(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let [containers, images] = containers_and_images(o, "/spec/template");
    vec![json!(format!("{}/{}", int_at(o, "/status/readyReplicas"), desired(o))), age(o, now), containers, images]
}

fn daemon_set(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let [containers, images] = containers_and_images(o, "/spec/template");
    vec![
        json!(int_at(o, "/status/desiredNumberScheduled")),
        json!(int_at(o, "/status/currentNumberScheduled")),
        json!(int_at(o, "/status/numberReady")),
        json!(int_at(o, "/status/updatedNumberScheduled")),
        json!(int_at(o, "/status/numberAvailable")),
        json!(format_labels(o.pointer("/spec/template/spec/nodeSelector"))),
        age(o, now),
        containers,
        images,
        json!(format_selector(o.pointer("/spec/selector"))),
    ]
}

fn has_condition(o: &Value, kind: &str) -> bool {
    o.pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|c| str_at(c, "/type") == kind && str_at(c, "/status") == "True")
}

fn job(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let succeeded = int_at(o, "/status/succeeded");
    let completions = match o.pointer("/spec/completions").and_then(Value::as_i64) {
        Some(total) => format!("{succeeded}/{total}"),
        None => match o.pointer("/spec/parallelism").and_then(Value::as_i64) {
            Some(p) if p > 1 => format!("{succeeded}/1 of {p}"),
            _ => format!("{succeeded}/1"),
        },
    };
    let start = o.pointer("/status/startTime").and_then(Value::as_str).and_then(parse_time);
    let end = o.pointer("/status/completionTime").and_then(Value::as_str).and_then(parse_time);
    let duration = match (start, end) {
        (None, _) => String::new(),
        (Some(s), None) => human_duration(now.signed_duration_since(s)),
        (Some(s), Some(e)) => human_duration(e.signed_duration_since(s)),
    };
    let status = if has_condition(o, "Complete") {
        "Complete"
    } else if has_condition(o, "Failed") {
        "Failed"
    } else if o.pointer("/metadata/deletionTimestamp").is_some() {
        "Terminating"
    } else if has_condition(o, "SuccessCriteriaMet") {
        "SuccessCriteriaMet"
    } else if has_condition(o, "FailureTarget") {
        "FailureTarget"
    } else if has_condition(o, "Suspended") {
        "Suspended"
    } else {
        "Running"
    };
    let [containers, images] = containers_and_images(o, "/spec/template");
    vec![
        json!(status),
        json!(completions),
        json!(duration),
        age(o, now),
        containers,
        images,
        json!(format_selector(o.pointer("/spec/selector"))),
    ]
}

fn cron_job(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let suspend = match o.pointer("/spec/suspend").and_then(Value::as_bool) {
        Some(true) => "True",
        Some(false) => "False",
        None => "<unset>",
    };
    let last = match o.pointer("/status/lastScheduleTime") {
        Some(_) => age_at(o, "/status/lastScheduleTime", now),
        None => "<none>".to_string(),
    };
    let [containers, images] = containers_and_images(o, "/spec/jobTemplate/spec/template");
    vec![
        json!(str_at(o, "/spec/schedule")),
        json!(or_none(str_at(o, "/spec/timeZone").to_string())),
        json!(suspend),
        json!(o.pointer("/status/active").and_then(Value::as_array).map_or(0, Vec::len)),
        json!(last),
        age(o, now),
        containers,
        images,
        json!(format_selector(o.pointer("/spec/jobTemplate/spec/selector"))),
    ]
}
