//! A HelmChart from a GitRepository or Bucket artifact (Flux's local builder): `spec.chart` is a path in the
//! unpacked source, to a chart directory (packaged here) or a packaged chart (copied as it is unless the
//! version or values change). Dependencies are not fetched: those `Chart.yaml` declares must already be in
//! `charts/`.

use std::path::{Path, PathBuf};

use super::chart_files::{ChartFiles, ChartMetadata, secure_join};
use super::error::ChartBuildError;
use super::values::{merge_source_files, overwrite_values};
use super::version::artifact_version;

/// One build from an unpacked source.
#[derive(Debug, Clone)]
pub struct LocalChartRequest<'a> {
    /// The unpacked source artifact.
    pub source_dir: &'a Path,
    /// `spec.chart`: the chart's path in the source.
    pub chart_path: &'a str,
    /// `spec.valuesFiles`, relative to the source's root.
    pub values_files: &'a [String],
    /// `spec.ignoreMissingValuesFiles`.
    pub ignore_missing_values_files: bool,
    /// From [`super::version_metadata`].
    pub version_metadata: Option<&'a str>,
}

/// A built chart, written to the output directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltChart {
    pub name: String,
    /// The artifact's version and revision (with build metadata when there is some).
    pub version: String,
    /// `<output dir>/<name>-<version>.tgz`.
    pub path: PathBuf,
    /// Whether the package was written here rather than taken as it came.
    pub packaged: bool,
    /// The values files that were merged (`status.observedValuesFiles`).
    pub values_files: Vec<String>,
}

impl BuiltChart {
    /// `<name>-<version>.tgz`, the artifact's file name.
    pub fn file_name(&self) -> String {
        format!("{}-{}.tgz", self.name, self.version)
    }
}

/// Builds the chart at `request.chart_path` into `output_dir`.
pub fn build_local_chart(request: &LocalChartRequest<'_>, output_dir: &Path) -> Result<BuiltChart, ChartBuildError> {
    let reference = ChartBuildError::InvalidChartReference;
    let chart_path = secure_join(request.source_dir, request.chart_path);
    let is_dir = chart_path.is_dir();
    // Read the metadata first, as Flux does, so that a wrong path reads as a wrong reference.
    let metadata = if is_dir {
        let read = |name: &str| std::fs::read(chart_path.join(name));
        let chart_yaml = read("Chart.yaml")
            .map_err(|e| reference(format!("unable to read '{}/Chart.yaml': {e}", request.chart_path)))?;
        let requirements = read("requirements.yaml").ok();
        ChartMetadata::parse(&chart_yaml, requirements.as_deref()).map_err(reference)?
    } else {
        let bytes = std::fs::read(&chart_path)
            .map_err(|e| reference(format!("unable to read chart at '{}': {e}", request.chart_path)))?;
        ChartFiles::load_archive(&bytes).map_err(reference)?.metadata
    };
    let version = artifact_version(&metadata.version, request.version_metadata)?;

    let merged = if request.values_files.is_empty() {
        None
    } else {
        let merged = merge_source_files(request.source_dir, request.values_files, request.ignore_missing_values_files)
            .map_err(ChartBuildError::ValuesFiles)?;
        Some(merged)
    };

    if !is_dir && merged.is_none() && version == metadata.version {
        let path = output_dir.join(format!("{}-{version}.tgz", metadata.name));
        std::fs::copy(&chart_path, &path)
            .map_err(|e| ChartBuildError::ChartPull(format!("failed to copy the packaged chart: {e}")))?;
        return Ok(BuiltChart { name: metadata.name, version, path, packaged: false, values_files: Vec::new() });
    }

    let package_error = ChartBuildError::ChartPackage;
    let mut chart = if is_dir {
        ChartFiles::load_directory(request.source_dir, &chart_path).map_err(package_error)?
    } else {
        let bytes = std::fs::read(&chart_path).map_err(|e| package_error(e.to_string()))?;
        ChartFiles::load_archive(&bytes).map_err(package_error)?
    };
    chart.set_version(&version).map_err(package_error)?;
    let values_files = match merged {
        Some(merged) => {
            overwrite_values(&mut chart, &merged.values).map_err(ChartBuildError::ValuesFiles)?;
            merged.files
        }
        None => Vec::new(),
    };
    if is_dir {
        let missing = chart.missing_dependencies();
        if !missing.is_empty() {
            return Err(ChartBuildError::DependencyBuild(format!(
                "found in Chart.yaml, but missing in charts/ directory: {} (fluxtui does not fetch chart dependencies: \
                 vendor them into charts/)",
                missing.join(", ")
            )));
        }
    }
    let path = write_package(&chart, output_dir)?;
    Ok(BuiltChart { name: chart.metadata.name.clone(), version, path, packaged: true, values_files })
}

/// Writes the package into `output_dir` through a temporary file, so a failed write leaves no partial package.
pub(crate) fn write_package(chart: &ChartFiles, output_dir: &Path) -> Result<PathBuf, ChartBuildError> {
    let error = |e: std::io::Error| ChartBuildError::ChartPackage(format!("failed to write the chart package: {e}"));
    let path = output_dir.join(chart.package_file_name());
    let temporary = output_dir.join(format!(".{}.partial", chart.package_file_name()));
    let file = std::fs::File::create(&temporary).map_err(error)?;
    let written = chart.write_package(std::io::BufWriter::new(file)).and_then(|()| std::fs::rename(&temporary, &path));
    if let Err(e) = written {
        // Best effort: the temporary file is garbage either way.
        let _ = std::fs::remove_file(&temporary);
        return Err(error(e));
    }
    Ok(path)
}
