//! The object tree of a Kustomization or HelmRelease, as `flux tree` shows it: pure data built by
//! `cluster::tree` from live reads, plus the pure parts (inventory ids, kstatus-like live status, the text and
//! JSON forms) that the TUI and the headless command share.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::api::references::ObjectReference;

/// How a live object is doing, in kstatus' words (plus the ways a node can fail to be an object at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LiveStatus {
    /// Reconciled and healthy.
    Current,
    /// Rolling out, reconciling, or not yet observed at its generation.
    InProgress,
    /// Ready=False, Stalled, a failed Job or Pod, a rollout past its deadline.
    Failed,
    /// Listed in the inventory or release but absent from the cluster.
    NotFound,
    /// The API server refused to show it.
    Forbidden,
    /// Could not be read for another reason (unknown kind, connection).
    Unknown,
    /// Not an object at all: a malformed inventory entry.
    Invalid,
}

impl LiveStatus {
    pub fn label(self) -> &'static str {
        match self {
            LiveStatus::Current => "Ready",
            LiveStatus::InProgress => "InProgress",
            LiveStatus::Failed => "Failed",
            LiveStatus::NotFound => "NotFound",
            LiveStatus::Forbidden => "Forbidden",
            LiveStatus::Unknown => "Unknown",
            LiveStatus::Invalid => "Invalid",
        }
    }
}

/// One node: an object reference, its live state, and what it contains.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeNode {
    pub reference: ObjectReference,
    pub status: LiveStatus,
    /// Why: the Ready message, a replica count, the read error, the malformed entry.
    pub message: String,
    /// The live object, for describe and YAML.
    pub object: Option<Arc<Value>>,
    pub children: Vec<TreeNode>,
}

impl TreeNode {
    /// A node that stands for a problem rather than an object (kept so the rest of the tree still shows).
    pub fn problem(reference: ObjectReference, status: LiveStatus, message: impl Into<String>) -> TreeNode {
        TreeNode { reference, status, message: message.into(), object: None, children: Vec::new() }
    }

    /// `Kind/namespace/name`, or `Kind/name` when cluster-scoped: flux tree's node text.
    pub fn label(&self) -> String {
        reference_label(&self.reference)
    }

    /// The node at a path of child indexes (the empty path is this node).
    pub fn at(&self, path: &[usize]) -> Option<&TreeNode> {
        match path.split_first() {
            None => Some(self),
            Some((first, rest)) => self.children.get(*first)?.at(rest),
        }
    }

    /// How many nodes, this one included.
    pub fn len(&self) -> usize {
        1 + self.children.iter().map(TreeNode::len).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        false
    }
}

pub fn reference_label(reference: &ObjectReference) -> String {
    if reference.namespace.is_empty() {
        format!("{}/{}", reference.kind, reference.name)
    } else {
        format!("{}/{}/{}", reference.kind, reference.namespace, reference.name)
    }
}

/// Reads one inventory entry: `<namespace>_<name>_<group>_<kind>` with version `v`.
///
/// The namespace runs to the first `_`, the kind follows the last, the group the one before; the rest is the
/// name, in which RBAC kinds write `:` as `__`.
pub fn parse_inventory_id(id: &str, version: Option<&str>) -> Result<ObjectReference, String> {
    let malformed = |why: &str| format!("malformed inventory entry {id:?}: {why}");
    let (namespace, rest) =
        id.split_once('_').ok_or_else(|| malformed("expected <namespace>_<name>_<group>_<kind>"))?;
    let (rest, kind) = rest.rsplit_once('_').ok_or_else(|| malformed("expected <namespace>_<name>_<group>_<kind>"))?;
    let (name, group) = rest.rsplit_once('_').ok_or_else(|| malformed("expected <namespace>_<name>_<group>_<kind>"))?;
    if kind.is_empty() {
        return Err(malformed("no kind"));
    }
    if name.is_empty() {
        return Err(malformed("no name"));
    }
    if !kind.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(malformed("the kind is not a kind name"));
    }
    let version = version.filter(|v| !v.is_empty()).ok_or_else(|| malformed("no version (v)"))?;
    let is_rbac = matches!(kind, "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding");
    let name = if is_rbac { name.replace("__", ":") } else { name.to_string() };
    let api_version = if group.is_empty() { version.to_string() } else { format!("{group}/{version}") };
    Ok(ObjectReference {
        kind: kind.to_string(),
        name,
        namespace: namespace.to_string(),
        api_version: Some(api_version),
    })
}

/// The reference a malformed entry is shown under: the raw id as the name.
pub fn invalid_reference(id: &str) -> ObjectReference {
    ObjectReference {
        kind: "InventoryEntry".to_string(),
        name: id.to_string(),
        namespace: String::new(),
        api_version: None,
    }
}

/// The inventory of a Kustomization or HelmRelease: each entry, or why it cannot be read.
pub fn inventory_entries(object: &Value) -> Vec<Result<ObjectReference, (String, String)>> {
    let entries = object.pointer("/status/inventory/entries").and_then(Value::as_array);
    entries
        .into_iter()
        .flatten()
        .map(|entry| {
            let id = entry.get("id").and_then(Value::as_str).unwrap_or("");
            let version = entry.get("v").and_then(Value::as_str);
            parse_inventory_id(id, version).map_err(|message| (id.to_string(), message))
        })
        .collect()
}

fn condition<'a>(object: &'a Value, type_: &str) -> Option<&'a Value> {
    object
        .pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|condition| condition.get("type").and_then(Value::as_str) == Some(type_))
}

fn field<'a>(condition: &'a Value, name: &str) -> &'a str {
    condition.get(name).and_then(Value::as_str).unwrap_or("")
}

fn int(object: &Value, pointer: &str) -> Option<i64> {
    object.pointer(pointer).and_then(Value::as_i64)
}

/// A kstatus-like reading of any live object: generic conditions first, then the workload kinds' counters.
pub fn live_status(object: &Value) -> (LiveStatus, String) {
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    if let (Some(generation), Some(observed)) =
        (int(object, "/metadata/generation"), int(object, "/status/observedGeneration"))
        && observed < generation
    {
        let message = if observed < 1 {
            "not reconciled yet".to_string()
        } else {
            format!("generation {generation} not yet observed (at {observed})")
        };
        return (LiveStatus::InProgress, message);
    }
    if object.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true) && kind != "CronJob" {
        let message = condition(object, "Ready").map(|c| field(c, "message")).unwrap_or("");
        return (LiveStatus::Current, format!("suspended {message}").trim_end().to_string());
    }
    match kind {
        "Deployment" => return replicas_status(object, "/status/updatedReplicas", "/status/availableReplicas"),
        "StatefulSet" => return replicas_status(object, "/status/updatedReplicas", "/status/readyReplicas"),
        "ReplicaSet" => return replicas_status(object, "/status/replicas", "/status/readyReplicas"),
        "DaemonSet" => {
            let desired = int(object, "/status/desiredNumberScheduled").unwrap_or(0);
            let ready = int(object, "/status/numberReady").unwrap_or(0);
            let updated = int(object, "/status/updatedNumberScheduled").unwrap_or(0);
            let message = format!("{ready}/{desired} ready");
            let status =
                if ready >= desired && updated >= desired { LiveStatus::Current } else { LiveStatus::InProgress };
            return (status, message);
        }
        "Pod" => return pod_status(object),
        "Job" => {
            if condition(object, "Failed").is_some_and(|c| field(c, "status") == "True") {
                let c = condition(object, "Failed").map(|c| field(c, "message")).unwrap_or("");
                return (LiveStatus::Failed, format!("job failed: {c}").trim_end().to_string());
            }
            if condition(object, "Complete").is_some_and(|c| field(c, "status") == "True") {
                return (LiveStatus::Current, "job complete".to_string());
            }
            return (LiveStatus::InProgress, "job running".to_string());
        }
        "PersistentVolumeClaim" => {
            let phase = object.pointer("/status/phase").and_then(Value::as_str).unwrap_or("Pending");
            let status = if phase == "Bound" { LiveStatus::Current } else { LiveStatus::InProgress };
            return (status, phase.to_string());
        }
        "Namespace" => {
            let phase = object.pointer("/status/phase").and_then(Value::as_str).unwrap_or("Active");
            let status = if phase == "Terminating" { LiveStatus::InProgress } else { LiveStatus::Current };
            return (status, String::new());
        }
        "CustomResourceDefinition" => {
            let established = condition(object, "Established").is_some_and(|c| field(c, "status") == "True");
            let status = if established { LiveStatus::Current } else { LiveStatus::InProgress };
            return (status, if established { String::new() } else { "not established".to_string() });
        }
        _ => {}
    }
    if condition(object, "Stalled").is_some_and(|c| field(c, "status") == "True") {
        let message = condition(object, "Stalled").map(|c| field(c, "message")).unwrap_or("");
        return (LiveStatus::Failed, message.to_string());
    }
    if let Some(ready) = condition(object, "Ready") {
        let message = field(ready, "message").to_string();
        let reconciling = condition(object, "Reconciling").is_some_and(|c| field(c, "status") == "True");
        return match field(ready, "status") {
            "True" if !reconciling => (LiveStatus::Current, message),
            "False" if !reconciling => (LiveStatus::Failed, message),
            _ => (LiveStatus::InProgress, message),
        };
    }
    if condition(object, "Reconciling").is_some_and(|c| field(c, "status") == "True") {
        return (LiveStatus::InProgress, "reconciling".to_string());
    }
    (LiveStatus::Current, String::new())
}

fn replicas_status(object: &Value, updated_path: &str, ready_path: &str) -> (LiveStatus, String) {
    let desired = int(object, "/spec/replicas").unwrap_or(1);
    let updated = int(object, updated_path).unwrap_or(0);
    let ready = int(object, ready_path).unwrap_or(0);
    let message = format!("{ready}/{desired} ready");
    let deadline = condition(object, "Progressing").is_some_and(|c| field(c, "reason") == "ProgressDeadlineExceeded");
    if deadline {
        return (LiveStatus::Failed, format!("{message}, progress deadline exceeded"));
    }
    if ready >= desired && updated >= desired {
        (LiveStatus::Current, message)
    } else {
        (LiveStatus::InProgress, message)
    }
}

fn pod_status(object: &Value) -> (LiveStatus, String) {
    let phase = object.pointer("/status/phase").and_then(Value::as_str).unwrap_or("Pending");
    let waiting = object
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|status| status.pointer("/state/waiting/reason").and_then(Value::as_str))
        .find(|reason| matches!(*reason, "CrashLoopBackOff" | "ImagePullBackOff" | "ErrImagePull"));
    if let Some(reason) = waiting {
        return (LiveStatus::Failed, reason.to_string());
    }
    match phase {
        "Succeeded" => (LiveStatus::Current, phase.to_string()),
        "Failed" => (LiveStatus::Failed, phase.to_string()),
        "Running" if condition(object, "Ready").is_some_and(|c| field(c, "status") == "True") => {
            (LiveStatus::Current, phase.to_string())
        }
        _ => (LiveStatus::InProgress, phase.to_string()),
    }
}

/// The tree as `flux tree` prints it: the root, then `├── `/`└── ` branches with `│   ` continuations.
pub fn tree_text(root: &TreeNode) -> String {
    let mut out = root.label();
    out.push('\n');
    write_children(&mut out, root, "");
    out
}

fn write_children(out: &mut String, node: &TreeNode, prefix: &str) {
    let count = node.children.len();
    for (index, child) in node.children.iter().enumerate() {
        let last = index + 1 == count;
        out.push_str(prefix);
        out.push_str(if last { "└── " } else { "├── " });
        out.push_str(&child.label());
        if matches!(
            child.status,
            LiveStatus::Invalid | LiveStatus::NotFound | LiveStatus::Forbidden | LiveStatus::Unknown
        ) {
            out.push_str(&format!(" ({}: {})", child.status.label(), child.message));
        }
        out.push('\n');
        let continuation = format!("{prefix}{}", if last { "    " } else { "│   " });
        write_children(out, child, &continuation);
    }
}

/// The tree as JSON: flux's `{"resource": ..., "resources": [...]}` shape, with the live status added.
pub fn tree_json(node: &TreeNode) -> Value {
    let group = node.reference.api_version.as_deref().and_then(|v| v.split_once('/')).map(|(g, _)| g).unwrap_or("");
    let mut value = json!({
        "resource": {
            "Namespace": node.reference.namespace,
            "Name": node.reference.name,
            "GroupKind": { "Group": group, "Kind": node.reference.kind },
        },
        "apiVersion": node.reference.api_version,
        "status": node.status.label(),
        "message": node.message,
    });
    if !node.children.is_empty() {
        value["resources"] = Value::Array(node.children.iter().map(tree_json).collect());
    }
    value
}

#[cfg(test)]
#[path = "tree_tests.rs"]
mod tests;
