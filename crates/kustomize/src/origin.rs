//! `buildMetadata`: where each resource came from (`originAnnotations`), which transformers ran over it
//! (`transformerAnnotations`), and a `managedByLabel`, written as kustomize writes them. Origins are recorded
//! on every build and only written when the top kustomization asks, as kustomize tracks them from the top.

use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value};

use crate::resource::Resource;

const ORIGIN_ANNOTATION: &str = "config.kubernetes.io/origin";
const TRANSFORMATIONS_ANNOTATION: &str = "alpha.config.kubernetes.io/transformations";
const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// What kubectl's embedded kustomize writes as its version in the managed-by label.
const MANAGED_BY_VALUE: &str = "kustomize-(devel)";

/// A file a resource was read from, or the configuration that generated or transformed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The resource file, or the file holding the configuration (a kustomization or a plugin config).
    pub path: PathBuf,
    /// For a generator or transformer: its apiVersion, kind and (for plugin configs) name.
    pub configured_by: Option<(String, String, String)>,
}

impl Origin {
    pub fn file(path: &Path) -> Origin {
        Origin { path: path.to_path_buf(), configured_by: None }
    }

    /// A builtin generator or transformer configured by a kustomization field.
    pub fn builtin(file: &Path, kind: &str) -> Origin {
        Origin { path: file.to_path_buf(), configured_by: Some(("builtin".into(), kind.into(), String::new())) }
    }

    /// A generator or transformer configured by a plugin config file.
    pub fn plugin(file: &Path, api_version: &str, kind: &str, name: &str) -> Origin {
        Origin { path: file.to_path_buf(), configured_by: Some((api_version.into(), kind.into(), name.into())) }
    }

    /// The annotation text, paths relative to `top`, each line indented by `indent`.
    fn render(&self, top: &Path, indent: &str, first: &str) -> String {
        let path = relative(top, &self.path);
        match &self.configured_by {
            None => format!("{first}path: {path}\n"),
            Some((api_version, kind, name)) => {
                let mut out = format!(
                    "{first}configuredIn: {path}\n{indent}configuredBy:\n{indent}  apiVersion: {api_version}\n\
                     {indent}  kind: {kind}\n"
                );
                if !name.is_empty() {
                    out.push_str(&format!("{indent}  name: {name}\n"));
                }
                out
            }
        }
    }
}

/// `to` relative to the directory `from` (both canonical), with `..` where it sits outside.
fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(to[common..].iter().map(|c| c.as_os_str().to_string_lossy().to_string()));
    parts.join("/")
}

/// Writes what the top kustomization's `buildMetadata` asks for.
pub fn finish(resources: &mut [Resource], top: &Path, build_metadata: &[String]) -> Result<(), String> {
    for option in build_metadata {
        if !matches!(option.as_str(), "originAnnotations" | "transformerAnnotations" | "managedByLabel") {
            return Err(format!("invalid buildMetadata option: {option}"));
        }
    }
    let wants = |option: &str| build_metadata.iter().any(|o| o == option);
    for r in resources {
        if wants("originAnnotations")
            && let Some(origin) = &r.origin
        {
            let text = origin.render(top, "", "");
            insert(r, "annotations", ORIGIN_ANNOTATION, text);
        }
        if wants("transformerAnnotations") && !r.transformations.is_empty() {
            let text: String = r.transformations.iter().map(|t| t.render(top, "  ", "- ")).collect();
            insert(r, "annotations", TRANSFORMATIONS_ANNOTATION, text);
        }
        if wants("managedByLabel") {
            insert(r, "labels", MANAGED_BY_LABEL, MANAGED_BY_VALUE.to_string());
        }
    }
    Ok(())
}

fn insert(r: &mut Resource, field: &str, key: &str, text: String) {
    let metadata = r.metadata_mut();
    let map = metadata.entry(field).or_insert_with(|| Value::Object(Map::new()));
    if !map.is_object() {
        *map = Value::Object(Map::new());
    }
    if let Value::Object(map) = map {
        map.insert(key.to_string(), Value::String(text));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn writes_origins_relative_to_the_top() {
        let mut r = Resource::new(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}})).unwrap();
        r.origin = Some(Origin::file(Path::new("/w/base/service.yaml")));
        r.transformations.push(Origin::builtin(Path::new("/w/prod/kustomization.yaml"), "PrefixTransformer"));
        let options = ["originAnnotations".to_string(), "transformerAnnotations".to_string()];
        let mut resources = [r];
        finish(&mut resources, Path::new("/w/prod"), &options).unwrap();
        let annotations = &resources[0].value["metadata"]["annotations"];
        assert_eq!(annotations[ORIGIN_ANNOTATION], "path: ../base/service.yaml\n");
        assert_eq!(
            annotations[TRANSFORMATIONS_ANNOTATION],
            "- configuredIn: kustomization.yaml\n  configuredBy:\n    apiVersion: builtin\n    kind: PrefixTransformer\n"
        );
        assert!(finish(&mut resources, Path::new("/w"), &["nope".to_string()]).is_err());
    }
}
