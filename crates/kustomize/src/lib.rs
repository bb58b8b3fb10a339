//! A `kustomize build` engine.
//!
//! [`build`] reads the kustomization in a directory (`kustomization.yaml`, `.yml` or `Kustomization`), loads its
//! resources (files with several documents, `List`s, nested kustomization directories), runs its
//! `configMapGenerator` and `secretGenerator`, applies the transforms it sets in kustomize's order (strategic merge
//! and JSON 6902 patches, namespace, namePrefix/nameSuffix with the name reference fix-up, labels and
//! commonLabels, commonAnnotations, legacy JSON 6902 patches, replicas, images), adds the generated objects' content
//! hash suffixes after the top level, sorts the result in kustomize's legacy order and prints it as
//! `kubectl kustomize` does ([`Build::to_yaml`]).
//!
//! Load restrictions are kustomize's default (`LoadRestrictionsRootOnly`); remote resources are refused. Fields
//! this engine does not build yet (the `generators` field, components, replacements, vars, ...) make the build
//! fail with [`Error::Unsupported`] rather than silently produce something else.
//!
//! ```no_run
//! let build = fluxtui_kustomize::build("deploy/overlays/prod")?;
//! print!("{}", build.to_yaml());
//! # Ok::<(), fluxtui_kustomize::Error>(())
//! ```

mod error;
mod fieldspec;
mod generator;
mod kustomization;
mod loader;
mod order;
mod patch;
mod resource;
mod transform;
pub mod yaml;

use std::path::Path;

use serde_json::Value;

pub use error::Error;
pub use kustomization::{Kustomization, SUPPORTED_FIELDS};
pub use resource::{Gvk, ResId, Resource};

/// The result of a build: the resources, in output order.
#[derive(Debug, Clone)]
pub struct Build {
    pub resources: Vec<Resource>,
}

impl Build {
    /// The objects, in output order.
    pub fn values(&self) -> Vec<Value> {
        self.resources.iter().map(|r| r.value.clone()).collect()
    }

    /// The YAML stream `kustomize build` prints.
    pub fn to_yaml(&self) -> String {
        yaml::to_stream(&self.values())
    }
}

/// Builds the kustomization in `dir`.
pub fn build(dir: impl AsRef<Path>) -> Result<Build, Error> {
    let mut resources = loader::build_dir(dir.as_ref(), &mut Vec::new())?;
    // kustomize adds the content hashes once, after the top level, then lets references follow.
    generator::add_hashes(&mut resources);
    transform::fix_name_references(&mut resources)
        .map_err(|message| Error::Transform { path: dir.as_ref().to_path_buf(), message })?;
    order::legacy_sort(&mut resources);
    Ok(Build { resources })
}
