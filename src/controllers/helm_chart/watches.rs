//! What wakes a HelmChart besides its own changes (source-controller's `Watches` on HelmRepository,
//! GitRepository and Bucket with `SourceRevisionChangePredicate`): a source whose artifact revision changed
//! reconciles the charts in its namespace that name it in `spec.sourceRef` and have not yet built from that
//! revision (`status.observedSourceArtifactRevision`).
//!
//! One watch per source kind the cluster serves, filtered to artifact revision changes, and a reflector over
//! the HelmCharts for the map from a source to the charts that use it. The charts' store is polled as part of
//! the trigger stream, so it lives exactly as long as the chart controller.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use futures::stream::{self, BoxStream};
use futures::{StreamExt, future};
use kube::api::Api;
use kube::core::ApiResource;
use kube::runtime::reflector::{self, ObjectRef};
use kube::runtime::{PredicateConfig, WatchStreamExt, watcher};

use super::source::{SOURCE_KINDS, source_artifact};
use crate::api::FluxKind;
use crate::api::object::AnyFluxObject;
use crate::controllers::runtime::context::Context;

/// The trigger streams of the HelmChart controller: empty when the cluster does not serve HelmChart.
pub fn source_triggers(ctx: &Context) -> Vec<BoxStream<'static, ObjectRef<AnyFluxObject>>> {
    let Some(chart_resource) = ctx.api_resource(FluxKind::HelmChart) else { return Vec::new() };
    let writer = reflector::store::Writer::new(chart_resource.clone());
    let charts = writer.as_reader();
    // Drives the store; it yields nothing itself.
    let store_driver = watcher(scoped_api(ctx, &chart_resource), watcher::Config::default())
        .default_backoff()
        .reflect(writer)
        .filter_map(|_| future::ready(None))
        .boxed();
    let mut streams = vec![store_driver];
    for kind in SOURCE_KINDS {
        let Some(resource) = ctx.api_resource(kind) else { continue };
        let charts = charts.clone();
        let chart_resource = chart_resource.clone();
        let changes = watcher(scoped_api(ctx, &resource), watcher::Config::default())
            .default_backoff()
            .applied_objects()
            .predicate_filter(artifact_revision_hash, PredicateConfig::default())
            .filter_map(|source| future::ready(source.ok()))
            .then(move |source| {
                let charts = charts.clone();
                let chart_resource = chart_resource.clone();
                async move {
                    // Until the charts are listed, no source can be mapped; the charts reconcile on their own
                    // first list anyway.
                    if charts.wait_until_ready().await.is_err() {
                        return Vec::new();
                    }
                    consumers(&charts.state(), kind, &source)
                        .into_iter()
                        .map(|(namespace, name)| ObjectRef::new_with(&name, chart_resource.clone()).within(&namespace))
                        .collect()
                }
            })
            .flat_map(stream::iter)
            .boxed();
        streams.push(changes);
    }
    vec![stream::select_all(streams).boxed()]
}

/// The API of `resource` in the engine's watched namespace, or in all namespaces.
fn scoped_api(ctx: &Context, resource: &ApiResource) -> Api<AnyFluxObject> {
    let api = Api::all_with(ctx.client.clone(), resource);
    match &ctx.namespace {
        Some(namespace) => api.constrain(namespace),
        None => api,
    }
}

/// What the filter compares: the artifact's revision. A source without one passes the filter (kube lets what it
/// cannot hash through) and then maps to no chart.
fn artifact_revision_hash(source: &AnyFluxObject) -> Option<u64> {
    let revision = source_artifact(source)?.revision.as_deref()?;
    let mut hasher = DefaultHasher::new();
    revision.hash(&mut hasher);
    Some(hasher.finish())
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
        assert!(artifact_revision_hash(&repository).is_some());
        let without = object(json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
            "metadata": {"name": "charts", "namespace": "apps"}, "spec": {"url": "https://x"},
        }));
        assert!(artifact_revision_hash(&without).is_none());
        assert!(consumers(&charts, FluxKind::GitRepository, &without).is_empty());
    }
}
