//! The HelmRepository reconciler's stages (source-controller's `HelmRepositoryReconciler`): read the auth
//! secret, fetch `index.yaml`, skip the work when the stored artifact already holds that index, and store the
//! index as JSON in `index-<hex>.yaml`, its revision `sha256:<hex of the downloaded bytes>`.
//!
//! `type: oci` repositories are static (SEMANTICS §3): [`HelmRepositoryKind::is_static`] hands them to the
//! shared reconcile's static path, which leaves them without artifact, finalizer and status.
//!
//! The shared source reconcile ([`crate::controllers::runtime::source`]) does the rest: finalizer, suspend,
//! conditions, status, events and requeue.

use std::time::Duration;

use serde_json::Map;
use std::future::Future;

use super::{DEFAULT_MAX_INDEX_SIZE, HelmAuth, HelmClient, IndexError, IndexRequest, fetch_index, normalize_url};
use crate::api::FluxKind;
use crate::api::meta::Artifact;
use crate::api::object::AnyFluxObject;
use crate::api::source::helm_repository::HelmRepository;
use crate::controllers::conditions::Outcome;
use crate::controllers::names::{condition, reason, spec};
use crate::controllers::runtime::context::{Context, spec_duration};
use crate::controllers::runtime::source::{Produced, Progress, SourceKind};
use crate::controllers::storage::ArtifactOwner;

/// The HelmRepository kind for the shared source reconcile.
pub struct HelmRepositoryKind;

const OWNED: &[&str] = &[condition::FETCH_FAILED, condition::STORAGE_OPERATION_FAILED, condition::ARTIFACT_OUTDATED];

impl SourceKind for HelmRepositoryKind {
    const KIND: FluxKind = FluxKind::HelmRepository;
    const OWNED_FAILURES: &'static [&'static str] = OWNED;

    fn is_static(object: &AnyFluxObject) -> bool {
        matches!(object, AnyFluxObject::HelmRepository(repository) if is_oci(repository))
    }

    type Object = HelmRepository;

    fn produce<'a>(
        repository: &'a HelmRepository,
        ctx: &'a Context,
        current: Option<Artifact>,
        progress: &'a Progress,
    ) -> impl Future<Output = Result<Produced, Outcome>> + Send + 'a {
        produce(repository, ctx, current, progress)
    }
}

/// Whether the repository is `type: oci` (static, no artifact).
pub fn is_oci(repository: &HelmRepository) -> bool {
    repository.spec.type_.as_deref() == Some(spec::HELM_REPOSITORY_TYPE_OCI)
}

fn fetch_failed(reason: &str, message: impl Into<String>, terminal: bool) -> Outcome {
    Outcome::failed(Some(condition::FETCH_FAILED), reason, message, terminal)
}

fn storage_failed(reason: &str, message: impl Into<String>) -> Outcome {
    Outcome::failed(Some(condition::STORAGE_OPERATION_FAILED), reason, message, false)
}

impl From<IndexError> for Outcome {
    fn from(err: IndexError) -> Outcome {
        fetch_failed(err.reason(), err.to_string(), err.is_terminal())
    }
}

/// The basic auth of a HelmRepository's `spec.secretRef` (HelmChart pulls with it too).
pub async fn repository_auth(ctx: &Context, repository: &HelmRepository) -> Result<HelmAuth, Outcome> {
    let namespace = repository.metadata.namespace.as_deref().unwrap_or_default();
    let Some(secret) = repository.spec.secret_ref.as_ref().and_then(|r| r.name.as_deref()) else {
        return Ok(HelmAuth::None);
    };
    let data = ctx
        .secret_data(namespace, secret)
        .await
        .map_err(|err| fetch_failed(reason::AUTHENTICATION_FAILED, err.to_string(), false))?;
    HelmAuth::from_secret_data(&data).map_err(|err| IndexError::from(err).into())
}

/// `spec.timeout`, 60s when unset.
pub fn repository_timeout(repository: &HelmRepository) -> Duration {
    spec_duration(repository.spec.timeout.as_deref(), Duration::from_secs(60))
}

async fn produce(
    repository: &HelmRepository,
    ctx: &Context,
    current: Option<Artifact>,
    progress: &Progress,
) -> Result<Produced, Outcome> {
    let namespace = repository.metadata.namespace.clone().unwrap_or_default();
    let name = repository.metadata.name.clone().unwrap_or_default();
    let url = repository.spec.url.clone().unwrap_or_default();
    let normalized = normalize_url(&url)?;
    let auth = repository_auth(ctx, repository).await?;
    let request = IndexRequest { url, auth, timeout: repository_timeout(repository), max_size: DEFAULT_MAX_INDEX_SIZE };
    let fetched = fetch_index(&HelmClient::new(), &request).await?;

    if let Some(current) = &current
        && current.revision.as_deref() == Some(fetched.revision.as_str())
        && ctx.storage.contains(current)
    {
        return Ok(Produced {
            reason: reason::SUCCEEDED,
            message: stored_message(&fetched.revision),
            new_artifact_message: None,
            status_fields: Map::new(),
            artifact: current.clone(),
        });
    }
    progress.outdated(reason::NEW_REVISION, &format!("new index revision '{}'", fetched.revision)).await;

    let owner = ArtifactOwner::new(FluxKind::HelmRepository, namespace.clone(), name.clone());
    let work_dir = ctx.work_dir(FluxKind::HelmRepository, &namespace, &name);
    let storage = ctx.storage.clone();
    let revision = fetched.revision.clone();
    let file_name = fetched.file_name.clone();
    let json = fetched.json;
    let artifact = tokio::task::spawn_blocking(move || -> Result<Artifact, Outcome> {
        std::fs::create_dir_all(&work_dir).map_err(|err| {
            storage_failed(reason::DIRECTORY_CREATION_FAILED, format!("failed to create working directory: {err}"))
        })?;
        // The storage copies files; the index is written next to the object's other working files first.
        let staged = work_dir.join("index.json");
        std::fs::write(&staged, &json).map_err(|err| {
            storage_failed(reason::ARCHIVE_OPERATION_FAILED, format!("unable to write the JSON index: {err}"))
        })?;
        let stored = storage.store_file(&owner, &file_name, &staged, &revision).map_err(|err| {
            storage_failed(reason::ARCHIVE_OPERATION_FAILED, format!("unable to save artifact to storage: {err}"))
        });
        let _ = std::fs::remove_file(&staged);
        stored
    })
    .await
    .map_err(|err| storage_failed(reason::ARCHIVE_OPERATION_FAILED, format!("the storage task failed: {err}")))??;
    let size = artifact.size.map_or_else(|| "unknown size".to_string(), |size| format!("size {}", human_size(size)));
    Ok(Produced {
        reason: reason::SUCCEEDED,
        message: stored_message(&fetched.revision),
        new_artifact_message: Some(format!("stored fetched index of {size} from '{normalized}'")),
        status_fields: Map::new(),
        artifact,
    })
}

/// Ready's and ArtifactInStorage's message, as source-controller words it for a HelmRepository.
fn stored_message(revision: &str) -> String {
    format!("stored artifact: revision '{revision}'")
}

/// A size as Docker's `units.HumanSize` prints it: decimal units, four significant digits (`9.34kB`).
pub fn human_size(bytes: i64) -> String {
    const UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    // `%.4g`: four significant digits, trailing zeros dropped; below 1000 Go never switches to an exponent.
    let integer_digits = if value < 1.0 { 1 } else { value.log10().floor() as usize + 1 };
    let decimals = 4usize.saturating_sub(integer_digits);
    let mut text = format!("{value:.decimals$}");
    if text.contains('.') {
        text = text.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    format!("{text}{}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_print_as_docker_units_does() {
        assert_eq!(human_size(0), "0B");
        assert_eq!(human_size(512), "512B");
        assert_eq!(human_size(9340), "9.34kB");
        assert_eq!(human_size(1_234_567), "1.235MB");
        assert_eq!(human_size(1000), "1kB");
        assert_eq!(human_size(20_480), "20.48kB");
    }

    #[test]
    fn only_oci_repositories_are_static() {
        let mut repository = HelmRepository {
            api_version: String::new(),
            kind: String::new(),
            metadata: Default::default(),
            spec: Default::default(),
            status: None,
            extra: Default::default(),
        };
        let object = |r: &HelmRepository| AnyFluxObject::HelmRepository(r.clone());
        assert!(!HelmRepositoryKind::is_static(&object(&repository)));
        repository.spec.type_ = Some("default".into());
        assert!(!HelmRepositoryKind::is_static(&object(&repository)));
        repository.spec.type_ = Some("oci".into());
        assert!(HelmRepositoryKind::is_static(&object(&repository)));
    }
}
