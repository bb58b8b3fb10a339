//! The ArtifactGenerator reconcile (source-watcher's `Reconcile`): finalizer and deletion, the suspend
//! annotation, validation, the sources observed, drift detection, then for each output artifact the build and
//! its ExternalArtifact, garbage collection of what the generator no longer lists, the status and the events.
//!
//! It uses the runtime's pieces (status writer, finalizer helpers, conditions summary, event recorder, backoff)
//! directly: this kind writes other objects rather than one artifact of its own, so it is no
//! [`crate::controllers::runtime::source::SourceKind`].

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use kube::runtime::controller::Action;
use serde_json::{Value, json};

use super::error::GeneratorError;
use super::sources::{self, ObservedSource, alias_of};
use super::{build, drift, external_artifact, validation};
use crate::api::FluxKind;
use crate::api::meta::Artifact;
use crate::api::object::AnyFluxObject;
use crate::api::source::artifact_generator::{ArtifactGenerator, ExternalArtifactReference, OutputArtifact};
use crate::controllers::conditions::{self, Conditions, Outcome};
use crate::controllers::names::{SOURCE_WATCHER_FINALIZER, annotation, condition, controller, reason};
use crate::controllers::runtime::context::Context;
use crate::controllers::runtime::driver::EngineError;
use crate::controllers::runtime::events::EventType;
use crate::controllers::runtime::logs::LogScope;
use crate::controllers::runtime::patch::StatusWriter;
use crate::controllers::runtime::source::{
    conditions_of, event_metadata, record_as, set_conditions, write_final_status,
};
use crate::controllers::runtime::subject::{Subject, has_finalizer, status_before};
use crate::controllers::storage::ArtifactOwner;

const KIND: FluxKind = FluxKind::ArtifactGenerator;
const MANAGER: &str = controller::SOURCE_WATCHER;
/// source-watcher requeues a generator every hour; it has no `spec.interval`.
const INTERVAL: Duration = Duration::from_secs(60 * 60);
/// source-watcher's `--requeue-dependency`: how soon a generator waiting on a source looks again.
const DEPENDENCY_REQUEUE: Duration = Duration::from_secs(5);
const MSG_IN_PROGRESS: &str = "Reconciliation in progress";
const MSG_INIT_SUSPENDED: &str = "Initialized with reconciliation suspended";
const MSG_DISABLED: &str = "Reconciliation is disabled";

/// Reconciles one ArtifactGenerator.
pub fn reconcile(object: Arc<AnyFluxObject>, ctx: Arc<Context>) -> BoxFuture<'static, Result<Action, EngineError>> {
    Box::pin(reconcile_generator(object, ctx))
}

/// Whether the generator carries `source.extensions.fluxcd.io/reconcile: Disabled`.
pub fn is_disabled(generator: &ArtifactGenerator) -> bool {
    generator
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(annotation::SOURCE_WATCHER_RECONCILE))
        .is_some_and(|value| value.eq_ignore_ascii_case(annotation::SOURCE_WATCHER_DISABLED))
}

async fn reconcile_generator(object: Arc<AnyFluxObject>, ctx: Arc<Context>) -> Result<Action, EngineError> {
    let AnyFluxObject::ArtifactGenerator(generator) = object.as_ref() else {
        return Err(EngineError::WrongKind { kind: KIND.name(), detail: format!("{:?}", object.kind()) });
    };
    let meta = &generator.metadata;
    let subject = Subject::new(&ctx, KIND, &object)?;
    let (name, namespace) = (subject.name.clone(), subject.namespace.clone());
    if meta.deletion_timestamp.is_some() {
        if has_finalizer(meta, SOURCE_WATCHER_FINALIZER) {
            let mut owned = inventory_of(generator);
            if let Ok(listed) =
                external_artifact::list_generated(&ctx, &namespace, meta.uid.as_deref().unwrap_or_default()).await
            {
                merge_references(&mut owned, listed);
            }
            external_artifact::delete(&ctx, &subject.scope, &owned).await;
            let _ = tokio::fs::remove_dir_all(ctx.work_dir(KIND, &namespace, &name)).await;
            subject.set_finalizer(meta, SOURCE_WATCHER_FINALIZER, false, MANAGER).await?;
            ctx.log.info_in(&subject.scope, "Removed finalizer");
        }
        return Ok(Action::await_change());
    }
    subject.set_finalizer(meta, SOURCE_WATCHER_FINALIZER, true, MANAGER).await?;

    let before = status_before(&object);
    let mut run = Run {
        writer: StatusWriter::new(subject.api, &name, MANAGER, before.clone()),
        status: before,
        generation: meta.generation.unwrap_or(0),
        ctx: ctx.clone(),
        object: object.clone(),
        scope: subject.scope,
        key: subject.key,
    };
    if is_disabled(generator) {
        ctx.log.error_in(&run.scope, MSG_DISABLED, "can't reconcile");
        run.event(EventType::Warning, reason::RECONCILIATION_DISABLED, MSG_DISABLED).await;
        let mut list = conditions_of(&run.status);
        if !list.iter().any(|c| c.type_ == condition::READY) {
            Conditions::new(&mut list, run.generation).mark_true(
                condition::READY,
                reason::RECONCILIATION_DISABLED,
                MSG_INIT_SUSPENDED,
            );
            set_conditions(&mut run.status, list);
        }
        run.write().await?;
        return Ok(Action::await_change());
    }
    if let Err(err) = validation::validate(&generator.spec) {
        return run.fail(err, &[]).await;
    }
    let observed = match sources::observe(&ctx, generator).await {
        Ok(observed) => observed,
        Err(message) => return run.fail(GeneratorError::SourceUnavailable(message), &[]).await,
    };
    let sources_digest = sources::sources_digest(&observed);
    let Some(drift) = drift::detect(&ctx, generator, &sources_digest).await else {
        let count = inventory_of(generator).len();
        let message = format!("No drift detected, {count} artifact(s) up to date");
        ctx.log.info_in(&run.scope, &message);
        run.event(EventType::Normal, condition::READY, &message).await;
        run.write().await?;
        return Ok(Action::requeue(ctx.backoff.succeeded(&run.key, INTERVAL)));
    };
    ctx.log.info_in(&run.scope, &format!("{MSG_IN_PROGRESS}: {drift}"));
    let mut list = conditions_of(&run.status);
    Conditions::new(&mut list, run.generation).progress(MSG_IN_PROGRESS);
    set_conditions(&mut run.status, list);
    run.write().await?;

    let workspace = ctx.work_dir(KIND, &namespace, &name).join(uuid::Uuid::new_v4().to_string());
    let generated = run.generate(generator, &observed, &workspace).await;
    let _ = tokio::fs::remove_dir_all(&workspace).await;
    match generated {
        Ok(references) => run.succeed(generator, references, sources_digest).await,
        Err((err, applied)) => run.fail(err, &applied).await,
    }
}

/// One reconcile in progress: the status being built and what writes it.
struct Run {
    ctx: Arc<Context>,
    object: Arc<AnyFluxObject>,
    scope: LogScope,
    key: String,
    generation: i64,
    writer: StatusWriter,
    status: Value,
}

/// A generated ExternalArtifact: its inventory entry and its stored artifact.
type Generated = (ExternalArtifactReference, Artifact);

impl Run {
    async fn event(&self, type_: EventType, reason: &str, message: &str) {
        let metadata = event_metadata(KIND, &self.object, &[]);
        record_as(&self.ctx, MANAGER, KIND, &self.object, type_, reason, message, metadata).await;
    }

    /// Writes the status, with `lastHandledReconcileAt` set to the request being handled.
    async fn write(&mut self) -> Result<(), EngineError> {
        write_final_status(&mut self.writer, &mut self.status, &self.object, &self.key).await
    }

    /// Fetches the sources, then builds each output artifact and writes its ExternalArtifact. On failure, also
    /// returns the ExternalArtifacts already written, so the inventory keeps them for garbage collection.
    async fn generate(
        &self,
        generator: &ArtifactGenerator,
        observed: &BTreeMap<String, ObservedSource>,
        workspace: &std::path::Path,
    ) -> Result<Vec<Generated>, (GeneratorError, Vec<ExternalArtifactReference>)> {
        let storage = self.ctx.storage.clone();
        let (sources_copy, workspace_copy) = (observed.clone(), workspace.to_path_buf());
        let directories = tokio::task::spawn_blocking(move || sources::fetch(&storage, &sources_copy, &workspace_copy))
            .await
            .map_err(|err| err.to_string())
            .and_then(|fetched| fetched)
            .map_err(|message| (GeneratorError::SourceFetch(message), Vec::new()))?;
        let directories = Arc::new(directories);
        let namespace = generator.metadata.namespace.clone().unwrap_or_default();
        let inventory = inventory_of(generator);
        let mut generated: Vec<Generated> = Vec::new();
        let applied = |generated: &[Generated]| generated.iter().map(|(r, _)| r.clone()).collect::<Vec<_>>();
        for output in generator.spec.artifacts.iter().flatten() {
            let name = output.name.clone().unwrap_or_default();
            let build_failed = |message: String| GeneratorError::Build { artifact: name.clone(), message };
            let (storage, directories, workspace) =
                (self.ctx.storage.clone(), directories.clone(), workspace.to_path_buf());
            let (artifact_name, artifact_namespace) = (name.clone(), namespace.clone());
            let operations = output.copy.clone().unwrap_or_default();
            let built = tokio::task::spawn_blocking(move || {
                build::build_artifact(
                    &storage,
                    &artifact_name,
                    &artifact_namespace,
                    &operations,
                    &directories,
                    &workspace,
                )
            })
            .await
            .map_err(|err| err.to_string())
            .and_then(|built| built);
            let mut artifact = match built {
                Ok(artifact) => artifact,
                Err(message) => return Err((build_failed(message), applied(&generated))),
            };
            set_revisions(&mut artifact, output, observed);
            if let Err(message) = external_artifact::apply(&self.ctx, generator, &name, &artifact).await {
                let err = GeneratorError::Reconciliation { artifact: name.clone(), message };
                return Err((err, applied(&generated)));
            }
            let digest = artifact.digest.clone().unwrap_or_default();
            let revision = artifact.revision.clone().unwrap_or_default();
            let kind = FluxKind::ExternalArtifact.name();
            let unchanged = inventory.iter().any(|r| {
                r.name.as_deref() == Some(&name)
                    && r.namespace.as_deref() == Some(&namespace)
                    && r.digest.as_deref() == Some(&digest)
            });
            if unchanged {
                self.ctx.log.info_in(&self.scope, &format!("{kind}/{namespace}/{name} is up to date"));
            } else {
                let message = format!("{kind}/{namespace}/{name} reconciled with revision {revision}");
                self.ctx.log.info_in(&self.scope, &message);
                self.event(EventType::Normal, condition::READY, &message).await;
            }
            let filename = artifact.path.as_deref().and_then(|p| p.rsplit('/').next()).map(str::to_string);
            let reference = ExternalArtifactReference {
                name: Some(name),
                namespace: Some(namespace.clone()),
                digest: Some(digest),
                filename,
                ..ExternalArtifactReference::default()
            };
            generated.push((reference, artifact));
        }
        Ok(generated)
    }

    async fn succeed(
        mut self,
        generator: &ArtifactGenerator,
        generated: Vec<Generated>,
        sources_digest: String,
    ) -> Result<Action, EngineError> {
        let references: Vec<ExternalArtifactReference> = generated.iter().map(|(r, _)| r.clone()).collect();
        // What the generator owned before (its inventory, and anything labelled with its UID a failed run left
        // behind) minus what it generated now.
        let mut owned = inventory_of(generator);
        let namespace = generator.metadata.namespace.clone().unwrap_or_default();
        let uid = generator.metadata.uid.clone().unwrap_or_default();
        if let Ok(listed) = external_artifact::list_generated(&self.ctx, &namespace, &uid).await {
            merge_references(&mut owned, listed);
        }
        owned.retain(|o| !references.iter().any(|r| r.name == o.name && r.namespace == o.namespace));
        if !owned.is_empty() {
            external_artifact::delete(&self.ctx, &self.scope, &owned).await;
        }
        for (reference, artifact) in &generated {
            let owner = ArtifactOwner::new(
                FluxKind::ExternalArtifact,
                reference.namespace.clone().unwrap_or_default(),
                reference.name.clone().unwrap_or_default(),
            );
            let (storage, current) = (self.ctx.storage.clone(), artifact.clone());
            let collected = tokio::task::spawn_blocking(move || storage.collect_garbage(&owner, Some(&current)))
                .await
                .map_err(|err| format!("the collection task failed: {err}"));
            match collected.and_then(|result| result.map_err(|err| err.to_string())) {
                Ok(removed) if !removed.is_empty() => {
                    self.ctx.log.info_in(&self.scope, &format!("garbage collected {} old artifact(s)", removed.len()))
                }
                Ok(_) => {}
                Err(err) => self.ctx.log.error_in(&self.scope, "failed to garbage collect artifacts", &err),
            }
        }
        let message = format!("reconciliation succeeded, generated {} artifact(s)", references.len());
        self.status["inventory"] = json!(references);
        self.status["observedSourcesDigest"] = json!(sources_digest);
        let mut list = conditions_of(&self.status);
        let outcome = Outcome::Succeeded { reason: reason::SUCCEEDED.to_string(), message: message.clone() };
        conditions::summarize(&mut list, self.generation, &outcome, &[]);
        set_conditions(&mut self.status, list);
        self.event(EventType::Normal, condition::READY, &message).await;
        self.write().await?;
        Ok(Action::requeue(self.ctx.backoff.succeeded(&self.key, INTERVAL)))
    }

    /// Ends a failed reconcile: Ready=False with the error's reason (Stalled when terminal), a Warning event,
    /// and the next attempt. `applied` are ExternalArtifacts written before the failure, kept in the inventory.
    async fn fail(mut self, err: GeneratorError, applied: &[ExternalArtifactReference]) -> Result<Action, EngineError> {
        let message = err.to_string();
        let mut list = conditions_of(&self.status);
        let outcome = Outcome::failed(None, err.reason(), message.as_str(), err.is_terminal());
        conditions::summarize(&mut list, self.generation, &outcome, &[]);
        set_conditions(&mut self.status, list);
        if !applied.is_empty() {
            let mut inventory: Vec<ExternalArtifactReference> =
                self.status.get("inventory").and_then(|i| serde_json::from_value(i.clone()).ok()).unwrap_or_default();
            merge_references(&mut inventory, applied.to_vec());
            self.status["inventory"] = json!(inventory);
        }
        self.ctx.log.error_in(&self.scope, "reconciliation failed", &message);
        self.event(EventType::Warning, err.reason(), &message).await;
        self.write().await?;
        Ok(if err.is_terminal() {
            Action::await_change()
        } else if err.waits_on_dependency() {
            Action::requeue(DEPENDENCY_REQUEUE)
        } else {
            Action::requeue(self.ctx.backoff.failed(&self.key))
        })
    }
}

fn inventory_of(generator: &ArtifactGenerator) -> Vec<ExternalArtifactReference> {
    generator.status.as_ref().and_then(|s| s.inventory.clone()).unwrap_or_default()
}

/// Adds `more` to `references`, replacing entries of the same name and namespace.
fn merge_references(references: &mut Vec<ExternalArtifactReference>, more: Vec<ExternalArtifactReference>) {
    for reference in more {
        references.retain(|r| !(r.name == reference.name && r.namespace == reference.namespace));
        references.push(reference);
    }
}

/// `revision: "@alias"` takes the source's revision; `originRevision: "@alias"` records the source's origin
/// revision (or its revision) as `org.opencontainers.image.revision` (source-watcher's `setArtifactRevisions`).
fn set_revisions(artifact: &mut Artifact, output: &OutputArtifact, observed: &BTreeMap<String, ObservedSource>) {
    if let Some(source) = output.revision.as_deref().filter(|r| !r.is_empty()).and_then(|r| observed.get(alias_of(r))) {
        artifact.revision = Some(source.revision.clone());
    }
    if let Some(origin) = output.origin_revision.as_deref().filter(|r| !r.is_empty()) {
        let metadata = artifact.metadata.get_or_insert_with(BTreeMap::new);
        if let Some(source) = observed.get(alias_of(origin)) {
            let revision = source.origin_revision.clone().unwrap_or_else(|| source.revision.clone());
            metadata.insert(annotation::OCI_REVISION.to_string(), revision);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_come_from_the_named_sources() {
        let observed = BTreeMap::from([(
            "repo".to_string(),
            ObservedSource {
                digest: "sha256:1".into(),
                revision: "main@sha1:abc".into(),
                origin_revision: None,
                url: String::new(),
                artifact: Artifact::default(),
            },
        )]);
        let mut artifact = Artifact { revision: Some("latest@sha256:x".into()), ..Artifact::default() };
        let output = OutputArtifact {
            revision: Some("@repo".into()),
            origin_revision: Some("@repo".into()),
            ..OutputArtifact::default()
        };
        set_revisions(&mut artifact, &output, &observed);
        assert_eq!(artifact.revision.as_deref(), Some("main@sha1:abc"));
        assert_eq!(artifact.metadata.unwrap()["org.opencontainers.image.revision"], "main@sha1:abc");
    }
}
