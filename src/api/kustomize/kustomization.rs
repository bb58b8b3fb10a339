//! A Kustomization: builds a path of a source artifact and applies it, with pruning and health checks.

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::meta::{
    CommonMetadata, Condition, CrossNamespaceObjectReference, CustomHealthCheck, DependencyReference, Extra,
    IgnoreRule, Image, Json6902Patch, KubeConfigReference, LocalObjectReference, Patch, ResourceInventory,
};
use crate::api::object::{FluxObject, FluxSpec, FluxStatus};

/// A Kustomization of any served version.
pub type Kustomization = FluxObject<KustomizationSpec, KustomizationStatus>;

/// KustomizationSpec defines the configuration to calculate the desired state from a Source using Kustomize.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KustomizationSpec {
    /// BuildMetadata specifies which kustomize build metadata should be added to the built resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_metadata: Option<Vec<String>>,
    /// CommonMetadata specifies the common labels and annotations that are applied to all resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_metadata: Option<CommonMetadata>,
    /// Components specifies relative paths to kustomize Components.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<String>>,
    /// Decrypt Kubernetes secrets before applying them on the cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decryption: Option<Decryption>,
    /// DeletionPolicy can be used to control garbage collection when this Kustomization is deleted.
    ///
    /// One of: `MirrorPrune`, `Delete`, `WaitForTermination`, `Orphan`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_policy: Option<String>,
    /// DependsOn may contain a DependencyReference slice with references to Kustomization resources that must be ready
    /// before this Kustomization can be reconciled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<Vec<DependencyReference>>,
    /// Force instructs the controller to recreate resources when patching fails due to an immutable field change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
    /// HealthCheckExprs is a list of healthcheck expressions for evaluating the health of custom resources using Common
    /// Expression Language (CEL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check_exprs: Option<Vec<CustomHealthCheck>>,
    /// A list of resources to be included in the health assessment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_checks: Option<Vec<CrossNamespaceObjectReference>>,
    /// Ignore is a list of rules for specifying which changes to ignore during drift detection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore: Option<Vec<IgnoreRule>>,
    /// IgnoreMissingComponents instructs the controller to ignore Components paths not found in source by removing them
    /// from the generated kustomization.yaml before running kustomize build.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_missing_components: Option<bool>,
    /// Images is a list of (image name, new name, new tag or digest) for changing image names, tags or digests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub images: Option<Vec<Image>>,
    /// The interval at which to reconcile the Kustomization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// The KubeConfig for reconciling the Kustomization on a remote cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_config: Option<KubeConfigReference>,
    /// NamePrefix will prefix the names of all managed resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_prefix: Option<String>,
    /// NameSuffix will suffix the names of all managed resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_suffix: Option<String>,
    /// Strategic merge and JSON patches, defined as inline YAML objects, capable of targeting objects based on kind,
    /// label and annotation selectors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patches: Option<Vec<Patch>>,
    /// JSON 6902 patches, defined as inline YAML objects.
    ///
    /// Only in the legacy versions (v1beta1, v1beta2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patches_json6902: Option<Vec<Json6902Patch>>,
    /// Strategic merge patches, defined as inline YAML objects.
    ///
    /// Only in the legacy versions (v1beta1, v1beta2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patches_strategic_merge: Option<Vec<Value>>,
    /// Path to the directory containing the kustomization.yaml file, or the set of plain YAMLs a kustomization.yaml
    /// should be generated for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// PostBuild describes which actions to perform on the YAML manifest generated by building the kustomize overlay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_build: Option<PostBuild>,
    /// Prune enables garbage collection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prune: Option<bool>,
    /// The interval at which to retry a previously failed reconciliation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_interval: Option<String>,
    /// The name of the Kubernetes service account to impersonate when reconciling this Kustomization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// Reference of the source where the kustomization file is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ref: Option<CrossNamespaceObjectReference>,
    /// This flag tells the controller to suspend subsequent kustomize executions, it does not apply to already started
    /// executions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    /// TargetNamespace sets or overrides the namespace in the kustomization.yaml file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_namespace: Option<String>,
    /// Timeout for validation, apply and health checking operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    /// Validate the Kubernetes objects before applying them on the cluster.
    ///
    /// Only in the legacy versions (v1beta1, v1beta2).
    ///
    /// One of: `none`, `client`, `server`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation: Option<String>,
    /// Wait instructs the controller to check the health of all the reconciled resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<bool>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Decrypt Kubernetes secrets before applying them on the cluster.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Decryption {
    /// Provider is the name of the decryption engine.
    ///
    /// One of: `sops`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The secret name containing the private OpenPGP keys used for decryption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    /// ServiceAccountName is the name of the service account used to authenticate with KMS services from cloud
    /// providers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// PostBuild describes which actions to perform on the YAML manifest generated by building the kustomize overlay.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PostBuild {
    /// Substitute holds a map of key/value pairs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitute: Option<BTreeMap<String, String>>,
    /// SubstituteFrom holds references to ConfigMaps and Secrets containing the variables and their values to be
    /// substituted in the YAML manifests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitute_from: Option<Vec<SubstituteReference>>,
    /// SubstituteStrategy defines the strategy for substituting variables in the YAML manifests.
    ///
    /// One of: `WithVariables`, `Always`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitute_strategy: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// SubstituteReference contains a reference to a resource containing the variables name and value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubstituteReference {
    /// Kind of the values referent, valid values are ('Secret', 'ConfigMap').
    ///
    /// One of: `Secret`, `ConfigMap`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Name of the values referent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Optional indicates whether the referenced resource must exist, or whether to tolerate its absence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// KustomizationStatus defines the observed state of a kustomization.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KustomizationStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// History contains a set of snapshots of the last reconciliation attempts tracking the revision, the state and the
    /// duration of each attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<KustomizationHistoryEntry>>,
    /// Inventory contains the list of Kubernetes resource object references that have been successfully applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<ResourceInventory>,
    /// The last successfully applied origin revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_applied_origin_revision: Option<String>,
    /// The last successfully applied revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_applied_revision: Option<String>,
    /// LastAttemptedRevision is the revision of the last reconciliation attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempted_revision: Option<String>,
    /// LastHandledReconcileAt holds the value of the most recent reconcile request value, so a change of the annotation
    /// value can be detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
    /// ObservedGeneration is the last reconciled generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// The last successfully applied revision metadata.
    ///
    /// Only in the legacy versions (v1beta1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<KustomizationSnapshot>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Snapshot represents a point-in-time record of a group of resources reconciliation, including timing information,
/// status, and a unique digest identifier.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KustomizationHistoryEntry {
    /// Digest is the checksum in the format `<algo>:<hex>` of the resources in this snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// FirstReconciled is the time when this revision was first reconciled to the cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_reconciled: Option<String>,
    /// LastReconciled is the time when this revision was last reconciled to the cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_reconciled: Option<String>,
    /// LastReconciledDuration is time it took to reconcile the resources in this revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_reconciled_duration: Option<String>,
    /// LastReconciledStatus is the status of the last reconciliation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_reconciled_status: Option<String>,
    /// Metadata contains additional information about the snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
    /// TotalReconciliations is the total number of reconciliations that have occurred for this snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_reconciliations: Option<i64>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// The last successfully applied revision metadata.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KustomizationSnapshot {
    /// The manifests sha1 checksum.
    ///
    /// Only in the legacy versions (v1beta1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<String>,
    /// A list of Kubernetes kinds grouped by namespace.
    ///
    /// Only in the legacy versions (v1beta1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entries: Option<Vec<KustomizationSnapshotEntry>>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Snapshot holds the metadata of namespaced Kubernetes objects
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KustomizationSnapshotEntry {
    /// The list of Kubernetes kinds.
    ///
    /// Only in the legacy versions (v1beta1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<BTreeMap<String, String>>,
    /// The namespace of this entry.
    ///
    /// Only in the legacy versions (v1beta1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

impl FluxSpec for KustomizationSpec {
    fn suspended(&self) -> bool {
        self.suspend.unwrap_or(false)
    }

    fn interval(&self) -> Option<&str> {
        self.interval.as_deref()
    }
}

impl FluxStatus for KustomizationStatus {
    fn conditions(&self) -> &[Condition] {
        self.conditions.as_deref().unwrap_or(&[])
    }

    fn observed_generation(&self) -> Option<i64> {
        self.observed_generation
    }

    fn last_handled_reconcile_at(&self) -> Option<&str> {
        self.last_handled_reconcile_at.as_deref()
    }

    /// `status.lastAppliedRevision`, as `flux get kustomizations` shows it.
    fn revision(&self) -> Option<Cow<'_, str>> {
        self.last_applied_revision.as_deref().map(Cow::Borrowed)
    }
}
