//! Transformer configuration beyond kustomize's defaults: the field specs `configurations` files add (where
//! prefixes, labels, annotations, namespaces, images, replicas and var references also go, and which fields
//! name other objects), and the name references CRDs declare. It accumulates up the levels as kustomize's
//! `ResAccumulator` merges the configuration of every base into the including level.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::error::Error;
use crate::fieldspec::{FieldSpec, FieldSpecText};
use crate::kustomization::Kustomization;
use crate::loader;
use crate::options::BuildOptions;

/// A referral kind (`kind`, `group`) and the fields of other objects naming it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameReferenceConfig {
    pub group: String,
    pub kind: String,
    pub fields: Vec<FieldSpec>,
}

/// The added field specs, per transformer.
#[derive(Clone, Debug, Default)]
pub struct TransformerConfig {
    pub name_prefix: Vec<FieldSpec>,
    pub name_suffix: Vec<FieldSpec>,
    pub namespace: Vec<FieldSpec>,
    pub common_labels: Vec<FieldSpec>,
    /// Where every `labels` entry also goes.
    pub labels: Vec<FieldSpec>,
    pub template_labels: Vec<FieldSpec>,
    pub common_annotations: Vec<FieldSpec>,
    pub var_reference: Vec<FieldSpec>,
    pub images: Vec<FieldSpec>,
    pub replicas: Vec<FieldSpec>,
    pub name_reference: Vec<NameReferenceConfig>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfigText {
    #[serde(default)]
    name_prefix: Vec<FieldSpecText>,
    #[serde(default)]
    name_suffix: Vec<FieldSpecText>,
    #[serde(default, alias = "nameSpace")]
    namespace: Vec<FieldSpecText>,
    #[serde(default)]
    common_labels: Vec<FieldSpecText>,
    #[serde(default)]
    labels: Vec<FieldSpecText>,
    #[serde(default)]
    template_labels: Vec<FieldSpecText>,
    #[serde(default)]
    common_annotations: Vec<FieldSpecText>,
    #[serde(default)]
    var_reference: Vec<FieldSpecText>,
    #[serde(default)]
    images: Vec<FieldSpecText>,
    #[serde(default)]
    replicas: Vec<FieldSpecText>,
    #[serde(default)]
    name_reference: Vec<NameReferenceText>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NameReferenceText {
    #[serde(default)]
    group: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    field_specs: Vec<FieldSpecText>,
}

fn add_unique<T: PartialEq>(into: &mut Vec<T>, items: impl IntoIterator<Item = T>) {
    for item in items {
        if !into.contains(&item) {
            into.push(item);
        }
    }
}

fn specs(texts: Vec<FieldSpecText>) -> Vec<FieldSpec> {
    texts.into_iter().map(FieldSpec::from).collect()
}

impl TransformerConfig {
    /// Parses a `configurations` file.
    pub fn parse(text: &str) -> Result<TransformerConfig, String> {
        let value = crate::yaml::parse_document(text)?;
        let config: ConfigText = serde_json::from_value(value).map_err(|e| e.to_string())?;
        Ok(TransformerConfig {
            name_prefix: specs(config.name_prefix),
            name_suffix: specs(config.name_suffix),
            namespace: specs(config.namespace),
            common_labels: specs(config.common_labels),
            labels: specs(config.labels),
            template_labels: specs(config.template_labels),
            common_annotations: specs(config.common_annotations),
            var_reference: specs(config.var_reference),
            images: specs(config.images),
            replicas: specs(config.replicas),
            name_reference: config
                .name_reference
                .into_iter()
                .map(|n| NameReferenceConfig { group: n.group, kind: n.kind, fields: specs(n.field_specs) })
                .collect(),
        })
    }

    /// Adds another configuration's specs (kustomize's `TransformerConfig.Merge`).
    pub fn merge(&mut self, other: TransformerConfig) {
        add_unique(&mut self.name_prefix, other.name_prefix);
        add_unique(&mut self.name_suffix, other.name_suffix);
        add_unique(&mut self.namespace, other.namespace);
        add_unique(&mut self.common_labels, other.common_labels);
        add_unique(&mut self.labels, other.labels);
        add_unique(&mut self.template_labels, other.template_labels);
        add_unique(&mut self.common_annotations, other.common_annotations);
        add_unique(&mut self.var_reference, other.var_reference);
        add_unique(&mut self.images, other.images);
        add_unique(&mut self.replicas, other.replicas);
        for reference in other.name_reference {
            match self.name_reference.iter_mut().find(|n| n.kind == reference.kind && n.group == reference.group) {
                Some(existing) => add_unique(&mut existing.fields, reference.fields),
                None => self.name_reference.push(reference),
            }
        }
    }

    /// Reads a level's `configurations` and `crds` into this configuration.
    pub fn load(
        &mut self,
        root: &Path,
        file: &Path,
        kustomization: &Kustomization,
        options: &BuildOptions,
    ) -> Result<(), Error> {
        for entry in strings(file, kustomization.configurations.as_ref(), "configurations")? {
            let text = loader::read_text(root, file, &entry, options)?;
            let config = TransformerConfig::parse(&text).map_err(|message| Error::InvalidKustomization {
                path: file.to_path_buf(),
                message: format!("configurations: {entry}: {message}"),
            })?;
            self.merge(config);
        }
        for entry in strings(file, kustomization.crds.as_ref(), "crds")? {
            let text = loader::read_text(root, file, &entry, options)?;
            let config = super::crd::config_from_crds(&text).map_err(|message| Error::InvalidKustomization {
                path: file.to_path_buf(),
                message: format!("crds: {entry}: {message}"),
            })?;
            self.merge(config);
        }
        Ok(())
    }

    /// kustomize's default var references followed by the configured ones.
    pub fn var_references(&self) -> Vec<FieldSpec> {
        let mut specs = crate::vars::default_var_references();
        add_unique(&mut specs, self.var_reference.iter().cloned());
        specs
    }
}

/// A kustomization field that is a list of file names.
pub fn strings(file: &Path, value: Option<&Value>, field: &str) -> Result<Vec<String>, Error> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str().map(str::to_string).ok_or_else(|| Error::InvalidKustomization {
                    path: file.to_path_buf(),
                    message: format!("`{field}` entries must be file names"),
                })
            })
            .collect(),
        Some(_) => {
            Err(Error::InvalidKustomization { path: file.to_path_buf(), message: format!("`{field}` must be a list") })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_merges_configurations() {
        let mut config = TransformerConfig::parse(
            "commonLabels:\n- path: spec/template/metadata/labels\n  kind: Foo\n  create: true\n\
             nameReference:\n- kind: Secret\n  fieldSpecs:\n  - path: spec/secretRef\n    kind: Foo\n",
        )
        .unwrap();
        assert_eq!(config.common_labels[0].path, "spec/template/metadata/labels");
        assert!(config.common_labels[0].create);
        config.merge(config.clone());
        assert_eq!(config.common_labels.len(), 1);
        assert_eq!(config.name_reference[0].fields.len(), 1);
    }
}
