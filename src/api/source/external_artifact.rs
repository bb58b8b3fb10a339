//! An ExternalArtifact: an artifact another controller (source-watcher) produced; no reconciler of its own.

use std::borrow::Cow;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::meta::{Artifact, Condition, CrossNamespaceObjectReference, Extra};
use crate::api::object::{FluxObject, FluxSpec, FluxStatus};

/// An ExternalArtifact of any served version.
pub type ExternalArtifact = FluxObject<ExternalArtifactSpec, ExternalArtifactStatus>;

/// ExternalArtifactSpec defines the desired state of ExternalArtifact
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExternalArtifactSpec {
    /// SourceRef points to the Kubernetes custom resource for which the artifact is generated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ref: Option<CrossNamespaceObjectReference>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// ExternalArtifactStatus defines the observed state of ExternalArtifact
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExternalArtifactStatus {
    /// Artifact represents the output of an ExternalArtifact reconciliation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact: Option<Artifact>,
    /// Conditions holds the conditions for the ExternalArtifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

impl FluxSpec for ExternalArtifactSpec {
    fn suspended(&self) -> bool {
        // An ExternalArtifact has nothing to suspend: its producer writes it.
        false
    }
}

impl FluxStatus for ExternalArtifactStatus {
    fn conditions(&self) -> &[Condition] {
        self.conditions.as_deref().unwrap_or(&[])
    }

    fn observed_generation(&self) -> Option<i64> {
        None
    }

    fn last_handled_reconcile_at(&self) -> Option<&str> {
        None
    }

    /// `status.artifact.revision`.
    fn revision(&self) -> Option<Cow<'_, str>> {
        self.artifact.as_ref().and_then(|artifact| artifact.revision.as_deref()).map(Cow::Borrowed)
    }
}
