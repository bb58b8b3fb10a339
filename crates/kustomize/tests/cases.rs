//! Conformance with real `kustomize build` outputs: every case of ../shared/kustomize-cases whose features this
//! engine supports is built and compared with its expected.yaml (as parsed YAML documents in order, and byte for
//! byte), or must fail when the case expects an error. Cases using other features are listed, not failed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fluxtui_kustomize::{BuildOptions, SUPPORTED_FIELDS, build_with, yaml};
use serde_json::Value;

fn cases_dir() -> Option<PathBuf> {
    let shared = match std::env::var_os("FLUXTUI_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    let dir = shared.join("kustomize-cases");
    dir.is_dir().then_some(dir)
}

#[test]
fn shared_kustomize_cases() {
    let Some(dir) = cases_dir() else {
        println!("shared kustomize cases not found (set FLUXTUI_SHARED): skipped");
        return;
    };
    let mut names: Vec<PathBuf> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    names.sort();
    let (mut run, mut matched, mut bytes_matched, mut errors_run) = (0, 0, 0, 0);
    let mut unsupported: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut failures = Vec::new();
    for case in names {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let meta: Value = serde_json::from_str(&std::fs::read_to_string(case.join("CASE.json")).unwrap()).unwrap();
        let features: Vec<&str> = meta["features"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        let missing: Vec<&str> = features.iter().copied().filter(|f| !SUPPORTED_FIELDS.contains(f)).collect();
        let args: Vec<&str> = meta["kubectl_args"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        let options = BuildOptions::from_args(&args);
        if !missing.is_empty() || options.is_err() {
            let key = match &options {
                Err(e) => e.clone(),
                Ok(_) => missing.join(", "),
            };
            unsupported.entry(key).or_default().push(name);
            continue;
        }
        let options = options.unwrap();
        run += 1;
        let root = case.join(meta["root"].as_str().unwrap());
        let result = build_with(&root, &options);
        if meta["expect"] == "error" {
            errors_run += 1;
            match result {
                Err(e) => {
                    matched += 1;
                    println!("ok      {name} (fails: {e})");
                }
                Ok(_) => failures.push(format!("{name}: expected an error, the build succeeded")),
            }
            continue;
        }
        let expected_text = std::fs::read_to_string(case.join("expected.yaml")).unwrap();
        let output = match result {
            Ok(b) => b.to_yaml(),
            Err(e) => {
                failures.push(format!("{name}: build failed: {e}"));
                continue;
            }
        };
        let expected = yaml::parse_documents(&expected_text).unwrap();
        let actual = yaml::parse_documents(&output).unwrap();
        if expected != actual {
            failures.push(format!("{name}: documents differ\n--- expected\n{expected_text}\n--- actual\n{output}"));
            continue;
        }
        matched += 1;
        if output == expected_text {
            bytes_matched += 1;
            println!("ok      {name} (byte for byte)");
        } else {
            println!("ok      {name} (documents match, bytes differ)");
        }
    }
    println!("\nnot yet supported, by feature:");
    for (feature, cases) in &unsupported {
        println!("  {feature}: {}", cases.len());
        for case in cases {
            println!("    {case}");
        }
    }
    let unsupported_count: usize = unsupported.values().map(Vec::len).sum();
    println!(
        "\nrun {run}, matched {matched} (successes byte for byte: {bytes_matched} of {}; expected errors: {errors_run}), \
         unsupported {unsupported_count}",
        run - errors_run
    );
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n\n"));
}
