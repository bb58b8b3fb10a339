//! `configMapGenerator` and `secretGenerator`: each entry makes one object from literals, files and env files,
//! with the level's `generatorOptions` under its own `options`. The objects join the level's resources after
//! they are loaded and before its transforms, as kustomize's generators do: `create` appends (an existing id is
//! an error), `merge` and `replace` take the place of the one resource with that id (current or earlier name),
//! keep its name, namespace and name history, and merge labels and annotations (merge also merges data).
//!
//! The content hash suffix is added once, after the top level is built ([`add_hashes`]); the name reference
//! fix-up then carries the hashed names to the referring fields.

mod hash;
pub mod kv;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::{Map, Value, json};

pub use hash::add_hashes;
use kv::encode_base64;

use crate::error::Error;
use crate::kustomization::Kustomization;
use crate::options::BuildOptions;
use crate::origin::Origin;
use crate::resource::Resource;

/// `generatorOptions`, or an entry's `options`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GeneratorOptions {
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    #[serde(default)]
    pub disable_name_suffix_hash: bool,
    #[serde(default)]
    pub immutable: bool,
}

impl GeneratorOptions {
    /// kustomize's `MergeGlobalOptionsIntoLocal`: the entry's labels and annotations win, the flags add up.
    fn with_global(&self, global: Option<&GeneratorOptions>) -> GeneratorOptions {
        let mut merged = self.clone();
        if let Some(global) = global {
            for (k, v) in &global.labels {
                merged.labels.entry(k.clone()).or_insert_with(|| v.clone());
            }
            for (k, v) in &global.annotations {
                merged.annotations.entry(k.clone()).or_insert_with(|| v.clone());
            }
            merged.disable_name_suffix_hash |= global.disable_name_suffix_hash;
            merged.immutable |= global.immutable;
        }
        merged
    }
}

/// A `configMapGenerator` or `secretGenerator` entry (`type` only for secrets).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GeneratorArgs {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub namespace: String,
    #[serde(default)]
    pub behavior: String,
    #[serde(default)]
    pub literals: Vec<String>,
    #[serde(default)]
    pub files: Vec<String>,
    #[serde(default)]
    pub envs: Vec<String>,
    /// Deprecated single env file, read after `envs`.
    #[serde(default)]
    pub env: Option<String>,
    #[serde(default)]
    pub options: Option<GeneratorOptions>,
    #[serde(default, rename = "type")]
    pub secret_type: Option<String>,
}

/// What a generated object does to a resource with the same id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Behavior {
    Create,
    Merge,
    Replace,
}

impl Behavior {
    fn parse(s: &str) -> Self {
        // kustomize treats an unknown behavior as unspecified, which creates.
        match s {
            "merge" => Behavior::Merge,
            "replace" => Behavior::Replace,
            _ => Behavior::Create,
        }
    }
}

/// Runs the generators of one kustomization (`dir` is its root, `file` its kustomization file) into `resources`.
pub fn run(
    dir: &Path,
    file: &Path,
    kustomization: &Kustomization,
    options: &BuildOptions,
    resources: &mut Vec<Resource>,
) -> Result<(), Error> {
    let root = kv::Root { dir, file, options };
    let global = kustomization.generator_options.as_ref();
    let entries = kustomization
        .config_map_generator
        .iter()
        .map(|a| ("ConfigMap", a))
        .chain(kustomization.secret_generator.iter().map(|a| ("Secret", a)));
    for (kind, args) in entries {
        let (mut resource, behavior) = generate(&root, kind, args, global)?;
        resource.origin = Some(Origin::builtin(file, &format!("{kind}Generator")));
        absorb(resources, resource, behavior).map_err(|message| Error::Generator { path: file.into(), message })?;
    }
    Ok(())
}

/// Runs one generator configured by a plugin config (`generators` field): `kind` is `ConfigMap` or `Secret`.
pub fn run_one(
    root: &kv::Root,
    kind: &str,
    args: &GeneratorArgs,
    options: Option<&GeneratorOptions>,
    origin: Origin,
    resources: &mut Vec<Resource>,
) -> Result<(), Error> {
    let (mut resource, behavior) = generate(root, kind, args, options)?;
    resource.origin = Some(origin);
    absorb(resources, resource, behavior).map_err(|message| Error::Generator { path: root.file.into(), message })
}

fn generate(
    root: &kv::Root,
    kind: &str,
    args: &GeneratorArgs,
    global: Option<&GeneratorOptions>,
) -> Result<(Resource, Behavior), Error> {
    let error = |message: String| Error::Generator { path: root.file.to_path_buf(), message };
    if args.name.is_empty() {
        return Err(error(format!("a {} must have a name", kind.to_lowercase())));
    }
    if kind == "ConfigMap" && args.secret_type.is_some() {
        return Err(error(format!("configMapGenerator `{}`: unknown field \"type\"", args.name)));
    }
    let options = args.options.clone().unwrap_or_default().with_global(global);
    let pairs = kv::pairs(root, args, &format!("{} {}", kind.to_lowercase(), args.name))?;
    let mut metadata = Map::new();
    metadata.insert("name".into(), Value::String(args.name.clone()));
    if !args.namespace.is_empty() {
        metadata.insert("namespace".into(), Value::String(args.namespace.clone()));
    }
    if !options.labels.is_empty() {
        metadata.insert("labels".into(), json!(options.labels));
    }
    if !options.annotations.is_empty() {
        metadata.insert("annotations".into(), json!(options.annotations));
    }
    let mut object = Map::new();
    object.insert("apiVersion".into(), "v1".into());
    object.insert("kind".into(), kind.into());
    object.insert("metadata".into(), Value::Object(metadata));
    if kind == "Secret" {
        let secret_type = args.secret_type.as_deref().filter(|t| !t.is_empty()).unwrap_or("Opaque");
        object.insert("type".into(), secret_type.into());
        let data: Map<String, Value> = pairs.into_iter().map(|(k, v)| (k, Value::String(encode_base64(&v)))).collect();
        object.insert("data".into(), Value::Object(data));
    } else {
        let (mut data, mut binary) = (Map::new(), Map::new());
        for (key, bytes) in pairs {
            match String::from_utf8(bytes) {
                Ok(text) => data.insert(key, Value::String(text)),
                Err(e) => binary.insert(key, Value::String(encode_base64(e.as_bytes()))),
            };
        }
        if !data.is_empty() {
            object.insert("data".into(), Value::Object(data));
        }
        if !binary.is_empty() {
            object.insert("binaryData".into(), Value::Object(binary));
        }
    }
    if options.immutable {
        object.insert("immutable".into(), Value::Bool(true));
    }
    let mut resource = Resource::new(Value::Object(object)).map_err(error)?;
    resource.needs_hash = !options.disable_name_suffix_hash;
    Ok((resource, Behavior::parse(&args.behavior)))
}

/// kustomize's `appendReplaceOrMerge`.
fn absorb(resources: &mut Vec<Resource>, mut new: Resource, behavior: Behavior) -> Result<(), String> {
    let id = new.id();
    let matches: Vec<usize> =
        (0..resources.len()).filter(|&i| resources[i].all_ids().any(|old| old.same_as(&id))).collect();
    let index = match (matches.as_slice(), behavior) {
        ([], Behavior::Create) => {
            resources.push(new);
            return Ok(());
        }
        ([], _) => return Err(format!("id {id} does not exist; cannot merge or replace")),
        ([_], Behavior::Create) => return Err(format!("id {id} exists; behavior must be merge or replace")),
        ([index], _) => *index,
        _ => return Err(format!("found multiple objects that could accept merge of {id}")),
    };
    let old = &resources[index];
    merge_metadata(&mut new, old);
    if behavior == Behavior::Merge {
        for field in ["data", "binaryData"] {
            merge_data(&mut new.value, &old.value, field);
        }
    }
    new.needs_hash = new.needs_hash && old.needs_hash;
    resources[index] = new;
    Ok(())
}

/// kustomize's `CopyMergeMetaDataFieldsFrom`: labels and annotations merged (the new object's win), name,
/// namespace and name history from the old one.
fn merge_metadata(new: &mut Resource, old: &Resource) {
    for field in ["labels", "annotations"] {
        let mut merged = old.value["metadata"].get(field).and_then(Value::as_object).cloned().unwrap_or_default();
        if let Some(Value::Object(own)) = new.value["metadata"].get(field) {
            merged.extend(own.clone());
        }
        set_or_remove(new.metadata_mut(), field, merged);
    }
    new.set_name(old.name().to_string());
    match old.namespace() {
        "" => {
            new.metadata_mut().remove("namespace");
        }
        ns => new.set_namespace(ns.to_string()),
    }
    new.previous = old.previous.clone();
    new.prefixes = old.prefixes.clone();
    new.suffixes = old.suffixes.clone();
}

/// Merges the string map `field` of `old` under that of `new`; scalars become strings, as kustomize's
/// `GetDataMap` reads them.
fn merge_data(new: &mut Value, old: &Value, field: &str) {
    let as_map = |v: &Value| -> Map<String, Value> {
        v.get(field)
            .and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), Value::String(scalar_text(v)))).collect())
            .unwrap_or_default()
    };
    let mut merged = as_map(old);
    merged.extend(as_map(new));
    if let Value::Object(object) = new {
        set_or_remove(object, field, merged);
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn set_or_remove(map: &mut Map<String, Value>, field: &str, value: Map<String, Value>) {
    if value.is_empty() {
        map.remove(field);
    } else {
        map.insert(field.into(), Value::Object(value));
    }
}

#[cfg(test)]
mod tests;
