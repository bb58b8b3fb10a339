//! `metadata.managedFields`: decoding, encoding and the fields the server never tracks.

use super::field_set::{FieldSet, FieldSetError, PathElement};
use crate::registry::ResourceInfo;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use std::sync::LazyLock;

/// Who is writing, and where: shared by [`super::record_update`] and [`super::server_side_apply`].
#[derive(Debug, Clone, Copy)]
pub struct FieldManagerContext<'a> {
    /// The resource being written; its kind (built-ins) or schema (CRDs) gives list semantics,
    /// `status_subresource` decides whether `status` is tracked on the main resource.
    pub info: &'a ResourceInfo,
    /// The request's `fieldManager` (already defaulted by the caller).
    pub manager: &'a str,
    /// `Some("status")`, `Some("scale")` for subresource writes; `None` for the main resource.
    pub subresource: Option<&'a str>,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Operation {
    Apply,
    Update,
}

/// One `managedFields` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagerEntry {
    pub manager: String,
    pub operation: Operation,
    pub api_version: String,
    /// RFC 3339, seconds precision.
    pub time: Option<String>,
    /// Empty for the main resource.
    pub subresource: String,
    pub fields: FieldSet,
}

impl ManagerEntry {
    /// Appliers are one entry per (manager, subresource) whatever the apiVersion; updaters are
    /// one entry per (manager, apiVersion, subresource), as in the real server.
    pub fn is(&self, manager: &str, operation: Operation, api_version: &str, subresource: &str) -> bool {
        self.manager == manager
            && self.operation == operation
            && self.subresource == subresource
            && (operation == Operation::Apply || self.api_version == api_version)
    }

    /// How conflict messages name the manager: `"kubectl" using apps/v1` for updaters, `"helm"`
    /// for appliers, with `with subresource "status"` when it wrote a subresource.
    pub fn printed(&self) -> String {
        let mut out = format!("{:?}", self.manager);
        if !self.subresource.is_empty() {
            out.push_str(&format!(" with subresource {:?}", self.subresource));
        }
        if self.operation == Operation::Update {
            out.push_str(&format!(" using {}", self.api_version));
        }
        out
    }

    fn to_json(&self) -> Value {
        let mut entry = Map::new();
        entry.insert("manager".into(), json!(self.manager));
        let operation = match self.operation {
            Operation::Apply => "Apply",
            Operation::Update => "Update",
        };
        entry.insert("operation".into(), json!(operation));
        entry.insert("apiVersion".into(), json!(self.api_version));
        if let Some(time) = &self.time {
            entry.insert("time".into(), json!(time));
        }
        entry.insert("fieldsType".into(), json!("FieldsV1"));
        entry.insert("fieldsV1".into(), self.fields.to_fields_v1());
        if !self.subresource.is_empty() {
            entry.insert("subresource".into(), json!(self.subresource));
        }
        Value::Object(entry)
    }

    fn from_json(value: &Value) -> Result<ManagerEntry, FieldSetError> {
        let text = |key: &str| value.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
        let operation = match value.get("operation").and_then(Value::as_str) {
            Some("Apply") => Operation::Apply,
            Some("Update") => Operation::Update,
            other => return Err(FieldSetError(format!("unknown operation {other:?}"))),
        };
        let fields = match value.get("fieldsV1") {
            Some(fields) => FieldSet::from_fields_v1(fields)?,
            None => FieldSet::new(),
        };
        Ok(ManagerEntry {
            manager: text("manager"),
            operation,
            api_version: text("apiVersion"),
            time: value.get("time").and_then(Value::as_str).map(str::to_string),
            subresource: text("subresource"),
            fields,
        })
    }
}

/// The entries of an object's `metadata.managedFields` (none when absent).
pub fn decode(object: &Value) -> Result<Vec<ManagerEntry>, FieldSetError> {
    match object.pointer("/metadata/managedFields") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(entries)) => entries.iter().map(ManagerEntry::from_json).collect(),
        Some(other) => Err(FieldSetError(format!("managedFields must be a list, got {other}"))),
    }
}

/// Writes `entries` into `object` in the real server's order (appliers first, then by time,
/// manager, apiVersion, subresource), dropping empty ones; no entries removes the field.
pub fn encode(mut entries: Vec<ManagerEntry>, object: &mut Value) {
    entries.retain(|e| !e.fields.is_empty());
    cap_updaters(&mut entries);
    entries.sort_by(|a, b| {
        a.operation
            .cmp(&b.operation)
            .then_with(|| a.time.cmp(&b.time))
            .then_with(|| a.manager.cmp(&b.manager))
            .then_with(|| a.api_version.cmp(&b.api_version))
            .then_with(|| a.subresource.cmp(&b.subresource))
    });
    let Some(Value::Object(metadata)) =
        object.as_object_mut().map(|o| o.entry("metadata").or_insert_with(|| json!({})))
    else {
        return;
    };
    if entries.is_empty() {
        metadata.shift_remove("managedFields");
    } else {
        metadata.insert("managedFields".into(), Value::Array(entries.iter().map(ManagerEntry::to_json).collect()));
    }
}

/// The real server keeps at most this many `Update` entries...
const MAX_UPDATERS: usize = 10;
/// ...folding the oldest into one bucket per apiVersion under this name.
const ANCIENT_CHANGES: &str = "ancient-changes";

/// Folds the oldest updaters into `ancient-changes` buckets until at most [`MAX_UPDATERS`]
/// remain, so a stream of distinct writers cannot grow the object without bound.
fn cap_updaters(entries: &mut Vec<ManagerEntry>) {
    loop {
        let updaters = entries.iter().filter(|e| e.operation == Operation::Update).count();
        if updaters <= MAX_UPDATERS {
            return;
        }
        let oldest = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.operation == Operation::Update && e.manager != ANCIENT_CHANGES)
            .min_by(|(_, a), (_, b)| a.time.cmp(&b.time).then_with(|| a.manager.cmp(&b.manager)))
            .map(|(i, _)| i);
        let Some(oldest) = oldest else { return };
        let folded = entries.remove(oldest);
        let bucket = entries.iter_mut().find(|e| {
            e.manager == ANCIENT_CHANGES && e.operation == Operation::Update && e.api_version == folded.api_version
        });
        match bucket {
            Some(bucket) => {
                bucket.fields.union_with(&folded.fields);
                bucket.time = bucket.time.clone().max(folded.time);
            }
            None => entries.push(ManagerEntry {
                manager: ANCIENT_CHANGES.to_string(),
                subresource: String::new(),
                ..folded
            }),
        }
    }
}

/// A copy of `object` without `metadata.managedFields`: managed fields never track themselves.
pub fn without_managed_fields(object: &Value) -> Value {
    let mut copy = object.clone();
    if let Some(metadata) = copy.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.shift_remove("managedFields");
    }
    copy
}

fn field_path(names: &[&str]) -> Vec<PathElement> {
    names.iter().map(|n| PathElement::Field(n.to_string())).collect()
}

/// What the apiserver's strip-meta step removes, member by member: the identity and
/// bookkeeping fields of metadata. Built once.
static STRIPPED: LazyLock<FieldSet> = LazyLock::new(|| {
    let mut strip = FieldSet::new();
    strip.insert(&field_path(&["apiVersion"]));
    strip.insert(&field_path(&["kind"]));
    strip.insert(&field_path(&["metadata"]));
    for field in [
        "name",
        "namespace",
        "creationTimestamp",
        "selfLink",
        "uid",
        "clusterName",
        "generation",
        "managedFields",
        "resourceVersion",
    ] {
        strip.insert(&field_path(&["metadata", field]));
    }
    strip
});
static STATUS: LazyLock<Vec<PathElement>> = LazyLock::new(|| field_path(&["status"]));
static SPEC: LazyLock<Vec<PathElement>> = LazyLock::new(|| field_path(&["spec"]));

/// Removes what the server never records as owned: the identity and bookkeeping fields of
/// metadata (as the apiserver's strip-meta step does, member by member), and the fields the
/// write cannot change: `status` on a main resource with a status subresource, `spec` on the
/// status subresource.
pub fn filter_untracked(set: &FieldSet, info: &ResourceInfo, subresource: Option<&str>) -> FieldSet {
    let mut out = set.difference(&STRIPPED);
    match subresource {
        None if info.status_subresource => out.remove_subtree(&STATUS),
        Some("status") => out.remove_subtree(&SPEC),
        _ => {}
    }
    out
}
