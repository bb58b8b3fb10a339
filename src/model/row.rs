//! One table row per object: the columns `flux get` shows, plus age and the time since the last reconcile.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::readiness::Readiness;
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
}
