//! A Receiver: a webhook endpoint that asks Flux objects to reconcile when an external system calls it.

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::meta::{Condition, Extra, LocalObjectReference};
use crate::api::object::{FluxObject, FluxSpec, FluxStatus};

/// A Receiver of any served version.
pub type Receiver = FluxObject<ReceiverSpec, ReceiverStatus>;

/// ReceiverSpec defines the desired state of the Receiver.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReceiverSpec {
    /// Events specifies the list of event types to handle, e.g.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<String>>,
    /// Interval at which to reconcile the Receiver with its Secret references.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// OIDCProviders specifies the OIDC providers used to authenticate incoming requests when Type is 'generic-oidc'.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc_providers: Option<Vec<OidcProvider>>,
    /// ResourceFilter is a CEL expression expected to return a boolean that is evaluated for each resource referenced
    /// in the Resources field when a webhook is received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_filter: Option<String>,
    /// A list of resources to be notified about changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<ReceiverResource>>,
    /// SecretRef specifies the Secret containing the token used to validate the payload authenticity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    /// Suspend tells the controller to suspend subsequent events handling for this receiver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    /// Type of webhook sender, used to determine the validation procedure and payload deserialization.
    ///
    /// One of: `generic`, `generic-hmac`, `generic-oidc`, `github`, `gitlab`, `bitbucket`, `harbor`, `dockerhub`,
    /// `quay`, `gcr`, `nexus`, `acr`, `cdevents`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// OIDCProvider configures an OIDC issuer used to authenticate requests for a 'generic-oidc' Receiver.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OidcProvider {
    /// Audience is the expected audience ('aud' claim) for tokens issued by this provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// IssuerURL is the OIDC issuer URL used for provider discovery.
    #[serde(rename = "issuerURL", default, skip_serializing_if = "Option::is_none")]
    pub issuer_url: Option<String>,
    /// Validations is the list of CEL boolean expressions evaluated against the token claims and the variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validations: Option<Vec<OidcValidation>>,
    /// Variables is an optional list of named CEL expressions, evaluated in order and exposed as 'vars.<name>'.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<Vec<OidcVariable>>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// OIDCValidation is a CEL boolean expression evaluated against the OIDC token claims and variables of a 'generic-oidc'
/// Receiver.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OidcValidation {
    /// Expression is the CEL boolean expression to evaluate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// Message is returned to the caller when the expression evaluates to false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// OIDCVariable is a named CEL expression evaluated against the OIDC token claims of a 'generic-oidc' Receiver.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OidcVariable {
    /// Expression is the CEL expression that defines the variable value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// Name is the variable name; it must be a valid CEL identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// ReceiverResource references a resource to be notified about changes, with an optional per-resource CEL filter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReceiverResource {
    /// API version of the referent
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Filter is a CEL expression expected to return a boolean that is evaluated for each resource matched by this
    /// reference when a webhook is received, in addition to the top-level resourceFilter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// Kind of the referent
    ///
    /// One of: `Bucket`, `GitRepository`, `Kustomization`, `HelmRelease`, `HelmChart`, `HelmRepository`,
    /// `ImageRepository`, `ImagePolicy`, `ImageUpdateAutomation`, `OCIRepository`, `ArtifactGenerator`,
    /// `ExternalArtifact`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// MatchLabels is a map of {key,value} pairs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_labels: Option<BTreeMap<String, String>>,
    /// Name of the referent If multiple resources are targeted `*` may be set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Namespace of the referent
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// ReceiverStatus defines the observed state of the Receiver.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReceiverStatus {
    /// Conditions holds the conditions for the Receiver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// LastHandledReconcileAt holds the value of the most recent reconcile request value, so a change of the annotation
    /// value can be detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
    /// ObservedGeneration is the last observed generation of the Receiver object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Generated webhook URL in the format of '/hook/sha256sum(token+name+namespace)'.
    ///
    /// Only in the legacy versions (v1beta1, v1beta2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// WebhookPath is the generated incoming webhook address in the format of '/hook/sha256sum(token+name+namespace)'.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_path: Option<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

impl FluxSpec for ReceiverSpec {
    fn suspended(&self) -> bool {
        self.suspend.unwrap_or(false)
    }

    fn interval(&self) -> Option<&str> {
        self.interval.as_deref()
    }
}

impl FluxStatus for ReceiverStatus {
    fn conditions(&self) -> &[Condition] {
        self.conditions.as_deref().unwrap_or(&[])
    }

    fn observed_generation(&self) -> Option<i64> {
        self.observed_generation
    }

    fn last_handled_reconcile_at(&self) -> Option<&str> {
        self.last_handled_reconcile_at.as_deref()
    }

    /// None: notification objects have no revision.
    fn revision(&self) -> Option<Cow<'_, str>> {
        None
    }
}
