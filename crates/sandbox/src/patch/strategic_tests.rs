use super::*;
use crate::patch::test_support::builtin;
use serde_json::json;

fn smp(kind: &str, live: Value, patch: Value) -> Value {
    let info = builtin(kind);
    strategic_merge(&live, &patch, TypeNode::root(&info)).expect("patch applies")
}

fn deployment() -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web"}, "finalizers": ["a", "b"]},
        "spec": {
            "replicas": 1,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
            "template": {"spec": {
                "containers": [
                    {"name": "nginx", "image": "nginx:1.25", "ports": [{"containerPort": 80}, {"containerPort": 443}],
                     "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}], "args": ["--x", "--y"]},
                    {"name": "sidecar", "image": "busybox"}
                ],
                "tolerations": [{"key": "k1"}],
                "volumes": [{"name": "data", "emptyDir": {}}]
            }}
        }
    })
}

#[test]
fn containers_merge_by_name_and_ports_by_container_port() {
    let out = smp(
        "Deployment",
        deployment(),
        json!({"spec": {"template": {"spec": {"containers": [
            {"name": "nginx", "image": "nginx:1.27", "ports": [{"containerPort": 8080}], "env": [{"name": "B", "value": "3"}]}
        ]}}}}),
    );
    let containers = &out["spec"]["template"]["spec"]["containers"];
    assert_eq!(containers.as_array().map(Vec::len), Some(2));
    assert_eq!(containers[0]["image"], "nginx:1.27");
    // As in the real server (see the "patch-demo-ctr-2" example of the Kubernetes docs), items
    // new to the list come before the ones only the server has.
    assert_eq!(containers[0]["ports"], json!([{"containerPort": 8080}, {"containerPort": 80}, {"containerPort": 443}]));
    assert_eq!(containers[0]["env"], json!([{"name": "A", "value": "1"}, {"name": "B", "value": "3"}]));
    assert_eq!(containers[0]["args"], json!(["--x", "--y"]));
    assert_eq!(containers[1]["name"], "sidecar");
}

#[test]
fn lists_without_strategy_are_replaced_and_null_deletes() {
    let out = smp(
        "Deployment",
        deployment(),
        json!({
            "metadata": {"labels": {"app": null, "tier": "front"}},
            "spec": {"template": {"spec": {
                "tolerations": [{"key": "k2"}],
                "containers": [{"name": "nginx", "args": ["--z"]}]
            }}}
        }),
    );
    assert_eq!(out["metadata"]["labels"], json!({"tier": "front"}));
    assert_eq!(out["spec"]["template"]["spec"]["tolerations"], json!([{"key": "k2"}]));
    assert_eq!(out["spec"]["template"]["spec"]["containers"][0]["args"], json!(["--z"]));
}

#[test]
fn patch_directives_delete_and_replace_list_items_and_maps() {
    let out = smp(
        "Deployment",
        deployment(),
        json!({"spec": {
            "strategy": {"$patch": "replace", "type": "Recreate"},
            "template": {"spec": {"containers": [{"name": "sidecar", "$patch": "delete"}]}}
        }}),
    );
    assert_eq!(out["spec"]["strategy"], json!({"type": "Recreate"}));
    let names: Vec<&Value> =
        out["spec"]["template"]["spec"]["containers"].as_array().expect("list").iter().map(|c| &c["name"]).collect();
    assert_eq!(names, vec!["nginx"]);

    let out = smp(
        "Deployment",
        deployment(),
        json!({"spec": {"template": {"spec": {"containers": [
            {"$patch": "replace"}, {"name": "only", "image": "alpine"}
        ]}}}}),
    );
    assert_eq!(out["spec"]["template"]["spec"]["containers"], json!([{"name": "only", "image": "alpine"}]));

    let out = smp("Deployment", deployment(), json!({"spec": {"strategy": {"rollingUpdate": {"$patch": "delete"}}}}));
    assert_eq!(out["spec"]["strategy"], json!({"type": "RollingUpdate"}));

    let err = strategic_merge(
        &deployment(),
        &json!({"spec": {"template": {"spec": {"containers": [{"$patch": "merge"}]}}}}),
        TypeNode::root(&builtin("Deployment")),
    );
    assert!(matches!(err, Err(PatchError::BadRequest(_))));
}

#[test]
fn retain_keys_drops_unlisted_fields() {
    let out =
        smp("Deployment", deployment(), json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}));
    assert_eq!(out["spec"]["strategy"], json!({"type": "Recreate"}));
}

#[test]
fn finalizers_merge_as_a_set_and_delete_from_primitive_list() {
    let out = smp("Deployment", deployment(), json!({"metadata": {"finalizers": ["b", "c"]}}));
    assert_eq!(out["metadata"]["finalizers"], json!(["a", "b", "c"]));
    let out = smp("Deployment", deployment(), json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}}));
    assert_eq!(out["metadata"]["finalizers"], json!(["b"]));
}

#[test]
fn set_element_order_reorders() {
    let out = smp(
        "Deployment",
        deployment(),
        json!({"spec": {"template": {"spec": {
            "$setElementOrder/containers": [{"name": "sidecar"}, {"name": "nginx"}],
            "containers": [{"name": "nginx", "image": "nginx:2"}]
        }}}}),
    );
    let containers = &out["spec"]["template"]["spec"]["containers"];
    assert_eq!(containers[0]["name"], "sidecar");
    assert_eq!(containers[1]["image"], "nginx:2");
    // Order only, with no patch for the list itself.
    let out = smp("Deployment", deployment(), json!({"metadata": {"$setElementOrder/finalizers": ["b", "a"]}}));
    assert_eq!(out["metadata"]["finalizers"], json!(["b", "a"]));
}

#[test]
fn server_only_items_keep_their_place() {
    let live = json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}});
    let out = smp(
        "Pod",
        live,
        json!({"spec": {"containers": [{"name": "c", "image": "x"}, {"name": "a", "image": "y"}, {"name": "d"}]}}),
    );
    let names: Vec<&str> =
        out["spec"]["containers"].as_array().expect("list").iter().filter_map(|c| c["name"].as_str()).collect();
    // "b" stays before "c" as it was live; the patch's order wins among the patched items.
    assert_eq!(names, vec!["b", "c", "a", "d"]);
}

#[test]
fn service_ports_merge_by_port_and_cronjob_templates_resolve() {
    let live = json!({"spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443}], "selector": {"app": "a"}}});
    let out = smp("Service", live, json!({"spec": {"ports": [{"port": 80, "targetPort": 9090}]}}));
    assert_eq!(out["spec"]["ports"], json!([{"port": 80, "targetPort": 9090}, {"port": 443}]));

    let live = json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "job", "image": "a", "env": [{"name": "X", "value": "1"}]}]}}}}}});
    let out = smp(
        "CronJob",
        live,
        json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "job", "env": [{"name": "Y", "value": "2"}]}]}}}}}}),
    );
    assert_eq!(
        out["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["env"],
        json!([{"name": "Y", "value": "2"}, {"name": "X", "value": "1"}])
    );
}

#[test]
fn new_keys_are_cleaned_of_directives_and_nulls() {
    let out = smp(
        "ConfigMap",
        json!({"data": {"a": "1"}}),
        json!({"metadata": {"labels": {"x": "1", "y": null}}, "data": {"$patch": "replace", "b": "2"}}),
    );
    assert_eq!(out, json!({"data": {"b": "2"}, "metadata": {"labels": {"x": "1"}}}));
}

#[test]
fn keyed_items_without_their_key_are_rejected() {
    let err = strategic_merge(
        &deployment(),
        &json!({"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}}),
        TypeNode::root(&builtin("Deployment")),
    );
    assert!(
        matches!(err, Err(PatchError::BadRequest(message)) if message.contains("does not contain declared merge key: name"))
    );
}

fn keys(value: &Value) -> Vec<&str> {
    value.as_object().into_iter().flat_map(|m| m.keys().map(String::as_str)).collect()
}

#[test]
fn patching_keeps_the_live_key_order() {
    let live = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx"}]}},
            "strategy": {"type": "RollingUpdate"},
            "paused": false
        },
        "status": {"replicas": 1}
    });
    let out = smp("Deployment", live.clone(), json!({"spec": {"replicas": 3}}));
    assert_eq!(out["spec"]["replicas"], 3);
    assert_eq!(keys(&out), keys(&live));
    assert_eq!(keys(&out["spec"]), keys(&live["spec"]));
    // Deleting a key keeps the order of the others.
    let out = smp("Deployment", live.clone(), json!({"metadata": {"name": null}, "spec": {"selector": null}}));
    assert_eq!(keys(&out["metadata"]), vec!["namespace", "labels"]);
    assert_eq!(keys(&out["spec"]), vec!["replicas", "template", "strategy", "paused"]);
}

#[test]
fn set_element_order_alone_leaves_a_replaced_list_unchanged() {
    let live = json!({"spec": {"containers": [{"name": "a"}], "tolerations": [{"key": "k1"}, {"key": "k2"}]}});
    let out =
        smp("Pod", live.clone(), json!({"spec": {"$setElementOrder/tolerations": [{"key": "k2"}, {"key": "k1"}]}}));
    assert_eq!(out, live);
}

#[test]
fn set_element_order_alone_only_reorders_a_merged_list() {
    let live = json!({"spec": {"containers": [{"name": "a", "image": "1"}, {"name": "b", "image": "2"}]}});
    let out = smp("Pod", live, json!({"spec": {"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}]}}));
    assert_eq!(out, json!({"spec": {"containers": [{"name": "b", "image": "2"}, {"name": "a", "image": "1"}]}}));
}

#[test]
fn service_account_secrets_merge_by_name() {
    let live = json!({"secrets": [{"name": "a"}, {"name": "b"}]});
    let out = smp("ServiceAccount", live, json!({"secrets": [{"name": "c"}]}));
    // Merged, not replaced; items new to the list come first, as in the real server.
    assert_eq!(out, json!({"secrets": [{"name": "c"}, {"name": "a"}, {"name": "b"}]}));
}
