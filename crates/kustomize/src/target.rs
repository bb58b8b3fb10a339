//! One kustomization target, accumulated as kustomize's `KustTarget.accumulateTarget` does: its resources (files,
//! and bases built as targets of their own), then its generators, then its components (each applied to what is
//! accumulated so far, in order), then its transformers, and last its variables. A base starts an accumulation
//! of its own whose result joins the including level; a component works on the including level's accumulation.

use std::cell::RefCell;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::generator;
use crate::kustomization::Kustomization;
use crate::loader;
use crate::openapi::OpenApi;
use crate::options::BuildOptions;
use crate::origin::Origin;
use crate::patch::Patches;
use crate::plugin;
use crate::replacement::Replacements;
use crate::resource::{Gvk, Resource};
use crate::transform;
use crate::transform::config::TransformerConfig;
use crate::vars::{self, Var};

/// What a target accumulated: resources in order, the variables of every level, and the transformer
/// configuration (kustomize's defaults plus `configurations` and `crds` of every level).
#[derive(Debug, Default)]
pub struct Accumulated {
    pub resources: Vec<Resource>,
    pub vars: Vec<Var>,
    pub config: TransformerConfig,
}

impl Accumulated {
    /// Appends resources, refusing an id that is already there (kind, name and effective namespace). `seen` holds
    /// the ids of `self.resources` (see [`Accumulated::ids`]); a level's entries are appended one after the other
    /// with the same set, so that a base of thousands of files is not re-indexed for each.
    fn append(&mut self, file: &Path, resources: Vec<Resource>, seen: &mut HashSet<Key>) -> Result<(), Error> {
        for resource in resources {
            if !seen.insert(key(&resource)) {
                return Err(Error::DuplicateId { path: file.to_path_buf(), id: resource.id().to_string() });
            }
            self.resources.push(resource);
        }
        Ok(())
    }

    /// The ids of the resources, for [`Accumulated::append`].
    fn ids(&self) -> HashSet<Key> {
        self.resources.iter().map(key).collect()
    }

    /// Takes in a base's accumulation: its resources, variables and configuration.
    fn merge(&mut self, file: &Path, other: Accumulated, seen: &mut HashSet<Key>) -> Result<(), Error> {
        self.append(file, other.resources, seen)?;
        vars::merge(&mut self.vars, other.vars).map_err(|message| Error::Transform { path: file.into(), message })?;
        self.config.merge(other.config);
        Ok(())
    }
}

/// A resource's id as kustomize checks it for uniqueness: kind, name and effective namespace.
type Key = (Gvk, String, String);

fn key(r: &Resource) -> Key {
    let id = r.id();
    (id.gvk.clone(), id.name.clone(), id.effective_namespace().to_string())
}

/// Whether a directory is expected to hold a `Kustomization` or a `Component`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Kustomization,
    Component,
}

/// A kustomization, read, with where it sits.
pub struct Target<'a> {
    /// Its directory, canonical.
    pub root: PathBuf,
    /// Its kustomization file.
    pub file: PathBuf,
    pub kustomization: Kustomization,
    options: &'a BuildOptions,
    /// The build's OpenAPI schema state, which kustomize keeps process-wide.
    openapi: &'a RefCell<OpenApi>,
}

impl<'a> Target<'a> {
    /// The kustomization a build starts from.
    pub fn top(dir: &Path, options: &'a BuildOptions, openapi: &'a RefCell<OpenApi>) -> Result<Target<'a>, Error> {
        // kustomize builds a Component directly as it builds a Kustomization.
        Self::load(dir, options, openapi, None, true)
    }

    /// Reads the kustomization of `dir` and lets its `openapi` field set the build's schema (always for the top,
    /// else only while none is set).
    fn load(
        dir: &Path,
        options: &'a BuildOptions,
        openapi: &'a RefCell<OpenApi>,
        expected: Option<Kind>,
        top: bool,
    ) -> Result<Target<'a>, Error> {
        let root = dir.canonicalize().map_err(|e| Error::io(dir, e))?;
        let (file, kustomization) = match options.top_kustomization.as_deref().filter(|_| top) {
            Some(text) => Kustomization::from_text(root.join("kustomization.yaml"), text)?,
            None => Kustomization::load(&root)?,
        };
        let kind = match kustomization.kind.as_deref() {
            Some("Component") => Kind::Component,
            _ => Kind::Kustomization,
        };
        if let Some(expected) = expected
            && kind != expected
        {
            let message = match expected {
                Kind::Component => "expected kind `Component` for a directory in `components`, found `Kustomization`",
                Kind::Kustomization => "a Component can only be used in `components`, not as a resource",
            };
            return Err(Error::InvalidKustomization { path: file, message: message.into() });
        }
        openapi.borrow_mut().set(kustomization.openapi.as_ref(), &root, &file, options, top)?;
        Ok(Target { root, file, kustomization, options, openapi })
    }

    /// Builds this target into a new accumulation.
    pub fn accumulate(&self, stack: &mut Vec<PathBuf>) -> Result<Accumulated, Error> {
        let mut accumulated = Accumulated::default();
        self.accumulate_into(&mut accumulated, stack)?;
        Ok(accumulated)
    }

    fn accumulate_into(&self, acc: &mut Accumulated, stack: &mut Vec<PathBuf>) -> Result<(), Error> {
        if stack.contains(&self.root) {
            return Err(Error::Cycle { path: stack.last().cloned().unwrap_or_default(), dir: self.root.clone() });
        }
        stack.push(self.root.clone());
        let k = &self.kustomization;
        let mut seen = acc.ids();
        for entry in k.bases.iter().chain(&k.resources) {
            self.accumulate_resource(acc, entry, stack, &mut seen)?;
        }
        let transform_error = |message| Error::Transform { path: self.file.clone(), message };
        acc.config.load(&self.root, &self.file, k, self.options)?;
        generator::run(&self.root, &self.file, k, self.options, &mut acc.resources)?;
        let plugins = plugin::Plugins::load(&self.root, &self.file, k, self.options)?;
        plugins.generate(&mut acc.resources)?;
        // Since kustomize v5.1 components come after the level's generators, before its transformers.
        for entry in &k.components {
            let dir = loader::resolve_dir(&self.root, &self.file, entry, self.options)?;
            Target::load(&dir, self.options, self.openapi, Some(Kind::Component), false)?
                .accumulate_into(acc, stack)?;
        }
        stack.pop();
        let patches = Patches::load(&self.root, &self.file, k, self.options)?;
        let replacements = Replacements::load(&self.root, &self.file, k.replacements.as_ref(), self.options)?;
        let openapi = &mut self.openapi.borrow_mut();
        let mut ran = transform::apply_builtins(&self.file, k, &patches, &acc.config, &mut acc.resources, openapi)
            .map_err(transform_error)?;
        if !replacements.is_empty() {
            replacements.apply(&mut acc.resources).map_err(transform_error)?;
            ran.push(Origin::builtin(&self.file, "ReplacementTransformer"));
        }
        ran.extend(plugins.transform(&mut acc.resources, openapi)?);
        for resource in &mut acc.resources {
            resource.transformations.extend(ran.iter().cloned());
        }
        transform::finish_level(&acc.config, &mut acc.resources).map_err(transform_error)?;
        let mut level_vars = vars::parse(k.vars.as_ref()).map_err(transform_error)?;
        vars::bind(&mut level_vars, &acc.resources).map_err(transform_error)?;
        vars::merge(&mut acc.vars, level_vars).map_err(transform_error)
    }

    fn accumulate_resource(
        &self,
        acc: &mut Accumulated,
        entry: &str,
        stack: &mut Vec<PathBuf>,
        seen: &mut HashSet<Key>,
    ) -> Result<(), Error> {
        match loader::resolve_entry(&self.root, &self.file, entry, self.options)? {
            loader::Entry::Dir(dir) => {
                let base = Target::load(&dir, self.options, self.openapi, Some(Kind::Kustomization), false)?;
                let accumulated = base.accumulate(stack)?;
                acc.merge(&self.file, accumulated, seen)
            }
            loader::Entry::File(path) => {
                let mut resources = loader::read_resources(&path)?;
                let mut openapi = self.openapi.borrow_mut();
                for r in &mut resources {
                    r.origin = Some(Origin::file(&path));
                    let api_version = r.value.get("apiVersion").and_then(|v| v.as_str()).unwrap_or_default();
                    openapi
                        .saw_kind(api_version, r.kind())
                        .map_err(|message| Error::InvalidResource { path: path.clone(), message })?;
                }
                acc.append(&self.file, resources, seen)
            }
        }
    }
}
