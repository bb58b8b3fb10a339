use serde_json::json;

use super::*;

fn fleet() -> Vec<Value> {
    vec![
        json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": "apps", "namespace": "flux-system",
                "labels": {"kustomize.toolkit.fluxcd.io/name": "flux-system", "kustomize.toolkit.fluxcd.io/namespace": "flux-system"}},
            "spec": {"path": "./apps", "sourceRef": {"kind": "GitRepository", "name": "flux-system"}},
            "status": {"lastAppliedRevision": "main@sha1:old", "conditions": [{"type": "Ready", "status": "True", "message": "Applied revision: main@sha1:old"}]}}),
        json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": "flux-system", "namespace": "flux-system"},
            "spec": {"path": "./clusters", "suspend": true, "sourceRef": {"kind": "GitRepository", "name": "flux-system"}},
            "status": {"lastAppliedRevision": "main@sha1:new", "conditions": [{"type": "Ready", "status": "True"}]}}),
        json!({"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
            "metadata": {"name": "flux-system", "namespace": "flux-system"},
            "spec": {"url": "https://github.com/example/fleet", "ref": {"branch": "main"}},
            "status": {"artifact": {"revision": "main@sha1:new"}, "conditions": [{"type": "Ready", "status": "True", "message": "stored artifact"}]}}),
    ]
}

fn find_in(objects: &[Value]) -> impl Fn(FluxKind, &str, &str) -> Option<Value> + '_ {
    move |kind, namespace, name| {
        objects
            .iter()
            .find(|o| {
                o["kind"] == kind.name() && o["metadata"]["namespace"] == namespace && o["metadata"]["name"] == name
            })
            .cloned()
    }
}

#[test]
fn a_pod_traces_through_its_deployment_to_the_kustomizations_and_their_source() {
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-1", "namespace": "shop"},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}});
    let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop",
        "labels": {"kustomize.toolkit.fluxcd.io/name": "apps", "kustomize.toolkit.fluxcd.io/namespace": "flux-system"}}});
    let objects = fleet();
    let find = find_in(&objects);
    let steps = trace(&[pod, deployment], &find);
    let summary: Vec<(&str, &str)> = steps.iter().map(|s| (s.role.as_str(), s.object.as_str())).collect();
    assert_eq!(
        summary,
        [
            ("Object", "Pod/shop/web-1"),
            ("Kustomization", "Kustomization/flux-system/apps"),
            ("Source", "GitRepository/flux-system/flux-system"),
            ("Kustomization", "Kustomization/flux-system/flux-system"),
            ("Source", "GitRepository/flux-system/flux-system"),
        ]
    );
    let text: Vec<String> = trace_lines(&steps).iter().map(StyledLine::text).collect();
    let text = text.join("\n");
    assert!(text.contains("Owned by:           Deployment/shop/web"), "{text}");
    assert!(text.contains("behind: the source offers main@sha1:new"), "{text}");
    assert!(text.contains("up to date with its source"), "{text}");
    assert!(text.contains("Suspended:          yes"), "{text}");
}

#[test]
fn unmanaged_objects_and_missing_managers_are_said_so() {
    let objects = fleet();
    let find = find_in(&objects);
    let loose = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "default"}});
    let steps = trace(&[loose], &find);
    assert_eq!(steps.len(), 1);
    assert!(steps[0].fields.iter().any(|(_, value, _)| value == "object not managed by Flux"));
    let orphan = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "default",
        "labels": {"helm.toolkit.fluxcd.io/name": "gone", "helm.toolkit.fluxcd.io/namespace": "default"}}});
    let steps = trace(&[orphan], &find);
    assert_eq!(steps.last().map(|s| s.status), Some(LiveStatus::NotFound));
}

#[test]
fn a_flux_object_traces_its_own_source() {
    let objects = fleet();
    let find = find_in(&objects);
    let steps = trace(&[objects[1].clone()], &find);
    let roles: Vec<&str> = steps.iter().map(|s| s.role.as_str()).collect();
    assert_eq!(roles, ["Object", "Source"]);
}
