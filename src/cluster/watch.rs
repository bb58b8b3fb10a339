//! One watch and reflector store per served Flux kind.
//!
//! The store is written by this task and read by the app through [`FluxStores`]. It is registered there when its
//! first list completes, so a kind whose version changes keeps showing the old objects until the new list is
//! in. Managed fields and the last-applied annotation are stripped on the way in: they are most of an object's
//! size and no list shows them (the YAML view fetches the full object).
//!
//! The app hears only "this kind changed" ([`ClusterEvent::StoreChanged`]) and the kind's state, sent when it
//! changes: `Loading` until the first list, `Synced` after every completed list, `NoAccess` on a 403, `Failed`
//! otherwise (the watch retries with backoff and a later list makes it `Synced` again).

use kube::Api;
use kube::runtime::WatchStreamExt;
use kube::runtime::reflector::store::Writer;
use kube::runtime::watcher::{self, Event, watcher};
use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;

use super::connectivity::{ConnectivityTracker, Failure, TaskGuard};
use super::resilient::watch_forever;
use super::{ClusterEvent, FluxStores, KindState};
use crate::api::{AnyFluxObject, FluxKind};

/// The annotation `kubectl apply` (client-side) writes: a full copy of the object, never shown in lists.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// What every kind's watch shares.
#[derive(Clone)]
pub struct WatchContext {
    pub client: kube::Client,
    /// Watch only this namespace (the user restricted the session to it).
    pub namespace: Option<String>,
    pub stores: FluxStores,
    pub events: UnboundedSender<ClusterEvent>,
    pub connectivity: ConnectivityTracker,
    /// Asks the session to re-run discovery (sent when a kind's resource is no longer found).
    pub rediscover: UnboundedSender<super::session::Rediscover>,
}

/// A running watch of one kind at one version; dropping it stops the watch.
#[derive(Debug)]
pub struct KindWatch {
    pub version: &'static str,
    _task: TaskGuard,
}

impl KindWatch {
    pub fn spawn(context: &WatchContext, kind: FluxKind, version: &'static str) -> KindWatch {
        KindWatch { version, _task: TaskGuard::spawn(watch_kind(context.clone(), kind, version)) }
    }
}

/// Removes the kind's source from the connectivity tracker when its task ends (it is aborted on drop).
struct SourceGuard {
    connectivity: ConnectivityTracker,
    source: String,
}

impl Drop for SourceGuard {
    fn drop(&mut self) {
        self.connectivity.remove(&self.source);
    }
}

async fn watch_kind(context: WatchContext, kind: FluxKind, version: &'static str) {
    let resource = kind.api_resource(version);
    let api: Api<AnyFluxObject> = match &context.namespace {
        Some(namespace) => Api::all_with(context.client.clone(), &resource).constrain(namespace),
        None => Api::all_with(context.client.clone(), &resource),
    };
    let source = SourceGuard { connectivity: context.connectivity.clone(), source: format!("kind/{}", kind.name()) };
    let mut writer = Writer::new(resource);
    let mut registered = false;
    let mut state = KindState::Loading { version: version.to_string() };
    let _ = context.events.send(ClusterEvent::KindStateChanged(kind, state.clone()));
    let mut set_state = |next: KindState| {
        if next != state {
            state = next.clone();
            let _ = context.events.send(ClusterEvent::KindStateChanged(kind, next));
        }
    };
    watch_forever(
        || watcher(api.clone(), watcher::Config::default()).modify(strip),
        |item| match item {
            Ok(event) => {
                writer.apply_watcher_event(event);
                match event {
                    // The writer buffers the list and swaps it in at InitDone: nothing changed yet.
                    Event::Init | Event::InitApply(_) => {}
                    Event::InitDone => {
                        if !registered {
                            context.stores.insert(kind, writer.as_reader());
                            registered = true;
                        }
                        context.connectivity.healthy(&source.source);
                        set_state(KindState::Synced { version: version.to_string() });
                        let _ = context.events.send(ClusterEvent::StoreChanged(kind));
                    }
                    Event::Apply(_) | Event::Delete(_) => {
                        let _ = context.events.send(ClusterEvent::StoreChanged(kind));
                    }
                }
            }
            Err(failure) => {
                context.connectivity.failed(&source.source, failure);
                match failure {
                    Failure::Forbidden(message) => set_state(KindState::NoAccess(message.clone())),
                    Failure::NotFound(message) => {
                        set_state(KindState::Failed(message.clone()));
                        // The CRD may be gone; discovery decides (at once when the CRD watch saw it).
                        let _ = context.rediscover.send(super::session::Rediscover::AfterWatchError);
                    }
                    Failure::Server(message) | Failure::Transport(message) => {
                        set_state(KindState::Failed(message.clone()))
                    }
                }
            }
        },
    )
    .await;
}

/// Drops what no list shows: `metadata.managedFields` and the last-applied annotation. An unparsed object keeps
/// its raw JSON (the views show it), so that is stripped too.
pub fn strip(object: &mut AnyFluxObject) {
    let metadata = object.metadata_mut();
    metadata.managed_fields = None;
    if let Some(annotations) = metadata.annotations.as_mut() {
        annotations.remove(LAST_APPLIED);
    }
    if let AnyFluxObject::Unparsed(unparsed) = object
        && let Some(metadata) = unparsed.raw.get_mut("metadata").and_then(Value::as_object_mut)
    {
        metadata.remove("managedFields");
        if let Some(annotations) = metadata.get_mut("annotations").and_then(Value::as_object_mut) {
            annotations.remove(LAST_APPLIED);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strip_cleans_parsed_and_unparsed_objects() {
        let metadata = json!({
            "name": "podinfo",
            "namespace": "default",
            "managedFields": [{"manager": "kubectl", "operation": "Apply"}],
            "annotations": {LAST_APPLIED: "{}", "kept": "yes"},
        });
        let parsed = json!({"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
            "metadata": metadata, "spec": {"url": "https://example.com"}});
        // A spec that is not an object cannot parse: the object is kept raw.
        let unparsed = json!({"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
            "metadata": metadata, "spec": "odd"});
        for value in [parsed, unparsed] {
            let mut object = AnyFluxObject::from_value(value);
            strip(&mut object);
            let stripped = object.to_value();
            assert!(stripped["metadata"].get("managedFields").is_none(), "{stripped:#}");
            assert_eq!(stripped["metadata"]["annotations"], json!({"kept": "yes"}), "{stripped:#}");
            assert!(object.metadata().managed_fields.is_none());
        }
    }
}
