//! Accumulation: a kustomization directory's resources (files and nested kustomizations), each level built
//! fully (its own transforms included) before the level above uses it. Load restrictions are kustomize's
//! `LoadRestrictionsRootOnly`: a resource file must sit in or below its kustomization's directory; a directory
//! (a base) may be anywhere, it becomes a root of its own. Remote resources are refused.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::Error;
use crate::generator;
use crate::kustomization::Kustomization;
use crate::patch::Patches;
use crate::resource::{Gvk, Resource};
use crate::transform;

/// Builds the kustomization in `dir`: its resources, transformed, in accumulation order.
pub fn build_dir(dir: &Path, stack: &mut Vec<PathBuf>) -> Result<Vec<Resource>, Error> {
    let root = dir.canonicalize().map_err(|e| Error::io(dir, e))?;
    if stack.contains(&root) {
        return Err(Error::Cycle { path: stack.last().cloned().unwrap_or_default(), dir: root });
    }
    let (file, kustomization) = Kustomization::load(&root)?;
    stack.push(root.clone());
    let mut resources: Vec<Resource> = Vec::new();
    // Ids seen so far, as `ResId::same_as` compares them (kind, name, effective namespace): a set, so a level of
    // thousands of resources is not checked pairwise.
    let mut seen: HashSet<(Gvk, String, String)> = HashSet::new();
    for entry in kustomization.bases.iter().chain(&kustomization.resources) {
        let loaded = load_entry(&root, &file, entry, stack)?;
        for resource in loaded {
            let id = resource.id();
            if !seen.insert((id.gvk.clone(), id.name.clone(), id.effective_namespace().to_string())) {
                return Err(Error::DuplicateId { path: file.clone(), id: id.to_string() });
            }
            resources.push(resource);
        }
    }
    stack.pop();
    generator::run(&root, &file, &kustomization, &mut resources)?;
    let patches = Patches::load(&root, &file, &kustomization)?;
    transform::apply_all(&kustomization, &patches, &mut resources)
        .map_err(|message| Error::Transform { path: file, message })?;
    Ok(resources)
}

fn is_remote(entry: &str) -> bool {
    entry.contains("://")
        || entry.starts_with("git@")
        || entry.starts_with("github.com/")
        || entry.starts_with("gitlab.com/")
        || entry.starts_with("bitbucket.org/")
}

fn load_entry(root: &Path, file: &Path, entry: &str, stack: &mut Vec<PathBuf>) -> Result<Vec<Resource>, Error> {
    if is_remote(entry) {
        return Err(Error::RemoteRefused { path: file.to_path_buf(), entry: entry.to_string() });
    }
    let target = root.join(entry);
    let Ok(target) = target.canonicalize() else {
        return Err(Error::MissingResource { path: file.to_path_buf(), entry: entry.to_string() });
    };
    if target.is_dir() {
        return build_dir(&target, stack);
    }
    if !target.starts_with(root) {
        return Err(Error::OutsideRoot { path: file.to_path_buf(), file: target });
    }
    read_resources(&target)
}

/// The objects of one file: every document, `List` kinds flattened.
pub fn read_resources(path: &Path) -> Result<Vec<Resource>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let docs = crate::yaml::parse_documents(&text)
        .map_err(|message| Error::MalformedYaml { path: path.to_path_buf(), message })?;
    let mut out = Vec::new();
    for doc in docs {
        flatten(doc, &mut out);
    }
    out.into_iter()
        .map(|v| Resource::new(v).map_err(|message| Error::InvalidResource { path: path.to_path_buf(), message }))
        .collect()
}

fn flatten(doc: Value, out: &mut Vec<Value>) {
    let is_list = doc.get("kind").and_then(Value::as_str).is_some_and(|k| k.ends_with("List"))
        && doc.get("items").is_some_and(Value::is_array);
    if !is_list {
        out.push(doc);
        return;
    }
    if let Some(Value::Array(items)) = doc.get("items") {
        for item in items {
            flatten(item.clone(), out);
        }
    }
}
