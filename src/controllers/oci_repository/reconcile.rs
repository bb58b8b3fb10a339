//! The OCIRepository reconciler's stages (source-controller's `reconcileSource` and `reconcileArtifact` for OCI):
//! read the pull secret, resolve `spec.ref` to a revision, skip the pull when the stored artifact already holds
//! that revision with the same ignore rules and layer selector, and otherwise pull the selected layer and store
//! it as `<manifest digest hex>.tar.gz` — the extracted directory archived, or the layer's bytes as they are for
//! `operation: copy` — with the manifest's annotations as the artifact's metadata.
//!
//! The shared source reconcile ([`crate::controllers::runtime::source`]) does the rest: finalizer, suspend,
//! conditions, status, events and requeue.

use serde_json::{Map, Value, json};
use std::future::Future;

use super::request::{DEFAULT_TIMEOUT, digest_hex};
use super::{OciAuth, OciError, OciRequest, OciUrl, PulledContent, pull_resolved, resolve_revision};
use crate::api::FluxKind;
use crate::api::meta::Artifact;
use crate::api::source::OciRepository;
use crate::controllers::conditions::Outcome;
use crate::controllers::names::{condition, field, reason};
use crate::controllers::runtime::context::{Context, spec_duration};
use crate::controllers::runtime::source::{Produced, Progress, SourceKind, storage_failed, stored_message};
use crate::controllers::storage::{ArtifactOwner, include_everything};

/// The OCIRepository kind for the shared source reconcile.
pub struct OciRepositoryKind;

const OWNED: &[&str] = &[condition::FETCH_FAILED, condition::STORAGE_OPERATION_FAILED, condition::ARTIFACT_OUTDATED];

/// The manifest annotations that name where an artifact came from (`flux push artifact --source --revision`).
const SOURCE_ANNOTATION: &str = "org.opencontainers.image.source";
const REVISION_ANNOTATION: &str = "org.opencontainers.image.revision";

impl SourceKind for OciRepositoryKind {
    const KIND: FluxKind = FluxKind::OciRepository;
    const OWNED_FAILURES: &'static [&'static str] = OWNED;

    type Object = OciRepository;

    fn produce<'a>(
        repository: &'a OciRepository,
        ctx: &'a Context,
        current: Option<Artifact>,
        progress: &'a Progress,
    ) -> impl Future<Output = Result<Produced, Outcome>> + Send + 'a {
        produce(repository, ctx, current, progress)
    }
}

impl From<OciError> for Outcome {
    fn from(err: OciError) -> Outcome {
        Outcome::failed(Some(condition::FETCH_FAILED), err.reason(), err.to_string(), err.is_terminal())
    }
}

/// The `NewArtifact` event's message, in source-controller's words: the revision and `spec.url`, then the
/// origin the artifact was pushed from when its annotations name both the source and its revision.
pub fn new_artifact_message(
    revision: &str,
    url: &str,
    metadata: Option<&std::collections::BTreeMap<String, String>>,
) -> String {
    let message = format!("stored artifact with revision '{revision}' from '{url}'");
    let origin = metadata.and_then(|m| Some((m.get(SOURCE_ANNOTATION)?, m.get(REVISION_ANNOTATION)?)));
    match origin {
        Some((source, origin_revision)) if !source.is_empty() && !origin_revision.is_empty() => {
            format!("{message}, origin source '{source}', origin revision '{origin_revision}'")
        }
        _ => message,
    }
}

/// The kind-specific status fields: `observedIgnore` and `observedLayerSelector` (removed when the spec has
/// none), and `url`, the download link of the current artifact (source-controller points it at a `latest.tar.gz`
/// symlink; this storage writes no symlinks, so it is the artifact's own URL).
fn status_fields(repository: &OciRepository) -> Map<String, Value> {
    let spec = &repository.spec;
    let mut fields = Map::new();
    fields.insert(field::OBSERVED_IGNORE.into(), spec.ignore.as_ref().map_or(Value::Null, |i| json!(i)));
    fields.insert(
        field::OBSERVED_LAYER_SELECTOR.into(),
        spec.layer_selector.as_ref().and_then(|s| serde_json::to_value(s).ok()).unwrap_or(Value::Null),
    );
    fields
}

/// Refuses what this engine cannot honour and must not silently skip: signature verification, and the cloud
/// providers' workload identity. Both stall until the spec changes.
fn check_supported(repository: &OciRepository) -> Result<(), Outcome> {
    let spec = &repository.spec;
    if spec.verify.is_some() {
        return Err(Outcome::failed(
            None,
            reason::VERIFICATION_ERROR,
            "spec.verify is set, but fluxtui's engine cannot verify OCI signatures (cosign, notation); \
             remove spec.verify to pull without verification",
            true,
        ));
    }
    match spec.provider.as_deref().map(str::trim).unwrap_or("") {
        "" | "generic" => Ok(()),
        provider => Err(Outcome::failed(
            Some(condition::FETCH_FAILED),
            reason::INVALID_PROVIDER_CONFIGURATION,
            format!(
                "unsupported provider '{provider}': fluxtui's engine authenticates only with spec.secretRef \
                 (provider 'generic')"
            ),
            true,
        )),
    }
}

async fn produce(
    repository: &OciRepository,
    ctx: &Context,
    current: Option<Artifact>,
    progress: &Progress,
) -> Result<Produced, Outcome> {
    let namespace = repository.metadata.namespace.clone().unwrap_or_default();
    let name = repository.metadata.name.clone().unwrap_or_default();
    let spec = &repository.spec;
    check_supported(repository)?;
    let url = spec.url.clone().unwrap_or_default();
    // The registry host picks the pull secret's entry, so the URL is validated before the secret is read.
    let parsed = OciUrl::parse(&url)?;
    let auth = match spec.secret_ref.as_ref().and_then(|r| r.name.as_deref()) {
        // A missing or unreadable secret may appear later: retried, not stalled.
        Some(secret) => {
            let data = ctx.secret_data(&namespace, secret).await.map_err(|err| {
                Outcome::failed(Some(condition::FETCH_FAILED), reason::AUTHENTICATION_FAILED, err.to_string(), false)
            })?;
            OciAuth::from_secret_data(&parsed.registry, &data)?
        }
        None => OciAuth::Anonymous,
    };
    let timeout = spec_duration(spec.timeout.as_deref(), DEFAULT_TIMEOUT);
    let request = OciRequest::from_spec(spec, auth, timeout)?;
    let resolved = resolve_revision(&request).await?;

    // The revision alone tells whether the stored artifact is current: the pull is skipped when it is that
    // revision, built with the same ignore rules and layer selector, and its file is still in the storage.
    let status = repository.status.as_ref();
    let same_config = status.and_then(|s| s.observed_ignore.clone()) == spec.ignore
        && status.and_then(|s| s.observed_layer_selector.clone()) == spec.layer_selector;
    if let Some(current) = &current
        && current.revision.as_deref() == Some(resolved.revision.as_str())
        && same_config
        && ctx.storage.contains(current)
    {
        return Ok(Produced {
            reason: reason::SUCCEEDED,
            artifact: current.clone(),
            message: stored_message(&resolved.revision),
            new_artifact_message: None,
            status_fields: status_fields(repository),
        });
    }
    progress.new_revision(&resolved.revision).await;

    let work_dir = ctx.work_dir(FluxKind::OciRepository, &namespace, &name).join("pull");
    let pulled = pull_resolved(&request, &resolved, &work_dir).await?;
    let owner = ArtifactOwner::new(FluxKind::OciRepository, namespace, name);
    let file_name = format!("{}.tar.gz", digest_hex(&pulled.digest));
    let storage = ctx.storage.clone();
    let (store_owner, revision, content) = (owner.clone(), pulled.revision.clone(), pulled.content.clone());
    let stored = tokio::task::spawn_blocking(move || {
        let stored = match &content {
            // The extraction already applied the ignore rules.
            PulledContent::Directory(dir) => {
                storage.store_directory(&store_owner, &file_name, dir, &include_everything, &revision)
            }
            // `copy`: the layer's bytes as they are, under the same file name source-controller gives it.
            PulledContent::File(file) => storage.store_file(&store_owner, &file_name, file, &revision),
        };
        // The pulled copy is not reused (the next pull empties the directory); removing it saves disk space.
        let _ = std::fs::remove_dir_all(&work_dir);
        stored
    })
    .await
    .map_err(|err| storage_failed(format!("the archive task failed: {err}")))?;
    let mut artifact = stored.map_err(|err| {
        let verb = if matches!(pulled.content, PulledContent::File(_)) { "copy" } else { "archive" };
        storage_failed(format!("unable to {verb} artifact to storage: {err}"))
    })?;
    artifact.metadata = (!pulled.metadata.is_empty()).then(|| pulled.metadata.clone());

    let changed = current.as_ref().and_then(|c| c.digest.as_deref()) != artifact.digest.as_deref();
    Ok(Produced {
        reason: reason::SUCCEEDED,
        message: stored_message(&pulled.revision),
        // source-controller announces an artifact only when its digest changed.
        new_artifact_message: changed.then(|| new_artifact_message(&pulled.revision, &url, artifact.metadata.as_ref())),
        status_fields: status_fields(repository),
        artifact,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn repository(spec: Value) -> OciRepository {
        serde_json::from_value(json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "OCIRepository",
            "metadata": {"name": "app", "namespace": "default"},
            "spec": spec,
        }))
        .expect("an OCIRepository")
    }

    #[test]
    fn the_event_names_the_origin_when_the_annotations_do() {
        let plain = new_artifact_message("latest@sha256:ab", "oci://r/app", None);
        assert_eq!(plain, "stored artifact with revision 'latest@sha256:ab' from 'oci://r/app'");
        let mut metadata = BTreeMap::from([(SOURCE_ANNOTATION.to_string(), "https://git/app".to_string())]);
        assert_eq!(new_artifact_message("r", "u", Some(&metadata)), "stored artifact with revision 'r' from 'u'");
        metadata.insert(REVISION_ANNOTATION.to_string(), "main@sha1:12".to_string());
        assert_eq!(
            new_artifact_message("r", "u", Some(&metadata)),
            "stored artifact with revision 'r' from 'u', origin source 'https://git/app', origin revision 'main@sha1:12'"
        );
    }

    #[test]
    fn status_fields_mirror_the_spec() {
        let plain = status_fields(&repository(json!({"url": "oci://r/app"})));
        assert_eq!(
            (&plain[field::OBSERVED_IGNORE], &plain[field::OBSERVED_LAYER_SELECTOR]),
            (&Value::Null, &Value::Null)
        );
        let selected = repository(json!({"url": "oci://r/app", "ignore": "*.md",
            "layerSelector": {"mediaType": "application/x-yaml", "operation": "copy"}}));
        let fields = status_fields(&selected);
        assert_eq!(fields[field::OBSERVED_IGNORE], "*.md");
        assert_eq!(
            fields[field::OBSERVED_LAYER_SELECTOR],
            json!({"mediaType": "application/x-yaml", "operation": "copy"})
        );
    }

    #[test]
    fn verification_and_cloud_providers_stall_with_a_clear_message() {
        let verify = repository(json!({"url": "oci://r/app", "verify": {"provider": "cosign"}}));
        let Err(Outcome::Failed { reason, terminal, message, .. }) = check_supported(&verify) else { panic!() };
        assert_eq!((reason.as_str(), terminal), ("VerificationError", true));
        assert!(message.contains("spec.verify"), "{message}");
        let aws = repository(json!({"url": "oci://r/app", "provider": "aws"}));
        let Err(Outcome::Failed { reason, terminal, .. }) = check_supported(&aws) else { panic!() };
        assert_eq!((reason.as_str(), terminal), ("InvalidProviderConfiguration", true));
        assert!(check_supported(&repository(json!({"url": "oci://r/app", "provider": "generic"}))).is_ok());
    }
}
