//! What can go wrong while building a HelmChart's artifact, as source-controller classifies it
//! (`internal/helm/chart/errors.go`): each variant prints with Flux's summary in front (`invalid chart
//! reference: ...`) and maps to the reason Flux writes on the FetchFailed or BuildFailed condition and on Ready.
//!
//! The API also defines `ChartPullFailed` and `ChartPackageFailed`, but today's source-controller writes the
//! build error reasons below (`ChartPullError`, `ChartPackageError`, ...), so those are what users see.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ChartBuildError {
    /// The chart name, version range or path does not lead to a chart.
    #[error("invalid chart reference: {0}")]
    InvalidChartReference(String),
    /// Downloading or reading the chart failed.
    #[error("chart pull error: {0}")]
    ChartPull(String),
    /// The version cannot take the build metadata (`+<generation>`, `+<revision>`).
    #[error("chart metadata patch error: {0}")]
    MetadataPatch(String),
    /// A values file is missing or is not a YAML mapping.
    #[error("values files merge error: {0}")]
    ValuesFiles(String),
    /// `Chart.yaml` declares dependencies `charts/` does not hold.
    #[error("dependency build error: {0}")]
    DependencyBuild(String),
    /// Loading the chart's files or writing the package failed.
    #[error("chart package error: {0}")]
    ChartPackage(String),
}

impl ChartBuildError {
    /// The reason source-controller writes for this failure.
    pub fn reason(&self) -> &'static str {
        match self {
            ChartBuildError::InvalidChartReference(_) => "InvalidChartReference",
            ChartBuildError::ChartPull(_) => "ChartPullError",
            ChartBuildError::MetadataPatch(_) => "MetadataPatchError",
            ChartBuildError::ValuesFiles(_) => "ValuesFilesError",
            ChartBuildError::DependencyBuild(_) => "DependencyBuildError",
            ChartBuildError::ChartPackage(_) => "ChartPackageError",
        }
    }

    /// The condition Flux marks True for it: fetching (reference, pull) or building (everything after).
    pub fn condition_type(&self) -> &'static str {
        match self {
            ChartBuildError::InvalidChartReference(_) | ChartBuildError::ChartPull(_) => "FetchFailed",
            _ => "BuildFailed",
        }
    }

    /// Whether retrying without a spec change cannot help (Flux's `IsPersistentBuildErrorReason`: Stalled).
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            ChartBuildError::InvalidChartReference(_)
                | ChartBuildError::MetadataPatch(_)
                | ChartBuildError::ValuesFiles(_)
        )
    }
}
