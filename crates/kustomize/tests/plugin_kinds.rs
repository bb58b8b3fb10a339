//! Builtin plugin kinds whose behaviour is easiest to get wrong, against `kubectl kustomize`: HashTransformer
//! (kubectl suffixes generated names there and again after the top level), and SortOrderTransformer and
//! LegacyOrderTransformer, which kubectl's kustomize cannot load as plugin configs. Each tree is built by both and
//! the parsed documents compared, or both must fail; skipped when kubectl is not installed.

use std::path::{Path, PathBuf};
use std::process::Command;

use fluxtui_kustomize::{build, yaml};

struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("fluxtui-kustomize-plugins-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the scratch directory");
        Scratch(dir.canonicalize().expect("canonical"))
    }

    fn write(&self, path: &str, text: &str) -> &Self {
        let path = self.0.join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create the directory");
        std::fs::write(path, text).expect("write the file");
        self
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn kubectl_available() -> bool {
    Command::new("kubectl").args(["version", "--client"]).output().is_ok_and(|o| o.status.success())
}

/// Builds `dir` with kubectl and with this engine: both succeed with the same documents, or both fail.
fn same_as_kubectl(dir: &Path) {
    let out = Command::new("kubectl").arg("kustomize").arg(dir).output().expect("run kubectl");
    let ours = build(dir);
    if !out.status.success() {
        let theirs = String::from_utf8_lossy(&out.stderr);
        assert!(ours.is_err(), "{}: kubectl failed ({theirs}), this engine built it", dir.display());
        return;
    }
    let expected = yaml::parse_documents(&String::from_utf8_lossy(&out.stdout)).expect("kubectl's YAML");
    let ours = ours.unwrap_or_else(|e| panic!("{}: kubectl built it, this engine failed: {e}", dir.display()));
    assert_eq!(ours.values(), expected, "{}", dir.display());
}

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
    let scratch = Scratch::new("hash");
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
