//! Differential test: a seeded generator writes random but valid kustomization trees (a base, a component and
//! an overlay mixing prefixes, suffixes, namespaces, labels, annotations, images, replicas, generators with hash
//! suffixes, strategic merge and JSON 6902 patches, components and replacements), and each is built both by
//! `kubectl kustomize` and by this engine; the parsed documents must be equal, in order. Skipped (with the
//! reason printed) when kubectl is not installed.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use fluxtui_kustomize::{build, yaml};

/// A tiny linear congruential generator: deterministic, no dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const BASE_RESOURCES: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: app
        image: nginx:1.25
        envFrom:
        - configMapRef:
            name: settings
      - name: sidecar
        image: busybox
      volumes:
      - name: creds
        secret:
          secretName: creds
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: static
data:
  color: blue
";

/// Writes one tree under `dir` and returns the directory to build.
fn generate(rng: &mut Lcg, dir: &Path) -> std::path::PathBuf {
    write(dir, "base/resources.yaml", BASE_RESOURCES);
    let mut base = String::from("resources:\n- resources.yaml\nconfigMapGenerator:\n- name: settings\n  literals:\n");
    for i in 0..=rng.below(3) {
        let _ = writeln!(base, "  - key{i}=value{}", rng.below(100));
    }
    if rng.chance(50) {
        base.push_str("secretGenerator:\n- name: creds\n  literals:\n  - password=s3cret\n");
    }
    if rng.chance(40) {
        let _ = writeln!(base, "namePrefix: {}-", rng.pick(&["b", "base", "core"]));
    }
    write(dir, "base/kustomization.yaml", &base);

    let mut component = String::from("apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n");
    if rng.chance(50) {
        let _ = writeln!(component, "commonAnnotations:\n  team: {}", rng.pick(&["red", "blue", "green"]));
    }
    component.push_str("patches:\n- target:\n    kind: Deployment\n  patch: |-\n    - op: add\n");
    component.push_str("      path: /spec/template/spec/containers/0/args\n      value: [\"--verbose\"]\n");
    write(dir, "component/kustomization.yaml", &component);

    let mut overlay = String::from("resources:\n- ../base\n");
    if rng.chance(50) {
        overlay.push_str("components:\n- ../component\n");
    }
    if rng.chance(60) {
        let _ = writeln!(overlay, "namePrefix: {}-", rng.pick(&["prod", "dev", "p"]));
    }
    if rng.chance(40) {
        let _ = writeln!(overlay, "nameSuffix: -{}", rng.pick(&["v1", "x", "blue"]));
    }
    if rng.chance(50) {
        let _ = writeln!(overlay, "namespace: {}", rng.pick(&["team-a", "apps", "prod-ns"]));
    }
    match rng.below(3) {
        0 => {
            let _ = writeln!(overlay, "commonLabels:\n  tier: {}", rng.pick(&["front", "back"]));
        }
        1 => {
            let include = rng.pick(&["true", "false"]);
            let _ = writeln!(overlay, "labels:\n- pairs:\n    owner: ops\n  includeSelectors: {include}");
        }
        _ => {}
    }
    if rng.chance(50) {
        overlay.push_str("commonAnnotations:\n  note: generated\n");
    }
    if rng.chance(60) {
        let _ = writeln!(overlay, "images:\n- name: nginx\n  newTag: \"{}\"", rng.pick(&["1.26", "1.27-alpine"]));
        if rng.chance(50) {
            overlay.push_str("- name: busybox\n  newName: registry.example.com/busybox\n");
        }
    }
    if rng.chance(50) {
        let _ = writeln!(overlay, "replicas:\n- name: web\n  count: {}", 2 + rng.below(4));
    }
    if rng.chance(60) {
        let behavior = rng.pick(&["merge", "replace"]);
        let _ = writeln!(
            overlay,
            "configMapGenerator:\n- name: settings\n  behavior: {behavior}\n  literals:\n  - extra={}",
            rng.below(1000)
        );
    }
    if rng.chance(40) {
        let hashed = if rng.chance(50) { "true" } else { "false" };
        let _ = writeln!(overlay, "generatorOptions:\n  disableNameSuffixHash: {hashed}");
    }
    let mut patches = Vec::new();
    if rng.chance(50) {
        write(
            dir,
            "overlay/memory.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      \
             containers:\n      - name: app\n        resources:\n          limits:\n            memory: 256Mi\n",
        );
        patches.push("- path: memory.yaml".to_string());
    }
    if rng.chance(50) {
        patches.push(
            "- target:\n    kind: Service\n  patch: |-\n    - op: replace\n      path: /spec/ports/0/port\n      value: 8443"
                .to_string(),
        );
    }
    if !patches.is_empty() {
        let _ = writeln!(overlay, "patches:\n{}", patches.join("\n"));
    }
    if rng.chance(50) {
        overlay.push_str(
            "replacements:\n- source:\n    kind: ConfigMap\n    name: static\n    fieldPath: data.color\n  targets:\n  \
             - select:\n      kind: Deployment\n    fieldPaths:\n    - spec.template.metadata.annotations.color\n    \
             options:\n      create: true\n",
        );
    }
    write(dir, "overlay/kustomization.yaml", &overlay);
    dir.join("overlay")
}

fn kubectl_available() -> bool {
    Command::new("kubectl").args(["version", "--client"]).output().is_ok_and(|o| o.status.success())
}

#[test]
fn generated_trees_match_kubectl() {
    if !kubectl_available() {
        println!("kubectl not found: generated differential test skipped");
        return;
    }
    let temp = std::env::temp_dir().join(format!("fluxtui-kustomize-generated-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&temp);
    let mut rng = Lcg(0x5eed_f1ce);
    let mut failures = Vec::new();
    let (cases, mut compared) = (40, 0);
    for case in 0..cases {
        let dir = temp.join(format!("case-{case:02}"));
        let root = generate(&mut rng, &dir);
        let output = Command::new("kubectl").arg("kustomize").arg(&root).output().unwrap();
        let ours = build(&root);
        match (output.status.success(), ours) {
            (true, Ok(built)) => {
                compared += 1;
                let expected = yaml::parse_documents(&String::from_utf8_lossy(&output.stdout)).unwrap();
                let actual = yaml::parse_documents(&built.to_yaml()).unwrap();
                if expected != actual {
                    failures.push(format!(
                        "{}: documents differ\n--- kubectl\n{}\n--- ours\n{}",
                        root.display(),
                        String::from_utf8_lossy(&output.stdout),
                        built.to_yaml()
                    ));
                }
            }
            (false, Err(_)) => {}
            (true, Err(e)) => failures.push(format!("{}: kubectl built it, we failed: {e}", root.display())),
            (false, Ok(_)) => failures.push(format!(
                "{}: kubectl failed ({}), we built it",
                root.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            )),
        }
    }
    if failures.is_empty() {
        let _ = std::fs::remove_dir_all(&temp);
    }
    println!("{compared} of {cases} generated trees built and compared, the rest failed in both");
    // The generator writes valid trees: nearly all must build, or the comparison says little.
    assert!(compared * 10 >= cases * 9, "only {compared} of {cases} generated trees built");
    assert!(failures.is_empty(), "{} of {cases} generated trees differ:\n{}", failures.len(), failures.join("\n\n"));
}
