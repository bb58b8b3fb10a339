//! Flux's names, spelled once: condition types, reasons, annotations, labels, finalizers and field managers, as
//! the v2.9 controllers use them (../shared/flux/SEMANTICS.md §2, §3 and §8). Reconcilers use these constants and
//! never spell the strings themselves, so one search finds every place a name is used.

/// The finalizer every Flux reconciler puts on the objects it reconciles.
pub const FINALIZER: &str = "finalizers.fluxcd.io";

/// source-watcher's finalizer on ArtifactGenerators (the one Flux controller with a finalizer of its own).
pub const SOURCE_WATCHER_FINALIZER: &str = "source.extensions.fluxcd.io/finalizer";

/// Condition types (`fluxcd/pkg/apis/meta` and the source API).
pub mod condition {
    pub const READY: &str = "Ready";
    pub const RECONCILING: &str = "Reconciling";
    pub const STALLED: &str = "Stalled";
    pub const HEALTHY: &str = "Healthy";
    pub const ARTIFACT_IN_STORAGE: &str = "ArtifactInStorage";
    pub const ARTIFACT_OUTDATED: &str = "ArtifactOutdated";
    pub const FETCH_FAILED: &str = "FetchFailed";
    pub const BUILD_FAILED: &str = "BuildFailed";
    pub const STORAGE_OPERATION_FAILED: &str = "StorageOperationFailed";
    pub const INCLUDE_UNAVAILABLE: &str = "IncludeUnavailable";
    pub const SOURCE_VERIFIED: &str = "SourceVerified";

    /// The "negative polarity" types: present only while True, removed once the problem is gone.
    pub const NEGATIVE_POLARITY: [&str; 7] = [
        RECONCILING,
        STALLED,
        ARTIFACT_OUTDATED,
        FETCH_FAILED,
        BUILD_FAILED,
        STORAGE_OPERATION_FAILED,
        INCLUDE_UNAVAILABLE,
    ];
}

/// Condition reasons and event reasons.
pub mod reason {
    pub const SUCCEEDED: &str = "Succeeded";
    pub const FAILED: &str = "Failed";
    pub const PROGRESSING: &str = "Progressing";
    pub const PROGRESSING_WITH_RETRY: &str = "ProgressingWithRetry";
    pub const SUSPENDED: &str = "Suspended";
    pub const NEW_REVISION: &str = "NewRevision";
    pub const NEW_ARTIFACT: &str = "NewArtifact";
    pub const ARTIFACT_UP_TO_DATE: &str = "ArtifactUpToDate";
    pub const GIT_OPERATION_SUCCEEDED: &str = "GitOperationSucceeded";
    pub const GIT_OPERATION_FAILED: &str = "GitOperationFailed";
    pub const AUTHENTICATION_FAILED: &str = "AuthenticationFailed";
    pub const URL_INVALID: &str = "URLInvalid";
    pub const STORAGE_OPERATION_FAILED: &str = "StorageOperationFailed";
    pub const ARCHIVE_OPERATION_FAILED: &str = "ArchiveOperationFailed";
    pub const DIRECTORY_CREATION_FAILED: &str = "DirectoryCreationFailed";
    pub const GARBAGE_COLLECTION_SUCCEEDED: &str = "GarbageCollectionSucceeded";
    pub const GARBAGE_COLLECTION_FAILED: &str = "GarbageCollectionFailed";
    pub const INCLUDE_UNAVAILABLE: &str = "IncludeUnavailable";
    pub const INDEXATION_FAILED: &str = "IndexationFailed";
    pub const INDEXATION_SUCCEEDED: &str = "IndexationSucceed";
    pub const CHART_PULL_SUCCEEDED: &str = "ChartPullSucceeded";
    pub const CHART_PULL_FAILED: &str = "ChartPullFailed";
    pub const CHART_PACKAGE_SUCCEEDED: &str = "ChartPackageSucceeded";
    pub const CHART_PACKAGE_FAILED: &str = "ChartPackageFailed";
    /// HelmChart: the build differs from the stored artifact (on `ArtifactOutdated`).
    pub const NEW_CHART: &str = "NewChart";
    /// HelmChart: the source object could not be read.
    pub const SOURCE_UNAVAILABLE: &str = "SourceUnavailable";
    /// HelmChart: `spec.sourceRef.kind` is none of the kinds a chart can come from.
    pub const UNSUPPORTED_SOURCE_KIND: &str = "UnsupportedSourceKind";
    /// HelmChart: the source has no artifact (yet).
    pub const NO_SOURCE_ARTIFACT: &str = "NoSourceArtifact";
    pub const READ_OPERATION_FAILED: &str = "ReadOperationFailed";
    pub const BUCKET_OPERATION_SUCCEEDED: &str = "BucketOperationSucceeded";
    pub const BUCKET_OPERATION_FAILED: &str = "BucketOperationFailed";
    pub const OCI_PULL_FAILED: &str = "OCIArtifactPullFailed";
    pub const OCI_LAYER_OPERATION_FAILED: &str = "OCIArtifactLayerOperationFailed";
    pub const OCI_PULL_SUCCEEDED: &str = "OCIArtifactPullSucceeded";
    /// A source's signature could not be verified (also: verification was asked for and is not available).
    pub const VERIFICATION_ERROR: &str = "VerificationError";
    pub const INVALID_PROVIDER_CONFIGURATION: &str = "InvalidProviderConfiguration";
    pub const PATCH_OPERATION_FAILED: &str = "PatchOperationFailed";
    pub const BUILD_FAILED: &str = "BuildFailed";
    pub const RECONCILIATION_FAILED: &str = "ReconciliationFailed";
    pub const ACCESS_DENIED: &str = "AccessDenied";
    /// source-watcher's reasons (ArtifactGenerator).
    pub const SOURCE_FETCH_FAILED: &str = "SourceFetchFailed";
    pub const VALIDATION_FAILED: &str = "ValidationFailed";
    pub const RECONCILIATION_DISABLED: &str = "ReconciliationDisabled";
    /// kustomize-controller's reasons (SEMANTICS.md §2.2, §4).
    pub const RECONCILIATION_SUCCEEDED: &str = "ReconciliationSucceeded";
    pub const ARTIFACT_FAILED: &str = "ArtifactFailed";
    pub const DEPENDENCY_NOT_READY: &str = "DependencyNotReady";
    pub const HEALTH_CHECK_FAILED: &str = "HealthCheckFailed";
    pub const PRUNE_FAILED: &str = "PruneFailed";
    pub const INVALID_CEL_EXPRESSION: &str = "InvalidCELExpression";
}

/// Kind-specific status fields the source kinds write next to `artifact`.
pub mod field {
    /// `spec.ignore` as the artifact was built with it (GitRepository, OCIRepository, Bucket).
    pub const OBSERVED_IGNORE: &str = "observedIgnore";
    /// `spec.layerSelector` as the artifact was built with it (OCIRepository).
    pub const OBSERVED_LAYER_SELECTOR: &str = "observedLayerSelector";
    /// The download link of the artifact of the last sync (OCIRepository, Bucket, HelmRepository, HelmChart).
    pub const URL: &str = "url";
}

/// Annotations and labels.
pub mod annotation {
    /// Any opaque token; a change asks for a reconcile now. Mirrored into `status.lastHandledReconcileAt`.
    pub const RECONCILE_REQUESTED_AT: &str = "reconcile.fluxcd.io/requestedAt";
    /// Object annotations with this prefix are copied into every event's metadata.
    pub const EVENT_PREFIX: &str = "event.toolkit.fluxcd.io/";
    /// The label Flux's controllers shard on (`--watch-label-selector`).
    pub const SHARDING_KEY: &str = "sharding.fluxcd.io/key";
    /// source-watcher's suspend switch: an ArtifactGenerator with this annotation set to `Disabled` (any case) is
    /// not reconciled.
    pub const SOURCE_WATCHER_RECONCILE: &str = "source.extensions.fluxcd.io/reconcile";
    /// The value of [`SOURCE_WATCHER_RECONCILE`] that suspends, compared case-insensitively.
    pub const SOURCE_WATCHER_DISABLED: &str = "disabled";
    /// On every ExternalArtifact an ArtifactGenerator writes: the generator's UID.
    pub const GENERATOR_LABEL: &str = "source.extensions.fluxcd.io/generator";
    /// On every ExternalArtifact an ArtifactGenerator writes: `source-watcher`.
    pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
    /// The OCI annotation an artifact's `metadata` carries its origin revision in.
    pub const OCI_REVISION: &str = "org.opencontainers.image.revision";
    /// Label on a ConfigMap or Secret: with [`WATCH_ENABLED`], a change reconciles its users at once (the default
    /// `--watch-configs-label-selector`).
    pub const WATCH_LABEL: &str = "reconcile.fluxcd.io/watch";
    pub const WATCH_ENABLED: &str = "Enabled";
}

/// kustomize-controller's labels and annotations on the objects it applies (SEMANTICS.md §4.1, §8).
pub mod kustomize {
    /// Label: the name of the Kustomization that applied the object.
    pub const NAME_LABEL: &str = "kustomize.toolkit.fluxcd.io/name";
    /// Label: the namespace of the Kustomization that applied the object.
    pub const NAMESPACE_LABEL: &str = "kustomize.toolkit.fluxcd.io/namespace";
    /// Label or annotation, `disabled`: never apply nor prune the object.
    pub const RECONCILE: &str = "kustomize.toolkit.fluxcd.io/reconcile";
    /// Label or annotation, `disabled`: never garbage-collect the object.
    pub const PRUNE: &str = "kustomize.toolkit.fluxcd.io/prune";
    /// Label or annotation: the apply policy (`Override` by default, `Merge`, `IfNotPresent`, `Ignore`).
    pub const SSA: &str = "kustomize.toolkit.fluxcd.io/ssa";
    /// Label or annotation, `Enabled`: recreate the object when an immutable field changes.
    pub const FORCE: &str = "kustomize.toolkit.fluxcd.io/force";
    /// Label or annotation, `disabled`: no postBuild variable substitution in the object.
    pub const SUBSTITUTE: &str = "kustomize.toolkit.fluxcd.io/substitute";
    /// Event metadata key (after the group prefix) Flux sets on the success event for commit statuses.
    pub const COMMIT_STATUS: &str = "commit_status";
    /// The value of [`COMMIT_STATUS`].
    pub const COMMIT_STATUS_UPDATE: &str = "update";
    /// The value of [`RECONCILE`] and [`PRUNE`] that opts out, compared case-insensitively.
    pub const DISABLED: &str = "disabled";
    /// The value of [`FORCE`] that opts in, compared case-insensitively.
    pub const ENABLED: &str = "enabled";
    pub const SSA_OVERRIDE: &str = "Override";
    pub const SSA_MERGE: &str = "Merge";
    pub const SSA_IF_NOT_PRESENT: &str = "IfNotPresent";
    pub const SSA_IGNORE: &str = "Ignore";
}

/// What kustomize-controller cleans from an object before it applies it (fluxcd/pkg/ssa `ApplyCleanupOptions`,
/// SEMANTICS.md §4.1), unless the object says `ssa: Merge`.
pub mod cleanup {
    /// Annotations removed: kubectl's client-side apply record, and Flux v1's and old kustomize-controllers'
    /// checksums.
    pub const ANNOTATIONS: [&str; 3] = [
        "kubectl.kubernetes.io/last-applied-configuration",
        "kustomize.toolkit.fluxcd.io/checksum",
        "fluxcd.io/sync-checksum",
    ];
    /// Labels removed: Flux v1's garbage-collection mark.
    pub const LABELS: [&str; 1] = ["fluxcd.io/sync-gc-mark"];
    /// Field managers (by name prefix, and operation) whose fields kustomize-controller takes over as its own
    /// server-side apply: `kubectl` (client-side apply is `kubectl-client-side-apply`, edits `kubectl-edit`, ...),
    /// kubectl's `before-first-apply` bookkeeping, and kustomize-controller's own non-apply writes.
    pub const MANAGERS: [(&str, &str); 4] = [
        ("kubectl", "Apply"),
        ("kubectl", "Update"),
        ("before-first-apply", "Update"),
        ("kustomize-controller", "Update"),
    ];
}

/// Values of spec fields the reconcilers branch on.
pub mod spec {
    /// HelmRepository `spec.type` of a static OCI repository.
    pub const HELM_REPOSITORY_TYPE_OCI: &str = "oci";
    /// HelmChart `spec.reconcileStrategy` default.
    pub const RECONCILE_STRATEGY_CHART_VERSION: &str = "ChartVersion";
    /// Kustomization `spec.deletionPolicy` values.
    pub const DELETION_POLICY_MIRROR_PRUNE: &str = "MirrorPrune";
    pub const DELETION_POLICY_DELETE: &str = "Delete";
    pub const DELETION_POLICY_WAIT_FOR_TERMINATION: &str = "WaitForTermination";
    pub const DELETION_POLICY_ORPHAN: &str = "Orphan";
    /// Kustomization `spec.postBuild.substituteStrategy`: substitute even when no variable is defined.
    pub const SUBSTITUTE_STRATEGY_ALWAYS: &str = "Always";
}

/// Field managers and event sources.
pub mod controller {
    pub const SOURCE_CONTROLLER: &str = "source-controller";
    pub const KUSTOMIZE_CONTROLLER: &str = "kustomize-controller";
    pub const HELM_CONTROLLER: &str = "helm-controller";
    pub const NOTIFICATION_CONTROLLER: &str = "notification-controller";
    pub const IMAGE_REFLECTOR_CONTROLLER: &str = "image-reflector-controller";
    pub const IMAGE_AUTOMATION_CONTROLLER: &str = "image-automation-controller";
    pub const SOURCE_WATCHER: &str = "source-watcher";
    /// The field manager of kustomize-controller's status patches.
    pub const KUSTOMIZE_STATUS_MANAGER: &str = "gotk-kustomize-controller";
}

/// Kubernetes' own condition statuses.
pub mod status {
    pub const TRUE: &str = "True";
    pub const FALSE: &str = "False";
    pub const UNKNOWN: &str = "Unknown";
}
