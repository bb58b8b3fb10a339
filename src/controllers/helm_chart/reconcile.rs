//! The HelmChart reconciler's stages (source-controller's `HelmChartReconciler`): resolve the source and its
//! artifact ([`super::source`]), then
//! - from a HelmRepository: read its stored index, pick the version, and pull the chart with the repository's
//!   credentials ([`super::pull`]), unless the stored artifact already is that chart at that version;
//! - from a HelmRepository of `type: oci`: list the chart's tags in the registry, pick the version, and pull the
//!   chart layer with the repository's credentials ([`super::oci`]), unless the stored artifact already is that
//!   chart at that version;
//! - from a GitRepository or Bucket: unpack the source artifact and build the chart at `spec.chart`
//!   ([`super::local`]), keeping the stored artifact when the build has the same name and version;
//!
//! and store `<chart>-<version>.tgz`, its revision the version with Flux's build metadata ([`super::version`]).
//! As in Flux, a new generation always rebuilds; otherwise an unchanged chart name and version keep the stored
//! artifact (with `reconcileStrategy: Revision` the version carries the source revision, so a new source
//! revision is a new version).
//!
//! The shared source reconcile ([`crate::controllers::runtime::source`]) does the rest: finalizer, suspend,
//! conditions, status, events and requeue. [`super::watches`] wakes a chart when its source has a new artifact.

use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value, json};

use super::source::{ChartSource, resolve_source};
use super::{
    BuiltChart, ChartBuildError, ChartPullRequest, DEFAULT_MAX_CHART_SIZE, LocalChartRequest, PackageOptions,
    VersionInputs, artifact_version, build_local_chart, oci, pull_chart, pull_oci_chart, resolve_oci_chart,
    version_metadata,
};
use crate::api::FluxKind;
use crate::api::meta::Artifact;
use crate::api::source::helm_chart::HelmChart;
use crate::controllers::conditions::Outcome;
use crate::controllers::helm_repository::reconcile::{repository_auth, repository_timeout};
use crate::controllers::helm_repository::{HelmClient, HelmIndex};
use crate::controllers::names::{condition, reason, spec, status};
use crate::controllers::runtime::context::Context;
use crate::controllers::runtime::source::{Produced, Progress, SourceKind};
use crate::controllers::storage::{ArtifactOwner, DEFAULT_MAX_UNPACKED_SIZE};

/// The HelmChart kind for the shared source reconcile.
pub struct HelmChartKind;

const OWNED: &[&str] = &[
    condition::FETCH_FAILED,
    condition::BUILD_FAILED,
    condition::STORAGE_OPERATION_FAILED,
    condition::ARTIFACT_OUTDATED,
];

impl SourceKind for HelmChartKind {
    const KIND: FluxKind = FluxKind::HelmChart;
    const OWNED_FAILURES: &'static [&'static str] = OWNED;

    type Object = HelmChart;

    async fn produce(
        chart: &HelmChart,
        ctx: &Context,
        current: Option<Artifact>,
        progress: &Progress,
    ) -> Result<Produced, Outcome> {
        let namespace = chart.metadata.namespace.as_deref().unwrap_or_default();
        let work = ctx.work_dir(FluxKind::HelmChart, namespace, chart.metadata.name.as_deref().unwrap_or_default());
        let produced = produce(chart, ctx, current, progress, &work).await;
        // Builds and unpacked sources are scratch space: nothing in them is reused by the next run.
        let _ = tokio::fs::remove_dir_all(&work).await;
        produced
    }
}

impl From<ChartBuildError> for Outcome {
    fn from(err: ChartBuildError) -> Outcome {
        let failed = if err.condition_type() == condition::BUILD_FAILED {
            condition::BUILD_FAILED
        } else {
            condition::FETCH_FAILED
        };
        Outcome::failed(Some(failed), err.reason(), err.to_string(), err.is_terminal())
    }
}

fn storage_failed(reason: &str, message: impl Into<String>) -> Outcome {
    Outcome::failed(Some(condition::STORAGE_OPERATION_FAILED), reason, message, false)
}

fn read_failed(message: impl Into<String>) -> Outcome {
    Outcome::failed(Some(condition::FETCH_FAILED), reason::READ_OPERATION_FAILED, message, false)
}

/// `spec.valuesFiles` as Flux reads them (`GetValuesFiles`): a list holding only the chart's own
/// `values.yaml` changes nothing, so it counts as none (no repackaging, no build metadata).
pub fn effective_values_files(files: &[String]) -> Vec<String> {
    let clean =
        |file: &str| Path::new(file).components().filter(|c| !matches!(c, Component::CurDir)).collect::<PathBuf>();
    if let [only] = files
        && clean(only) == Path::new("values.yaml")
    {
        return Vec::new();
    }
    files.to_vec()
}

/// Flux's build summary: Ready's message and the success events'.
pub fn build_summary(packaged: bool, name: &str, version: &str, values_files: &[String]) -> String {
    let action = if packaged { "packaged" } else { "pulled" };
    let mut summary = format!("{action} '{name}' chart with version '{version}'");
    if !values_files.is_empty() {
        // Go's `%v` of a string slice.
        summary.push_str(&format!(" and merged values files [{}]", values_files.join(" ")));
    }
    summary
}

async fn produce(
    chart: &HelmChart,
    ctx: &Context,
    current: Option<Artifact>,
    progress: &Progress,
    work: &Path,
) -> Result<Produced, Outcome> {
    let spec = &chart.spec;
    let generation = chart.metadata.generation.unwrap_or(0);
    let namespace = chart.metadata.namespace.as_deref().unwrap_or_default();
    let source = resolve_source(ctx, namespace, &spec.source_ref.clone().unwrap_or_default()).await?;
    let source_revision = source.artifact().and_then(|a| a.revision.clone()).unwrap_or_default();
    let values_files = effective_values_files(spec.values_files.as_deref().unwrap_or_default());
    let metadata = version_metadata(&VersionInputs {
        source_kind: source.kind(),
        reconcile_strategy: spec.reconcile_strategy.as_deref().unwrap_or(spec::RECONCILE_STRATEGY_CHART_VERSION),
        source_revision: &source_revision,
        has_values_files: !values_files.is_empty(),
        generation,
    });
    let observed = chart.status.as_ref();
    // Flux's `Force`: a new generation always rebuilds.
    let reusable = |name: &str, version: &str| {
        current.as_ref().filter(|artifact| {
            artifact.revision.as_deref() == Some(version)
                && observed.and_then(|s| s.observed_chart_name.as_deref()) == Some(name)
                && observed.and_then(|s| s.observed_generation) == Some(generation)
                && ctx.storage.contains(artifact)
        })
    };
    let mut status_fields = Map::new();
    // As in Flux, a source without an artifact (an OCI repository) leaves the last observed revision as it is.
    if source.artifact().is_some() {
        status_fields.insert("observedSourceArtifactRevision".into(), json!(source_revision));
    }

    let output = work.join("build");
    recreate_dir(&output).await?;
    let chart_ref = spec.chart.clone().unwrap_or_default();
    let ignore_missing = spec.ignore_missing_values_files.unwrap_or(false);
    let built = match &source {
        ChartSource::HelmRepository { repository, artifact } => {
            let index = load_index(ctx, artifact).await?;
            let range = spec.version.clone().unwrap_or_default();
            let entry = index.chart_version(&chart_ref, &range).map_err(|e| {
                ChartBuildError::InvalidChartReference(format!("failed to get chart version for remote reference: {e}"))
            })?;
            let version = artifact_version(&entry.version, metadata.as_deref())?;
            if let Some(stored) = reusable(&entry.name, &version) {
                return Ok(reuse(chart, stored, &entry.name, &version, status_fields));
            }
            let auth = repository_auth(ctx, repository).await?;
            let request = ChartPullRequest {
                index: &index,
                repository_url: repository.spec.url.as_deref().unwrap_or_default(),
                chart: &chart_ref,
                version: &range,
                auth: &auth,
                pass_credentials: repository.spec.pass_credentials.unwrap_or(false),
                timeout: repository_timeout(repository),
                max_size: DEFAULT_MAX_CHART_SIZE,
                values_files: &values_files,
                ignore_missing_values_files: ignore_missing,
                version_metadata: metadata.as_deref(),
            };
            pull_chart(&HelmClient::new(), &request, &output).await?
        }
        ChartSource::OciRepository { repository } => {
            check_verification(chart)?;
            let range = spec.version.clone().unwrap_or_default();
            let request = oci::request_for(ctx, repository, &chart_ref, &range).await?;
            let found = resolve_oci_chart(&request).await?;
            let version = artifact_version(&found.version, metadata.as_deref())?;
            // The name Flux compares with the stored chart's is the one asked for.
            if let Some(stored) = reusable(&chart_ref, &version) {
                return Ok(reuse(chart, stored, &chart_ref, &version, status_fields));
            }
            let options = PackageOptions {
                values_files: &values_files,
                ignore_missing_values_files: ignore_missing,
                version_metadata: metadata.as_deref(),
            };
            pull_oci_chart(&found, version, &options, &work.join("pull"), &output).await?
        }
        ChartSource::Tarball { artifact, .. } => {
            let source_dir = work.join("source");
            let storage = ctx.storage.clone();
            let artifact = artifact.clone();
            let (chart_ref, values_files, metadata, output) =
                (chart_ref.clone(), values_files.clone(), metadata.clone(), output.clone());
            let built = tokio::task::spawn_blocking(move || -> Result<BuiltChart, Outcome> {
                let _ = std::fs::remove_dir_all(&source_dir);
                storage
                    .unpack_verified(&artifact, &source_dir, DEFAULT_MAX_UNPACKED_SIZE)
                    .map_err(|err| read_failed(format!("failed to read source artifact: {err}")))?;
                let request = LocalChartRequest {
                    source_dir: &source_dir,
                    chart_path: &chart_ref,
                    values_files: &values_files,
                    ignore_missing_values_files: ignore_missing,
                    version_metadata: metadata.as_deref(),
                };
                Ok(build_local_chart(&request, &output)?)
            })
            .await
            .map_err(|err| read_failed(format!("the build task failed: {err}")))??;
            if let Some(stored) = reusable(&built.name, &built.version) {
                return Ok(reuse(chart, stored, &built.name, &built.version, status_fields));
            }
            built
        }
    };

    let summary = build_summary(built.packaged, &built.name, &built.version, &built.values_files);
    let changed = current.as_ref().is_none_or(|artifact| artifact.revision.as_deref() != Some(built.version.as_str()))
        || observed.and_then(|s| s.observed_chart_name.as_deref()) != Some(built.name.as_str());
    if changed {
        progress.outdated(reason::NEW_CHART, &summary).await;
    }
    let artifact = store(ctx, chart, &built).await?;
    status_fields.insert("observedChartName".into(), json!(built.name));
    status_fields.insert(
        "observedValuesFiles".into(),
        if ignore_missing && !built.values_files.is_empty() { json!(built.values_files) } else { Value::Null },
    );
    let new_digest = current.as_ref().is_none_or(|c| c.digest != artifact.digest);
    Ok(Produced {
        reason: if built.packaged { reason::CHART_PACKAGE_SUCCEEDED } else { reason::CHART_PULL_SUCCEEDED },
        message: summary.clone(),
        new_artifact_message: new_digest.then_some(summary),
        status_fields,
        artifact,
    })
}

/// The stored artifact kept as it is. Its reason and message stay those ArtifactInStorage has for it (whether
/// it was pulled or packaged, which values files went in); a status without them gets the pull summary.
fn reuse(
    chart: &HelmChart,
    stored: &Artifact,
    name: &str,
    version: &str,
    status_fields: Map<String, Value>,
) -> Produced {
    let in_storage =
        chart.status.as_ref().and_then(|s| s.conditions.as_ref()).and_then(|list| {
            list.iter().find(|c| c.type_ == condition::ARTIFACT_IN_STORAGE && c.status == status::TRUE)
        });
    let (why, message) = match in_storage.and_then(|c| Some((c.reason.as_deref()?, c.message.clone()?))) {
        Some((reason::CHART_PACKAGE_SUCCEEDED, message)) => (reason::CHART_PACKAGE_SUCCEEDED, message),
        Some((reason::CHART_PULL_SUCCEEDED, message)) => (reason::CHART_PULL_SUCCEEDED, message),
        _ => (reason::CHART_PULL_SUCCEEDED, build_summary(false, name, version, &[])),
    };
    Produced { artifact: stored.clone(), reason: why, message, new_artifact_message: None, status_fields }
}

/// `spec.verify` with a provider asks Flux to verify an OCI chart's signature (cosign, notation), which this
/// engine cannot do: rather than pull unverified, the chart stalls until the spec changes.
fn check_verification(chart: &HelmChart) -> Result<(), Outcome> {
    match chart.spec.verify.as_ref().and_then(|v| v.provider.as_deref()).filter(|p| !p.is_empty()) {
        Some(provider) => Err(Outcome::failed(
            None,
            reason::VERIFICATION_ERROR,
            format!(
                "spec.verify asks for '{provider}' verification, but fluxtui's engine cannot verify OCI \
                 signatures; remove spec.verify to pull without verification"
            ),
            true,
        )),
        None => Ok(()),
    }
}

/// The HelmRepository's stored index, checked against its digest.
async fn load_index(ctx: &Context, artifact: &Artifact) -> Result<HelmIndex, Outcome> {
    let storage = ctx.storage.clone();
    let artifact = artifact.clone();
    tokio::task::spawn_blocking(move || -> Result<HelmIndex, Outcome> {
        use std::io::Read;
        let failed =
            |err: &dyn std::fmt::Display| read_failed(format!("failed to read the Helm repository index: {err}"));
        let mut file = storage.open_verified(&artifact).map_err(|err| failed(&err))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(|err| failed(&err))?;
        HelmIndex::from_bytes(&bytes).map_err(|err| {
            ChartBuildError::ChartPull(format!("failed to load the Helm repository index: {err}")).into()
        })
    })
    .await
    .map_err(|err| read_failed(format!("the index task failed: {err}")))?
}

/// Stores the built package as `<name>-<version>.tgz` and collects the chart's old artifacts.
async fn store(ctx: &Context, chart: &HelmChart, built: &BuiltChart) -> Result<Artifact, Outcome> {
    let meta = &chart.metadata;
    let owner = ArtifactOwner::new(
        FluxKind::HelmChart,
        meta.namespace.clone().unwrap_or_default(),
        meta.name.clone().unwrap_or_default(),
    );
    let storage = ctx.storage.clone();
    let (file_name, path, version) = (built.file_name(), built.path.clone(), built.version.clone());
    let artifact = tokio::task::spawn_blocking(move || storage.store_file(&owner, &file_name, &path, &version))
        .await
        .map_err(|err| storage_failed(reason::ARCHIVE_OPERATION_FAILED, format!("the storage task failed: {err}")))?
        .map_err(|err| {
            storage_failed(reason::ARCHIVE_OPERATION_FAILED, format!("unable to copy Helm chart to storage: {err}"))
        })?;
    Ok(artifact)
}

/// An empty directory at `path`.
async fn recreate_dir(path: &Path) -> Result<(), Outcome> {
    let _ = tokio::fs::remove_dir_all(path).await;
    tokio::fs::create_dir_all(path).await.map_err(|err| {
        Outcome::failed(
            Some(condition::FETCH_FAILED),
            reason::DIRECTORY_CREATION_FAILED,
            format!("failed to create temporary working directory: {err}"),
            false,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_values_yaml_counts_as_no_values_files() {
        let files = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        assert!(effective_values_files(&files(&["values.yaml"])).is_empty());
        assert!(effective_values_files(&files(&["./values.yaml"])).is_empty());
        assert_eq!(effective_values_files(&files(&["values-prod.yaml"])), files(&["values-prod.yaml"]));
        assert_eq!(effective_values_files(&files(&["values.yaml", "b.yaml"])).len(), 2);
    }

    #[test]
    fn verification_stalls_rather_than_pulling_unverified() {
        let chart = |verify: Value| -> HelmChart {
            serde_json::from_value(json!({
                "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmChart",
                "metadata": {"name": "podinfo", "namespace": "default"},
                "spec": {"chart": "podinfo", "sourceRef": {"kind": "HelmRepository", "name": "r"}, "verify": verify},
            }))
            .expect("a HelmChart")
        };
        assert!(check_verification(&chart(Value::Null)).is_ok());
        let Err(Outcome::Failed { reason, terminal, message, .. }) =
            check_verification(&chart(json!({"provider": "cosign"})))
        else {
            panic!("verification must be refused")
        };
        assert_eq!((reason.as_str(), terminal), ("VerificationError", true));
        assert!(message.contains("'cosign'") && message.contains("remove spec.verify"), "{message}");
    }

    #[test]
    fn summaries_read_as_flux_writes_them() {
        assert_eq!(build_summary(false, "podinfo", "6.1.0", &[]), "pulled 'podinfo' chart with version '6.1.0'");
        let files = ["a.yaml".to_string(), "b.yaml".to_string()];
        assert_eq!(
            build_summary(true, "podinfo", "6.1.0+2", &files),
            "packaged 'podinfo' chart with version '6.1.0+2' and merged values files [a.yaml b.yaml]"
        );
    }
}
