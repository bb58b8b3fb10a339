//! The overview pane: how many objects of each kind are in each state, and which ones need attention.

use std::cmp::Reverse;

use chrono::{DateTime, Utc};

use super::duration::parse_time;
use super::readiness::Readiness;
use super::row::Row;
use crate::api::FluxKind;

/// How many rows the attention list keeps: a screen's worth; the kind tables hold the rest.
pub const ATTENTION_CAP: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindCounts {
    pub kind: FluxKind,
    pub total: usize,
    pub ready: usize,
    pub failing: usize,
    pub reconciling: usize,
    pub suspended: usize,
    pub unknown: usize,
}

impl KindCounts {
    fn new(kind: FluxKind) -> KindCounts {
        KindCounts { kind, total: 0, ready: 0, failing: 0, reconciling: 0, suspended: 0, unknown: 0 }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Overview {
    /// One entry per kind that has objects, in [`FluxKind::ALL`] order.
    pub per_kind: Vec<KindCounts>,
    /// Failing rows, then reconciling ones, each newest Ready transition first, at most [`ATTENTION_CAP`].
    pub failing: Vec<Row>,
}

pub fn overview<'a>(rows: impl Iterator<Item = &'a Row>) -> Overview {
    let mut counts: Vec<KindCounts> = FluxKind::ALL.into_iter().map(KindCounts::new).collect();
    let mut attention: Vec<(&Row, Option<DateTime<Utc>>)> = Vec::new();
    for row in rows {
        let Some(entry) = counts.iter_mut().find(|counts| counts.kind == row.key.kind) else { continue };
        entry.total += 1;
        match row.readiness {
            Readiness::Ready => entry.ready += 1,
            Readiness::Failed => entry.failing += 1,
            Readiness::Reconciling => entry.reconciling += 1,
            Readiness::Suspended => entry.suspended += 1,
            Readiness::Unknown => entry.unknown += 1,
        }
        if matches!(row.readiness, Readiness::Failed | Readiness::Reconciling) {
            attention.push((row, ready_transition(row)));
        }
    }
    // Readiness orders Failed before Reconciling; a missing time sorts last; the key settles ties, so the
    // order does not depend on the order the rows came in.
    attention.sort_by(|(a, a_time), (b, b_time)| {
        (a.readiness, Reverse(*a_time), &a.key).cmp(&(b.readiness, Reverse(*b_time), &b.key))
    });
    Overview {
        per_kind: counts.into_iter().filter(|counts| counts.total > 0).collect(),
        failing: attention.into_iter().take(ATTENTION_CAP).map(|(row, _)| row.clone()).collect(),
    }
}

/// When the Ready condition last changed: when this object started failing (or started reconciling).
fn ready_transition(row: &Row) -> Option<DateTime<Utc>> {
    row.object.condition("Ready").and_then(|ready| ready.last_transition_time.as_deref()).and_then(parse_time)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::api::AnyFluxObject;

    fn row(kind: &str, name: &str, ready: Option<(&str, &str)>, suspend: bool) -> Row {
        let api_version = match kind {
            "HelmRelease" => "helm.toolkit.fluxcd.io/v2",
            "Kustomization" => "kustomize.toolkit.fluxcd.io/v1",
            _ => "source.toolkit.fluxcd.io/v1",
        };
        let conditions = match ready {
            Some((status, time)) => {
                json!([{"type": "Ready", "status": status, "reason": "Test", "lastTransitionTime": time}])
            }
            None => json!([]),
        };
        let value = json!({
            "apiVersion": api_version, "kind": kind,
            "metadata": {"name": name, "namespace": "flux-system"},
            "spec": {"interval": "5m", "suspend": suspend},
            "status": {"conditions": conditions}
        });
        Row::from_object(Arc::new(AnyFluxObject::from_value(value))).expect("a Flux kind")
    }

    #[test]
    fn counts_per_kind_and_lists_trouble_first() {
        let rows = [
            row("Kustomization", "ok", Some(("True", "2024-05-01T10:00:00Z")), false),
            row("Kustomization", "old-failure", Some(("False", "2024-05-01T09:00:00Z")), false),
            row("Kustomization", "new-failure", Some(("False", "2024-05-01T11:00:00Z")), false),
            row("Kustomization", "paused", Some(("False", "2024-05-01T11:30:00Z")), true),
            row("HelmRelease", "progressing", Some(("Unknown", "2024-05-01T11:45:00Z")), false),
            row("HelmRelease", "never", None, false),
            row("GitRepository", "failing-no-time", Some(("False", "")), false),
        ];
        let overview = overview(rows.iter());
        let kinds: Vec<FluxKind> = overview.per_kind.iter().map(|counts| counts.kind).collect();
        assert_eq!(kinds, [FluxKind::GitRepository, FluxKind::Kustomization, FluxKind::HelmRelease]);
        assert_eq!(
            overview.per_kind[1],
            KindCounts {
                kind: FluxKind::Kustomization,
                total: 4,
                ready: 1,
                failing: 2,
                reconciling: 0,
                suspended: 1,
                unknown: 0
            }
        );
        assert_eq!((overview.per_kind[2].reconciling, overview.per_kind[2].unknown), (1, 1));
        let names: Vec<&str> = overview.failing.iter().map(|row| row.key.name.as_str()).collect();
        assert_eq!(names, ["new-failure", "old-failure", "failing-no-time", "progressing"]);
    }

    #[test]
    fn caps_the_attention_list() {
        let rows: Vec<Row> =
            (0..ATTENTION_CAP + 10).map(|i| row("Bucket", &format!("b{i}"), Some(("False", "")), false)).collect();
        let overview = overview(rows.iter());
        assert_eq!(overview.failing.len(), ATTENTION_CAP);
        assert_eq!(overview.per_kind[0].failing, ATTENTION_CAP + 10);
        assert!(super::overview(std::iter::empty()).per_kind.is_empty());
    }
}
