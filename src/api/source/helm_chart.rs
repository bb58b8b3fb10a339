//! A HelmChart: a chart pulled from a HelmRepository or packaged from a GitRepository or Bucket.

use std::borrow::Cow;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::meta::{AccessFrom, Artifact, Condition, Extra, LocalObjectReference, OidcIdentityMatch};
use crate::api::object::{FluxObject, FluxSpec, FluxStatus};

/// A HelmChart of any served version.
pub type HelmChart = FluxObject<HelmChartSpec, HelmChartStatus>;

/// HelmChartSpec specifies the desired state of a Helm chart.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelmChartSpec {
    /// AccessFrom defines an Access Control List for allowing cross-namespace references to this object.
    ///
    /// Only in the legacy versions (v1beta1, v1beta2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_from: Option<AccessFrom>,
    /// Chart is the name or path the Helm chart is available at in the SourceRef.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<String>,
    /// IgnoreMissingValuesFiles controls whether to silently ignore missing values files rather than failing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_missing_values_files: Option<bool>,
    /// Interval at which the HelmChart SourceRef is checked for updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// ReconcileStrategy determines what enables the creation of a new artifact.
    ///
    /// One of: `ChartVersion`, `Revision`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconcile_strategy: Option<String>,
    /// SourceRef is the reference to the Source the chart is available at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ref: Option<LocalHelmChartSourceReference>,
    /// Suspend tells the controller to suspend the reconciliation of this source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    /// Alternative values file to use as the default chart values, expected to be a relative path in the SourceRef.
    ///
    /// Only in the legacy versions (v1beta1, v1beta2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_file: Option<String>,
    /// ValuesFiles is an alternative list of values files to use as the chart values (values.yaml is not included by
    /// default), expected to be a relative path in the SourceRef.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_files: Option<Vec<String>>,
    /// Verify contains the secret name containing the trusted public keys used to verify the signature and specifies
    /// which provider to use to check whether OCI image is authentic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<HelmChartVerification>,
    /// Version is the chart version semver expression, ignored for charts from GitRepository and Bucket sources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// SourceRef is the reference to the Source the chart is available at.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LocalHelmChartSourceReference {
    /// APIVersion of the referent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the referent, valid values are ('HelmRepository', 'GitRepository', 'Bucket').
    ///
    /// One of: `HelmRepository`, `GitRepository`, `Bucket`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Name of the referent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Verify contains the secret name containing the trusted public keys used to verify the signature and specifies which
/// provider to use to check whether OCI image is authentic.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelmChartVerification {
    /// MatchOIDCIdentity specifies the identity matching criteria to use while verifying an OCI artifact which was
    /// signed using Cosign keyless signing.
    #[serde(rename = "matchOIDCIdentity", default, skip_serializing_if = "Option::is_none")]
    pub match_oidc_identity: Option<Vec<OidcIdentityMatch>>,
    /// Provider specifies the technology used to sign the OCI Artifact.
    ///
    /// One of: `cosign`, `notation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// SecretRef specifies the Kubernetes Secret containing the trusted public keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// HelmChartStatus records the observed state of the HelmChart.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelmChartStatus {
    /// Artifact represents the output of the last successful reconciliation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact: Option<Artifact>,
    /// Conditions holds the conditions for the HelmChart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// LastHandledReconcileAt holds the value of the most recent reconcile request value, so a change of the annotation
    /// value can be detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
    /// ObservedChartName is the last observed chart name as specified by the resolved chart reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_chart_name: Option<String>,
    /// ObservedGeneration is the last observed generation of the HelmChart object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// ObservedSourceArtifactRevision is the last observed Artifact.Revision of the HelmChartSpec.SourceRef.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_source_artifact_revision: Option<String>,
    /// ObservedValuesFiles are the observed value files of the last successful reconciliation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_values_files: Option<Vec<String>>,
    /// URL is the dynamic fetch link for the latest Artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

impl FluxSpec for HelmChartSpec {
    fn suspended(&self) -> bool {
        self.suspend.unwrap_or(false)
    }

    fn interval(&self) -> Option<&str> {
        self.interval.as_deref()
    }
}

impl FluxStatus for HelmChartStatus {
    fn conditions(&self) -> &[Condition] {
        self.conditions.as_deref().unwrap_or(&[])
    }

    fn observed_generation(&self) -> Option<i64> {
        self.observed_generation
    }

    fn last_handled_reconcile_at(&self) -> Option<&str> {
        self.last_handled_reconcile_at.as_deref()
    }

    /// `status.artifact.revision`: the chart version.
    fn revision(&self) -> Option<Cow<'_, str>> {
        self.artifact.as_ref().and_then(|artifact| artifact.revision.as_deref()).map(Cow::Borrowed)
    }
}
