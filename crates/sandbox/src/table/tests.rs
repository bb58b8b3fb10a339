use super::*;
use crate::registry::{Registry, resources_from_crd};
use crate::test_support::shared_crd;
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 12, 0, 0).single().expect("valid date")
}

fn builtin(group: &str, version: &str, plural: &str) -> ResourceInfo {
    let registry = Registry::with_builtins();
    registry.get(group, version, plural).map(|i| (*i).clone()).expect("built-in served")
}

fn names(table: &Value) -> Vec<String> {
    table["columnDefinitions"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| c["name"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn pods_render_like_kubectl_get_pods() {
    let info = builtin("", "v1", "pods");
    let running = json!({
        "metadata": {"name": "podinfo-7d9", "namespace": "podinfo", "creationTimestamp": "2025-01-01T11:55:00Z"},
        "spec": {"nodeName": "sandbox", "containers": [{"name": "podinfo", "image": "ghcr.io/stefanprodan/podinfo:6.7.0"}]},
        "status": {"phase": "Running", "podIP": "10.244.0.7",
            "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [{"name": "podinfo", "ready": true, "restartCount": 0, "state": {"running": {}}}]}
    });
    let crashing = json!({
        "metadata": {"name": "crasher", "creationTimestamp": "2024-12-31T12:00:00Z"},
        "spec": {"containers": [{"name": "a"}, {"name": "b"}]},
        "status": {"phase": "Running", "containerStatuses": [
            {"name": "a", "ready": false, "restartCount": 4, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
             "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2025-01-01T11:58:30Z"}}},
            {"name": "b", "ready": true, "restartCount": 0, "state": {"running": {}}}
        ]}
    });
    let table = to_table_at(&info, [running, crashing], IncludeObject::Metadata, "42", None, now());
    assert_eq!(table["kind"], "Table");
    assert_eq!(table["apiVersion"], "meta.k8s.io/v1");
    assert_eq!(table["metadata"]["resourceVersion"], "42");
    assert_eq!(
        names(&table),
        vec!["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"]
    );
    assert_eq!(table["columnDefinitions"][0]["format"], "name");
    assert_eq!(table["columnDefinitions"][5]["priority"], 1);
    assert_eq!(
        table["rows"][0]["cells"],
        json!(["podinfo-7d9", "1/1", "Running", "0", "5m", "10.244.0.7", "sandbox", "<none>", "<none>"])
    );
    assert_eq!(table["rows"][0]["object"]["kind"], "PartialObjectMetadata");
    assert_eq!(table["rows"][0]["object"]["metadata"]["namespace"], "podinfo");
    assert_eq!(
        table["rows"][1]["cells"],
        json!(["crasher", "1/2", "CrashLoopBackOff", "4 (90s ago)", "24h", "<none>", "<none>", "<none>", "<none>"])
    );
}

#[test]
fn pod_init_and_terminating_states() {
    let info = builtin("", "v1", "pods");
    let init = json!({
        "metadata": {"name": "init"},
        "spec": {"initContainers": [{"name": "i1"}, {"name": "i2"}], "containers": [{"name": "c"}]},
        "status": {"phase": "Pending", "initContainerStatuses": [
            {"name": "i1", "state": {"terminated": {"exitCode": 0}}},
            {"name": "i2", "state": {"running": {}}}
        ]}
    });
    let deleting = json!({"metadata": {"name": "bye", "deletionTimestamp": "2025-01-01T11:59:00Z"}, "spec": {"containers": []}, "status": {"phase": "Running"}});
    let table = to_table_at(&info, [init, deleting], IncludeObject::None, "1", None, now());
    assert_eq!(table["rows"][0]["cells"][2], "Init:1/2");
    assert_eq!(table["rows"][1]["cells"][2], "Terminating");
    assert!(table["rows"][0].get("object").is_none());
}

#[test]
fn deployments_render_like_kubectl_get_deployments() {
    let info = builtin("apps", "v1", "deployments");
    let deployment = json!({
        "metadata": {"name": "podinfo", "creationTimestamp": "2025-01-01T09:00:00Z"},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app.kubernetes.io/name": "podinfo"}},
            "template": {"spec": {"containers": [{"name": "podinfo", "image": "podinfo:6"}, {"name": "side", "image": "busybox"}]}}},
        "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}
    });
    let table = to_table_at(&info, [deployment], IncludeObject::Object, "7", Some("next"), now());
    assert_eq!(
        names(&table),
        vec!["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"]
    );
    assert_eq!(
        table["rows"][0]["cells"],
        json!(["podinfo", "2/3", 3, 2, "3h", "podinfo,side", "podinfo:6,busybox", "app.kubernetes.io/name=podinfo"])
    );
    assert_eq!(table["metadata"]["continue"], "next");
    assert_eq!(table["rows"][0]["object"]["spec"]["replicas"], 3);
}

#[test]
fn services_jobs_and_events() {
    let svc = json!({"metadata": {"name": "web", "creationTimestamp": "2025-01-01T11:59:00Z"},
        "spec": {"type": "NodePort", "clusterIP": "10.96.0.10", "ports": [{"port": 80, "nodePort": 30080}, {"port": 53, "protocol": "UDP"}], "selector": {"app": "web"}}});
    let table = to_table_at(&builtin("", "v1", "services"), [svc], IncludeObject::None, "1", None, now());
    assert_eq!(
        table["rows"][0]["cells"],
        json!(["web", "NodePort", "10.96.0.10", "<none>", "80:30080/TCP,53/UDP", "60s", "app=web"])
    );

    let job = json!({"metadata": {"name": "j"}, "spec": {"completions": 1},
        "status": {"succeeded": 1, "startTime": "2025-01-01T11:00:00Z", "completionTime": "2025-01-01T11:00:42Z",
            "conditions": [{"type": "Complete", "status": "True"}]}});
    let table = to_table_at(&builtin("batch", "v1", "jobs"), [job], IncludeObject::None, "1", None, now());
    assert_eq!(
        table["rows"][0]["cells"].as_array().expect("cells")[1..4],
        [json!("Complete"), json!("1/1"), json!("42s")]
    );

    let event = json!({"metadata": {"name": "ev1"}, "type": "Warning", "reason": "BackOff", "message": "Back-off restarting ",
        "involvedObject": {"kind": "Pod", "name": "crasher"}, "lastTimestamp": "2025-01-01T11:59:00Z", "count": 3});
    let table = to_table_at(&builtin("", "v1", "events"), [event], IncludeObject::None, "1", None, now());
    assert_eq!(
        table["rows"][0]["cells"].as_array().expect("cells")[0..4],
        [json!("60s"), json!("Warning"), json!("BackOff"), json!("pod/crasher")]
    );
    assert_eq!(table["rows"][0]["cells"][6], "Back-off restarting");
}

#[test]
fn unknown_builtins_use_the_default_convertor() {
    let table = to_table_at(
        &builtin("apiextensions.k8s.io", "v1", "customresourcedefinitions"),
        [
            json!({"metadata": {"name": "gitrepositories.source.toolkit.fluxcd.io", "creationTimestamp": "2025-01-01T10:00:00Z"}}),
        ],
        IncludeObject::None,
        "1",
        None,
        now(),
    );
    assert_eq!(names(&table), vec!["Name", "Created At"]);
    assert_eq!(table["rows"][0]["cells"][1], "2025-01-01T10:00:00Z");
    let pvc = builtin("", "v1", "limitranges");
    assert_eq!(column_definitions(&pvc).len(), 2);
}

#[test]
fn shared_flux_crd_tables_use_printer_columns() {
    let Some(crd) = shared_crd("source.toolkit.fluxcd.io_gitrepositories.yaml") else { return };
    let info = resources_from_crd(&crd).expect("valid CRD").into_iter().find(|i| i.version == "v1").expect("v1");
    let repo = json!({
        "metadata": {"name": "flux-system", "namespace": "flux-system", "creationTimestamp": "2025-01-01T11:00:00Z"},
        "spec": {"url": "https://github.com/fluxcd/flux2-kustomize-helm-example"},
        "status": {"conditions": [{"type": "Ready", "status": "True", "message": "stored artifact for revision 'main@sha1:abc'"}]}
    });
    let table = to_table_at(&info, [repo], IncludeObject::Metadata, "9", None, now());
    assert_eq!(names(&table), vec!["Name", "URL", "Age", "Ready", "Status"]);
    assert_eq!(
        table["rows"][0]["cells"],
        json!([
            "flux-system",
            "https://github.com/fluxcd/flux2-kustomize-helm-example",
            "60m",
            "True",
            "stored artifact for revision 'main@sha1:abc'"
        ])
    );
}

#[test]
fn crds_without_columns_get_name_and_age() {
    let mut info = builtin("", "v1", "configmaps");
    info.crd_name = Some("widgets.example.com".into());
    info.printer_columns.clear();
    let table = to_table_at(
        &info,
        [json!({"metadata": {"name": "w", "creationTimestamp": "2024-12-25T12:00:00Z"}})],
        IncludeObject::None,
        "1",
        None,
        now(),
    );
    assert_eq!(names(&table), vec!["Name", "Age"]);
    assert_eq!(table["columnDefinitions"][1]["type"], "date");
    assert_eq!(table["rows"][0]["cells"], json!(["w", "7d"]));
}

#[test]
fn human_durations_match_apimachinery() {
    let d = chrono::Duration::seconds;
    assert_eq!(human_duration(d(-5)), "<invalid>");
    assert_eq!(human_duration(d(119)), "119s");
    assert_eq!(human_duration(d(150)), "2m30s");
    assert_eq!(human_duration(d(600)), "10m");
    assert_eq!(human_duration(d(3 * 3600 + 60)), "3h1m");
    assert_eq!(human_duration(d(30 * 3600)), "30h");
    assert_eq!(human_duration(d(3 * 86400 + 3600)), "3d1h");
    assert_eq!(human_duration(d(400 * 86400)), "400d");
    assert_eq!(human_duration(d(3 * 365 * 86400 + 86400 * 5)), "3y5d");
}

#[test]
fn include_object_parses_query() {
    assert_eq!(IncludeObject::from_query(None), Ok(IncludeObject::Metadata));
    assert_eq!(IncludeObject::from_query(Some("Object")), Ok(IncludeObject::Object));
    assert!(IncludeObject::from_query(Some("All")).is_err());
}
