//! The HelmRelease detail: the release history (`status.history`), the values actually applied (the merged
//! `config` of the Helm release) and where values come from (`spec.values`, `spec.valuesFrom`), with secret
//! values masked until revealed.

use serde_json::Value;

use super::secrets::MASK;
use super::text::{StyledLine, TextClass};
use super::yaml::yaml_lines;

/// The values of the current Helm release, as read from its storage Secret (or why they could not be read).
#[derive(Debug, Clone, PartialEq)]
pub struct AppliedValues {
    /// `<release>.v<version>`.
    pub release: String,
    pub config: Value,
}

/// What the cluster holds for one `valuesFrom` source: a missing object or key fails the release unless the
/// source is optional, so the detail says which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceCheck {
    pub kind: String,
    pub name: String,
    pub state: SourceState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceState {
    /// The object exists; `has_key` says whether it holds the values key.
    Found {
        has_key: bool,
    },
    NotFound,
    /// Could not be read (forbidden...), with why.
    Unreadable(String),
}

/// Checks one source object (or its absence) against a `valuesFrom` entry.
pub fn check_source(source: &Value, object: Option<&Value>) -> SourceState {
    let Some(object) = object else { return SourceState::NotFound };
    let key = Some(text(source, "/valuesKey")).filter(|k| !k.is_empty()).unwrap_or("values.yaml");
    let has_key = ["/data", "/stringData", "/binaryData"]
        .iter()
        .any(|pointer| object.pointer(pointer).and_then(|data| data.get(key)).is_some());
    SourceState::Found { has_key }
}

fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn heading(text: &str) -> StyledLine {
    let mut line = StyledLine::default();
    line.push(text, TextClass::Heading);
    line
}

fn indented(lines: Vec<StyledLine>) -> impl Iterator<Item = StyledLine> {
    lines.into_iter().map(|mut line| {
        line.spans.insert(0, super::text::StyledSpan { text: "  ".to_string(), class: TextClass::Plain });
        line
    })
}

/// Shortens `sha256:abcdef…` digests to 12 hex characters for the table.
fn short_digest(digest: &str) -> String {
    match digest.split_once(':') {
        // By characters: a status written by hand may hold anything.
        Some((algorithm, hex)) if hex.chars().count() > 12 => {
            format!("{algorithm}:{}", hex.chars().take(12).collect::<String>())
        }
        _ => digest.to_string(),
    }
}

/// `2026-11-24T11:00:00Z` as `2026-11-24 11:00`: minutes are what people compare in a history.
fn short_time(time: &str) -> String {
    if time.len() >= 16 && time.is_char_boundary(16) { time[..16].replacen('T', " ", 1) } else { time.to_string() }
}

fn status_class(status: &str) -> TextClass {
    match status {
        "deployed" => TextClass::Ready,
        "failed" => TextClass::Failed,
        "superseded" | "uninstalled" => TextClass::Muted,
        _ => TextClass::Reconciling,
    }
}

/// The detail text. `applied` is `None` while the release is being read.
pub fn helm_release_lines(
    helm_release: &Value,
    applied: Option<&Result<AppliedValues, String>>,
    sources: &[SourceCheck],
    reveal: bool,
) -> Vec<StyledLine> {
    let mut lines = Vec::new();
    lines.push(heading("History (status.history, newest first)"));
    let history = helm_release.pointer("/status/history").and_then(Value::as_array).cloned().unwrap_or_default();
    if history.is_empty() {
        lines.push(StyledLine::plain("  no release yet"));
    } else {
        let mut header = StyledLine::default();
        header.push(
            format!(
                "  {:<4} {:<22} {:<12} {:<11} {:<20} {:<17} {:<17} {}",
                "REV", "CHART", "APP VERSION", "STATUS", "CONFIG DIGEST", "FIRST DEPLOYED", "LAST DEPLOYED", "TESTS"
            ),
            TextClass::Muted,
        );
        lines.push(header);
        for snapshot in &history {
            let version = snapshot.get("version").and_then(Value::as_i64).unwrap_or(0);
            let chart = format!("{}@{}", text(snapshot, "/chartName"), text(snapshot, "/chartVersion"));
            let status = text(snapshot, "/status");
            let tests = test_summary(snapshot);
            let mut line = StyledLine::default();
            line.push(
                format!("  {:<4} {:<22} {:<12} ", version, chart, text(snapshot, "/appVersion")),
                TextClass::Plain,
            );
            line.push(format!("{status:<11} "), status_class(status));
            line.push(
                format!(
                    "{:<20} {:<17} {:<17} {}",
                    short_digest(text(snapshot, "/configDigest")),
                    short_time(text(snapshot, "/firstDeployed")),
                    short_time(text(snapshot, "/lastDeployed")),
                    tests
                ),
                TextClass::Plain,
            );
            lines.push(line);
        }
    }
    lines.push(StyledLine::default());

    let values_from = helm_release.pointer("/spec/valuesFrom").and_then(Value::as_array).cloned().unwrap_or_default();
    let secret_sources: Vec<String> = values_from
        .iter()
        .filter(|source| text(source, "/kind") == "Secret")
        .map(|source| text(source, "/name").to_string())
        .collect();

    match applied {
        None => {
            lines.push(heading("Values applied"));
            lines.push(StyledLine::plain("  reading the Helm release…"));
        }
        Some(Err(message)) => {
            lines.push(heading("Values applied"));
            let mut line = StyledLine::default();
            line.push(format!("  cannot read the Helm release: {message}"), TextClass::Failed);
            lines.push(line);
        }
        Some(Ok(values)) => {
            lines.push(heading(&format!("Values applied (release {}, merged by the helm-controller)", values.release)));
            let empty = values.config.as_object().is_none_or(|map| map.is_empty());
            if empty {
                lines.push(StyledLine::plain("  none: the chart's defaults"));
            } else if !secret_sources.is_empty() && !reveal {
                // Values merged from a Secret cannot be told apart from the others once merged: all stay hidden.
                let mut line = StyledLine::default();
                line.push(format!("  {MASK}"), TextClass::Masked);
                line.push(
                    format!("  (merged with values from Secret {}: reveal to show)", secret_sources.join(", ")),
                    TextClass::Muted,
                );
                lines.push(line);
            } else {
                lines.extend(indented(yaml_lines(&values.config, reveal)));
            }
        }
    }
    lines.push(StyledLine::default());

    lines.push(heading("Values sources (merged in this order, later ones win)"));
    let mut index = 0;
    for source in &values_from {
        index += 1;
        let mut line = StyledLine::default();
        line.push(format!("  {index}. "), TextClass::Muted);
        line.push(format!("{} {}", text(source, "/kind"), text(source, "/name")), TextClass::Key);
        let key = Some(text(source, "/valuesKey")).filter(|k| !k.is_empty()).unwrap_or("values.yaml");
        line.push(format!("  key {key}"), TextClass::Plain);
        let target = text(source, "/targetPath");
        if !target.is_empty() {
            line.push(format!("  targetPath {target}"), TextClass::Plain);
        }
        let optional = source.get("optional").and_then(Value::as_bool) == Some(true);
        line.push(if optional { "  optional" } else { "  required" }, TextClass::Muted);
        let check =
            sources.iter().find(|check| check.kind == text(source, "/kind") && check.name == text(source, "/name"));
        let problem = if optional { TextClass::Muted } else { TextClass::Failed };
        match check.map(|check| &check.state) {
            Some(SourceState::Found { has_key: true }) => line.push("  found", TextClass::Ready),
            Some(SourceState::Found { has_key: false }) => line.push(format!("  no key {key} in it"), problem),
            Some(SourceState::NotFound) => line.push("  not found", problem),
            Some(SourceState::Unreadable(why)) => line.push(format!("  cannot read: {why}"), TextClass::Reconciling),
            None => {}
        }
        lines.push(line);
    }
    let inline =
        helm_release.pointer("/spec/values").filter(|values| values.as_object().is_some_and(|map| !map.is_empty()));
    let mut line = StyledLine::default();
    line.push(format!("  {}. ", index + 1), TextClass::Muted);
    line.push("spec.values", TextClass::Key);
    line.push(if inline.is_some() { "  (inline)" } else { "  (none)" }, TextClass::Muted);
    lines.push(line);
    if let Some(values) = inline {
        lines.extend(indented(indented(yaml_lines(values, reveal)).collect()));
    }
    lines
}

fn test_summary(snapshot: &Value) -> String {
    let Some(hooks) = snapshot.get("testHooks").and_then(Value::as_object) else { return "-".to_string() };
    if hooks.is_empty() {
        return "-".to_string();
    }
    let mut phases: Vec<String> = hooks
        .iter()
        .map(|(name, hook)| format!("{name}: {}", hook.get("phase").and_then(Value::as_str).unwrap_or("?")))
        .collect();
    phases.sort();
    phases.join(", ")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn text_of(lines: &[StyledLine]) -> String {
        lines.iter().map(|line| line.text() + "\n").collect()
    }

    fn release() -> Value {
        json!({"kind": "HelmRelease", "spec": {"values": {"auth": {"password": "hunter2"}, "replicas": 2},
            "valuesFrom": [{"kind": "ConfigMap", "name": "overrides", "targetPath": "replicas"}]},
            "status": {"history": [{"version": 2, "chartName": "tiny", "chartVersion": "0.1.0", "appVersion": "1.0",
                "status": "deployed", "configDigest": "sha256:0123456789abcdef0123", "firstDeployed": "2026-11-24T11:00:00Z",
                "lastDeployed": "2026-11-24T11:30:00Z", "testHooks": {"tiny-test": {"phase": "Succeeded"}}}]}})
    }

    #[test]
    fn history_values_and_sources_are_shown_with_secrets_masked() {
        let applied =
            Ok(AppliedValues { release: "tiny.v2".to_string(), config: json!({"auth": {"password": "hunter2"}}) });
        let text = text_of(&helm_release_lines(&release(), Some(&applied), &[], false));
        assert!(text.contains("2    tiny@0.1.0"), "{text}");
        assert!(text.contains("2026-11-24 11:30"), "{text}");
        assert!(text.contains("sha256:0123456789ab "), "{text}");
        assert!(text.contains("tiny-test: Succeeded"), "{text}");
        assert!(text.contains("release tiny.v2"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("ConfigMap overrides  key values.yaml  targetPath replicas  required"), "{text}");
        let revealed = text_of(&helm_release_lines(&release(), Some(&applied), &[], true));
        assert!(revealed.contains("password: hunter2"), "{revealed}");
    }

    #[test]
    fn values_merged_from_a_secret_stay_hidden_until_revealed() {
        let mut hr = release();
        hr["spec"]["valuesFrom"] = json!([{"kind": "Secret", "name": "creds"}]);
        let applied = Ok(AppliedValues { release: "tiny.v2".to_string(), config: json!({"db": {"host": "x"}}) });
        let text = text_of(&helm_release_lines(&hr, Some(&applied), &[], false));
        assert!(!text.contains("host: x") && text.contains("Secret creds"), "{text}");
        let failed = Err("release tiny not found".to_string());
        let text = text_of(&helm_release_lines(&hr, Some(&failed), &[], false));
        assert!(text.contains("cannot read the Helm release: release tiny not found"), "{text}");
    }

    #[test]
    fn odd_digests_and_times_do_not_break_the_history() {
        assert_eq!(short_digest("sha256:ééééééééééééééé"), "sha256:éééééééééééé");
        assert_eq!(short_time("2026-11-24Té"), "2026-11-24Té");
        assert_eq!(short_time("2026-11-24T11:00:00Z"), "2026-11-24 11:00");
    }

    #[test]
    fn values_sources_say_whether_the_cluster_has_them() {
        let mut hr = release();
        hr["spec"]["valuesFrom"] = json!([{"kind": "Secret", "name": "creds", "optional": true},
            {"kind": "ConfigMap", "name": "overrides", "valuesKey": "extra.yaml"}, {"kind": "ConfigMap", "name": "gone"}]);
        let configmap = json!({"kind": "ConfigMap", "data": {"values.yaml": "a: 1"}});
        let sources = vec![
            SourceCheck { kind: "Secret".into(), name: "creds".into(), state: SourceState::NotFound },
            SourceCheck {
                kind: "ConfigMap".into(),
                name: "overrides".into(),
                state: check_source(&hr["spec"]["valuesFrom"][1], Some(&configmap)),
            },
            SourceCheck { kind: "ConfigMap".into(), name: "gone".into(), state: check_source(&json!({}), None) },
        ];
        let text = text_of(&helm_release_lines(&hr, None, &sources, false));
        assert!(text.contains("Secret creds  key values.yaml  optional  not found"), "{text}");
        assert!(text.contains("ConfigMap overrides  key extra.yaml  required  no key extra.yaml in it"), "{text}");
        assert!(text.contains("ConfigMap gone  key values.yaml  required  not found"), "{text}");
        assert_eq!(check_source(&json!({}), Some(&configmap)), SourceState::Found { has_key: true });
    }
}
