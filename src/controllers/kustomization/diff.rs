//! What a Kustomization would change if it were reconciled now (`flux diff kustomization`), computed with the
//! reconciler's own stages and nothing written: the source artifact ([`crate::controllers::artifact_fetch`]) or a
//! local directory, the build ([`super::build::build_tree`] with [`super::inputs::load_variables`]), then per
//! object the apply stage's preparation and opt-outs ([`super::apply::target_of`]) and a server-side apply
//! dry-run as `kustomize-controller`, compared with the live object (the `spec.ignore` paths left out of both); and, with `spec.prune`, the objects of
//! `status.inventory` the build no longer has and the prune stage would delete ([`super::prune::may_prune`]).
//!
//! Failures of the whole (the Kustomization, its source, the build) are a [`DiffError`]; a failure of one object
//! (forbidden, a dry-run the server refuses) is that object's [`Drift::Failed`], and the others are still shown.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use super::apply::{ApplyOptions, Planned, dry_run_failed, prepare_all, recreates, target_of, to_value};
use super::build::build_tree;
use super::diff_text::drift_diff;
use super::ignore::IgnoreRules;
use super::inputs::{SourceProblem, load_variables, resolve_source};
use super::inventory::{InventoryEntry, entry_of, recorded, stale};
use super::object::{ObjectId, Resolver, api_error};
use super::prune::may_prune;
use crate::api::FluxKind;
use crate::api::kustomize::kustomization::Kustomization;
use crate::api::object::AnyFluxObject;
use crate::controllers::artifact_fetch::unpack_artifact;
use crate::controllers::runtime::context::FluxReader;
use crate::controllers::storage::Storage;

/// How to compute a diff.
#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// Build this local directory instead of the source artifact (`--path`).
    pub local_path: Option<PathBuf>,
    /// The embedded engine's storage: its artifacts are read from disk instead of downloaded.
    pub storage: Option<Arc<Storage>>,
}

/// What would happen to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Drift {
    /// Not in the cluster: the apply would create it.
    Created,
    /// In the cluster, different from what the apply would make of it.
    Drifted,
    Unchanged,
    /// An opt-out keeps the apply (or the prune) away from it.
    Skipped,
    /// In the last inventory, not in the build: the prune would delete it.
    Pruned,
    /// Its dry-run or read failed.
    Failed,
}

impl Drift {
    /// The word `flux diff` prints after the object.
    pub fn verb(self) -> &'static str {
        match self {
            Drift::Created => "created",
            Drift::Drifted => "drifted",
            Drift::Unchanged => "unchanged",
            Drift::Skipped => "skipped",
            Drift::Pruned => "deleted",
            Drift::Failed => "failed",
        }
    }

    /// Whether it is a difference between Git and the cluster.
    pub fn differs(self) -> bool {
        matches!(self, Drift::Created | Drift::Drifted | Drift::Pruned)
    }
}

/// One object's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectDrift {
    pub id: ObjectId,
    pub drift: Drift,
    /// For [`Drift::Drifted`]: the live object and the dry-run result, kept whole so that the text can be masked
    /// or revealed on demand ([`ObjectDrift::diff`]).
    pub live: Option<Value>,
    pub merged: Option<Value>,
    /// Why it was skipped or failed, or a note on the change.
    pub message: String,
}

impl ObjectDrift {
    /// The unified diff from the live object to the dry-run result, secrets masked unless `reveal`; empty when
    /// there is none to show.
    pub fn diff(&self, reveal: bool) -> String {
        match (&self.live, &self.merged) {
            (Some(live), Some(merged)) => drift_diff(live, merged, reveal),
            _ => String::new(),
        }
    }
}

/// The diff of one Kustomization.
#[derive(Debug, Clone, PartialEq)]
pub struct KustomizationDiff {
    /// What was built: the artifact's revision, or the local directory.
    pub built_from: String,
    /// In apply order, then the objects to prune.
    pub objects: Vec<ObjectDrift>,
}

impl KustomizationDiff {
    pub fn count(&self, drift: Drift) -> usize {
        self.objects.iter().filter(|o| o.drift == drift).count()
    }

    pub fn has_differences(&self) -> bool {
        self.objects.iter().any(|o| o.drift.differs())
    }

    pub fn has_failures(&self) -> bool {
        self.objects.iter().any(|o| o.drift == Drift::Failed)
    }
}

/// Why no diff could be computed at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiffError {
    #[error("Kustomization {namespace}/{name} not found")]
    NotFound { namespace: String, name: String },
    #[error("the cluster does not serve Kustomizations")]
    NotServed,
    #[error("cannot read Kustomization {namespace}/{name}: {message}")]
    Unreadable { namespace: String, name: String, message: String },
    #[error("{0}")]
    Source(String),
    #[error("the source has no artifact yet: {0}")]
    NoArtifact(String),
    #[error("{0}")]
    Artifact(String),
    #[error("{0}")]
    Variables(String),
    #[error("build failed: {0}")]
    Build(String),
    /// The spec cannot be used as it is (an invalid `spec.ignore` rule).
    #[error("{0}")]
    Invalid(String),
}

/// Diffs the Kustomization `namespace/name` against the cluster.
pub async fn diff_kustomization<R: FluxReader + ?Sized>(
    reader: &R,
    namespace: &str,
    name: &str,
    options: &DiffOptions,
) -> Result<KustomizationDiff, DiffError> {
    let api = reader.flux_api(FluxKind::Kustomization, namespace).ok_or(DiffError::NotServed)?;
    let unreadable =
        |message: String| DiffError::Unreadable { namespace: namespace.to_string(), name: name.to_string(), message };
    let object = match api.get_opt(name).await {
        Ok(Some(object)) => object,
        Ok(None) => return Err(DiffError::NotFound { namespace: namespace.to_string(), name: name.to_string() }),
        Err(err) => return Err(unreadable(api_error(&err).1)),
    };
    let AnyFluxObject::Kustomization(ks) = object else {
        return Err(unreadable(format!("it does not read as a Kustomization: {:?}", object.kind())));
    };
    let scratch = Scratch::new();
    let root = scratch.0.join("source");
    let (built_from, path) = match &options.local_path {
        Some(local) => {
            let (from, to) = (local.clone(), root.clone());
            tokio::task::spawn_blocking(move || copy_tree(&from, &to))
                .await
                .map_err(|err| DiffError::Artifact(format!("the copy task failed: {err}")))?
                .map_err(DiffError::Artifact)?;
            (local.display().to_string(), String::new())
        }
        None => {
            let (_, artifact) = resolve_source(reader, &ks).await.map_err(|problem| match problem {
                SourceProblem::Unavailable(message) => DiffError::Source(message),
                SourceProblem::NoArtifact => {
                    let (kind, namespace, name) = super::inputs::source_key(&ks);
                    DiffError::NoArtifact(format!("{kind}/{namespace}/{name}"))
                }
            })?;
            unpack_artifact(reader.client(), options.storage.clone(), &artifact, &root)
                .await
                .map_err(|err| DiffError::Artifact(err.0))?;
            (artifact.revision.clone().unwrap_or_default(), ks.spec.path.clone().unwrap_or_default())
        }
    };
    let vars = load_variables(reader, &ks).await.map_err(DiffError::Variables)?;
    let spec = ks.spec.clone();
    let built = tokio::task::spawn_blocking(move || build_tree(&root, &path, &spec, &vars, true))
        .await
        .map_err(|err| DiffError::Build(format!("the build task failed: {err}")))?
        .map_err(|err| DiffError::Build(err.message))?;
    drop(scratch);

    let mut apply_options = ApplyOptions::new(name, namespace);
    apply_options.force = ks.spec.force.unwrap_or(false);
    apply_options.ignore =
        IgnoreRules::compile(ks.spec.ignore.as_deref().unwrap_or_default()).map_err(DiffError::Invalid)?;
    let prepared = prepare_all(built.objects, &apply_options).map_err(DiffError::Build)?;
    let defined = defined_kinds(&prepared);
    let resolver = Resolver::new(reader.client().clone());
    let mut objects = Vec::with_capacity(prepared.len());
    let mut inventory = Vec::with_capacity(prepared.len());
    for (mut id, desired) in prepared {
        let outcome = object_drift(&resolver, &mut id, &desired, &apply_options, &defined).await;
        inventory.push(entry_of(&id));
        objects.push(outcome);
    }
    if ks.spec.prune.unwrap_or(false) {
        objects.extend(prunes(&resolver, &ks, &inventory, name, namespace).await);
    }
    Ok(KustomizationDiff { built_from, objects })
}

fn outcome(id: &ObjectId, drift: Drift, message: impl Into<String>) -> ObjectDrift {
    ObjectDrift { id: id.clone(), drift, live: None, merged: None, message: message.into() }
}

/// One built object: skipped, created, drifted (with its diff), unchanged or failed.
async fn object_drift(
    resolver: &Resolver,
    id: &mut ObjectId,
    desired: &Value,
    options: &ApplyOptions,
    defined: &HashSet<(String, String)>,
) -> ObjectDrift {
    let target = match target_of(resolver, id, desired, &options.ignore).await {
        Ok(Planned::Apply(target)) => target,
        Ok(Planned::Skip(why)) => return outcome(id, Drift::Skipped, why),
        // The kind comes from a CRD of the same build, not applied yet: the object would be created with it.
        Err(_) if defined.contains(&(id.group.clone(), id.kind.clone())) => {
            return outcome(id, Drift::Created, "its CustomResourceDefinition is created first");
        }
        Err(message) => return outcome(id, Drift::Failed, message),
    };
    let id = &*id;
    match target.dry_run(id).await {
        Ok(merged) => match &target.live {
            None => outcome(id, Drift::Created, ""),
            Some(_) if target.unchanged(&merged) => outcome(id, Drift::Unchanged, ""),
            Some(live) => ObjectDrift {
                live: Some(target.masked(live)),
                merged: Some(target.masked(&merged)),
                ..outcome(id, Drift::Drifted, "")
            },
        },
        // A new object in a namespace the same apply creates first: the dry-run cannot see the namespace yet.
        Err(kube::Error::Api(status)) if status.code == 404 && target.live.is_none() => outcome(id, Drift::Created, ""),
        Err(err) if recreates(&err, &target, options) => {
            let (_, message) = api_error(&err);
            outcome(id, Drift::Drifted, format!("immutable fields changed, recreated (force): {message}"))
        }
        Err(err) => outcome(id, Drift::Failed, dry_run_failed(id, &err)),
    }
}

/// The `(group, kind)` of every CustomResourceDefinition in the build.
fn defined_kinds(prepared: &[(ObjectId, Value)]) -> HashSet<(String, String)> {
    prepared
        .iter()
        .filter(|(id, _)| id.kind == "CustomResourceDefinition")
        .filter_map(|(_, crd)| {
            let group = crd.pointer("/spec/group")?.as_str()?;
            let kind = crd.pointer("/spec/names/kind")?.as_str()?;
            Some((group.to_string(), kind.to_string()))
        })
        .collect()
}

/// The objects of the last inventory the build no longer has: deleted, or skipped when an opt-out (or another
/// owner's labels) keeps them.
async fn prunes(
    resolver: &Resolver,
    ks: &Kustomization,
    inventory: &[InventoryEntry],
    name: &str,
    namespace: &str,
) -> Vec<ObjectDrift> {
    let old = recorded(ks);
    let gone = match stale(&old, inventory) {
        Ok(gone) => gone,
        Err(message) => {
            let id = ObjectId::new("", "Kustomization", namespace, name);
            return vec![outcome(&id, Drift::Failed, format!("status.inventory: {message}"))];
        }
    };
    let mut found = Vec::with_capacity(gone.len());
    for id in gone {
        let live = match resolver.resolve(&id).await {
            Ok(resolved) => resolver.api(&resolved, &id).get_opt(&id.name).await.map(|o| o.map(to_value)),
            Err(message) => {
                found.push(outcome(&id, Drift::Failed, format!("{id} query failed: {message}")));
                continue;
            }
        };
        match live {
            // Already gone: nothing to delete.
            Ok(None) => {}
            Ok(Some(live)) if may_prune(&live, name, namespace) => {
                found.push(outcome(&id, Drift::Pruned, ""));
            }
            Ok(Some(_)) => found.push(outcome(&id, Drift::Skipped, "prune disabled, or not owned")),
            Err(err) => found.push(outcome(&id, Drift::Failed, format!("{id} query failed: {}", api_error(&err).1))),
        }
    }
    found
}

/// A scratch directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        Scratch(std::env::temp_dir().join(format!("fluxtui-diff-{}", uuid::Uuid::new_v4())))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Copies a local directory for the build (which writes its generated kustomization into the copy, never into the
/// user's tree). Regular files and directories only, as an artifact holds them; `.git` is left out.
fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    let failed = |path: &Path, err: std::io::Error| format!("{}: {err}", path.display());
    if !from.is_dir() {
        return Err(format!("{}: not a directory", from.display()));
    }
    std::fs::create_dir_all(to).map_err(|err| failed(to, err))?;
    for entry in std::fs::read_dir(from).map_err(|err| failed(from, err))? {
        let entry = entry.map_err(|err| failed(from, err))?;
        let source = entry.path();
        let kind = entry.file_type().map_err(|err| failed(&source, err))?;
        let target = to.join(entry.file_name());
        if kind.is_dir() && entry.file_name() != ".git" {
            copy_tree(&source, &target)?;
        } else if kind.is_file() {
            std::fs::copy(&source, &target).map_err(|err| failed(&source, err))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_differences() {
        let id = ObjectId::of(&serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c", "namespace": "default"}}))
        .expect("an id");
        let diff = |drifts: &[Drift]| KustomizationDiff {
            built_from: "main@sha1:abc".into(),
            objects: drifts.iter().map(|d| outcome(&id, *d, "")).collect(),
        };
        assert!(!diff(&[Drift::Unchanged, Drift::Skipped]).has_differences());
        let changed = diff(&[Drift::Drifted, Drift::Pruned, Drift::Pruned, Drift::Failed]);
        assert!(changed.has_differences() && changed.has_failures());
        assert_eq!(changed.count(Drift::Pruned), 2);
        assert_eq!(Drift::Pruned.verb(), "deleted");
    }

    #[test]
    fn copies_files_and_directories_but_not_git() {
        let from = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(from.path().join("apps/.git")).unwrap();
        std::fs::write(from.path().join("apps/a.yaml"), "a").unwrap();
        std::fs::write(from.path().join("apps/.git/HEAD"), "ref").unwrap();
        let to = tempfile::tempdir().expect("tempdir");
        copy_tree(from.path(), &to.path().join("copy")).expect("copied");
        assert_eq!(std::fs::read_to_string(to.path().join("copy/apps/a.yaml")).unwrap(), "a");
        assert!(!to.path().join("copy/apps/.git").exists());
        assert!(copy_tree(&from.path().join("missing"), &to.path().join("x")).is_err());
    }
}
