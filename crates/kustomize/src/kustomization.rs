//! The kustomization file: every field kustomize v5 knows (an unknown one is an error, as in kustomize), and
//! which of them this engine builds.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::error::Error;
use crate::generator::{GeneratorArgs, GeneratorOptions};

/// The file names kustomize looks for, in its order.
pub const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// A `labels` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Label {
    #[serde(default)]
    pub pairs: BTreeMap<String, String>,
    #[serde(default)]
    pub include_selectors: bool,
    #[serde(default)]
    pub include_templates: bool,
    #[serde(default)]
    pub fields: Option<Value>,
}

/// An `images` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Image {
    pub name: String,
    #[serde(default)]
    pub new_name: Option<String>,
    #[serde(default)]
    pub new_tag: Option<String>,
    #[serde(default)]
    pub digest: Option<String>,
    #[serde(default)]
    pub tag_suffix: Option<String>,
}

/// A `replicas` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replica {
    pub name: String,
    pub count: i64,
}

/// A kustomization.yaml.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Kustomization {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub metadata: Option<Value>,
    #[serde(default)]
    pub resources: Vec<String>,
    /// Deprecated spelling of `resources`.
    #[serde(default)]
    pub bases: Vec<String>,
    #[serde(default)]
    pub config_map_generator: Vec<GeneratorArgs>,
    #[serde(default)]
    pub secret_generator: Vec<GeneratorArgs>,
    pub generator_options: Option<GeneratorOptions>,
    pub namespace: Option<String>,
    pub name_prefix: Option<String>,
    pub name_suffix: Option<String>,
    #[serde(default)]
    pub common_labels: BTreeMap<String, String>,
    #[serde(default)]
    pub labels: Vec<Label>,
    #[serde(default)]
    pub common_annotations: BTreeMap<String, String>,
    #[serde(default)]
    pub images: Vec<Image>,
    #[serde(default)]
    pub replicas: Vec<Replica>,
    /// `{path: ...}` or `{version: ...}`: the schema strategic merge patches use ([`crate::openapi`]).
    pub openapi: Option<Value>,
    pub patches_strategic_merge: Option<Value>,
    pub patches_json6902: Option<Value>,
    pub patches: Option<Value>,
    pub image_tags: Option<Value>,
    pub replacements: Option<Value>,
    pub vars: Option<Value>,
    pub sort_options: Option<Value>,
    #[serde(default)]
    pub components: Vec<String>,
    pub crds: Option<Value>,
    // helm* and validators are known to kustomize, not built here yet: setting one fails with `Unsupported`.
    pub helm_globals: Option<Value>,
    pub helm_charts: Option<Value>,
    pub helm_chart_inflation_generator: Option<Value>,
    pub configurations: Option<Value>,
    pub generators: Option<Value>,
    pub transformers: Option<Value>,
    pub validators: Option<Value>,
    #[serde(default)]
    pub build_metadata: Vec<String>,
}

/// The top-level fields this engine builds.
pub const SUPPORTED_FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "resources",
    "bases",
    "configMapGenerator",
    "secretGenerator",
    "generatorOptions",
    "namespace",
    "namePrefix",
    "nameSuffix",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "images",
    "replicas",
    "patchesStrategicMerge",
    "patches",
    "patchesJson6902",
    "components",
    "replacements",
    "vars",
    "sortOptions",
    "buildMetadata",
    "crds",
    "configurations",
    "generators",
    "transformers",
    "openapi",
];

impl Kustomization {
    /// Finds and reads the kustomization file of `dir`.
    pub fn load(dir: &Path) -> Result<(PathBuf, Kustomization), Error> {
        let found: Vec<PathBuf> = FILE_NAMES.iter().map(|n| dir.join(n)).filter(|p| p.is_file()).collect();
        let path = match found.as_slice() {
            [] => return Err(Error::MissingKustomization(dir.to_path_buf())),
            [one] => one.clone(),
            _ => return Err(Error::MultipleKustomizations(dir.to_path_buf())),
        };
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        Self::from_text(path, &text)
    }

    /// A kustomization from its text, as if read from `path`.
    pub fn from_text(path: PathBuf, text: &str) -> Result<(PathBuf, Kustomization), Error> {
        let kustomization =
            Self::parse(text).map_err(|message| Error::InvalidKustomization { path: path.clone(), message })?;
        if let Some(field) = fields_set(text).into_iter().find(|f| !SUPPORTED_FIELDS.contains(&f.as_str())) {
            return Err(Error::Unsupported { path, field });
        }
        Ok((path, kustomization))
    }

    /// Parses a kustomization and checks that it only sets fields this engine builds.
    pub fn parse(text: &str) -> Result<Kustomization, String> {
        let value = crate::yaml::parse_kustomization(text)?;
        if let Value::Object(map) = &value
            && let Some(field) = map.keys().find(|k| !SUPPORTED_FIELDS.contains(&k.as_str()) && !known(k))
        {
            return Err(format!("unknown field \"{field}\""));
        }
        let kustomization: Kustomization = serde_json::from_value(value).map_err(|e| e.to_string())?;
        match kustomization.kind.as_deref() {
            None | Some("" | "Kustomization" | "Component") => Ok(kustomization),
            Some(other) => Err(format!("kind `{other}` is not a Kustomization or a Component")),
        }
    }
}

fn known(field: &str) -> bool {
    const OTHERS: &[&str] = &[
        "imageTags",
        "replacements",
        "vars",
        "sortOptions",
        "components",
        "crds",
        "helmGlobals",
        "helmCharts",
        "helmChartInflationGenerator",
        "configurations",
        "generators",
        "transformers",
        "validators",
        "buildMetadata",
    ];
    OTHERS.contains(&field)
}

/// The top-level fields a kustomization text sets (for the `Unsupported` check).
fn fields_set(text: &str) -> Vec<String> {
    match crate::yaml::parse_kustomization(text) {
        Ok(Value::Object(map)) => map.into_iter().filter(|(_, v)| !is_empty(v)).map(|(k, _)| k).collect(),
        _ => Vec::new(),
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}
