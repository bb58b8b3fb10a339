use serde_json::json;

use super::*;

fn reference(kind: &str, namespace: &str, name: &str, api_version: &str) -> ObjectReference {
    ObjectReference {
        kind: kind.to_string(),
        name: name.to_string(),
        namespace: namespace.to_string(),
        api_version: Some(api_version.to_string()),
    }
}

#[test]
fn inventory_ids_parse_as_flux_writes_them() {
    assert_eq!(
        parse_inventory_id("default_podinfo_apps_Deployment", Some("v1")),
        Ok(reference("Deployment", "default", "podinfo", "apps/v1"))
    );
    assert_eq!(
        parse_inventory_id("default_podinfo__Service", Some("v1")),
        Ok(reference("Service", "default", "podinfo", "v1"))
    );
    assert_eq!(parse_inventory_id("_apps__Namespace", Some("v1")), Ok(reference("Namespace", "", "apps", "v1")));
    assert_eq!(
        parse_inventory_id("_foos.example.com_apiextensions.k8s.io_CustomResourceDefinition", Some("v1")),
        Ok(reference("CustomResourceDefinition", "", "foos.example.com", "apiextensions.k8s.io/v1"))
    );
    assert_eq!(
        parse_inventory_id("_system__controller_rbac.authorization.k8s.io_ClusterRole", Some("v1")),
        Ok(reference("ClusterRole", "", "system:controller", "rbac.authorization.k8s.io/v1"))
    );
}

#[test]
fn malformed_ids_say_what_is_wrong() {
    for (id, version, why) in [
        ("garbage", Some("v1"), "expected <namespace>_<name>_<group>_<kind>"),
        ("a_b", Some("v1"), "expected"),
        ("ns__apps_Deployment", Some("v1"), "no name"),
        ("ns_name_apps_", Some("v1"), "no kind"),
        ("ns_name_apps_Deploy-ment", Some("v1"), "not a kind name"),
        ("ns_name_apps_Deployment", None, "no version"),
    ] {
        let err = parse_inventory_id(id, version).expect_err(id);
        assert!(err.contains(why) && err.contains(id), "{id}: {err}");
    }
}

#[test]
fn workloads_are_judged_by_their_replicas() {
    let rolling = json!({"kind": "Deployment", "spec": {"replicas": 2}, "status": {"updatedReplicas": 2, "availableReplicas": 1}});
    assert_eq!(live_status(&rolling), (LiveStatus::InProgress, "1/2 ready".to_string()));
    let ready = json!({"kind": "Deployment", "spec": {"replicas": 2}, "status": {"updatedReplicas": 2, "availableReplicas": 2}});
    assert_eq!(live_status(&ready).0, LiveStatus::Current);
    let stuck = json!({"kind": "Deployment", "spec": {"replicas": 1}, "status": {
        "conditions": [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]}});
    assert_eq!(live_status(&stuck).0, LiveStatus::Failed);
    let crashing = json!({"kind": "Pod", "status": {"phase": "Running",
        "containerStatuses": [{"state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}});
    assert_eq!(live_status(&crashing), (LiveStatus::Failed, "CrashLoopBackOff".to_string()));
}

#[test]
fn flux_objects_are_judged_by_their_conditions() {
    let failing = json!({"kind": "Kustomization", "metadata": {"generation": 2}, "status": {"observedGeneration": 2,
        "conditions": [{"type": "Ready", "status": "False", "message": "kustomize build failed"}]}});
    assert_eq!(live_status(&failing), (LiveStatus::Failed, "kustomize build failed".to_string()));
    let stale = json!({"kind": "Kustomization", "metadata": {"generation": 3}, "status": {"observedGeneration": 2,
        "conditions": [{"type": "Ready", "status": "True"}]}});
    assert_eq!(live_status(&stale).0, LiveStatus::InProgress);
    assert_eq!(live_status(&json!({"kind": "ConfigMap"})).0, LiveStatus::Current);
}

#[test]
fn text_form_matches_flux_tree() {
    let leaf = |kind: &str, ns: &str, name: &str| TreeNode {
        reference: reference(kind, ns, name, "v1"),
        status: LiveStatus::Current,
        message: String::new(),
        object: None,
        children: Vec::new(),
    };
    let mut apps = leaf("Kustomization", "flux-system", "apps");
    let mut release = leaf("HelmRelease", "podinfo", "podinfo");
    release.children = vec![leaf("Service", "podinfo", "podinfo"), leaf("Deployment", "podinfo", "podinfo")];
    apps.children = vec![release];
    let mut root = leaf("Kustomization", "flux-system", "flux-system");
    root.children = vec![
        leaf("Namespace", "", "flux-system"),
        apps,
        TreeNode::problem(invalid_reference("oops"), LiveStatus::Invalid, "malformed"),
    ];
    assert_eq!(
        tree_text(&root),
        "Kustomization/flux-system/flux-system\n\
         ├── Namespace/flux-system\n\
         ├── Kustomization/flux-system/apps\n\
         │   └── HelmRelease/podinfo/podinfo\n\
         │       ├── Service/podinfo/podinfo\n\
         │       └── Deployment/podinfo/podinfo\n\
         └── InventoryEntry/oops (Invalid: malformed)\n"
    );
    assert_eq!(root.len(), 7);
    assert_eq!(root.at(&[1, 0, 1]).map(TreeNode::label).as_deref(), Some("Deployment/podinfo/podinfo"));
    let json = tree_json(&root);
    assert_eq!(json["resources"][1]["resources"][0]["resource"]["Name"], "podinfo");
}
