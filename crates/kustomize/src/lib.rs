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
//! Components, replacements, vars, `sortOptions`, `buildMetadata`, `configurations`, `crds`, `openapi` and builtin
//! plugin configs in `generators` / `transformers` are built too (the `target` module holds kustomize's order within
//! a level). [`build_with`] takes [`BuildOptions`] (load restrictions, `--reorder`); remote resources are refused.
//! Fields this engine does not build yet (helm, validators) make the build fail with [`Error::Unsupported`]
//! rather than silently produce something else.
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
mod openapi;
mod options;
mod order;
mod origin;
mod patch;
mod plugin;
mod replacement;
mod resource;
mod target;
mod transform;
mod vars;
pub mod yaml;

use std::path::Path;

use serde_json::Value;

pub use error::Error;
pub use kustomization::{Kustomization, SUPPORTED_FIELDS};
pub use options::{BuildOptions, LoadRestrictions, Reorder};
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

/// Builds the kustomization in `dir` with kustomize's default options.
pub fn build(dir: impl AsRef<Path>) -> Result<Build, Error> {
    build_with(dir, &BuildOptions::default())
}

/// Builds the kustomization in `dir` with `options` (load restrictions, output order).
pub fn build_with(dir: impl AsRef<Path>, options: &BuildOptions) -> Result<Build, Error> {
    let dir = dir.as_ref();
    let openapi = std::cell::RefCell::new(openapi::OpenApi::default());
    let top = target::Target::top(dir, options, &openapi)?;
    let mut accumulated = top.accumulate(&mut Vec::new())?;
    let transform_error = |message| Error::Transform { path: top.file.clone(), message };
    // kustomize adds the content hashes once, after the top level, then lets references follow, then resolves
    // the variables of every level.
    generator::add_hashes(&mut accumulated.resources);
    transform::fix_name_references(&mut accumulated.resources, &accumulated.config).map_err(transform_error)?;
    vars::resolve(&mut accumulated).map_err(transform_error)?;
    origin::finish(&mut accumulated.resources, &top.root, &top.kustomization.build_metadata)
        .map_err(|message| Error::InvalidKustomization { path: top.file.clone(), message })?;
    order::sort(&mut accumulated.resources, top.kustomization.sort_options.as_ref(), options.reorder)
        .map_err(|message| Error::InvalidKustomization { path: top.file.clone(), message })?;
    Ok(Build { resources: accumulated.resources })
}
