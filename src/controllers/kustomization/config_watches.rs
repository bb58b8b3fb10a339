//! ConfigMaps and Secrets as triggers (kustomize-controller since Flux 2.5, SEMANTICS.md §2.1): a change to one a
//! Kustomization names in `postBuild.substituteFrom` reconciles that Kustomization at once instead of at its
//! interval, when the object matches `--watch-configs-label-selector` (by default the label
//! `reconcile.fluxcd.io/watch: Enabled`; empty: every ConfigMap and Secret).
//!
//! The watches carry the selector to the API server and read metadata only (a Secret's data is never read
//! here). Creations, updates and deletions all wake the Kustomizations that reference the object, an `optional`
//! reference included, as in Flux. Objects listed when a watch (re)starts do not, unless their resourceVersion
//! moved while the watch was away: at start every Kustomization is reconciled anyway.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use futures::stream::{self, BoxStream};
use futures::{StreamExt, future};
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::Resource;
use kube::api::Api;
use kube::core::{ApiResource, PartialObjectMeta};
use kube::runtime::reflector::{ObjectRef, Store};
use kube::runtime::{WatchStreamExt, watcher};

use crate::api::object::AnyFluxObject;
use crate::controllers::runtime::context::Context;

/// The kinds `substituteFrom` names.
const CONFIG_MAP: &str = "ConfigMap";
const SECRET: &str = "Secret";

/// One trigger stream per kind (ConfigMap, Secret), waking the Kustomizations of `store` that reference a
/// changed object.
pub fn config_triggers(
    ctx: &Context,
    store: &Store<AnyFluxObject>,
    resource: &ApiResource,
) -> Vec<BoxStream<'static, ObjectRef<AnyFluxObject>>> {
    vec![
        kind_triggers::<ConfigMap>(ctx, CONFIG_MAP, store.clone(), resource.clone()),
        kind_triggers::<Secret>(ctx, SECRET, store.clone(), resource.clone()),
    ]
}

fn kind_triggers<K>(
    ctx: &Context,
    kind: &'static str,
    store: Store<AnyFluxObject>,
    resource: ApiResource,
) -> BoxStream<'static, ObjectRef<AnyFluxObject>>
where
    K: Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>
        + Clone
        + std::fmt::Debug
        + serde::de::DeserializeOwned
        + Send
        + Sync
        + 'static,
{
    let api: Api<PartialObjectMeta<K>> = match &ctx.namespace {
        Some(namespace) => Api::namespaced(ctx.client.clone(), namespace),
        None => Api::all(ctx.client.clone()),
    };
    let mut config = watcher::Config::default();
    if !ctx.watch_configs_selector.is_empty() {
        config = config.labels(&ctx.watch_configs_selector);
    }
    let mut seen = Seen::default();
    watcher(api, config)
        .default_backoff()
        .filter_map(move |event| {
            let changed = match event {
                Ok(event) => seen.changed(event),
                // Watch errors are retried by the watcher's backoff; the interval covers what is missed.
                Err(_) => Vec::new(),
            };
            let woken: Vec<ObjectRef<AnyFluxObject>> = changed
                .into_iter()
                .flat_map(|(namespace, name)| referencing(&store.state(), kind, &namespace, &name))
                .map(|(namespace, name)| ObjectRef::new_with(&name, resource.clone()).within(&namespace))
                .collect();
            future::ready(Some(stream::iter(woken)))
        })
        .flatten()
        .boxed()
}

/// The resourceVersions last seen, so that a watch restart's listing wakes nothing that did not change, and
/// objects deleted while the watch was down are noticed (and forgotten) when the listing ends without them.
#[derive(Default)]
struct Seen {
    versions: HashMap<(String, String), String>,
    /// The objects of the listing in progress (between `Init` and `InitDone`).
    listing: Option<HashSet<(String, String)>>,
}

impl Seen {
    /// The `(namespace, name)` of the objects that changed with this event.
    fn changed<K: Resource>(&mut self, event: watcher::Event<PartialObjectMeta<K>>) -> Vec<(String, String)> {
        let key = |object: &PartialObjectMeta<K>| {
            let metadata = &object.metadata;
            (metadata.namespace.clone().unwrap_or_default(), metadata.name.clone().unwrap_or_default())
        };
        match event {
            watcher::Event::Apply(object) => {
                let version = object.metadata.resource_version.clone().unwrap_or_default();
                let key = key(&object);
                let previous = self.versions.insert(key.clone(), version.clone());
                (previous.as_deref() != Some(version.as_str())).then_some(key).into_iter().collect()
            }
            watcher::Event::InitApply(object) => {
                let version = object.metadata.resource_version.clone().unwrap_or_default();
                let key = key(&object);
                if let Some(listing) = self.listing.as_mut() {
                    listing.insert(key.clone());
                }
                let previous = self.versions.insert(key.clone(), version.clone());
                previous.filter(|p| *p != version).map(|_| key).into_iter().collect()
            }
            watcher::Event::Delete(object) => {
                let key = key(&object);
                self.versions.remove(&key);
                vec![key]
            }
            watcher::Event::Init => {
                self.listing = Some(HashSet::new());
                Vec::new()
            }
            watcher::Event::InitDone => {
                let Some(listed) = self.listing.take() else { return Vec::new() };
                let gone: Vec<(String, String)> =
                    self.versions.keys().filter(|key| !listed.contains(*key)).cloned().collect();
                for key in &gone {
                    self.versions.remove(key);
                }
                gone
            }
        }
    }
}

/// The Kustomizations (namespace, name) in `namespace` whose `postBuild.substituteFrom` names the `kind` object
/// `name` (substituteFrom references stay in the Kustomization's namespace).
pub fn referencing(objects: &[Arc<AnyFluxObject>], kind: &str, namespace: &str, name: &str) -> Vec<(String, String)> {
    objects
        .iter()
        .filter_map(|object| match object.as_ref() {
            AnyFluxObject::Kustomization(ks) => Some(ks),
            _ => None,
        })
        .filter(|ks| ks.metadata.namespace.as_deref() == Some(namespace))
        .filter(|ks| {
            let references = ks.spec.post_build.as_ref().and_then(|p| p.substitute_from.as_ref());
            references.into_iter().flatten().any(|r| r.kind.as_deref() == Some(kind) && r.name.as_deref() == Some(name))
        })
        .map(|ks| (namespace.to_string(), ks.metadata.name.clone().unwrap_or_default()))
        .collect()
}

#[cfg(test)]
mod tests {
    use kube::api::ObjectMeta;
    use serde_json::json;

    use super::*;

    fn ks(name: &str, namespace: &str, from: serde_json::Value) -> Arc<AnyFluxObject> {
        Arc::new(AnyFluxObject::from_value(json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"sourceRef": {"kind": "GitRepository", "name": "repo"}, "interval": "1h", "prune": true,
                "postBuild": {"substituteFrom": from}},
        })))
    }

    #[test]
    fn a_config_wakes_the_kustomizations_substituting_from_it() {
        let objects = vec![
            ks("uses", "apps", json!([{"kind": "ConfigMap", "name": "vars"}])),
            ks(
                "optional",
                "apps",
                json!([{"kind": "Secret", "name": "s"}, {"kind": "ConfigMap", "name": "vars", "optional": true}]),
            ),
            ks("secret", "apps", json!([{"kind": "Secret", "name": "vars"}])),
            ks("elsewhere", "other", json!([{"kind": "ConfigMap", "name": "vars"}])),
        ];
        let woken = referencing(&objects, CONFIG_MAP, "apps", "vars");
        assert_eq!(woken, [("apps".to_string(), "uses".to_string()), ("apps".to_string(), "optional".to_string())]);
        assert_eq!(referencing(&objects, SECRET, "apps", "vars"), [("apps".to_string(), "secret".to_string())]);
    }

    fn config_map(version: &str) -> PartialObjectMeta<ConfigMap> {
        PartialObjectMeta {
            types: None,
            metadata: ObjectMeta {
                name: Some("vars".into()),
                namespace: Some("apps".into()),
                resource_version: Some(version.into()),
                ..ObjectMeta::default()
            },
            _phantom: Default::default(),
        }
    }

    #[test]
    fn a_relist_forgets_and_wakes_what_was_deleted_while_away() {
        let mut seen = Seen::default();
        let key = vec![("apps".to_string(), "vars".to_string())];
        type Event = watcher::Event<PartialObjectMeta<ConfigMap>>;
        assert!(seen.changed(Event::Init).is_empty());
        assert!(seen.changed(Event::InitApply(config_map("1"))).is_empty());
        assert!(seen.changed(Event::InitDone).is_empty(), "the first listing wakes nothing");
        // A restart whose listing no longer has it: deleted while the watch was down.
        assert!(seen.changed(Event::Init).is_empty());
        assert_eq!(seen.changed(Event::InitDone), key);
        assert!(seen.versions.is_empty(), "forgotten");
    }

    #[test]
    fn only_changes_wake_not_a_restart_listing() {
        let mut seen = Seen::default();
        let none: Vec<(String, String)> = Vec::new();
        let key = vec![("apps".to_string(), "vars".to_string())];
        assert_eq!(seen.changed(watcher::Event::InitApply(config_map("1"))), none, "the first listing");
        assert_eq!(seen.changed(watcher::Event::Apply(config_map("2"))), key);
        assert_eq!(seen.changed(watcher::Event::InitApply(config_map("2"))), none, "a restart, unchanged");
        assert_eq!(seen.changed(watcher::Event::InitApply(config_map("3"))), key, "changed while away");
        assert_eq!(seen.changed(watcher::Event::Delete(config_map("3"))), key);
        assert_eq!(seen.changed(watcher::Event::Apply(config_map("4"))), key, "created again");
    }
}
