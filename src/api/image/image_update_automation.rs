//! An ImageUpdateAutomation: writes the images its policies select into a Git repository and pushes.

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::image_policy::ImageRef;
use crate::api::meta::{Condition, CrossNamespaceObjectReference, Extra, LocalObjectReference};
use crate::api::object::{FluxObject, FluxSpec, FluxStatus};
use crate::api::source::GitRepositoryRef;

/// An ImageUpdateAutomation of any served version.
pub type ImageUpdateAutomation = FluxObject<ImageUpdateAutomationSpec, ImageUpdateAutomationStatus>;

/// ImageUpdateAutomationSpec defines the desired state of ImageUpdateAutomation
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImageUpdateAutomationSpec {
    /// GitSpec contains all the git-specific definitions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git: Option<GitSpec>,
    /// Interval gives an lower bound for how often the automation run should be attempted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// PolicySelector allows to filter applied policies based on labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_selector: Option<PolicySelector>,
    /// SourceRef refers to the resource giving access details to a git repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ref: Option<CrossNamespaceObjectReference>,
    /// Suspend tells the controller to not run this automation, until it is unset (or set to false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    /// Update gives the specification for how to update the files in the repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update: Option<UpdateStrategy>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// GitSpec contains all the git-specific definitions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GitSpec {
    /// Checkout gives the parameters for cloning the git repository, ready to make changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout: Option<GitCheckoutSpec>,
    /// Commit specifies how to commit to the git repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitSpec>,
    /// Push specifies how and where to push commits made by the automation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push: Option<PushSpec>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Checkout gives the parameters for cloning the git repository, ready to make changes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GitCheckoutSpec {
    /// Reference gives a branch, tag or commit to clone from the Git repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ref_: Option<GitRepositoryRef>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Commit specifies how to commit to the git repository.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommitSpec {
    /// Author gives the email and optionally the name to use as the author of commits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<CommitUser>,
    /// MessageTemplate provides a template for the commit message, into which will be interpolated the details of the
    /// change made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_template: Option<String>,
    /// MessageTemplateValues provides additional values to be available to the templating rendering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_template_values: Option<BTreeMap<String, String>>,
    /// SigningKey provides the option to sign commits with an OpenPGP or SSH signing key, referenced from a Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_key: Option<SigningKey>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Author gives the email and optionally the name to use as the author of commits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommitUser {
    /// Email gives the email to provide when making a commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Name gives the name to provide when making a commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// SigningKey provides the option to sign commits with an OpenPGP or SSH signing key, referenced from a Secret.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SigningKey {
    /// SecretRef references a Secret containing the signing key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    /// Type selects the signing-key format expected in the referenced Secret.
    ///
    /// One of: `gpg`, `ssh`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Push specifies how and where to push commits made by the automation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PushSpec {
    /// Branch specifies that commits should be pushed to the branch named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Options specifies the push options that are sent to the Git server when performing a push operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<BTreeMap<String, String>>,
    /// Refspec specifies the Git Refspec to use for a push operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refspec: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// PolicySelector allows to filter applied policies based on labels.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicySelector {
    /// matchExpressions is a list of label selector requirements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_expressions: Option<Vec<LabelSelectorRequirement>>,
    /// matchLabels is a map of {key,value} pairs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_labels: Option<BTreeMap<String, String>>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// A label selector requirement is a selector that contains values, a key, and an operator that relates the key and
/// values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelectorRequirement {
    /// key is the label key that the selector applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// operator represents a key's relationship to a set of values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// values is an array of string values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// Update gives the specification for how to update the files in the repository.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateStrategy {
    /// Path to the directory containing the manifests to be updated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Strategy names the strategy to be used.
    ///
    /// One of: `Setters`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// ImageUpdateAutomationStatus defines the observed state of ImageUpdateAutomation
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImageUpdateAutomationStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// LastAutomationRunTime records the last time the controller ran this automation through to completion (even if no
    /// updates were made).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_automation_run_time: Option<String>,
    /// LastHandledReconcileAt holds the value of the most recent reconcile request value, so a change of the annotation
    /// value can be detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
    /// LastPushCommit records the SHA1 of the last commit made by the controller, for this automation object
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_push_commit: Option<String>,
    /// LastPushTime records the time of the last pushed change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_push_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// ObservedPolicies is the list of observed ImagePolicies that were considered by the ImageUpdateAutomation update
    /// process.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_policies: Option<BTreeMap<String, ImageRef>>,
    /// ObservedPolicies []ObservedPolicy `json:"observedPolicies,omitempty"` ObservedSourceRevision is the last
    /// observed source revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_source_revision: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

impl FluxSpec for ImageUpdateAutomationSpec {
    fn suspended(&self) -> bool {
        self.suspend.unwrap_or(false)
    }

    fn interval(&self) -> Option<&str> {
        self.interval.as_deref()
    }
}

impl FluxStatus for ImageUpdateAutomationStatus {
    fn conditions(&self) -> &[Condition] {
        self.conditions.as_deref().unwrap_or(&[])
    }

    fn observed_generation(&self) -> Option<i64> {
        self.observed_generation
    }

    fn last_handled_reconcile_at(&self) -> Option<&str> {
        self.last_handled_reconcile_at.as_deref()
    }

    /// `status.lastPushCommit`, the commit the automation last pushed.
    fn revision(&self) -> Option<Cow<'_, str>> {
        self.last_push_commit.as_deref().map(Cow::Borrowed)
    }
}
