//! A Bucket: an S3-compatible, GCS or Azure bucket (or a prefix of it) fetched into a tarball artifact.

use std::borrow::Cow;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::meta::{AccessFrom, Artifact, Condition, Extra, LocalObjectReference};
use crate::api::object::{FluxObject, FluxSpec, FluxStatus};

/// A Bucket of any served version.
pub type Bucket = FluxObject<BucketSpec, BucketStatus>;

/// BucketSpec specifies the required configuration to produce an Artifact for an object storage bucket.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BucketSpec {
    /// AccessFrom defines an Access Control List for allowing cross-namespace references to this object.
    ///
    /// Only in the legacy versions (v1beta1, v1beta2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_from: Option<AccessFrom>,
    /// BucketName is the name of the object storage bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket_name: Option<String>,
    /// CertSecretRef can be given the name of a Secret containing either or both of - a PEM-encoded client certificate
    /// (`tls.crt`) and private key (`tls.key`); - a PEM-encoded CA certificate (`ca.crt`) and whichever are supplied,
    /// will be used for connecting to the bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_secret_ref: Option<LocalObjectReference>,
    /// Endpoint is the object storage address the BucketName is located at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Ignore overrides the set of excluded patterns in the .sourceignore format (which is the same as .gitignore).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore: Option<String>,
    /// Insecure allows connecting to a non-TLS HTTP Endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// Interval at which the Bucket Endpoint is checked for updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// Prefix to use for server-side filtering of files in the Bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// Provider of the object storage bucket.
    ///
    /// One of: `generic`, `aws`, `gcp`, `azure`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// ProxySecretRef specifies the Secret containing the proxy configuration to use while communicating with the
    /// Bucket server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_secret_ref: Option<LocalObjectReference>,
    /// Region of the Endpoint where the BucketName is located in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// SecretRef specifies the Secret containing authentication credentials for the Bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    /// ServiceAccountName is the name of the Kubernetes ServiceAccount used to authenticate the bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// STS specifies the required configuration to use a Security Token Service for fetching temporary credentials to
    /// authenticate in a Bucket provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sts: Option<BucketStsSpec>,
    /// Suspend tells the controller to suspend the reconciliation of this Bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    /// Timeout for fetch operations, defaults to 60s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// STS specifies the required configuration to use a Security Token Service for fetching temporary credentials to
/// authenticate in a Bucket provider.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BucketStsSpec {
    /// CertSecretRef can be given the name of a Secret containing either or both of - a PEM-encoded client certificate
    /// (`tls.crt`) and private key (`tls.key`); - a PEM-encoded CA certificate (`ca.crt`) and whichever are supplied,
    /// will be used for connecting to the STS endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_secret_ref: Option<LocalObjectReference>,
    /// Endpoint is the HTTP/S endpoint of the Security Token Service from where temporary credentials will be fetched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Provider of the Security Token Service.
    ///
    /// One of: `aws`, `ldap`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// SecretRef specifies the Secret containing authentication credentials for the STS endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// BucketStatus records the observed state of a Bucket.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BucketStatus {
    /// Artifact represents the last successful Bucket reconciliation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact: Option<Artifact>,
    /// Conditions holds the conditions for the Bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// LastHandledReconcileAt holds the value of the most recent reconcile request value, so a change of the annotation
    /// value can be detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
    /// ObservedGeneration is the last observed generation of the Bucket object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// ObservedIgnore is the observed exclusion patterns used for constructing the source artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_ignore: Option<String>,
    /// URL is the dynamic fetch link for the latest Artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

impl FluxSpec for BucketSpec {
    fn suspended(&self) -> bool {
        self.suspend.unwrap_or(false)
    }

    fn interval(&self) -> Option<&str> {
        self.interval.as_deref()
    }
}

impl FluxStatus for BucketStatus {
    fn conditions(&self) -> &[Condition] {
        self.conditions.as_deref().unwrap_or(&[])
    }

    fn observed_generation(&self) -> Option<i64> {
        self.observed_generation
    }

    fn last_handled_reconcile_at(&self) -> Option<&str> {
        self.last_handled_reconcile_at.as_deref()
    }

    /// `status.artifact.revision`, the digest of the object list.
    fn revision(&self) -> Option<Cow<'_, str>> {
        self.artifact.as_ref().and_then(|artifact| artifact.revision.as_deref()).map(Cow::Borrowed)
    }
}
