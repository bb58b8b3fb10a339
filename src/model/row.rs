//! One table row per object: the columns `flux get` shows, plus age and the time since the last reconcile.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::duration::{age, parse_time};
use super::readiness::Readiness;
use super::revision::{SHORT_DIGEST_LEN, abbreviate_digests};
use crate::api::{AnyFluxObject, FluxKind};

/// Names one object across kinds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectKey {
    pub kind: FluxKind,
    pub namespace: String,
    pub name: String,
}

/// The table columns. Which of them a pane shows is the view's choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Namespace,
    Kind,
    Name,
    Revision,
    Suspended,
    Ready,
    Message,
    Age,
    LastReconcile,
}

impl Column {
    /// Every column, in the order a full-width table shows them.
    pub const ALL: [Column; 9] = [
        Column::Namespace,
        Column::Kind,
        Column::Name,
        Column::Revision,
        Column::Suspended,
        Column::Ready,
        Column::Message,
        Column::Age,
        Column::LastReconcile,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Column::Namespace => "NAMESPACE",
            Column::Kind => "KIND",
            Column::Name => "NAME",
            Column::Revision => "REVISION",
            Column::Suspended => "SUSPENDED",
            Column::Ready => "READY",
            Column::Message => "MESSAGE",
            Column::Age => "AGE",
            Column::LastReconcile => "RECONCILED",
        }
    }
}

/// What one table row shows, computed once per store change, never while drawing.
#[derive(Debug, Clone)]
pub struct Row {
    pub key: ObjectKey,
    pub revision: String,
    pub suspended: bool,
    pub readiness: Readiness,
    /// The Ready condition's message (or the parse error of an unparsed object), on one line.
    pub message: String,
    pub created: Option<DateTime<Utc>>,
    /// When the controller last finished a reconcile: the Ready condition's transition time, or the last
    /// handled reconcile request, whichever is later.
    pub last_reconciled: Option<DateTime<Utc>>,
    pub labels: BTreeMap<String, String>,
    pub object: Arc<AnyFluxObject>,
    /// Namespace, name, kind, revision and message, lowercased and joined by newlines: a plain filter is one
    /// substring search per row, with no allocation while filtering 10,000 rows on every keystroke.
    pub search_text: String,
}

impl Row {
    /// The row of an object whose kind the caller knows (a watcher or store of one kind). This is the one to use
    /// from stores: list items may come without `kind`, and an object that failed to parse still belongs to the
    /// kind it was watched as.
    pub fn new(kind: FluxKind, object: Arc<AnyFluxObject>) -> Row {
        let revision = object.revision().map(Cow::into_owned).unwrap_or_default();
        let message = match object.as_ref() {
            AnyFluxObject::Unparsed(unparsed) => one_line(&format!("cannot read object: {}", unparsed.error)),
            _ => match object.condition("Ready") {
                Some(ready) => ready.message.as_deref().map(one_line).unwrap_or_default(),
                // What `flux get` prints for objects without a Ready condition.
                None => match kind {
                    FluxKind::Alert => "Alert is Ready".to_string(),
                    FluxKind::Provider => "Provider is Ready".to_string(),
                    _ if super::readiness::is_static(&object) => String::new(),
                    _ => "waiting to be reconciled".to_string(),
                },
            },
        };
        let metadata = object.metadata();
        let created = metadata.creation_timestamp.as_ref().and_then(|time| {
            DateTime::from_timestamp(time.0.as_second(), u32::try_from(time.0.subsec_nanosecond()).unwrap_or(0))
        });
        let transitioned =
            object.condition("Ready").and_then(|ready| ready.last_transition_time.as_deref()).and_then(parse_time);
        let handled = object.last_handled_reconcile_at().and_then(parse_time);
        let last_reconciled = transitioned.max(handled);
        let labels = metadata.labels.clone().unwrap_or_default();
        let key = ObjectKey { kind, namespace: object.namespace().to_string(), name: object.name().to_string() };
        let search_text = [key.namespace.as_str(), key.name.as_str(), kind.name(), revision.as_str(), message.as_str()]
            .join("\n")
            .to_lowercase();
        Row {
            key,
            revision,
            suspended: object.suspended(),
            readiness: Readiness::of(&object),
            message,
            created,
            last_reconciled,
            labels,
            object,
            search_text,
        }
    }

    /// The row of an object that names its own kind; `None` for an unparsed object whose `kind` is not a Flux
    /// kind, which no table can place. Prefer [`Row::new`] when the kind is known.
    pub fn from_object(object: Arc<AnyFluxObject>) -> Option<Row> {
        let kind = object.kind()?;
        Some(Row::new(kind, object))
    }

    /// The revision with its digests cut to [`SHORT_DIGEST_LEN`] hex characters, for narrow tables
    /// (`main@sha1:450796ddb2ab`). The full revision stays in [`Row::revision`] for describe and copy.
    pub fn short_revision(&self) -> Cow<'_, str> {
        abbreviate_digests(&self.revision, SHORT_DIGEST_LEN)
    }

    /// The text of one cell. Borrowed except for the times, which depend on `now`.
    pub fn cell(&self, column: Column, now: DateTime<Utc>) -> Cow<'_, str> {
        match column {
            Column::Namespace => Cow::Borrowed(&self.key.namespace),
            Column::Kind => Cow::Borrowed(self.key.kind.name()),
            Column::Name => Cow::Borrowed(&self.key.name),
            // Tables show digests cut short, as `flux get` does; describe shows them whole.
            Column::Revision => self.short_revision(),
            Column::Suspended => Cow::Borrowed(if self.suspended { "True" } else { "False" }),
            Column::Ready => Cow::Borrowed(self.readiness.label()),
            Column::Message => abbreviate_digests(&self.message, SHORT_DIGEST_LEN),
            Column::Age => Cow::Owned(age(self.created, now)),
            Column::LastReconcile => Cow::Owned(age(self.last_reconciled, now)),
        }
    }
}

/// The first line of a condition message, without control characters, so that one row is one line: Helm
/// failures append `\n\nLast Helm logs:` and a terminal must never receive escape sequences from a message.
pub fn one_line(message: &str) -> String {
    let first = message.trim_start().lines().next().unwrap_or("");
    first
        .chars()
        .filter_map(|c| {
            if c == '\t' {
                Some(' ')
            } else if c.is_control() {
                None
            } else {
                Some(c)
            }
        })
        .collect::<String>()
        .trim_end()
        .to_string()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const SHA1: &str = "450796ddb2ab6724ee1cc32a4be56da032d1cca0";

    fn now() -> DateTime<Utc> {
        parse_time("2024-05-01T12:00:00Z").expect("valid")
    }

    fn git_repository() -> serde_json::Value {
        json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "GitRepository",
            "metadata": {
                "name": "flux-system",
                "namespace": "flux-system",
                "generation": 1,
                "creationTimestamp": "2024-04-28T09:30:00Z",
                "labels": {"kustomize.toolkit.fluxcd.io/name": "flux-system"}
            },
            "spec": {"interval": "1m0s", "ref": {"branch": "main"}, "url": "ssh://git@github.com/org/fleet"},
            "status": {
                "observedGeneration": 1,
                "lastHandledReconcileAt": "2024-05-01T11:57:59.123456789Z",
                "artifact": {
                    "path": "gitrepository/flux-system/flux-system/450796dd.tar.gz",
                    "url": "http://source-controller.flux-system.svc.cluster.local./gitrepository/flux-system/flux-system/450796dd.tar.gz",
                    "revision": format!("main@sha1:{SHA1}"),
                    "digest": "sha256:2e3b9ef0aa00000000000000000000000000000000000000000000000000000f",
                    "lastUpdateTime": "2024-05-01T11:30:00Z",
                    "size": 4213
                },
                "conditions": [
                    {"type": "Ready", "status": "True", "reason": "Succeeded", "observedGeneration": 1,
                     "lastTransitionTime": "2024-05-01T11:30:00Z",
                     "message": format!("stored artifact for revision 'main@sha1:{SHA1}'")},
                    {"type": "ArtifactInStorage", "status": "True", "reason": "Succeeded", "observedGeneration": 1,
                     "lastTransitionTime": "2024-05-01T11:30:00Z",
                     "message": format!("stored artifact for revision 'main@sha1:{SHA1}'")}
                ]
            }
        })
    }

    fn row(value: serde_json::Value) -> Row {
        Row::from_object(Arc::new(AnyFluxObject::from_value(value))).expect("a Flux kind")
    }

    #[test]
    fn objects_without_a_ready_condition_read_as_flux_get_prints_them() {
        let waiting = row(json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": "new", "namespace": "flux-system"}, "spec": {"interval": "1m"}
        }));
        assert_eq!(waiting.message, "waiting to be reconciled");
        let alert = row(json!({
            "apiVersion": "notification.toolkit.fluxcd.io/v1beta3", "kind": "Alert",
            "metadata": {"name": "on-call", "namespace": "flux-system"}, "spec": {"providerRef": {"name": "slack"}}
        }));
        assert_eq!(alert.message, "Alert is Ready");
    }

    #[test]
    fn git_repository_row() {
        let row = row(git_repository());
        assert_eq!(row.key.kind, FluxKind::GitRepository);
        assert_eq!(row.revision, format!("main@sha1:{SHA1}"));
        assert_eq!(row.short_revision(), "main@sha1:450796ddb2ab");
        assert_eq!(row.readiness, Readiness::Ready);
        assert_eq!(row.labels.get("kustomize.toolkit.fluxcd.io/name").map(String::as_str), Some("flux-system"));
        let cells: Vec<String> = Column::ALL.iter().map(|column| row.cell(*column, now()).into_owned()).collect();
        assert_eq!(
            cells,
            [
                "flux-system",
                "GitRepository",
                "flux-system",
                // Cells cut digests short; the row keeps them whole.
                "main@sha1:450796ddb2ab",
                "False",
                "True",
                "stored artifact for revision 'main@sha1:450796ddb2ab'",
                "3d2h",
                "2m",
            ]
        );
        assert!(row.search_text.contains("gitrepository") && row.search_text.contains("stored artifact"));
    }

    #[test]
    fn last_reconciled_is_the_later_of_transition_and_handled_request() {
        let mut value = git_repository();
        value["status"]["lastHandledReconcileAt"] = json!("2024-05-01T10:00:00Z");
        assert_eq!(row(value.clone()).last_reconciled, parse_time("2024-05-01T11:30:00Z"));
        // A receiver writes Go's Time.String().
        value["status"]["lastHandledReconcileAt"] = json!("2024-05-01 11:59:00.5 +0000 UTC m=+3.2");
        assert_eq!(row(value.clone()).last_reconciled, parse_time("2024-05-01T11:59:00.5Z"));
        value["status"] = json!({});
        let row = row(value);
        assert_eq!(row.last_reconciled, None);
        assert_eq!(row.cell(Column::LastReconcile, now()), "-");
        assert_eq!(row.cell(Column::Ready, now()), "-");
        assert_eq!(row.message, "waiting to be reconciled");
    }

    #[test]
    fn helm_failure_message_keeps_its_first_line_only() {
        let value = json!({
            "apiVersion": "helm.toolkit.fluxcd.io/v2",
            "kind": "HelmRelease",
            "metadata": {"name": "podinfo", "namespace": "podinfo", "generation": 2},
            "spec": {"interval": "50m", "chart": {"spec": {"chart": "podinfo", "sourceRef": {"kind": "HelmRepository", "name": "podinfo"}}}},
            "status": {"observedGeneration": 2, "conditions": [
                {"type": "Ready", "status": "False", "reason": "UpgradeFailed",
                 "lastTransitionTime": "2024-05-01T11:00:00Z",
                 "message": "Helm upgrade failed for release podinfo/podinfo with chart podinfo@6.5.0: \u{1b}[31mtimeout\u{1b}[0m\twaiting\n\nLast Helm logs:\n\nwaiting for Deployment"}
            ]}
        });
        let row = row(value);
        assert_eq!(row.readiness, Readiness::Failed);
        assert_eq!(
            row.message,
            "Helm upgrade failed for release podinfo/podinfo with chart podinfo@6.5.0: [31mtimeout[0m waiting"
        );
        assert_eq!(row.cell(Column::Age, now()), "-");
    }

    #[test]
    fn unparsed_object_says_why() {
        let value = json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": {"name": "broken", "namespace": "apps", "labels": {"team": "a"}},
            "spec": {"suspend": "sometimes"}
        });
        let row = row(value);
        assert_eq!(row.key.kind, FluxKind::Kustomization);
        assert!(row.message.starts_with("cannot read object: "), "{}", row.message);
        assert_eq!(row.readiness, Readiness::Failed);
        assert_eq!(row.labels.len(), 1);
        let foreign =
            AnyFluxObject::from_value(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}));
        assert!(Row::from_object(Arc::new(foreign.clone())).is_none());
        assert_eq!(Row::new(FluxKind::Bucket, Arc::new(foreign)).key.kind, FluxKind::Bucket);
    }
}
