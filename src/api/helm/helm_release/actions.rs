//! The Helm actions a HelmRelease configures: install, upgrade, test, rollback and uninstall, with their
//! remediation and wait strategies.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::meta::Extra;

/// Install holds the configuration for Helm install actions for this HelmRelease.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Install {
    /// CRDs upgrade CRDs from the Helm Chart's crds directory according to the CRD upgrade policy provided here.
    ///
    /// One of: `Skip`, `Create`, `CreateReplace`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crds: Option<String>,
    /// CreateNamespace tells the Helm install action to create the HelmReleaseSpec.TargetNamespace if it does not exist
    /// yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_namespace: Option<bool>,
    /// DisableHooks prevents hooks from running during the Helm install action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_hooks: Option<bool>,
    /// DisableOpenAPIValidation prevents the Helm install action from validating rendered templates against the
    /// Kubernetes OpenAPI Schema.
    #[serde(rename = "disableOpenAPIValidation", default, skip_serializing_if = "Option::is_none")]
    pub disable_open_api_validation: Option<bool>,
    /// DisableSchemaValidation prevents the Helm install action from validating the values against the JSON Schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_schema_validation: Option<bool>,
    /// DisableTakeOwnership disables taking ownership of existing resources during the Helm install action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_take_ownership: Option<bool>,
    /// DisableWait disables the waiting for resources to be ready after a Helm install has been performed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_wait: Option<bool>,
    /// DisableWaitForJobs disables waiting for jobs to complete after a Helm install has been performed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_wait_for_jobs: Option<bool>,
    /// Remediation holds the remediation configuration for when the Helm install action for the HelmRelease fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<InstallRemediation>,
    /// Replace tells the Helm install action to re-use the 'ReleaseName', but only if that name is a deleted release
    /// which remains in the history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replace: Option<bool>,
    /// ServerSideApply enables server-side apply for resources during install.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_side_apply: Option<bool>,
    /// SkipCRDs tells the Helm install action to not install any CRDs.
    #[serde(rename = "skipCRDs", default, skip_serializing_if = "Option::is_none")]
    pub skip_cr_ds: Option<bool>,
    /// Strategy defines the install strategy to use for this HelmRelease.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<ReleaseStrategy>,
    /// Timeout is the time to wait for any individual Kubernetes operation (like Jobs for hooks) during the performance
    /// of a Helm install action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Remediation holds the remediation configuration for when the Helm install action for the HelmRelease fails.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstallRemediation {
    /// IgnoreTestFailures tells the controller to skip remediation when the Helm tests are run after an install action
    /// but fail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_test_failures: Option<bool>,
    /// RemediateLastFailure tells the controller to remediate the last failure, when no retries remain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediate_last_failure: Option<bool>,
    /// Retries is the number of retries that should be attempted on failures before bailing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<i64>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Strategy defines the install strategy to use for this HelmRelease.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseStrategy {
    /// Name of the install strategy.
    ///
    /// One of: `RemediateOnFailure`, `RetryOnFailure`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// RetryInterval is the interval at which to retry a failed install.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_interval: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Rollback holds the configuration for Helm rollback actions for this HelmRelease.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Rollback {
    /// CleanupOnFail allows deletion of new resources created during the Helm rollback action when it fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup_on_fail: Option<bool>,
    /// DisableHooks prevents hooks from running during the Helm rollback action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_hooks: Option<bool>,
    /// DisableWait disables the waiting for resources to be ready after a Helm rollback has been performed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_wait: Option<bool>,
    /// DisableWaitForJobs disables waiting for jobs to complete after a Helm rollback has been performed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_wait_for_jobs: Option<bool>,
    /// Force forces resource updates through a replacement strategy that avoids 3-way merge conflicts on client-side
    /// apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
    /// Recreate performs pod restarts for any managed workloads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recreate: Option<bool>,
    /// ServerSideApply enables server-side apply for resources during rollback.
    ///
    /// One of: `enabled`, `disabled`, `auto`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_side_apply: Option<String>,
    /// Timeout is the time to wait for any individual Kubernetes operation (like Jobs for hooks) during the performance
    /// of a Helm rollback action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Test holds the configuration for Helm test actions for this HelmRelease.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Test {
    /// Enable enables Helm test actions for this HelmRelease after an Helm install or upgrade action has been
    /// performed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable: Option<bool>,
    /// Filters is a list of tests to run or exclude from running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<Vec<TestFilter>>,
    /// IgnoreFailures tells the controller to skip remediation when the Helm tests are run but fail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_failures: Option<bool>,
    /// Timeout is the time to wait for any individual Kubernetes operation during the performance of a Helm test
    /// action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Filter holds the configuration for individual Helm test filters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TestFilter {
    /// Exclude specifies whether the named test should be excluded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude: Option<bool>,
    /// Name is the name of the test.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Uninstall holds the configuration for Helm uninstall actions for this HelmRelease.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Uninstall {
    /// DeletionPropagation specifies the deletion propagation policy when a Helm uninstall is performed.
    ///
    /// One of: `background`, `foreground`, `orphan`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_propagation: Option<String>,
    /// DisableHooks prevents hooks from running during the Helm rollback action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_hooks: Option<bool>,
    /// DisableWait disables waiting for all the resources to be deleted after a Helm uninstall is performed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_wait: Option<bool>,
    /// KeepHistory tells Helm to remove all associated resources and mark the release as deleted, but retain the
    /// release history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_history: Option<bool>,
    /// Timeout is the time to wait for any individual Kubernetes operation (like Jobs for hooks) during the performance
    /// of a Helm uninstall action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Upgrade holds the configuration for Helm upgrade actions for this HelmRelease.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Upgrade {
    /// ChartNameChangeStrategy defines the strategy to use when a Helm chart name changes.
    ///
    /// One of: `InPlaceUpdate`, `Reinstall`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart_name_change_strategy: Option<String>,
    /// CleanupOnFail allows deletion of new resources created during the Helm upgrade action when it fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup_on_fail: Option<bool>,
    /// CRDs upgrade CRDs from the Helm Chart's crds directory according to the CRD upgrade policy provided here.
    ///
    /// One of: `Skip`, `Create`, `CreateReplace`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crds: Option<String>,
    /// DisableHooks prevents hooks from running during the Helm upgrade action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_hooks: Option<bool>,
    /// DisableOpenAPIValidation prevents the Helm upgrade action from validating rendered templates against the
    /// Kubernetes OpenAPI Schema.
    #[serde(rename = "disableOpenAPIValidation", default, skip_serializing_if = "Option::is_none")]
    pub disable_open_api_validation: Option<bool>,
    /// DisableSchemaValidation prevents the Helm upgrade action from validating the values against the JSON Schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_schema_validation: Option<bool>,
    /// DisableTakeOwnership disables taking ownership of existing resources during the Helm upgrade action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_take_ownership: Option<bool>,
    /// DisableWait disables the waiting for resources to be ready after a Helm upgrade has been performed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_wait: Option<bool>,
    /// DisableWaitForJobs disables waiting for jobs to complete after a Helm upgrade has been performed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_wait_for_jobs: Option<bool>,
    /// Force forces resource updates through a replacement strategy that avoids 3-way merge conflicts on client-side
    /// apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
    /// PreserveValues will make Helm reuse the last release's values and merge in overrides from 'Values'.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preserve_values: Option<bool>,
    /// Remediation holds the remediation configuration for when the Helm upgrade action for the HelmRelease fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<UpgradeRemediation>,
    /// ServerSideApply enables server-side apply for resources during upgrade.
    ///
    /// One of: `enabled`, `disabled`, `auto`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_side_apply: Option<String>,
    /// Strategy defines the upgrade strategy to use for this HelmRelease.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<ReleaseStrategy>,
    /// Timeout is the time to wait for any individual Kubernetes operation (like Jobs for hooks) during the performance
    /// of a Helm upgrade action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Remediation holds the remediation configuration for when the Helm upgrade action for the HelmRelease fails.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpgradeRemediation {
    /// IgnoreTestFailures tells the controller to skip remediation when the Helm tests are run after an upgrade action
    /// but fail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_test_failures: Option<bool>,
    /// RemediateLastFailure tells the controller to remediate the last failure, when no retries remain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediate_last_failure: Option<bool>,
    /// Retries is the number of retries that should be attempted on failures before bailing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<i64>,
    /// Strategy to use for failure remediation.
    ///
    /// One of: `rollback`, `uninstall`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// WaitStrategy defines Helm's wait strategy for waiting for applied resources to become ready.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WaitStrategy {
    /// Name is Helm's wait strategy for waiting for applied resources to become ready.
    ///
    /// One of: `poller`, `legacy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}
