//! An ImagePolicy: picks the latest tag of an ImageRepository by semver, alphabetical or numerical order.

use std::borrow::Cow;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::meta::{Condition, Extra, NamespacedObjectReference};
use crate::api::object::{FluxObject, FluxSpec, FluxStatus};

/// An ImagePolicy of any served version.
pub type ImagePolicy = FluxObject<ImagePolicySpec, ImagePolicyStatus>;

/// ImagePolicySpec defines the parameters for calculating the ImagePolicy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImagePolicySpec {
    /// DigestReflectionPolicy governs the setting of the `.status.latestRef.digest` field.
    ///
    /// One of: `Always`, `IfNotPresent`, `Never`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest_reflection_policy: Option<String>,
    /// FilterTags enables filtering for only a subset of tags based on a set of rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_tags: Option<TagFilter>,
    /// ImageRepositoryRef points at the object specifying the image being scanned
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_repository_ref: Option<NamespacedObjectReference>,
    /// Interval is the length of time to wait between refreshing the digest of the latest tag when the reflection
    /// policy is set to "Always".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// Policy gives the particulars of the policy to be followed in selecting the most recent image
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<ImagePolicyChoice>,
    /// This flag tells the controller to suspend subsequent policy reconciliations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// FilterTags enables filtering for only a subset of tags based on a set of rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TagFilter {
    /// Extract allows a capture group to be extracted from the specified regular expression pattern, useful before tag
    /// evaluation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extract: Option<String>,
    /// Pattern specifies a regular expression pattern used to filter for image tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Policy gives the particulars of the policy to be followed in selecting the most recent image
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImagePolicyChoice {
    /// Alphabetical set of rules to use for alphabetical ordering of the tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alphabetical: Option<AlphabeticalPolicy>,
    /// Numerical set of rules to use for numerical ordering of the tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numerical: Option<NumericalPolicy>,
    /// SemVer gives a semantic version range to check against the tags available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semver: Option<SemVerPolicy>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Alphabetical set of rules to use for alphabetical ordering of the tags.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlphabeticalPolicy {
    /// Order specifies the sorting order of the tags.
    ///
    /// One of: `asc`, `desc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Numerical set of rules to use for numerical ordering of the tags.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NumericalPolicy {
    /// Order specifies the sorting order of the tags.
    ///
    /// One of: `asc`, `desc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// SemVer gives a semantic version range to check against the tags available.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SemVerPolicy {
    /// Range gives a semver range for the image tag; the highest version within the range that's a tag yields the
    /// latest image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// ImagePolicyStatus defines the observed state of ImagePolicy
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImagePolicyStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// LastHandledReconcileAt holds the value of the most recent reconcile request value, so a change of the annotation
    /// value can be detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
    /// LatestImage gives the first in the list of images scanned by the image repository, when filtered and ordered
    /// according to the policy.
    ///
    /// Only in the legacy versions (v1beta1, v1beta2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_image: Option<String>,
    /// LatestRef gives the first in the list of images scanned by the image repository, when filtered and ordered
    /// according to the policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_ref: Option<ImageRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// ObservedPreviousImage is the observed previous LatestImage.
    ///
    /// Only in the legacy versions (v1beta2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_previous_image: Option<String>,
    /// ObservedPreviousRef is the observed previous LatestRef.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_previous_ref: Option<ImageRef>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// LatestRef gives the first in the list of images scanned by the image repository, when filtered and ordered according
/// to the policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImageRef {
    /// Digest is the image's digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Name is the bare image's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Tag is the image's tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

impl FluxSpec for ImagePolicySpec {
    fn suspended(&self) -> bool {
        self.suspend.unwrap_or(false)
    }

    fn interval(&self) -> Option<&str> {
        self.interval.as_deref()
    }
}

impl FluxStatus for ImagePolicyStatus {
    fn conditions(&self) -> &[Condition] {
        self.conditions.as_deref().unwrap_or(&[])
    }

    fn observed_generation(&self) -> Option<i64> {
        self.observed_generation
    }

    fn last_handled_reconcile_at(&self) -> Option<&str> {
        self.last_handled_reconcile_at.as_deref()
    }

    /// The image the policy selected, `name:tag` (`@digest` when reflected) from `status.latestRef`, or the legacy
    /// `status.latestImage`.
    fn revision(&self) -> Option<Cow<'_, str>> {
        match &self.latest_ref {
            Some(latest) => latest.reference().map(Cow::Owned),
            None => self.latest_image.as_deref().map(Cow::Borrowed),
        }
    }
}

impl ImageRef {
    /// The reference as one string, `name:tag` or `name:tag@digest`; `None` without a tag.
    pub fn reference(&self) -> Option<String> {
        let tag = self.tag.as_deref()?;
        let mut reference = match self.name.as_deref() {
            Some(name) => format!("{name}:{tag}"),
            None => tag.to_string(),
        };
        if let Some(digest) = self.digest.as_deref() {
            reference.push('@');
            reference.push_str(digest);
        }
        Some(reference)
    }
}
