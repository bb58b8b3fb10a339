//! Writes to Flux objects, as the flux CLI makes them: `spec.suspend` for suspend and resume, and the
//! `reconcile.fluxcd.io/requestedAt` annotation to ask for a reconcile. Both are JSON merge patches, which touch
//! nothing else and need no resourceVersion.

use chrono::{DateTime, SecondsFormat, Utc};
use kube::Client;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::json;

use crate::api::FluxKind;

/// The annotation a reconcile request sets; controllers copy its value to `status.lastHandledReconcileAt`.
pub const RECONCILE_REQUESTED_AT: &str = "reconcile.fluxcd.io/requestedAt";

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
    fn api(&self, client: Client) -> Api<DynamicObject> {
        Api::namespaced_with(client, &self.namespace, &self.kind.api_resource(&self.version))
    }

    async fn merge_patch(
        &self,
        client: Client,
        what: &'static str,
        patch: serde_json::Value,
    ) -> Result<(), WriteError> {
        let params = PatchParams { field_manager: Some(FIELD_MANAGER.to_string()), ..PatchParams::default() };
        self.api(client).patch(&self.name, &params, &Patch::Merge(&patch)).await.map(|_| ()).map_err(|source| {
            WriteError { what, kind: self.kind, namespace: self.namespace.clone(), name: self.name.clone(), source }
        })
    }
}

/// Sets `spec.suspend` (true to suspend, false to resume), as `flux suspend` and `flux resume` do.
pub async fn set_suspended(client: Client, target: &Target, suspend: bool) -> Result<(), WriteError> {
    let what = if suspend { "suspend" } else { "resume" };
    target.merge_patch(client, what, json!({ "spec": { "suspend": suspend } })).await
}

/// Asks the controller to reconcile now, as `flux reconcile` does: the annotation's value is the request time in
/// RFC 3339 with nanoseconds, which the controller echoes in `status.lastHandledReconcileAt` once it handled it.
pub async fn request_reconcile(client: Client, target: &Target, at: DateTime<Utc>) -> Result<String, WriteError> {
    let stamp = at.to_rfc3339_opts(SecondsFormat::Nanos, true);
    let patch = json!({ "metadata": { "annotations": { RECONCILE_REQUESTED_AT: stamp } } });
    target.merge_patch(client, "reconcile", patch).await?;
    Ok(stamp)
}
