//! A HelmChart from a HelmRepository (Flux's remote builder): pick the version in the repository's index,
//! download the package from the entry's first URL, and keep it as it came unless values files or build
//! metadata require repackaging.

use std::path::Path;
use std::time::Duration;

use url::Url;

use super::chart_files::ChartFiles;
use super::error::ChartBuildError;
use super::local::{BuiltChart, write_package};
use super::values::{merge_chart_files, overwrite_values};
use super::version::artifact_version;
use crate::controllers::helm_repository::{GetRequest, HelmAuth, HelmClient, HelmIndex, normalize_url};

/// source-controller's default `--helm-chart-max-size`: 10 MiB.
pub const DEFAULT_MAX_CHART_SIZE: u64 = 10 << 20;

/// One pull.
#[derive(Debug, Clone)]
pub struct ChartPullRequest<'a> {
    /// The repository's index (from its artifact).
    pub index: &'a HelmIndex,
    /// The HelmRepository's `spec.url`: relative chart URLs resolve against it, and its host is the one the
    /// credentials belong to.
    pub repository_url: &'a str,
    /// `spec.chart`.
    pub chart: &'a str,
    /// `spec.version` (empty means `*`).
    pub version: &'a str,
    pub auth: &'a HelmAuth,
    /// The HelmRepository's `spec.passCredentials`.
    pub pass_credentials: bool,
    /// The HelmRepository's `spec.timeout`.
    pub timeout: Duration,
    pub max_size: u64,
    /// `spec.valuesFiles`, paths inside the chart.
    pub values_files: &'a [String],
    pub ignore_missing_values_files: bool,
    /// From [`super::version_metadata`].
    pub version_metadata: Option<&'a str>,
}

/// Resolves a chart URL from the index against the repository URL (Helm's `ResolveReferenceURL`: the
/// repository URL is taken as a directory, and its query is kept).
pub fn resolve_chart_url(repository: &Url, reference: &str) -> Result<Url, String> {
    if let Ok(absolute) = Url::parse(reference) {
        return Ok(absolute);
    }
    let mut base = repository.clone();
    base.set_path(&format!("{}/", repository.path().trim_end_matches('/')));
    let mut resolved = base.join(reference).map_err(|e| format!("invalid chart URL '{reference}': {e}"))?;
    resolved.set_query(repository.query());
    Ok(resolved)
}

/// Picks, downloads and (when needed) repackages the chart into `output_dir`.
pub async fn pull_chart(
    client: &HelmClient,
    request: &ChartPullRequest<'_>,
    output_dir: &Path,
) -> Result<BuiltChart, ChartBuildError> {
    let entry = request.index.chart_version(request.chart, request.version).map_err(|e| {
        ChartBuildError::InvalidChartReference(format!("failed to get chart version for remote reference: {e}"))
    })?;
    let version = artifact_version(&entry.version, request.version_metadata)?;
    let pull =
        |detail: String| ChartBuildError::ChartPull(format!("failed to download chart for remote reference: {detail}"));
    let repository = normalize_url(request.repository_url).map_err(|e| pull(e.to_string()))?;
    let first = entry.urls.first().ok_or_else(|| pull(format!("chart '{}' has no downloadable URLs", entry.name)))?;
    let url = resolve_chart_url(&repository, first).map_err(pull)?;
    let bytes = client
        .get(&GetRequest {
            url: &url,
            auth: request.auth,
            auth_origin: &repository,
            pass_credentials: request.pass_credentials,
            timeout: request.timeout,
            max_size: request.max_size,
        })
        .await
        .map_err(|e| pull(e.to_string()))?;
    let options = PackageOptions {
        values_files: request.values_files,
        ignore_missing_values_files: request.ignore_missing_values_files,
        version_metadata: request.version_metadata,
    };
    package_pulled(bytes, version, &options, output_dir).await
}

/// What decides whether a pulled package is kept as it came or repackaged.
#[derive(Debug, Clone, Copy)]
pub struct PackageOptions<'a> {
    pub values_files: &'a [String],
    pub ignore_missing_values_files: bool,
    pub version_metadata: Option<&'a str>,
}

/// A downloaded package (from a chart repository or an OCI registry) written to `output_dir` as
/// `<name>-<version>.tgz`: byte for byte when nothing changes it, otherwise with `version` set and the values
/// files merged, then packaged again. The gzip and tar work and the writes run on the blocking pool.
pub async fn package_pulled(
    bytes: Vec<u8>,
    version: String,
    request: &PackageOptions<'_>,
    output_dir: &Path,
) -> Result<BuiltChart, ChartBuildError> {
    let values_files = request.values_files.to_vec();
    let ignore_missing_values_files = request.ignore_missing_values_files;
    let version_metadata = request.version_metadata.map(str::to_string);
    let output_dir = output_dir.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let request = PackageOptions {
            values_files: &values_files,
            ignore_missing_values_files,
            version_metadata: version_metadata.as_deref(),
        };
        package_blocking(&bytes, version, &request, &output_dir)
    })
    .await
    .map_err(|err| ChartBuildError::ChartPackage(format!("the packaging task failed: {err}")))?
}

fn package_blocking(
    bytes: &[u8],
    version: String,
    request: &PackageOptions<'_>,
    output_dir: &Path,
) -> Result<BuiltChart, ChartBuildError> {
    let mut chart = ChartFiles::load_archive(bytes)
        .map_err(|e| ChartBuildError::ChartPull(format!("failed to load chart metadata from written chart: {e}")))?;

    if request.values_files.is_empty() && request.version_metadata.is_none() {
        // Kept byte for byte, as Flux keeps it, so its digest is the repository's.
        let path = output_dir.join(format!("{}-{version}.tgz", chart.metadata.name));
        let written = std::fs::write(&path, bytes);
        written.map_err(|e| ChartBuildError::ChartPull(format!("failed to write chart to file: {e}")))?;
        return Ok(BuiltChart { name: chart.metadata.name, version, path, packaged: false, values_files: Vec::new() });
    }

    chart.set_version(&version).map_err(ChartBuildError::ChartPackage)?;
    let mut values_files = Vec::new();
    if !request.values_files.is_empty() {
        let merged = merge_chart_files(&chart, request.values_files, request.ignore_missing_values_files)
            .map_err(|e| ChartBuildError::ValuesFiles(format!("failed to merge chart values: {e}")))?;
        overwrite_values(&mut chart, &merged.values).map_err(ChartBuildError::ValuesFiles)?;
        values_files = merged.files;
    }
    let path = write_package(&chart, output_dir)?;
    Ok(BuiltChart { name: chart.metadata.name.clone(), version, path, packaged: true, values_files })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_urls_resolve_like_helm() {
        let repo = Url::parse("https://h.example/charts?token=t").unwrap();
        assert_eq!(
            resolve_chart_url(&repo, "app-1.0.0.tgz").unwrap().as_str(),
            "https://h.example/charts/app-1.0.0.tgz?token=t"
        );
        assert_eq!(resolve_chart_url(&repo, "/top/app.tgz").unwrap().as_str(), "https://h.example/top/app.tgz?token=t");
        assert_eq!(
            resolve_chart_url(&repo, "https://cdn.example/app.tgz").unwrap().as_str(),
            "https://cdn.example/app.tgz"
        );
    }
}
