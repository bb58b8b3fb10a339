//! The text of a Kustomization's diff, shared by the TUI's diff screen and `fluxtui diff`: a summary of the counts,
//! then one `► <object> <verb>` line per object that differs (or failed, or was skipped) in `flux diff`'s
//! wording, each drift followed by its unified diff, coloured by line (additions, removals, hunk headers).

use crate::controllers::kustomization::{Drift, KustomizationDiff, ObjectDrift};
use crate::model::text::{StyledLine, TextClass};

/// `2 drifted, 1 created, 1 pruned` (the kinds that are differences), or `no drift`.
pub fn drift_summary(diff: &KustomizationDiff) -> String {
    let parts: Vec<String> = [(Drift::Drifted, "drifted"), (Drift::Created, "created"), (Drift::Pruned, "pruned")]
        .iter()
        .map(|(drift, word)| (diff.count(*drift), word))
        .filter(|(count, _)| *count > 0)
        .map(|(count, word)| format!("{count} {word}"))
        .collect();
    let mut summary = if parts.is_empty() { "no drift".to_string() } else { parts.join(", ") };
    let failed = diff.count(Drift::Failed);
    if failed > 0 {
        summary.push_str(&format!(", {failed} failed"));
    }
    summary
}

/// The header line: the summary, what was built, and the objects left alone.
pub fn drift_header(diff: &KustomizationDiff) -> StyledLine {
    let mut line = StyledLine::default();
    let class = if diff.has_failures() {
        TextClass::Failed
    } else if diff.has_differences() {
        TextClass::Reconciling
    } else {
        TextClass::Ready
    };
    line.push(drift_summary(diff), class);
    let unchanged = diff.count(Drift::Unchanged);
    let skipped = diff.count(Drift::Skipped);
    line.push(
        format!("  ({unchanged} unchanged, {skipped} skipped; built from {})", diff.built_from),
        TextClass::Muted,
    );
    line
}

/// Every object that is not unchanged, with its diff (secrets masked unless `reveal`).
pub fn drift_lines(diff: &KustomizationDiff, reveal: bool) -> Vec<StyledLine> {
    let mut lines = Vec::new();
    for object in diff.objects.iter().filter(|o| o.drift != Drift::Unchanged) {
        lines.push(object_line(object));
        for text in object.diff(reveal).lines() {
            let class = match text.chars().next() {
                Some('+') => TextClass::Added,
                Some('-') => TextClass::Removed,
                Some('@') => TextClass::Muted,
                _ => TextClass::Plain,
            };
            let mut line = StyledLine::default();
            line.push(text, class);
            lines.push(line);
        }
    }
    lines
}

fn object_line(object: &ObjectDrift) -> StyledLine {
    let mut line = StyledLine::default();
    let (mark, class) = match object.drift {
        Drift::Failed => ("✗ ", TextClass::Failed),
        Drift::Skipped => ("► ", TextClass::Muted),
        Drift::Pruned => ("► ", TextClass::Removed),
        Drift::Created => ("► ", TextClass::Added),
        Drift::Drifted | Drift::Unchanged => ("► ", TextClass::Heading),
    };
    line.push(format!("{mark}{} {}", object.id, object.drift.verb()), class);
    if !object.message.is_empty() {
        line.push(format!(": {}", object.message), TextClass::Muted);
    }
    line
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::controllers::kustomization::ObjectId;

    fn object(kind: &str, name: &str, drift: Drift) -> ObjectDrift {
        let id =
            ObjectId::of(&json!({"apiVersion": "v1", "kind": kind, "metadata": {"name": name, "namespace": "apps"}}))
                .expect("an id");
        ObjectDrift { id, drift, live: None, merged: None, message: String::new() }
    }

    #[test]
    fn prints_objects_as_flux_diff_with_their_diffs() {
        let mut drifted = object("Secret", "creds", Drift::Drifted);
        drifted.live = Some(json!({"apiVersion": "v1", "kind": "Secret", "data": {"token": "b2xk"}}));
        drifted.merged = Some(json!({"apiVersion": "v1", "kind": "Secret", "data": {"token": "bmV3"}}));
        let diff = KustomizationDiff {
            built_from: "main@sha1:abc".into(),
            objects: vec![
                object("ConfigMap", "same", Drift::Unchanged),
                drifted,
                object("ConfigMap", "new", Drift::Created),
                object("ConfigMap", "old", Drift::Pruned),
            ],
        };
        assert_eq!(drift_summary(&diff), "1 drifted, 1 created, 1 pruned");
        let text: Vec<String> = drift_lines(&diff, false).iter().map(StyledLine::text).collect();
        assert_eq!(text[0], "► Secret/apps/creds drifted");
        assert!(text.iter().any(|l| l.starts_with("-  token: ") && l.ends_with("(before)")), "{text:?}");
        assert!(!text.iter().any(|l| l.contains("bmV3")), "{text:?}");
        assert_eq!(&text[text.len() - 2..], ["► ConfigMap/apps/new created", "► ConfigMap/apps/old deleted"]);
        let revealed: Vec<String> = drift_lines(&diff, true).iter().map(StyledLine::text).collect();
        assert!(revealed.contains(&"+  token: bmV3".to_string()), "{revealed:?}");
        let none =
            KustomizationDiff { built_from: "x".into(), objects: vec![object("ConfigMap", "c", Drift::Unchanged)] };
        assert_eq!(drift_summary(&none), "no drift");
        assert!(drift_lines(&none, false).is_empty());
    }
}
