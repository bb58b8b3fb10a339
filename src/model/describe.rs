//! A `kubectl describe`-like text for one Flux object: metadata, the spec as an indented tree, then what the
//! controller says: readiness, revision, generations, the conditions table, the artifact, the inventory size and
//! the history. Everything comes from the generic accessors and the object's JSON, so every kind (and an object
//! that failed to parse) describes the same way.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use unicode_width::UnicodeWidthStr;

use super::duration::{human_duration, parse_time};
use super::readiness::Readiness;
use super::revision::{SHORT_DIGEST_LEN, abbreviate_digests};
use super::row::one_line;
use super::secrets::{MASK, Masking};
use super::text::{StyledLine, TextClass};
use crate::api::AnyFluxObject;

/// Status fields the Status section shows in its own words; the rest are listed after them as a tree.
const SUMMARIZED_STATUS: &[&str] =
    &["conditions", "observedGeneration", "lastHandledReconcileAt", "artifact", "inventory", "history"];

/// Lists of scalars up to this many characters print on one line, `[a, b]`.
const INLINE_LIST_WIDTH: usize = 60;

pub fn describe(object: &AnyFluxObject, reveal: bool, now: DateTime<Utc>) -> Vec<StyledLine> {
    let value = object.to_value();
    let mut out = Describer { lines: Vec::new(), masking: Masking::for_object(&value, reveal), now, column: 14 };
    out.header(object, &value);
    if let Some(spec) = value.get("spec") {
        out.heading("Spec:");
        out.tree(spec, 2, &mut vec!["spec"]);
    }
    out.status(object, &value);
    out.lines
}

struct Describer {
    lines: Vec<StyledLine>,
    masking: Masking,
    now: DateTime<Utc>,
    /// Where values start in the current section, so they line up as kubectl's tabwriter lines them up.
    column: usize,
}

impl Describer {
    fn heading(&mut self, text: &str) {
        let mut line = StyledLine::default();
        line.push(text, TextClass::Heading);
        self.lines.push(line);
    }

    /// `Label:` padded to the section's value column (a wider label gets two spaces), then the value.
    fn field(&mut self, indent: usize, label: &str, value: impl Into<String>, class: TextClass) {
        let mut line = StyledLine::default();
        let label = format!("{}{label}:", " ".repeat(indent));
        let width = (label.width() + 2).max(self.column);
        line.push(format!("{label:<width$}"), TextClass::Key);
        line.push(clean(&value.into()), class);
        self.lines.push(line);
    }

    fn time(&self, text: &str) -> String {
        match parse_time(text) {
            Some(time) => format!("{text} ({} ago)", human_duration(self.now - time)),
            None => text.to_string(),
        }
    }

    fn header(&mut self, object: &AnyFluxObject, value: &Value) {
        let metadata = object.metadata();
        self.field(0, "Name", object.name(), TextClass::Value);
        self.field(0, "Namespace", object.namespace(), TextClass::Value);
        let kind = value.get("kind").and_then(Value::as_str).map(str::to_string);
        let kind = kind.or_else(|| object.kind().map(|kind| kind.name().to_string())).unwrap_or_default();
        self.field(0, "Kind", kind, TextClass::Value);
        let api_version = value.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        self.field(0, "API Version", api_version, TextClass::Value);
        for (label, map) in [("Labels", &metadata.labels), ("Annotations", &metadata.annotations)] {
            match map.as_ref().filter(|map| !map.is_empty()) {
                None => self.field(0, label, "<none>", TextClass::Muted),
                Some(map) => {
                    for (index, (key, text)) in map.iter().enumerate() {
                        let label = if index == 0 { label } else { "" };
                        let mut line = StyledLine::default();
                        let label = if label.is_empty() { String::new() } else { format!("{label}:") };
                        line.push(format!("{label:<14}"), TextClass::Key);
                        line.push(clean(&format!("{key}={text}")), TextClass::Value);
                        self.lines.push(line);
                    }
                }
            }
        }
        let created = value.pointer("/metadata/creationTimestamp").and_then(Value::as_str).unwrap_or("<unknown>");
        self.field(0, "Created", self.time(created), TextClass::Value);
        if let Some(deleting) = value.pointer("/metadata/deletionTimestamp").and_then(Value::as_str) {
            self.field(0, "Deleting", self.time(deleting), TextClass::Reconciling);
        }
        let (text, class) =
            if object.suspended() { ("True", TextClass::Suspended) } else { ("False", TextClass::Value) };
        self.field(0, "Suspended", text, class);
        if let AnyFluxObject::Unparsed(unparsed) = object {
            self.field(0, "Error", format!("cannot read object: {}", unparsed.error), TextClass::Failed);
        }
    }

    fn status(&mut self, object: &AnyFluxObject, value: &Value) {
        let status = value.get("status").and_then(Value::as_object);
        self.heading("Status:");
        self.column = 27;
        // The condition as written, coloured by what it means now: Ready=True on a stale generation is not ready,
        // and the Observed Generation line below says why.
        let readiness = Readiness::of(object);
        let ready = object.condition("Ready");
        let summary = match ready {
            Some(ready) => match &ready.reason {
                Some(reason) => format!("{} ({reason})", ready.status),
                None => ready.status.clone(),
            },
            None => readiness.label().to_string(),
        };
        self.field(2, "Ready", summary, readiness.class());
        if let Some(message) = ready.and_then(|ready| ready.message.as_deref()) {
            self.field(2, "Message", one_line(message), TextClass::Value);
        }
        if let Some(revision) = object.revision() {
            self.field(2, "Revision", revision, TextClass::Value);
        }
        let generation = object.metadata().generation;
        match (object.observed_generation(), generation) {
            (Some(observed), Some(generation)) if observed < generation => self.field(
                2,
                "Observed Generation",
                format!("{observed} (generation {generation}: not reconciled yet)"),
                TextClass::Reconciling,
            ),
            (Some(observed), _) => self.field(2, "Observed Generation", observed.to_string(), TextClass::Value),
            (None, _) => {}
        }
        if let Some(handled) = object.last_handled_reconcile_at() {
            self.field(2, "Last Handled Reconcile", self.time(handled), TextClass::Value);
        }
        self.conditions(object);
        let Some(status) = status else { return };
        if let Some(artifact) = status.get("artifact").and_then(Value::as_object) {
            self.artifact(artifact);
        }
        if let Some(inventory) = status.get("inventory") {
            let entries = inventory.get("entries").unwrap_or(inventory).as_array().map_or(0, Vec::len);
            self.field(2, "Inventory", format!("{entries} entries"), TextClass::Value);
        }
        if let Some(history) = status.get("history").and_then(Value::as_array).filter(|history| !history.is_empty()) {
            self.history(history);
        }
        let rest: Map<String, Value> = status
            .iter()
            .filter(|(key, _)| !SUMMARIZED_STATUS.contains(&key.as_str()))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        if !rest.is_empty() {
            self.tree(&Value::Object(rest), 2, &mut vec!["status"]);
        }
    }

    fn conditions(&mut self, object: &AnyFluxObject) {
        let conditions = object.conditions();
        if conditions.is_empty() {
            self.field(2, "Conditions", "<none>", TextClass::Muted);
            return;
        }
        self.heading("  Conditions:");
        let rows = conditions
            .iter()
            .map(|condition| {
                let class = condition_class(&condition.type_, &condition.status);
                let age = condition.last_transition_time.as_deref().and_then(parse_time);
                vec![
                    (condition.type_.clone(), class),
                    (condition.status.clone(), class),
                    (condition.reason.clone().unwrap_or_default(), TextClass::Value),
                    (age.map_or_else(|| "-".to_string(), |time| human_duration(self.now - time)), TextClass::Value),
                    (one_line(condition.message.as_deref().unwrap_or("")), TextClass::Value),
                ]
            })
            .collect();
        self.table(4, &["TYPE", "STATUS", "REASON", "AGE", "MESSAGE"], rows);
        // Helm failures carry the last Helm logs after the first line: show them in full, they are the answer.
        for condition in conditions {
            let message = condition.message.as_deref().unwrap_or("");
            if message.trim().contains('\n') {
                self.heading(&format!("  {} message:", condition.type_));
                for text in message.trim().lines() {
                    self.lines.push(StyledLine::plain(clean(&format!("    {text}"))));
                }
            }
        }
    }

    fn artifact(&mut self, artifact: &Map<String, Value>) {
        self.heading("  Artifact:");
        let section_column = std::mem::replace(&mut self.column, 16);
        let text = |key: &str| artifact.get(key).and_then(Value::as_str);
        if let Some(revision) = text("revision") {
            self.field(4, "Revision", revision, TextClass::Value);
        }
        if let Some(digest) = text("digest") {
            self.field(4, "Digest", digest, TextClass::Value);
        }
        if let Some(size) = artifact.get("size").and_then(Value::as_i64) {
            self.field(4, "Size", format!("{size} bytes"), TextClass::Value);
        }
        if let Some(updated) = text("lastUpdateTime") {
            self.field(4, "Updated", self.time(updated), TextClass::Value);
        }
        if let Some(url) = text("url") {
            self.field(4, "URL", url, TextClass::Value);
        }
        if let Some(metadata) = artifact.get("metadata").and_then(Value::as_object) {
            self.heading("    Metadata:");
            self.tree(&Value::Object(metadata.clone()), 6, &mut vec!["status", "artifact", "metadata"]);
        }
        self.column = section_column;
    }

    /// HelmRelease snapshots (chart, version, status, digest) or Kustomization history entries.
    fn history(&mut self, history: &[Value]) {
        self.heading("  History:");
        let text = |entry: &Value, pointer: &str| {
            entry.pointer(pointer).map(|value| value.as_str().map_or_else(|| value.to_string(), str::to_string))
        };
        let short =
            |digest: Option<String>| digest.map(|digest| abbreviate_digests(&digest, SHORT_DIGEST_LEN).into_owned());
        let helm = history.iter().any(|entry| entry.get("chartVersion").is_some());
        let rows = history
            .iter()
            .map(|entry| {
                let (status, when) = if helm {
                    (text(entry, "/status"), text(entry, "/lastDeployed"))
                } else {
                    (text(entry, "/lastReconciledStatus"), text(entry, "/lastReconciled"))
                };
                let status = status.unwrap_or_default();
                let class = match status.as_str() {
                    "deployed" | "superseded" | "ReconciliationSucceeded" => TextClass::Value,
                    "failed" | "ReconciliationFailed" | "HealthCheckFailed" | "PruneFailed" => TextClass::Failed,
                    _ => TextClass::Reconciling,
                };
                let age = when.as_deref().and_then(parse_time).map(|time| human_duration(self.now - time));
                let mut row = if helm {
                    vec![
                        text(entry, "/version").unwrap_or_default(),
                        text(entry, "/chartName").unwrap_or_default(),
                        text(entry, "/chartVersion").unwrap_or_default(),
                        text(entry, "/appVersion").unwrap_or_default(),
                        status,
                    ]
                } else {
                    vec![
                        text(entry, "/metadata/revision")
                            .map(|revision| short(Some(revision)).unwrap_or_default())
                            .unwrap_or_default(),
                        status,
                        text(entry, "/totalReconciliations").unwrap_or_default(),
                    ]
                };
                row.push(short(text(entry, "/digest")).unwrap_or_default());
                row.push(age.unwrap_or_else(|| "-".to_string()));
                row.into_iter()
                    .enumerate()
                    .map(|(index, cell)| {
                        let status_column = if helm { 4 } else { 1 };
                        (cell, if index == status_column { class } else { TextClass::Value })
                    })
                    .collect()
            })
            .collect();
        if helm {
            self.table(4, &["VERSION", "CHART", "CHART VERSION", "APP VERSION", "STATUS", "DIGEST", "DEPLOYED"], rows);
        } else {
            self.table(4, &["REVISION", "STATUS", "RECONCILIATIONS", "DIGEST", "LAST"], rows);
        }
    }

    /// Columns padded to their widest cell, two spaces apart.
    fn table(&mut self, indent: usize, headers: &[&str], rows: Vec<Vec<(String, TextClass)>>) {
        let mut widths: Vec<usize> = headers.iter().map(|header| header.width()).collect();
        for row in &rows {
            for (width, (cell, _)) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.width());
            }
        }
        let header_row = headers.iter().map(|header| (header.to_string(), TextClass::Heading)).collect();
        for row in std::iter::once(header_row).chain(rows) {
            let mut line = StyledLine::default();
            line.push(" ".repeat(indent), TextClass::Plain);
            let last = row.len().saturating_sub(1);
            for (index, ((cell, class), width)) in row.into_iter().zip(&widths).enumerate() {
                let cell = clean(&cell);
                let pad = if index == last { 0 } else { width.saturating_sub(cell.width()) + 2 };
                line.push(cell, class);
                if pad > 0 {
                    line.push(" ".repeat(pad), TextClass::Plain);
                }
            }
            self.lines.push(line);
        }
    }

    /// A JSON value as an indented tree: `key:  value`, values of one mapping aligned, short lists of scalars
    /// inline, lists of mappings with dashes, multi-line text as an indented block.
    fn tree<'a>(&mut self, value: &'a Value, indent: usize, path: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                let width = map.keys().map(|key| key.width()).max().unwrap_or(0) + 1;
                for (key, child) in map {
                    path.push(key);
                    let mut line = StyledLine::default();
                    line.push(" ".repeat(indent), TextClass::Plain);
                    line.push(format!("{key}:"), TextClass::Key);
                    match child {
                        Value::Object(inner) if !inner.is_empty() => {
                            self.lines.push(line);
                            self.tree(child, indent + 2, path);
                        }
                        // kubectl style: a list's dashes line up with its key.
                        Value::Array(items) if !items.is_empty() && inline_list(items).is_none() => {
                            self.lines.push(line);
                            self.tree(child, indent, path);
                        }
                        _ => {
                            line.push(" ".repeat(width - key.width() + 1), TextClass::Plain);
                            self.scalar(child, indent + 2, line, path);
                        }
                    }
                    path.pop();
                }
            }
            Value::Array(items) => {
                for item in items {
                    let start = self.lines.len();
                    match item {
                        Value::Object(inner) if !inner.is_empty() => self.tree(item, indent + 2, path),
                        Value::Array(inner) if !inner.is_empty() && inline_list(inner).is_none() => {
                            self.tree(item, indent + 2, path)
                        }
                        _ => {
                            let mut line = StyledLine::default();
                            line.push(" ".repeat(indent + 2), TextClass::Plain);
                            self.scalar(item, indent + 2, line, path);
                        }
                    }
                    // Turn the item's first line's indentation into its dash.
                    if let Some(first) = self.lines.get_mut(start).and_then(|line| line.spans.first_mut()) {
                        first.text =
                            format!("{}- {}", " ".repeat(indent), &first.text[(indent + 2).min(first.text.len())..]);
                    }
                }
            }
            scalar => {
                let mut line = StyledLine::default();
                line.push(" ".repeat(indent), TextClass::Plain);
                self.scalar(scalar, indent, line, path);
            }
        }
    }

    /// Ends `line` with a scalar (or an inline list) and pushes it; multi-line text continues at `indent`.
    fn scalar(&mut self, value: &Value, indent: usize, mut line: StyledLine, path: &[&str]) {
        let masked = matches!(value, Value::String(_) | Value::Number(_)) && self.masking.masks(path);
        match value {
            _ if masked => line.push(MASK, TextClass::Masked),
            Value::String(text) if text.trim_end().contains('\n') => {
                line.push("|", TextClass::Punctuation);
                self.lines.push(line);
                for text in text.trim_end().lines() {
                    let mut content = StyledLine::default();
                    content.push(" ".repeat(indent), TextClass::Plain);
                    content.push(clean(text), TextClass::Value);
                    self.lines.push(content);
                }
                return;
            }
            Value::String(text) => line.push(clean(text), TextClass::Value),
            Value::Array(items) => {
                let masked = self.masking.masks(path);
                let text = if masked { Some(format!("[{MASK}]")) } else { inline_list(items) };
                line.push(
                    text.unwrap_or_else(|| "[]".to_string()),
                    if masked { TextClass::Masked } else { TextClass::Value },
                );
            }
            Value::Object(_) => line.push("{}", TextClass::Muted),
            Value::Null => line.push("<none>", TextClass::Muted),
            other => line.push(other.to_string(), TextClass::Value),
        }
        self.lines.push(line);
    }
}

/// `[a, b, c]` for a list of single-line scalars that fits [`INLINE_LIST_WIDTH`].
fn inline_list(items: &[Value]) -> Option<String> {
    let mut parts = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::String(text) if !text.contains('\n') => parts.push(clean(text)),
            Value::Number(_) | Value::Bool(_) => parts.push(item.to_string()),
            _ => return None,
        }
    }
    let text = format!("[{}]", parts.join(", "));
    (text.width() <= INLINE_LIST_WIDTH).then_some(text)
}

/// The class a condition's type and status are coloured with. Most types are good when True; the
/// negative-polarity ones (present only while True) are bad when True, and `Reconciling` is work in progress.
pub fn condition_class(type_: &str, status: &str) -> TextClass {
    const NEGATIVE: &[&str] = &[
        "Stalled",
        "ArtifactOutdated",
        "FetchFailed",
        "BuildFailed",
        "StorageOperationFailed",
        "IncludeUnavailable",
        "Drifted",
    ];
    match (type_, status) {
        (_, "Unknown") | ("Reconciling", "True") => TextClass::Reconciling,
        ("Reconciling", _) => TextClass::Muted,
        (type_, "True") if NEGATIVE.contains(&type_) => TextClass::Failed,
        (type_, _) if NEGATIVE.contains(&type_) => TextClass::Ready,
        (_, "True") => TextClass::Ready,
        (_, "False") => TextClass::Failed,
        _ => TextClass::Muted,
    }
}

/// Text without control characters (tabs become spaces), so nothing a controller or a user wrote can move the
/// terminal's cursor.
fn clean(text: &str) -> String {
    text.chars()
        .filter_map(|c| {
            if c == '\t' {
                Some(' ')
            } else if c.is_control() {
                None
            } else {
                Some(c)
            }
        })
        .collect()
}

#[cfg(test)]
#[path = "describe_tests.rs"]
mod tests;
