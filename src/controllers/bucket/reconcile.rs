//! The Bucket reconciler's stages (source-controller's `reconcileSource` and `reconcileArtifact` for buckets):
//! read the credentials, list the bucket into its etag index, skip the download when the stored artifact already
//! holds that revision with the same ignore rules, and otherwise download the indexed objects and store them as
//! `<revision hex>.tar.gz`.
//!
//! The shared source reconcile ([`crate::controllers::runtime::source`]) does the rest: finalizer, suspend,
//! conditions, status, events and requeue.

use serde_json::{Map, Value, json};
use std::future::Future;

use super::{BucketClient, BucketError, BucketRequest, DEFAULT_TIMEOUT};
use crate::api::FluxKind;
use crate::api::meta::Artifact;
use crate::api::source::Bucket;
use crate::controllers::conditions::Outcome;
use crate::controllers::names::{condition, field, reason};
use crate::controllers::runtime::context::{Context, spec_duration};
use crate::controllers::runtime::source::{Produced, Progress, SourceKind, storage_failed, stored_message};
use crate::controllers::storage::{ArtifactOwner, include_everything};

/// The Bucket kind for the shared source reconcile.
pub struct BucketKind;

const OWNED: &[&str] = &[condition::FETCH_FAILED, condition::STORAGE_OPERATION_FAILED, condition::ARTIFACT_OUTDATED];

impl SourceKind for BucketKind {
    const KIND: FluxKind = FluxKind::Bucket;
    const OWNED_FAILURES: &'static [&'static str] = OWNED;

    type Object = Bucket;

    fn produce<'a>(
        bucket: &'a Bucket,
        ctx: &'a Context,
        current: Option<Artifact>,
        progress: &'a Progress,
    ) -> impl Future<Output = Result<Produced, Outcome>> + Send + 'a {
        produce(bucket, ctx, current, progress)
    }
}

impl From<BucketError> for Outcome {
    fn from(err: BucketError) -> Outcome {
        Outcome::failed(Some(condition::FETCH_FAILED), err.reason(), err.to_string(), err.is_terminal())
    }
}

/// The `NewArtifact` event's message, source-controller's wording for buckets.
pub fn new_artifact_message(object_count: usize, bucket_name: &str) -> String {
    format!("stored artifact with {object_count} fetched files from '{bucket_name}' bucket")
}

/// The artifact's file name: the hex of the `sha256:<hex>` revision (SEMANTICS §2.3).
pub fn artifact_file_name(revision: &str) -> String {
    let hex = revision.split_once(':').map_or(revision, |(_, hex)| hex);
    format!("{hex}.tar.gz")
}

/// The kind-specific status fields: `observedIgnore` (removed when `spec.ignore` is unset) and `url`, the download
/// link of the current artifact (source-controller points it at a `latest.tar.gz` symlink; this storage writes
/// no symlinks, so it is the artifact's own URL).
fn status_fields(bucket: &Bucket) -> Map<String, Value> {
    let mut fields = Map::new();
    fields.insert(field::OBSERVED_IGNORE.into(), bucket.spec.ignore.as_ref().map_or(Value::Null, |i| json!(i)));
    fields
}

async fn produce(
    bucket: &Bucket,
    ctx: &Context,
    current: Option<Artifact>,
    progress: &Progress,
) -> Result<Produced, Outcome> {
    let namespace = bucket.metadata.namespace.clone().unwrap_or_default();
    let name = bucket.metadata.name.clone().unwrap_or_default();
    let spec = &bucket.spec;
    let secret = match spec.secret_ref.as_ref().and_then(|r| r.name.as_deref()) {
        // A missing or unreadable secret may appear later: retried, not stalled.
        Some(secret) => Some(ctx.secret_data(&namespace, secret).await.map_err(|err| {
            Outcome::failed(Some(condition::FETCH_FAILED), reason::AUTHENTICATION_FAILED, err.to_string(), false)
        })?),
        None => None,
    };
    let timeout = spec_duration(spec.timeout.as_deref(), DEFAULT_TIMEOUT);
    let request = BucketRequest::from_spec(spec, secret.as_ref(), timeout)?;
    let bucket_name = request.bucket_name.clone();
    let client = BucketClient::new(request)?;
    let index = client.index().await?;
    let revision = index.revision();

    // The listing alone gives the revision: the download is skipped when the stored artifact is that revision,
    // built with the same ignore rules, and its file is still in the storage (source-controller does the same).
    let observed_ignore = bucket.status.as_ref().and_then(|s| s.observed_ignore.clone());
    if let Some(current) = &current
        && current.revision.as_deref() == Some(revision.as_str())
        && observed_ignore == spec.ignore
        && ctx.storage.contains(current)
    {
        return Ok(Produced {
            reason: reason::SUCCEEDED,
            artifact: current.clone(),
            message: stored_message(&revision),
            new_artifact_message: None,
            status_fields: status_fields(bucket),
        });
    }
    progress.new_revision(&revision).await;

    let download_dir = ctx.work_dir(FluxKind::Bucket, &namespace, &name).join("download");
    // The download expects an empty directory: objects deleted from the bucket must not linger from last time.
    match tokio::fs::remove_dir_all(&download_dir).await {
        Ok(()) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => {
            return Err(Outcome::failed(
                Some(condition::STORAGE_OPERATION_FAILED),
                reason::DIRECTORY_CREATION_FAILED,
                format!("failed to empty the download directory '{}': {err}", download_dir.display()),
                false,
            ));
        }
    }
    let fetched = client.download(index, &download_dir).await?;
    // The download records etags that changed since the listing, so the revision is recomputed from it.
    let revision = fetched.revision.clone();

    let owner = ArtifactOwner::new(FluxKind::Bucket, namespace, name);
    let storage = ctx.storage.clone();
    let file_name = artifact_file_name(&revision);
    let dir = fetched.path.clone();
    let stored_revision = revision.clone();
    let store_owner = owner.clone();
    let artifact = tokio::task::spawn_blocking(move || {
        // The index already applied the ignore rules: everything downloaded goes in.
        let stored = storage
            .store_directory(&store_owner, &file_name, &dir, &include_everything, &stored_revision)
            .map_err(|err| storage_failed(format!("unable to archive artifact to storage: {err}")));
        // The downloaded copy is not reused (the next fetch starts empty); removing it only saves disk space.
        let _ = std::fs::remove_dir_all(&dir);
        stored
    })
    .await
    .map_err(|err| storage_failed(format!("the archive task failed: {err}")))??;

    let changed = current.as_ref().and_then(|c| c.digest.as_deref()) != artifact.digest.as_deref();
    Ok(Produced {
        reason: reason::SUCCEEDED,
        message: stored_message(&revision),
        // source-controller announces an artifact only when its digest changed (new ignore rules giving the same
        // tarball are not news).
        new_artifact_message: changed.then(|| new_artifact_message(fetched.object_count, &bucket_name)),
        status_fields: status_fields(bucket),
        artifact,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_messages_follow_source_controller() {
        let hex = "ab".repeat(32);
        assert_eq!(artifact_file_name(&format!("sha256:{hex}")), format!("{hex}.tar.gz"));
        assert_eq!(new_artifact_message(3, "config"), "stored artifact with 3 fetched files from 'config' bucket");
        assert_eq!(stored_message("sha256:1"), "stored artifact for revision 'sha256:1'");
    }

    #[test]
    fn status_fields_remove_what_the_spec_no_longer_has() {
        let bucket: Bucket = serde_json::from_value(json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "Bucket",
            "metadata": {"name": "b", "namespace": "default"},
            "spec": {"bucketName": "x", "endpoint": "h:1", "interval": "1m"}
        }))
        .expect("a Bucket");
        let fields = status_fields(&bucket);
        assert_eq!(fields[field::OBSERVED_IGNORE], Value::Null);
    }
}
