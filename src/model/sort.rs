//! Ordering table rows by a column, k9s style, and the filtered, sorted index a virtualized table draws from.

use std::cmp::Ordering;

use super::filter::Filter;
use super::row::{Column, Row};

/// Which column a table is sorted by, and which way.
///
/// Ascending means, per column: names and texts A to Z with numbers in numeric order (`app-2` before
/// `app-10`); READY worst first (failed, reconciling, unknown, suspended, ready), so trouble is on top; SUSPENDED
/// running first; AGE and RECONCILED youngest first, as k9s sorts durations (a missing time counts as the
/// oldest). Ties are broken by name, then namespace, then kind, always ascending, so the order is total and
/// rows do not jump around when a store changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SortSpec {
    pub column: Column,
    pub descending: bool,
}

impl Default for SortSpec {
    fn default() -> Self {
        SortSpec { column: Column::Name, descending: false }
    }
}

impl SortSpec {
    /// Compares two rows in this order.
    pub fn compare(&self, a: &Row, b: &Row) -> Ordering {
        let primary = match self.column {
            Column::Namespace => natural_cmp(&a.key.namespace, &b.key.namespace),
            Column::Kind => natural_cmp(a.key.kind.name(), b.key.kind.name()),
            Column::Name => natural_cmp(&a.key.name, &b.key.name),
            Column::Revision => natural_cmp(&a.revision, &b.revision),
            Column::Suspended => a.suspended.cmp(&b.suspended),
            Column::Ready => a.readiness.cmp(&b.readiness),
            Column::Message => natural_cmp(&a.message, &b.message),
            // Youngest first: the later time sorts first, and `None` (unknown) is the smallest Option.
            Column::Age => b.created.cmp(&a.created),
            Column::LastReconcile => b.last_reconciled.cmp(&a.last_reconciled),
        };
        let primary = if self.descending { primary.reverse() } else { primary };
        primary
            .then_with(|| natural_cmp(&a.key.name, &b.key.name))
            .then_with(|| natural_cmp(&a.key.namespace, &b.key.namespace))
            .then_with(|| a.key.kind.cmp(&b.key.kind))
    }
}

/// Sorts rows in place (stable).
pub fn sort_rows(rows: &mut [Row], sort: SortSpec) {
    rows.sort_by(|a, b| sort.compare(a, b));
}

/// The indices of the rows the filter keeps, in sort order: what a virtualized table keeps after each store
/// change, drawing only the visible slice. Rows are not moved or cloned.
pub fn sorted_filtered_indices(rows: &[Row], filter: &Filter, sort: SortSpec) -> Vec<usize> {
    let mut indices: Vec<usize> = if filter.is_empty() {
        (0..rows.len()).collect()
    } else {
        rows.iter().enumerate().filter(|(_, row)| filter.matches(row)).map(|(index, _)| index).collect()
    };
    indices.sort_by(|a, b| sort.compare(&rows[*a], &rows[*b]));
    indices
}

/// Compares texts the way people read lists of names: ASCII case ignored (case only breaks ties), and runs of
/// digits by their value, so `podinfo-2` comes before `podinfo-10` and `v1.9` before `v1.10`.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (a_bytes, b_bytes) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a_bytes.len() && j < b_bytes.len() {
        if a_bytes[i].is_ascii_digit() && b_bytes[j].is_ascii_digit() {
            let a_end = digits_end(a_bytes, i);
            let b_end = digits_end(b_bytes, j);
            let a_number = trim_zeros(&a_bytes[i..a_end]);
            let b_number = trim_zeros(&b_bytes[j..b_end]);
            let by_value = a_number.len().cmp(&b_number.len()).then_with(|| a_number.cmp(b_number));
            if by_value != Ordering::Equal {
                return by_value;
            }
            (i, j) = (a_end, b_end);
            continue;
        }
        let by_byte = a_bytes[i].to_ascii_lowercase().cmp(&b_bytes[j].to_ascii_lowercase());
        if by_byte != Ordering::Equal {
            return by_byte;
        }
        (i, j) = (i + 1, j + 1);
    }
    (a_bytes.len() - i).cmp(&(b_bytes.len() - j)).then_with(|| a.cmp(b))
}

fn digits_end(bytes: &[u8], start: usize) -> usize {
    bytes[start..].iter().position(|byte| !byte.is_ascii_digit()).map_or(bytes.len(), |offset| start + offset)
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let first = digits.iter().position(|digit| *digit != b'0').unwrap_or(digits.len());
    &digits[first..]
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::api::AnyFluxObject;

    fn row(namespace: &str, name: &str, created: &str, ready: Option<&str>, suspend: bool) -> Row {
        let conditions = match ready {
            Some(status) => json!([{"type": "Ready", "status": status, "reason": "Test", "message": name,
                                    "lastTransitionTime": created}]),
            None => json!([]),
        };
        let value = json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": {"name": name, "namespace": namespace, "creationTimestamp": created},
            "spec": {"interval": "5m", "prune": true, "suspend": suspend},
            "status": {"conditions": conditions}
        });
        Row::from_object(Arc::new(AnyFluxObject::from_value(value))).expect("a Flux kind")
    }

    fn rows() -> Vec<Row> {
        vec![
            row("b", "app-10", "2024-01-03T00:00:00Z", Some("True"), false),
            row("a", "app-2", "2024-01-01T00:00:00Z", Some("False"), false),
            row("a", "App-1", "2024-01-02T00:00:00Z", Some("Unknown"), true),
            row("c", "app-2", "2024-01-04T00:00:00Z", None, false),
        ]
    }

    fn order(column: Column, descending: bool) -> Vec<String> {
        let rows = rows();
        sorted_filtered_indices(&rows, &Filter::default(), SortSpec { column, descending })
            .into_iter()
            .map(|index| format!("{}/{}", rows[index].key.namespace, rows[index].key.name))
            .collect()
    }

    #[test]
    fn natural_order_of_names() {
        assert_eq!(order(Column::Name, false), ["a/App-1", "a/app-2", "c/app-2", "b/app-10"]);
        assert_eq!(order(Column::Name, true), ["b/app-10", "a/app-2", "c/app-2", "a/App-1"], "ties stay ascending");
        assert_eq!(natural_cmp("v1.9", "v1.10"), Ordering::Less);
        assert_eq!(natural_cmp("a01", "a1"), Ordering::Less, "equal values fall back to plain order");
        assert_eq!(natural_cmp("a", "a-1"), Ordering::Less);
        assert_eq!(natural_cmp("B", "a"), Ordering::Greater);
        assert_eq!(natural_cmp("", ""), Ordering::Equal);
    }

    #[test]
    fn ready_puts_failures_first() {
        // Failed, then unknown (no Ready condition), then suspended (App-1, whatever its conditions say), then ready.
        assert_eq!(order(Column::Ready, false), ["a/app-2", "c/app-2", "a/App-1", "b/app-10"]);
    }

    #[test]
    fn age_ascending_is_youngest_first() {
        assert_eq!(order(Column::Age, false), ["c/app-2", "b/app-10", "a/App-1", "a/app-2"]);
        assert_eq!(order(Column::Age, true), ["a/app-2", "a/App-1", "b/app-10", "c/app-2"]);
        // No Ready condition: never reconciled counts as the oldest.
        assert_eq!(order(Column::LastReconcile, false), ["b/app-10", "a/App-1", "a/app-2", "c/app-2"]);
    }

    #[test]
    fn suspended_and_namespace() {
        assert_eq!(order(Column::Suspended, true)[0], "a/App-1");
        assert_eq!(order(Column::Namespace, false), ["a/App-1", "a/app-2", "b/app-10", "c/app-2"]);
    }

    #[test]
    fn filters_then_sorts_and_sort_rows_agrees() {
        let all = rows();
        let filter = Filter::parse("app-2").expect("valid");
        let sort = SortSpec { column: Column::Namespace, descending: true };
        let indices = sorted_filtered_indices(&all, &filter, sort);
        assert_eq!(indices, [3, 1]);
        let mut sorted = all.clone();
        sort_rows(&mut sorted, sort);
        assert_eq!(sorted[0].key.namespace, "c");
    }
}
