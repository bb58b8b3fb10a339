//! A HelmRelease: installs and upgrades a Helm chart, with remediation, tests and drift detection.

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::meta::{
    CommonMetadata, Condition, CrossNamespaceObjectReference, CustomHealthCheck, DependencyReference, Extra,
    KubeConfigReference, LocalObjectReference, ResourceInventory,
};
use crate::api::object::{FluxObject, FluxSpec, FluxStatus};

mod actions;
mod post_render;
pub use actions::*;
pub use post_render::*;

/// A HelmRelease of any served version.
pub type HelmRelease = FluxObject<HelmReleaseSpec, HelmReleaseStatus>;

/// HelmReleaseSpec defines the desired state of a Helm release.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelmReleaseSpec {
    /// Chart defines the template of the v1.HelmChart that should be created for this HelmRelease.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<Box<HelmChartTemplate>>,
    /// ChartRef holds a reference to a source controller resource containing the Helm chart artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart_ref: Option<CrossNamespaceObjectReference>,
    /// CommonMetadata specifies the common labels and annotations that are applied to all resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_metadata: Option<CommonMetadata>,
    /// DependsOn may contain a DependencyReference slice with references to HelmRelease resources that must be ready
    /// before this HelmRelease can be reconciled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<Vec<DependencyReference>>,
    /// DriftDetection holds the configuration for detecting and handling differences between the manifest in the Helm
    /// storage and the resources currently existing in the cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift_detection: Option<Box<DriftDetection>>,
    /// HealthCheckExprs is a list of healthcheck expressions for evaluating the health of custom resources using Common
    /// Expression Language (CEL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check_exprs: Option<Vec<CustomHealthCheck>>,
    /// Install holds the configuration for Helm install actions for this HelmRelease.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install: Option<Box<Install>>,
    /// Interval at which to reconcile the Helm release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// KubeConfig for reconciling the HelmRelease on a remote cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_config: Option<KubeConfigReference>,
    /// MaxHistory is the number of revisions saved by Helm for this HelmRelease.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_history: Option<i64>,
    /// PersistentClient tells the controller to use a persistent Kubernetes client for this release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent_client: Option<bool>,
    /// PostRenderStrategy defines the strategy for sending hooks to post-renderers.
    ///
    /// One of: `nohooks`, `combined`, `separate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_render_strategy: Option<String>,
    /// PostRenderers holds an array of Helm PostRenderers, which will be applied in order of their definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_renderers: Option<Vec<PostRenderer>>,
    /// ReleaseName used for the Helm release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_name: Option<String>,
    /// Rollback holds the configuration for Helm rollback actions for this HelmRelease.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback: Option<Box<Rollback>>,
    /// The name of the Kubernetes service account to impersonate when reconciling this HelmRelease.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// StorageNamespace used for the Helm storage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_namespace: Option<String>,
    /// Suspend tells the controller to suspend reconciliation for this HelmRelease, it does not apply to already
    /// started reconciliations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    /// TargetNamespace to target when performing operations for the HelmRelease.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_namespace: Option<String>,
    /// Test holds the configuration for Helm test actions for this HelmRelease.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<Box<Test>>,
    /// Timeout is the time to wait for any individual Kubernetes operation (like Jobs for hooks) during the performance
    /// of a Helm action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    /// Uninstall holds the configuration for Helm uninstall actions for this HelmRelease.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uninstall: Option<Box<Uninstall>>,
    /// Upgrade holds the configuration for Helm upgrade actions for this HelmRelease.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgrade: Option<Box<Upgrade>>,
    /// Values holds the values for this Helm release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Value>,
    /// ValuesFrom holds references to resources containing Helm values for this HelmRelease, and information about how
    /// they should be merged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_from: Option<Vec<ValuesReference>>,
    /// WaitStrategy defines Helm's wait strategy for waiting for applied resources to become ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_strategy: Option<WaitStrategy>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Chart defines the template of the v1.HelmChart that should be created for this HelmRelease.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelmChartTemplate {
    /// ObjectMeta holds the template for metadata like labels and annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<CommonMetadata>,
    /// Spec holds the template for the v1.HelmChartSpec for this HelmRelease.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<HelmChartTemplateSpec>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Spec holds the template for the v1.HelmChartSpec for this HelmRelease.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelmChartTemplateSpec {
    /// The name or path the Helm chart is available at in the SourceRef.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<String>,
    /// IgnoreMissingValuesFiles controls whether to silently ignore missing values files rather than failing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_missing_values_files: Option<bool>,
    /// Interval at which to check the v1.Source for updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// Determines what enables the creation of a new artifact.
    ///
    /// One of: `ChartVersion`, `Revision`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconcile_strategy: Option<String>,
    /// The name and namespace of the v1.Source the chart is available at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ref: Option<CrossNamespaceObjectReference>,
    /// Alternative values file to use as the default chart values, expected to be a relative path in the SourceRef.
    ///
    /// Only in the legacy versions (v2beta1, v2beta2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_file: Option<String>,
    /// Alternative list of values files to use as the chart values (values.yaml is not included by default), expected
    /// to be a relative path in the SourceRef.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_files: Option<Vec<String>>,
    /// Verify contains the secret name containing the trusted public keys used to verify the signature and specifies
    /// which provider to use to check whether OCI image is authentic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<HelmChartTemplateVerification>,
    /// Version semver expression, ignored for charts from v1.GitRepository and v1beta2.Bucket sources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Verify contains the secret name containing the trusted public keys used to verify the signature and specifies which
/// provider to use to check whether OCI image is authentic.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelmChartTemplateVerification {
    /// Provider specifies the technology used to sign the OCI Helm chart.
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

/// ValuesReference contains a reference to a resource containing Helm values, and optionally the key they can be found
/// at.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ValuesReference {
    /// Kind of the values referent, valid values are ('Secret', 'ConfigMap').
    ///
    /// One of: `Secret`, `ConfigMap`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Literal marks this ValuesReference as a literal value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub literal: Option<bool>,
    /// Name of the values referent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Optional marks this ValuesReference as optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
    /// TargetPath is the YAML dot notation path the value should be merged at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_path: Option<String>,
    /// ValuesKey is the data key where the values.yaml or a specific value can be found at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_key: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// HelmReleaseStatus defines the observed state of a HelmRelease.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelmReleaseStatus {
    /// Conditions holds the conditions for the HelmRelease.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// Failures is the reconciliation failure count against the latest desired state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failures: Option<i64>,
    /// HelmChart is the namespaced name of the HelmChart resource created by the controller for the HelmRelease.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helm_chart: Option<String>,
    /// History holds the history of Helm releases performed for this HelmRelease up to the last successfully completed
    /// release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<Snapshot>>,
    /// InstallFailures is the install failure count against the latest desired state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install_failures: Option<i64>,
    /// Inventory contains the list of Kubernetes resource object references that have been applied for this release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<ResourceInventory>,
    /// LastAppliedRevision is the revision of the last successfully applied source.
    ///
    /// Only in the legacy versions (v2beta1, v2beta2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_applied_revision: Option<String>,
    /// LastAttemptedConfigDigest is the digest for the config (better known as "values") of the last reconciliation
    /// attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempted_config_digest: Option<String>,
    /// LastAttemptedGeneration is the last generation the controller attempted to reconcile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempted_generation: Option<i64>,
    /// LastAttemptedReleaseAction is the last release action performed for this HelmRelease.
    ///
    /// One of: `install`, `upgrade`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempted_release_action: Option<String>,
    /// LastAttemptedReleaseActionDuration is the duration of the last release action performed for this HelmRelease.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempted_release_action_duration: Option<String>,
    /// LastAttemptedRevision is the Source revision of the last reconciliation attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempted_revision: Option<String>,
    /// LastAttemptedRevisionDigest is the digest of the last reconciliation attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempted_revision_digest: Option<String>,
    /// LastAttemptedValuesChecksum is the SHA1 checksum for the values of the last reconciliation attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempted_values_checksum: Option<String>,
    /// LastHandledForceAt holds the value of the most recent force request value, so a change of the annotation value
    /// can be detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_force_at: Option<String>,
    /// LastHandledReconcileAt holds the value of the most recent reconcile request value, so a change of the annotation
    /// value can be detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
    /// LastHandledResetAt holds the value of the most recent reset request value, so a change of the annotation value
    /// can be detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reset_at: Option<String>,
    /// LastReleaseRevision is the revision of the last successful Helm release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_release_revision: Option<i64>,
    /// ObservedCommonMetadataDigest is the digest for the common metadata of the last successful reconciliation
    /// attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_common_metadata_digest: Option<String>,
    /// ObservedGeneration is the last observed generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// ObservedPostRenderersDigest is the digest for the post-renderers of the last successful reconciliation attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_post_renderers_digest: Option<String>,
    /// StorageNamespace is the namespace of the Helm release storage for the current release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_namespace: Option<String>,
    /// UpgradeFailures is the upgrade failure count against the latest desired state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgrade_failures: Option<i64>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Snapshot captures a point-in-time copy of the status information for a Helm release, as managed by the controller.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// Action is the action that resulted in this snapshot being created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// APIVersion is the API version of the Snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// AppVersion is the chart app version of the release object in storage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_version: Option<String>,
    /// ChartName is the chart name of the release object in storage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart_name: Option<String>,
    /// ChartVersion is the chart version of the release object in storage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart_version: Option<String>,
    /// ConfigDigest is the checksum of the config (better known as "values") of the release object in storage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_digest: Option<String>,
    /// Deleted is when the release was deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<String>,
    /// Digest is the checksum of the release object in storage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// FirstDeployed is when the release was first deployed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_deployed: Option<String>,
    /// LastDeployed is when the release was last deployed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_deployed: Option<String>,
    /// Name is the name of the release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Namespace is the namespace the release is deployed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// OCIDigest is the digest of the OCI artifact associated with the release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oci_digest: Option<String>,
    /// Status is the current state of the release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// TestHooks is the list of test hooks for the release as observed to be run by the controller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_hooks: Option<BTreeMap<String, TestHookStatus>>,
    /// Version is the version of the release object in storage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// TestHookStatus holds the status information for a test hook as observed to be run by the controller.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TestHookStatus {
    /// LastCompleted is the time the test hook last completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_completed: Option<String>,
    /// LastStarted is the time the test hook was last started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_started: Option<String>,
    /// Phase the test hook was observed to be in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

impl FluxSpec for HelmReleaseSpec {
    fn suspended(&self) -> bool {
        self.suspend.unwrap_or(false)
    }

    fn interval(&self) -> Option<&str> {
        self.interval.as_deref()
    }
}

impl FluxStatus for HelmReleaseStatus {
    fn conditions(&self) -> &[Condition] {
        self.conditions.as_deref().unwrap_or(&[])
    }

    fn observed_generation(&self) -> Option<i64> {
        self.observed_generation
    }

    fn last_handled_reconcile_at(&self) -> Option<&str> {
        self.last_handled_reconcile_at.as_deref()
    }

    /// As `flux get helmreleases` shows it: the chart version of the newest history snapshot, else
    /// `lastAttemptedRevision`; v2beta1 objects without history fall back to `lastAppliedRevision`.
    fn revision(&self) -> Option<Cow<'_, str>> {
        self.history
            .as_ref()
            .and_then(|history| history.first())
            .and_then(|snapshot| snapshot.chart_version.as_deref())
            .or(self.last_attempted_revision.as_deref())
            .or(self.last_applied_revision.as_deref())
            .map(Cow::Borrowed)
    }
}
