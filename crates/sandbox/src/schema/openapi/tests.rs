use super::*;
use crate::registry::resources_from_crd;
use crate::test_support::shared_crd;

fn with_crd(file: &str) -> Option<Registry> {
    let crd = shared_crd(file)?;
    let mut registry = Registry::with_builtins();
    for info in resources_from_crd(&crd).expect("valid CRD") {
        registry.insert(info);
    }
    Some(registry)
}

/// Every `$ref` in the document points at a definition it carries.
fn assert_refs_resolve(doc: &Value, prefix: &str, defs: &Value) {
    fn walk(v: &Value, prefix: &str, defs: &Value) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    if k == "$ref" {
                        let target = v.as_str().expect("string ref");
                        let name = target.strip_prefix(prefix).unwrap_or_else(|| panic!("ref {target} lacks {prefix}"));
                        assert!(defs.get(name).is_some(), "dangling ref {target}");
                    } else {
                        walk(v, prefix, defs);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, prefix, defs)),
            _ => {}
        }
    }
    walk(doc, prefix, defs);
}

#[test]
fn shared_crd_patch_operation_declares_field_validation_in_v3() {
    let Some(registry) = with_crd("source.toolkit.fluxcd.io_gitrepositories.yaml") else { return };
    let doc = openapi_v3_group_version(&registry, "apis/source.toolkit.fluxcd.io/v1").expect("served").document;
    let item = &doc["paths"]["/apis/source.toolkit.fluxcd.io/v1/namespaces/{namespace}/gitrepositories/{name}"];
    let patch = &item["patch"];
    assert_eq!(patch["x-kubernetes-action"], "patch");
    assert_eq!(
        patch["x-kubernetes-group-version-kind"],
        json!({"group": "source.toolkit.fluxcd.io", "version": "v1", "kind": "GitRepository"})
    );
    assert_eq!(patch["operationId"], "patchSourceToolkitFluxcdIoV1NamespacedGitRepository");
    let params = patch["parameters"].as_array().expect("params");
    assert!(params.iter().any(|p| p["name"] == "fieldValidation" && p["in"] == "query"));
    let content = patch["requestBody"]["content"].as_object().expect("content");
    assert!(content.contains_key("application/apply-patch+yaml"));
    assert!(!content.contains_key("application/strategic-merge-patch+json"), "CRs do not take SMP");
    assert!(item["put"]["parameters"].as_array().expect("params").iter().any(|p| p["name"] == "fieldValidation"));
    let schemas = &doc["components"]["schemas"];
    let repo = &schemas["io.fluxcd.toolkit.source.v1.GitRepository"];
    assert_eq!(repo["x-kubernetes-group-version-kind"][0]["kind"], "GitRepository");
    assert_eq!(
        repo["properties"]["metadata"]["$ref"],
        "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    );
    assert!(repo["properties"]["spec"]["properties"]["url"].is_object());
    assert!(schemas.get("io.fluxcd.toolkit.source.v1.GitRepositoryList").is_some());
    assert!(
        doc["paths"]
            .get("/apis/source.toolkit.fluxcd.io/v1/namespaces/{namespace}/gitrepositories/{name}/status")
            .is_some()
    );
    assert!(doc["paths"].get("/apis/source.toolkit.fluxcd.io/v1/gitrepositories").is_some());
    assert_refs_resolve(&doc, "#/components/schemas/", schemas);
}

#[test]
fn builtin_documents_carry_patch_metadata() {
    let registry = Registry::with_builtins();
    let doc = openapi_v3_group_version(&registry, "apis/apps/v1").expect("apps served").document;
    let schemas = &doc["components"]["schemas"];
    let deployment = &schemas["io.k8s.api.apps.v1.Deployment"];
    let containers =
        &deployment["properties"]["spec"]["properties"]["template"]["properties"]["spec"]["properties"]["containers"];
    assert_eq!(containers["x-kubernetes-patch-merge-key"], "name");
    assert_eq!(containers["x-kubernetes-patch-strategy"], "merge");
    assert_eq!(
        containers["items"]["properties"]["ports"]["x-kubernetes-list-map-keys"],
        json!(["containerPort", "protocol"])
    );
    assert_eq!(deployment["properties"]["status"]["properties"]["conditions"]["x-kubernetes-patch-merge-key"], "type");
    let scale = &doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]["patch"];
    assert_eq!(scale["x-kubernetes-group-version-kind"]["kind"], "Scale");
    assert!(schemas.get("io.k8s.api.autoscaling.v1.Scale").is_some());
    assert_refs_resolve(&doc, "#/components/schemas/", schemas);

    let core = openapi_v3_group_version(&registry, "api/v1").expect("core served").document;
    assert!(core["paths"].get("/api/v1/namespaces/{namespace}/pods/{name}").is_some());
    assert!(core["components"]["schemas"].get("io.k8s.api.core.v1.Pod").is_some());
    let rbac = openapi_v3_group_version(&registry, "apis/rbac.authorization.k8s.io/v1").expect("rbac").document;
    assert!(rbac["components"]["schemas"].get("io.k8s.api.rbac.v1.ClusterRole").is_some());
    assert!(openapi_v3_group_version(&registry, "apis/nope/v1").is_none());
}

#[test]
fn shared_v2_document_is_swagger_with_strategic_merge_only_for_builtins() {
    let Some(registry) = with_crd("helm.toolkit.fluxcd.io_helmreleases.yaml") else { return };
    let doc = openapi_v2(&registry).document;
    assert_eq!(doc["swagger"], "2.0");
    let pod_patch = &doc["paths"]["/api/v1/namespaces/{namespace}/pods/{name}"]["patch"];
    assert!(
        pod_patch["consumes"].as_array().expect("consumes").contains(&json!("application/strategic-merge-patch+json"))
    );
    assert!(
        pod_patch["parameters"]
            .as_array()
            .expect("params")
            .iter()
            .any(|p| p["name"] == "fieldValidation" && p["type"] == "string")
    );
    let hr_patch = &doc["paths"]["/apis/helm.toolkit.fluxcd.io/v2/namespaces/{namespace}/helmreleases/{name}"]["patch"];
    assert!(
        !hr_patch["consumes"].as_array().expect("consumes").contains(&json!("application/strategic-merge-patch+json"))
    );
    let text = doc.to_string();
    for v3_only in ["\"nullable\"", "\"oneOf\"", "\"anyOf\"", "\"x-kubernetes-validations\"", "#/components/"] {
        assert!(!text.contains(v3_only), "v2 document contains {v3_only}");
    }
    assert!(doc["definitions"].get("io.fluxcd.toolkit.helm.v2.HelmRelease").is_some());
    assert_refs_resolve(&doc, "#/definitions/", &doc["definitions"]);
}

#[test]
fn shared_index_hash_changes_when_a_crd_is_installed() {
    let builtins = Registry::with_builtins();
    let before = openapi_v3_documents(&builtins);
    let index = openapi_v3_index(&before);
    let url = index["paths"]["apis/apps/v1"]["serverRelativeURL"].as_str().expect("url");
    assert!(url.starts_with("/openapi/v3/apis/apps/v1?hash="));
    assert!(index["paths"].get("api/v1").is_some());
    let Some(with_crd) = with_crd("kustomize.toolkit.fluxcd.io_kustomizations.yaml") else { return };
    let after = openapi_v3_documents(&with_crd);
    assert_eq!(before["apis/apps/v1"].hash, after["apis/apps/v1"].hash, "unrelated documents keep their hash");
    assert!(after.contains_key("apis/kustomize.toolkit.fluxcd.io/v1"));
    assert_ne!(openapi_v2(&builtins).hash, openapi_v2(&with_crd).hash);
}

#[test]
fn v2_conversion_drops_what_swagger_cannot_say() {
    let schema = json!({"type": "object", "properties": {
        "a": {"type": "string", "nullable": true},
        "b": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]},
        "oneOf": {"type": "string"}
    }});
    let v2 = crd_schema_to_v2(&schema);
    assert_eq!(v2["properties"]["a"], json!({}));
    assert_eq!(v2["properties"]["b"], json!({"x-kubernetes-int-or-string": true}));
    assert_eq!(v2["properties"]["oneOf"], json!({"type": "string"}), "property names are not keywords");
    assert_eq!(v2["properties"]["metadata"]["$ref"], "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
}
