//! What a HelmRelease does to the rendered manifests and live objects: post-renderers and drift detection.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::meta::{Extra, IgnoreRule, Image, Json6902Patch, Patch};

/// DriftDetection holds the configuration for detecting and handling differences between the manifest in the Helm
/// storage and the resources currently existing in the cluster.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DriftDetection {
    /// Ignore contains a list of rules for specifying which changes to ignore during diffing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore: Option<Vec<IgnoreRule>>,
    /// Mode defines how differences should be handled between the Helm manifest and the manifest currently applied to
    /// the cluster.
    ///
    /// One of: `enabled`, `warn`, `disabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// PostRenderer contains a Helm PostRenderer specification.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PostRenderer {
    /// Kustomization to apply as PostRenderer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kustomize: Option<PostRendererKustomize>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Kustomization to apply as PostRenderer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PostRendererKustomize {
    /// Images is a list of (image name, new name, new tag or digest) for changing image names, tags or digests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub images: Option<Vec<Image>>,
    /// Strategic merge and JSON patches, defined as inline YAML objects, capable of targeting objects based on kind,
    /// label and annotation selectors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patches: Option<Vec<Patch>>,
    /// JSON 6902 patches, defined as inline YAML objects.
    ///
    /// Only in the legacy versions (v2beta1, v2beta2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patches_json6902: Option<Vec<Json6902Patch>>,
    /// Strategic merge patches, defined as inline YAML objects.
    ///
    /// Only in the legacy versions (v2beta1, v2beta2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patches_strategic_merge: Option<Vec<Value>>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}
