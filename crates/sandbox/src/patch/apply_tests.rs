use super::*;
use crate::patch::record_update;
use crate::patch::test_support::{builtin, custom, flux_crd};
use crate::registry::ResourceInfo;
use chrono::{TimeZone, Utc};
use serde_json::json;

fn ctx<'a>(info: &'a ResourceInfo, manager: &'a str, minute: u32) -> FieldManagerContext<'a> {
    let now = Utc.with_ymd_and_hms(2025, 1, 2, 3, minute, 0).single().expect("valid time");
    FieldManagerContext { info, manager, subresource: None, now }
}

fn apply(
    live: Option<&Value>,
    config: &Value,
    info: &ResourceInfo,
    manager: &str,
    force: bool,
) -> Result<Value, PatchError> {
    server_side_apply(live, config, &ApplyOptions { ctx: ctx(info, manager, 10), force })
}

fn entry<'v>(object: &'v Value, manager: &str) -> Option<&'v Value> {
    object["metadata"]["managedFields"].as_array()?.iter().find(|e| e["manager"] == manager)
}

fn nginx(replicas: u32, image: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "nginx", "image": image, "ports": [{"containerPort": 80}]}]}
            }
        }
    })
}

#[test]
fn apply_creates_and_records_the_real_fields_v1() {
    let info = builtin("Deployment");
    let out = apply(None, &nginx(1, "nginx:1.25"), &info, "kubectl", false).expect("applies");
    assert_eq!(out["spec"]["replicas"], 1);
    assert_eq!(
        out["metadata"]["managedFields"],
        json!([{"manager": "kubectl", "operation": "Apply", "apiVersion": "apps/v1", "time": "2025-01-02T03:10:00Z",
        "fieldsType": "FieldsV1", "fieldsV1": {
            "f:metadata": {"f:labels": {"f:app": {}}},
            "f:spec": {
                "f:replicas": {},
                "f:selector": {},
                "f:template": {
                    "f:metadata": {"f:labels": {"f:app": {}}},
                    "f:spec": {"f:containers": {"k:{\"name\":\"nginx\"}": {
                        ".": {}, "f:image": {}, "f:name": {},
                        "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}}
                    }}}
                }
            }
        }}])
    );
}

#[test]
fn scaling_by_another_manager_conflicts_until_forced() {
    let info = builtin("Deployment");
    let live = apply(None, &nginx(1, "nginx:1.25"), &info, "kubectl", false).expect("applies");
    // An autoscaler scales with an ordinary update.
    let mut scaled = live.clone();
    scaled["spec"]["replicas"] = json!(5);
    record_update(Some(&live), &mut scaled, &ctx(&info, "hpa-controller", 20));
    assert_eq!(entry(&scaled, "hpa-controller").expect("hpa entry")["fieldsV1"], json!({"f:spec": {"f:replicas": {}}}));
    assert!(entry(&scaled, "kubectl").expect("kubectl")["fieldsV1"]["f:spec"].get("f:replicas").is_none());

    // Re-applying a different replica count conflicts with the updater.
    let err = apply(Some(&scaled), &nginx(2, "nginx:1.25"), &info, "kubectl", false).unwrap_err();
    let api = crate::error::ApiError::from(err);
    assert_eq!(api.code, 409);
    assert_eq!(
        api.message,
        "Apply failed with 1 conflict: conflict with \"hpa-controller\" using apps/v1: .spec.replicas"
    );
    assert_eq!(api.details.causes[0].field, ".spec.replicas");
    assert_eq!(api.details.causes[0].reason, "FieldManagerConflict");

    // Applying the value the updater set is not a conflict: ownership is shared.
    let shared = apply(Some(&scaled), &nginx(5, "nginx:1.26"), &info, "kubectl", false).expect("same value");
    assert!(entry(&shared, "hpa-controller").is_some());
    assert!(entry(&shared, "kubectl").expect("kubectl")["fieldsV1"]["f:spec"].get("f:replicas").is_some());
    assert_eq!(shared["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1.26");

    // Forcing takes the field over; the updater, left with nothing, disappears.
    let forced = apply(Some(&scaled), &nginx(2, "nginx:1.25"), &info, "kubectl", true).expect("forced");
    assert_eq!(forced["spec"]["replicas"], 2);
    assert!(entry(&forced, "hpa-controller").is_none());
    assert_eq!(forced["metadata"]["managedFields"].as_array().map(Vec::len), Some(1));
}

#[test]
fn client_side_apply_owner_conflicts_by_name() {
    let info = builtin("Deployment");
    let mut created = nginx(1, "nginx:1.25");
    record_update(None, &mut created, &ctx(&info, "kubectl-client-side-apply", 0));
    let mut config = nginx(3, "nginx:1.27");
    config["metadata"].as_object_mut().expect("map").remove("labels");
    let err = apply(Some(&created), &config, &info, "kubectl", false).unwrap_err();
    let PatchError::Conflicts(conflicts) = &err else { panic!("{err}") };
    let fields: Vec<&str> = conflicts.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, vec![".spec.replicas", ".spec.template.spec.containers[name=\"nginx\"].image"]);
    assert_eq!(
        err.to_string(),
        "Apply failed with 2 conflicts: conflicts with \"kubectl-client-side-apply\" using apps/v1:\n\
         - .spec.replicas\n- .spec.template.spec.containers[name=\"nginx\"].image"
    );
}

#[test]
fn fields_no_longer_applied_are_removed_unless_someone_else_owns_them() {
    let info = builtin("Deployment");
    let mut config = nginx(1, "nginx");
    config["metadata"]["labels"]["tier"] = json!("front");
    config["spec"]["template"]["spec"]["containers"][0]["env"] =
        json!([{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]);
    config["spec"]["template"]["spec"]["containers"]
        .as_array_mut()
        .expect("list")
        .push(json!({"name": "sidecar", "image": "busybox"}));
    let live = apply(None, &config, &info, "kubectl", false).expect("applies");

    // Another manager also sets the label "tier" (same value): co-owned.
    let mut touched = live.clone();
    touched["metadata"]["labels"]["team"] = json!("x");
    record_update(Some(&live), &mut touched, &ctx(&info, "other", 30));
    let helper = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"tier": "front"}}});
    let touched = apply(Some(&touched), &helper, &info, "helper", false).expect("co-own");

    let smaller = nginx(1, "nginx");
    let out = apply(Some(&touched), &smaller, &info, "kubectl", false).expect("re-apply");
    assert_eq!(out["metadata"]["labels"], json!({"app": "web", "tier": "front", "team": "x"}));
    let containers = out["spec"]["template"]["spec"]["containers"].as_array().expect("list");
    assert_eq!(containers.len(), 1, "{containers:?}");
    assert!(containers[0].get("env").is_none());
}

#[test]
fn list_and_map_semantics_follow_the_type() {
    let info = builtin("Deployment");
    let mut config = nginx(1, "nginx");
    config["metadata"]["finalizers"] = json!(["a.example/x"]);
    config["spec"]["template"]["spec"]["containers"][0]["args"] = json!(["--a", "--b"]);
    let live = apply(None, &config, &info, "kubectl", false).expect("applies");
    let fields = &entry(&live, "kubectl").expect("entry")["fieldsV1"];
    assert_eq!(fields["f:metadata"]["f:finalizers"], json!({"v:\"a.example/x\"": {}}));
    assert_eq!(fields["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"nginx\"}"]["f:args"], json!({}));

    let other = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "finalizers": ["b.example/y"]},
        "spec": {"selector": {"matchLabels": {"app": "web", "x": "y"}},
                 "template": {"spec": {"containers": [{"name": "nginx", "args": ["--c"]}]}}}});
    let out = apply(Some(&live), &other, &info, "second", true).expect("applies");
    assert_eq!(out["metadata"]["finalizers"], json!(["a.example/x", "b.example/y"]));
    // Atomic: the whole list and the whole selector are replaced.
    assert_eq!(out["spec"]["template"]["spec"]["containers"][0]["args"], json!(["--c"]));
    assert_eq!(out["spec"]["template"]["spec"]["containers"][0]["image"], "nginx");
    assert_eq!(out["spec"]["selector"], json!({"matchLabels": {"app": "web", "x": "y"}}));
    // Forced, so kubectl lost the atomic fields.
    let kubectl = &entry(&out, "kubectl").expect("entry")["fieldsV1"]["f:spec"];
    assert!(kubectl.get("f:selector").is_none());
}

#[test]
fn custom_resources_use_their_schema_and_ignore_status() {
    let schema = json!({"type": "object", "properties": {
        "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
        "spec": {"type": "object", "properties": {"interval": {"type": "string"}, "path": {"type": "string"}}},
        "status": {"type": "object", "properties": {"conditions": {"type": "array", "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["type"], "items": {"type": "object"}}}}
    }});
    let info = custom("Kustomization", Some(schema));
    let config = json!({"apiVersion": "example.com/v1", "kind": "Kustomization", "metadata": {"name": "apps"},
        "spec": {"interval": "10m", "path": "./apps"}, "status": {"conditions": [{"type": "Ready", "status": "True"}]}});
    let out = apply(None, &config, &info, "flux", false).expect("applies");
    assert_eq!(entry(&out, "flux").expect("entry")["fieldsV1"], json!({"f:spec": {"f:interval": {}, "f:path": {}}}));

    // The controller writes conditions through the status subresource: keyed by type.
    let mut with_status = out.clone();
    with_status["status"] =
        json!({"conditions": [{"type": "Ready", "status": "False"}, {"type": "Healthy", "status": "True"}]});
    let status_ctx = FieldManagerContext { subresource: Some("status"), ..ctx(&info, "kustomize-controller", 40) };
    record_update(Some(&out), &mut with_status, &status_ctx);
    let controller = entry(&with_status, "kustomize-controller").expect("entry");
    assert_eq!(controller["subresource"], "status");
    assert_eq!(
        controller["fieldsV1"],
        json!({"f:status": {"f:conditions": {
            "k:{\"type\":\"Healthy\"}": {".": {}, "f:status": {}, "f:type": {}},
            "k:{\"type\":\"Ready\"}": {"f:status": {}}
        }}})
    );
}

#[test]
fn shared_helm_release_values_are_granular_under_preserve_unknown_fields() {
    let Some(info) = flux_crd("helm.toolkit.fluxcd.io_helmreleases.yaml") else { return };
    let config = json!({"apiVersion": info.api_version(), "kind": "HelmRelease", "metadata": {"name": "podinfo"},
        "spec": {"interval": "5m", "chart": {"spec": {"chart": "podinfo", "sourceRef": {"kind": "HelmRepository", "name": "podinfo"}}},
                 "values": {"replicaCount": 2, "ingress": {"enabled": true}}}});
    let live = apply(None, &config, &info, "flux", false).expect("applies");
    let values = &entry(&live, "flux").expect("entry")["fieldsV1"]["f:spec"]["f:values"];
    assert_eq!(values, &json!({"f:ingress": {".": {}, "f:enabled": {}}, "f:replicaCount": {}}));

    let mut second = config.clone();
    second["spec"]["values"] = json!({"ingress": {"enabled": true}});
    let out = apply(Some(&live), &second, &info, "flux", false).expect("re-applies");
    assert_eq!(out["spec"]["values"], json!({"ingress": {"enabled": true}}));
}

#[test]
fn invalid_apply_requests_are_rejected_like_the_real_server() {
    let info = builtin("Deployment");
    let mut wrong_version = nginx(1, "nginx");
    wrong_version["apiVersion"] = json!("apps/v1beta1");
    let err = apply(None, &wrong_version, &info, "kubectl", false).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1"
    );

    let mut with_managed = nginx(1, "nginx");
    with_managed["metadata"]["managedFields"] = json!([]);
    assert_eq!(
        apply(None, &with_managed, &info, "kubectl", false).unwrap_err().to_string(),
        "metadata.managedFields must be nil"
    );

    let mut nameless = nginx(1, "nginx");
    nameless["spec"]["template"]["spec"]["containers"] = json!([{"image": "nginx"}]);
    let err = apply(None, &nameless, &info, "kubectl", false).unwrap_err();
    assert_eq!(crate::error::ApiError::from(err.clone()).code, 500);
    assert!(
        err.to_string().contains("element 0: associative list with keys has an element that omits key field \"name\""),
        "{err}"
    );

    let mut duplicated = nginx(1, "nginx");
    duplicated["spec"]["template"]["spec"]["containers"] = json!([{"name": "a"}, {"name": "a"}]);
    assert!(apply(None, &duplicated, &info, "kubectl", false).unwrap_err().to_string().contains("duplicate entries"));
}

#[test]
fn a_no_op_apply_keeps_the_entry_time() {
    let info = builtin("ConfigMap");
    let config = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}});
    let first = apply(None, &config, &info, "kubectl", false).expect("applies");
    let later =
        server_side_apply(Some(&first), &config, &ApplyOptions { ctx: ctx(&info, "kubectl", 50), force: false })
            .expect("applies");
    assert_eq!(later, first);
}
