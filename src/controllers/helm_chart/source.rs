//! A HelmChart's source (source-controller's `getSource` and the artifact check after it): `spec.sourceRef`
//! resolved to a HelmRepository, GitRepository or Bucket in the chart's namespace, with an artifact in storage —
//! except a HelmRepository of `type: oci`, which has none (the chart comes from its registry).
//!
//! What goes wrong here reads as Flux writes it: `failed to get source: ...` (`SourceUnavailable`, retried; an
//! unknown kind is `UnsupportedSourceKind` and stalls) and `no artifact available for <Kind> source '<name>'`
//! (`NoSourceArtifact`, retried until the source has one).

use crate::api::FluxKind;
use crate::api::meta::Artifact;
use crate::api::object::AnyFluxObject;
use crate::api::source::helm_chart::LocalHelmChartSourceReference;
use crate::api::source::helm_repository::HelmRepository;
use crate::controllers::conditions::Outcome;
use crate::controllers::helm_chart::ChartSourceKind;
use crate::controllers::helm_repository::reconcile::is_oci;
use crate::controllers::names::{condition, reason};
use crate::controllers::runtime::context::Context;

/// The kinds a chart can come from, in the order Flux lists them.
pub const SOURCE_KINDS: [FluxKind; 3] = [FluxKind::HelmRepository, FluxKind::GitRepository, FluxKind::Bucket];

/// A resolved source with its artifact.
#[derive(Debug, Clone)]
pub enum ChartSource {
    /// A chart repository: the artifact is its index.
    HelmRepository { repository: Box<HelmRepository>, artifact: Artifact },
    /// A HelmRepository of `type: oci`: no artifact, the chart is pulled from the registry.
    OciRepository { repository: Box<HelmRepository> },
    /// A GitRepository or Bucket: the artifact is a tarball holding the chart.
    Tarball { kind: ChartSourceKind, artifact: Artifact },
}

impl ChartSource {
    /// The source's artifact; none for an OCI repository.
    pub fn artifact(&self) -> Option<&Artifact> {
        match self {
            ChartSource::HelmRepository { artifact, .. } | ChartSource::Tarball { artifact, .. } => Some(artifact),
            ChartSource::OciRepository { .. } => None,
        }
    }

    pub fn kind(&self) -> ChartSourceKind {
        match self {
            ChartSource::HelmRepository { .. } | ChartSource::OciRepository { .. } => ChartSourceKind::HelmRepository,
            ChartSource::Tarball { kind, .. } => *kind,
        }
    }
}

/// The chart source kind `spec.sourceRef.kind` names, if it is one.
pub fn source_kind(name: &str) -> Option<(FluxKind, ChartSourceKind)> {
    match name {
        "HelmRepository" => Some((FluxKind::HelmRepository, ChartSourceKind::HelmRepository)),
        "GitRepository" => Some((FluxKind::GitRepository, ChartSourceKind::GitRepository)),
        "Bucket" => Some((FluxKind::Bucket, ChartSourceKind::Bucket)),
        _ => None,
    }
}

/// The artifact in a source object's status.
pub fn source_artifact(object: &AnyFluxObject) -> Option<&Artifact> {
    match object {
        AnyFluxObject::HelmRepository(o) => o.status.as_ref()?.artifact.as_ref(),
        AnyFluxObject::GitRepository(o) => o.status.as_ref()?.artifact.as_ref(),
        AnyFluxObject::Bucket(o) => o.status.as_ref()?.artifact.as_ref(),
        _ => None,
    }
}

fn unavailable(message: String, terminal: bool) -> Outcome {
    let why = if terminal { reason::UNSUPPORTED_SOURCE_KIND } else { reason::SOURCE_UNAVAILABLE };
    Outcome::failed(Some(condition::FETCH_FAILED), why, format!("failed to get source: {message}"), terminal)
}

/// Reads the source `reference` names in `namespace` and checks it has an artifact in storage.
pub async fn resolve_source(
    ctx: &Context,
    namespace: &str,
    reference: &LocalHelmChartSourceReference,
) -> Result<ChartSource, Outcome> {
    let kind_name = reference.kind.as_deref().unwrap_or_default();
    let name = reference.name.as_deref().unwrap_or_default();
    let Some((kind, chart_source_kind)) = source_kind(kind_name) else {
        let kinds = SOURCE_KINDS.map(|k| k.name()).join(" ");
        return Err(unavailable(format!("unsupported source kind '{kind_name}', must be one of: [{kinds}]"), true));
    };
    let api = ctx
        .api(kind, namespace)
        .ok_or_else(|| unavailable(format!("{} is not served by the cluster", kind.name()), false))?;
    let object = api.get(name).await.map_err(|err| {
        let detail = match err {
            // The API server's own wording: `helmrepositories.source.toolkit.fluxcd.io "podinfo" not found`.
            kube::Error::Api(status) => status.message,
            other => other.to_string(),
        };
        unavailable(detail, false)
    })?;
    let no_artifact = || {
        let message = format!("no artifact available for {kind_name} source '{name}'");
        Outcome::failed(Some(condition::FETCH_FAILED), reason::NO_SOURCE_ARTIFACT, message, false)
    };
    // An OCI repository has no artifact: the chart comes from its registry.
    if let AnyFluxObject::HelmRepository(repository) = &object
        && is_oci(repository)
    {
        return Ok(ChartSource::OciRepository { repository: Box::new(repository.clone()) });
    }
    let artifact = source_artifact(&object).filter(|a| ctx.storage.contains(a)).cloned().ok_or_else(no_artifact)?;
    Ok(match object {
        AnyFluxObject::HelmRepository(repository) => {
            ChartSource::HelmRepository { repository: Box::new(repository), artifact }
        }
        _ => ChartSource::Tarball { kind: chart_source_kind, artifact },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_three_source_kinds_are_accepted() {
        assert_eq!(source_kind("GitRepository").map(|k| k.1), Some(ChartSourceKind::GitRepository));
        assert_eq!(source_kind("Bucket").map(|k| k.0), Some(FluxKind::Bucket));
        assert!(source_kind("OCIRepository").is_none());
        let outcome = unavailable("x".into(), true);
        assert!(
            matches!(outcome, Outcome::Failed { terminal: true, ref reason, .. } if reason == "UnsupportedSourceKind")
        );
    }
}
