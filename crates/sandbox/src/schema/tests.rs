use super::*;
use crate::registry::{Registry, resources_from_crd};
use crate::test_support::shared;
use serde_json::json;
use std::path::{Path, PathBuf};

fn yaml_docs(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("readable");
    serde_saphyr::from_multiple::<Value>(&text).expect("valid YAML").into_iter().filter(Value::is_object).collect()
}

/// Every Flux CRD in `shared/flux/crds`, and a registry serving them.
fn flux() -> Option<(Vec<Value>, Registry)> {
    let dir = shared("flux/crds")?;
    let mut crds = Vec::new();
    let mut registry = Registry::with_builtins();
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("dir").filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    for file in files.into_iter().filter(|f| f.extension().is_some_and(|e| e == "yaml")) {
        for crd in yaml_docs(&file) {
            for info in resources_from_crd(&crd).expect("valid CRD") {
                registry.insert(info);
            }
            crds.push(crd);
        }
    }
    Some((crds, registry))
}

fn info_for(registry: &Registry, object: &Value) -> std::sync::Arc<ResourceInfo> {
    let api_version = object["apiVersion"].as_str().expect("apiVersion");
    let kind = object["kind"].as_str().expect("kind");
    registry.by_kind(api_version, kind).unwrap_or_else(|| panic!("{api_version} {kind} served"))
}

fn messages(processed: &Processed) -> Vec<String> {
    processed.causes.iter().map(|c| format!("{}: {}", c.field, c.message)).collect()
}

#[test]
fn shared_real_flux_crds_pass_crd_validation() {
    let Some((crds, _)) = flux() else { return };
    assert!(crds.len() >= 12);
    for crd in &crds {
        assert_eq!(validate_crd(crd), vec![], "{}", crd["metadata"]["name"]);
    }
}

#[test]
fn shared_example_repository_objects_validate_and_get_defaults() {
    let Some((_, registry)) = flux() else { return };
    let Some(root) = shared("fixtures/flux2-kustomize-helm-example") else { return };
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).expect("dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml")
                && !path.ends_with("gotk-components.yaml")
                // `*-values.yaml` are kustomize patches, not complete objects.
                && !path.to_string_lossy().ends_with("-values.yaml")
            {
                files.push(path);
            }
        }
    }
    let mut checked = 0;
    for file in files {
        for mut object in yaml_docs(&file) {
            let is_flux = object["apiVersion"].as_str().is_some_and(|a| a.contains("fluxcd.io"));
            if !is_flux {
                continue;
            }
            let info = info_for(&registry, &object);
            let processed = process_custom_resource(&info, &mut object);
            assert_eq!(messages(&processed), Vec::<String>::new(), "{}", file.display());
            assert_eq!(processed.pruned, Vec::<String>::new(), "{}", file.display());
            assert_eq!(processed.skipped_rules, Vec::<String>::new(), "all Flux rules are evaluated");
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} Flux objects found");
}

fn git_repository(registry: &Registry, spec: Value) -> (std::sync::Arc<ResourceInfo>, Value) {
    let object = json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": "podinfo", "namespace": "flux-system"}, "spec": spec,
    });
    (info_for(registry, &object), object)
}

#[test]
fn shared_defaults_follow_the_gitrepository_schema() {
    let Some((_, registry)) = flux() else { return };
    let (info, mut object) =
        git_repository(&registry, json!({"url": "https://github.com/stefanprodan/podinfo", "interval": "1m"}));
    let processed = process_custom_resource(&info, &mut object);
    assert_eq!(messages(&processed), Vec::<String>::new());
    assert_eq!(object["spec"]["timeout"], "60s");
    // The real server defaults a missing status too: Flux objects start at observedGeneration -1.
    assert_eq!(object["status"], json!({"observedGeneration": -1}));
}

#[test]
fn shared_bad_objects_get_the_real_messages() {
    let Some((_, registry)) = flux() else { return };
    let (info, mut object) = git_repository(&registry, json!({"interval": 5, "foo": true, "ref": {"branch": "main"}}));
    let processed = process_custom_resource(&info, &mut object);
    assert_eq!(processed.pruned, vec!["spec.foo"]);
    assert_eq!(
        strict_decoding_message(&info, &processed.pruned),
        r#"GitRepository in version "v1" cannot be handled as a GitRepository: strict decoding error: unknown field "spec.foo""#
    );
    let interval = processed.causes.iter().find(|c| c.field == "spec.interval").expect("interval cause");
    assert_eq!(interval.reason, "FieldValueTypeInvalid");
    assert_eq!(
        interval.message,
        r#"Invalid value: "integer": spec.interval in body must be of type string: "integer""#
    );
    let url = processed.causes.iter().find(|c| c.field == "spec.url").expect("url cause");
    assert_eq!((url.reason.as_str(), url.message.as_str()), ("FieldValueRequired", "Required value"));

    let (info, mut object) =
        git_repository(&registry, json!({"url": "https://x", "interval": "5x", "provider": "bitbucket"}));
    let processed = process_custom_resource(&info, &mut object);
    assert_eq!(
        messages(&processed),
        vec![
            r#"spec.interval: Invalid value: "5x": spec.interval in body should match '^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$'"#,
            r#"spec.provider: Unsupported value: "bitbucket": supported values: "generic", "aws", "azure", "github""#,
        ]
    );
    assert_eq!(processed.causes[1].reason, "FieldValueNotSupported");
}

#[test]
fn shared_cel_rules_of_the_flux_crds_are_enforced() {
    let Some((_, registry)) = flux() else { return };
    let mut release = json!({
        "apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
        "metadata": {"name": "podinfo", "namespace": "podinfo"},
        "spec": {"interval": "5m", "chart": {"spec": {"chart": "podinfo", "sourceRef": {"kind": "HelmRepository", "name": "podinfo"}}},
                 "chartRef": {"kind": "OCIRepository", "name": "podinfo"}}
    });
    let info = info_for(&registry, &release);
    let processed = process_custom_resource(&info, &mut release);
    assert_eq!(messages(&processed), vec![r#"spec: Invalid value: "object": either chart or chartRef must be set"#]);

    let mut release = json!({
        "apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease", "metadata": {"name": "r"},
        "spec": {"interval": "5m", "chartRef": {"kind": "OCIRepository", "name": "podinfo"},
                 "install": {"strategy": {"name": "RemediateOnFailure", "retryInterval": "1m"}}}
    });
    let processed = process_custom_resource(&info, &mut release);
    assert_eq!(
        messages(&processed),
        vec![
            r#"spec.install.strategy: Invalid value: "object": .retryInterval cannot be set when .name is 'RemediateOnFailure'"#
        ]
    );
}

#[test]
fn object_names_follow_each_kinds_rule() {
    let registry = Registry::with_builtins();
    let get = |g: &str, p: &str| registry.get(g, "v1", p).expect("served");
    let ns = get("", "namespaces");
    assert_eq!(validate_object_name(&ns, "flux-system"), None);
    let cause = validate_object_name(&ns, "a.b").expect("dots are not allowed in labels");
    assert_eq!(cause.field, "metadata.name");
    assert!(
        cause.message.starts_with(r#"Invalid value: "a.b": a lowercase RFC 1123 label must consist"#),
        "{}",
        cause.message
    );
    assert!(validate_object_name(&get("", "services"), "1web").is_some_and(|c| c.message.contains("DNS-1035")));
    assert_eq!(validate_object_name(&get("", "configmaps"), "kube-root-ca.crt"), None);
    assert!(
        validate_object_name(&get("", "configmaps"), "Bad_Name")
            .is_some_and(|c| c.message.contains("RFC 1123 subdomain"))
    );
    assert!(
        validate_object_name(&get("", "configmaps"), &"a".repeat(254))
            .is_some_and(|c| c.message.ends_with("must be no more than 253 characters"))
    );
    assert_eq!(validate_object_name(&get("rbac.authorization.k8s.io", "clusterroles"), "system:controller:x"), None);
    assert!(validate_object_name(&get("rbac.authorization.k8s.io", "roles"), "a/b").is_some());
    let empty = validate_object_name(&ns, "").expect("required");
    assert_eq!(
        (empty.reason.as_str(), empty.message.as_str()),
        ("FieldValueRequired", "Required value: name or generateName is required")
    );
}

#[test]
fn broken_crds_are_refused() {
    let crd = json!({
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Region", "names": {"plural": "gadgets", "kind": "Widget"},
                 "versions": [{"name": "v1", "served": true, "storage": false, "schema": {"openAPIV3Schema": {"type": "string"}}},
                              {"name": "v1", "served": false, "storage": false}]}
    });
    let fields: Vec<String> = validate_crd(&crd).into_iter().map(|c| c.field).collect();
    assert_eq!(
        fields,
        vec![
            "metadata.name",
            "spec.scope",
            "spec.versions",
            "spec.versions[0].schema.openAPIV3Schema.type",
            "spec.versions[1].name",
            "spec.versions[1].schema.openAPIV3Schema",
        ]
    );
}

#[test]
fn status_endpoints_split_the_object() {
    let old = json!({"metadata": {"name": "x", "labels": {"a": "1"}}, "spec": {"n": 1}, "status": {"ready": false}});
    let mut update =
        json!({"metadata": {"name": "x", "labels": {"a": "2"}}, "spec": {"n": 2}, "status": {"ready": true}});
    reset_for_main(Some(&old), &mut update);
    assert_eq!(update["status"], json!({"ready": false}));
    assert_eq!(update["spec"]["n"], 2);
    let mut create = json!({"spec": {}, "status": {"ready": true}});
    reset_for_main(None, &mut create);
    assert!(create.get("status").is_none());
    let mut status_write = json!({"metadata": {"name": "x", "labels": {"a": "3"}, "managedFields": [{"manager": "m"}]}, "spec": {"n": 9}, "status": {"ready": true}});
    reset_for_status(&old, &mut status_write);
    assert_eq!(status_write["spec"]["n"], 1);
    assert_eq!(status_write["metadata"]["labels"]["a"], "1");
    assert_eq!(status_write["status"]["ready"], true);
    assert_eq!(status_write["metadata"]["managedFields"][0]["manager"], "m");
}

#[test]
fn field_validation_and_warnings() {
    assert_eq!(FieldValidation::from_query(None), Ok(FieldValidation::Warn));
    assert_eq!(FieldValidation::from_query(Some("Strict")), Ok(FieldValidation::Strict));
    assert!(FieldValidation::from_query(Some("strict")).is_err());
    assert_eq!(unknown_field_message("spec.foo"), r#"unknown field "spec.foo""#);
}

#[test]
fn generic_keywords_produce_kube_openapi_messages() {
    let schema = json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "n": {"type": "integer", "minimum": 1, "maximum": 5},
        "s": {"type": "string", "maxLength": 3, "minLength": 2},
        "l": {"type": "array", "maxItems": 1, "items": {"type": "string"}},
        "t": {"type": "string", "format": "date-time"},
        "z": {"type": "string", "nullable": true},
        "conds": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"], "items": {"type": "object"}}
    }}}});
    let object = json!({"spec": {"n": 0, "s": "abcd", "l": ["a", "b"], "t": "yesterday", "z": null,
                                  "conds": [{"type": "Ready"}, {"type": "Ready"}]}});
    let found: Vec<String> = validate(&schema, &object)
        .causes
        .into_iter()
        .map(|c| format!("{} {}: {}", c.reason, c.field, c.message))
        .collect();
    assert_eq!(
        found,
        vec![
            r#"FieldValueInvalid spec.n: Invalid value: 0: spec.n in body should be greater than or equal to 1"#,
            r#"FieldValueTooLong spec.s: Too long: may not be more than 3 bytes"#,
            r#"FieldValueTooMany spec.l: Too many: 2: must have at most 1 items"#,
            r#"FieldValueInvalid spec.t: Invalid value: "yesterday": spec.t in body must be of type date-time: "yesterday""#,
            r#"FieldValueDuplicate spec.conds[1]: Duplicate value: map[string]interface {}{"type":"Ready"}"#,
        ]
    );
}

fn keys(value: &Value) -> Vec<&str> {
    value.as_object().into_iter().flat_map(|m| m.keys().map(String::as_str)).collect()
}

#[test]
fn pruning_and_status_resets_keep_the_key_order() {
    let schema = json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "a": {"type": "string"}, "c": {"type": "string"}, "d": {"type": "string"}
    }}}});
    let mut object = json!({"spec": {"a": "1", "b": "2", "c": "3", "d": "4"}});
    prune(&schema, &mut object);
    assert_eq!(keys(&object["spec"]), vec!["a", "c", "d"]);
    let mut create = json!({"apiVersion": "v", "status": {}, "kind": "K", "spec": {}});
    reset_for_main(None, &mut create);
    assert_eq!(keys(&create), vec!["apiVersion", "kind", "spec"]);
}
