//! The reads behind the insight screens, run by the event loop off the UI thread (and by `fluxtui tree`):
//! - the `flux tree` of a Kustomization or HelmRelease: the inventory (or the Helm release's manifest)
//!   resolved to live objects, nested Kustomizations and HelmReleases expanded, each read failure kept as a
//!   node that says what went wrong;
//! - the owner chain a trace starts from, the values of a Helm release, and a workload's pods;
//! - a Kustomization's diff, computed by the engine's diff stage.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use futures::StreamExt;
use futures::stream;
use serde_json::Value;

use super::insight::{InsightRequest, InsightResult};
use crate::api::FluxKind;
use crate::api::references::ObjectReference;
use crate::cluster::helm_storage::{describe_lookup, fetch_release, manifest_objects, release_location};
use crate::cluster::objects::{Lookup, ObjectAccess};
use crate::controllers::kustomization::{DiffOptions, KustomizationDiff, diff_kustomization};
use crate::controllers::runtime::context::ServedApis;
use crate::controllers::storage::Storage;
use crate::model::helm_release::{AppliedValues, SourceCheck, SourceState, check_source};
use crate::model::trace::manager_of;
use crate::model::tree::{LiveStatus, TreeNode, invalid_reference, inventory_entries, live_status};
use crate::model::workload::pod_selector;

/// Nested Flux objects deeper than this are not expanded (a guard beside the cycle check).
const MAX_DEPTH: usize = 16;

/// The reference of a Flux object at the version the cluster serves it at.
pub fn flux_reference(kind: FluxKind, version: &str, namespace: &str, name: &str) -> ObjectReference {
    ObjectReference {
        kind: kind.name().to_string(),
        name: name.to_string(),
        namespace: namespace.to_string(),
        api_version: Some(format!("{}/{version}", kind.group())),
    }
}

/// How many reads of one level run at once: enough to hide latency, few enough not to flood the API server.
const READS_AT_ONCE: usize = 16;

/// Runs the futures, at most [`READS_AT_ONCE`] at a time, and returns their outputs in order.
async fn ordered<F: Future<Output = TreeNode>>(futures: impl Iterator<Item = F>) -> Vec<TreeNode> {
    stream::iter(futures).buffered(READS_AT_ONCE).collect().await
}

/// The whole tree under `root`. `Err` only when the root itself cannot be read (not found, forbidden...).
pub async fn build_tree(access: &ObjectAccess, root: &ObjectReference) -> Result<TreeNode, String> {
    match access.get(root).await {
        Lookup::Found(object) => Ok(node_for(access, root.clone(), object, BTreeSet::new(), 0).await),
        Lookup::NotFound => Err(format!("{} {}/{} not found", root.kind, root.namespace, root.name)),
        other => {
            Err(format!("cannot read {} {}/{}: {}", root.kind, root.namespace, root.name, describe_lookup(&other)))
        }
    }
}

type NodeFuture<'a> = Pin<Box<dyn Future<Output = TreeNode> + Send + 'a>>;

/// A node for a live object, with its children when it is a Kustomization or a HelmRelease.
fn node_for<'a>(
    access: &'a ObjectAccess,
    mut reference: ObjectReference,
    object: Value,
    mut ancestors: BTreeSet<(String, String, String)>,
    depth: usize,
) -> NodeFuture<'a> {
    Box::pin(async move {
        if object.pointer("/metadata/namespace").is_none() {
            reference.namespace.clear();
        }
        let (status, message) = live_status(&object);
        let is_flux = reference.api_version.as_deref().is_some_and(|v| v.contains(".toolkit.fluxcd.io/"));
        let key = (reference.kind.clone(), reference.namespace.clone(), reference.name.clone());
        let mut node = TreeNode { reference, status, message, object: None, children: Vec::new() };
        let expands = is_flux && matches!(node.reference.kind.as_str(), "Kustomization" | "HelmRelease");
        if expands {
            if ancestors.contains(&key) {
                node.message = format!("cycle: {} contains itself", node.label());
                node.status = LiveStatus::Invalid;
            } else if depth >= MAX_DEPTH {
                node.message = format!("not expanded: deeper than {MAX_DEPTH} levels");
            } else {
                ancestors.insert(key);
                node.children = if node.reference.kind == "Kustomization" {
                    inventory_children(access, &object, &ancestors, depth).await
                } else {
                    release_children(access, &object, &ancestors, depth).await
                };
            }
        }
        node.object = Some(Arc::new(object));
        node
    })
}

async fn inventory_children(
    access: &ObjectAccess,
    object: &Value,
    ancestors: &BTreeSet<(String, String, String)>,
    depth: usize,
) -> Vec<TreeNode> {
    let entries = inventory_entries(object);
    ordered(entries.into_iter().map(|entry| async move {
        match entry {
            Ok(reference) => child(access, reference, ancestors.clone(), depth).await,
            Err((id, message)) => TreeNode::problem(invalid_reference(&id), LiveStatus::Invalid, message),
        }
    }))
    .await
}

async fn release_children(
    access: &ObjectAccess,
    object: &Value,
    ancestors: &BTreeSet<(String, String, String)>,
    depth: usize,
) -> Vec<TreeNode> {
    let release = match fetch_release(access, object).await {
        Ok(release) => release,
        Err(err) => {
            let reference = ObjectReference {
                kind: "HelmReleaseStorage".to_string(),
                name: release_location(object).1,
                namespace: String::new(),
                api_version: None,
            };
            // Without the release (its Secret unreadable, say), the helm-controller's own inventory still says
            // what the release holds: show it, after a node that says why.
            let has_inventory = !inventory_entries(object).is_empty();
            let message = if has_inventory {
                format!("{err}; the objects below come from status.inventory")
            } else {
                err.to_string()
            };
            let mut children = vec![TreeNode::problem(reference, LiveStatus::Unknown, message)];
            if has_inventory {
                children.extend(inventory_children(access, object, ancestors, depth).await);
            }
            return children;
        }
    };
    let objects = manifest_objects(&release.manifest, &release.namespace);
    ordered(objects.into_iter().map(|entry| async move {
        match entry {
            Ok(reference) => child(access, reference, ancestors.clone(), depth).await,
            Err(message) => TreeNode::problem(invalid_reference("manifest document"), LiveStatus::Invalid, message),
        }
    }))
    .await
}

/// One child entry, read live; cluster-scoped kinds lose the namespace a manifest defaulted them to.
async fn child(
    access: &ObjectAccess,
    mut reference: ObjectReference,
    ancestors: BTreeSet<(String, String, String)>,
    depth: usize,
) -> TreeNode {
    let api_version = reference.api_version.clone().unwrap_or_default();
    if let Ok(resolved) = access.resolve(&api_version, &reference.kind).await
        && !resolved.namespaced
    {
        reference.namespace.clear();
    }
    match access.get(&reference).await {
        Lookup::Found(object) => node_for(access, reference, object, ancestors, depth + 1).await,
        Lookup::NotFound => TreeNode::problem(reference, LiveStatus::NotFound, "not found in the cluster"),
        Lookup::Forbidden(message) => TreeNode::problem(reference, LiveStatus::Forbidden, message),
        Lookup::UnknownKind(message) | Lookup::Failed(message) => {
            TreeNode::problem(reference, LiveStatus::Unknown, message)
        }
    }
}

/// Runs the insight reads for one connection. Reads are one-shot tasks; the pods list is a watch, one at a time,
/// stopped when another starts, when asked, or when the runner goes (a new context).
#[derive(Clone)]
pub struct InsightRunner {
    access: ObjectAccess,
    pod_watch: Arc<PodWatchSlot>,
    /// The watch on the objects of the last tree read, which makes their statuses live.
    tree_watch: Arc<PodWatchSlot>,
    /// The embedded engine's artifact storage, when the session runs one: the diff reads artifacts from it.
    storage: Option<Arc<Storage>>,
}

/// The running pod (or tree) watch; dropping the last runner stops it.
#[derive(Default)]
struct PodWatchSlot(std::sync::Mutex<Option<(u64, tokio::task::AbortHandle)>>);

impl PodWatchSlot {
    /// Stops the running watch if it is `request`'s (any, for `None`) and installs `next`.
    fn replace(&self, request: Option<u64>, next: Option<(u64, tokio::task::AbortHandle)>) {
        let mut slot = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if request.is_some() && slot.as_ref().map(|(running, _)| *running) != request {
            return;
        }
        if let Some((_, previous)) = std::mem::replace(&mut *slot, next) {
            previous.abort();
        }
    }
}

impl Drop for PodWatchSlot {
    fn drop(&mut self) {
        self.replace(None, None);
    }
}

impl InsightRunner {
    pub fn new(client: kube::Client) -> InsightRunner {
        InsightRunner {
            access: ObjectAccess::new(client),
            pod_watch: Arc::default(),
            tree_watch: Arc::default(),
            storage: None,
        }
    }

    /// With the session's embedded engine (`--controller`), the diff reads artifacts from its storage before
    /// downloading them.
    pub fn with_engine(mut self, engine: Option<&crate::controllers::runtime::EngineConfig>) -> InsightRunner {
        self.storage = engine.and_then(|config| Storage::new(config.artifact_root(), String::new()).ok().map(Arc::new));
        self
    }

    /// Starts a request on the runtime; `report` receives its result (several, for a pods watch).
    pub fn start(&self, request: InsightRequest, report: impl Fn(InsightResult) + Send + Sync + 'static) {
        let access = self.access.clone();
        match request {
            InsightRequest::StopPods { request } => self.pod_watch.replace(Some(request), None),
            InsightRequest::Pods { owner, request } => {
                let task = tokio::spawn(async move { watch_pods(access, owner, request, report).await });
                self.pod_watch.replace(None, Some((request, task.abort_handle())));
            }
            InsightRequest::Tree { root, request } => {
                let task = tokio::spawn(async move {
                    let result = build_tree(&access, &root).await;
                    let watched = result.as_ref().map(super::tree_watch::watched_objects).unwrap_or_default();
                    report(InsightResult::Tree { request, result });
                    if super::tree_watch::changed(&access, watched).await {
                        report(InsightResult::TreeChanged { request });
                    }
                });
                // One tree is watched at a time: the newest read's.
                self.tree_watch.replace(None, Some((request, task.abort_handle())));
            }
            InsightRequest::TraceChain { reference, request } => {
                tokio::spawn(async move {
                    report(InsightResult::TraceChain { request, result: owner_chain(&access, &reference).await });
                });
            }
            InsightRequest::HelmRelease { reference, request } => {
                tokio::spawn(async move {
                    report(helm_release_values(&access, &reference, request).await);
                });
            }
            InsightRequest::Diff { namespace, name, request } => {
                let storage = self.storage.clone();
                tokio::spawn(async move {
                    let client = access.client().clone();
                    let result = kustomization_diff(client, storage, &namespace, &name).await.map(Arc::new);
                    report(InsightResult::Diff { request, result });
                });
            }
        }
    }
}

/// The engine's diff of one Kustomization.
async fn kustomization_diff(
    client: kube::Client,
    storage: Option<Arc<Storage>>,
    namespace: &str,
    name: &str,
) -> Result<KustomizationDiff, String> {
    let apis = ServedApis::discover(client).await.map_err(|err| format!("discovery failed: {err}"))?;
    let options = DiffOptions { local_path: None, storage };
    diff_kustomization(&apis, namespace, name, &options).await.map_err(|err| err.to_string())
}

/// Lists a workload's pods, then follows them with a watch, reporting the whole list after each change.
async fn watch_pods(access: ObjectAccess, owner: ObjectReference, request: u64, report: impl Fn(InsightResult)) {
    use futures::StreamExt;
    use kube::runtime::WatchStreamExt;
    use kube::runtime::reflector::store::Writer;
    use kube::runtime::watcher::{self, Event, watcher};

    let fail = |message: String| report(InsightResult::Pods { request, result: Err(message) });
    let object = match access.get(&owner).await {
        Lookup::Found(object) => object,
        other => return fail(read_error(&owner, &other)),
    };
    let (selector, config) = if owner.kind == "Pod" {
        (format!("the pod {}", owner.name), watcher::Config::default().fields(&format!("metadata.name={}", owner.name)))
    } else {
        match pod_selector(&object) {
            Ok(selector) => (selector.clone(), watcher::Config::default().labels(&selector)),
            Err(message) => return fail(message),
        }
    };
    let resolved = match access.resolve("v1", "Pod").await {
        Ok(resolved) => resolved,
        Err(message) => return fail(message),
    };
    let api: kube::Api<kube::api::DynamicObject> =
        kube::Api::namespaced_with(access.client().clone(), &owner.namespace, &resolved.resource);
    let mut writer = Writer::new(resolved.resource.clone());
    let store = writer.as_reader();
    let mut events = std::pin::pin!(watcher(api, config).default_backoff());
    let mut listed = false;
    while let Some(event) = events.next().await {
        let event = match event {
            Ok(event) => event,
            // The watch retries with backoff; before a first list the error is what the screen shows.
            Err(err) if !listed => {
                fail(format!("cannot watch pods ({selector}): {err}"));
                continue;
            }
            Err(_) => continue,
        };
        writer.apply_watcher_event(&event);
        if matches!(event, Event::Init | Event::InitApply(_)) {
            continue;
        }
        listed = true;
        let mut pods: Vec<Value> = store
            .state()
            .iter()
            .map(|pod| {
                let mut pod = (**pod).clone();
                pod.metadata.managed_fields = None;
                serde_json::to_value(pod).unwrap_or(Value::Null)
            })
            .collect();
        pods.sort_by(|a, b| {
            let name = |pod: &Value| pod.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("").to_string();
            name(a).cmp(&name(b))
        });
        report(InsightResult::Pods { request, result: Ok((selector.clone(), pods)) });
    }
}

fn read_error(reference: &ObjectReference, lookup: &Lookup) -> String {
    format!("cannot read {}: {}", crate::model::tree::reference_label(reference), describe_lookup(lookup))
}

/// The object and its controllers upward (Pod -> ReplicaSet -> Deployment), until one carries Flux's labels.
async fn owner_chain(access: &ObjectAccess, reference: &ObjectReference) -> Result<Vec<Value>, String> {
    let object = match access.get(reference).await {
        Lookup::Found(object) => object,
        other => return Err(read_error(reference, &other)),
    };
    let mut chain = vec![object];
    while chain.len() < 6 {
        let Some(current) = chain.last() else { break };
        if manager_of(current).is_some() {
            break;
        }
        let owners = current.pointer("/metadata/ownerReferences").and_then(Value::as_array);
        let owner = owners.and_then(|owners| {
            owners
                .iter()
                .find(|owner| owner.get("controller").and_then(Value::as_bool) == Some(true))
                .or_else(|| owners.first())
        });
        let Some(owner) = owner else { break };
        let text = |key: &str| owner.get(key).and_then(Value::as_str).unwrap_or("").to_string();
        let owner_reference = ObjectReference {
            kind: text("kind"),
            name: text("name"),
            namespace: current.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or("").to_string(),
            api_version: Some(text("apiVersion")),
        };
        match access.get(&owner_reference).await {
            Lookup::Found(owner) => chain.push(owner),
            // An owner we cannot read ends the walk; the trace shows what was found.
            _ => break,
        }
    }
    Ok(chain)
}

/// The values of a HelmRelease's current release, and what the cluster holds for each of its `valuesFrom`.
async fn helm_release_values(access: &ObjectAccess, reference: &ObjectReference, request: u64) -> InsightResult {
    let helm_release = match access.get(reference).await {
        Lookup::Found(object) => object,
        other => {
            return InsightResult::HelmRelease {
                request,
                result: Err(read_error(reference, &other)),
                sources: Vec::new(),
            };
        }
    };
    let mut sources = Vec::new();
    let values_from = helm_release.pointer("/spec/valuesFrom").and_then(Value::as_array).cloned().unwrap_or_default();
    for source in &values_from {
        let text = |key: &str| source.get(key).and_then(Value::as_str).unwrap_or("").to_string();
        let object = ObjectReference {
            kind: text("kind"),
            name: text("name"),
            namespace: reference.namespace.clone(),
            api_version: Some("v1".to_string()),
        };
        let state = match access.get(&object).await {
            Lookup::Found(found) => check_source(source, Some(&found)),
            Lookup::NotFound => check_source(source, None),
            other => SourceState::Unreadable(describe_lookup(&other)),
        };
        sources.push(SourceCheck { kind: object.kind, name: object.name, state });
    }
    let result = fetch_release(access, &helm_release)
        .await
        .map(|release| AppliedValues {
            release: format!("{}.v{}", release.name, release.version),
            config: release.config,
        })
        .map_err(|err| err.to_string());
    InsightResult::HelmRelease { request, result, sources }
}
