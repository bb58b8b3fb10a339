//! Builtin plugin kinds whose behaviour is easiest to get wrong, against `kubectl kustomize`: HashTransformer
//! (kubectl suffixes generated names there and again after the top level), and SortOrderTransformer and
//! LegacyOrderTransformer, which kubectl's kustomize cannot load as plugin configs. Each tree is built by both and
//! the parsed documents compared, or both must fail; skipped when kubectl is not installed.

mod support;

use support::{Scratch, kubectl_available, same_as_kubectl};

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  template:
    spec:
      containers: [{name: app, image: app, envFrom: [{configMapRef: {name: settings}}]}]
      volumes: [{name: v, configMap: {name: plain}}]
";

#[test]
fn a_hash_transformer_suffixes_generated_names_where_it_runs() {
    if !kubectl_available() {
        println!("kubectl not installed: skipped");
        return;
    }
    let scratch = Scratch::new("plugins-hash");
    scratch
        .write("base/deployment.yaml", DEPLOYMENT)
        .write("base/hash.yaml", "apiVersion: builtin\nkind: HashTransformer\nmetadata: {name: hash}\n")
        .write(
            "base/kustomization.yaml",
            "resources: [deployment.yaml]
configMapGenerator:
- {name: settings, literals: [a=b]}
- {name: plain, literals: [c=d], options: {disableNameSuffixHash: true}}
transformers: [hash.yaml]
",
        )
        .write(
            "overlay/kustomization.yaml",
            "resources: [../base]\nnamePrefix: p-\ncommonLabels: {tier: web}\nconfigMapGenerator:\n- {name: more, literals: [e=f]}\n",
        );
    same_as_kubectl(&scratch.0.join("base"));
    same_as_kubectl(&scratch.0.join("overlay"));
}

#[test]
fn order_transformers_fail_as_in_kubectl() {
    if !kubectl_available() {
        println!("kubectl not installed: skipped");
        return;
    }
    for kind in ["SortOrderTransformer", "LegacyOrderTransformer"] {
        let scratch = Scratch::new(kind);
        scratch
            .write("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
            .write(
                "sort.yaml",
                &format!("apiVersion: builtin\nkind: {kind}\nmetadata: {{name: s}}\nsortOptions: {{order: fifo}}\n"),
            )
            .write("kustomization.yaml", "resources: [cm.yaml]\ntransformers: [sort.yaml]\n");
        same_as_kubectl(&scratch.0);
    }
}
