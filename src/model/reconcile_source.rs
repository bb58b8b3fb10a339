//! Which source `reconcile --with-source` reconciles first, as the flux CLI chooses it (SEMANTICS.md, `flux
//! reconcile`): a Kustomization's `spec.sourceRef` (GitRepository, OCIRepository or Bucket; an ExternalArtifact
//! cannot be reconciled), a HelmRelease's `spec.chartRef` (OCIRepository or HelmChart) or else the HelmChart the
//! controller generated for it (`status.helmChart`, `<namespace>/<name>`), which is itself reconciled with its
//! source (HelmRepository, GitRepository or Bucket) first, as `flux reconcile hr --with-source` does.

use crate::api::{AnyFluxObject, FluxKind};
use crate::model::ObjectKey;

/// The source to reconcile before `object`, or why there is none.
pub fn reconcile_source(object: &AnyFluxObject) -> Result<ObjectKey, String> {
    let kind = object.kind();
    let reference = match object {
        AnyFluxObject::Kustomization(_) | AnyFluxObject::HelmChart(_) => object.source_ref(),
        AnyFluxObject::HelmRelease(release) => match &release.spec.chart_ref {
            Some(_) => object.source_ref(),
            None => {
                let chart = release.status.as_ref().and_then(|status| status.helm_chart.as_deref());
                let Some((namespace, name)) = chart.and_then(|chart| chart.split_once('/')) else {
                    return Err(format!(
                        "HelmRelease {}/{} has no HelmChart yet (status.helmChart is empty)",
                        object.namespace(),
                        object.name()
                    ));
                };
                return Ok(ObjectKey {
                    kind: FluxKind::HelmChart,
                    namespace: namespace.to_string(),
                    name: name.to_string(),
                });
            }
        },
        _ => {
            let kind = kind.map(|kind| kind.name()).unwrap_or("this kind");
            return Err(format!(
                "reconcile with source is for Kustomizations, HelmReleases and HelmCharts, not {kind}"
            ));
        }
    };
    let Some(reference) = reference else {
        return Err(format!("{}/{} has no source reference", object.namespace(), object.name()));
    };
    match reference.flux_kind() {
        Some(
            source @ (FluxKind::GitRepository
            | FluxKind::OciRepository
            | FluxKind::Bucket
            | FluxKind::HelmChart
            | FluxKind::HelmRepository),
        ) => Ok(ObjectKey { kind: source, namespace: reference.namespace, name: reference.name }),
        _ => Err(format!("cannot reconcile source of kind {}", reference.kind)),
    }
}

/// The sources to reconcile before `object`, in order: for a HelmRelease whose source is a HelmChart, the
/// chart's own source first (when `lookup` finds the chart and the source is not static), then the chart.
pub fn reconcile_sources(
    object: &AnyFluxObject,
    lookup: impl Fn(&ObjectKey) -> Option<std::sync::Arc<AnyFluxObject>>,
) -> Result<Vec<ObjectKey>, String> {
    let first = reconcile_source(object)?;
    let mut chain = vec![first.clone()];
    if first.kind == FluxKind::HelmChart
        && let Some(chart) = lookup(&first)
        && let Ok(upstream) = reconcile_source(&chart)
        && lookup(&upstream).is_some_and(|source| !crate::model::readiness::is_static(&source))
    {
        chain.insert(0, upstream);
    }
    Ok(chain)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn kustomizations_and_helm_releases_name_their_source() {
        let kustomization = AnyFluxObject::from_value(json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": "apps", "namespace": "flux-system"},
            "spec": {"sourceRef": {"kind": "GitRepository", "name": "flux-system"}},
        }));
        assert_eq!(
            reconcile_source(&kustomization),
            Ok(ObjectKey {
                kind: FluxKind::GitRepository,
                namespace: "flux-system".into(),
                name: "flux-system".into()
            })
        );
        let release = AnyFluxObject::from_value(json!({
            "apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
            "metadata": {"name": "podinfo", "namespace": "apps"},
            "spec": {"chart": {"spec": {"chart": "podinfo", "sourceRef": {"kind": "HelmRepository", "name": "p"}}}},
            "status": {"helmChart": "flux-system/apps-podinfo"},
        }));
        assert_eq!(
            reconcile_source(&release),
            Ok(ObjectKey { kind: FluxKind::HelmChart, namespace: "flux-system".into(), name: "apps-podinfo".into() })
        );
        let external = AnyFluxObject::from_value(json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": "apps", "namespace": "flux-system"},
            "spec": {"sourceRef": {"kind": "ExternalArtifact", "name": "x"}},
        }));
        assert_eq!(reconcile_source(&external), Err("cannot reconcile source of kind ExternalArtifact".to_string()));
    }
}
