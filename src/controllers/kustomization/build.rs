//! The build stage (SEMANTICS.md §4 steps 5–8): unpack the source artifact into a scratch directory, resolve
//! `spec.path` inside it (secure-join: `..` cannot leave the artifact), generate a `kustomization.yaml` when the
//! directory has none, write the spec's overrides into it (targetNamespace, namePrefix, nameSuffix, images,
//! patches, components, buildMetadata), build it with [`fluxtui_kustomize`], then per object the postBuild
//! substitution ([`super::substitute`]) and commonMetadata. The digest of the final YAML stream goes into the
//! history.
//!
//! Spec fields the engine cannot honour (SOPS decryption, a remote kubeConfig) fail the build with a message
//! naming them instead of being ignored; kustomize features the build crate does not have yet fail with the
//! crate's `Error::Unsupported`, naming the field.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::substitute::{substitute, valid_name};
use crate::api::kustomize::kustomization::KustomizationSpec;
use crate::api::meta::Artifact;
use crate::controllers::names::{kustomize, reason, spec as spec_values};
use crate::controllers::storage::{ExtractedArtifacts, Storage};

/// The names kustomize looks for, in its order.
const KUSTOMIZATION_FILES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Why the build stage failed: the Ready reason (`ArtifactFailed` or `BuildFailed`) and Flux's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    pub reason: &'static str,
    pub message: String,
}

fn build_failed(message: impl Into<String>) -> BuildError {
    BuildError { reason: reason::BUILD_FAILED, message: message.into() }
}

fn artifact_failed(message: impl Into<String>) -> BuildError {
    BuildError { reason: reason::ARTIFACT_FAILED, message: message.into() }
}

/// What the build needs besides the spec.
pub struct BuildInput<'a> {
    pub storage: &'a Storage,
    /// Where the artifact is unpacked, once per revision for every build reading it.
    pub extracted: &'a ExtractedArtifacts,
    pub artifact: &'a Artifact,
    pub spec: &'a KustomizationSpec,
    /// The postBuild variables: substituteFrom in order, then the inline ones.
    pub vars: BTreeMap<String, String>,
    /// `StrictPostBuildSubstitutions` (on in current Flux).
    pub strict: bool,
}

/// The built objects, in kustomize's output order, and the digest of their YAML stream.
#[derive(Debug, Clone)]
pub struct Built {
    pub objects: Vec<Value>,
    pub digest: String,
}

/// Runs the whole stage (blocking: call it from `spawn_blocking`).
pub fn build(input: BuildInput<'_>) -> Result<Built, BuildError> {
    refuse_unsupported(input.spec)?;
    let tree = input
        .extracted
        .get(input.storage, input.artifact)
        .map_err(|err| artifact_failed(format!("failed to extract artifact: {err}")))?;
    let path = input.spec.path.as_deref().unwrap_or_default();
    build_tree(tree.root(), path, input.spec, &input.vars, input.strict)
}

/// Builds `path` inside the unpacked source `root` as the reconciler does, from the directory on, reading only:
/// the generated kustomization and the spec's overrides go to the build as text. As in Flux, files may be read
/// from anywhere inside `root` (`LoadRestrictionsNone`) and nowhere outside it. Blocking.
pub fn build_tree(
    root: &Path,
    path: &str,
    spec: &KustomizationSpec,
    vars: &BTreeMap<String, String>,
    strict: bool,
) -> Result<Built, BuildError> {
    refuse_unsupported(spec)?;
    let dir = secure_join(root, path);
    if !dir.is_dir() {
        return Err(artifact_failed(format!("kustomization path not found: stat {path}: no such file or directory")));
    }
    // Messages name files relative to the artifact root, not the scratch directory.
    let relative = |message: String| message.replace(&format!("{}/", root.display()), "");
    let top_kustomization = prepare(&dir, spec).map_err(|m| build_failed(relative(m)))?;
    let boundary = root.canonicalize().map_err(|err| artifact_failed(format!("failed to read the artifact: {err}")))?;
    let options = fluxtui_kustomize::BuildOptions {
        load_restrictions: fluxtui_kustomize::LoadRestrictions::None,
        boundary: Some(boundary),
        top_kustomization,
        ..Default::default()
    };
    let built = fluxtui_kustomize::build_with(&dir, &options)
        .map_err(|err| build_failed(relative(format!("kustomize build failed: {err}"))))?;
    let mut objects = Vec::with_capacity(built.resources.len());
    let substitutes = should_substitute(spec, vars)?;
    for object in built.values() {
        let object = if substitutes { post_build(object, vars, strict)? } else { object };
        objects.push(with_common_metadata(object, spec));
    }
    let stream = fluxtui_kustomize::yaml::to_stream(&objects);
    let digest = format!("sha256:{:x}", Sha256::digest(stream.as_bytes()));
    Ok(Built { objects, digest })
}

/// Spec fields this engine does not implement, refused by name.
fn refuse_unsupported(spec: &KustomizationSpec) -> Result<(), BuildError> {
    let mut refused = Vec::new();
    if spec.decryption.is_some() {
        refused.push("spec.decryption (SOPS)");
    }
    if spec.kube_config.is_some() {
        refused.push("spec.kubeConfig");
    }
    if refused.is_empty() {
        return Ok(());
    }
    Err(build_failed(format!("not supported by fluxtui's engine: {}", refused.join(", "))))
}

/// `root` joined with `path` without leaving `root`: `..` stops at the root, as securejoin does (the unpacked
/// artifact has no symlinks to follow).
pub fn secure_join(root: &Path, path: &str) -> PathBuf {
    let mut parts: Vec<&std::ffi::OsStr> = Vec::new();
    for component in Path::new(path).components() {
        match component {
            Component::Normal(part) => parts.push(part),
            Component::ParentDir => {
                parts.pop();
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    parts.iter().fold(root.to_path_buf(), |joined, part| joined.join(part))
}

fn kustomization_file(dir: &Path) -> Option<PathBuf> {
    KUSTOMIZATION_FILES.iter().map(|name| dir.join(name)).find(|p| p.is_file())
}

/// The kustomization of `dir` with the spec's overrides, as text, when it differs from the file there (or there
/// is none: Flux generates one); `None` when the file can be built as it is.
fn prepare(dir: &Path, spec: &KustomizationSpec) -> Result<Option<String>, String> {
    let (file, mut kustomization) = match kustomization_file(dir) {
        Some(file) => {
            let text = std::fs::read_to_string(&file).map_err(|err| format!("{}: {err}", file.display()))?;
            let value = fluxtui_kustomize::yaml::parse_document(&text)
                .map_err(|err| format!("{}: malformed YAML: {err}", file.display()))?;
            (file, value)
        }
        None => (dir.join("kustomization.yaml"), generate(dir)?),
    };
    let Some(map) = kustomization.as_object_mut() else {
        return Err(format!("{}: a kustomization must be a mapping", file.display()));
    };
    let before = map.clone();
    overlay(map, spec, dir);
    Ok((*map != before || !file.exists()).then(|| fluxtui_kustomize::yaml::to_yaml(&kustomization)))
}

/// Flux's generated kustomization: every YAML file that decodes as Kubernetes objects, recursively, and the
/// subdirectories that have a kustomization of their own (not descended into).
fn generate(dir: &Path) -> Result<Value, String> {
    let mut resources = Vec::new();
    scan(dir, dir, &mut resources)?;
    Ok(json!({
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": resources,
    }))
}

fn scan(base: &Path, dir: &Path, resources: &mut Vec<String>) -> Result<(), String> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|err| format!("{}: {err}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    let relative = |path: &Path| path.strip_prefix(base).unwrap_or(path).to_string_lossy().into_owned();
    for path in entries {
        if path.is_dir() {
            if kustomization_file(&path).is_some() {
                resources.push(relative(&path));
            } else {
                scan(base, &path, resources)?;
            }
            continue;
        }
        let yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
        if !yaml {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|err| format!("{}: {err}", path.display()))?;
        let decoded = fluxtui_kustomize::yaml::parse_documents(&text).and_then(|docs| {
            match docs.iter().find(|d| !d.is_object()) {
                Some(_) => Err("a document is not a mapping".to_string()),
                None => Ok(()),
            }
        });
        if let Err(err) = decoded {
            return Err(format!("failed to decode Kubernetes YAML from {}: {err}", path.display()));
        }
        resources.push(relative(&path));
    }
    Ok(())
}

/// Writes the spec's build overrides into the kustomization (Flux's generator).
fn overlay(map: &mut Map<String, Value>, spec: &KustomizationSpec, dir: &Path) {
    if let Some(namespace) = spec.target_namespace.as_deref().filter(|n| !n.is_empty()) {
        map.insert("namespace".into(), json!(namespace));
    }
    if let Some(prefix) = spec.name_prefix.as_deref().filter(|n| !n.is_empty()) {
        map.insert("namePrefix".into(), json!(prefix));
    }
    if let Some(suffix) = spec.name_suffix.as_deref().filter(|n| !n.is_empty()) {
        map.insert("nameSuffix".into(), json!(suffix));
    }
    let mut append = |field: &str, items: Vec<Value>| {
        if items.is_empty() {
            return;
        }
        let list = map.entry(field.to_string()).or_insert_with(|| json!([]));
        if let Some(list) = list.as_array_mut() {
            list.extend(items);
        }
    };
    let patches = spec.patches.iter().flatten().filter_map(|p| serde_json::to_value(p).ok()).collect();
    append("patches", patches);
    append("patchesStrategicMerge", spec.patches_strategic_merge.clone().unwrap_or_default());
    let json6902 = spec.patches_json6902.iter().flatten().filter_map(|p| serde_json::to_value(p).ok()).collect();
    append("patchesJson6902", json6902);
    let ignore_missing = spec.ignore_missing_components.unwrap_or(false);
    let components = spec
        .components
        .iter()
        .flatten()
        .filter(|c| !ignore_missing || dir.join(c).exists())
        .map(|c| json!(c))
        .collect();
    append("components", components);
    if let Some(metadata) = spec.build_metadata.as_ref().filter(|m| !m.is_empty()) {
        map.insert("buildMetadata".into(), json!(metadata));
    }
    for image in spec.images.iter().flatten() {
        let Ok(value) = serde_json::to_value(image) else { continue };
        let list = map.entry("images".to_string()).or_insert_with(|| json!([]));
        if let Some(list) = list.as_array_mut() {
            // Merged by name: the spec's entry replaces the file's.
            list.retain(|existing| existing["name"] != value["name"]);
            list.push(value);
        }
    }
}

/// Whether substitution runs: with `WithVariables` (the default) only when a variable is defined. Invalid variable
/// names fail the build.
fn should_substitute(spec: &KustomizationSpec, vars: &BTreeMap<String, String>) -> Result<bool, BuildError> {
    let Some(post_build) = &spec.post_build else { return Ok(false) };
    if let Some(name) = vars.keys().find(|name| !valid_name(name)) {
        return Err(build_failed(format!(
            "'{name}' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'"
        )));
    }
    let always = post_build.substitute_strategy.as_deref() == Some(spec_values::SUBSTITUTE_STRATEGY_ALWAYS);
    Ok(always || !vars.is_empty())
}

/// Substitutes the variables in one object's YAML, unless it opts out.
fn post_build(object: Value, vars: &BTreeMap<String, String>, strict: bool) -> Result<Value, BuildError> {
    if super::object::metadata_is(&object, kustomize::SUBSTITUTE, kustomize::DISABLED) {
        return Ok(object);
    }
    let name = object["metadata"]["name"].as_str().unwrap_or_default().to_string();
    let failed = |detail: String| build_failed(format!("post build failed for '{name}': {detail}"));
    let yaml = fluxtui_kustomize::yaml::to_yaml(&object);
    let substituted =
        substitute(&yaml, vars, strict).map_err(|e| failed(format!("variable substitution failed: {e}")))?;
    fluxtui_kustomize::yaml::parse_document(&substituted).map_err(|e| failed(format!("YAML after substitution: {e}")))
}

/// `spec.commonMetadata`: labels and annotations on every object, overriding the object's own.
fn with_common_metadata(mut object: Value, spec: &KustomizationSpec) -> Value {
    let Some(common) = &spec.common_metadata else { return object };
    for (field, entries) in [("labels", &common.labels), ("annotations", &common.annotations)] {
        let Some(entries) = entries.as_ref().filter(|e| !e.is_empty()) else { continue };
        if !object["metadata"][field].is_object() {
            object["metadata"][field] = json!({});
        }
        for (key, value) in entries {
            object["metadata"][field][key] = json!(value);
        }
    }
    object
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secure_join_stays_in_the_root() {
        let root = Path::new("/tmp/x");
        assert_eq!(secure_join(root, "./deploy/apps"), root.join("deploy/apps"));
        assert_eq!(secure_join(root, "../../etc"), root.join("etc"));
        assert_eq!(secure_join(root, "/abs/../b"), root.join("b"));
        assert_eq!(secure_join(root, ""), root.to_path_buf());
    }

    #[test]
    fn generates_a_kustomization_and_overlays_the_spec() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "ignored").unwrap();
        std::fs::create_dir_all(dir.path().join("base")).unwrap();
        std::fs::write(dir.path().join("base/kustomization.yaml"), "resources: []\n").unwrap();
        std::fs::create_dir_all(dir.path().join("more")).unwrap();
        std::fs::write(dir.path().join("more/b.yml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n")
            .unwrap();
        let spec: KustomizationSpec = serde_json::from_value(json!({
            "targetNamespace": "apps", "namePrefix": "p-",
            "images": [{"name": "nginx", "newTag": "2"}]
        }))
        .unwrap();
        let text = prepare(dir.path(), &spec).expect("prepared").expect("a generated kustomization");
        assert!(!dir.path().join("kustomization.yaml").exists(), "the source tree is only read");
        let value = fluxtui_kustomize::yaml::parse_document(&text).unwrap();
        assert_eq!(value["resources"], json!(["a.yaml", "base", "more/b.yml"]));
        assert_eq!(value["namespace"], "apps");
        assert_eq!(value["namePrefix"], "p-");
        assert_eq!(value["images"], json!([{"name": "nginx", "newTag": "2"}]));
        let built = build_tree(dir.path(), ".", &spec, &BTreeMap::new(), true).expect("builds");
        let names: Vec<String> = built.objects.iter().map(|o| format!("{}", o["metadata"]["name"])).collect();
        assert_eq!(names, ["\"p-a\"", "\"p-b\""]);
        // A kustomization file the spec does not change is built as it is.
        std::fs::write(dir.path().join("kustomization.yaml"), "resources:\n- a.yaml\n").unwrap();
        assert_eq!(prepare(dir.path(), &KustomizationSpec::default()).expect("prepared"), None);
    }

    #[test]
    fn invalid_yaml_fails_generation_naming_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("bad.yaml"), "a: [1\n").unwrap();
        let err = prepare(dir.path(), &KustomizationSpec::default()).unwrap_err();
        assert!(err.starts_with("failed to decode Kubernetes YAML from") && err.contains("bad.yaml"), "{err}");
    }

    #[test]
    fn substitution_honours_the_opt_out_and_strict_mode() {
        let vars: BTreeMap<String, String> = [("env".to_string(), "prod".to_string())].into();
        let object = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
            "data": {"a": "${env}", "b": "${replicas:=2}"}});
        let done = post_build(object.clone(), &vars, true).expect("substituted");
        // The YAML is re-read after substitution, so an unquoted number becomes one, as in Flux (its docs ask to quote).
        assert_eq!(done["data"], json!({"a": "prod", "b": 2}));
        let mut opted_out = object.clone();
        opted_out["metadata"]["annotations"] = json!({kustomize::SUBSTITUTE: "disabled"});
        assert_eq!(post_build(opted_out.clone(), &vars, true).unwrap(), opted_out);
        let missing = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
            "data": {"a": "${nope}"}});
        let err = post_build(missing, &vars, true).unwrap_err();
        assert_eq!(
            err.message,
            "post build failed for 'c': variable substitution failed: variable not set (strict mode): \"nope\""
        );
    }
}
