use serde_json::json;

use super::*;

fn res(value: Value) -> Resource {
    Resource::new(value).unwrap()
}

fn replacements(yaml: &str) -> Replacements {
    let value = crate::yaml::parse_document(yaml).unwrap();
    Replacements::load(Path::new("/"), Path::new("/k.yaml"), Some(&value), &BuildOptions::default()).unwrap()
}

fn deployment() -> Resource {
    res(json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
        "spec": {"replicas": 1, "template": {"spec": {"containers": [
            {"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}]}}}}))
}

#[test]
fn copies_with_list_selectors_delimiters_and_wildcards() {
    let mut rs = vec![
        res(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
            "data": {"tag": "registry/x:2.0", "count": "3"}})),
        deployment(),
    ];
    replacements(
        "- source: {kind: ConfigMap, name: c, fieldPath: data.tag, options: {delimiter: ':', index: 1}}\n  \
           targets:\n  - select: {kind: Deployment}\n    fieldPaths: ['spec.template.spec.containers.[name=b].image']\n    \
             options: {delimiter: ':', index: 1}\n\
         - source: {kind: ConfigMap, fieldPath: data.count}\n  targets:\n  - select: {kind: Deployment}\n    \
             fieldPaths: [spec.replicas]\n\
         - source: {kind: ConfigMap}\n  targets:\n  - select: {kind: Deployment}\n    \
             fieldPaths: ['spec.template.spec.containers.*.env.[name=CM].value']\n    options: {create: true}\n",
    )
    .apply(&mut rs)
    .unwrap();
    let containers = &rs[1].value["spec"]["template"]["spec"]["containers"];
    assert_eq!(containers[1]["image"], "b:2.0");
    assert_eq!(containers[0]["image"], "a:1");
    assert_eq!(containers[0]["env"], json!([{"name": "CM", "value": "c"}]));
    // A scalar target keeps its type.
    assert_eq!(rs[1].value["spec"]["replicas"], json!(3));
}

#[test]
fn missing_targets_and_sources_are_errors_and_reject_skips() {
    let mut rs = vec![deployment()];
    let missing = replacements(
        "- source: {kind: Deployment}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [spec.nothing]\n",
    );
    assert!(missing.apply(&mut rs).unwrap_err().contains("unable to find field"));
    let no_source = replacements("- source: {kind: Service}\n  targets: []\n");
    assert!(no_source.apply(&mut rs).unwrap_err().contains("nothing selected"));
    let rejected = replacements(
        "- source: {kind: Deployment}\n  targets:\n  - select: {kind: Deployment}\n    reject: [{name: d}]\n    \
         fieldPaths: [spec.nothing]\n",
    );
    assert!(rejected.apply(&mut rs).is_ok());
}
