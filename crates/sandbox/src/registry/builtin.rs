//! The built-in kinds the sandbox serves, with the names, short names and categories kubectl expects.

use super::{ResourceInfo, ScaleSubresource};

const ALL_VERBS: &[&str] = &["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

struct Builtin {
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
    short_names: &'static [&'static str],
    categories: &'static [&'static str],
    status: bool,
    scale: bool,
    generation: bool,
}

const fn kind(group: &'static str, version: &'static str, kind: &'static str, plural: &'static str) -> Builtin {
    Builtin {
        group,
        version,
        kind,
        plural,
        namespaced: true,
        short_names: &[],
        categories: &[],
        status: false,
        scale: false,
        generation: false,
    }
}

impl Builtin {
    const fn cluster(mut self) -> Self {
        self.namespaced = false;
        self
    }
    const fn short(mut self, names: &'static [&'static str]) -> Self {
        self.short_names = names;
        self
    }
    const fn all(mut self) -> Self {
        self.categories = &["all"];
        self
    }
    /// Has a status subresource and a spec, so generation tracks spec changes.
    const fn with_status(mut self) -> Self {
        self.status = true;
        self.generation = true;
        self
    }
    /// Core kinds with a status but no `metadata.generation` (the real server tracks none for them).
    const fn without_generation(mut self) -> Self {
        self.generation = false;
        self
    }
    const fn scalable(mut self) -> Self {
        self.scale = true;
        self
    }
}

const BUILTINS: &[Builtin] = &[
    kind("", "v1", "Namespace", "namespaces").cluster().short(&["ns"]).with_status().without_generation(),
    kind("", "v1", "ConfigMap", "configmaps").short(&["cm"]),
    kind("", "v1", "Secret", "secrets"),
    kind("", "v1", "ServiceAccount", "serviceaccounts").short(&["sa"]),
    kind("", "v1", "Service", "services").short(&["svc"]).all().with_status().without_generation(),
    kind("", "v1", "Endpoints", "endpoints").short(&["ep"]),
    kind("", "v1", "Pod", "pods").short(&["po"]).all().with_status().without_generation(),
    kind("", "v1", "Event", "events").short(&["ev"]),
    kind("", "v1", "Node", "nodes").cluster().short(&["no"]).with_status().without_generation(),
    kind("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims")
        .short(&["pvc"])
        .with_status()
        .without_generation(),
    kind("", "v1", "ResourceQuota", "resourcequotas").short(&["quota"]).with_status().without_generation(),
    kind("", "v1", "LimitRange", "limitranges").short(&["limits"]),
    kind("apps", "v1", "Deployment", "deployments").short(&["deploy"]).all().with_status().scalable(),
    kind("apps", "v1", "ReplicaSet", "replicasets").short(&["rs"]).all().with_status().scalable(),
    kind("apps", "v1", "StatefulSet", "statefulsets").short(&["sts"]).all().with_status().scalable(),
    kind("apps", "v1", "DaemonSet", "daemonsets").short(&["ds"]).all().with_status(),
    kind("apps", "v1", "ControllerRevision", "controllerrevisions"),
    kind("batch", "v1", "Job", "jobs").all().with_status(),
    kind("batch", "v1", "CronJob", "cronjobs").short(&["cj"]).all().with_status(),
    kind("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers")
        .short(&["hpa"])
        .all()
        .with_status(),
    kind("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets").short(&["pdb"]).with_status(),
    kind("networking.k8s.io", "v1", "Ingress", "ingresses").short(&["ing"]).with_status(),
    kind("networking.k8s.io", "v1", "IngressClass", "ingressclasses").cluster(),
    kind("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies").short(&["netpol"]),
    kind("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices"),
    kind("rbac.authorization.k8s.io", "v1", "Role", "roles"),
    kind("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings"),
    kind("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles").cluster(),
    kind("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings").cluster(),
    kind("coordination.k8s.io", "v1", "Lease", "leases"),
    kind("events.k8s.io", "v1", "Event", "events").short(&["ev"]),
    kind("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews").cluster(),
    kind("authorization.k8s.io", "v1", "SelfSubjectRulesReview", "selfsubjectrulesreviews").cluster(),
    kind("storage.k8s.io", "v1", "StorageClass", "storageclasses").cluster().short(&["sc"]),
    kind("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses").cluster().short(&["pc"]),
    kind("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions")
        .cluster()
        .short(&["crd", "crds"])
        .with_status(),
];

/// Every built-in resource, in discovery order.
pub fn builtin_resources() -> Vec<ResourceInfo> {
    BUILTINS
        .iter()
        .map(|b| ResourceInfo {
            group: b.group.to_string(),
            version: b.version.to_string(),
            kind: b.kind.to_string(),
            list_kind: format!("{}List", b.kind),
            plural: b.plural.to_string(),
            singular: b.kind.to_lowercase(),
            namespaced: b.namespaced,
            short_names: b.short_names.iter().map(|s| s.to_string()).collect(),
            categories: b.categories.iter().map(|s| s.to_string()).collect(),
            // Reviews are answered, never stored.
            verbs: if b.group == "authorization.k8s.io" {
                vec!["create".to_string()]
            } else {
                ALL_VERBS.iter().map(|s| s.to_string()).collect()
            },
            status_subresource: b.status,
            scale_subresource: b.scale.then(|| ScaleSubresource {
                spec_replicas_path: ".spec.replicas".into(),
                status_replicas_path: ".status.replicas".into(),
                label_selector_path: Some(".status.selector".into()),
            }),
            log_subresource: b.plural == "pods",
            printer_columns: Vec::new(),
            schema: None,
            storage_version: true,
            has_spec_generation: b.generation,
            crd_name: None,
        })
        .collect()
}
