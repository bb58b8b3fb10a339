use serde_json::{Value, json};

use super::*;

fn deployment(name: &str) -> Resource {
    Resource::new(
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "labels": {"app": name}},
        "spec": {"replicas": 1}}),
    )
    .unwrap()
}

fn strategic(doc: Value, target: Option<Target>) -> Patch {
    Patch::Strategic { docs: vec![doc], target, allow_name_change: false, allow_kind_change: false }
}

#[test]
fn an_untargeted_patch_finds_its_object_by_id() {
    let mut resources = vec![deployment("a"), deployment("b")];
    let patch = strategic(
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "b"}, "spec": {"replicas": 3}}),
        None,
    );
    patch.apply(&mut resources, &mut OpenApi::default()).unwrap();
    assert_eq!(resources[0].value["spec"]["replicas"], 1);
    assert_eq!(resources[1].value["spec"]["replicas"], 3);
    let missing = strategic(json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "c"}}), None);
    assert!(missing.apply(&mut resources, &mut OpenApi::default()).is_err());
}

#[test]
fn a_targeted_patch_keeps_names_unless_allowed() {
    let mut resources = vec![deployment("a"), deployment("b")];
    let doc = json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "renamed"}, "spec": {"replicas": 2}});
    strategic(doc.clone(), Some(Target { kind: "Deployment".into(), ..Default::default() }))
        .apply(&mut resources, &mut OpenApi::default())
        .unwrap();
    assert_eq!(resources.iter().map(|r| r.name().to_string()).collect::<Vec<_>>(), ["a", "b"]);
    assert!(resources.iter().all(|r| r.kind() == "Deployment" && r.value["spec"]["replicas"] == 2));
    let renaming = Patch::Strategic {
        docs: vec![doc],
        target: Some(Target { name: "a".into(), ..Default::default() }),
        allow_name_change: true,
        allow_kind_change: true,
    };
    renaming.apply(&mut resources, &mut OpenApi::default()).unwrap();
    assert_eq!((resources[0].name(), resources[0].kind()), ("renamed", "StatefulSet"));
    assert_eq!(resources[0].original_id().name, "a");
}

#[test]
fn a_delete_patch_removes_the_object() {
    let mut resources = vec![deployment("a"), deployment("b")];
    let patch = strategic(
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "a"}, "$patch": "delete"}),
        None,
    );
    patch.apply(&mut resources, &mut OpenApi::default()).unwrap();
    assert_eq!(resources.len(), 1);
    assert_eq!(resources[0].name(), "b");
}

#[test]
fn json_patches_apply_to_every_selected_object() {
    let mut resources = vec![deployment("a"), deployment("b")];
    let ops = json6902::parse(
        "- {op: replace, path: /spec/replicas, value: 5}\n- {op: add, path: /metadata/annotations, value: {}}",
    )
    .unwrap();
    let patch = Patch::Json { ops, target: Target { label_selector: "app in (b)".into(), ..Default::default() } };
    patch.apply(&mut resources, &mut OpenApi::default()).unwrap();
    assert_eq!(resources[0].value["spec"]["replicas"], 1);
    assert_eq!(resources[1].value["spec"]["replicas"], 5);
    assert!(resources[1].value["metadata"].get("annotations").is_none(), "an empty annotations mapping disappears");
}

#[test]
fn patch_texts_are_told_apart_as_kustomize_does() {
    assert!(
        strategic_docs("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\nkind: Secret\n")
            .is_some_and(|d| d.len() == 2)
    );
    assert!(strategic_docs("- op: add\n  path: /a\n  value: 1").is_none());
    assert!(strategic_docs(r#"[{"op": "remove", "path": "/a"}]"#).is_none());
    assert!(strategic_docs("patch.yaml").is_none(), "a path, not an inline patch");
}
