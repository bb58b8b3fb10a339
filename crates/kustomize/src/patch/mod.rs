//! Patches: `patchesStrategicMerge` and `patches` (applied first in a level, in that order) and the legacy
//! `patchesJson6902` (applied after annotations), as kustomize's PatchStrategicMergeTransformer, PatchTransformer
//! and PatchJson6902Transformer do.
//!
//! A `patches` entry holds a patch inline (`patch`) or in a file (`path`). It is a JSON 6902 patch when it is a
//! list of operations, a strategic merge patch (one or more documents) when it is a mapping. A strategic merge
//! patch without `target` applies to the object with its own kind, name and namespace (current or earlier id);
//! with a `target` it applies to every selected object, whose kind, name and namespace it keeps unless
//! `options.allowKindChange` / `allowNameChange` say otherwise.

mod json6902;
mod schema;
mod select;
mod strategic;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::error::Error;
use crate::kustomization::Kustomization;
use crate::openapi::OpenApi;
use crate::options::BuildOptions;
use crate::resource::{Gvk, ResId, Resource};
pub use select::{Selector as LabelSelector, Target};

/// Whether kustomize's built-in schema knows this kind (kyaml's precomputed tables).
pub fn builtin_kind(api_version: &str, kind: &str) -> bool {
    schema::for_object(api_version, kind).is_some()
}

/// A `patches` or `patchesJson6902` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Entry {
    #[serde(default)]
    path: String,
    #[serde(default)]
    patch: String,
    #[serde(default)]
    target: Option<Target>,
    #[serde(default)]
    options: BTreeMap<String, bool>,
}

#[derive(Debug)]
enum Patch {
    Strategic { docs: Vec<Value>, target: Option<Target>, allow_name_change: bool, allow_kind_change: bool },
    Json { ops: Vec<Value>, target: Target },
}

/// The patches of one kustomization, loaded.
#[derive(Debug, Default)]
pub struct Patches {
    /// `patchesStrategicMerge` then `patches`.
    early: Vec<Patch>,
    /// `patchesJson6902`.
    json6902: Vec<Patch>,
    /// How many of `early` come from `patchesStrategicMerge`.
    strategic_merge_count: usize,
}

fn invalid(file: &Path, message: impl Into<String>) -> Error {
    Error::InvalidKustomization { path: file.to_path_buf(), message: message.into() }
}

/// The documents of a strategic merge patch, `List`s flattened; `None` when the text is not one.
fn strategic_docs(text: &str) -> Option<Vec<Value>> {
    let docs = crate::yaml::parse_documents(text).ok()?;
    if docs.is_empty() || !docs.iter().all(Value::is_object) {
        return None;
    }
    let mut out = Vec::new();
    for doc in docs {
        let is_list = doc.get("kind").and_then(Value::as_str).is_some_and(|k| k.ends_with("List"))
            && doc.get("items").is_some_and(Value::is_array);
        match doc {
            Value::Object(mut map) if is_list => {
                if let Some(Value::Array(items)) = map.remove("items") {
                    out.extend(items);
                }
            }
            other => out.push(other),
        }
    }
    Some(out)
}

impl Patches {
    /// Loads the patches `kustomization` (read from `file` in `root`) sets.
    pub fn load(
        root: &Path,
        file: &Path,
        kustomization: &Kustomization,
        options: &BuildOptions,
    ) -> Result<Patches, Error> {
        let mut patches = Patches::default();
        for entry in list(file, kustomization.patches_strategic_merge.as_ref(), "patchesStrategicMerge")? {
            let Value::String(entry) = entry else {
                return Err(invalid(file, "patchesStrategicMerge entries are file paths or inline patches"));
            };
            // kustomize first reads the entry as an inline patch, then as a path.
            let docs = match strategic_docs(&entry) {
                Some(docs) => docs,
                None => {
                    let text = crate::loader::read_text(root, file, entry.trim(), options)?;
                    strategic_docs(&text)
                        .ok_or_else(|| invalid(file, format!("{entry}: not a strategic merge patch")))?
                }
            };
            patches.early.push(Patch::Strategic {
                docs,
                target: None,
                allow_name_change: false,
                allow_kind_change: false,
            });
        }
        patches.strategic_merge_count = patches.early.len();
        for entry in list(file, kustomization.patches.as_ref(), "patches")? {
            let entry: Entry = serde_json::from_value(entry).map_err(|e| invalid(file, format!("patches: {e}")))?;
            let text = patch_text(root, file, &entry, options)?;
            let patch = if let Some(docs) = strategic_docs(&text) {
                let option = |name: &str| entry.options.get(name).copied().unwrap_or(false);
                Patch::Strategic {
                    docs,
                    target: entry.target,
                    allow_name_change: option("allowNameChange"),
                    allow_kind_change: option("allowKindChange"),
                }
            } else {
                let ops = json6902::parse(&text)
                    .map_err(|e| invalid(file, format!("unable to parse SM or JSON patch from [{text}]: {e}")))?;
                let target =
                    entry.target.ok_or_else(|| invalid(file, format!("must specify a target for patch {text}")))?;
                Patch::Json { ops, target }
            };
            patches.early.push(patch);
        }
        for entry in list(file, kustomization.patches_json6902.as_ref(), "patchesJson6902")? {
            let entry: Entry =
                serde_json::from_value(entry).map_err(|e| invalid(file, format!("patchesJson6902: {e}")))?;
            let text = patch_text(root, file, &entry, options)?;
            let target =
                entry.target.ok_or_else(|| invalid(file, format!("must specify a target for patch {text}")))?;
            if target.name.is_empty() {
                return Err(invalid(file, "patchesJson6902: must specify the target name"));
            }
            let ops = json6902::parse(&text).map_err(|e| invalid(file, format!("patchesJson6902: {e}")))?;
            patches.json6902.push(Patch::Json { ops, target });
        }
        Ok(patches)
    }

    /// Whether the level sets `patchesStrategicMerge` (one transformer for them all).
    pub fn has_strategic_merge(&self) -> bool {
        self.strategic_merge_count > 0
    }

    /// How many `patches` entries there are (one transformer each).
    pub fn patches_count(&self) -> usize {
        self.early.len() - self.strategic_merge_count
    }

    /// How many `patchesJson6902` entries there are (one transformer each).
    pub fn json6902_count(&self) -> usize {
        self.json6902.len()
    }

    /// `patchesStrategicMerge` and `patches`: the first transforms of a level, strategic merges under the
    /// build's schema.
    pub fn apply_early(&self, resources: &mut Vec<Resource>, openapi: &mut OpenApi) -> Result<(), String> {
        self.early.iter().try_for_each(|p| p.apply(resources, openapi))
    }

    /// `patchesJson6902`: after annotations, before replicas.
    pub fn apply_json6902(&self, resources: &mut Vec<Resource>, openapi: &mut OpenApi) -> Result<(), String> {
        self.json6902.iter().try_for_each(|p| p.apply(resources, openapi))
    }
}

fn list(file: &Path, value: Option<&Value>, field: &str) -> Result<Vec<Value>, Error> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => Ok(items.clone()),
        Some(_) => Err(invalid(file, format!("`{field}` must be a list"))),
    }
}

fn patch_text(root: &Path, file: &Path, entry: &Entry, options: &BuildOptions) -> Result<String, Error> {
    match (entry.patch.trim(), entry.path.as_str()) {
        ("", "") => Err(invalid(file, "must specify one of patch and path")),
        (_, "") => Ok(entry.patch.trim().to_string()),
        ("", path) => Ok(crate::loader::read_text(root, file, path, options)?.trim().to_string()),
        _ => Err(invalid(file, "patch and path can't be set at the same time")),
    }
}

fn str_at<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// The id a strategic merge patch names.
fn patch_id(doc: &Value) -> ResId {
    ResId {
        gvk: Gvk::from_api_version(str_at(doc, "/apiVersion"), str_at(doc, "/kind")),
        namespace: str_at(doc, "/metadata/namespace").to_string(),
        name: str_at(doc, "/metadata/name").to_string(),
    }
}

impl Patch {
    fn apply(&self, resources: &mut Vec<Resource>, openapi: &mut OpenApi) -> Result<(), String> {
        match self {
            Patch::Strategic { docs, target, allow_name_change, allow_kind_change } => {
                for doc in docs {
                    let selected = match target {
                        Some(target) => target.select(resources)?,
                        None => vec![by_id(resources, &patch_id(doc))?],
                    };
                    let mut deleted = Vec::new();
                    for i in selected {
                        let mut doc = doc.clone();
                        if target.is_some()
                            && let Value::Object(map) = &mut doc
                        {
                            // kustomize gives a targeted patch the object's apiVersion.
                            let api_version = str_at(&resources[i].value, "/apiVersion").to_string();
                            map.insert("apiVersion".into(), Value::String(api_version));
                        }
                        let options = (*allow_name_change, *allow_kind_change);
                        if !apply_strategic(&mut resources[i], &doc, options, openapi)? {
                            deleted.push(i);
                        }
                    }
                    for i in deleted.into_iter().rev() {
                        resources.remove(i);
                    }
                }
                Ok(())
            }
            Patch::Json { ops, target } => {
                for i in target.select(resources)? {
                    let r = &mut resources[i];
                    r.remember_id();
                    json6902::apply(&mut r.value, ops).map_err(|e| format!("{}: {e}", r.id()))?;
                    if !r.value.is_object() {
                        return Err(format!("JSON patch turned {} into something other than an object", r.id()));
                    }
                    // kustomize re-sets the annotations after a JSON patch: an empty mapping disappears.
                    let metadata = r.metadata_mut();
                    if metadata.get("annotations").is_some_and(|a| a.as_object().is_some_and(|m| m.is_empty())) {
                        metadata.remove("annotations");
                    }
                }
                Ok(())
            }
        }
    }
}

/// The one resource whose current or earlier id is `id`.
fn by_id(resources: &[Resource], id: &ResId) -> Result<usize, String> {
    let found: Vec<usize> = resources
        .iter()
        .enumerate()
        .filter(|(_, r)| r.all_ids().any(|other| other.same_as(id)))
        .map(|(i, _)| i)
        .collect();
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(format!("no resource matches strategic merge patch \"{id}\": no matches for Id {id}")),
        _ => Err(format!("multiple matches for Id {id}")),
    }
}

/// Applies one strategic merge patch to `resource`; false when the patch deletes it.
/// `allow` is (`allowNameChange`, `allowKindChange`).
fn apply_strategic(
    resource: &mut Resource,
    patch: &Value,
    (allow_name, allow_kind): (bool, bool),
    openapi: &mut OpenApi,
) -> Result<bool, String> {
    let (name, namespace, kind) =
        (resource.name().to_string(), resource.namespace().to_string(), resource.kind().to_string());
    if allow_name || allow_kind {
        resource.remember_id();
    }
    let merged =
        strategic::merge(&resource.value, patch, openapi.loaded()?).map_err(|e| format!("{}: {e}", resource.id()))?;
    let Some(merged) = merged.filter(|m| m.as_object().is_some_and(|o| !o.is_empty())) else { return Ok(false) };
    resource.value = merged;
    if (!allow_kind || resource.kind().is_empty())
        && let Value::Object(map) = &mut resource.value
    {
        map.insert("kind".into(), Value::String(kind));
    }
    if !allow_name || resource.name().is_empty() {
        resource.set_name(name);
    }
    if namespace.is_empty() {
        resource.metadata_mut().remove("namespace");
    } else {
        resource.set_namespace(namespace);
    }
    Ok(true)
}

#[cfg(test)]
mod tests;
