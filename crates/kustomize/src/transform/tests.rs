//! One test per transform, on small objects.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::*;
use crate::kustomization::{Image, Replica};

fn res(value: Value) -> Resource {
    Resource::new(value).unwrap()
}

fn pairs(k: &str, v: &str) -> BTreeMap<String, String> {
    BTreeMap::from([(k.to_string(), v.to_string())])
}

#[test]
fn namespace_skips_cluster_scoped_kinds_and_sets_default_subjects() {
    let mut rs = vec![
        res(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "old"}})),
        res(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r"}})),
        res(
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "b"},
            "subjects": [{"kind": "ServiceAccount", "name": "default", "namespace": "x"},
                         {"kind": "ServiceAccount", "name": "other", "namespace": "x"}]}),
        ),
    ];
    set_namespace(&mut rs, "prod", &[]);
    assert_eq!(rs[0].namespace(), "prod");
    assert_eq!(rs[0].original_id().namespace, "old");
    assert!(rs[1].value["metadata"].get("namespace").is_none());
    assert_eq!(
        rs[2].value["subjects"],
        json!([{"kind": "ServiceAccount", "name": "default", "namespace": "prod"},
        {"kind": "ServiceAccount", "name": "other", "namespace": "x"}])
    );
}

#[test]
fn prefix_renames_and_references_follow() {
    let mut rs = vec![
        res(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}})),
        res(json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"template": {"spec": {"serviceAccountName": "sa", "containers": [{"name": "c", "image": "i",
                "envFrom": [{"configMapRef": {"name": "cfg"}}, {"configMapRef": {"name": "elsewhere"}}]}]}}}})),
        res(
            json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "x.y"}}),
        ),
    ];
    set_name_affix(&mut rs, "p-", true, &name_affix_specs(&[])).unwrap();
    name_reference::fix(&mut rs, &TransformerConfig::default()).unwrap();
    assert_eq!(rs[0].name(), "p-cfg");
    assert_eq!(rs[2].name(), "x.y");
    let env_from = &rs[1].value["spec"]["template"]["spec"]["containers"][0]["envFrom"];
    assert_eq!(env_from, &json!([{"configMapRef": {"name": "p-cfg"}}, {"configMapRef": {"name": "elsewhere"}}]));
    assert_eq!(rs[1].value["spec"]["template"]["spec"]["serviceAccountName"], "sa");
}

#[test]
fn role_ref_follows_only_the_kind_it_names() {
    let mut rs = vec![
        res(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r"}})),
        res(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "b"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "r"}})),
    ];
    set_name_affix(&mut rs, "-s", false, &name_affix_specs(&[])).unwrap();
    name_reference::fix(&mut rs, &TransformerConfig::default()).unwrap();
    assert_eq!(rs[1].value["roleRef"]["name"], "r");
}

#[test]
fn labels_reach_selectors_only_when_asked() {
    let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
        "spec": {"template": {"metadata": {}}}});
    let mut rs = vec![res(deployment.clone())];
    add_labels(&mut rs, &pairs("a", "1"), &label_specs(LabelScope::Metadata, &[])).unwrap();
    assert_eq!(rs[0].value["metadata"]["labels"], json!({"a": "1"}));
    assert!(rs[0].value["spec"].get("selector").is_none());
    add_labels(&mut rs, &pairs("b", "2"), &label_specs(LabelScope::Templates, &[])).unwrap();
    assert_eq!(rs[0].value["spec"]["template"]["metadata"]["labels"], json!({"b": "2"}));
    assert!(rs[0].value["spec"].get("selector").is_none());
    add_labels(&mut rs, &pairs("c", "3"), &label_specs(LabelScope::Selectors, &[])).unwrap();
    assert_eq!(rs[0].value["spec"]["selector"], json!({"matchLabels": {"c": "3"}}));
}

#[test]
fn annotations_reach_pod_templates() {
    let mut rs = vec![res(json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
        "spec": {"template": {"spec": {}}}}))];
    add_annotations(&mut rs, &pairs("note", "yes"), &annotation_specs(&[])).unwrap();
    assert_eq!(rs[0].value["metadata"]["annotations"], json!({"note": "yes"}));
    assert_eq!(rs[0].value["spec"]["template"]["metadata"]["annotations"], json!({"note": "yes"}));
}

#[test]
fn replicas_match_current_or_earlier_names() {
    let mut rs = vec![res(json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}}))];
    set_name_affix(&mut rs, "p-", true, &name_affix_specs(&[])).unwrap();
    set_replicas(&mut rs, &[Replica { name: "d".into(), count: 3 }], &[]).unwrap();
    assert_eq!(rs[0].value["spec"]["replicas"], 3);
}

#[test]
fn images_change_name_tag_and_digest() {
    assert_eq!(
        fields::split_image("reg:5000/app:1.0@sha256:x"),
        ("reg:5000/app".into(), "1.0".into(), "sha256:x".into())
    );
    let mut rs = vec![res(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "a", "image": "nginx:1.0"}, {"name": "b", "image": "redis"}],
                 "initContainers": [{"name": "c", "image": "nginx@sha256:old"}]}}))];
    let image = Image {
        name: "nginx".into(),
        new_name: Some("my/nginx".into()),
        new_tag: Some("2.0".into()),
        ..Default::default()
    };
    set_images(&mut rs, &[image], &[]).unwrap();
    assert_eq!(rs[0].value["spec"]["containers"][0]["image"], "my/nginx:2.0");
    assert_eq!(rs[0].value["spec"]["containers"][1]["image"], "redis");
    assert_eq!(rs[0].value["spec"]["initContainers"][0]["image"], "my/nginx:2.0");
}
