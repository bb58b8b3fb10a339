//! Whether a generator needs to build at all (source-watcher's `detectDrift`): a reconcile with nothing drifted
//! only reports "No drift detected" and waits for the next interval. Any of these is drift: the last reconcile
//! did not succeed, a new generation, a new source artifact, a different number of outputs, a stored artifact
//! missing or corrupt (a corrupt one is removed), or ExternalArtifacts in the cluster that differ from the
//! inventory.

use super::external_artifact::list_generated;
use crate::api::FluxKind;
use crate::api::meta::Artifact;
use crate::api::source::artifact_generator::{ArtifactGenerator, ExternalArtifactReference};
use crate::controllers::names::{condition, status};
use crate::controllers::runtime::context::Context;
use crate::controllers::storage::{ArtifactOwner, Storage};

/// The reason a build is needed, or `None` when everything is as last generated.
pub async fn detect(ctx: &Context, generator: &ArtifactGenerator, sources_digest: &str) -> Option<&'static str> {
    let status_ = generator.status.as_ref();
    let ready =
        status_.and_then(|s| s.conditions.as_ref()).and_then(|c| c.iter().find(|c| c.type_ == condition::READY));
    if ready.is_none_or(|ready| ready.status != status::TRUE) {
        return Some("NotReady");
    }
    if ready.and_then(|r| r.observed_generation) != generator.metadata.generation {
        return Some("GenerationChanged");
    }
    if status_.and_then(|s| s.observed_sources_digest.as_deref()) != Some(sources_digest) {
        return Some("SourcesChanged");
    }
    let inventory: &[ExternalArtifactReference] = status_.and_then(|s| s.inventory.as_deref()).unwrap_or_default();
    if inventory.len() != generator.spec.artifacts.as_ref().map_or(0, Vec::len) {
        return Some("ArtifactsChanged");
    }
    let artifacts: Vec<Artifact> = inventory.iter().map(stored_artifact).collect();
    let storage = ctx.storage.clone();
    // Hashing every stored artifact reads whole files: it runs on the blocking pool, never on an async worker.
    // A check that could not finish (its task panicked) counts as a corrupt artifact, so the run rebuilds.
    let stored = tokio::task::spawn_blocking(move || stored_drift(&storage, &artifacts))
        .await
        .unwrap_or(Some("ArtifactCorrupted"));
    if stored.is_some() {
        return stored;
    }
    let namespace = generator.metadata.namespace.as_deref().unwrap_or_default();
    let uid = generator.metadata.uid.as_deref().unwrap_or_default();
    let Ok(in_cluster) = list_generated(ctx, namespace, uid).await else { return Some("ExternalArtifactsNotFound") };
    let listed = |found: &ExternalArtifactReference| {
        inventory.iter().any(|r| r.name == found.name && r.namespace == found.namespace && r.digest == found.digest)
    };
    if in_cluster.len() != inventory.len() || !in_cluster.iter().all(listed) {
        return Some("ExternalArtifactsChanged");
    }
    None
}

/// Whether a stored artifact is missing or fails its digest (blocking: reads and hashes the files). A corrupt
/// file is removed.
fn stored_drift(storage: &Storage, artifacts: &[Artifact]) -> Option<&'static str> {
    for artifact in artifacts {
        if !storage.contains(artifact) {
            return Some("ArtifactMissing");
        }
        if storage.verify(artifact).is_err() {
            if let Ok(path) = storage.artifact_file(artifact) {
                // Rebuilt right after; a corrupt file must not be served meanwhile.
                let _ = std::fs::remove_file(path);
            }
            return Some("ArtifactCorrupted");
        }
    }
    None
}

/// The stored artifact an inventory entry names.
pub fn stored_artifact(reference: &ExternalArtifactReference) -> Artifact {
    let owner = ArtifactOwner::new(
        FluxKind::ExternalArtifact,
        reference.namespace.clone().unwrap_or_default(),
        reference.name.clone().unwrap_or_default(),
    );
    Artifact {
        path: owner.artifact_path(reference.filename.as_deref().unwrap_or_default()).ok(),
        digest: reference.digest.clone(),
        ..Artifact::default()
    }
}
