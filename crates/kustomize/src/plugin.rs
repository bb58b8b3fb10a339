//! The `generators` and `transformers` fields: configurations of kustomize's builtin plugins (`apiVersion:
//! builtin`), given as files, inline YAML, or directories whose kustomization builds into such configurations.
//! Generators (ConfigMapGenerator, SecretGenerator) run after the level's own generators; transformers
//! (PrefixSuffixTransformer, LabelTransformer, AnnotationsTransformer, NamespaceTransformer, PatchTransformer,
//! PatchStrategicMergeTransformer, PatchJson6902Transformer, ImageTagTransformer, ReplicaCountTransformer,
//! ReplacementTransformer, HashTransformer) after the level's own transforms, in the order listed. A plugin config
//! with its own `fieldSpecs` writes only there.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::error::Error;
use crate::fieldspec::{FieldSpec, FieldSpecText};
use crate::generator::{self, GeneratorArgs, GeneratorOptions};
use crate::kustomization::{Image, Kustomization, Replica};
use crate::loader;
use crate::openapi::OpenApi;
use crate::options::BuildOptions;
use crate::origin::Origin;
use crate::patch::Patches;
use crate::replacement::Replacements;
use crate::resource::Resource;
use crate::transform;

/// One plugin configuration with the directory its files are read from.
struct Config {
    value: Value,
    /// Where relative paths in the config are read from, and the file that configured it.
    root: PathBuf,
    file: PathBuf,
}

impl Config {
    fn kind(&self) -> &str {
        self.value.get("kind").and_then(Value::as_str).unwrap_or("")
    }

    fn origin(&self) -> Origin {
        let str_at = |p: &str| self.value.pointer(p).and_then(Value::as_str).unwrap_or("");
        Origin::plugin(&self.file, str_at("/apiVersion"), self.kind(), str_at("/metadata/name"))
    }

    fn error(&self, message: String) -> Error {
        Error::InvalidKustomization { path: self.file.clone(), message: format!("{}: {message}", self.kind()) }
    }

    fn field<T: serde::de::DeserializeOwned + Default>(&self, name: &str) -> Result<T, Error> {
        match self.value.get(name) {
            None | Some(Value::Null) => Ok(T::default()),
            Some(v) => serde_json::from_value(v.clone()).map_err(|e| self.error(format!("{name}: {e}"))),
        }
    }

    fn field_specs(&self) -> Result<Vec<FieldSpec>, Error> {
        let texts: Vec<FieldSpecText> = self.field("fieldSpecs")?;
        Ok(texts.into_iter().map(FieldSpec::from).collect())
    }
}

/// The plugin configurations of one level.
#[derive(Default)]
pub struct Plugins {
    generators: Vec<Config>,
    transformers: Vec<Config>,
    /// The build's options: plugin configs read files under the same load restrictions.
    options: BuildOptions,
}

impl Plugins {
    pub fn load(root: &Path, file: &Path, k: &Kustomization, options: &BuildOptions) -> Result<Plugins, Error> {
        Ok(Plugins {
            generators: configs(root, file, k.generators.as_ref(), "generators", options)?,
            transformers: configs(root, file, k.transformers.as_ref(), "transformers", options)?,
            options: options.for_nested(),
        })
    }

    /// Runs the generators into `resources`.
    pub fn generate(&self, resources: &mut Vec<Resource>) -> Result<(), Error> {
        for config in &self.generators {
            let kind = match config.kind() {
                "ConfigMapGenerator" => "ConfigMap",
                "SecretGenerator" => "Secret",
                other => return Err(config.error(format!("`{other}` is not a builtin generator this engine runs"))),
            };
            let mut fields = config.value.as_object().cloned().unwrap_or_default();
            let metadata = fields.remove("metadata").unwrap_or(Value::Null);
            fields.remove("apiVersion");
            fields.remove("kind");
            if !fields.contains_key("name") {
                fields.insert("name".into(), metadata.get("name").cloned().unwrap_or(Value::Null));
            }
            if !fields.contains_key("namespace")
                && let Some(namespace) = metadata.get("namespace")
            {
                fields.insert("namespace".into(), namespace.clone());
            }
            let options: Option<GeneratorOptions> = match fields.remove("options") {
                Some(v) => Some(serde_json::from_value(v).map_err(|e| config.error(format!("options: {e}")))?),
                None => None,
            };
            let args: GeneratorArgs =
                serde_json::from_value(Value::Object(fields)).map_err(|e| config.error(e.to_string()))?;
            let kv_root = generator::kv::Root { dir: &config.root, file: &config.file, options: &self.options };
            generator::run_one(&kv_root, kind, &args, options.as_ref(), config.origin(), resources)?;
        }
        Ok(())
    }

    /// Runs the transformers over `resources`; returns their origins (for `transformerAnnotations`).
    pub fn transform(&self, resources: &mut Vec<Resource>, openapi: &mut OpenApi) -> Result<Vec<Origin>, Error> {
        let mut ran = Vec::new();
        for plugin in &self.transformers {
            run_transformer(plugin, &self.options, resources, openapi)?;
            ran.push(plugin.origin());
        }
        Ok(ran)
    }
}

fn or_default(specs: Vec<FieldSpec>, default: Vec<FieldSpec>) -> Vec<FieldSpec> {
    if specs.is_empty() { default } else { specs }
}

fn run_transformer(
    plugin: &Config,
    options: &BuildOptions,
    resources: &mut Vec<Resource>,
    openapi: &mut OpenApi,
) -> Result<(), Error> {
    let failed = |message: String| plugin.error(message);
    match plugin.kind() {
        kind @ ("PrefixSuffixTransformer" | "PrefixTransformer" | "SuffixTransformer") => {
            let specs = or_default(plugin.field_specs()?, transform::name_affix_specs(&[]));
            let prefix: String = plugin.field("prefix")?;
            let suffix: String = plugin.field("suffix")?;
            if kind != "SuffixTransformer" {
                transform::set_name_affix(resources, &prefix, true, &specs).map_err(failed)?;
            }
            if kind != "PrefixTransformer" {
                transform::set_name_affix(resources, &suffix, false, &specs).map_err(failed)?;
            }
        }
        "LabelTransformer" => {
            let labels: BTreeMap<String, String> = plugin.field("labels")?;
            transform::add_labels(resources, &labels, &plugin.field_specs()?).map_err(failed)?;
        }
        "AnnotationsTransformer" => {
            let annotations: BTreeMap<String, String> = plugin.field("annotations")?;
            transform::add_annotations(resources, &annotations, &plugin.field_specs()?).map_err(failed)?;
        }
        "NamespaceTransformer" => {
            let namespace = plugin.value.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or("");
            let specs: Vec<FieldSpec> =
                plugin.field_specs()?.into_iter().filter(|s| s.path != "metadata/namespace").collect();
            transform::set_namespace(resources, namespace, &specs);
        }
        "ImageTagTransformer" => {
            let image: Image = plugin.field("imageTag")?;
            transform::set_images(resources, &[image], &plugin.field_specs()?).map_err(failed)?;
        }
        "ReplicaCountTransformer" => {
            let replica: Replica = plugin.field("replica")?;
            transform::set_replicas(resources, &[replica], &plugin.field_specs()?).map_err(failed)?;
        }
        // kustomize's HashTransformer suffixes the generated objects' names at this point; they keep needing a
        // hash, so the build's own pass after the top level suffixes them again, as kubectl prints them.
        "HashTransformer" => generator::add_hashes(resources),
        "ReplacementTransformer" => {
            let replacements = plugin.value.get("replacements");
            Replacements::load(&plugin.root, &plugin.file, replacements, options)?.apply(resources).map_err(failed)?;
        }
        kind @ ("PatchTransformer" | "PatchStrategicMergeTransformer" | "PatchJson6902Transformer") => {
            let mut k = Kustomization::default();
            let v = &plugin.value;
            match kind {
                "PatchTransformer" => {
                    let entry = json!({"patch": v.get("patch"), "path": v.get("path"), "target": v.get("target"),
                        "options": v.get("options")});
                    k.patches = Some(json!([strip_nulls(entry)]));
                }
                "PatchStrategicMergeTransformer" => {
                    let mut entries: Vec<Value> = plugin.field("paths")?;
                    if let Some(Value::String(inline)) = v.get("patches") {
                        entries.push(Value::String(inline.clone()));
                    }
                    k.patches_strategic_merge = Some(Value::Array(entries));
                }
                _ => {
                    let entry = json!({"path": v.get("path"), "target": v.get("target"),
                        "patch": v.get("jsonOp").map(|op| match op { Value::String(s) => s.clone(), other => other.to_string() })});
                    k.patches_json6902 = Some(json!([strip_nulls(entry)]));
                }
            }
            let patches = Patches::load(&plugin.root, &plugin.file, &k, options)?;
            patches.apply_early(resources, openapi).map_err(failed)?;
            patches.apply_json6902(resources, openapi).map_err(failed)?;
        }
        other => return Err(plugin.error(format!("`{other}` is not a builtin transformer this engine runs"))),
    }
    Ok(())
}

fn strip_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).collect()),
        other => other,
    }
}

/// The plugin configs a `generators` or `transformers` field names.
fn configs(
    root: &Path,
    file: &Path,
    value: Option<&Value>,
    field: &str,
    options: &BuildOptions,
) -> Result<Vec<Config>, Error> {
    let mut out = Vec::new();
    for entry in transform::config::strings(file, value, field)? {
        if entry.contains('\n') {
            // kustomize reads an entry with a line break as an inline configuration.
            let docs = crate::yaml::parse_documents(&entry).map_err(|message| Error::MalformedYaml {
                path: file.to_path_buf(),
                message: format!("{field}: {message}"),
            })?;
            out.extend(docs.into_iter().map(|value| Config { value, root: root.into(), file: file.into() }));
            continue;
        }
        match loader::resolve_entry(root, file, &entry, options)? {
            loader::Entry::File(path) => {
                let resources = loader::read_resources(&path)?;
                out.extend(resources.into_iter().map(|r| Config {
                    value: r.value,
                    root: root.into(),
                    file: path.clone(),
                }));
            }
            loader::Entry::Dir(dir) => {
                // The configs a directory builds into read their files from the kustomization listing them.
                let build = crate::build_with(&dir, &options.for_nested())?;
                out.extend(build.resources.into_iter().map(|r| Config {
                    file: r.origin.as_ref().map(|o| o.path.clone()).unwrap_or_else(|| dir.clone()),
                    value: r.value,
                    root: root.into(),
                }));
            }
        }
    }
    Ok(out)
}
