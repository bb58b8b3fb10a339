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
