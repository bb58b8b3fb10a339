use super::*;
use crate::config::SandboxConfig;
use serde_json::{Value, json};

fn state() -> Arc<ApiState> {
    ApiState::open(SandboxConfig::default()).expect("open")
}

fn target(state: &ApiState, group: &str, version: &str, plural: &str, ns: &str, name: &str) -> Target {
    Target::new(state.resource(group, version, plural).expect("served"), ns, name)
}

fn manager() -> WriteOptions {
    WriteOptions::manager("test")
}

#[test]
fn create_fills_metadata_and_update_bumps_generation_only_on_spec_changes() {
    let state = state();
    let t = target(&state, "apps", "v1", "deployments", "default", "web");
    let body = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}, "status": {"replicas": 9}});
    let created = state.create(&t, body, &manager()).expect("create").object;
    assert_eq!(created["metadata"]["generation"], json!(1));
    assert!(created["metadata"]["uid"].as_str().is_some_and(|u| u.len() == 36));
    assert!(created.get("status").is_none(), "status is dropped on create when a status subresource exists");
    let mut changed = created.clone();
    changed["metadata"]["labels"] = json!({"a": "b"});
    let relabeled = state.update(&t, changed, &manager()).expect("update").object;
    assert_eq!(relabeled["metadata"]["generation"], json!(1));
    let mut scaled = relabeled.clone();
    scaled["spec"]["replicas"] = json!(3);
    let scaled = state.update(&t, scaled, &manager()).expect("update").object;
    assert_eq!(scaled["metadata"]["generation"], json!(2));
    // Writing with the old resourceVersion is a conflict.
    let err = state.update(&t, relabeled, &manager()).expect_err("stale");
    assert_eq!((err.code, err.reason.as_str()), (409, "Conflict"));
}

#[test]
fn status_subresource_writes_only_status() {
    let state = state();
    let t = target(&state, "apps", "v1", "deployments", "default", "web");
    let body = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}});
    let created = state.create(&t, body, &manager()).expect("create").object;
    let mut status_write = created.clone();
    status_write["spec"]["replicas"] = json!(5);
    status_write["status"] = json!({"replicas": 1});
    let status_target = t.clone().with_subresource(Some("status"));
    let written = state.update(&status_target, status_write, &manager()).expect("status").object;
    assert_eq!(written["spec"]["replicas"], json!(1));
    assert_eq!(written["status"]["replicas"], json!(1));
    let mut main_write = written.clone();
    main_write["status"] = json!({"replicas": 7});
    let main = state.update(&t, main_write, &manager()).expect("update").object;
    assert_eq!(main["status"]["replicas"], json!(1));
}

#[test]
fn finalizers_hold_deletion_until_removed() {
    let state = state();
    let t = target(&state, "", "v1", "configmaps", "default", "held");
    let body = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "held", "finalizers": ["example.com/hold"]}});
    state.create(&t, body, &manager()).expect("create");
    let deleting = state.delete(&t, &DeleteOptions::default()).expect("delete");
    assert!(deleting["metadata"]["deletionTimestamp"].is_string());
    assert!(state.get(&t).is_ok(), "still there while a finalizer is pending");
    let mut released = state.get(&t).expect("get");
    released["metadata"]["finalizers"] = json!([]);
    state.update(&t, released, &manager()).expect("release");
    assert_eq!(state.get(&t).expect_err("gone").code, 404);
}

#[test]
fn creating_a_crd_serves_its_kind_and_deleting_it_removes_objects() {
    let state = state();
    let crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"kind": "Widget", "plural": "widgets", "shortNames": ["wd"]},
            "versions": [{"name": "v1", "served": true, "storage": true, "subresources": {"status": {}},
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}
    });
    let crd_target =
        target(&state, "apiextensions.k8s.io", "v1", "customresourcedefinitions", "", "widgets.example.com");
    let created = state.create(&crd_target, crd, &manager()).expect("create crd").object;
    assert_eq!(created["status"]["conditions"][1]["type"], json!("Established"));
    let widgets = target(&state, "example.com", "v1", "widgets", "default", "w1");
    let widget =
        json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1"}, "spec": {"size": 3}});
    state.create(&widgets, widget, &manager()).expect("create widget");
    state.delete(&crd_target, &DeleteOptions::default()).expect("delete crd");
    assert!(state.resource("example.com", "v1", "widgets").is_err());
    assert!(state.store.get(&GroupResource::new("example.com", "widgets"), "default", "w1").is_none());
}

#[test]
fn bad_writes_get_kubernetes_status_errors() {
    let state = state();
    let t = target(&state, "", "v1", "configmaps", "missing", "x");
    let body = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}});
    assert_eq!(state.create(&t, body.clone(), &manager()).expect_err("no namespace").code, 404);
    let t = target(&state, "", "v1", "configmaps", "default", "x");
    let wrong = json!({"apiVersion": "apps/v1", "kind": "ConfigMap", "metadata": {"name": "x"}});
    assert_eq!(state.create(&t, wrong, &manager()).expect_err("wrong version").code, 400);
    let unnamed = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}});
    assert_eq!(state.create(&t, unnamed, &manager()).expect_err("no name").code, 422);
    state.create(&t, body.clone(), &manager()).expect("create");
    assert_eq!(state.create(&t, body, &manager()).expect_err("exists").reason, "AlreadyExists");
    let secrets = target(&state, "", "v1", "secrets", "default", "s");
    let bad_secret =
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "not base64!"}});
    assert_eq!(state.create(&secrets, bad_secret, &manager()).expect_err("bad base64").code, 422);
}

#[test]
fn lists_page_with_continue_tokens() {
    let state = state();
    let t = target(&state, "", "v1", "configmaps", "default", "");
    for i in 0..5 {
        let body = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": format!("cm-{i}"), "labels": {"i": i.to_string()}}});
        state.create(&t, body, &manager()).expect("create");
    }
    let options = ListOptions::parse(&t.info, None, None, Some("2"), None).expect("options");
    let first = state.list(&t.info, "default", &options).expect("list");
    assert_eq!(first.items.len(), 2);
    assert_eq!(first.remaining, Some(3));
    // Changes after the first page do not show on the next one: it is the same snapshot.
    let late = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm-3a"}});
    state.create(&Target::new(t.info.clone(), "default", "cm-3a"), late, &manager()).expect("create");
    state.delete(&Target::new(t.info.clone(), "default", "cm-4"), &DeleteOptions::default()).expect("delete");
    let next = ListOptions::parse(&t.info, None, None, Some("10"), first.continue_token.as_deref()).expect("options");
    let rest = state.list(&t.info, "default", &next).expect("list");
    assert_eq!(rest.items.len(), 3);
    assert!(rest.continue_token.is_none());
    let names: Vec<&str> = rest.items.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["cm-2", "cm-3", "cm-4"]);
    let body: Value = serde_json::from_slice(&list_json(&t.info, &rest)).expect("json");
    assert_eq!(body["kind"], json!("ConfigMapList"));
    assert_eq!(body["items"][0]["metadata"]["name"], json!("cm-2"));
    // Once the history no longer reaches the snapshot, the token is too old: 410, as on a real server.
    state.store.expire_history().expect("expire");
    assert_eq!(state.list(&t.info, "default", &next).err().map(|e| e.code), Some(410));
}
