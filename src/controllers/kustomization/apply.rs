//! The apply stage (SEMANTICS.md §4.1): server-side apply of built manifests with field manager
//! `kustomize-controller`, in Flux's stages and kind order: every object of a stage dry-run first, then those new
//! or drifted really applied. `spec.ignore` paths are reshaped in the payload and left out of the drift check
//! ([`super::ignore`]). An existing object's managed fields are cleaned after its dry-run, as fluxcd/pkg/ssa does
//! ([`super::field_managers`]): a cleaned object is always applied, so the fields taken over from `kubectl` that
//! Git no longer has are removed. The diff shares the preparation ([`prepare_all`], [`target_of`],
//! [`comparable`]).

use std::fmt;
use std::time::Duration;

use kube::api::{DeleteParams, DynamicObject, Patch, PatchParams, PropagationPolicy};
use serde_json::{Value, json};

use super::field_managers::cleanup_patch;
use super::health::{self, WaitOptions};
use super::ignore::{IgnoreRules, mask, reshape};
use super::object::{ObjectId, Policy, Resolver, SsaPolicy, Stage, api_error, order_key, stage_of};
use crate::controllers::names::{controller, kustomize};

/// What happened to one object (fluxcd/pkg/ssa `Action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Created,
    Configured,
    Unchanged,
    Skipped,
    Deleted,
    Unknown,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::Created => "created",
            Action::Configured => "configured",
            Action::Unchanged => "unchanged",
            Action::Skipped => "skipped",
            Action::Deleted => "deleted",
            Action::Unknown => "unknown",
        })
    }
}

/// One line of a change set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub id: ObjectId,
    pub action: Action,
}

/// The objects of one apply (or prune), in the order they were handled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeSet {
    pub entries: Vec<Change>,
}

impl ChangeSet {
    /// The action taken on `id`, if it is in the set.
    pub fn action_of(&self, id: &ObjectId) -> Option<Action> {
        self.entries.iter().find(|c| &c.id == id).map(|c| c.action)
    }

    /// Whether anything was created, configured or deleted.
    pub fn has_changes(&self) -> bool {
        self.entries.iter().any(|c| matches!(c.action, Action::Created | Action::Configured | Action::Deleted))
    }
}

/// `<Kind>/<namespace>/<name> <action>` per line, as Flux writes change sets into events.
impl fmt::Display for ChangeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (at, change) in self.entries.iter().enumerate() {
            if at > 0 {
                writeln!(f)?;
            }
            write!(f, "{} {}", change.id, change.action)?;
        }
        Ok(())
    }
}

/// The Kustomization applying, and how.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// The Kustomization's name and namespace, written into the owner labels.
    pub owner_name: String,
    pub owner_namespace: String,
    /// `spec.force`: recreate objects whose immutable fields changed.
    pub force: bool,
    /// The namespace of namespaced objects that name none.
    pub default_namespace: String,
    /// How long to wait for the CRDs/Namespaces and the classes of the first stages (Flux: 2s polls, 60s).
    pub stage_wait: WaitOptions,
    /// `spec.ignore`, compiled.
    pub ignore: IgnoreRules,
}

impl ApplyOptions {
    pub fn new(owner_name: &str, owner_namespace: &str) -> ApplyOptions {
        ApplyOptions {
            owner_name: owner_name.to_string(),
            owner_namespace: owner_namespace.to_string(),
            force: false,
            default_namespace: owner_namespace.to_string(),
            stage_wait: WaitOptions {
                interval: Duration::from_secs(2),
                timeout: Duration::from_secs(60),
                fail_fast: true,
                exprs: Default::default(),
            },
            ignore: IgnoreRules::default(),
        }
    }
}

/// Why an apply stopped: the message names the object; `applied` is what was done before.
#[derive(Debug, Clone)]
pub struct ApplyError {
    pub message: String,
    pub applied: ChangeSet,
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApplyError {}

/// Applies `objects` in stages and returns the change set in apply order (the inventory's order). As in
/// fluxcd/pkg/ssa, every object of a stage is dry-run before any of them is applied, so a stage with one bad
/// object (an unknown kind, an invalid field, a forbidden namespace) changes nothing in the cluster; the first
/// failure stops the apply.
pub async fn apply_all(
    resolver: &Resolver,
    objects: Vec<Value>,
    options: &ApplyOptions,
) -> Result<ChangeSet, ApplyError> {
    let mut set = ChangeSet::default();
    let mut prepared = match prepare_all(objects, options) {
        Ok(prepared) => prepared,
        Err(message) => return Err(ApplyError { message, applied: set }),
    };
    for stage in [Stage::ClusterDefinitions, Stage::Classes, Stage::Rest] {
        let mut checked = Vec::new();
        for (id, object) in prepared.iter_mut().filter(|(id, _)| stage_of(id) == stage) {
            match dry_run_one(resolver, id, object, options).await {
                Ok(outcome) => checked.push((id.clone(), outcome)),
                Err(message) => return Err(ApplyError { message, applied: set }),
            }
        }
        let mut applied = Vec::new();
        for (id, (action, target)) in checked {
            if let Some(target) = target {
                let params = PatchParams::apply(controller::KUSTOMIZE_CONTROLLER).force();
                if let Err(err) = target.api.patch(&id.name, &params, &Patch::Apply(&target.payload)).await {
                    let message = format!("{id} apply failed: {}", api_error(&err).1);
                    return Err(ApplyError { message, applied: set });
                }
            }
            if action != Action::Skipped {
                applied.push(id.clone());
            }
            set.entries.push(Change { id, action });
        }
        // Later stages may depend on these (a custom resource on its CRD): wait until they are usable.
        if stage != Stage::Rest
            && !applied.is_empty()
            && let Err(message) = health::wait_for_health(resolver, &applied, &options.stage_wait).await
        {
            return Err(ApplyError { message, applied: set });
        }
    }
    Ok(set)
}

/// Every object [`prepare`]d, in Flux's apply order (stage, then kind order).
pub(super) fn prepare_all(objects: Vec<Value>, options: &ApplyOptions) -> Result<Vec<(ObjectId, Value)>, String> {
    let mut prepared = objects.into_iter().map(|object| prepare(object, options)).collect::<Result<Vec<_>, _>>()?;
    prepared.sort_by(|(a, _), (b, _)| (stage_of(a), order_key(a)).cmp(&(stage_of(b), order_key(b))));
    Ok(prepared)
}

/// The object's identity and the payload to apply: owner labels added, namespace defaulted, CRD caBundle
/// stripped.
fn prepare(mut object: Value, options: &ApplyOptions) -> Result<(ObjectId, Value), String> {
    let Some(mut id) = ObjectId::of(&object) else {
        return Err(format!("object without apiVersion, kind or metadata.name: {object}"));
    };
    if !object["metadata"]["labels"].is_object() {
        object["metadata"]["labels"] = json!({});
    }
    object["metadata"]["labels"][kustomize::NAME_LABEL] = json!(options.owner_name);
    object["metadata"]["labels"][kustomize::NAMESPACE_LABEL] = json!(options.owner_namespace);
    if id.kind == "CustomResourceDefinition"
        && let Some(client_config) =
            object.pointer_mut("/spec/conversion/webhook/clientConfig").and_then(Value::as_object_mut)
    {
        // The CA bundle is injected in the cluster (cert-manager, the API server): applying Git's would fight it.
        client_config.remove("caBundle");
    }
    if id.namespace.is_empty() && !is_cluster_scoped_hint(&id) {
        // Whether the kind is namespaced is only known after discovery; apply_one clears it again for
        // cluster-scoped kinds.
        id.namespace = options.default_namespace.clone();
    }
    Ok((id, object))
}

/// Built-in cluster-scoped kinds, so their identity never carries a namespace even before discovery.
fn is_cluster_scoped_hint(id: &ObjectId) -> bool {
    matches!(
        id.kind.as_str(),
        "Namespace"
            | "CustomResourceDefinition"
            | "ClusterRole"
            | "ClusterRoleBinding"
            | "PersistentVolume"
            | "StorageClass"
            | "PriorityClass"
            | "RuntimeClass"
            | "IngressClass"
            | "MutatingWebhookConfiguration"
            | "ValidatingWebhookConfiguration"
            | "APIService"
            | "Node"
    )
}

/// One object about to be applied: where it goes, what is sent, and what the cluster holds now.
pub(super) struct Target {
    pub api: kube::Api<DynamicObject>,
    /// The manifest with its namespace set (namespaced kinds) or removed (cluster-scoped ones).
    pub desired: Value,
    pub payload: DynamicObject,
    pub live: Option<Value>,
    /// The `spec.ignore` paths of this object (reshaped in `payload`, left out of the drift check).
    pub ignored: Vec<String>,
}

impl Target {
    /// Whether the dry-run result is the live object, ignored paths aside.
    pub fn unchanged(&self, dry: &Value) -> bool {
        self.live.as_ref().is_some_and(|live| self.masked(live) == self.masked(dry))
    }

    /// The object as compared: without server bookkeeping nor ignored paths.
    pub fn masked(&self, object: &Value) -> Value {
        mask(&comparable(object), &self.ignored)
    }

    /// The object was deleted (a recreate): it is created anew from the whole desired object, as Flux does.
    fn forget_live(&mut self) -> Result<(), String> {
        self.live = None;
        self.payload = serde_json::from_value(self.desired.clone()).map_err(|err| err.to_string())?;
        Ok(())
    }

    /// The server-side apply dry-run as `kustomize-controller`, forcing conflicts as the real apply does.
    pub async fn dry_run(&self, id: &ObjectId) -> Result<Value, kube::Error> {
        let params = PatchParams { dry_run: true, ..PatchParams::apply(controller::KUSTOMIZE_CONTROLLER).force() };
        self.api.patch(&id.name, &params, &Patch::Apply(&self.payload)).await.map(to_value)
    }
}

/// Whether an object is applied, and why not.
pub(super) enum Planned {
    Apply(Box<Target>),
    /// An opt-out skips it: the reason, as the diff prints it.
    Skip(&'static str),
}

/// Resolves `id`'s kind, reads the live object and decides whether it is applied at all: an opt-out skips it
/// (`reconcile: disabled`, `ssa: Ignore` on either side, `IfNotPresent` on an existing object).
/// A cluster-scoped kind's `id` loses the namespace [`prepare`] defaulted.
pub(super) async fn target_of(
    resolver: &Resolver,
    id: &mut ObjectId,
    desired: &Value,
    ignore: &IgnoreRules,
) -> Result<Planned, String> {
    let resolved = resolver.resolve(id).await.map_err(|err| format!("{id} dry-run failed: {err}"))?;
    let mut desired = desired.clone();
    if resolved.namespaced {
        desired["metadata"]["namespace"] = json!(id.namespace);
    } else {
        id.namespace.clear();
        if let Some(metadata) = desired["metadata"].as_object_mut() {
            metadata.remove("namespace");
        }
    }
    let id = &*id;
    let api = resolver.api(&resolved, id);
    let live = match api.get_opt(&id.name).await {
        Ok(live) => live.map(to_value),
        // fluxcd/pkg/ssa ignores the read's error: an identity that may not read the object (an impersonated
        // ServiceAccount outside its namespace) fails on the dry-run, whose Forbidden is the message Flux gives.
        Err(kube::Error::Api(status)) if status.code == 403 => None,
        Err(err) => return Err(format!("{id} query failed: {err}")),
    };
    let policy = SsaPolicy::of(&desired);
    if Policy::reconcile_disabled(&desired) || live.as_ref().is_some_and(Policy::reconcile_disabled) {
        return Ok(Planned::Skip("reconcile disabled"));
    }
    if policy == SsaPolicy::Ignore || live.as_ref().is_some_and(|l| SsaPolicy::of(l) == SsaPolicy::Ignore) {
        return Ok(Planned::Skip("ssa: Ignore"));
    }
    if live.is_some() && policy == SsaPolicy::IfNotPresent {
        return Ok(Planned::Skip("ssa: IfNotPresent, and it exists"));
    }
    let ignored = ignore.paths_for(id, &desired);
    let mut payload = desired.clone();
    if let Some(live) = &live {
        reshape(&mut payload, live, &ignored);
    }
    let payload: DynamicObject =
        serde_json::from_value(payload).map_err(|err| format!("{id} is not a valid object: {err}"))?;
    Ok(Planned::Apply(Box::new(Target { api, desired, payload, live, ignored })))
}

/// Whether a failed dry-run may be retried by recreating the object (`spec.force` or the object's `force`
/// annotation, on an immutable-field error).
pub(super) fn recreates(err: &kube::Error, target: &Target, options: &ApplyOptions) -> bool {
    let forced = options.force
        || Policy::force_enabled(&target.desired)
        || target.live.as_ref().is_some_and(Policy::force_enabled);
    target.live.is_some() && forced && is_immutable_error(err)
}

/// Dry-runs one object: its action, and the target to apply when it is new or has drifted. An immutable-field
/// error under force deletes the object first (Flux's recreate). A cluster-scoped kind's `id` loses the
/// namespace [`prepare`] defaulted.
async fn dry_run_one(
    resolver: &Resolver,
    id: &mut ObjectId,
    desired: &Value,
    options: &ApplyOptions,
) -> Result<(Action, Option<Box<Target>>), String> {
    let Planned::Apply(mut target) = target_of(resolver, id, desired, &options.ignore).await? else {
        return Ok((Action::Skipped, None));
    };
    let id = &*id;
    let dry = match target.dry_run(id).await {
        Ok(dry) => dry,
        Err(err) => {
            if !recreates(&err, &target, options) {
                return Err(dry_run_failed(id, &err));
            }
            recreate_wait(&target.api, id).await?;
            target.forget_live().map_err(|err| format!("{id} is not a valid object: {err}"))?;
            target.dry_run(id).await.map_err(|err| dry_run_failed(id, &err))?
        }
    };
    let cleaned = clean_up(&target, id).await?;
    Ok(match &target.live {
        None => (Action::Created, Some(target)),
        Some(_) if !cleaned && target.unchanged(&dry) => (Action::Unchanged, None),
        Some(_) => (Action::Configured, Some(target)),
    })
}

/// Runs the managed-fields cleanup on the live object, if it needs one; whether it did.
async fn clean_up(target: &Target, id: &ObjectId) -> Result<bool, String> {
    let Some(patch) = target.live.as_ref().and_then(|live| cleanup_patch(&target.desired, live)) else {
        return Ok(false);
    };
    let params =
        PatchParams { field_manager: Some(controller::KUSTOMIZE_CONTROLLER.to_string()), ..Default::default() };
    match target.api.patch(&id.name, &params, &Patch::Merge(&patch)).await {
        Ok(_) => Ok(true),
        Err(err) => Err(format!("{id} metadata.managedFields cleanup failed: {}", api_error(&err).1)),
    }
}

/// Flux's `DryRunErr`: `<object> dry-run failed (<Reason>): <message>`.
pub(super) fn dry_run_failed(id: &ObjectId, err: &kube::Error) -> String {
    match api_error(err) {
        (reason, message) if reason.is_empty() => format!("{id} dry-run failed: {message}"),
        (reason, message) => format!("{id} dry-run failed ({reason}): {message}"),
    }
}

/// Immutability as kubectl (and fluxcd/pkg/ssa `IsImmutableError`) detects it: Invalid or Conflict, or a
/// Forbidden that says so (admission webhooks, CEL rules).
fn is_immutable_error(err: &kube::Error) -> bool {
    match err {
        kube::Error::Api(status) => {
            status.code == 422
                || status.code == 409
                || (status.code == 403 && status.message.to_ascii_lowercase().contains("immutable"))
        }
        _ => false,
    }
}

/// Deletes the object (background propagation) and waits until it is gone, so it can be created anew.
async fn recreate_wait(api: &kube::Api<DynamicObject>, id: &ObjectId) -> Result<(), String> {
    let params = DeleteParams { propagation_policy: Some(PropagationPolicy::Background), ..DeleteParams::default() };
    match api.delete(&id.name, &params).await {
        Ok(_) => {}
        Err(kube::Error::Api(status)) if status.code == 404 => return Ok(()),
        Err(err) => return Err(format!("{id} delete failed: {}", api_error(&err).1)),
    }
    let started = std::time::Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        match api.get_opt(&id.name).await {
            Ok(None) => return Ok(()),
            Ok(Some(_)) => tokio::time::sleep(Duration::from_millis(200)).await,
            Err(err) => return Err(format!("{id} query failed: {err}")),
        }
    }
    Err(format!("{id} was not deleted in 60s, cannot recreate it"))
}

pub(super) fn to_value(object: DynamicObject) -> Value {
    // A DynamicObject is a JSON object with string keys: serializing it cannot fail.
    serde_json::to_value(object).unwrap_or(Value::Null)
}

/// The object without what the server changes on its own (status, bookkeeping metadata), for the drift check
/// (and the diff, which shows what is left).
pub(super) fn comparable(object: &Value) -> Value {
    let mut object = object.clone();
    if let Some(map) = object.as_object_mut() {
        map.remove("status");
    }
    if let Some(metadata) = object["metadata"].as_object_mut() {
        for key in ["managedFields", "resourceVersion", "generation", "uid", "creationTimestamp"] {
            metadata.remove(key);
        }
    }
    object
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_change_sets_as_flux() {
        let id = |kind: &str, namespace: &str, name: &str| ObjectId {
            group: String::new(),
            version: "v1".into(),
            kind: kind.into(),
            namespace: namespace.into(),
            name: name.into(),
        };
        let set = ChangeSet {
            entries: vec![
                Change { id: id("Namespace", "", "apps"), action: Action::Created },
                Change { id: id("ConfigMap", "apps", "settings"), action: Action::Unchanged },
            ],
        };
        assert_eq!(set.to_string(), "Namespace/apps created\nConfigMap/apps/settings unchanged");
        assert!(set.has_changes());
    }

    #[test]
    fn prepares_labels_namespace_and_ca_bundle() {
        let options = ApplyOptions::new("apps", "flux-system");
        let (id, object) =
            prepare(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}), &options)
                .expect("prepared");
        assert_eq!(id.to_string(), "ConfigMap/flux-system/c");
        assert_eq!(object["metadata"]["labels"][kustomize::NAME_LABEL], "apps");
        assert_eq!(object["metadata"]["labels"][kustomize::NAMESPACE_LABEL], "flux-system");
        let (id, object) = prepare(
            json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": {"name": "w.example.com"},
                "spec": {"conversion": {"webhook": {"clientConfig": {"caBundle": "xx", "url": "https://x"}}}}}),
            &options,
        )
        .expect("prepared");
        assert_eq!(id.namespace, "");
        assert_eq!(object["spec"]["conversion"]["webhook"]["clientConfig"], json!({"url": "https://x"}));
        assert!(prepare(json!({"kind": "ConfigMap"}), &options).is_err());
    }
}
