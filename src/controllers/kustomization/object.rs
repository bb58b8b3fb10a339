//! What the apply, prune and health stages share: an object's identity ([`ObjectId`], printed as Flux prints it),
//! the per-object policy read from labels and annotations ([`SsaPolicy`], [`Policy`]), Flux's apply order
//! ([`kind_rank`], [`stage_of`]) and the discovery cache ([`Resolver`]) that turns an apiVersion and kind into the
//! resource to call.

use std::fmt;

use kube::api::{Api, DynamicObject};
use kube::core::GroupVersionKind;
use kube::discovery::Scope;
use kube::{Client, Error};
use serde_json::Value;

use crate::cluster::objects::split_api_version;
use crate::controllers::names::kustomize;
use crate::controllers::runtime::kinds::{FoundKind, KindCache};

/// The identity of one object: what the inventory records and what messages name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId {
    pub group: String,
    pub version: String,
    pub kind: String,
    /// Empty for cluster-scoped objects.
    pub namespace: String,
    pub name: String,
}

impl ObjectId {
    /// The identity of a manifest; `None` when it lacks apiVersion, kind or name.
    pub fn of(object: &Value) -> Option<ObjectId> {
        let api_version = object["apiVersion"].as_str().filter(|s| !s.is_empty())?;
        let kind = object["kind"].as_str().filter(|s| !s.is_empty())?;
        let name = object["metadata"]["name"].as_str().filter(|s| !s.is_empty())?;
        let namespace = object["metadata"]["namespace"].as_str().unwrap_or_default();
        Some(ObjectId::new(api_version, kind, namespace, name))
    }

    /// The identity of `kind` `namespace/name` at `api_version` (`group/version`, or `version` for the core group).
    pub fn new(api_version: &str, kind: &str, namespace: &str, name: &str) -> ObjectId {
        let (group, version) = split_api_version(api_version);
        ObjectId {
            group: group.to_string(),
            version: version.to_string(),
            kind: kind.to_string(),
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }

    pub fn api_version(&self) -> String {
        if self.group.is_empty() { self.version.clone() } else { format!("{}/{}", self.group, self.version) }
    }
}

/// `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects (fluxcd/pkg `FmtObjMetadata`).
impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{}/{}", self.kind, self.name)
        } else {
            write!(f, "{}/{}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// The `kustomize.toolkit.fluxcd.io/ssa` policy of an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SsaPolicy {
    /// Apply and take over the fields of kubectl-era managers (the default, also for unknown values).
    #[default]
    Override,
    /// Apply, keeping fields other managers set (no managed-fields cleanup).
    Merge,
    /// Create the object when it is missing, never update it.
    IfNotPresent,
    /// Never apply nor prune the object.
    Ignore,
}

impl SsaPolicy {
    /// Reads the policy from a label or an annotation (the annotation wins); values are case-insensitive, as
    /// fluxcd/pkg's `AnyInMetadata` compares them.
    pub fn of(object: &Value) -> SsaPolicy {
        match metadata_value(object, kustomize::SSA).map(str::to_ascii_lowercase).as_deref() {
            Some(v) if v == kustomize::SSA_MERGE.to_ascii_lowercase() => SsaPolicy::Merge,
            Some(v) if v == kustomize::SSA_IF_NOT_PRESENT.to_ascii_lowercase() => SsaPolicy::IfNotPresent,
            Some(v) if v == kustomize::SSA_IGNORE.to_ascii_lowercase() => SsaPolicy::Ignore,
            _ => SsaPolicy::Override,
        }
    }
}

/// A label or annotation of the object (the annotation first).
pub fn metadata_value<'a>(object: &'a Value, key: &str) -> Option<&'a str> {
    object["metadata"]["annotations"][key].as_str().or_else(|| object["metadata"]["labels"][key].as_str())
}

/// Whether a label or annotation `key` equals `value`, case-insensitively.
pub fn metadata_is(object: &Value, key: &str, value: &str) -> bool {
    metadata_value(object, key).is_some_and(|v| v.eq_ignore_ascii_case(value))
}

/// Opt-outs read from an object's metadata.
pub struct Policy;

impl Policy {
    /// `reconcile: disabled`: never applied nor pruned.
    pub fn reconcile_disabled(object: &Value) -> bool {
        metadata_is(object, kustomize::RECONCILE, kustomize::DISABLED)
    }

    /// `prune: disabled`: never garbage-collected.
    pub fn prune_disabled(object: &Value) -> bool {
        metadata_is(object, kustomize::PRUNE, kustomize::DISABLED)
    }

    /// `force: Enabled`: recreated on immutable-field errors.
    pub fn force_enabled(object: &Value) -> bool {
        metadata_is(object, kustomize::FORCE, kustomize::ENABLED)
    }
}

/// Flux's kind order within an apply stage (fluxcd/pkg/ssa `SortableUnstructureds`); kinds not listed go between
/// PodDisruptionBudget and the webhook configurations.
const KIND_ORDER: [&str; 23] = [
    "CustomResourceDefinition",
    "Namespace",
    "ClusterRole",
    "ClusterClass",
    "RuntimeClass",
    "PriorityClass",
    "StorageClass",
    "VolumeSnapshotClass",
    "IngressClass",
    "GatewayClass",
    "ClusterRoleBinding",
    "ResourceQuota",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "ConfigMap",
    "Secret",
    "Service",
    "LimitRange",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];

const KIND_ORDER_LAST: [&str; 2] = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

/// The rank of a kind in [`KIND_ORDER`]: known kinds first, unknown kinds, then the webhook configurations.
pub fn kind_rank(kind: &str) -> usize {
    if let Some(at) = KIND_ORDER.iter().position(|k| *k == kind) {
        return at;
    }
    match KIND_ORDER_LAST.iter().position(|k| *k == kind) {
        Some(at) => KIND_ORDER.len() + 1 + at,
        None => KIND_ORDER.len(),
    }
}

/// The sort key of an object within a stage: kind rank, then (for unknown kinds) group and kind, then namespace
/// and name.
pub fn order_key(id: &ObjectId) -> (usize, &str, &str, &str, &str) {
    (kind_rank(&id.kind), &id.group, &id.kind, &id.namespace, &id.name)
}

/// The apply stages of SEMANTICS.md §4.1 (the `--custom-apply-stage-kinds` stage is not offered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// CRDs, Namespaces and ClusterRoles, waited for before anything else.
    ClusterDefinitions,
    /// Every kind named `*Class`, waited for too.
    Classes,
    /// Everything else.
    Rest,
}

pub fn stage_of(id: &ObjectId) -> Stage {
    match (id.group.as_str(), id.kind.as_str()) {
        ("apiextensions.k8s.io", "CustomResourceDefinition") | ("", "Namespace") => Stage::ClusterDefinitions,
        ("rbac.authorization.k8s.io", "ClusterRole") => Stage::ClusterDefinitions,
        (_, kind) if kind.ends_with("Class") => Stage::Classes,
        _ => Stage::Rest,
    }
}

/// A resolved kind: the resource to call and whether it is namespaced.
pub type Resolved = FoundKind;

/// Discovery with a cache of the kinds found (see [`KindCache`]: shared by the engine's reconciles, misses never
/// kept, so a CRD applied in an earlier stage makes its kind resolvable on the next lookup).
#[derive(Clone)]
pub struct Resolver {
    client: Client,
    found: KindCache,
}

impl Resolver {
    /// A resolver with a cache of its own.
    pub fn new(client: Client) -> Resolver {
        Resolver { client, found: KindCache::default() }
    }

    /// A resolver acting with `client` that shares `cache` (the engine's).
    pub fn with_cache(client: Client, cache: KindCache) -> Resolver {
        Resolver { client, found: cache }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The resource behind `id`'s apiVersion and kind. The error reads as kubectl's (`no matches for kind …`).
    pub async fn resolve(&self, id: &ObjectId) -> Result<Resolved, String> {
        let api_version = id.api_version();
        if let Some(found) = self.found.get(&api_version, &id.kind) {
            return Ok(found);
        }
        let gvk = GroupVersionKind::gvk(&id.group, &id.version, &id.kind);
        match kube::discovery::pinned_kind(&self.client, &gvk).await {
            Ok((resource, capabilities)) => {
                let resolved = Resolved { resource, namespaced: capabilities.scope == Scope::Namespaced };
                self.found.insert(&api_version, &id.kind, resolved.clone());
                Ok(resolved)
            }
            Err(Error::Api(status)) if status.code == 404 => Err(no_matches(id)),
            Err(Error::Discovery(_)) => Err(no_matches(id)),
            Err(err) => Err(format!("discovery of {} failed: {err}", id.api_version())),
        }
    }

    /// The API to call for `id` (its namespace for namespaced kinds).
    pub fn api(&self, resolved: &Resolved, id: &ObjectId) -> Api<DynamicObject> {
        if resolved.namespaced {
            Api::namespaced_with(self.client.clone(), &id.namespace, &resolved.resource)
        } else {
            Api::all_with(self.client.clone(), &resolved.resource)
        }
    }
}

fn no_matches(id: &ObjectId) -> String {
    format!("no matches for kind \"{}\" in version \"{}\"", id.kind, id.api_version())
}

/// The message of a kube error as the API server wrote it, with its reason (`Invalid`, `Forbidden`, …).
pub fn api_error(err: &Error) -> (String, String) {
    match err {
        Error::Api(status) => (status.reason.clone(), status.message.clone()),
        other => (String::new(), other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn id(api_version: &str, kind: &str, namespace: &str, name: &str) -> ObjectId {
        ObjectId::new(api_version, kind, namespace, name)
    }

    #[test]
    fn prints_objects_as_flux() {
        assert_eq!(id("apps/v1", "Deployment", "default", "web").to_string(), "Deployment/default/web");
        assert_eq!(id("v1", "Namespace", "", "apps").to_string(), "Namespace/apps");
    }

    #[test]
    fn orders_kinds_as_flux() {
        let mut ids = [
            id("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "", "v"),
            id("example.com/v1", "Widget", "default", "w"),
            id("apps/v1", "Deployment", "default", "b"),
            id("apps/v1", "Deployment", "default", "a"),
            id("v1", "ConfigMap", "default", "c"),
            id("v1", "Namespace", "", "apps"),
            id("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "widgets.example.com"),
        ];
        ids.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
        let names: Vec<String> = ids.iter().map(ToString::to_string).collect();
        assert_eq!(
            names,
            [
                "CustomResourceDefinition/widgets.example.com",
                "Namespace/apps",
                "ConfigMap/default/c",
                "Deployment/default/a",
                "Deployment/default/b",
                "Widget/default/w",
                "ValidatingWebhookConfiguration/v",
            ]
        );
    }

    #[test]
    fn stages_cluster_definitions_and_classes_first() {
        assert_eq!(
            stage_of(&id("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "x")),
            Stage::ClusterDefinitions
        );
        assert_eq!(stage_of(&id("rbac.authorization.k8s.io/v1", "ClusterRole", "", "x")), Stage::ClusterDefinitions);
        assert_eq!(stage_of(&id("storage.k8s.io/v1", "StorageClass", "", "x")), Stage::Classes);
        assert_eq!(stage_of(&id("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "", "x")), Stage::Rest);
        assert_eq!(stage_of(&id("example.com/v1", "Namespace", "", "x")), Stage::Rest);
    }

    #[test]
    fn reads_the_ssa_policy_case_insensitively() {
        let with = |value: &str| json!({"metadata": {"annotations": {kustomize::SSA: value}}});
        assert_eq!(SsaPolicy::of(&json!({"metadata": {}})), SsaPolicy::Override);
        assert_eq!(SsaPolicy::of(&with("merge")), SsaPolicy::Merge);
        assert_eq!(SsaPolicy::of(&with("IfNotPresent")), SsaPolicy::IfNotPresent);
        assert_eq!(SsaPolicy::of(&with("IGNORE")), SsaPolicy::Ignore);
        assert_eq!(SsaPolicy::of(&with("whatever")), SsaPolicy::Override);
        let label = json!({"metadata": {"labels": {kustomize::SSA: "Ignore"}}});
        assert_eq!(SsaPolicy::of(&label), SsaPolicy::Ignore);
        assert!(Policy::reconcile_disabled(&json!({"metadata": {"labels": {kustomize::RECONCILE: "Disabled"}}})));
        assert!(Policy::force_enabled(&json!({"metadata": {"annotations": {kustomize::FORCE: "enabled"}}})));
    }
}
