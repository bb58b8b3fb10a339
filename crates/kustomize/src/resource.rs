//! Resources and their ids. A resource is an ordered JSON value; it remembers every id it had (kustomize's
//! original id and "previous ids"), and the prefixes and suffixes applied to its name, which the name
//! reference fix-up uses to find what a field referred to before a rename.

use std::fmt;

use serde_json::{Map, Value};

use crate::origin::Origin;

/// Group, version and kind.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Gvk {
    /// From an `apiVersion` (`group/version` or `version`) and a kind.
    pub fn from_api_version(api_version: &str, kind: &str) -> Self {
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api_version.to_string()),
        };
        Gvk { group, version, kind: kind.to_string() }
    }

    /// Whether objects of this kind live outside namespaces (kustomize's built-in schema; unknown kinds are
    /// namespaced).
    pub fn is_cluster_scoped(&self) -> bool {
        const CLUSTER_SCOPED: &[(&str, &str)] = &[
            ("", "Namespace"),
            ("", "Node"),
            ("", "PersistentVolume"),
            ("", "ComponentStatus"),
            ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
            ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
            ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
            ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
            ("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
            ("admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding"),
            ("apiextensions.k8s.io", "CustomResourceDefinition"),
            ("apiregistration.k8s.io", "APIService"),
            ("authentication.k8s.io", "TokenReview"),
            ("authentication.k8s.io", "SelfSubjectReview"),
            ("authorization.k8s.io", "SelfSubjectAccessReview"),
            ("authorization.k8s.io", "SelfSubjectRulesReview"),
            ("authorization.k8s.io", "SubjectAccessReview"),
            ("certificates.k8s.io", "CertificateSigningRequest"),
            ("certificates.k8s.io", "ClusterTrustBundle"),
            ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
            ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
            ("networking.k8s.io", "IngressClass"),
            ("networking.k8s.io", "IPAddress"),
            ("networking.k8s.io", "ServiceCIDR"),
            ("node.k8s.io", "RuntimeClass"),
            ("policy", "PodSecurityPolicy"),
            ("rbac.authorization.k8s.io", "ClusterRole"),
            ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
            ("scheduling.k8s.io", "PriorityClass"),
            ("storage.k8s.io", "CSIDriver"),
            ("storage.k8s.io", "CSINode"),
            ("storage.k8s.io", "StorageClass"),
            ("storage.k8s.io", "VolumeAttachment"),
            ("storage.k8s.io", "VolumeAttributesClass"),
            ("resource.k8s.io", "DeviceClass"),
        ];
        CLUSTER_SCOPED.iter().any(|(g, k)| *g == self.group && *k == self.kind)
    }

    /// kustomize's `Gvk.String()`, with `~G`/`~V`/`~K` for empty parts: the legacy order's tie-breaker.
    pub fn sort_string(&self) -> String {
        let or = |s: &str, empty: &str| if s.is_empty() { empty.to_string() } else { s.to_string() };
        format!("{}_{}_{}", or(&self.group, "~G"), or(&self.version, "~V"), or(&self.kind, "~K"))
    }
}

/// A resource id: kind and where the object lives.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ResId {
    pub gvk: Gvk,
    pub namespace: String,
    pub name: String,
}

impl ResId {
    /// The namespace as kustomize compares it: empty means `default` for namespaced kinds.
    pub fn effective_namespace(&self) -> &str {
        if self.gvk.is_cluster_scoped() {
            "_non_namespaceable_"
        } else if self.namespace.is_empty() {
            "default"
        } else {
            &self.namespace
        }
    }

    /// Same kind, same name, same effective namespace.
    pub fn same_as(&self, other: &ResId) -> bool {
        self.gvk == other.gvk && self.name == other.name && self.effective_namespace() == other.effective_namespace()
    }
}

impl fmt::Display for ResId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let group = if self.gvk.group.is_empty() { "[noGrp]" } else { &self.gvk.group };
        let ns = if self.namespace.is_empty() { "[noNs]" } else { &self.namespace };
        write!(f, "{}.{}.{}/{}.{}", self.gvk.kind, self.gvk.version, group, self.name, ns)
    }
}

/// One object of the build.
#[derive(Clone, Debug)]
pub struct Resource {
    /// The object, fields in the order they were read.
    pub value: Value,
    /// Earlier ids, oldest first (the first is kustomize's "original id").
    pub previous: Vec<ResId>,
    /// Name prefixes and suffixes applied so far.
    pub prefixes: Vec<String>,
    pub suffixes: Vec<String>,
    /// A generated object that gets the content hash suffix at the end of the build.
    pub needs_hash: bool,
    /// Where it came from and what transformed it (`buildMetadata`).
    pub origin: Option<Origin>,
    pub transformations: Vec<Origin>,
}

impl Resource {
    /// Wraps an object that has an `apiVersion`, a `kind` and a `metadata.name`.
    pub fn new(value: Value) -> Result<Self, String> {
        let Value::Object(map) = &value else { return Err("a resource must be a mapping".into()) };
        if !matches!(map.get("kind"), Some(Value::String(k)) if !k.is_empty()) {
            return Err("missing kind in a resource".into());
        }
        let name = value.pointer("/metadata/name");
        if !matches!(name, Some(Value::String(n)) if !n.is_empty()) {
            return Err("missing metadata.name in a resource".into());
        }
        Ok(Resource {
            value,
            previous: Vec::new(),
            prefixes: Vec::new(),
            suffixes: Vec::new(),
            needs_hash: false,
            origin: None,
            transformations: Vec::new(),
        })
    }

    fn str_at(&self, pointer: &str) -> &str {
        self.value.pointer(pointer).and_then(Value::as_str).unwrap_or("")
    }

    pub fn gvk(&self) -> Gvk {
        Gvk::from_api_version(self.str_at("/apiVersion"), self.str_at("/kind"))
    }

    pub fn kind(&self) -> &str {
        self.str_at("/kind")
    }

    pub fn name(&self) -> &str {
        self.str_at("/metadata/name")
    }

    pub fn namespace(&self) -> &str {
        self.str_at("/metadata/namespace")
    }

    /// The current id.
    pub fn id(&self) -> ResId {
        ResId { gvk: self.gvk(), namespace: self.namespace().to_string(), name: self.name().to_string() }
    }

    /// The id the resource was read with.
    pub fn original_id(&self) -> ResId {
        self.previous.first().cloned().unwrap_or_else(|| self.id())
    }

    /// Every id the resource has had, the current one last.
    pub fn all_ids(&self) -> impl Iterator<Item = ResId> + '_ {
        self.previous.iter().cloned().chain(std::iter::once(self.id()))
    }

    /// Records the current id before a change of name or namespace.
    pub fn remember_id(&mut self) {
        self.previous.push(self.id());
    }

    /// `metadata`, created when absent.
    pub fn metadata_mut(&mut self) -> &mut Map<String, Value> {
        let Value::Object(map) = &mut self.value else { unreachable!("Resource::new checked the object") };
        let metadata = map.entry("metadata").or_insert_with(|| Value::Object(Map::new()));
        if !metadata.is_object() {
            *metadata = Value::Object(Map::new());
        }
        metadata.as_object_mut().expect("set to an object just above")
    }

    pub fn set_name(&mut self, name: String) {
        self.metadata_mut().insert("name".into(), Value::String(name));
    }

    pub fn set_namespace(&mut self, namespace: String) {
        self.metadata_mut().insert("namespace".into(), Value::String(namespace));
    }
}
