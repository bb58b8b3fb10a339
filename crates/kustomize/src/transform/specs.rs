//! The default field specs of kustomize's built-in transformers (its `builtinpluginconsts`), as tables.

use crate::fieldspec::FieldSpec;

/// Where `commonLabels` go besides `metadata/labels`: selectors and pod templates.
pub const COMMON_LABEL_SELECTORS: &[FieldSpec] = &[
    FieldSpec::version_kind("v1", "Service", "spec/selector", true),
    FieldSpec::version_kind("v1", "ReplicationController", "spec/selector", true),
    FieldSpec::kind("Deployment", "spec/selector/matchLabels", true),
    FieldSpec::kind("ReplicaSet", "spec/selector/matchLabels", true),
    FieldSpec::kind("DaemonSet", "spec/selector/matchLabels", true),
    FieldSpec::group_kind("apps", "StatefulSet", "spec/selector/matchLabels", true),
    FieldSpec::group_kind("apps", "StatefulSet", "spec/volumeClaimTemplates[]/metadata/labels", true),
    FieldSpec::group_kind("batch", "Job", "spec/selector/matchLabels", false),
    FieldSpec::group_kind("batch", "CronJob", "spec/jobTemplate/spec/selector/matchLabels", false),
    FieldSpec::group_kind("policy", "PodDisruptionBudget", "spec/selector/matchLabels", false),
    FieldSpec::group_kind("networking.k8s.io", "NetworkPolicy", "spec/podSelector/matchLabels", false),
    FieldSpec::group_kind("networking.k8s.io", "NetworkPolicy", "spec/ingress/from/podSelector/matchLabels", false),
    FieldSpec::group_kind("networking.k8s.io", "NetworkPolicy", "spec/egress/to/podSelector/matchLabels", false),
];

/// Affinity and spread-constraint selectors of Deployments and StatefulSets (never created).
pub const AFFINITY_PATHS: &[&str] = &[
    "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
    "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
];

/// Pod template labels (`includeTemplates`, and part of `commonLabels`).
pub const TEMPLATE_LABELS: &[FieldSpec] = &[
    FieldSpec::version_kind("v1", "ReplicationController", "spec/template/metadata/labels", true),
    FieldSpec::kind("Deployment", "spec/template/metadata/labels", true),
    FieldSpec::kind("ReplicaSet", "spec/template/metadata/labels", true),
    FieldSpec::kind("DaemonSet", "spec/template/metadata/labels", true),
    FieldSpec::group_kind("apps", "StatefulSet", "spec/template/metadata/labels", true),
    FieldSpec::group_kind("batch", "Job", "spec/template/metadata/labels", true),
    FieldSpec::group_kind("batch", "CronJob", "spec/jobTemplate/metadata/labels", true),
    FieldSpec::group_kind("batch", "CronJob", "spec/jobTemplate/spec/template/metadata/labels", true),
];

/// Where `commonAnnotations` go besides `metadata/annotations`.
pub const TEMPLATE_ANNOTATIONS: &[FieldSpec] = &[
    FieldSpec::version_kind("v1", "ReplicationController", "spec/template/metadata/annotations", true),
    FieldSpec::kind("Deployment", "spec/template/metadata/annotations", true),
    FieldSpec::kind("ReplicaSet", "spec/template/metadata/annotations", true),
    FieldSpec::kind("DaemonSet", "spec/template/metadata/annotations", true),
    FieldSpec::group_kind("apps", "StatefulSet", "spec/template/metadata/annotations", true),
    FieldSpec::group_kind("batch", "Job", "spec/template/metadata/annotations", true),
    FieldSpec::group_kind("batch", "CronJob", "spec/jobTemplate/metadata/annotations", true),
    FieldSpec::group_kind("batch", "CronJob", "spec/jobTemplate/spec/template/metadata/annotations", true),
];

/// Namespace fields besides `metadata/namespace`.
pub const NAMESPACE_FIELDS: &[FieldSpec] = &[
    FieldSpec::group_kind("apiregistration.k8s.io", "APIService", "spec/service/namespace", false),
    FieldSpec::group_kind(
        "apiextensions.k8s.io",
        "CustomResourceDefinition",
        "spec/conversion/webhook/clientConfig/service/namespace",
        false,
    ),
];

/// `replicas` targets.
pub const REPLICAS: &[&str] = &["Deployment", "ReplicationController", "ReplicaSet", "StatefulSet"];

/// One referral kind and the fields of other objects that hold its name.
pub struct NameReference {
    pub group: String,
    pub kind: String,
    /// `(referrer kind, path)`; an empty kind is any kind.
    pub fields: Vec<(String, String)>,
}

/// The pod spec prefix of each workload kind.
const POD_SPECS: &[(&str, &str)] = &[
    ("Pod", "spec"),
    ("PodTemplate", "template/spec"),
    ("Deployment", "spec/template/spec"),
    ("ReplicaSet", "spec/template/spec"),
    ("DaemonSet", "spec/template/spec"),
    ("StatefulSet", "spec/template/spec"),
    ("Job", "spec/template/spec"),
    ("CronJob", "spec/jobTemplate/spec/template/spec"),
    ("ReplicationController", "spec/template/spec"),
];

fn in_pod_specs(kinds: &[&str], suffixes: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (kind, prefix) in POD_SPECS {
        if kinds.contains(kind) {
            for suffix in suffixes {
                out.push((kind.to_string(), format!("{prefix}/{suffix}")));
            }
        }
    }
    out
}

/// kustomize's `nameReference` configuration.
pub fn name_references() -> Vec<NameReference> {
    const WORKLOADS: &[&str] =
        &["Pod", "PodTemplate", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "CronJob"];
    const SA_USERS: &[&str] =
        &["Pod", "StatefulSet", "Deployment", "ReplicationController", "CronJob", "Job", "DaemonSet"];
    let scale = |kind: &str| NameReference {
        group: String::new(),
        kind: kind.to_string(),
        fields: vec![("HorizontalPodAutoscaler".into(), "spec/scaleTargetRef/name".into())],
    };
    let mut config_map = in_pod_specs(
        WORKLOADS,
        &[
            "volumes/configMap/name",
            "containers/env/valueFrom/configMapKeyRef/name",
            "initContainers/env/valueFrom/configMapKeyRef/name",
            "containers/envFrom/configMapRef/name",
            "initContainers/envFrom/configMapRef/name",
            "volumes/projected/sources/configMap/name",
        ],
    );
    config_map.extend([
        ("Node".into(), "spec/configSource/configMap".into()),
        ("Role".into(), "rules/resourceNames".into()),
        ("ClusterRole".into(), "rules/resourceNames".into()),
        ("Ingress".into(), "metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap".into()),
    ]);
    let mut secret = in_pod_specs(
        WORKLOADS,
        &[
            "volumes/secret/secretName",
            "containers/env/valueFrom/secretKeyRef/name",
            "initContainers/env/valueFrom/secretKeyRef/name",
            "containers/envFrom/secretRef/name",
            "initContainers/envFrom/secretRef/name",
            "imagePullSecrets/name",
            "volumes/projected/sources/secret/name",
        ],
    );
    secret.extend([
        ("Ingress".into(), "spec/tls/secretName".into()),
        ("Ingress".into(), "metadata/annotations/ingress.kubernetes.io\\/auth-secret".into()),
        ("Ingress".into(), "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret".into()),
        ("Ingress".into(), "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret".into()),
        ("ServiceAccount".into(), "imagePullSecrets/name".into()),
        ("StorageClass".into(), "parameters/secretName".into()),
        ("StorageClass".into(), "parameters/adminSecretName".into()),
        ("StorageClass".into(), "parameters/userSecretName".into()),
        ("StorageClass".into(), "parameters/secretRef".into()),
        ("Role".into(), "rules/resourceNames".into()),
        ("ClusterRole".into(), "rules/resourceNames".into()),
        ("PersistentVolume".into(), "spec/azureFile/secretName".into()),
    ]);
    let mut service_account =
        vec![("RoleBinding".into(), "subjects".into()), ("ClusterRoleBinding".into(), "subjects".into())];
    service_account.extend(in_pod_specs(SA_USERS, &["serviceAccountName"]));
    let pvc = in_pod_specs(SA_USERS, &["volumes/persistentVolumeClaim/claimName"]);
    let priority = in_pod_specs(SA_USERS, &["priorityClassName"]);
    vec![
        scale("Deployment"),
        scale("ReplicationController"),
        scale("ReplicaSet"),
        scale("StatefulSet"),
        NameReference { group: "".into(), kind: "ConfigMap".into(), fields: config_map },
        NameReference { group: "".into(), kind: "Secret".into(), fields: secret },
        NameReference {
            group: "".into(),
            kind: "Service".into(),
            fields: vec![
                ("StatefulSet".into(), "spec/serviceName".into()),
                ("Ingress".into(), "spec/rules/http/paths/backend/serviceName".into()),
                ("Ingress".into(), "spec/backend/serviceName".into()),
                ("Ingress".into(), "spec/rules/http/paths/backend/service/name".into()),
                ("Ingress".into(), "spec/defaultBackend/service/name".into()),
                ("APIService".into(), "spec/service".into()),
                ("ValidatingWebhookConfiguration".into(), "webhooks/clientConfig/service".into()),
                ("MutatingWebhookConfiguration".into(), "webhooks/clientConfig/service".into()),
                ("HTTPRoute".into(), "spec/rules/backendRefs/name".into()),
            ],
        },
        NameReference {
            group: "rbac.authorization.k8s.io".into(),
            kind: "Role".into(),
            fields: vec![("RoleBinding".into(), "roleRef/name".into())],
        },
        NameReference {
            group: "rbac.authorization.k8s.io".into(),
            kind: "ClusterRole".into(),
            fields: vec![
                ("RoleBinding".into(), "roleRef/name".into()),
                ("ClusterRoleBinding".into(), "roleRef/name".into()),
            ],
        },
        NameReference { group: "".into(), kind: "ServiceAccount".into(), fields: service_account },
        NameReference { group: "".into(), kind: "PersistentVolumeClaim".into(), fields: pvc },
        NameReference {
            group: "".into(),
            kind: "PersistentVolume".into(),
            fields: vec![
                ("PersistentVolumeClaim".into(), "spec/volumeName".into()),
                ("ClusterRole".into(), "rules/resourceNames".into()),
            ],
        },
        NameReference {
            group: "storage.k8s.io".into(),
            kind: "StorageClass".into(),
            fields: vec![
                ("PersistentVolume".into(), "spec/storageClassName".into()),
                ("PersistentVolumeClaim".into(), "spec/storageClassName".into()),
                ("StatefulSet".into(), "spec/volumeClaimTemplates/spec/storageClassName".into()),
            ],
        },
        NameReference { group: "scheduling.k8s.io".into(), kind: "PriorityClass".into(), fields: priority },
        NameReference {
            group: "admissionregistration.k8s.io".into(),
            kind: "ValidatingAdmissionPolicy".into(),
            fields: vec![("ValidatingAdmissionPolicyBinding".into(), "spec/policyName".into())],
        },
        NameReference {
            group: "networking.k8s.io".into(),
            kind: "IngressClass".into(),
            fields: vec![("Ingress".into(), "spec/ingressClassName".into())],
        },
    ]
}
