//! The `openapi` field against `kubectl kustomize`: custom schemas giving custom kinds merged lists, the schema
//! state kustomize keeps for the whole build (the top sets it, else the first base or component; a custom schema
//! set after the built-in one was first used adds to it), and the errors. Each tree is built by both and the
//! parsed documents compared; skipped when kubectl is not installed.

mod support;

use fluxtui_kustomize::{build, yaml};
use support::{Scratch, kubectl_available, same_as_kubectl};

/// A custom kind whose pod template is described by the schema below.
const MY_CRD: &str = "apiVersion: example.com/v1alpha1
kind: MyCRD
metadata: {name: service}
spec:
  template:
    spec:
      containers:
      - {name: server, image: server, ports: [{name: grpc, protocol: TCP, containerPort: 8080}]}
";

const MY_CRD_SCHEMA: &str = r##"definitions:
  v1alpha1.MyCRD:
    x-kubernetes-group-version-kind: [{group: example.com, kind: MyCRD, version: v1alpha1}]
    properties:
      spec: {properties: {template: {$ref: "#/definitions/io.k8s.api.core.v1.PodTemplateSpec"}}}
  io.k8s.api.core.v1.PodTemplateSpec:
    properties:
      spec: {$ref: "#/definitions/io.k8s.api.core.v1.PodSpec"}
  io.k8s.api.core.v1.PodSpec:
    properties:
      containers:
        type: array
        items: {$ref: "#/definitions/io.k8s.api.core.v1.Container"}
        x-kubernetes-patch-merge-key: name
        x-kubernetes-patch-strategy: merge
  io.k8s.api.core.v1.Container:
    properties:
      ports:
        type: array
        items: {type: object}
        x-kubernetes-list-map-keys: [containerPort, protocol]
        x-kubernetes-patch-merge-key: containerPort
        x-kubernetes-patch-strategy: merge
"##;

const MY_CRD_PATCH: &str = "- patch: |-
    apiVersion: example.com/v1alpha1
    kind: MyCRD
    metadata: {name: service}
    spec: {template: {spec: {containers: [{name: server, image: nginx, ports: [{containerPort: 9090, protocol: TCP}]}]}}}
";

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec: {template: {spec: {containers: [{name: a, image: a}, {name: b, image: b}]}}}
";

const DEPLOYMENT_PATCH: &str = "- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: d}
    spec: {template: {spec: {containers: [{name: b, image: patched}]}}}
";

/// A schema that names built-in definitions it does not carry: they resolve only if the built-in schema was
/// loaded before it.
const DEPLOYMENT_CONFIG_SCHEMA: &str = r##"{"definitions": {"dc": {
  "x-kubernetes-group-version-kind": [{"group": "apps.openshift.io", "kind": "DeploymentConfig", "version": "v1"}],
  "properties": {"spec": {"properties": {"template": {"$ref": "#/definitions/io.k8s.api.core.v1.PodTemplateSpec"}}}}}}}"##;

const DEPLOYMENT_CONFIG: &str = "apiVersion: apps.openshift.io/v1
kind: DeploymentConfig
metadata: {name: dc}
spec: {template: {spec: {containers: [{name: c, env: [{name: A, value: a}]}], volumes: [{name: v, emptyDir: {}}]}}}
";

const DEPLOYMENT_CONFIG_PATCH: &str = "- patch: |-
    apiVersion: apps.openshift.io/v1
    kind: DeploymentConfig
    metadata: {name: dc}
    spec: {template: {spec: {containers: [{name: c, env: [{name: B, value: b}]}], volumes: [{name: w, emptyDir: {}}]}}}
";

#[test]
fn a_custom_schema_at_the_top_merges_custom_kinds_and_replaces_the_built_in_one() {
    if !kubectl_available() {
        println!("kubectl not installed: skipped");
        return;
    }
    for (name, schema_file, schema) in
        [("yaml", "schema.yaml", MY_CRD_SCHEMA), ("json", "s.json", DEPLOYMENT_CONFIG_SCHEMA)]
    {
        let scratch = Scratch::new(name);
        scratch
            .write(schema_file, schema)
            .write("crd.yaml", MY_CRD)
            .write("dc.yaml", DEPLOYMENT_CONFIG)
            .write("deployment.yaml", DEPLOYMENT)
            .write(
                "kustomization.yaml",
                &format!(
                    "resources: [crd.yaml, dc.yaml, deployment.yaml]\nopenapi:\n  path: {schema_file}\npatches:\n{MY_CRD_PATCH}{DEPLOYMENT_PATCH}{DEPLOYMENT_CONFIG_PATCH}"
                ),
            );
        same_as_kubectl(&scratch.0);
    }
}

#[test]
fn a_component_schema_adds_to_the_built_in_one_only_once_that_was_used() {
    if !kubectl_available() {
        println!("kubectl not installed: skipped");
        return;
    }
    // What the base loads decides whether the built-in schema is in use when the component sets its own: a
    // custom kind or a strategic merge patch loads it, built-in kinds alone do not.
    let bases = [
        (
            "builtin-kinds",
            "resources: [o.yaml]\n".to_string(),
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
        ),
        (
            "custom-kind",
            "resources: [o.yaml]\n".to_string(),
            "apiVersion: example.com/v1\nkind: Foo\nmetadata: {name: f}\n",
        ),
        ("patched", format!("resources: [o.yaml]\npatches:\n{DEPLOYMENT_PATCH}"), DEPLOYMENT),
    ];
    for (name, base, object) in bases {
        let scratch = Scratch::new(name);
        let deployment = if object == DEPLOYMENT { "" } else { "deployment.yaml, " };
        scratch
            .write("base/kustomization.yaml", &base)
            .write("base/o.yaml", object)
            .write("component/s.json", DEPLOYMENT_CONFIG_SCHEMA)
            .write("component/dc.yaml", DEPLOYMENT_CONFIG)
            .write("component/deployment.yaml", DEPLOYMENT)
            .write(
                "component/kustomization.yaml",
                &format!(
                    "kind: Component\nresources: [{deployment}dc.yaml]\nopenapi: {{path: s.json}}\npatches:\n{DEPLOYMENT_CONFIG_PATCH}"
                ),
            )
            .write(
                "top/kustomization.yaml",
                &format!("resources: [../base]\ncomponents: [../component]\npatches:\n{DEPLOYMENT_PATCH}"),
            );
        same_as_kubectl(&scratch.0.join("top"));
    }
}

#[test]
fn the_top_schema_wins_then_the_first_base_that_sets_one() {
    if !kubectl_available() {
        println!("kubectl not installed: skipped");
        return;
    }
    for (name, top_openapi) in [("top-none", ""), ("top-version", "openapi: {version: v1.21.2}\n")] {
        let scratch = Scratch::new(name);
        scratch
            .write("a/kustomization.yaml", "resources: [crd.yaml]\nopenapi: {path: schema.yaml}\n")
            .write("a/crd.yaml", MY_CRD)
            .write("a/schema.yaml", MY_CRD_SCHEMA)
            .write("b/kustomization.yaml", "resources: [deployment.yaml]\nopenapi: {version: v1.21.2}\n")
            .write("b/deployment.yaml", DEPLOYMENT)
            .write(
                "top/kustomization.yaml",
                &format!("resources: [../a, ../b]\n{top_openapi}patches:\n{MY_CRD_PATCH}{DEPLOYMENT_PATCH}"),
            );
        same_as_kubectl(&scratch.0.join("top"));
    }
}

#[test]
fn schema_extensions_decide_how_each_list_merges() {
    if !kubectl_available() {
        println!("kubectl not installed: skipped");
        return;
    }
    let scratch = Scratch::new("openapi-extensions");
    scratch
        .write(
            "schema.yaml",
            r##"definitions:
  foo:
    x-kubernetes-group-version-kind: [{group: example.com, kind: Foo, version: v1}]
    properties:
      spec: {$ref: "#/definitions/spec"}
  spec:
    properties:
      mapTypeOnly: {type: array, items: {$ref: "#/definitions/el"}, x-kubernetes-list-type: map, x-kubernetes-list-map-keys: [k]}
      retainKeys: {type: array, items: {$ref: "#/definitions/el"}, x-kubernetes-patch-strategy: "retainKeys,merge", x-kubernetes-patch-merge-key: k}
      untyped: {items: {$ref: "#/definitions/el"}, x-kubernetes-patch-strategy: merge, x-kubernetes-patch-merge-key: k}
      scalars: {type: array, items: {type: string}, x-kubernetes-patch-strategy: merge}
      noItems: {type: array, x-kubernetes-patch-strategy: merge, x-kubernetes-patch-merge-key: k}
      byName: {type: object, additionalProperties: {$ref: "#/definitions/spec"}}
  el:
    properties:
      inner: {type: array, items: {type: object}, x-kubernetes-patch-strategy: merge, x-kubernetes-patch-merge-key: k}
"##,
        )
        .write(
            "foo.yaml",
            "apiVersion: example.com/v1\nkind: Foo\nmetadata: {name: f}\nspec:
  mapTypeOnly: [{k: 1, v: 1}, {k: 2}]
  retainKeys: [{k: 1, v: 1}, {k: 2}]
  untyped: [{k: 1, v: 1, inner: [{k: 1, v: 1}]}, {k: 2}]
  scalars: [x, y]
  noItems: [{k: 1, v: 1}, {k: 2, inner: [{k: 1, v: 1}]}]
  byName: {q: {retainKeys: [{k: 1, v: 1}, {k: 2}]}}
",
        )
        .write(
            "kustomization.yaml",
            "resources: [foo.yaml]\nopenapi: {path: schema.yaml}\npatches:\n- patch: |-
    apiVersion: example.com/v1
    kind: Foo
    metadata: {name: f}
    spec:
      mapTypeOnly: [{k: 1, w: 1}]
      retainKeys: [{k: 1, w: 1}]
      untyped: [{k: 1, w: 1, inner: [{k: 1, w: 1}]}]
      scalars: [z, x]
      noItems: [{k: 2, inner: [{k: 1, w: 1}]}]
      byName: {q: {retainKeys: [{k: 1, w: 1}]}}
",
        );
    same_as_kubectl(&scratch.0);
}

#[test]
fn unknown_versions_both_fields_and_missing_files_fail_as_in_kubectl() {
    if !kubectl_available() {
        println!("kubectl not installed: skipped");
        return;
    }
    for (name, openapi) in [
        ("unknown-version", "{version: v1.22.0}"),
        ("both", "{version: v1.21.2, path: schema.yaml}"),
        ("missing", "{path: absent.json}"),
        ("other-keys", "{title: ignored}"),
    ] {
        let scratch = Scratch::new(name);
        scratch
            .write("schema.yaml", MY_CRD_SCHEMA)
            .write("crd.yaml", MY_CRD)
            .write("kustomization.yaml", &format!("resources: [crd.yaml]\nopenapi: {openapi}\n"));
        same_as_kubectl(&scratch.0);
    }
    let scratch = Scratch::new("openapi-error-text");
    scratch.write("kustomization.yaml", "openapi: {version: v1.20.0}\n");
    let err = build(&scratch.0).expect_err("an unknown version").to_string();
    assert!(err.contains("the specified OpenAPI version is not built in"), "{err}");
    scratch.write("kustomization.yaml", "openapi: {path: nowhere.json}\n");
    let err = build(&scratch.0).expect_err("a missing file").to_string();
    assert!(err.contains("nowhere.json"), "{err}");
}

#[test]
fn a_base_sets_the_schema_for_its_overlay_unless_the_overlay_sets_one() {
    if !kubectl_available() {
        println!("kubectl not installed: skipped");
        return;
    }
    // The same schema in JSON, naming the kind under a second, group-less apiVersion too.
    let schema: serde_json::Value = yaml::parse_documents(MY_CRD_SCHEMA).expect("the schema")[0].clone();
    let mut schema = schema;
    schema["definitions"]["v1alpha1.MyCRD"]["x-kubernetes-group-version-kind"]
        .as_array_mut()
        .expect("gvks")
        .push(serde_json::json!({"group": "", "kind": "MyCRD", "version": "v1alpha1"}));
    let json = serde_json::to_string_pretty(&schema).expect("JSON");
    let groupless = MY_CRD.replace("example.com/v1alpha1", "v1alpha1");
    let groupless_patch = MY_CRD_PATCH.replace("example.com/v1alpha1", "v1alpha1");
    for (name, overlay_openapi) in [("from-base", ""), ("overlay-wins", "openapi: {version: v1.21.2}\n")] {
        let scratch = Scratch::new(name);
        scratch
            .write("base/kustomization.yaml", "resources: [crd.yaml, groupless.yaml]\nopenapi: {path: schema.json}\n")
            .write("base/crd.yaml", MY_CRD)
            .write("base/groupless.yaml", &groupless.replace("name: service", "name: groupless"))
            .write("base/schema.json", &json)
            .write(
                "overlay/kustomization.yaml",
                &format!(
                    "resources: [../base]\n{overlay_openapi}patches:\n{MY_CRD_PATCH}{}",
                    groupless_patch.replace("name: service", "name: groupless")
                ),
            );
        same_as_kubectl(&scratch.0.join("overlay"));
    }
}
