//! The GitRepository reconciler's stages (source-controller's `reconcileSource`, `reconcileInclude` and
//! `reconcileArtifact`): read the auth secret, check out the reference, skip the work when the stored artifact
//! already holds that revision with the same ignore rules and includes, lay included repositories' artifacts
//! into the tree, and store the filtered tree as `<commit>.tar.gz`.
//!
//! The shared source reconcile ([`crate::controllers::runtime::source`]) does the rest: finalizer, suspend,
//! conditions, status, events and requeue.

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use serde_json::{Map, Value, json};
use std::future::Future;

use super::{CheckoutError, CheckoutRequest, GitAuth, GitReference, SourceIgnore, checkout};
use crate::api::FluxKind;
use crate::api::meta::Artifact;
use crate::api::object::AnyFluxObject;
use crate::api::source::git_repository::{GitRepository, GitRepositoryInclude};
use crate::controllers::conditions::Outcome;
use crate::controllers::names::{condition, reason};
use crate::controllers::runtime::context::{Context, spec_duration};
use crate::controllers::runtime::source::{
    Produced, Progress, SourceKind, fetch_failed, storage_failed, stored_message,
};
use crate::controllers::storage::{ArtifactOwner, DEFAULT_MAX_UNPACKED_SIZE};

/// The GitRepository kind for the shared source reconcile.
pub struct GitRepositoryKind;

const OWNED: &[&str] = &[
    condition::FETCH_FAILED,
    condition::STORAGE_OPERATION_FAILED,
    condition::INCLUDE_UNAVAILABLE,
    condition::ARTIFACT_OUTDATED,
];

impl SourceKind for GitRepositoryKind {
    const KIND: FluxKind = FluxKind::GitRepository;
    const OWNED_FAILURES: &'static [&'static str] = OWNED;

    type Object = GitRepository;

    fn produce<'a>(
        repository: &'a GitRepository,
        ctx: &'a Context,
        current: Option<Artifact>,
        progress: &'a Progress,
    ) -> impl Future<Output = Result<Produced, Outcome>> + Send + 'a {
        produce(repository, ctx, current, progress)
    }
}

impl From<CheckoutError> for Outcome {
    fn from(err: CheckoutError) -> Outcome {
        fetch_failed(err.reason(), err.to_string(), err.is_terminal())
    }
}

async fn produce(
    repository: &GitRepository,
    ctx: &Context,
    current: Option<Artifact>,
    progress: &Progress,
) -> Result<Produced, Outcome> {
    let namespace = repository.metadata.namespace.clone().unwrap_or_default();
    let name = repository.metadata.name.clone().unwrap_or_default();
    let spec = &repository.spec;
    let url = spec.url.clone().unwrap_or_default();
    if url.is_empty() {
        return Err(fetch_failed(reason::URL_INVALID, "spec.url is empty", true));
    }
    let auth = match spec.secret_ref.as_ref().and_then(|r| r.name.as_deref()) {
        Some(secret) => {
            let data = ctx
                .secret_data(&namespace, secret)
                .await
                .map_err(|err| fetch_failed(reason::AUTHENTICATION_FAILED, err.to_string(), false))?;
            GitAuth::from_secret_data(&url, &data)?
        }
        None => GitAuth::None,
    };
    let reference = spec
        .ref_
        .as_ref()
        .map(|r| GitReference {
            branch: r.branch.clone().filter(|s| !s.is_empty()),
            tag: r.tag.clone().filter(|s| !s.is_empty()),
            semver: r.semver.clone().filter(|s| !s.is_empty()),
            name: r.name.clone().filter(|s| !s.is_empty()),
            commit: r.commit.clone().filter(|s| !s.is_empty()),
        })
        .unwrap_or_default();
    let timeout = spec_duration(spec.timeout.as_deref(), Duration::from_secs(60));
    let request = CheckoutRequest {
        url: url.clone(),
        reference,
        auth,
        workdir: ctx.work_dir(FluxKind::GitRepository, &namespace, &name).join("checkout"),
        timeout,
    };
    // libgit2 does not bound a stalled socket; the reconcile does, with a margin over the transfer timeout.
    let checked_out = match tokio::time::timeout(timeout + Duration::from_secs(5), checkout(request)).await {
        Ok(result) => result?,
        Err(_) => return Err(CheckoutError::Timeout { url: url.clone(), timeout }.into()),
    };
    let revision = checked_out.revision.clone();

    let includes = resolve_includes(ctx, &namespace, spec.include.as_deref().unwrap_or_default()).await?;
    let observed_include = serde_json::to_value(spec.include.clone().unwrap_or_default()).unwrap_or(Value::Null);
    let mut status_fields = Map::new();
    status_fields.insert("observedIgnore".into(), spec.ignore.as_ref().map_or(Value::Null, |i| json!(i)));
    status_fields.insert(
        "observedInclude".into(),
        if spec.include.as_ref().is_some_and(|i| !i.is_empty()) { observed_include.clone() } else { Value::Null },
    );
    status_fields.insert(
        "includedArtifacts".into(),
        if includes.is_empty() { Value::Null } else { json!(includes.iter().map(|i| &i.artifact).collect::<Vec<_>>()) },
    );
    let status = repository.status.as_ref();
    let unchanged_rules = status.and_then(|s| s.observed_ignore.clone()) == spec.ignore
        && status.and_then(|s| s.included_artifacts.clone()).unwrap_or_default()
            == includes.iter().map(|i| i.artifact.clone()).collect::<Vec<_>>();
    if let Some(current) = &current
        && current.revision.as_deref() == Some(revision.as_str())
        && unchanged_rules
        && ctx.storage.contains(current)
    {
        return Ok(Produced {
            reason: reason::SUCCEEDED,
            artifact: current.clone(),
            message: stored_message(&revision),
            new_artifact_message: None,
            status_fields,
        });
    }
    progress.new_revision(&revision).await;

    let owner = ArtifactOwner::new(FluxKind::GitRepository, namespace.clone(), name.clone());
    let file_name = format!("{}.tar.gz", checked_out.commit.hash);
    let ignore = spec.ignore.clone();
    let tree = checked_out.path.clone();
    let storage = ctx.storage.clone();
    let staging = ctx.work_dir(FluxKind::GitRepository, &namespace, &name).join("staging");
    let artifact = tokio::task::spawn_blocking(move || -> Result<Artifact, Outcome> {
        let rules = SourceIgnore::load(&tree, ignore.as_deref())
            .map_err(|err| storage_failed(format!("failed to load ignore rules: {err}")))?;
        let filter = |path: &Path, is_dir: bool| !rules.is_ignored(path, is_dir);
        if includes.is_empty() {
            return storage
                .store_directory(&owner, &file_name, &tree, &filter, &revision)
                .map_err(|err| storage_failed(format!("unable to archive artifact to storage: {err}")));
        }
        // Includes are laid into a copy, so the checkout stays a clean working tree for the next fetch.
        let _ = std::fs::remove_dir_all(&staging);
        copy_tree(&tree, &staging, &|path, is_dir| filter(path, is_dir))
            .map_err(|err| storage_failed(format!("failed to stage the checkout: {err}")))?;
        for include in &includes {
            include.lay_into(&storage, &staging)?;
        }
        let everything = |_: &Path, _: bool| true;
        let stored = storage
            .store_directory(&owner, &file_name, &staging, &everything, &revision)
            .map_err(|err| storage_failed(format!("unable to archive artifact to storage: {err}")));
        let _ = std::fs::remove_dir_all(&staging);
        stored
    })
    .await
    .map_err(|err| storage_failed(format!("the archive task failed: {err}")))??;
    let subject: String = checked_out.commit.message.lines().next().unwrap_or_default().chars().take(50).collect();
    Ok(Produced {
        reason: reason::SUCCEEDED,
        message: stored_message(&checked_out.revision),
        new_artifact_message: Some(format!("stored artifact for commit '{subject}'")),
        artifact,
        status_fields,
    })
}

/// One included GitRepository: its artifact and where its files go.
struct Include {
    artifact: Artifact,
    from_path: PathBuf,
    to_path: PathBuf,
}

async fn resolve_includes(
    ctx: &Context,
    namespace: &str,
    includes: &[GitRepositoryInclude],
) -> Result<Vec<Include>, Outcome> {
    let unavailable = |message: String| {
        Outcome::failed(Some(condition::INCLUDE_UNAVAILABLE), reason::INCLUDE_UNAVAILABLE, message, false)
    };
    let mut resolved = Vec::new();
    for include in includes {
        let name = include.repository.as_ref().and_then(|r| r.name.clone()).unwrap_or_default();
        let api = ctx
            .api(FluxKind::GitRepository, namespace)
            .ok_or_else(|| unavailable("GitRepository is not served by the cluster".into()))?;
        let object = api
            .get(&name)
            .await
            .map_err(|err| unavailable(format!("could not get resource for include '{name}': {err}")))?;
        let AnyFluxObject::GitRepository(other) = object else {
            return Err(unavailable(format!("include '{name}' is not a GitRepository")));
        };
        let artifact = other
            .status
            .and_then(|s| s.artifact)
            .ok_or_else(|| unavailable(format!("no artifact available for include '{name}'")))?;
        let to_path = include.to_path.clone().filter(|p| !p.is_empty()).unwrap_or_else(|| name.clone());
        let from_path = include.from_path.clone().unwrap_or_default();
        let (Some(to_path), Some(from_path)) = (relative(&to_path), relative(&from_path)) else {
            return Err(unavailable(format!("include '{name}': paths must stay inside the artifact")));
        };
        resolved.push(Include { artifact, from_path, to_path });
    }
    Ok(resolved)
}

impl Include {
    /// Unpacks the included artifact and copies its `fromPath` into `root/toPath`, replacing what was there.
    fn lay_into(&self, storage: &crate::controllers::storage::Storage, root: &Path) -> Result<(), Outcome> {
        let failed = |message: String| {
            Outcome::failed(Some(condition::INCLUDE_UNAVAILABLE), reason::INCLUDE_UNAVAILABLE, message, false)
        };
        let unpacked = root.with_extension(format!("include-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&unpacked);
        storage
            .unpack_verified(&self.artifact, &unpacked, DEFAULT_MAX_UNPACKED_SIZE)
            .map_err(|err| failed(format!("failed to unpack included artifact: {err}")))?;
        let target = root.join(&self.to_path);
        let _ = std::fs::remove_dir_all(&target);
        let copied = copy_tree(&unpacked.join(&self.from_path), &target, &|_, _| true).map_err(|err| {
            failed(format!("failed to copy included artifact into '{}': {err}", self.to_path.display()))
        });
        let _ = std::fs::remove_dir_all(&unpacked);
        copied
    }
}

/// A relative path with no `..`, or `None`.
fn relative(path: &str) -> Option<PathBuf> {
    let path = Path::new(path.trim_start_matches("./"));
    path.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir)).then(|| path.to_path_buf())
}

/// Copies regular files and directories under `from` that `keep` accepts (paths relative to `from`) into `to`.
fn copy_tree(from: &Path, to: &Path, keep: &dyn Fn(&Path, bool) -> bool) -> std::io::Result<()> {
    fn visit(root: &Path, dir: &Path, to: &Path, keep: &dyn Fn(&Path, bool) -> bool) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let path = entry.path();
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let file_type = entry.file_type()?;
            if file_type.is_dir() {
                if keep(relative, true) {
                    std::fs::create_dir_all(to.join(relative))?;
                    visit(root, &path, to, keep)?;
                }
            } else if file_type.is_file() && keep(relative, false) {
                std::fs::copy(&path, to.join(relative))?;
            }
        }
        Ok(())
    }
    std::fs::create_dir_all(to)?;
    visit(from, from, to, keep)
}
