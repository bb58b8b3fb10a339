//! kustomize benchmark (issue 6): fluxtui's kustomize engine against `kubectl kustomize` (kustomize v5.5) on the
//! same trees, in one run.
//!
//! `cargo bench --bench kustomize` (release build). Trees: every kustomization in the shared fixtures
//! (`$FLUXTUI_SHARED` or ../shared), and a generated overlay of `GENERATED` resources (Deployments, Services and
//! ConfigMaps in a base; the overlay sets a namespace, a name prefix, labels, an image and a strategic merge patch
//! on every Deployment). Each tree is built `RUNS` times by: the engine in this process (`fluxtui_kustomize::build`
//! and the YAML), the `fluxtui kustomize build` binary, and `kubectl kustomize`; the medians are printed with the
//! ratio of kubectl to each. Outputs are compared first, so a faster wrong build cannot count. Results go to
//! BENCHMARKS.md by hand.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 7;
const GENERATED: usize = 2_000;

fn main() {
    let mut trees: Vec<PathBuf> = Vec::new();
    let shared = std::env::var_os("FLUXTUI_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    if shared.join("fixtures").is_dir() {
        find(&shared.join("fixtures"), &mut trees);
        trees.sort();
    } else {
        eprintln!("the shared fixtures are absent: only the generated overlay is measured");
    }
    let work = tempfile::tempdir().expect("a temp dir");
    let overlay = generate(work.path());
    let mut totals = [Duration::ZERO; 3];
    for tree in trees.iter() {
        let times = measure(tree);
        for (total, time) in totals.iter_mut().zip(times) {
            *total += time;
        }
    }
    if !trees.is_empty() {
        report(&format!("all {} fixture kustomizations (sum of medians)", trees.len()), totals);
    }
    report(&format!("generated overlay of {GENERATED} resources"), measure(&overlay));
}

fn find(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read a fixture directory").flatten() {
        let path = entry.path();
        if path.is_dir() {
            find(&path, found);
        } else if path.file_name().is_some_and(|n| n == "kustomization.yaml") {
            found.push(dir.to_path_buf());
        }
    }
}

/// Medians of: in-process build, `fluxtui kustomize build`, `kubectl kustomize`.
fn measure(tree: &Path) -> [Duration; 3] {
    let ours =
        fluxtui_kustomize::build(tree).map(|b| b.to_yaml()).unwrap_or_else(|e| panic!("{}: {e}", tree.display()));
    let theirs = Command::new("kubectl").arg("kustomize").arg(tree).output().expect("run kubectl kustomize");
    assert!(theirs.status.success(), "{}: kubectl kustomize failed", tree.display());
    assert_eq!(ours.as_bytes(), &theirs.stdout[..], "{}: the builds differ", tree.display());
    let in_process = median(|| {
        let _ = fluxtui_kustomize::build(tree).map(|b| b.to_yaml());
    });
    let binary = median(|| {
        let out = Command::new(env!("CARGO_BIN_EXE_fluxtui")).args(["kustomize", "build"]).arg(tree).output();
        assert!(out.is_ok_and(|o| o.status.success()));
    });
    let kubectl = median(|| {
        let out = Command::new("kubectl").arg("kustomize").arg(tree).output();
        assert!(out.is_ok_and(|o| o.status.success()));
    });
    [in_process, binary, kubectl]
}

fn median(mut run: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            run();
            started.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn report(what: &str, [in_process, binary, kubectl]: [Duration; 3]) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{what}: in-process {:.1} ms, fluxtui kustomize build {:.1} ms, kubectl kustomize {:.1} ms; kubectl/binary {:.1}x, kubectl/in-process {:.1}x",
        ms(in_process),
        ms(binary),
        ms(kubectl),
        ms(kubectl) / ms(binary),
        ms(kubectl) / ms(in_process)
    );
}

/// A base of Deployments, Services and ConfigMaps (a third each) and an overlay over it.
fn generate(root: &Path) -> PathBuf {
    let base = root.join("base");
    std::fs::create_dir_all(&base).expect("create the base");
    let mut resources = String::new();
    let mut names = Vec::new();
    for i in 0..GENERATED / 3 {
        let name = format!("app-{i:04}");
        let text = format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n      labels:\n        app: {name}\n    spec:\n      containers:\n      - name: app\n        image: ghcr.io/example/app:1.0.0\n        envFrom:\n        - configMapRef:\n            name: {name}-config\n        ports:\n        - containerPort: 8080\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  selector:\n    app: {name}\n  ports:\n  - port: 80\n    targetPort: 8080\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-config\ndata:\n  LOG_LEVEL: info\n  INDEX: \"{i}\"\n"
        );
        std::fs::write(base.join(format!("{name}.yaml")), text).expect("write a resource");
        names.push(format!("- {name}.yaml"));
    }
    resources.push_str(&names.join("\n"));
    std::fs::write(base.join("kustomization.yaml"), format!("resources:\n{resources}\n")).expect("write the base");
    let overlay = root.join("overlay");
    std::fs::create_dir_all(&overlay).expect("create the overlay");
    std::fs::write(
        overlay.join("kustomization.yaml"),
        "namespace: production\nnamePrefix: prod-\ncommonLabels:\n  env: production\nimages:\n- name: ghcr.io/example/app\n  newTag: 2.0.0\nresources:\n- ../base\npatches:\n- target:\n    kind: Deployment\n  patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: any\n    spec:\n      replicas: 3\n",
    )
    .expect("write the overlay");
    overlay
}
