//! Component schemas for apimachinery meta types and the built-in kinds.
//!
//! Built-in schemas are deliberately compact but honest. Every object level that is described
//! with `properties` lists *all* the fields the real type has at that level (client-side
//! `kubectl apply` fails on a changed field its schema does not know), and the values are left
//! open (no `type`, `x-kubernetes-preserve-unknown-fields: true`) unless they carry patch
//! metadata. Described in detail: ObjectMeta, PodTemplateSpec/PodSpec/Container (containers,
//! initContainers, ephemeralContainers, env, ports, volumeMounts, volumeDevices, volumes,
//! imagePullSecrets, hostAliases, tolerations, topologySpreadConstraints, schedulingGates,
//! resourceClaims), the workload specs (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job,
//! CronJob), Service ports, and status `conditions` of Pod, Deployment, ReplicaSet, StatefulSet,
//! DaemonSet, Job, Namespace, Node and CRD. Everything else is an open sub-tree.
//!
//! References are written in OpenAPI v3 form (`#/components/schemas/...`); the v2 document
//! rewrites them.

use serde_json::{Map, Value, json};

pub(crate) const META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1";

pub(crate) fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

pub(crate) fn meta_ref(name: &str) -> Value {
    reference(&format!("{META}.{name}"))
}

/// A value whose shape is not described: any JSON, kept as is.
pub(crate) fn open() -> Value {
    json!({"x-kubernetes-preserve-unknown-fields": true})
}

pub(crate) fn string() -> Value {
    json!({"type": "string"})
}

/// An object level: `described` fields with schemas, every other real field left open.
pub(crate) fn object(described: Vec<(&str, Value)>, others: &[&str]) -> Value {
    let mut entries: Vec<(String, Value)> = described.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    entries.extend(others.iter().map(|k| (k.to_string(), open())));
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let properties: Map<String, Value> = entries.into_iter().collect();
    json!({"type": "object", "properties": properties})
}

/// A list of objects merged by key for strategic merge patch and a map-list for server-side apply.
pub(crate) fn keyed_list(item: Value, merge_key: &str, map_keys: &[&str], retain_keys: bool) -> Value {
    let strategy = if retain_keys { "merge,retainKeys" } else { "merge" };
    json!({
        "type": "array",
        "items": item,
        "x-kubernetes-list-map-keys": map_keys,
        "x-kubernetes-list-type": "map",
        "x-kubernetes-patch-merge-key": merge_key,
        "x-kubernetes-patch-strategy": strategy,
    })
}

pub(crate) fn atomic_list() -> Value {
    json!({"type": "array", "items": open(), "x-kubernetes-list-type": "atomic"})
}

fn conditions() -> Value {
    keyed_list(open(), "type", &["type"], false)
}

pub(crate) fn str_map() -> Value {
    json!({"type": "object", "additionalProperties": {"type": "string", "default": ""}})
}

/// A `map[string]string` marked `+mapType=atomic`: replaced as a whole by patches and applies.
fn atomic_str_map() -> Value {
    let mut map = str_map();
    map["x-kubernetes-map-type"] = json!("atomic");
    map
}

const CONTAINER_OTHERS: &[&str] = &[
    "args",
    "command",
    "envFrom",
    "image",
    "imagePullPolicy",
    "lifecycle",
    "livenessProbe",
    "readinessProbe",
    "resizePolicy",
    "resources",
    "restartPolicy",
    "securityContext",
    "startupProbe",
    "stdin",
    "stdinOnce",
    "terminationMessagePath",
    "terminationMessagePolicy",
    "tty",
    "workingDir",
];

fn container() -> Value {
    let mut c = object(
        vec![
            ("name", string()),
            ("env", keyed_list(open(), "name", &["name"], false)),
            ("ports", keyed_list(open(), "containerPort", &["containerPort", "protocol"], false)),
            ("volumeMounts", keyed_list(open(), "mountPath", &["mountPath"], false)),
            ("volumeDevices", keyed_list(open(), "devicePath", &["devicePath"], false)),
        ],
        CONTAINER_OTHERS,
    );
    c["required"] = json!(["name"]);
    c
}

/// PodSpec as of Kubernetes 1.32, every field present.
fn pod_spec() -> Value {
    let containers = || keyed_list(container(), "name", &["name"], false);
    object(
        vec![
            ("containers", containers()),
            ("initContainers", containers()),
            ("ephemeralContainers", containers()),
            ("volumes", keyed_list(open(), "name", &["name"], true)),
            ("imagePullSecrets", keyed_list(open(), "name", &["name"], false)),
            ("hostAliases", keyed_list(open(), "ip", &["ip"], false)),
            ("tolerations", atomic_list()),
            (
                "topologySpreadConstraints",
                keyed_list(open(), "topologyKey", &["topologyKey", "whenUnsatisfiable"], false),
            ),
            ("schedulingGates", keyed_list(open(), "name", &["name"], false)),
            ("resourceClaims", keyed_list(open(), "name", &["name"], true)),
            ("nodeSelector", atomic_str_map()),
        ],
        &[
            "activeDeadlineSeconds",
            "affinity",
            "automountServiceAccountToken",
            "dnsConfig",
            "dnsPolicy",
            "enableServiceLinks",
            "hostIPC",
            "hostNetwork",
            "hostPID",
            "hostUsers",
            "hostname",
            "nodeName",
            "os",
            "overhead",
            "preemptionPolicy",
            "priority",
            "priorityClassName",
            "readinessGates",
            "resources",
            "restartPolicy",
            "runtimeClassName",
            "schedulerName",
            "securityContext",
            "serviceAccount",
            "serviceAccountName",
            "setHostnameAsFQDN",
            "shareProcessNamespace",
            "subdomain",
            "terminationGracePeriodSeconds",
        ],
    )
}

fn template() -> Value {
    object(vec![("metadata", meta_ref("ObjectMeta")), ("spec", pod_spec())], &[])
}

fn selector() -> Value {
    meta_ref("LabelSelector")
}

fn job_spec() -> Value {
    object(
        vec![("template", template()), ("selector", selector())],
        &[
            "activeDeadlineSeconds",
            "backoffLimit",
            "backoffLimitPerIndex",
            "completionMode",
            "completions",
            "managedBy",
            "manualSelector",
            "maxFailedIndexes",
            "parallelism",
            "podFailurePolicy",
            "podReplacementPolicy",
            "successPolicy",
            "suspend",
            "ttlSecondsAfterFinished",
        ],
    )
}

/// Status with merge-keyed `conditions`; `others` are the remaining status fields.
fn status_with_conditions(others: &[&str]) -> Value {
    object(vec![("conditions", conditions())], others)
}

/// The top-level fields of a built-in kind besides apiVersion/kind/metadata.
pub(crate) fn builtin_body(group: &str, kind: &str) -> Vec<(&'static str, Value)> {
    let spec_status = |spec: Value, status: Value| vec![("spec", spec), ("status", status)];
    match (group, kind) {
        ("", "Pod") => spec_status(
            pod_spec(),
            status_with_conditions(&[
                "containerStatuses",
                "ephemeralContainerStatuses",
                "hostIP",
                "hostIPs",
                "initContainerStatuses",
                "message",
                "nominatedNodeName",
                "phase",
                "podIP",
                "podIPs",
                "qosClass",
                "reason",
                "resize",
                "resourceClaimStatuses",
                "startTime",
            ]),
        ),
        ("", "Service") => spec_status(
            object(
                vec![
                    ("ports", keyed_list(open(), "port", &["port", "protocol"], false)),
                    ("selector", atomic_str_map()),
                ],
                &[
                    "allocateLoadBalancerNodePorts",
                    "clusterIP",
                    "clusterIPs",
                    "externalIPs",
                    "externalName",
                    "externalTrafficPolicy",
                    "healthCheckNodePort",
                    "internalTrafficPolicy",
                    "ipFamilies",
                    "ipFamilyPolicy",
                    "loadBalancerClass",
                    "loadBalancerIP",
                    "loadBalancerSourceRanges",
                    "publishNotReadyAddresses",
                    "sessionAffinity",
                    "sessionAffinityConfig",
                    "trafficDistribution",
                    "type",
                ],
            ),
            open(),
        ),
        ("", "Namespace") => spec_status(open(), status_with_conditions(&["phase"])),
        ("", "Node") => spec_status(
            open(),
            status_with_conditions(&[
                "addresses",
                "allocatable",
                "capacity",
                "config",
                "daemonEndpoints",
                "features",
                "images",
                "nodeInfo",
                "phase",
                "runtimeHandlers",
                "volumesAttached",
                "volumesInUse",
            ]),
        ),
        ("", "ConfigMap") => {
            vec![("data", str_map()), ("binaryData", open()), ("immutable", json!({"type": "boolean"}))]
        }
        ("", "Secret") => vec![
            ("data", json!({"type": "object", "additionalProperties": {"type": "string", "format": "byte"}})),
            ("stringData", str_map()),
            ("type", string()),
            ("immutable", json!({"type": "boolean"})),
        ],
        ("", "ServiceAccount") => vec![
            ("secrets", keyed_list(open(), "name", &["name"], false)),
            ("imagePullSecrets", atomic_list()),
            ("automountServiceAccountToken", json!({"type": "boolean"})),
        ],
        ("", "Endpoints") => vec![("subsets", atomic_list())],
        ("", "Event") => [
            "action",
            "count",
            "eventTime",
            "firstTimestamp",
            "involvedObject",
            "lastTimestamp",
            "message",
            "reason",
            "related",
            "reportingComponent",
            "reportingInstance",
            "series",
            "source",
            "type",
        ]
        .iter()
        .map(|k| (*k, open()))
        .collect(),
        ("events.k8s.io", "Event") => [
            "action",
            "deprecatedCount",
            "deprecatedFirstTimestamp",
            "deprecatedLastTimestamp",
            "deprecatedSource",
            "eventTime",
            "note",
            "reason",
            "regarding",
            "related",
            "reportingController",
            "reportingInstance",
            "series",
            "type",
        ]
        .iter()
        .map(|k| (*k, open()))
        .collect(),
        ("apps", "Deployment") => spec_status(
            object(
                vec![
                    ("template", template()),
                    ("selector", selector()),
                    (
                        "strategy",
                        json!({"x-kubernetes-preserve-unknown-fields": true, "x-kubernetes-patch-strategy": "retainKeys"}),
                    ),
                ],
                &["minReadySeconds", "paused", "progressDeadlineSeconds", "replicas", "revisionHistoryLimit"],
            ),
            status_with_conditions(&[
                "availableReplicas",
                "collisionCount",
                "observedGeneration",
                "readyReplicas",
                "replicas",
                "terminatingReplicas",
                "unavailableReplicas",
                "updatedReplicas",
            ]),
        ),
        ("apps", "ReplicaSet") => spec_status(
            object(vec![("template", template()), ("selector", selector())], &["minReadySeconds", "replicas"]),
            status_with_conditions(&[
                "availableReplicas",
                "fullyLabeledReplicas",
                "observedGeneration",
                "readyReplicas",
                "replicas",
                "terminatingReplicas",
            ]),
        ),
        ("apps", "StatefulSet") => spec_status(
            object(
                vec![("template", template()), ("selector", selector())],
                &[
                    "minReadySeconds",
                    "ordinals",
                    "persistentVolumeClaimRetentionPolicy",
                    "podManagementPolicy",
                    "replicas",
                    "revisionHistoryLimit",
                    "serviceName",
                    "updateStrategy",
                    "volumeClaimTemplates",
                ],
            ),
            status_with_conditions(&[
                "availableReplicas",
                "collisionCount",
                "currentReplicas",
                "currentRevision",
                "observedGeneration",
                "readyReplicas",
                "replicas",
                "updateRevision",
                "updatedReplicas",
            ]),
        ),
        ("apps", "DaemonSet") => spec_status(
            object(
                vec![("template", template()), ("selector", selector())],
                &["minReadySeconds", "revisionHistoryLimit", "updateStrategy"],
            ),
            status_with_conditions(&[
                "collisionCount",
                "currentNumberScheduled",
                "desiredNumberScheduled",
                "numberAvailable",
                "numberMisscheduled",
                "numberReady",
                "numberUnavailable",
                "observedGeneration",
                "updatedNumberScheduled",
            ]),
        ),
        ("apps", "ControllerRevision") => {
            vec![("data", open()), ("revision", json!({"type": "integer", "format": "int64"}))]
        }
        ("batch", "Job") => spec_status(
            job_spec(),
            status_with_conditions(&[
                "active",
                "completedIndexes",
                "completionTime",
                "failed",
                "failedIndexes",
                "ready",
                "startTime",
                "succeeded",
                "terminating",
                "uncountedTerminatedPods",
            ]),
        ),
        ("batch", "CronJob") => spec_status(
            object(
                vec![("jobTemplate", object(vec![("metadata", meta_ref("ObjectMeta")), ("spec", job_spec())], &[]))],
                &[
                    "concurrencyPolicy",
                    "failedJobsHistoryLimit",
                    "schedule",
                    "startingDeadlineSeconds",
                    "successfulJobsHistoryLimit",
                    "suspend",
                    "timeZone",
                ],
            ),
            open(),
        ),
        ("rbac.authorization.k8s.io", "Role") => vec![("rules", atomic_list())],
        ("rbac.authorization.k8s.io", "ClusterRole") => vec![("rules", atomic_list()), ("aggregationRule", open())],
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => {
            vec![("roleRef", open()), ("subjects", atomic_list())]
        }
        ("discovery.k8s.io", "EndpointSlice") => {
            vec![("addressType", string()), ("endpoints", atomic_list()), ("ports", atomic_list())]
        }
        ("storage.k8s.io", "StorageClass") => [
            "allowVolumeExpansion",
            "allowedTopologies",
            "mountOptions",
            "parameters",
            "provisioner",
            "reclaimPolicy",
            "volumeBindingMode",
        ]
        .iter()
        .map(|k| (*k, open()))
        .collect(),
        ("apiextensions.k8s.io", "CustomResourceDefinition") => {
            spec_status(open(), status_with_conditions(&["acceptedNames", "storedVersions"]))
        }
        ("", "LimitRange")
        | ("networking.k8s.io", "IngressClass" | "NetworkPolicy")
        | ("coordination.k8s.io", "Lease") => {
            vec![("spec", open())]
        }
        // PersistentVolumeClaim, ResourceQuota, Ingress, HPA, PDB and anything else with spec + status.
        _ => spec_status(open(), open()),
    }
}

/// The full schema of a built-in kind.
pub(crate) fn builtin_kind_schema(group: &str, kind: &str) -> Value {
    let mut described = vec![("apiVersion", string()), ("kind", string()), ("metadata", meta_ref("ObjectMeta"))];
    described.extend(builtin_body(group, kind));
    let mut schema = object(described, &[]);
    schema["description"] = json!(format!("{kind} (compact sandbox schema; open sub-trees are not described)."));
    schema
}
