//! Which lists a strategic merge patch merges element by element, and by which keys: the part of the Kubernetes
//! OpenAPI schema kustomize's merge (kyaml `merge2`) reads, for the kinds of its built-in schema (Kubernetes
//! v1.21.2).
//!
//! kyaml only merges a list whose schema says `x-kubernetes-patch-strategy: merge`; its keys are the schema's
//! `x-kubernetes-list-map-keys` when present (container ports: `containerPort` and `protocol`), else the
//! `x-kubernetes-patch-merge-key`. Lists of kinds without a built-in schema (custom resources, removed API
//! versions such as `extensions/v1beta1` Deployments) and every other list are replaced. The API server's
//! strategic merge (crates/sandbox) differs on purpose: it uses the patch merge key alone, knows current API
//! versions, and implements `$setElementOrder`, `$retainKeys` and `$deleteFromPrimitiveList`, which kyaml treats
//! as ordinary fields. So this table is kustomize's own rather than a dependency on the sandbox.
//!
//! A kustomization's `openapi` field may bring a custom schema ([`crate::openapi`]); [`Node`] walks either, and
//! from one into the other where a custom definition names a built-in one by `$ref` or replaces it by name.

use serde_json::Value;

use crate::openapi::Loaded;

/// The type of a node, as far as list merging is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// A top-level object of a kind the built-in schema knows.
    Object(Root),
    Meta,
    /// The spec of Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs and ReplicationControllers.
    WorkloadSpec,
    CronJobSpec,
    JobTemplate,
    PodTemplate,
    PodSpec,
    Container,
    ServiceSpec,
    /// A node the schema knows, without merged lists below it.
    Known,
}

/// The kinds whose objects have merged lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Root {
    Other,
    Pod,
    PodTemplate,
    Workload,
    CronJob,
    Service,
    ServiceAccount,
    Webhooks,
}

/// How a list field is patched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListMerge {
    /// The patch's list replaces the object's.
    Replace,
    /// Union of scalars, the patch's first (`finalizers`).
    Primitive,
    /// Elements matched by these keys and merged; elements are of the given type.
    Keys(&'static [&'static str], Ty),
}

const NAME: &[&str] = &["name"];

/// The schema of an object with this `apiVersion` and `kind`, if kustomize's built-in schema has it.
pub fn for_object(api_version: &str, kind: &str) -> Option<Ty> {
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let versions: &[&str] = match group {
        "" => &["v1"],
        "apps" | "coordination.k8s.io" | "scheduling.k8s.io" | "node.k8s.io" | "events.k8s.io" => &["v1", "v1beta1"],
        "batch" | "policy" | "discovery.k8s.io" | "storage.k8s.io" | "networking.k8s.io" => &["v1", "v1beta1"],
        "rbac.authorization.k8s.io" | "admissionregistration.k8s.io" | "apiextensions.k8s.io" => &["v1", "v1beta1"],
        "apiregistration.k8s.io" | "certificates.k8s.io" | "authentication.k8s.io" => &["v1", "v1beta1"],
        "authorization.k8s.io" | "flowcontrol.apiserver.k8s.io" => &["v1", "v1beta1"],
        "autoscaling" => &["v1", "v2beta1", "v2beta2"],
        "extensions" if kind == "Ingress" => &["v1beta1"],
        _ => return None,
    };
    if !versions.contains(&version) {
        return None;
    }
    // apps/v1beta1 and v1beta2 left Kubernetes in 1.16: not in the v1.21 schema.
    if group == "apps" && version != "v1" {
        return None;
    }
    let root = match (group, kind) {
        ("", "Pod") => Root::Pod,
        ("", "PodTemplate") => Root::PodTemplate,
        ("", "ReplicationController") => Root::Workload,
        ("apps", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet") => Root::Workload,
        ("batch", "Job") if version == "v1" => Root::Workload,
        ("batch", "CronJob") => Root::CronJob,
        ("", "Service") => Root::Service,
        ("", "ServiceAccount") => Root::ServiceAccount,
        ("admissionregistration.k8s.io", "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration") => {
            Root::Webhooks
        }
        _ => Root::Other,
    };
    Some(Ty::Object(root))
}

impl Ty {
    /// The type of a mapping's field.
    pub fn field(self, key: &str) -> Ty {
        match (self, key) {
            (Ty::Object(_) | Ty::JobTemplate | Ty::PodTemplate, "metadata") => Ty::Meta,
            (Ty::Object(Root::Pod) | Ty::PodTemplate, "spec") => Ty::PodSpec,
            (Ty::Object(Root::Workload) | Ty::JobTemplate, "spec") => Ty::WorkloadSpec,
            (Ty::Object(Root::CronJob), "spec") => Ty::CronJobSpec,
            (Ty::Object(Root::Service), "spec") => Ty::ServiceSpec,
            (Ty::Object(Root::PodTemplate) | Ty::WorkloadSpec, "template") => Ty::PodTemplate,
            (Ty::CronJobSpec, "jobTemplate") => Ty::JobTemplate,
            _ => Ty::Known,
        }
    }

    /// How a list field of a mapping of this type is patched.
    pub fn list(self, key: &str) -> ListMerge {
        match (self, key) {
            (Ty::Meta, "finalizers") => ListMerge::Primitive,
            (Ty::Meta, "ownerReferences") => ListMerge::Keys(&["uid"], Ty::Known),
            (Ty::PodSpec, "containers" | "initContainers" | "ephemeralContainers") => {
                ListMerge::Keys(NAME, Ty::Container)
            }
            (Ty::PodSpec, "volumes" | "imagePullSecrets") => ListMerge::Keys(NAME, Ty::Known),
            (Ty::PodSpec, "hostAliases") => ListMerge::Keys(&["ip"], Ty::Known),
            (Ty::PodSpec, "topologySpreadConstraints") => {
                ListMerge::Keys(&["topologyKey", "whenUnsatisfiable"], Ty::Known)
            }
            (Ty::Container, "ports") => ListMerge::Keys(&["containerPort", "protocol"], Ty::Known),
            (Ty::Container, "env") => ListMerge::Keys(NAME, Ty::Known),
            (Ty::Container, "volumeMounts") => ListMerge::Keys(&["mountPath"], Ty::Known),
            (Ty::Container, "volumeDevices") => ListMerge::Keys(&["devicePath"], Ty::Known),
            (Ty::ServiceSpec, "ports") => ListMerge::Keys(&["port", "protocol"], Ty::Known),
            (Ty::Object(Root::ServiceAccount), "secrets") => ListMerge::Keys(NAME, Ty::Known),
            (Ty::Object(Root::Webhooks), "webhooks") => ListMerge::Keys(NAME, Ty::Known),
            _ => ListMerge::Replace,
        }
    }
}

/// The built-in type a definition name of the Kubernetes schema stands for, as far as list merging goes.
fn builtin_named(name: &str) -> Option<Ty> {
    let short = name.rsplit('.').next().unwrap_or(name);
    let ty = match (name, short) {
        ("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", _) => Ty::Meta,
        ("io.k8s.api.core.v1.PodTemplateSpec", _) => Ty::PodTemplate,
        ("io.k8s.api.core.v1.PodSpec", _) => Ty::PodSpec,
        ("io.k8s.api.core.v1.Container" | "io.k8s.api.core.v1.EphemeralContainer", _) => Ty::Container,
        ("io.k8s.api.core.v1.ServiceSpec", _) => Ty::ServiceSpec,
        ("io.k8s.api.core.v1.ReplicationControllerSpec", _) => Ty::WorkloadSpec,
        (_, "DeploymentSpec" | "ReplicaSetSpec" | "StatefulSetSpec" | "DaemonSetSpec")
            if name.starts_with("io.k8s.api.apps.v1.") =>
        {
            Ty::WorkloadSpec
        }
        ("io.k8s.api.batch.v1.JobSpec", _) => Ty::WorkloadSpec,
        (_, "CronJobSpec") if name.starts_with("io.k8s.api.batch.") => Ty::CronJobSpec,
        (_, "JobTemplateSpec") if name.starts_with("io.k8s.api.batch.") => Ty::JobTemplate,
        _ if name.starts_with("io.k8s.") => Ty::Known,
        _ => return None,
    };
    Some(ty)
}

impl Ty {
    /// The definition name a custom schema would replace this type by, where one name stands for it.
    fn definition(self) -> Option<&'static str> {
        match self {
            Ty::Meta => Some("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"),
            Ty::PodTemplate => Some("io.k8s.api.core.v1.PodTemplateSpec"),
            Ty::PodSpec => Some("io.k8s.api.core.v1.PodSpec"),
            Ty::Container => Some("io.k8s.api.core.v1.Container"),
            Ty::ServiceSpec => Some("io.k8s.api.core.v1.ServiceSpec"),
            _ => None,
        }
    }
}

/// A node's schema: a built-in type or a custom definition (an OpenAPI schema object).
#[derive(Clone, Copy, Debug)]
pub enum Node<'s> {
    Builtin(Ty),
    Custom(&'s Value),
}

/// How a list field is patched, from either schema.
#[derive(Clone, Debug, PartialEq)]
pub enum List<'s> {
    Replace,
    Primitive,
    /// Elements matched by these keys and merged, with the elements' schema if known.
    Keys(Vec<&'s str>, Option<Node<'s>>),
}

impl PartialEq for Node<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Node::Builtin(a), Node::Builtin(b)) => a == b,
            (Node::Custom(a), Node::Custom(b)) => std::ptr::eq(*a, *b),
            _ => false,
        }
    }
}

/// `$ref` chains longer than this are taken as cycles and resolve to nothing.
const MAX_REFS: usize = 16;

impl<'s> Loaded<'s> {
    /// The schema of an object with this `apiVersion` and `kind`: a custom definition first, as kyaml's tables
    /// let the last parsed schema win, then the built-in one if it was loaded.
    pub fn for_object(self, api_version: &str, kind: &str) -> Option<Node<'s>> {
        if let Some(definition) = self.custom.and_then(|c| c.for_kind(api_version, kind)) {
            return self.resolve(definition);
        }
        self.builtin.then(|| for_object(api_version, kind)).flatten().map(Node::Builtin)
    }

    /// A built-in type, unless a custom schema replaced its definition.
    fn builtin(self, ty: Ty) -> Node<'s> {
        match (self.custom, ty.definition()) {
            (Some(custom), Some(name)) => custom.definition(name).map_or(Node::Builtin(ty), Node::Custom),
            _ => Node::Builtin(ty),
        }
    }

    /// A schema object with its `$ref` followed: to a custom definition, else to a built-in one if loaded.
    fn resolve(self, mut schema: &'s Value) -> Option<Node<'s>> {
        for _ in 0..MAX_REFS {
            let Some(reference) = schema.get("$ref").and_then(Value::as_str) else { return Some(Node::Custom(schema)) };
            let name = reference.strip_prefix("#/definitions/")?;
            match self.custom.and_then(|c| c.definition(name)) {
                Some(definition) => schema = definition,
                None => return self.builtin.then(|| builtin_named(name)).flatten().map(Node::Builtin),
            }
        }
        None
    }

    /// The schema of a mapping's field (a property, else the `additionalProperties` schema).
    pub fn field(self, node: Node<'s>, key: &str) -> Option<Node<'s>> {
        match node {
            Node::Builtin(ty) => Some(self.builtin(ty.field(key))),
            Node::Custom(schema) => self.resolve(property(schema, key)?),
        }
    }

    /// How a list field of a mapping is patched: kyaml merges only where the patch strategy says `merge`, by the
    /// `x-kubernetes-list-map-keys` if set, else the patch merge key, else as a list of scalars.
    pub fn list(self, node: Node<'s>, key: &str) -> List<'s> {
        let schema = match node {
            Node::Builtin(ty) => {
                return match ty.list(key) {
                    ListMerge::Replace => List::Replace,
                    ListMerge::Primitive => List::Primitive,
                    ListMerge::Keys(keys, elements) => List::Keys(keys.to_vec(), Some(self.builtin(elements))),
                };
            }
            Node::Custom(schema) => schema,
        };
        let Some(Node::Custom(list)) = property(schema, key).and_then(|p| self.resolve(p)) else {
            return List::Replace;
        };
        let text = |name: &str| list.get(name).and_then(Value::as_str);
        if !text("x-kubernetes-patch-strategy").is_some_and(|s| s.contains("merge")) {
            return List::Replace;
        }
        let keys: Vec<&str> = match list.get("x-kubernetes-list-map-keys").and_then(Value::as_array) {
            Some(keys) => keys.iter().filter_map(Value::as_str).collect(),
            None => text("x-kubernetes-patch-merge-key").into_iter().collect(),
        };
        if keys.is_empty() {
            return List::Primitive;
        }
        // kyaml gives the elements a schema only when the list says `type: array`.
        let typed = match list.get("type") {
            Some(Value::String(t)) => t == "array",
            Some(Value::Array(types)) => types.len() == 1 && types[0] == "array",
            _ => false,
        };
        List::Keys(keys, list.get("items").filter(|_| typed).and_then(|items| self.resolve(items)))
    }
}

fn property<'s>(schema: &'s Value, key: &str) -> Option<&'s Value> {
    schema
        .get("properties")
        .and_then(|p| p.get(key))
        .or_else(|| schema.get("additionalProperties").filter(|a| a.is_object()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_templates_are_found_in_every_workload() {
        let deployment = for_object("apps/v1", "Deployment").unwrap();
        let spec = deployment.field("spec").field("template").field("spec");
        assert_eq!(spec, Ty::PodSpec);
        assert_eq!(spec.list("containers"), ListMerge::Keys(NAME, Ty::Container));
        let cron = for_object("batch/v1beta1", "CronJob").unwrap();
        let pod = cron.field("spec").field("jobTemplate").field("spec").field("template").field("spec");
        assert_eq!(pod, Ty::PodSpec);
        assert_eq!(Ty::Container.list("args"), ListMerge::Replace);
    }

    #[test]
    fn kinds_outside_the_built_in_schema_have_none() {
        assert_eq!(for_object("extensions/v1beta1", "Deployment"), None);
        assert_eq!(for_object("apps/v1beta2", "Deployment"), None);
        assert_eq!(for_object("example.com/v1", "Foo"), None);
        assert_eq!(for_object("v1", "ConfigMap"), Some(Ty::Object(Root::Other)));
    }
}
