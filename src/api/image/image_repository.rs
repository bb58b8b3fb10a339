//! An ImageRepository: scans a container image repository for its tags.

use std::borrow::Cow;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::meta::{AccessFrom, Condition, Extra, LocalObjectReference};
use crate::api::object::{FluxObject, FluxSpec, FluxStatus};

/// An ImageRepository of any served version.
pub type ImageRepository = FluxObject<ImageRepositorySpec, ImageRepositoryStatus>;

/// ImageRepositorySpec defines the parameters for scanning an image repository, e.g., `fluxcd/flux`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImageRepositorySpec {
    /// AccessFrom defines an ACL for allowing cross-namespace references to the ImageRepository object based on the
    /// caller's namespace labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_from: Option<AccessFrom>,
    /// CertSecretRef can be given the name of a Secret containing either or both of - a PEM-encoded client certificate
    /// (`tls.crt`) and private key (`tls.key`); - a PEM-encoded CA certificate (`ca.crt`) and whichever are supplied,
    /// will be used for connecting to the registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_secret_ref: Option<LocalObjectReference>,
    /// ExclusionList is a list of regex strings used to exclude certain tags from being stored in the database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclusion_list: Option<Vec<String>>,
    /// Image is the name of the image repository
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Insecure allows connecting to a non-TLS HTTP container registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// Interval is the length of time to wait between scans of the image repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// The provider used for authentication, can be 'aws', 'azure', 'gcp' or 'generic'.
    ///
    /// One of: `generic`, `aws`, `azure`, `gcp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// ProxySecretRef specifies the Secret containing the proxy configuration to use while communicating with the
    /// container registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_secret_ref: Option<LocalObjectReference>,
    /// SecretRef can be given the name of a secret containing credentials to use for the image registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    /// ServiceAccountName is the name of the Kubernetes ServiceAccount used to authenticate the image pull if the
    /// service account has attached pull secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// This flag tells the controller to suspend subsequent image scans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    /// Timeout for image scanning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// ImageRepositoryStatus defines the observed state of ImageRepository
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImageRepositoryStatus {
    /// CanonicalName is the name of the image repository with all the implied bits made explicit; e.g.,
    /// `docker.io/library/alpine` rather than `alpine`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical_image_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// LastHandledReconcileAt holds the value of the most recent reconcile request value, so a change of the annotation
    /// value can be detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
    /// LastScanResult contains the number of fetched tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_scan_result: Option<ScanResult>,
    /// ObservedExclusionList is a list of observed exclusion list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_exclusion_list: Option<Vec<String>>,
    /// ObservedGeneration is the last reconciled generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// LastScanResult contains the number of fetched tags.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScanResult {
    /// LatestTags is a small sample of the tags found in the last scan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_tags: Option<Vec<String>>,
    /// Revision is a stable hash of the scanned tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// ScanTime is the time when the last scan was performed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_time: Option<String>,
    /// TagCount is the number of tags found in the last scan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_count: Option<i64>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

impl FluxSpec for ImageRepositorySpec {
    fn suspended(&self) -> bool {
        self.suspend.unwrap_or(false)
    }

    fn interval(&self) -> Option<&str> {
        self.interval.as_deref()
    }
}

impl FluxStatus for ImageRepositoryStatus {
    fn conditions(&self) -> &[Condition] {
        self.conditions.as_deref().unwrap_or(&[])
    }

    fn observed_generation(&self) -> Option<i64> {
        self.observed_generation
    }

    fn last_handled_reconcile_at(&self) -> Option<&str> {
        self.last_handled_reconcile_at.as_deref()
    }

    /// `status.lastScanResult.scanTime`. An image repository has no revision: `flux get image repository` shows LAST
    /// SCAN where other kinds show REVISION, and the tags checksum it also records would tell a reader nothing.
    fn revision(&self) -> Option<Cow<'_, str>> {
        self.last_scan_result.as_ref().and_then(|scan| scan.scan_time.as_deref()).map(Cow::Borrowed)
    }
}
