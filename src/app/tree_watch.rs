//! Live statuses for the objects of a tree that are not Flux objects (Deployments, Services, ...): the Flux
//! objects follow the app's own watches, the others are watched here, per kind and namespace, while their tree
//! is the one on screen. The first change ends the watch and asks for a re-read (which watches again), so a
//! rollout shows `1/3 ready`, `2/3`, `3/3` as it happens, without polling.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use futures::StreamExt;
use kube::Api;
use kube::api::DynamicObject;
use kube::runtime::watcher::{self, Event, watcher};

use crate::api::references::ObjectReference;
use crate::cluster::objects::ObjectAccess;
use crate::model::tree::TreeNode;

/// Changes closer together than this are one re-read.
const SETTLE: Duration = Duration::from_millis(250);

/// The objects to watch, by (apiVersion, kind, namespace): every node read from the cluster that is not a Flux
/// object (those have watchers already).
pub type Watched = BTreeMap<(String, String, String), BTreeSet<String>>;

pub fn watched_objects(tree: &TreeNode) -> Watched {
    let mut watched = Watched::new();
    collect(tree, &mut watched);
    watched
}

fn collect(node: &TreeNode, watched: &mut Watched) {
    let reference: &ObjectReference = &node.reference;
    if node.object.is_some()
        && reference.flux_kind().is_none()
        && let Some(api_version) = &reference.api_version
    {
        watched
            .entry((api_version.clone(), reference.kind.clone(), reference.namespace.clone()))
            .or_default()
            .insert(reference.name.clone());
    }
    for child in &node.children {
        collect(child, watched);
    }
}

/// Waits until one of the watched objects changes or is deleted (true), or there is nothing to watch (false).
/// The initial lists are not changes; a kind that cannot be watched is left out.
pub async fn changed(access: &ObjectAccess, watched: Watched) -> bool {
    let mut streams = Vec::new();
    for ((api_version, kind, namespace), names) in watched {
        let Ok(resolved) = access.resolve(&api_version, &kind).await else { continue };
        let api: Api<DynamicObject> = if resolved.namespaced && !namespace.is_empty() {
            Api::namespaced_with(access.client().clone(), &namespace, &resolved.resource)
        } else {
            Api::all_with(access.client().clone(), &resolved.resource)
        };
        let changes = watcher(api, watcher::Config::default()).filter_map(move |event| {
            let name = match event {
                Ok(Event::Apply(object) | Event::Delete(object)) => object.metadata.name,
                _ => None,
            };
            std::future::ready(name.filter(|name| names.contains(name)))
        });
        streams.push(changes.boxed());
    }
    if streams.is_empty() {
        return false;
    }
    let mut all = futures::stream::select_all(streams);
    if all.next().await.is_none() {
        return false;
    }
    // A rollout changes a Deployment several times in a row: let them land, then read once.
    let _ = tokio::time::timeout(SETTLE, async { while all.next().await.is_some() {} }).await;
    true
}
