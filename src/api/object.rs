//! One object of any Flux kind, as fluxtui stores it.
//!
//! Every kind is a [`FluxObject`] with its own spec and status types. [`AnyFluxObject`] holds any of them and
//! is what the watchers, stores and views handle: it implements [`kube::Resource`] with an [`ApiResource`] as
//! its dynamic type, so one Rust type watches whichever version discovery found the cluster serving.
//!
//! An object that does not fit its kind's types (a field of the wrong type written by hand, say) is kept as
//! [`AnyFluxObject::Unparsed`] with the reason, so one odd object never breaks a whole watch.

use std::borrow::Cow;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::core::{ApiResource, NamespaceResourceScope};
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::kind::FluxKind;
use super::meta::{Condition, Extra};

/// What every kind's spec tells the generic views.
pub trait FluxSpec {
    /// `spec.suspend`.
    fn suspended(&self) -> bool;

    /// `spec.interval` as written (a Go duration such as `10m`); `None` for kinds without one (Alert,
    /// ExternalArtifact, ArtifactGenerator) and when it is unset.
    fn interval(&self) -> Option<&str> {
        None
    }
}

/// What every kind's status tells the generic views.
pub trait FluxStatus {
    fn conditions(&self) -> &[Condition];
    fn observed_generation(&self) -> Option<i64>;
    /// `status.lastHandledReconcileAt`: the last `reconcile.fluxcd.io/requestedAt` the controller handled.
    fn last_handled_reconcile_at(&self) -> Option<&str>;
    /// The revision `flux get` shows for this kind (artifact revision, last applied revision, chart version...).
    fn revision(&self) -> Option<Cow<'_, str>>;
}

/// A Flux object of one kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FluxObject<Spec, Status> {
    #[serde(default)]
    pub api_version: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: Spec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An object whose fields do not fit its kind's types; shown with its metadata and the reason.
#[derive(Debug, Clone, PartialEq)]
pub struct UnparsedObject {
    pub kind: Option<FluxKind>,
    pub metadata: ObjectMeta,
    pub raw: Value,
    pub error: String,
}

macro_rules! any_flux_object {
    ($($variant:ident => $ty:ty),+ $(,)?) => {
        /// One object of any Flux kind.
        #[derive(Debug, Clone, PartialEq)]
        pub enum AnyFluxObject {
            $($variant($ty),)+
            Unparsed(UnparsedObject),
        }

        impl AnyFluxObject {
            /// The object's kind; `None` only for an unparsed object whose `kind` is not a Flux kind.
            pub fn kind(&self) -> Option<FluxKind> {
                match self {
                    $(AnyFluxObject::$variant(_) => Some(FluxKind::$variant),)+
                    AnyFluxObject::Unparsed(object) => object.kind,
                }
            }

            pub fn metadata(&self) -> &ObjectMeta {
                match self {
                    $(AnyFluxObject::$variant(object) => &object.metadata,)+
                    AnyFluxObject::Unparsed(object) => &object.metadata,
                }
            }

            pub fn metadata_mut(&mut self) -> &mut ObjectMeta {
                match self {
                    $(AnyFluxObject::$variant(object) => &mut object.metadata,)+
                    AnyFluxObject::Unparsed(object) => &mut object.metadata,
                }
            }

            /// `apiVersion` as the object carries it (empty when it has none).
            pub fn api_version(&self) -> &str {
                match self {
                    $(AnyFluxObject::$variant(object) => &object.api_version,)+
                    AnyFluxObject::Unparsed(object) => {
                        object.raw.get("apiVersion").and_then(Value::as_str).unwrap_or("")
                    }
                }
            }

            pub fn suspended(&self) -> bool {
                match self {
                    $(AnyFluxObject::$variant(object) => object.spec.suspended(),)+
                    AnyFluxObject::Unparsed(object) => {
                        object.raw.pointer("/spec/suspend").and_then(Value::as_bool).unwrap_or(false)
                    }
                }
            }

            /// `spec.interval` as written, for the kinds that have one (see [`FluxSpec::interval`]).
            pub fn interval(&self) -> Option<&str> {
                match self {
                    $(AnyFluxObject::$variant(object) => object.spec.interval(),)+
                    AnyFluxObject::Unparsed(object) => object.raw.pointer("/spec/interval").and_then(Value::as_str),
                }
            }

            pub fn conditions(&self) -> &[Condition] {
                match self {
                    $(AnyFluxObject::$variant(object) => {
                        object.status.as_ref().map(|status| status.conditions()).unwrap_or(&[])
                    })+
                    AnyFluxObject::Unparsed(_) => &[],
                }
            }

            pub fn observed_generation(&self) -> Option<i64> {
                match self {
                    $(AnyFluxObject::$variant(object) => {
                        object.status.as_ref().and_then(|status| status.observed_generation())
                    })+
                    AnyFluxObject::Unparsed(_) => None,
                }
            }

            pub fn last_handled_reconcile_at(&self) -> Option<&str> {
                match self {
                    $(AnyFluxObject::$variant(object) => {
                        object.status.as_ref().and_then(|status| status.last_handled_reconcile_at())
                    })+
                    AnyFluxObject::Unparsed(_) => None,
                }
            }

            pub fn revision(&self) -> Option<Cow<'_, str>> {
                match self {
                    $(AnyFluxObject::$variant(object) => {
                        object.status.as_ref().and_then(|status| status.revision())
                    })+
                    AnyFluxObject::Unparsed(_) => None,
                }
            }

            /// The object as JSON, as the API server would return it (for the YAML view and writes).
            pub fn to_value(&self) -> Value {
                match self {
                    $(AnyFluxObject::$variant(object) => serde_json::to_value(object).unwrap_or(Value::Null),)+
                    AnyFluxObject::Unparsed(object) => object.raw.clone(),
                }
            }

            /// Reads an object of a known kind; one that does not fit its types becomes [`AnyFluxObject::Unparsed`].
            pub fn from_value(value: Value) -> AnyFluxObject {
                let kind = value.get("kind").and_then(Value::as_str).and_then(FluxKind::from_name);
                let parsed = match kind {
                    $(Some(FluxKind::$variant) => parse::<$ty>(&value).map(AnyFluxObject::$variant),)+
                    None => Err(format!(
                        "kind {:?} is not a Flux kind",
                        value.get("kind").and_then(Value::as_str).unwrap_or("")
                    )),
                };
                parsed.unwrap_or_else(|error| {
                    let metadata = value
                        .get("metadata")
                        .cloned()
                        .and_then(|metadata| serde_json::from_value(metadata).ok())
                        .unwrap_or_default();
                    AnyFluxObject::Unparsed(UnparsedObject { kind, metadata, raw: value, error })
                })
            }
        }

        $(impl KindObject for $ty {
            fn from_any(object: &AnyFluxObject) -> Option<&Self> {
                match object {
                    AnyFluxObject::$variant(typed) => Some(typed),
                    _ => None,
                }
            }
        })+
    };
}

/// A kind's own object type, as found inside an [`AnyFluxObject`] (the engine's reconcilers work on these).
pub trait KindObject: Sized {
    /// The typed object, or `None` when `object` is another kind or unparsed.
    fn from_any(object: &AnyFluxObject) -> Option<&Self>;
}

any_flux_object! {
    GitRepository => crate::api::source::GitRepository,
    OciRepository => crate::api::source::OciRepository,
    HelmRepository => crate::api::source::HelmRepository,
    HelmChart => crate::api::source::HelmChart,
    Bucket => crate::api::source::Bucket,
    ExternalArtifact => crate::api::source::ExternalArtifact,
    ArtifactGenerator => crate::api::source::ArtifactGenerator,
    Kustomization => crate::api::kustomize::Kustomization,
    HelmRelease => crate::api::helm::HelmRelease,
    Alert => crate::api::notification::Alert,
    Provider => crate::api::notification::Provider,
    Receiver => crate::api::notification::Receiver,
    ImageRepository => crate::api::image::ImageRepository,
    ImagePolicy => crate::api::image::ImagePolicy,
    ImageUpdateAutomation => crate::api::image::ImageUpdateAutomation,
}

fn parse<T: DeserializeOwned>(value: &Value) -> Result<T, String> {
    T::deserialize(value).map_err(|err| err.to_string())
}

impl AnyFluxObject {
    pub fn name(&self) -> &str {
        self.metadata().name.as_deref().unwrap_or("")
    }

    pub fn namespace(&self) -> &str {
        self.metadata().namespace.as_deref().unwrap_or("")
    }

    /// The condition of this type, if the status has one.
    pub fn condition(&self, type_: &str) -> Option<&Condition> {
        self.conditions().iter().find(|condition| condition.type_ == type_)
    }
}

impl<'de> Deserialize<'de> for AnyFluxObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        if !value.is_object() {
            return Err(D::Error::custom("a Flux object must be a JSON object"));
        }
        Ok(AnyFluxObject::from_value(value))
    }
}

impl Serialize for AnyFluxObject {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

impl kube::Resource for AnyFluxObject {
    type DynamicType = ApiResource;
    type Scope = NamespaceResourceScope;

    fn kind(dt: &ApiResource) -> Cow<'_, str> {
        Cow::Borrowed(&dt.kind)
    }

    fn group(dt: &ApiResource) -> Cow<'_, str> {
        Cow::Borrowed(&dt.group)
    }

    fn version(dt: &ApiResource) -> Cow<'_, str> {
        Cow::Borrowed(&dt.version)
    }

    fn api_version(dt: &ApiResource) -> Cow<'_, str> {
        Cow::Borrowed(&dt.api_version)
    }

    fn plural(dt: &ApiResource) -> Cow<'_, str> {
        Cow::Borrowed(&dt.plural)
    }

    fn meta(&self) -> &ObjectMeta {
        self.metadata()
    }

    fn meta_mut(&mut self) -> &mut ObjectMeta {
        self.metadata_mut()
    }
}

impl FluxKind {
    /// The [`ApiResource`] to watch this kind at `version`.
    pub fn api_resource(self, version: &str) -> ApiResource {
        ApiResource {
            group: self.group().to_string(),
            version: version.to_string(),
            api_version: format!("{}/{version}", self.group()),
            kind: self.name().to_string(),
            plural: self.plural().to_string(),
        }
    }
}
