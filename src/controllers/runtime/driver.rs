//! Runs the reconciler of one kind on kube-rs's `Controller`: one watch of the kind (in the watched namespace,
//! with the ownership selector), a trigger filter so the engine's own status writes do not wake it, extra
//! triggers from related objects, bounded concurrency, and the error policy (exponential backoff).
//!
//! What wakes an object (SEMANTICS.md §2.1): a new object, a new `metadata.generation` (spec changes, suspend
//! and resume included), a new `reconcile.fluxcd.io/requestedAt`, deletion, a trigger stream (a source's new
//! artifact for its consumers), and the `Action` the last reconcile returned (interval or backoff).

use std::collections::hash_map::DefaultHasher;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use kube::api::Api;
use kube::runtime::controller::{Action, Config as ControllerConfig};
use kube::runtime::reflector::{self, ObjectRef};
use kube::runtime::{Controller, PredicateConfig, WatchStreamExt, watcher};

use super::context::Context;
use crate::api::FluxKind;
use crate::api::object::AnyFluxObject;
use crate::controllers::names::annotation::RECONCILE_REQUESTED_AT;

/// What a reconcile can fail with outside its status (which stage failures are written to).
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("unable to write the status of {object}: {source}")]
    Status { object: String, source: kube::Error },
    #[error("unable to update the finalizers of {object}: {source}")]
    Finalizer { object: String, source: kube::Error },
    #[error("{kind} is not served by the cluster")]
    NotServed { kind: &'static str },
    #[error("the object is not a {kind}: {detail}")]
    WrongKind { kind: &'static str, detail: String },
}

impl EngineError {
    /// The label `controller_runtime_reconcile_errors_total`-style counters would use.
    pub fn label(&self) -> &'static str {
        match self {
            EngineError::Status { .. } => "status_patch",
            EngineError::Finalizer { .. } => "finalizer",
            EngineError::NotServed { .. } => "not_served",
            EngineError::WrongKind { .. } => "wrong_kind",
        }
    }
}

/// One reconcile of one object.
pub type ReconcileFn = fn(Arc<AnyFluxObject>, Arc<Context>) -> BoxFuture<'static, Result<Action, EngineError>>;

/// How one kind runs.
pub struct KindRunner {
    pub kind: FluxKind,
    pub reconcile: ReconcileFn,
    /// Objects to reconcile when something they depend on changes.
    pub triggers: Vec<BoxStream<'static, ObjectRef<AnyFluxObject>>>,
}

/// The key the trigger filter compares: what, when it changes, asks for a reconcile.
fn trigger_hash(object: &AnyFluxObject) -> Option<u64> {
    let meta = object.metadata();
    let mut hasher = DefaultHasher::new();
    meta.generation.hash(&mut hasher);
    meta.annotations.as_ref().and_then(|a| a.get(RECONCILE_REQUESTED_AT)).hash(&mut hasher);
    meta.deletion_timestamp.is_some().hash(&mut hasher);
    Some(hasher.finish())
}

/// Runs `runner` until `shutdown` resolves; in-flight reconciles finish first.
pub async fn run_kind(
    runner: KindRunner,
    ctx: Arc<Context>,
    label_selector: Option<String>,
    concurrency: u16,
    shutdown: impl Future<Output = ()> + Send + Sync + 'static,
) -> Result<(), EngineError> {
    let kind = runner.kind;
    let resource = ctx.api_resource(kind).ok_or(EngineError::NotServed { kind: kind.name() })?;
    let api: Api<AnyFluxObject> = match &ctx.namespace {
        Some(namespace) => Api::all_with(ctx.client.clone(), &resource).constrain(namespace),
        None => Api::all_with(ctx.client.clone(), &resource),
    };
    let mut config = watcher::Config::default();
    if let Some(selector) = &label_selector {
        config = config.labels(selector);
    }
    let writer = reflector::store::Writer::new(resource.clone());
    let reader = writer.as_reader();
    // kube's applier waits for the store's first list before it starts; a shutdown that comes earlier would
    // leave it waiting on a stream no longer polled, so the shutdown waits for that list too.
    let first_list = reader.clone();
    let shutdown = async move {
        shutdown.await;
        let _ = first_list.wait_until_ready().await;
    };
    let stream = watcher(api, config)
        .default_backoff()
        .reflect(writer)
        .applied_objects()
        .predicate_filter(trigger_hash, PredicateConfig::default());
    let mut controller = Controller::for_stream_with(stream, reader, resource)
        .with_config(ControllerConfig::default().concurrency(concurrency))
        .graceful_shutdown_on(shutdown);
    for trigger in runner.triggers {
        controller = controller.reconcile_on(trigger);
    }
    let log = ctx.log.clone();
    let reconcile = runner.reconcile;
    controller
        .run(
            move |object, ctx| {
                let started = std::time::Instant::now();
                let run = reconcile(object.clone(), ctx.clone());
                async move {
                    let result = run.await;
                    let meta = object.metadata();
                    ctx.metrics.observe(
                        kind.name(),
                        meta.namespace.as_deref().unwrap_or_default(),
                        meta.name.as_deref().unwrap_or_default(),
                        started.elapsed(),
                        result.is_err(),
                    );
                    result
                }
            },
            move |object, error, ctx| {
                let key = object_key(kind, &object);
                ctx.log.error("reconciler error", &format!("{key}: {error}"));
                Action::requeue(ctx.backoff.failed(&key))
            },
            ctx,
        )
        .for_each(|result| {
            if let Err(err) = result {
                // Watch errors (the API server restarting, say) are retried by the watcher's backoff; the
                // reconcile errors were logged by the error policy above.
                if !matches!(err, kube::runtime::controller::Error::ReconcilerFailed(..)) {
                    log.error("controller error", &format!("{}: {err}", kind.name()));
                }
            }
            std::future::ready(())
        })
        .await;
    Ok(())
}

/// `Kind/namespace/name`, the key of the backoff and of log lines.
pub fn object_key(kind: FluxKind, object: &AnyFluxObject) -> String {
    let meta = object.metadata();
    format!(
        "{}/{}/{}",
        kind.name(),
        meta.namespace.as_deref().unwrap_or_default(),
        meta.name.as_deref().unwrap_or_default()
    )
}
