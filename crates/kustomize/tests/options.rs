//! Build options the way Flux builds a source artifact: `LoadRestrictionsNone` inside a boundary (the artifact's
//! root), and the top kustomization given as text so the artifact's directory is never written.

mod support;

use std::path::Path;

use fluxtui_kustomize::{BuildOptions, Error, LoadRestrictions, build_with};
use support::Scratch;

fn config_map(name: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n")
}

fn names(dir: &Path, options: &BuildOptions) -> Result<Vec<String>, Error> {
    let build = build_with(dir, options)?;
    Ok(build.values().iter().map(|v| v["metadata"]["name"].as_str().unwrap_or_default().to_string()).collect())
}

#[test]
fn a_boundary_allows_files_above_the_kustomization_but_nothing_outside_it() {
    let scratch = Scratch::new("options-boundary");
    scratch.write("artifact/shared/cm.yaml", &config_map("shared"));
    scratch.write("artifact/apps/kustomization.yaml", "resources:\n- ../shared/cm.yaml\n");
    scratch.write("outside/secret.yaml", &config_map("host-file"));
    scratch.write("artifact/escape/kustomization.yaml", "resources:\n- ../../outside/secret.yaml\n");
    scratch.write("artifact/escape-dir/kustomization.yaml", "resources:\n- ../../outside\n");
    scratch.write("outside/kustomization.yaml", "resources:\n- secret.yaml\n");
    let artifact = scratch.0.join("artifact");
    let options = BuildOptions {
        load_restrictions: LoadRestrictions::None,
        boundary: Some(artifact.clone()),
        ..BuildOptions::default()
    };
    assert_eq!(names(&artifact.join("apps"), &options).expect("builds"), ["shared"]);
    for escaping in ["escape", "escape-dir"] {
        let err = names(&artifact.join(escaping), &options).expect_err("refused");
        assert!(matches!(err, Error::OutsideRoot { .. }), "{escaping}: {err}");
    }
    // kustomize's default refuses the file above the kustomization, boundary or not.
    let root_only = BuildOptions { boundary: Some(artifact.clone()), ..BuildOptions::default() };
    assert!(matches!(names(&artifact.join("apps"), &root_only), Err(Error::OutsideRoot { .. })));
}

#[test]
fn the_top_kustomization_can_be_given_as_text_without_a_file() {
    let scratch = Scratch::new("options-top");
    scratch.write("app/a.yaml", &config_map("a"));
    scratch.write("app/b.yaml", &config_map("b"));
    scratch.write("app/base/kustomization.yaml", "resources:\n- ../a.yaml\n");
    let dir = scratch.0.join("app");
    let options = BuildOptions {
        load_restrictions: LoadRestrictions::None,
        top_kustomization: Some("resources:\n- b.yaml\n- base\nnamePrefix: p-\n".into()),
        ..BuildOptions::default()
    };
    // The text stands for the top directory only: the base keeps its own file.
    assert_eq!(names(&dir, &options).expect("builds"), ["p-a", "p-b"]);
    assert!(!dir.join("kustomization.yaml").exists(), "nothing is written");
    let bad = BuildOptions { top_kustomization: Some("resources: [\n".into()), ..options };
    assert!(matches!(names(&dir, &bad), Err(Error::InvalidKustomization { .. })));
}
