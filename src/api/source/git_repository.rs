//! A GitRepository: a Git URL and reference, fetched into a tarball artifact at `spec.interval`.

use std::borrow::Cow;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::meta::{AccessFrom, Artifact, Condition, Extra, LocalObjectReference};
use crate::api::object::{FluxObject, FluxSpec, FluxStatus};

/// A GitRepository of any served version.
pub type GitRepository = FluxObject<GitRepositorySpec, GitRepositoryStatus>;

/// GitRepositorySpec specifies the required configuration to produce an Artifact for a Git repository.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GitRepositorySpec {
    /// AccessFrom defines an Access Control List for allowing cross-namespace references to this object.
    ///
    /// Only in the legacy versions (v1beta1, v1beta2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_from: Option<AccessFrom>,
    /// Determines which git client library to use.
    ///
    /// Only in the legacy versions (v1beta1, v1beta2).
    ///
    /// One of: `go-git`, `libgit2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_implementation: Option<String>,
    /// Ignore overrides the set of excluded patterns in the .sourceignore format (which is the same as .gitignore).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore: Option<String>,
    /// Include specifies a list of GitRepository resources which Artifacts should be included in the Artifact produced
    /// for this GitRepository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include: Option<Vec<GitRepositoryInclude>>,
    /// Interval at which the GitRepository URL is checked for updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// Provider used for authentication, can be 'aws', 'azure', 'github', 'generic'.
    ///
    /// One of: `generic`, `aws`, `azure`, `github`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// ProxySecretRef specifies the Secret containing the proxy configuration to use while communicating with the Git
    /// server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_secret_ref: Option<LocalObjectReference>,
    /// RecurseSubmodules enables the initialization of all submodules within the GitRepository as cloned from the URL,
    /// using their default settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurse_submodules: Option<bool>,
    /// Reference specifies the Git reference to resolve and monitor for changes, defaults to the 'master' branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ref_: Option<GitRepositoryRef>,
    /// SecretRef specifies the Secret containing authentication credentials for the GitRepository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    /// ServiceAccountName is the name of the Kubernetes ServiceAccount used to authenticate to the GitRepository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// SparseCheckout specifies a list of directories to checkout when cloning the repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sparse_checkout: Option<Vec<String>>,
    /// Suspend tells the controller to suspend the reconciliation of this GitRepository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    /// Timeout for Git operations like cloning, defaults to 60s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    /// URL specifies the Git repository URL, it can be an HTTP/S or SSH address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Verification specifies the configuration to verify the Git commit signature(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<GitRepositoryVerification>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// GitRepositoryInclude specifies a local reference to a GitRepository which Artifact (sub-)contents must be included,
/// and where they should be placed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GitRepositoryInclude {
    /// FromPath specifies the path to copy contents from, defaults to the root of the Artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_path: Option<String>,
    /// GitRepositoryRef specifies the GitRepository which Artifact contents must be included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<LocalObjectReference>,
    /// ToPath specifies the path to copy contents to, defaults to the name of the GitRepositoryRef.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_path: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Reference specifies the Git reference to resolve and monitor for changes, defaults to the 'master' branch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GitRepositoryRef {
    /// Branch to check out, defaults to 'master' if no other field is defined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Commit SHA to check out, takes precedence over all reference fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Name of the reference to check out; takes precedence over Branch, Tag and SemVer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// SemVer tag expression to check out, takes precedence over Tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semver: Option<String>,
    /// Tag to check out, takes precedence over Branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Verification specifies the configuration to verify the Git commit signature(s).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GitRepositoryVerification {
    /// Mode specifies which Git object(s) should be verified.
    ///
    /// One of: `head`, `HEAD`, `Tag`, `TagAndHEAD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// SecretRef specifies the Secret containing the public keys of trusted Git authors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// GitRepositoryStatus records the observed state of a Git repository.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GitRepositoryStatus {
    /// Artifact represents the last successful GitRepository reconciliation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact: Option<Artifact>,
    /// Conditions holds the conditions for the GitRepository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// ContentConfigChecksum is a checksum of all the configurations related to the content of the source artifact: -
    /// .spec.ignore - .spec.recurseSubmodules - .spec.included and the checksum of the included artifacts observed in
    /// .status.observedGeneration version of the object.
    ///
    /// Only in the legacy versions (v1beta2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_config_checksum: Option<String>,
    /// IncludedArtifacts contains a list of the last successfully included Artifacts as instructed by
    /// GitRepositorySpec.Include.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub included_artifacts: Option<Vec<Artifact>>,
    /// LastHandledReconcileAt holds the value of the most recent reconcile request value, so a change of the annotation
    /// value can be detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
    /// ObservedGeneration is the last observed generation of the GitRepository object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// ObservedIgnore is the observed exclusion patterns used for constructing the source artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_ignore: Option<String>,
    /// ObservedInclude is the observed list of GitRepository resources used to produce the current Artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_include: Option<Vec<GitRepositoryInclude>>,
    /// ObservedRecurseSubmodules is the observed resource submodules configuration used to produce the current
    /// Artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_recurse_submodules: Option<bool>,
    /// ObservedSparseCheckout is the observed list of directories used to produce the current Artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_sparse_checkout: Option<Vec<String>>,
    /// SourceVerificationMode is the last used verification mode indicating which Git object(s) have been verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_verification_mode: Option<String>,
    /// URL is the download link for the artifact output of the last repository sync.
    ///
    /// Only in the legacy versions (v1beta1, v1beta2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

impl FluxSpec for GitRepositorySpec {
    fn suspended(&self) -> bool {
        self.suspend.unwrap_or(false)
    }

    fn interval(&self) -> Option<&str> {
        self.interval.as_deref()
    }
}

impl FluxStatus for GitRepositoryStatus {
    fn conditions(&self) -> &[Condition] {
        self.conditions.as_deref().unwrap_or(&[])
    }

    fn observed_generation(&self) -> Option<i64> {
        self.observed_generation
    }

    fn last_handled_reconcile_at(&self) -> Option<&str> {
        self.last_handled_reconcile_at.as_deref()
    }

    /// `status.artifact.revision`, e.g. `main@sha1:<hex>`.
    fn revision(&self) -> Option<Cow<'_, str>> {
        self.artifact.as_ref().and_then(|artifact| artifact.revision.as_deref()).map(Cow::Borrowed)
    }
}
