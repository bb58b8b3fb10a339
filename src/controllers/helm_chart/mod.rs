//! HelmChart: the chart side of the Helm sources, producing the `<name>-<version>.tgz` artifact.
//!
//! - [`pull`]: from a HelmRepository: the version Flux picks in the index, downloaded from the entry's first
//!   URL (credentials only to the repository's host unless `passCredentials`).
//! - [`oci`]: from a HelmRepository of `type: oci`: the version Flux picks among the registry's tags, the chart
//!   layer pulled with the OCIRepository's engine and packaged as a downloaded chart is.
//! - [`local`]: from a GitRepository or Bucket artifact: the chart directory packaged as `helm package` does
//!   ([`chart_files`], [`helmignore`]), dependencies taken from `charts/` as they are.
//! - [`values`]: `spec.valuesFiles` merged into the packaged `values.yaml`.
//! - [`version`]: the artifact's version (its revision), with the build metadata Flux adds.
//! - [`source`]: `spec.sourceRef` resolved to its object and artifact; [`reconcile`]: the reconciler, which
//!   calls the stages above and stores [`BuiltChart::path`] under [`BuiltChart::file_name`]; [`watches`]: a
//!   source's new artifact revision wakes the charts that use it.
//!
//! Remote dependencies are not resolved. Chart verification (`spec.verify`, which Flux does for OCI sources only)
//! is not done: a chart from an OCI repository asking for it stalls, saying so.

pub mod chart_files;
pub mod error;
pub mod helmignore;
pub mod local;
pub mod oci;
pub mod pull;
pub mod reconcile;
pub mod source;
pub mod values;
pub mod version;
pub mod watches;

pub use chart_files::{ChartFiles, ChartMetadata};
pub use error::ChartBuildError;
pub use helmignore::HelmIgnore;
pub use local::{BuiltChart, LocalChartRequest, build_local_chart};
pub use oci::{OciChartError, OciChartRequest, OciChartVersion, pull_oci_chart, resolve_oci_chart};
pub use pull::{
    ChartPullRequest, DEFAULT_MAX_CHART_SIZE, PackageOptions, package_pulled, pull_chart, resolve_chart_url,
};
pub use values::{MergedValues, merge_maps};
pub use version::{ChartSourceKind, VersionInputs, artifact_revision, artifact_version, version_metadata};
