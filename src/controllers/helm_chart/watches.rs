//! What wakes a HelmChart besides its own changes (source-controller's `Watches` on HelmRepository,
//! GitRepository and Bucket with `SourceRevisionChangePredicate`): a source whose artifact revision changed
//! reconciles the charts in its namespace that name it in `spec.sourceRef` and have not yet built from that
//! revision (`status.observedSourceArtifactRevision`).
//!
//! The watches are the runtime's (`runtime::triggers`): one per source kind the cluster serves, passing artifact
//! revision changes, and a store of the HelmCharts for the map from a source to the charts that use it, polled as
//! part of the trigger stream, so it lives exactly as long as the chart controller.

use std::sync::Arc;

use futures::StreamExt;
use futures::stream;

use super::source::{SOURCE_KINDS, source_artifact};
use crate::api::FluxKind;
use crate::api::object::AnyFluxObject;
use crate::controllers::runtime::context::Context;
use crate::controllers::runtime::triggers::{Trigger, references, source_changes, watched_store};

/// The trigger streams of the HelmChart controller: empty when the cluster does not serve HelmChart.
pub fn source_triggers(ctx: &Context) -> Vec<Trigger> {
    let Some(chart_resource) = ctx.api_resource(FluxKind::HelmChart) else { return Vec::new() };
    let (charts, feed) = watched_store(ctx, &chart_resource);
    let mut streams = vec![feed];
    streams.extend(source_changes(ctx, &SOURCE_KINDS, artifact_revision, move |kind, source| {
        references(&chart_resource, consumers(&charts.state(), kind, source))
    }));
    vec![stream::select_all(streams).boxed()]
}

/// What a source's watch events are compared on: its artifact's revision.
fn artifact_revision(source: &AnyFluxObject) -> Option<String> {
    source_artifact(source)?.revision.clone()
}

/// The charts (namespace, name) that use `source` of `kind` and have not built from its current revision.
pub fn consumers(charts: &[Arc<AnyFluxObject>], kind: FluxKind, source: &AnyFluxObject) -> Vec<(String, String)> {
    let Some(revision) = source_artifact(source).and_then(|a| a.revision.as_deref()) else { return Vec::new() };
    charts
        .iter()
        .filter_map(|object| match object.as_ref() {
            AnyFluxObject::HelmChart(chart) => Some(chart),
            _ => None,
        })
        .filter(|chart| {
            let reference = chart.spec.source_ref.as_ref();
            chart.metadata.namespace.as_deref() == Some(source.namespace())
                && reference.and_then(|r| r.kind.as_deref()) == Some(kind.name())
                && reference.and_then(|r| r.name.as_deref()) == Some(source.name())
                && chart.status.as_ref().and_then(|s| s.observed_source_artifact_revision.as_deref()) != Some(revision)
        })
        .map(|chart| {
            (chart.metadata.namespace.clone().unwrap_or_default(), chart.metadata.name.clone().unwrap_or_default())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(value: serde_json::Value) -> AnyFluxObject {
        AnyFluxObject::from_value(value)
    }

    fn chart(name: &str, namespace: &str, kind: &str, source: &str, observed: Option<&str>) -> Arc<AnyFluxObject> {
        Arc::new(object(json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmChart",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"chart": "podinfo", "sourceRef": {"kind": kind, "name": source}},
            "status": {"observedSourceArtifactRevision": observed},
        })))
    }

    #[test]
    fn a_new_source_revision_wakes_the_charts_using_it() {
        let repository = object(json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmRepository",
            "metadata": {"name": "charts", "namespace": "apps"},
            "spec": {"url": "https://charts.example.com"},
            "status": {"artifact": {"revision": "sha256:new", "path": "p", "url": "u"}},
        }));
        let charts = vec![
            chart("behind", "apps", "HelmRepository", "charts", Some("sha256:old")),
            chart("never-built", "apps", "HelmRepository", "charts", None),
            chart("current", "apps", "HelmRepository", "charts", Some("sha256:new")),
            chart("other-namespace", "tools", "HelmRepository", "charts", None),
            chart("other-kind", "apps", "GitRepository", "charts", None),
            chart("other-source", "apps", "HelmRepository", "stable", None),
        ];
        let woken = consumers(&charts, FluxKind::HelmRepository, &repository);
        assert_eq!(
            woken,
            [("apps".to_string(), "behind".to_string()), ("apps".to_string(), "never-built".to_string())]
        );
        assert!(artifact_revision(&repository).is_some());
        let without = object(json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
            "metadata": {"name": "charts", "namespace": "apps"}, "spec": {"url": "https://x"},
        }));
        assert!(artifact_revision(&without).is_none());
        assert!(consumers(&charts, FluxKind::GitRepository, &without).is_empty());
    }
}
