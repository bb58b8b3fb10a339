//! `flux trace`: for an object managed by Flux, the chain object -> Kustomization/HelmRelease (-> the
//! Kustomization that applied it, and so on) -> source -> revision, with the status of each step.
//!
//! Pure: the object and its owners (Pod -> ReplicaSet -> Deployment, read by the caller) come in as JSON, and
//! the Flux objects are looked up through a function, which the TUI answers from its live stores.

use std::collections::BTreeSet;

use serde_json::Value;

use super::text::{StyledLine, TextClass};
use super::tree::{LiveStatus, live_status};
use crate::api::FluxKind;

/// Finds a Flux object by kind, namespace and name (as JSON).
pub type FindFlux<'a> = &'a dyn Fn(FluxKind, &str, &str) -> Option<Value>;

/// One block of the trace.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceStep {
    /// What the step is: `Object`, `Kustomization`, `HelmRelease`, `Source`...
    pub role: String,
    /// `Kind/namespace/name`.
    pub object: String,
    pub status: LiveStatus,
    /// Label, value, and how to colour the value.
    pub fields: Vec<(String, String, TextClass)>,
}

const MAX_STEPS: usize = 16;

fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn label_of(value: &Value) -> String {
    let (kind, namespace, name) =
        (text(value, "/kind"), text(value, "/metadata/namespace"), text(value, "/metadata/name"));
    if namespace.is_empty() { format!("{kind}/{name}") } else { format!("{kind}/{namespace}/{name}") }
}

fn status_class(status: LiveStatus) -> TextClass {
    match status {
        LiveStatus::Current => TextClass::Ready,
        LiveStatus::InProgress => TextClass::Reconciling,
        _ => TextClass::Failed,
    }
}

/// The Flux object that manages `value`, from its labels: the Kustomization first, as flux trace looks.
pub fn manager_of(value: &Value) -> Option<(FluxKind, String, String)> {
    let labels = value.pointer("/metadata/labels")?;
    let label = |key: &str| labels.get(key).and_then(Value::as_str).filter(|s| !s.is_empty());
    if let (Some(name), Some(namespace)) =
        (label("kustomize.toolkit.fluxcd.io/name"), label("kustomize.toolkit.fluxcd.io/namespace"))
    {
        return Some((FluxKind::Kustomization, namespace.to_string(), name.to_string()));
    }
    if let (Some(name), Some(namespace)) =
        (label("helm.toolkit.fluxcd.io/name"), label("helm.toolkit.fluxcd.io/namespace"))
    {
        return Some((FluxKind::HelmRelease, namespace.to_string(), name.to_string()));
    }
    None
}

fn flux_kind_of(value: &Value) -> Option<FluxKind> {
    text(value, "/apiVersion").contains(".fluxcd.io/").then(|| FluxKind::from_name(text(value, "/kind"))).flatten()
}

/// The trace of `chain[0]`; `chain[1..]` are its owners upward (by ownerReferences), as read by the caller.
pub fn trace(chain: &[Value], find: FindFlux) -> Vec<TraceStep> {
    let Some(object) = chain.first() else { return Vec::new() };
    let mut steps = Vec::new();
    let (status, message) = live_status(object);
    let mut fields = vec![("Status".to_string(), status.label().to_string(), status_class(status))];
    if !message.is_empty() {
        fields.push(("Message".to_string(), message, TextClass::Plain));
    }
    if chain.len() > 1 {
        let owners: Vec<String> = chain[1..].iter().map(label_of).collect();
        fields.push(("Owned by".to_string(), owners.join(" → "), TextClass::Plain));
    }
    let manager = chain.iter().find_map(manager_of);
    let mut next = match (manager, flux_kind_of(object)) {
        (Some(manager), _) => {
            fields.push((
                "Managed by".to_string(),
                format!("{}/{}/{}", manager.0, manager.1, manager.2),
                TextClass::Ready,
            ));
            Some(manager)
        }
        // A Flux object that no other Flux object applied (a root like flux-system): trace its own source.
        (None, Some(kind)) => {
            Some((kind, text(object, "/metadata/namespace").to_string(), text(object, "/metadata/name").to_string()))
        }
        (None, None) => {
            fields.push(("Managed by".to_string(), "object not managed by Flux".to_string(), TextClass::Muted));
            None
        }
    };
    let traced_is_flux = flux_kind_of(object).is_some();
    steps.push(TraceStep { role: "Object".to_string(), object: label_of(object), status, fields });
    let mut seen = BTreeSet::new();
    let mut first = true;
    while let Some((kind, namespace, name)) = next.take() {
        if steps.len() >= MAX_STEPS || !seen.insert((kind, namespace.clone(), name.clone())) {
            break;
        }
        // The traced Flux object is already the first step; go straight to its source.
        let skip_self = first && traced_is_flux && manager_of(object).is_none();
        first = false;
        let Some(manager) = find(kind, &namespace, &name) else {
            steps.push(TraceStep {
                role: kind.name().to_string(),
                object: format!("{kind}/{namespace}/{name}"),
                status: LiveStatus::NotFound,
                fields: vec![("Status".to_string(), "not found in the cluster".to_string(), TextClass::Failed)],
            });
            break;
        };
        source_steps(&manager, find, &mut steps, skip_self);
        next = manager_of(&manager);
    }
    // The order reads object -> manager -> its source -> the manager's manager -> its source...
    steps
}

/// Pushes the manager's step (unless it is the traced object itself), then its source's, and compares what the
/// manager applied with what the source offers. Returns the source's artifact revision.
fn source_steps(manager: &Value, find: FindFlux, steps: &mut Vec<TraceStep>, skip_self: bool) -> Option<String> {
    let kind = flux_kind_of(manager)?;
    let namespace = text(manager, "/metadata/namespace").to_string();
    let (status, message) = live_status(manager);
    let mut fields = vec![("Status".to_string(), status.label().to_string(), status_class(status))];
    if !message.is_empty() {
        fields.push(("Message".to_string(), message, TextClass::Plain));
    }
    if manager.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true) {
        fields.push(("Suspended".to_string(), "yes: changes are not applied".to_string(), TextClass::Suspended));
    }
    let mut sources = Vec::new();
    match kind {
        FluxKind::Kustomization => {
            if let Some(path) = manager.pointer("/spec/path").and_then(Value::as_str) {
                fields.push(("Path".to_string(), path.to_string(), TextClass::Plain));
            }
            let reference = manager.pointer("/spec/sourceRef");
            if let Some(reference) = reference {
                let source_ns = Some(text(reference, "/namespace")).filter(|ns| !ns.is_empty()).unwrap_or(&namespace);
                sources.push((
                    text(reference, "/kind").to_string(),
                    source_ns.to_string(),
                    text(reference, "/name").to_string(),
                ));
            }
        }
        FluxKind::HelmRelease => {
            if let Some(snapshot) = manager.pointer("/status/history/0") {
                let chart = format!("{}@{}", text(snapshot, "/chartName"), text(snapshot, "/chartVersion"));
                fields.push(("Chart".to_string(), chart, TextClass::Plain));
                let release = format!(
                    "{}.v{} ({})",
                    text(snapshot, "/name"),
                    snapshot.get("version").and_then(Value::as_i64).unwrap_or(0),
                    text(snapshot, "/status")
                );
                fields.push(("Release".to_string(), release, TextClass::Plain));
            }
            if let Some(reference) = manager.pointer("/spec/chartRef") {
                let source_ns = Some(text(reference, "/namespace")).filter(|ns| !ns.is_empty()).unwrap_or(&namespace);
                sources.push((
                    text(reference, "/kind").to_string(),
                    source_ns.to_string(),
                    text(reference, "/name").to_string(),
                ));
            } else if let Some((chart_ns, chart_name)) = text(manager, "/status/helmChart").split_once('/') {
                sources.push(("HelmChart".to_string(), chart_ns.to_string(), chart_name.to_string()));
            } else if let Some(reference) = manager.pointer("/spec/chart/spec/sourceRef") {
                let source_ns = Some(text(reference, "/namespace")).filter(|ns| !ns.is_empty()).unwrap_or(&namespace);
                sources.push((
                    text(reference, "/kind").to_string(),
                    source_ns.to_string(),
                    text(reference, "/name").to_string(),
                ));
            }
        }
        _ => {
            if let Some(reference) = manager.pointer("/spec/sourceRef") {
                let source_ns = Some(text(reference, "/namespace")).filter(|ns| !ns.is_empty()).unwrap_or(&namespace);
                sources.push((
                    text(reference, "/kind").to_string(),
                    source_ns.to_string(),
                    text(reference, "/name").to_string(),
                ));
            }
        }
    }
    let applied = text(manager, "/status/lastAppliedRevision").to_string();
    let attempted = text(manager, "/status/lastAttemptedRevision").to_string();
    if !applied.is_empty() {
        fields.push(("Applied revision".to_string(), applied.clone(), TextClass::Plain));
    }
    if !attempted.is_empty() && attempted != applied {
        fields.push(("Attempted revision".to_string(), attempted, TextClass::Reconciling));
    }
    let manager_index = steps.len();
    if !skip_self {
        steps.push(TraceStep { role: kind.name().to_string(), object: label_of(manager), status, fields });
    }
    // The source, and for a HelmChart its own source (HelmRepository, GitRepository, Bucket).
    let mut artifact_revision = None;
    let mut depth = 0;
    while let Some((source_kind, source_ns, source_name)) = sources.pop() {
        depth += 1;
        if depth > 3 {
            break;
        }
        let label = format!("{source_kind}/{source_ns}/{source_name}");
        let Some(kind) = FluxKind::from_name(&source_kind) else {
            steps.push(TraceStep {
                role: "Source".to_string(),
                object: label,
                status: LiveStatus::Unknown,
                fields: vec![],
            });
            continue;
        };
        let Some(source) = find(kind, &source_ns, &source_name) else {
            let fields = vec![("Status".to_string(), "not found in the cluster".to_string(), TextClass::Failed)];
            steps.push(TraceStep { role: "Source".to_string(), object: label, status: LiveStatus::NotFound, fields });
            continue;
        };
        let (status, message) = live_status(&source);
        let mut fields = vec![("Status".to_string(), status.label().to_string(), status_class(status))];
        if !message.is_empty() {
            fields.push(("Message".to_string(), message, TextClass::Plain));
        }
        for (label, pointer) in [
            ("URL", "/spec/url"),
            ("Branch", "/spec/ref/branch"),
            ("Tag", "/spec/ref/tag"),
            ("Chart", "/spec/chart"),
            ("Version", "/spec/version"),
        ] {
            let value = text(&source, pointer);
            if !value.is_empty() {
                fields.push((label.to_string(), value.to_string(), TextClass::Plain));
            }
        }
        if source.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true) {
            fields.push((
                "Suspended".to_string(),
                "yes: no new revisions are fetched".to_string(),
                TextClass::Suspended,
            ));
        }
        let revision = text(&source, "/status/artifact/revision").to_string();
        if !revision.is_empty() {
            fields.push(("Revision".to_string(), revision.clone(), TextClass::Plain));
            artifact_revision.get_or_insert(revision);
        }
        if kind == FluxKind::HelmChart
            && let Some(reference) = source.pointer("/spec/sourceRef")
        {
            sources.push((
                text(reference, "/kind").to_string(),
                source_ns.clone(),
                text(reference, "/name").to_string(),
            ));
        }
        steps.push(TraceStep { role: "Source".to_string(), object: label, status, fields });
    }
    // Whether the manager applied what its source offers now.
    if kind == FluxKind::Kustomization
        && let Some(revision) = &artifact_revision
        && !skip_self
        && let Some(step) = steps.get_mut(manager_index)
    {
        let applied = text(manager, "/status/lastAppliedRevision");
        let (verdict, class) = if applied == revision {
            ("up to date with its source".to_string(), TextClass::Ready)
        } else if applied.is_empty() {
            (format!("nothing applied yet; the source offers {revision}"), TextClass::Reconciling)
        } else {
            (format!("behind: the source offers {revision}"), TextClass::Reconciling)
        };
        step.fields.push(("Source revision".to_string(), verdict, class));
    }
    artifact_revision
}

/// The steps as text: one block per step, separated by `---` as flux trace does.
pub fn trace_lines(steps: &[TraceStep]) -> Vec<StyledLine> {
    let mut lines = Vec::new();
    for (index, step) in steps.iter().enumerate() {
        if index > 0 {
            lines.push(StyledLine::plain("  │"));
        }
        let mut heading = StyledLine::default();
        heading.push(format!("{:<14}", step.role), TextClass::Heading);
        heading.push(step.object.clone(), TextClass::Key);
        lines.push(heading);
        for (label, value, class) in &step.fields {
            let mut line = StyledLine::default();
            line.push(format!("  {:<20}", format!("{label}:")), TextClass::Muted);
            line.push(value.clone(), *class);
            lines.push(line);
        }
    }
    lines
}

#[cfg(test)]
#[path = "trace_tests.rs"]
mod tests;
