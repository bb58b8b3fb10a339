//! How ready an object is, in the words `flux get` and kstatus use.

use super::text::TextClass;
use crate::api::{AnyFluxObject, FluxKind};

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
        // An object fluxtui cannot read needs a look whatever its status says.
        if matches!(object, AnyFluxObject::Unparsed(_)) {
            return Readiness::Failed;
        }
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
        let ready = object.condition("Ready");
        // A failure is about the current spec when its condition says so: Flux never bumps status.observedGeneration
        // on a retriable failure (it stays -1 until a first success), but it stamps the condition it writes.
        let failure_is_current = match (generation, ready.and_then(|c| c.observed_generation)) {
            (Some(generation), Some(observed)) => observed >= generation,
            _ => !stale,
        };
        match ready.map(|condition| condition.status.as_str()) {
            Some("False") if failure_is_current => Readiness::Failed,
            Some("True") if !stale => {
                if object.condition("Reconciling").is_some_and(|condition| condition.status == "True") {
                    Readiness::Reconciling
                } else {
                    Readiness::Ready
                }
            }
            Some(_) => Readiness::Reconciling,
            None if is_static(object) => Readiness::Ready,
            None => Readiness::Unknown,
        }
    }

    /// The class the theme colours this state with.
    pub fn class(self) -> TextClass {
        match self {
            Readiness::Failed => TextClass::Failed,
            Readiness::Reconciling => TextClass::Reconciling,
            Readiness::Unknown => TextClass::Muted,
            Readiness::Suspended => TextClass::Suspended,
            Readiness::Ready => TextClass::Ready,
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

/// Objects no controller reconciles, so they never get a Ready condition: Alerts and Providers (no status since
/// v1beta3) and HelmRepositories of type `oci`. `flux get` reports them as ready, and so do we.
pub fn is_static(object: &AnyFluxObject) -> bool {
    match object.kind() {
        Some(FluxKind::Alert | FluxKind::Provider) => true,
        Some(FluxKind::HelmRepository) => match object {
            AnyFluxObject::HelmRepository(repository) => repository.spec.type_.as_deref() == Some("oci"),
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(value: serde_json::Value) -> AnyFluxObject {
        AnyFluxObject::from_value(value)
    }

    fn kustomization(generation: i64, observed: i64, conditions: serde_json::Value) -> AnyFluxObject {
        object(json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": {"name": "apps", "namespace": "flux-system", "generation": generation},
            "spec": {"interval": "10m", "prune": true, "sourceRef": {"kind": "GitRepository", "name": "flux-system"}},
            "status": {"observedGeneration": observed, "conditions": conditions}
        }))
    }

    #[test]
    fn follows_the_kstatus_lifecycle() {
        let ready = json!([{"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded"}]);
        assert_eq!(Readiness::of(&kustomization(2, 2, ready.clone())), Readiness::Ready);
        assert_eq!(Readiness::of(&kustomization(3, 2, ready)), Readiness::Reconciling, "stale status");
        let progressing = json!([
            {"type": "Reconciling", "status": "True", "reason": "Progressing"},
            {"type": "Ready", "status": "Unknown", "reason": "Progressing"}
        ]);
        assert_eq!(Readiness::of(&kustomization(2, 2, progressing)), Readiness::Reconciling);
        let retrying = json!([
            {"type": "Reconciling", "status": "True", "reason": "ProgressingWithRetry"},
            {"type": "Ready", "status": "False", "reason": "BuildFailed"}
        ]);
        assert_eq!(Readiness::of(&kustomization(2, 2, retrying)), Readiness::Failed);
        // Never succeeded: status.observedGeneration stays -1, the failure's condition is stamped with generation 2.
        let failing = json!([
            {"type": "Reconciling", "status": "True", "reason": "ProgressingWithRetry", "observedGeneration": 2},
            {"type": "Ready", "status": "False", "reason": "HealthCheckFailed", "observedGeneration": 2}
        ]);
        assert_eq!(Readiness::of(&kustomization(2, -1, failing.clone())), Readiness::Failed);
        // A failure of the previous spec while the new one is being reconciled.
        assert_eq!(Readiness::of(&kustomization(3, -1, failing)), Readiness::Reconciling);
        let stalled = json!([
            {"type": "Stalled", "status": "True", "reason": "InvalidCELExpression"},
            {"type": "Ready", "status": "False", "reason": "InvalidCELExpression"}
        ]);
        assert_eq!(Readiness::of(&kustomization(3, 2, stalled)), Readiness::Failed);
        assert_eq!(Readiness::of(&kustomization(1, -1, json!([]))), Readiness::Unknown);
    }

    #[test]
    fn static_kinds_are_ready_without_status() {
        let alert = object(json!({
            "apiVersion": "notification.toolkit.fluxcd.io/v1beta3",
            "kind": "Alert",
            "metadata": {"name": "slack", "namespace": "flux-system"},
            "spec": {"providerRef": {"name": "slack"}, "eventSources": [{"kind": "Kustomization", "name": "*"}]}
        }));
        assert_eq!(Readiness::of(&alert), Readiness::Ready);
        let oci = object(json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "HelmRepository",
            "metadata": {"name": "podinfo", "namespace": "flux-system"},
            "spec": {"type": "oci", "url": "oci://ghcr.io/stefanprodan/charts"}
        }));
        assert_eq!(Readiness::of(&oci), Readiness::Ready);
        let mut default = oci.to_value();
        default["spec"]["type"] = json!("default");
        assert_eq!(Readiness::of(&object(default)), Readiness::Unknown);
    }

    #[test]
    fn unparsed_objects_fail_and_suspension_wins() {
        let unparsed = object(json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": {"name": "broken", "namespace": "flux-system"},
            "spec": {"suspend": "yes please"}
        }));
        assert!(matches!(unparsed, AnyFluxObject::Unparsed(_)));
        assert_eq!(Readiness::of(&unparsed), Readiness::Failed);
        let mut suspended = kustomization(1, 1, json!([{"type": "Ready", "status": "False"}])).to_value();
        suspended["spec"]["suspend"] = json!(true);
        assert_eq!(Readiness::of(&object(suspended)), Readiness::Suspended);
        assert!(Readiness::Failed < Readiness::Reconciling && Readiness::Suspended < Readiness::Ready);
    }
}
