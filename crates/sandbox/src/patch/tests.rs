//! Tests of the public patch entry points and of the Status errors they turn into.

use super::*;
use crate::patch::test_support::{builtin, custom};
use serde_json::json;

fn deployment() -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
           "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}}})
}

#[test]
fn json_patch_applies_and_test_failures_are_422() {
    let body = br#"[{"op":"test","path":"/spec/replicas","value":1},{"op":"replace","path":"/spec/replicas","value":3},
                    {"op":"add","path":"/metadata/labels","value":{"a":"b"}}]"#;
    let out = apply_json_patch(&deployment(), body).expect("applies");
    assert_eq!(out["spec"]["replicas"], 3);
    assert_eq!(out["metadata"]["labels"], json!({"a": "b"}));

    let err = apply_json_patch(&deployment(), br#"[{"op":"test","path":"/spec/replicas","value":2}]"#).unwrap_err();
    assert_eq!(err, PatchError::JsonPatchFailed("testing value /spec/replicas failed: test failed".into()));
    let api = ApiError::from(err);
    assert_eq!((api.code, api.reason.as_str()), (422, "Invalid"));
    assert_eq!(api.message, "the server rejected our request due to an error in our request");
    assert_eq!(api.details.causes[0].reason, "UnexpectedServerResponse");

    let err = apply_json_patch(&deployment(), br#"[{"op":"remove","path":"/spec/nothing"}]"#).unwrap_err();
    assert!(
        matches!(&err, PatchError::JsonPatchFailed(m) if m.starts_with("remove operation does not apply")),
        "{err}"
    );
}

#[test]
fn malformed_patches_are_400() {
    for body in [&b"{not json"[..], br#"[{"op":"frobnicate","path":"/a"}]"#, br#"{"op":"add"}"#] {
        let err = apply_json_patch(&deployment(), body).unwrap_err();
        assert_eq!(ApiError::from(err).code, 400);
    }
    assert_eq!(ApiError::from(apply_merge_patch(&deployment(), b"{").unwrap_err()).code, 400);
    let info = builtin("Deployment");
    assert_eq!(ApiError::from(apply_strategic_merge_patch(&deployment(), b"[", &info).unwrap_err()).code, 400);
    assert_eq!(ApiError::from(parse_apply_body(b"a: [").unwrap_err()).code, 400);
}

#[test]
fn merge_patch_entry_point() {
    let out = apply_merge_patch(&deployment(), br#"{"spec":{"replicas":5,"template":null}}"#).expect("applies");
    assert_eq!(out["spec"], json!({"replicas": 5}));
}

#[test]
fn strategic_merge_is_refused_for_custom_resources() {
    let crd = custom("Widget", None);
    let err = check_patch_type(&crd, "application/strategic-merge-patch+json").unwrap_err();
    let api = ApiError::from(err);
    assert_eq!((api.code, api.reason.as_str()), (415, "UnsupportedMediaType"));
    assert_eq!(
        api.message,
        "the body of the request was in an unknown format - accepted media types include: \
         application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
    );
    assert!(apply_strategic_merge_patch(&json!({}), b"{}", &crd).is_err());
    let deploy = builtin("Deployment");
    assert_eq!(
        check_patch_type(&deploy, "application/strategic-merge-patch+json; charset=utf-8"),
        Ok(PatchType::StrategicMerge)
    );
    assert_eq!(check_patch_type(&crd, "application/apply-patch+yaml"), Ok(PatchType::Apply));
    assert!(check_patch_type(&deploy, "text/plain").is_err());
}

#[test]
fn apply_bodies_parse_as_yaml_or_json() {
    let yaml = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: \"1\"\n";
    assert_eq!(parse_apply_body(yaml).expect("yaml")["data"]["a"], "1");
    let json_body = br#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}"#;
    assert_eq!(parse_apply_body(json_body).expect("json")["kind"], "ConfigMap");
    assert!(parse_apply_body(b"- a\n- b\n").is_err());
}

#[test]
fn conflict_errors_use_the_real_wording() {
    let one = PatchError::Conflicts(vec![Conflict {
        manager: "\"kubectl-client-side-apply\" using apps/v1".into(),
        field: ".spec.replicas".into(),
    }]);
    let api = ApiError::from(one);
    assert_eq!((api.code, api.reason.as_str()), (409, "Conflict"));
    assert_eq!(
        api.message,
        "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1: .spec.replicas"
    );
    assert_eq!(
        api.details.causes[0],
        Cause::new(
            "FieldManagerConflict",
            ".spec.replicas",
            "conflict with \"kubectl-client-side-apply\" using apps/v1"
        )
    );

    let two = PatchError::Conflicts(vec![
        Conflict { manager: "\"a\"".into(), field: ".spec.replicas".into() },
        Conflict { manager: "\"a\"".into(), field: ".spec.paused".into() },
    ]);
    assert_eq!(
        two.to_string(),
        "Apply failed with 2 conflicts: conflicts with \"a\":\n- .spec.replicas\n- .spec.paused"
    );
}
