//! How ready an object is, in the words `flux get` and kstatus use.

use crate::api::AnyFluxObject;

/// The state a row is coloured by. Ordered from worst to best, so sorting by readiness puts failures first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Readiness {
    /// Ready=False (or Stalled=True).
    Failed,
    /// Reconciling=True or Ready=Unknown, or the status is older than the spec.
    Reconciling,
    /// No Ready condition at all (never reconciled, or no controller).
    Unknown,
    /// `spec.suspend: true`, whatever the conditions say.
    Suspended,
    /// Ready=True at the current generation.
    Ready,
}

impl Readiness {
    pub fn of(object: &AnyFluxObject) -> Readiness {
        if object.suspended() {
            return Readiness::Suspended;
        }
        let generation = object.metadata().generation;
        let stale = match (generation, object.observed_generation()) {
            (Some(generation), Some(observed)) => observed < generation,
            _ => false,
        };
        if object.condition("Stalled").is_some_and(|condition| condition.status == "True") {
            return Readiness::Failed;
        }
        match object.condition("Ready").map(|condition| condition.status.as_str()) {
            Some("False") if !stale => Readiness::Failed,
            Some("True") if !stale => {
                if object.condition("Reconciling").is_some_and(|condition| condition.status == "True") {
                    Readiness::Reconciling
                } else {
                    Readiness::Ready
                }
            }
            Some(_) => Readiness::Reconciling,
            None => Readiness::Unknown,
        }
    }

    /// The READY column's text.
    pub fn label(self) -> &'static str {
        match self {
            Readiness::Failed => "False",
            Readiness::Reconciling => "Unknown",
            Readiness::Unknown => "-",
            Readiness::Suspended => "Suspended",
            Readiness::Ready => "True",
        }
    }
}
