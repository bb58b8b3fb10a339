//! The references between Flux objects, resolved the way the controllers resolve them, so the views and the
//! dependency graph do not each repeat the defaulting rules (an empty namespace means the object's own, a
//! missing kind means the only kind the field allows).

use super::kind::FluxKind;
use super::meta::{CrossNamespaceObjectReference, DependencyReference};
use super::object::AnyFluxObject;

/// A reference from one object to another, with the defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectReference {
    /// The referenced kind as the API spells it (`GitRepository`); may name a kind fluxtui does not know.
    pub kind: String,
    pub name: String,
    pub namespace: String,
    /// `apiVersion` when the reference pins one (`sourceRef.apiVersion`, rarely set).
    pub api_version: Option<String>,
}

impl ObjectReference {
    /// The referenced kind, when it is a Flux kind.
    pub fn flux_kind(&self) -> Option<FluxKind> {
        FluxKind::from_name(&self.kind)
    }

    fn from_cross_namespace(
        reference: &CrossNamespaceObjectReference,
        default_kind: &str,
        own_namespace: &str,
    ) -> ObjectReference {
        ObjectReference {
            kind: non_empty(reference.kind.as_deref()).unwrap_or(default_kind).to_string(),
            name: reference.name.clone().unwrap_or_default(),
            namespace: non_empty(reference.namespace.as_deref()).unwrap_or(own_namespace).to_string(),
            api_version: non_empty(reference.api_version.as_deref()).map(str::to_string),
        }
    }
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|value| !value.is_empty())
}

impl AnyFluxObject {
    /// The object this one takes its input from:
    /// - Kustomization: `spec.sourceRef`;
    /// - HelmChart: `spec.sourceRef` (always in the chart's namespace);
    /// - HelmRelease: `spec.chartRef` when set, otherwise the chart template's `spec.chart.spec.sourceRef`
    ///   (the HelmRepository, GitRepository or Bucket the generated HelmChart pulls from);
    /// - ImageUpdateAutomation: `spec.sourceRef` (kind defaults to GitRepository);
    /// - ImagePolicy: `spec.imageRepositoryRef`, the ImageRepository whose tags it chooses from;
    /// - ExternalArtifact: `spec.sourceRef`, the generator that produced it.
    ///
    /// `None` for other kinds, for unparsed objects and when the field is missing.
    pub fn source_ref(&self) -> Option<ObjectReference> {
        let own_namespace = self.namespace();
        match self {
            AnyFluxObject::Kustomization(object) => object
                .spec
                .source_ref
                .as_ref()
                .map(|reference| ObjectReference::from_cross_namespace(reference, "", own_namespace)),
            AnyFluxObject::HelmChart(object) => object.spec.source_ref.as_ref().map(|reference| ObjectReference {
                kind: reference.kind.clone().unwrap_or_default(),
                name: reference.name.clone().unwrap_or_default(),
                namespace: own_namespace.to_string(),
                api_version: reference.api_version.clone(),
            }),
            AnyFluxObject::HelmRelease(object) => {
                let template_source = || object.spec.chart.as_ref()?.spec.as_ref()?.source_ref.as_ref();
                object
                    .spec
                    .chart_ref
                    .as_ref()
                    .or_else(template_source)
                    .map(|reference| ObjectReference::from_cross_namespace(reference, "", own_namespace))
            }
            AnyFluxObject::ImageUpdateAutomation(object) => object.spec.source_ref.as_ref().map(|reference| {
                ObjectReference::from_cross_namespace(reference, FluxKind::GitRepository.name(), own_namespace)
            }),
            AnyFluxObject::ImagePolicy(object) => {
                object.spec.image_repository_ref.as_ref().map(|reference| ObjectReference {
                    kind: FluxKind::ImageRepository.name().to_string(),
                    name: reference.name.clone().unwrap_or_default(),
                    namespace: non_empty(reference.namespace.as_deref()).unwrap_or(own_namespace).to_string(),
                    api_version: None,
                })
            }
            AnyFluxObject::ExternalArtifact(object) => object
                .spec
                .source_ref
                .as_ref()
                .map(|reference| ObjectReference::from_cross_namespace(reference, "", own_namespace)),
            _ => None,
        }
    }

    /// `spec.dependsOn` of a Kustomization or HelmRelease: objects of the same kind that must be ready first,
    /// namespace defaulted to this object's. Empty for other kinds.
    pub fn depends_on(&self) -> Vec<ObjectReference> {
        let (kind, dependencies): (FluxKind, Option<&Vec<DependencyReference>>) = match self {
            AnyFluxObject::Kustomization(object) => (FluxKind::Kustomization, object.spec.depends_on.as_ref()),
            AnyFluxObject::HelmRelease(object) => (FluxKind::HelmRelease, object.spec.depends_on.as_ref()),
            _ => return Vec::new(),
        };
        let own_namespace = self.namespace();
        dependencies
            .into_iter()
            .flatten()
            .map(|dependency| ObjectReference {
                kind: kind.name().to_string(),
                name: dependency.name.clone().unwrap_or_default(),
                namespace: non_empty(dependency.namespace.as_deref()).unwrap_or(own_namespace).to_string(),
                api_version: None,
            })
            .collect()
    }
}
