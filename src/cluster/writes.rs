//! Writes to Flux objects, as the flux CLI makes them: `spec.suspend` for suspend and resume, and the
//! `reconcile.fluxcd.io/requestedAt` annotation to ask for a reconcile (with `forceAt` / `resetAt` for a
//! HelmRelease's `--force` / `--reset`). Both are JSON merge patches, which touch nothing else and need no
//! resourceVersion. Deletes use the server's default propagation (background), as kubectl does. Waiting for a
//! reconcile follows the object with a watch, for the headless commands and `--with-source`; the TUI waits on
//! its own stores instead.

use chrono::{DateTime, SecondsFormat, Utc};
use kube::Client;
use std::sync::Arc;

use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams};
use serde_json::json;

use crate::api::{AnyFluxObject, FluxKind};
use crate::model::{Readiness, Row};

/// The annotation a reconcile request sets; controllers copy its value to `status.lastHandledReconcileAt`.
pub const RECONCILE_REQUESTED_AT: &str = "reconcile.fluxcd.io/requestedAt";

/// HelmRelease `--force`: honoured only when equal to `requestedAt` (SEMANTICS.md, annotations).
pub const RECONCILE_FORCE_AT: &str = "reconcile.fluxcd.io/forceAt";
/// HelmRelease `--reset`: resets the failure counters; honoured only when equal to `requestedAt`.
pub const RECONCILE_RESET_AT: &str = "reconcile.fluxcd.io/resetAt";

/// The field manager fluxtui's writes are recorded under.
pub const FIELD_MANAGER: &str = "fluxtui";

/// A write that failed, with the API server's words (a 403 names the verb and resource RBAC refused).
#[derive(Debug, thiserror::Error)]
#[error("cannot {what} {kind} {namespace}/{name}: {source}")]
pub struct WriteError {
    pub what: &'static str,
    pub kind: FluxKind,
    pub namespace: String,
    pub name: String,
    #[source]
    pub source: kube::Error,
}

/// One object a write targets, at the version the cluster serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub kind: FluxKind,
    pub version: String,
    pub namespace: String,
    pub name: String,
}

impl Target {
    pub fn key(&self) -> crate::model::ObjectKey {
        crate::model::ObjectKey { kind: self.kind, namespace: self.namespace.clone(), name: self.name.clone() }
    }

    fn error(&self, what: &'static str, source: kube::Error) -> WriteError {
        WriteError { what, kind: self.kind, namespace: self.namespace.clone(), name: self.name.clone(), source }
    }

    pub fn api(&self, client: Client) -> Api<DynamicObject> {
        Api::namespaced_with(client, &self.namespace, &self.kind.api_resource(&self.version))
    }

    async fn merge_patch(
        &self,
        client: Client,
        what: &'static str,
        patch: serde_json::Value,
    ) -> Result<Option<i64>, WriteError> {
        let params = PatchParams { field_manager: Some(FIELD_MANAGER.to_string()), ..PatchParams::default() };
        self.api(client)
            .patch(&self.name, &params, &Patch::Merge(&patch))
            .await
            .map(|patched| patched.metadata.generation)
            .map_err(|source| self.error(what, source))
    }
}

/// Sets `spec.suspend` (true to suspend, false to resume), as `flux suspend` and `flux resume` do. Returns the
/// object's generation after the patch, which the controller reports as observed once it handled the change.
pub async fn set_suspended(client: Client, target: &Target, suspend: bool) -> Result<Option<i64>, WriteError> {
    let what = if suspend { "suspend" } else { "resume" };
    target.merge_patch(client, what, json!({ "spec": { "suspend": suspend } })).await
}

/// Asks the controller to reconcile now, as `flux reconcile` does: the annotation's value is the request time in
/// RFC 3339 with nanoseconds, which the controller echoes in `status.lastHandledReconcileAt` once it handled it.
pub async fn request_reconcile(client: Client, target: &Target, at: DateTime<Utc>) -> Result<String, WriteError> {
    request_reconcile_with(client, target, at, &[]).await
}

/// A reconcile request that also sets `also` (`forceAt`, `resetAt`) to the same value as `requestedAt`, which is
/// what makes helm-controller honour them.
pub async fn request_reconcile_with(
    client: Client,
    target: &Target,
    at: DateTime<Utc>,
    also: &[&str],
) -> Result<String, WriteError> {
    let stamp = at.to_rfc3339_opts(SecondsFormat::Nanos, true);
    let mut annotations = serde_json::Map::new();
    annotations.insert(RECONCILE_REQUESTED_AT.to_string(), json!(stamp));
    for annotation in also {
        annotations.insert(annotation.to_string(), json!(stamp));
    }
    let patch = json!({ "metadata": { "annotations": annotations } });
    target.merge_patch(client, "reconcile", patch).await?;
    Ok(stamp)
}

/// Deletes the object with the server's default propagation (background), as `kubectl delete` does; the
/// controller's finalizer then prunes or uninstalls (see `model::deletion`).
pub async fn delete(client: Client, target: &Target) -> Result<(), WriteError> {
    target
        .api(client)
        .delete(&target.name, &DeleteParams::default())
        .await
        .map(|_| ())
        .map_err(|source| target.error("delete", source))
}

/// How a reconcile request ended, as seen through a watch on the object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReconcileOutcome {
    /// Handled and ready: the Ready message and the revision (`status.artifact.revision` for sources).
    Ready {
        message: String,
        revision: String,
    },
    /// Handled and failed (Ready=False or Stalled), with the message.
    Failed(String),
    Deleted,
    TimedOut,
}

/// Follows the object with a watch until the controller handled the request `requested_at` (any time, for
/// `None`: `flux resume` waits for readiness only) and the object is no longer in progress at its current
/// generation, as `flux reconcile` waits; `TimedOut` after `timeout`.
pub async fn wait_reconciled(
    client: Client,
    target: &Target,
    requested_at: Option<&str>,
    timeout: std::time::Duration,
) -> Result<ReconcileOutcome, WriteError> {
    let kind = target.kind;
    let settled = |object: Option<&DynamicObject>| match object {
        None => true,
        Some(object) => {
            let row = row_of(kind, object);
            requested_at.is_none_or(|requested_at| row.object.last_handled_reconcile_at() == Some(requested_at))
                && matches!(row.readiness, Readiness::Ready | Readiness::Failed | Readiness::Suspended)
        }
    };
    let wait = kube::runtime::wait::await_condition(target.api(client), &target.name, settled);
    match tokio::time::timeout(timeout, wait).await {
        Err(_) => Ok(ReconcileOutcome::TimedOut),
        Ok(Err(err)) => Err(target.error("wait for", kube::Error::Service(Box::new(err)))),
        Ok(Ok(None)) => Ok(ReconcileOutcome::Deleted),
        Ok(Ok(Some(object))) => {
            let row = row_of(kind, &object);
            Ok(match row.readiness {
                Readiness::Failed => ReconcileOutcome::Failed(row.message.clone()),
                _ => ReconcileOutcome::Ready { message: row.message.clone(), revision: row.revision.clone() },
            })
        }
    }
}

/// The object read as the model reads the stores' objects.
pub fn row_of(kind: FluxKind, object: &DynamicObject) -> Row {
    let value = serde_json::to_value(object).unwrap_or_default();
    Row::new(kind, Arc::new(AnyFluxObject::from_value(value)))
}

/// Reads the object once (the headless commands check it exists and is not suspended before writing).
pub async fn get(client: Client, target: &Target) -> Result<Row, WriteError> {
    let object = target.api(client).get(&target.name).await.map_err(|source| target.error("read", source))?;
    Ok(row_of(target.kind, &object))
}

/// The name events are reported under (`source.component`, `reportingController`).
pub const EVENT_COMPONENT: &str = "fluxtui";

/// Records a core/v1 Event on the object (type Normal, `reason` such as `ReconcileRequested`), so that
/// `kubectl events` and `flux events` show who asked for what.
pub async fn record_event(client: Client, target: &Target, reason: &str, message: &str) -> Result<(), WriteError> {
    use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta, Time};
    let now = Utc::now();
    let stamp = k8s_openapi::jiff::Timestamp::now();
    let event = Event {
        metadata: ObjectMeta {
            // Like client-go's recorder: the object's name and a unique suffix.
            name: Some(format!("{}.{:x}", target.name, now.timestamp_nanos_opt().unwrap_or_default())),
            namespace: Some(target.namespace.clone()),
            ..ObjectMeta::default()
        },
        involved_object: ObjectReference {
            api_version: Some(format!("{}/{}", target.kind.group(), target.version)),
            kind: Some(target.kind.name().to_string()),
            name: Some(target.name.clone()),
            namespace: Some(target.namespace.clone()),
            ..ObjectReference::default()
        },
        reason: Some(reason.to_string()),
        message: Some(message.to_string()),
        type_: Some("Normal".to_string()),
        source: Some(EventSource { component: Some(EVENT_COMPONENT.to_string()), host: None }),
        reporting_component: Some(EVENT_COMPONENT.to_string()),
        reporting_instance: Some(EVENT_COMPONENT.to_string()),
        action: Some(reason.to_string()),
        count: Some(1),
        first_timestamp: Some(Time(stamp)),
        last_timestamp: Some(Time(stamp)),
        event_time: Some(MicroTime(stamp)),
        ..Event::default()
    };
    Api::<Event>::namespaced(client, &target.namespace)
        .create(&kube::api::PostParams::default(), &event)
        .await
        .map(|_| ())
        .map_err(|source| target.error("record an event on", source))
}
