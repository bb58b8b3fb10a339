//! The version a HelmChart artifact carries, which is also its revision and part of its file name: the
//! chart's version with build metadata when Flux adds some (SEMANTICS §2.3, source-controller's
//! `buildFromHelmRepository` and `buildFromTarballArtifact`):
//! - a HelmRepository source with `valuesFiles`: `+<generation>`;
//! - a Git or Bucket source with `reconcileStrategy: Revision`: `+<first 12 hex of the source revision>`, and
//!   with `valuesFiles` as well `+<12 hex>.<generation>`;
//! - a Git or Bucket source with `valuesFiles` only: `+<generation>`.
//!
//! Setting metadata replaces any the chart version had (`6.0.0+build` becomes `6.0.0+1`).

use semver::BuildMetadata;

use super::error::ChartBuildError;
use crate::controllers::semver_range::parse_version_lenient;

/// `spec.sourceRef.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartSourceKind {
    HelmRepository,
    GitRepository,
    Bucket,
}

/// What decides the build metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionInputs<'a> {
    pub source_kind: ChartSourceKind,
    /// `spec.reconcileStrategy`: `ChartVersion` (default) or `Revision`.
    pub reconcile_strategy: &'a str,
    /// The source artifact's revision (`main@sha1:<hex>`, `sha256:<hex>`); used with `Revision` only.
    pub source_revision: &'a str,
    /// Whether `spec.valuesFiles` lists any file.
    pub has_values_files: bool,
    /// `metadata.generation` of the HelmChart.
    pub generation: i64,
}

/// The build metadata Flux adds, if any.
pub fn version_metadata(inputs: &VersionInputs<'_>) -> Option<String> {
    let mut metadata = String::new();
    if inputs.source_kind != ChartSourceKind::HelmRepository && inputs.reconcile_strategy == "Revision" {
        let hex = revision_hex(inputs.source_kind, inputs.source_revision);
        // Twelve characters keep labels built from the version under 63 characters (Flux's reasoning).
        metadata.push_str(hex.get(..12).unwrap_or(hex));
    }
    if inputs.has_values_files {
        if !metadata.is_empty() {
            metadata.push('.');
        }
        metadata.push_str(&inputs.generation.to_string());
    }
    (!metadata.is_empty()).then_some(metadata)
}

/// The hash in a source revision: after the last `:` (`main@sha1:<hex>`, `sha256:<hex>`), or for Git's legacy
/// `<branch>/<hex>` after the last `/`.
fn revision_hex(kind: ChartSourceKind, revision: &str) -> &str {
    if let Some((_, hex)) = revision.rsplit_once(':') {
        return hex;
    }
    match kind {
        ChartSourceKind::GitRepository => revision.rsplit_once('/').map_or(revision, |(_, hex)| hex),
        _ => revision,
    }
}

/// The artifact's version: `chart_version` with `metadata` set (replacing any it had), printed without a
/// leading `v`, as Masterminds' `String()` prints it.
pub fn artifact_version(chart_version: &str, metadata: Option<&str>) -> Result<String, ChartBuildError> {
    let Some(metadata) = metadata else { return Ok(chart_version.to_string()) };
    let mut version = parse_version_lenient(chart_version).ok_or_else(|| {
        ChartBuildError::MetadataPatch(format!(
            "failed to parse version from chart metadata as SemVer: Invalid Semantic Version: {chart_version}"
        ))
    })?;
    version.build = BuildMetadata::new(metadata)
        .map_err(|e| ChartBuildError::MetadataPatch(format!("failed to set SemVer metadata on chart version: {e}")))?;
    Ok(version.to_string())
}

/// The artifact's version and revision for a chart at `chart_version` built with `inputs`: the two steps above
/// in one (`6.0.3`, `6.0.3+1`, `6.0.3+0123456789ab.2`).
pub fn artifact_revision(chart_version: &str, inputs: &VersionInputs<'_>) -> Result<String, ChartBuildError> {
    artifact_version(chart_version, version_metadata(inputs).as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(kind: ChartSourceKind, strategy: &'static str, values: bool) -> VersionInputs<'static> {
        VersionInputs {
            source_kind: kind,
            reconcile_strategy: strategy,
            source_revision: if kind == ChartSourceKind::Bucket {
                "sha256:0123456789abcdef0123"
            } else {
                "main@sha1:fedcba9876543210fedcba9876543210fedcba98"
            },
            has_values_files: values,
            generation: 3,
        }
    }

    #[test]
    fn metadata_follows_source_controller() {
        use ChartSourceKind::*;
        assert_eq!(version_metadata(&inputs(HelmRepository, "ChartVersion", false)), None);
        assert_eq!(version_metadata(&inputs(HelmRepository, "Revision", true)).as_deref(), Some("3"));
        assert_eq!(version_metadata(&inputs(GitRepository, "Revision", false)).as_deref(), Some("fedcba987654"));
        assert_eq!(version_metadata(&inputs(GitRepository, "Revision", true)).as_deref(), Some("fedcba987654.3"));
        assert_eq!(version_metadata(&inputs(Bucket, "Revision", false)).as_deref(), Some("0123456789ab"));
        assert_eq!(version_metadata(&inputs(Bucket, "ChartVersion", true)).as_deref(), Some("3"));
    }

    #[test]
    fn versions_take_the_metadata() {
        assert_eq!(artifact_version("6.0.3", None).unwrap(), "6.0.3");
        assert_eq!(artifact_version("6.0.3", Some("1")).unwrap(), "6.0.3+1");
        assert_eq!(artifact_version("v6.0.3+old", Some("abc.2")).unwrap(), "6.0.3+abc.2");
        let git = inputs(ChartSourceKind::GitRepository, "Revision", true);
        assert_eq!(artifact_revision("6.0.3", &git).unwrap(), "6.0.3+fedcba987654.3");
        let bad = artifact_version("6.0.3", Some("not valid!")).unwrap_err();
        assert_eq!(bad.reason(), "MetadataPatchError");
        assert!(bad.is_terminal());
    }
}
