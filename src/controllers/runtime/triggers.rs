//! Trigger streams: how a consumer kind (Kustomization, HelmChart, ArtifactGenerator) is woken when one of its
//! sources changes. Each consumer keeps a store of its own kind (to map a source to the objects that use it) and
//! watches every source kind the cluster serves; a source wakes its consumers only when the value the consumer
//! follows (an artifact revision, a digest) changed, as [`SeenRevisions`] decides.

use std::sync::Arc;

use futures::stream::{self, BoxStream};
use futures::{StreamExt, future};
use kube::api::Api;
use kube::core::ApiResource;
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{WatchStreamExt, watcher};

use super::context::Context;
use super::seen_revisions::SeenRevisions;
use crate::api::FluxKind;
use crate::api::object::AnyFluxObject;

/// A stream of objects to reconcile.
pub type Trigger = BoxStream<'static, ObjectRef<AnyFluxObject>>;

/// The API of `resource` in the engine's watched namespace, or in all namespaces.
pub fn scoped_api(ctx: &Context, resource: &ApiResource) -> Api<AnyFluxObject> {
    let api = Api::all_with(ctx.client.clone(), resource);
    match &ctx.namespace {
        Some(namespace) => api.constrain(namespace),
        None => api,
    }
}

/// A store of `resource`'s objects and the watch that fills it: a stream yielding nothing, to be polled with the
/// triggers that read the store.
pub fn watched_store(ctx: &Context, resource: &ApiResource) -> (Store<AnyFluxObject>, Trigger) {
    let writer = reflector::store::Writer::new(resource.clone());
    let store = writer.as_reader();
    let feed = watcher(scoped_api(ctx, resource), watcher::Config::default())
        .default_backoff()
        .reflect(writer)
        .filter_map(|_| future::ready(None::<ObjectRef<AnyFluxObject>>));
    (store, feed.boxed())
}

/// One watch per kind of `kinds` the cluster serves: when `value_of` of a source changes, `wake(kind, source)`
/// names the objects to reconcile.
pub fn source_changes<V, W>(
    ctx: &Context,
    kinds: &[FluxKind],
    value_of: fn(&AnyFluxObject) -> Option<V>,
    wake: W,
) -> Vec<Trigger>
where
    V: PartialEq + Send + 'static,
    W: Fn(FluxKind, &AnyFluxObject) -> Vec<ObjectRef<AnyFluxObject>> + Send + Sync + 'static,
{
    let wake = Arc::new(wake);
    let mut streams = Vec::new();
    for &kind in kinds {
        let Some(resource) = ctx.api_resource(kind) else { continue };
        let wake = wake.clone();
        let mut seen = SeenRevisions::default();
        let changes = watcher(scoped_api(ctx, &resource), watcher::Config::default())
            .default_backoff()
            .filter_map(move |event| {
                let changed = match event {
                    Ok(event) => seen.changed(event, value_of),
                    // Watch errors are retried by the watcher's backoff; the consumers' own interval covers what
                    // is missed meanwhile.
                    Err(_) => None,
                };
                let woken = changed.map(|source| wake(kind, &source)).unwrap_or_default();
                future::ready(Some(stream::iter(woken)))
            })
            .flatten();
        streams.push(changes.boxed());
    }
    streams
}

/// `(namespace, name)` pairs as references to objects of `resource`.
pub fn references(resource: &ApiResource, objects: Vec<(String, String)>) -> Vec<ObjectRef<AnyFluxObject>> {
    objects
        .into_iter()
        .map(|(namespace, name)| ObjectRef::new_with(&name, resource.clone()).within(&namespace))
        .collect()
}
