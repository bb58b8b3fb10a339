//! The reconcile every source kind shares (source-controller's `reconcile` loop): finalizer and deletion,
//! suspend, progress conditions, the kind's stages producing an artifact, the summary, the status write, the
//! events and the next run. A source kind supplies only [`SourceKind::produce`].

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use kube::runtime::controller::Action;
use serde_json::{Map, Value, json};
use tokio::sync::Mutex;

use super::context::{Context, spec_duration};
use super::driver::EngineError;
use super::events::{EventRecord, EventType, InvolvedObject};
use super::logs::LogScope;
use super::patch::StatusWriter;
use super::subject::{Subject, has_finalizer, status_before};
use crate::api::FluxKind;
use crate::api::meta::{Artifact, Condition};
use crate::api::object::{AnyFluxObject, KindObject};
use crate::controllers::conditions::{self, Conditions, Outcome};
use crate::controllers::names::{FINALIZER, annotation, condition, controller, field, reason, status};
use crate::controllers::storage::ArtifactOwner;

/// What a source kind's stages produced.
#[derive(Debug, Clone)]
pub struct Produced {
    pub artifact: Artifact,
    /// Ready's and ArtifactInStorage's reason: `Succeeded` for most kinds; HelmChart's `ChartPullSucceeded` or
    /// `ChartPackageSucceeded`, which Flux also gives its success events instead of `NewArtifact`.
    pub reason: &'static str,
    /// Ready's and ArtifactInStorage's message (`stored artifact for revision '…'`).
    pub message: String,
    /// The `NewArtifact` event's message, when the artifact is new (its digest changed).
    pub new_artifact_message: Option<String>,
    /// Kind-specific status fields (`observedIgnore`, `url`, ...); `Value::Null` removes one.
    pub status_fields: Map<String, Value>,
}

/// One source kind's stages.
pub trait SourceKind: Send + Sync + 'static {
    const KIND: FluxKind;
    /// The failure conditions its stages own, cleared by the summary when they no longer apply.
    const OWNED_FAILURES: &'static [&'static str];
    /// The requeue interval when `spec.interval` is unset.
    const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);

    /// Whether `object` is static: no artifact, no conditions, no finalizer (HelmRepository `type: oci`,
    /// SEMANTICS §3). The shared reconcile then only removes what an earlier type left: stored artifacts, the
    /// finalizer and the status.
    fn is_static(_object: &AnyFluxObject) -> bool {
        false
    }

    /// The kind's own object type.
    type Object: KindObject + Send + Sync;

    /// Fetches, builds and stores the artifact. `current` is the artifact in the status (the last one stored).
    fn produce<'a>(
        object: &'a Self::Object,
        ctx: &'a Context,
        current: Option<Artifact>,
        progress: &'a Progress,
    ) -> impl Future<Output = Result<Produced, Outcome>> + Send + 'a;
}

/// Lets a kind's stages show progress while they run (Flux writes `ArtifactOutdated` as soon as it sees a new
/// revision, before the slow part).
#[derive(Clone)]
pub struct Progress {
    inner: Arc<Mutex<ProgressState>>,
}

struct ProgressState {
    writer: StatusWriter,
    status: Value,
    generation: i64,
}

impl Progress {
    /// Marks a new upstream revision: `ArtifactOutdated=True` (`NewRevision`) and the Reconciling message
    /// `building artifact: new upstream revision '<rev>'`, written at once. A failed write is not fatal here:
    /// the final status write follows.
    pub async fn new_revision(&self, revision: &str) {
        self.outdated(reason::NEW_REVISION, &format!("new upstream revision '{revision}'")).await;
    }

    /// Marks the stored artifact outdated with the kind's own reason and message (HelmRepository's `new index
    /// revision '…'`, HelmChart's `NewChart`): `ArtifactOutdated=True` and the Reconciling message
    /// `building artifact: <message>`, written at once.
    pub async fn outdated(&self, outdated_reason: &str, message: &str) {
        let mut state = self.inner.lock().await;
        let generation = state.generation;
        let mut list = conditions_of(&state.status);
        let mut c = Conditions::new(&mut list, generation);
        c.mark_true(condition::ARTIFACT_OUTDATED, outdated_reason, message);
        c.progress(&format!("building artifact: {message}"));
        set_conditions(&mut state.status, list);
        let status = state.status.clone();
        let _ = state.writer.write(&status).await;
    }
}

/// A failed write to the artifact storage (`StorageOperationFailed`, retried).
pub fn storage_failed(message: impl Into<String>) -> Outcome {
    Outcome::failed(Some(condition::STORAGE_OPERATION_FAILED), reason::ARCHIVE_OPERATION_FAILED, message, false)
}

/// A failed fetch (`FetchFailed`) with the fetch engine's reason.
pub fn fetch_failed(reason: &str, message: impl Into<String>, terminal: bool) -> Outcome {
    Outcome::failed(Some(condition::FETCH_FAILED), reason, message, terminal)
}

/// Ready's and ArtifactInStorage's message for Git, OCI, Bucket and Helm repositories (SEMANTICS.md §3).
pub fn stored_message(revision: &str) -> String {
    format!("stored artifact for revision '{revision}'")
}

/// Writes a reconcile's final status, with `lastHandledReconcileAt` set to the `reconcile.fluxcd.io/requestedAt`
/// the reconcile handled (every Flux reconciler records it, on success and failure alike).
pub async fn write_final_status(
    writer: &mut StatusWriter,
    status: &mut Value,
    object: &AnyFluxObject,
    key: &str,
) -> Result<(), EngineError> {
    let requested = object.metadata().annotations.as_ref().and_then(|a| a.get(annotation::RECONCILE_REQUESTED_AT));
    if let Some(requested) = requested {
        status["lastHandledReconcileAt"] = json!(requested);
    }
    writer.write(status).await.map_err(|source| EngineError::Status { object: key.to_string(), source })
}

/// Removes an object's stored artifacts and its working directory, on the blocking pool; `Ok(true)` when there
/// were artifacts.
async fn forget_object(ctx: &Context, kind: FluxKind, namespace: &str, name: &str) -> Result<bool, String> {
    let storage = ctx.storage.clone();
    let owner = ArtifactOwner::new(kind, namespace.to_string(), name.to_string());
    let work = ctx.work_dir(kind, namespace, name);
    tokio::task::spawn_blocking(move || {
        // A working directory is scratch space: one that cannot be removed is left for the next run to reuse.
        let _ = std::fs::remove_dir_all(&work);
        storage.remove_owner(&owner).map_err(|err| err.to_string())
    })
    .await
    .map_err(|err| format!("the removal task failed: {err}"))?
}

/// The conditions in a status value.
pub fn conditions_of(status: &Value) -> Vec<Condition> {
    status.get("conditions").and_then(|c| serde_json::from_value(c.clone()).ok()).unwrap_or_default()
}

/// Replaces the conditions in a status value.
pub fn set_conditions(status: &mut Value, list: Vec<Condition>) {
    status["conditions"] = serde_json::to_value(list).unwrap_or(Value::Array(Vec::new()));
}

/// The scope of an object's log lines.
pub fn log_scope(kind: FluxKind, object: &AnyFluxObject) -> LogScope {
    let meta = object.metadata();
    LogScope {
        kind: kind.name().to_string(),
        group: kind.group().to_string(),
        namespace: meta.namespace.clone().unwrap_or_default(),
        name: meta.name.clone().unwrap_or_default(),
        reconcile_id: uuid::Uuid::new_v4().to_string(),
    }
}

/// The object as an event's `involvedObject`.
pub fn involved(kind: FluxKind, object: &AnyFluxObject) -> InvolvedObject {
    let meta = object.metadata();
    let api_version = match object.api_version() {
        "" => format!("{}/v1", kind.group()),
        version => version.to_string(),
    };
    InvolvedObject {
        api_version,
        kind: kind.name().to_string(),
        namespace: meta.namespace.clone().unwrap_or_default(),
        name: meta.name.clone().unwrap_or_default(),
        uid: meta.uid.clone().unwrap_or_default(),
        resource_version: meta.resource_version.clone().unwrap_or_default(),
    }
}

/// Event metadata: the given `<group>/<key>` pairs plus the object's `event.toolkit.fluxcd.io/*` annotations.
pub fn event_metadata(kind: FluxKind, object: &AnyFluxObject, pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut metadata: BTreeMap<String, String> = object
        .metadata()
        .annotations
        .iter()
        .flatten()
        .filter(|(key, _)| key.starts_with(annotation::EVENT_PREFIX))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    for (key, value) in pairs {
        metadata.insert(format!("{}/{key}", kind.group()), (*value).to_string());
    }
    metadata
}

/// Reconciles one object of source kind `S`.
pub fn reconcile<S: SourceKind>(
    object: Arc<AnyFluxObject>,
    ctx: Arc<Context>,
) -> BoxFuture<'static, Result<Action, EngineError>> {
    Box::pin(reconcile_source::<S>(object, ctx))
}

async fn reconcile_source<S: SourceKind>(object: Arc<AnyFluxObject>, ctx: Arc<Context>) -> Result<Action, EngineError> {
    let kind = S::KIND;
    let manager = controller::SOURCE_CONTROLLER;
    let meta = object.metadata().clone();
    let subject = Subject::new(&ctx, kind, &object)?;
    let (name, namespace, scope) = (subject.name.clone(), subject.namespace.clone(), subject.scope.clone());
    let has_finalizer = has_finalizer(&meta, FINALIZER);

    if S::is_static(&object) {
        return make_static(kind, &object, &ctx, subject, has_finalizer).await;
    }
    if meta.deletion_timestamp.is_some() {
        if has_finalizer {
            if let Err(err) = forget_object(&ctx, kind, &namespace, &name).await {
                ctx.log.error_in(&scope, "unable to remove the stored artifacts", &err);
            }
            subject.set_finalizer(&meta, FINALIZER, false, manager).await?;
            ctx.log.info_in(&scope, "garbage collected artifacts for deleted resource");
        }
        return Ok(Action::await_change());
    }
    subject.set_finalizer(&meta, FINALIZER, true, manager).await?;
    if object.suspended() {
        ctx.log.info_in(&scope, "reconciliation is suspended for this object");
        return Ok(Action::await_change());
    }

    let started = Instant::now();
    let generation = meta.generation.unwrap_or(0);
    let before = status_before(&object);
    let observed = object.observed_generation();
    // Ready before this run: True, False, or neither (new, unknown); decides whether success is a recovery.
    let ready_before = object.condition(condition::READY).map(|c| c.status.as_str());
    let (was_ready, was_failing) = (ready_before == Some(status::TRUE), ready_before == Some(status::FALSE));
    let key = subject.key.clone();
    let mut writer = StatusWriter::new(subject.api, &name, manager, before.clone());
    let mut status = before.clone();
    let mut list = conditions_of(&status);
    conditions::begin(&mut list, generation, observed);
    set_conditions(&mut status, list);
    writer.write(&status).await.map_err(|source| EngineError::Status { object: key.clone(), source })?;

    let current: Option<Artifact> = status.get("artifact").and_then(|a| serde_json::from_value(a.clone()).ok());
    let progress = Progress { inner: Arc::new(Mutex::new(ProgressState { writer, status, generation })) };
    let produced = match S::Object::from_any(&object) {
        Some(typed) => S::produce(typed, &ctx, current.clone(), &progress).await,
        None => Err(Outcome::failed(None, reason::FAILED, format!("the object is not a {}", kind.name()), true)),
    };
    // The stages are done with the handle; the final write goes through the same writer, so it patches only
    // what changed since the last progress write.
    let mut state = progress.inner.lock().await;
    let ProgressState { writer, status, .. } = &mut *state;
    let mut list = conditions_of(status);
    let outcome = match produced {
        Ok(produced) => {
            let outcome = Outcome::Succeeded { reason: produced.reason.to_string(), message: produced.message.clone() };
            conditions::summarize(&mut list, generation, &outcome, S::OWNED_FAILURES);
            Conditions::new(&mut list, generation).mark_true(
                condition::ARTIFACT_IN_STORAGE,
                produced.reason,
                produced.message.as_str(),
            );
            status["artifact"] = serde_json::to_value(&produced.artifact).unwrap_or(Value::Null);
            // Older artifacts go by the storage's retention on every successful run, as source-controller does;
            // the deletes run off the async workers, and a failure only leaves old files behind.
            let (storage, artifact) = (ctx.storage.clone(), produced.artifact.clone());
            let owner = ArtifactOwner::new(kind, namespace.clone(), name.clone());
            let _ = tokio::task::spawn_blocking(move || storage.collect_garbage(&owner, Some(&artifact))).await;
            // `status.url`, the download link of the last artifact, for every source kind.
            if let Some(url) = &produced.artifact.url {
                status[field::URL] = json!(url);
            }
            status["observedGeneration"] = json!(generation);
            for (field, value) in &produced.status_fields {
                if value.is_null() {
                    if let Some(map) = status.as_object_mut() {
                        map.remove(field);
                    }
                } else {
                    status[field.as_str()] = value.clone();
                }
            }
            let revision = produced.artifact.revision.clone().unwrap_or_default();
            let digest = produced.artifact.digest.clone().unwrap_or_default();
            // A kind with its own success reason (HelmChart) gives it to both events, as Flux does.
            let specific = (produced.reason != reason::SUCCEEDED).then_some(produced.reason);
            if let Some(message) = &produced.new_artifact_message {
                ctx.log.info_in(&scope, message);
                let metadata = event_metadata(kind, &object, &[("revision", &revision), ("digest", &digest)]);
                let why = specific.unwrap_or(reason::NEW_ARTIFACT);
                record(&ctx, kind, &object, EventType::Normal, why, message, metadata).await;
            } else if was_failing || !was_ready {
                let metadata = event_metadata(kind, &object, &[("revision", &revision), ("digest", &digest)]);
                let why = specific.unwrap_or(reason::SUCCEEDED);
                record(&ctx, kind, &object, EventType::Normal, why, &produced.message, metadata).await;
            } else {
                ctx.log.debug_in(&scope, &format!("artifact up-to-date with remote revision: '{revision}'"));
            }
            outcome
        }
        Err(outcome) => {
            conditions::summarize(&mut list, generation, &outcome, S::OWNED_FAILURES);
            if let Outcome::Failed { reason, message, terminal, .. } = &outcome {
                if *terminal {
                    status["observedGeneration"] = json!(generation);
                }
                ctx.log.error_in(&scope, "reconciliation failed", message);
                let metadata = event_metadata(kind, &object, &[]);
                record(&ctx, kind, &object, EventType::Warning, reason, message, metadata).await;
            }
            outcome
        }
    };
    set_conditions(status, list);
    write_final_status(writer, status, &object, &key).await?;
    drop(state);

    let interval = spec_duration(object.interval(), S::DEFAULT_INTERVAL);
    ctx.log.debug_in(&scope, &format!("reconcile finished in {:?}", started.elapsed()));
    Ok(match outcome {
        Outcome::Succeeded { .. } => Action::requeue(ctx.backoff.succeeded(&key, interval)),
        Outcome::Failed { terminal: true, .. } => Action::await_change(),
        Outcome::Failed { .. } => Action::requeue(ctx.backoff.failed(&key)),
    })
}

/// source-controller's `migrationToStatic`: a static object keeps no artifact, no finalizer and no status. A
/// suspended one is left alone unless it is being deleted.
async fn make_static(
    kind: FluxKind,
    object: &AnyFluxObject,
    ctx: &Context,
    subject: Subject,
    has_finalizer: bool,
) -> Result<Action, EngineError> {
    let manager = controller::SOURCE_CONTROLLER;
    let meta = object.metadata();
    let deleting = meta.deletion_timestamp.is_some();
    if object.suspended() && !deleting {
        return Ok(Action::await_change());
    }
    match forget_object(ctx, kind, &subject.namespace, &subject.name).await {
        Ok(true) => ctx.log.info_in(&subject.scope, "garbage collected artifacts for static resource"),
        Ok(false) => {}
        Err(err) => ctx.log.error_in(&subject.scope, "unable to remove the stored artifacts", &err),
    }
    // The finalizer goes first: its write is conditional on the resourceVersion read, which a status write
    // would move. A deleted object is gone once the finalizer is, so its status is left as it is.
    if has_finalizer {
        subject.set_finalizer(meta, FINALIZER, false, manager).await?;
    }
    let status = status_before(object);
    if !deleting && status.as_object().is_some_and(|m| !m.is_empty()) {
        let mut writer = StatusWriter::new(subject.api, &subject.name, manager, status);
        writer.write(&json!({})).await.map_err(|source| EngineError::Status { object: subject.key, source })?;
    }
    Ok(Action::await_change())
}

async fn record(
    ctx: &Context,
    kind: FluxKind,
    object: &AnyFluxObject,
    type_: EventType,
    reason: &str,
    message: &str,
    metadata: BTreeMap<String, String>,
) {
    record_as(ctx, controller::SOURCE_CONTROLLER, kind, object, type_, reason, message, metadata).await;
}

/// Records an event on `object` as `controller` (`source-controller`, `source-watcher`, ...).
#[allow(clippy::too_many_arguments)]
pub async fn record_as(
    ctx: &Context,
    controller: &'static str,
    kind: FluxKind,
    object: &AnyFluxObject,
    type_: EventType,
    reason: &str,
    message: &str,
    metadata: BTreeMap<String, String>,
) {
    let event = EventRecord {
        object: involved(kind, object),
        type_,
        reason: reason.to_string(),
        message: message.to_string(),
        metadata,
    };
    ctx.recorder(controller).record(event).await;
}
