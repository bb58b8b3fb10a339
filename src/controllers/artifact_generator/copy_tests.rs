use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::*;

/// A source tree under `<dir>/src` and an empty staging directory.
struct Fixture {
    _dir: tempfile::TempDir,
    sources: BTreeMap<String, PathBuf>,
    staging: PathBuf,
}

fn fixture(files: &[(&str, &str)]) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("src");
    for (path, content) in files {
        let full = source.join(path);
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        fs::write(full, content).unwrap();
    }
    let staging = dir.path().join("staging");
    fs::create_dir_all(&staging).unwrap();
    let sources = BTreeMap::from([("repo".to_string(), source)]);
    Fixture { _dir: dir, sources, staging }
}

fn op(from: &str, to: &str, exclude: &[&str], strategy: Option<&str>) -> CopyOperation {
    CopyOperation {
        from: Some(from.into()),
        to: Some(to.into()),
        exclude: (!exclude.is_empty()).then(|| exclude.iter().map(|e| e.to_string()).collect()),
        strategy: strategy.map(str::to_string),
        ..CopyOperation::default()
    }
}

impl Fixture {
    fn copy(&self, from: &str, to: &str, exclude: &[&str], strategy: Option<&str>) -> Result<(), CopyError> {
        CopyPlan::parse(&op(from, to, exclude, strategy))?.apply(&self.sources, &self.staging)
    }

    /// Every file in the staging directory, `/`-separated, sorted.
    fn files(&self) -> Vec<String> {
        fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
            for entry in fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(root, &path, out);
                } else {
                    out.push(path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"));
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.staging, &self.staging, &mut out);
        out.sort();
        out
    }

    fn read(&self, path: &str) -> String {
        fs::read_to_string(self.staging.join(path)).unwrap()
    }
}

const MONOREPO: &[(&str, &str)] = &[
    ("apps/base/podinfo/release.yaml", "kind: HelmRelease\n"),
    ("apps/base/podinfo/kustomization.yaml", "resources: [release.yaml]\n"),
    ("apps/staging/kustomization.yaml", "resources: [../base/podinfo]\n"),
    ("apps/staging/README.md", "notes\n"),
    ("infrastructure/configs/issuers.yaml", "kind: ClusterIssuer\n"),
    ("infrastructure/controllers/cert-manager.yaml", "kind: HelmRelease\n"),
    ("clusters/staging/apps.yaml", "kind: Kustomization\n"),
];

#[test]
fn a_directory_glob_copies_its_contents() {
    let f = fixture(MONOREPO);
    f.copy("@repo/infrastructure/**", "@artifact/", &[], None).unwrap();
    assert_eq!(f.files(), ["configs/issuers.yaml", "controllers/cert-manager.yaml"]);
    let f = fixture(MONOREPO);
    f.copy("@repo/apps/base/**", "@artifact/base/", &[], None).unwrap();
    f.copy("@repo/apps/staging/**", "@artifact/staging/", &[], None).unwrap();
    assert_eq!(
        f.files(),
        [
            "base/podinfo/kustomization.yaml",
            "base/podinfo/release.yaml",
            "staging/README.md",
            "staging/kustomization.yaml"
        ]
    );
}

#[test]
fn a_directory_is_copied_as_a_subdirectory_with_or_without_its_slash() {
    for from in ["@repo/apps/staging", "@repo/apps/staging/", "@repo/./apps/staging"] {
        let f = fixture(MONOREPO);
        f.copy(from, "@artifact/out/", &["*.md"], None).unwrap();
        assert_eq!(f.files(), ["out/staging/kustomization.yaml"], "{from}");
    }
    let f = fixture(MONOREPO);
    f.copy("@repo/", "@artifact/all/", &["apps/**", "infrastructure"], None).unwrap();
    assert_eq!(f.files(), ["all/clusters/staging/apps.yaml"]);
}

#[test]
fn other_globs_keep_the_matched_path_and_honour_excludes() {
    let f = fixture(MONOREPO);
    f.copy("@repo/**/*.yaml", "@artifact/manifests/", &["clusters/**", "release.yaml"], None).unwrap();
    assert_eq!(
        f.files(),
        [
            "manifests/apps/base/podinfo/kustomization.yaml",
            "manifests/apps/staging/kustomization.yaml",
            "manifests/infrastructure/configs/issuers.yaml",
            "manifests/infrastructure/controllers/cert-manager.yaml",
        ]
    );
    // Excludes also match below the literal part of the selection.
    let f = fixture(MONOREPO);
    f.copy("@repo/apps/*", "@artifact/", &["staging"], None).unwrap();
    assert_eq!(f.files(), ["apps/base/podinfo/kustomization.yaml", "apps/base/podinfo/release.yaml"]);
}

#[test]
fn a_file_goes_to_its_name_or_into_a_directory() {
    let f = fixture(MONOREPO);
    f.copy("@repo/clusters/staging/apps.yaml", "@artifact/renamed.yaml", &[], None).unwrap();
    f.copy("@repo/clusters/staging/apps.yaml", "@artifact/dir/", &[], None).unwrap();
    // An existing directory receives the file under its own name.
    f.copy("@repo/apps/staging/README.md", "@artifact/dir", &[], None).unwrap();
    assert_eq!(f.files(), ["dir/README.md", "dir/apps.yaml", "renamed.yaml"]);
    // Later operations overwrite earlier ones.
    f.copy("@repo/apps/staging/README.md", "@artifact/renamed.yaml", &[], None).unwrap();
    assert_eq!(f.read("renamed.yaml"), "notes\n");
}

#[test]
fn merge_deep_merges_yaml_onto_an_existing_file() {
    let f = fixture(&[
        ("values/base.yaml", "replicas: 1\nimage:\n  tag: 1.0.0\n  repository: podinfo\n"),
        ("values/prod.yaml", "image:\n  tag: 2.0.0\n"),
    ]);
    f.copy("@repo/values/base.yaml", "@artifact/values.yaml", &[], None).unwrap();
    f.copy("@repo/values/prod.yaml", "@artifact/values.yaml", &[], Some("Merge")).unwrap();
    let merged = super::super::merge::load_yaml(&f.staging.join("values.yaml")).unwrap();
    assert_eq!(
        serde_json::Value::Object(merged),
        serde_json::json!({"replicas": 1, "image": {"tag": "2.0.0", "repository": "podinfo"}})
    );
    // With nothing to merge onto, Merge is a copy.
    f.copy("@repo/values/prod.yaml", "@artifact/fresh.yaml", &[], Some("Merge")).unwrap();
    assert_eq!(f.read("fresh.yaml"), "image:\n  tag: 2.0.0\n");
}

#[test]
fn extract_unpacks_tarballs_into_the_destination() {
    let f = fixture(&[("README.md", "x\n")]);
    let chart_dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(chart_dir.path().join("podinfo/templates")).unwrap();
    fs::write(chart_dir.path().join("podinfo/Chart.yaml"), "name: podinfo\n").unwrap();
    fs::write(chart_dir.path().join("podinfo/templates/svc.yaml"), "kind: Service\n").unwrap();
    let tarball = crate::controllers::storage::archive::write_tar_gz(
        chart_dir.path(),
        &crate::controllers::storage::include_everything,
        Vec::new(),
    )
    .unwrap();
    fs::create_dir_all(f.sources["repo"].join("charts")).unwrap();
    fs::write(f.sources["repo"].join("charts/podinfo-6.0.0.tgz"), &tarball).unwrap();
    f.copy("@repo/charts/*.tgz", "@artifact/charts/", &[], Some("Extract")).unwrap();
    f.copy("@repo/charts/podinfo-6.0.0.tgz", "@artifact/single", &[], Some("Extract")).unwrap();
    assert_eq!(
        f.files(),
        [
            "charts/podinfo/Chart.yaml",
            "charts/podinfo/templates/svc.yaml",
            "single/podinfo/Chart.yaml",
            "single/podinfo/templates/svc.yaml"
        ]
    );
    let err = f.copy("@repo/README.md", "@artifact/", &[], Some("Extract")).unwrap_err();
    assert!(err.detail.contains("requires tarball file"), "{err}");
}

#[test]
fn bad_expressions_and_missing_files_are_named() {
    let f = fixture(MONOREPO);
    let detail = |from: &str, to: &str, exclude: &[&str]| f.copy(from, to, exclude, None).unwrap_err().to_string();
    assert_eq!(
        detail("repo/apps/**", "@artifact/", &[]),
        "failed to apply copy operation from 'repo/apps/**' to '@artifact/': invalid copy source 'repo/apps/**': source must start with '@'"
    );
    assert!(detail("@repo", "@artifact/", &[]).contains("source format must be '@alias/pattern'"));
    assert!(detail("@repo/../etc/passwd", "@artifact/", &[]).contains("must stay within the source"));
    assert!(detail("@repo/apps/**", "artifact/", &[]).contains("destination must start with '@artifact/'"));
    assert!(detail("@repo/apps/**", "@artifact/../x", &[]).contains("must stay within the artifact root"));
    assert!(detail("@repo/apps/[", "@artifact/", &[]).contains("invalid glob pattern"));
    assert!(detail("@repo/apps/**", "@artifact/", &["["]).contains("invalid exclude pattern '['"));
    assert!(detail("@nope/apps/**", "@artifact/", &[]).ends_with("source alias 'nope' not found"));
    assert!(detail("@repo/missing.yaml", "@artifact/", &[]).ends_with("source 'missing.yaml' does not exist"));
    assert!(
        detail("@repo/**/*.json", "@artifact/", &[]).ends_with("no files match pattern '**/*.json' in source 'repo'")
    );
    assert!(detail("@repo/apps/staging/*.md", "@artifact/", &["*.md"]).contains("were excluded"));
    let many = format!("@repo/{{{}}}", vec!["a"; 22].join(","));
    assert!(detail(&many, "@artifact/", &[]).contains("at most 20 are allowed"));
    let strategy = f.copy("@repo/apps/**", "@artifact/", &[], Some("Append")).unwrap_err();
    assert!(strategy.detail.contains("unknown strategy 'Append'"), "{strategy}");
}
