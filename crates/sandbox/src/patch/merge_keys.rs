//! What the server knows about the lists and maps of built-in kinds: the `patchMergeKey` /
//! `patchStrategy` tags that strategic merge patch reads, and the `listType` / `listMapKey` /
//! `mapType` / `structType` markers that server-side apply reads.
//!
//! Built-in objects are described as a small graph of struct types ([`Struct`]); each field of
//! interest has a [`Shape`]. Anything not in the table is an ordinary struct whose lists are
//! atomic, which is what the Go types say for every field without markers.

/// A struct type of a built-in kind, as far as patching cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Struct {
    /// The top level of an object of some built-in kind.
    Root(RootKind),
    ObjectMeta,
    PodTemplateSpec,
    PodSpec,
    Container,
    /// The spec of Deployment, ReplicaSet, StatefulSet, DaemonSet and Job: they all hold a pod
    /// `template` and a `selector`.
    WorkloadSpec,
    CronJobSpec,
    JobTemplateSpec,
    ServiceSpec,
    /// A `status` with `conditions` keyed by `type`.
    Status,
    LabelSelector,
    ResourceRequirements,
    /// A struct with nothing special in it: fields are declared, lists atomic, maps granular.
    Opaque,
    /// `+structType=atomic`, as an item of a list: an owner reference is owned as a whole.
    AtomicItem,
}

impl Struct {
    /// The shape of an item of a list whose items are this struct.
    pub fn item_shape(self) -> Shape {
        match self {
            Struct::AtomicItem => Shape::AtomicStruct(Struct::Opaque),
            other => Shape::Struct(other),
        }
    }
}

/// Which top-level layout a built-in kind has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootKind {
    Pod,
    PodTemplate,
    Workload,
    CronJob,
    Service,
    ServiceAccount,
    Other,
}

impl RootKind {
    pub fn of(kind: &str) -> RootKind {
        match kind {
            "Pod" => RootKind::Pod,
            "PodTemplate" => RootKind::PodTemplate,
            "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "Job" | "ReplicationController" => {
                RootKind::Workload
            }
            "CronJob" => RootKind::CronJob,
            "Service" => RootKind::Service,
            "ServiceAccount" => RootKind::ServiceAccount,
            _ => RootKind::Other,
        }
    }
}

/// One key field of an associative list, with the default the schema gives it (SSA uses the
/// default when an item omits the key, e.g. a container port without `protocol` is `TCP`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyField {
    pub name: &'static str,
    pub default: Option<&'static str>,
}

const fn key(name: &'static str) -> KeyField {
    KeyField { name, default: None }
}

const fn key_or(name: &'static str, default: &'static str) -> KeyField {
    KeyField { name, default: Some(default) }
}

/// How server-side apply treats a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsaList {
    Atomic,
    Set,
    Map(&'static [KeyField]),
}

/// How strategic merge patch treats a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmpList {
    /// No patch strategy: the patch's list replaces the live one.
    Replace,
    /// `patchStrategy:"merge"` on a list of scalars: union, keeping order.
    MergeScalars,
    /// `patchStrategy:"merge" patchMergeKey:"<key>"`.
    MergeByKey(&'static str),
}

/// The shape of one field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Struct(Struct),
    /// `+structType=atomic`: owned and replaced as a whole by server-side apply.
    AtomicStruct(Struct),
    /// A `map[string]...`: keys are not declared fields; `atomic` is `+mapType=atomic`.
    Map {
        atomic: bool,
    },
    List {
        smp: SmpList,
        ssa: SsaList,
        item: Struct,
    },
}

const NAME: &[KeyField] = &[key("name")];

const fn by_name(item: Struct) -> Shape {
    Shape::List { smp: SmpList::MergeByKey("name"), ssa: SsaList::Map(NAME), item }
}

const ATOMIC_LIST: Shape = Shape::List { smp: SmpList::Replace, ssa: SsaList::Atomic, item: Struct::Opaque };
const MAP: Shape = Shape::Map { atomic: false };

/// (struct, field) -> shape. Pod-template contexts are reached through the struct graph, so a
/// Deployment's `spec.template.spec.containers[*].ports` and a CronJob's
/// `spec.jobTemplate.spec.template.spec.containers[*].ports` both resolve to `Container.ports`.
const TABLE: &[(Struct, &str, Shape)] = &[
    (Struct::ObjectMeta, "labels", MAP),
    (Struct::ObjectMeta, "annotations", MAP),
    (
        Struct::ObjectMeta,
        "finalizers",
        Shape::List { smp: SmpList::MergeScalars, ssa: SsaList::Set, item: Struct::Opaque },
    ),
    (
        Struct::ObjectMeta,
        "ownerReferences",
        Shape::List { smp: SmpList::MergeByKey("uid"), ssa: SsaList::Map(&[key("uid")]), item: Struct::AtomicItem },
    ),
    (Struct::PodTemplateSpec, "metadata", Shape::Struct(Struct::ObjectMeta)),
    (Struct::PodTemplateSpec, "spec", Shape::Struct(Struct::PodSpec)),
    (Struct::WorkloadSpec, "template", Shape::Struct(Struct::PodTemplateSpec)),
    (Struct::WorkloadSpec, "selector", Shape::AtomicStruct(Struct::LabelSelector)),
    (Struct::CronJobSpec, "jobTemplate", Shape::Struct(Struct::JobTemplateSpec)),
    (Struct::JobTemplateSpec, "metadata", Shape::Struct(Struct::ObjectMeta)),
    (Struct::JobTemplateSpec, "spec", Shape::Struct(Struct::WorkloadSpec)),
    (Struct::PodSpec, "containers", by_name(Struct::Container)),
    (Struct::PodSpec, "initContainers", by_name(Struct::Container)),
    (Struct::PodSpec, "ephemeralContainers", by_name(Struct::Container)),
    (Struct::PodSpec, "volumes", by_name(Struct::Opaque)),
    (Struct::PodSpec, "imagePullSecrets", by_name(Struct::Opaque)),
    (Struct::PodSpec, "resourceClaims", by_name(Struct::Opaque)),
    (Struct::PodSpec, "schedulingGates", by_name(Struct::Opaque)),
    (
        Struct::PodSpec,
        "hostAliases",
        Shape::List { smp: SmpList::MergeByKey("ip"), ssa: SsaList::Map(&[key("ip")]), item: Struct::Opaque },
    ),
    (
        Struct::PodSpec,
        "topologySpreadConstraints",
        Shape::List {
            smp: SmpList::MergeByKey("topologyKey"),
            ssa: SsaList::Map(&[key("topologyKey"), key("whenUnsatisfiable")]),
            item: Struct::Opaque,
        },
    ),
    (Struct::PodSpec, "nodeSelector", Shape::Map { atomic: true }),
    (Struct::PodSpec, "overhead", MAP),
    (Struct::PodSpec, "tolerations", ATOMIC_LIST),
    (Struct::PodSpec, "readinessGates", ATOMIC_LIST),
    (
        Struct::Container,
        "ports",
        Shape::List {
            smp: SmpList::MergeByKey("containerPort"),
            ssa: SsaList::Map(&[key("containerPort"), key_or("protocol", "TCP")]),
            item: Struct::Opaque,
        },
    ),
    (Struct::Container, "env", by_name(Struct::Opaque)),
    (
        Struct::Container,
        "volumeMounts",
        Shape::List {
            smp: SmpList::MergeByKey("mountPath"),
            ssa: SsaList::Map(&[key("mountPath")]),
            item: Struct::Opaque,
        },
    ),
    (
        Struct::Container,
        "volumeDevices",
        Shape::List {
            smp: SmpList::MergeByKey("devicePath"),
            ssa: SsaList::Map(&[key("devicePath")]),
            item: Struct::Opaque,
        },
    ),
    (Struct::Container, "resources", Shape::Struct(Struct::ResourceRequirements)),
    (Struct::Container, "envFrom", ATOMIC_LIST),
    (Struct::Container, "args", ATOMIC_LIST),
    (Struct::Container, "command", ATOMIC_LIST),
    (Struct::Container, "resizePolicy", ATOMIC_LIST),
    (Struct::ResourceRequirements, "limits", MAP),
    (Struct::ResourceRequirements, "requests", MAP),
    (Struct::ResourceRequirements, "claims", by_name(Struct::Opaque)),
    (
        Struct::ServiceSpec,
        "ports",
        Shape::List {
            smp: SmpList::MergeByKey("port"),
            ssa: SsaList::Map(&[key("port"), key_or("protocol", "TCP")]),
            item: Struct::Opaque,
        },
    ),
    (Struct::ServiceSpec, "selector", Shape::Map { atomic: true }),
    (
        Struct::Status,
        "conditions",
        Shape::List { smp: SmpList::MergeByKey("type"), ssa: SsaList::Map(&[key("type")]), item: Struct::Opaque },
    ),
    (Struct::LabelSelector, "matchLabels", MAP),
];

/// The shape of `field` inside a value of type `parent`.
pub fn field_shape(parent: Struct, field: &str) -> Shape {
    if let Struct::Root(kind) = parent {
        return root_field(kind, field);
    }
    TABLE
        .iter()
        .find(|(s, name, _)| *s == parent && *name == field)
        .map(|(_, _, shape)| *shape)
        .unwrap_or(Shape::Struct(Struct::Opaque))
}

/// The table's fields of `parent` (not of roots), for the test that keeps the published OpenAPI
/// patch metadata in step with this table.
#[cfg(test)]
pub(crate) fn table_fields(parent: Struct) -> impl Iterator<Item = (&'static str, Shape)> {
    TABLE.iter().filter(move |(s, _, _)| *s == parent).map(|(_, name, shape)| (*name, *shape))
}

fn root_field(kind: RootKind, field: &str) -> Shape {
    match (kind, field) {
        (_, "metadata") => Shape::Struct(Struct::ObjectMeta),
        (_, "status") => Shape::Struct(Struct::Status),
        // ConfigMap and Secret payloads; no other built-in kind has these at the top level.
        (_, "data" | "binaryData" | "stringData") => MAP,
        (RootKind::Pod, "spec") => Shape::Struct(Struct::PodSpec),
        (RootKind::PodTemplate, "template") => Shape::Struct(Struct::PodTemplateSpec),
        (RootKind::Workload, "spec") => Shape::Struct(Struct::WorkloadSpec),
        (RootKind::CronJob, "spec") => Shape::Struct(Struct::CronJobSpec),
        (RootKind::Service, "spec") => Shape::Struct(Struct::ServiceSpec),
        // `patchStrategy:"merge" patchMergeKey:"name"`, `+listType=map +listMapKey=name`.
        (RootKind::ServiceAccount, "secrets") => by_name(Struct::Opaque),
        _ => Shape::Struct(Struct::Opaque),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(kind: &str, path: &[&str]) -> Shape {
        let mut shape = Shape::Struct(Struct::Root(RootKind::of(kind)));
        for field in path {
            let parent = match shape {
                Shape::Struct(s) | Shape::AtomicStruct(s) => s,
                Shape::List { item, .. } => item,
                Shape::Map { .. } => Struct::Opaque,
            };
            shape = field_shape(parent, field);
        }
        shape
    }

    #[test]
    fn pod_templates_resolve_in_every_workload() {
        let ports = |kind: &str, path: &[&str]| match walk(kind, path) {
            Shape::List { smp, ssa, .. } => (smp, ssa),
            other => panic!("{other:?}"),
        };
        let deploy = ports("Deployment", &["spec", "template", "spec", "containers", "ports"]);
        assert_eq!(deploy.0, SmpList::MergeByKey("containerPort"));
        let cron = ports("CronJob", &["spec", "jobTemplate", "spec", "template", "spec", "initContainers", "ports"]);
        assert_eq!(cron, deploy);
        let pod = ports("Pod", &["spec", "containers", "env"]);
        assert_eq!(pod.0, SmpList::MergeByKey("name"));
        let service = ports("Service", &["spec", "ports"]);
        assert_eq!(service.0, SmpList::MergeByKey("port"));
        assert!(matches!(walk("Deployment", &["spec", "selector"]), Shape::AtomicStruct(_)));
        assert_eq!(walk("ConfigMap", &["data"]), Shape::Map { atomic: false });
        assert_eq!(walk("Pod", &["spec", "containers", "args"]), ATOMIC_LIST);
        assert_eq!(walk("Pod", &["spec", "somethingNew"]), Shape::Struct(Struct::Opaque));
    }
}
