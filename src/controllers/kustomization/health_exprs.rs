//! `spec.healthCheckExprs` (SEMANTICS.md §4, RFC-0009): CEL expressions that decide the health of the objects of
//! one group and kind, in place of kstatus's generic rules (fluxcd/pkg `runtime/cel` `StatusEvaluator`).
//!
//! - Entries are matched on group and kind; the version of `apiVersion` is not compared, and when two entries
//!   name the same group and kind the first one wins, as in Flux.
//! - `current` is required, `inProgress` and `failed` optional. An expression that does not parse makes the
//!   whole Kustomization fail terminally (`InvalidCELExpression`, Stalled), before anything is fetched.
//! - An object with `status.observedGeneration` different from `metadata.generation` is `InProgress` without
//!   evaluating anything; otherwise `inProgress`, `failed`, then `current` are evaluated in that order and the
//!   first that holds gives the status; none holding is `InProgress`.
//! - Each top-level field of the object is a variable (`status.conditions`, `metadata.generation`), as Flux binds
//!   them. An evaluation error (a missing field, a result that is not a bool) is the status `Unknown` with the
//!   error as its message: the wait keeps polling and, at the timeout, the health check fails naming it.

use serde_json::Value;

use super::health::{Health, Status};
use crate::api::meta::CustomHealthCheck;
use crate::model::cel::{ExprFailure, ReadyExpr};

/// The three expressions of one entry, compiled.
#[derive(Debug, Clone)]
struct Evaluator {
    in_progress: Option<ReadyExpr>,
    failed: Option<ReadyExpr>,
    current: ReadyExpr,
}

/// The compiled `healthCheckExprs` of a Kustomization, by group and kind.
#[derive(Debug, Clone, Default)]
pub struct HealthExprs {
    by_kind: Vec<(String, String, Evaluator)>,
}

/// The group of an `apiVersion` (`apps/v1` → `apps`, `v1` → the core group).
fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map(|(group, _)| group).unwrap_or_default()
}

/// Compiles one expression; `field` names it in the error as Flux does (`Current`, `Failed`, `InProgress`).
fn compile(field: &str, text: &str) -> Result<ReadyExpr, String> {
    let expr = ReadyExpr::compile(text);
    match expr.compile_error() {
        Some(error) => {
            Err(format!("failed to parse the expression {field}: failed to parse the CEL expression '{text}': {error}"))
        }
        None => Ok(expr),
    }
}

fn optional(field: &str, text: Option<&str>) -> Result<Option<ReadyExpr>, String> {
    text.filter(|t| !t.is_empty()).map(|t| compile(field, t)).transpose()
}

impl HealthExprs {
    /// Compiles the spec's entries. The error is Flux's terminal message
    /// (`failed to create custom status evaluator for healthchecks[<i>]: ...`).
    pub fn compile(checks: &[CustomHealthCheck]) -> Result<HealthExprs, String> {
        let mut by_kind: Vec<(String, String, Evaluator)> = Vec::new();
        for (at, check) in checks.iter().enumerate() {
            let group = group_of(check.api_version.as_deref().unwrap_or_default()).to_string();
            let kind = check.kind.clone().unwrap_or_default();
            if by_kind.iter().any(|(g, k, _)| *g == group && *k == kind) {
                continue;
            }
            let failed =
                |message: String| format!("failed to create custom status evaluator for healthchecks[{at}]: {message}");
            let current = match check.current.as_deref().filter(|t| !t.is_empty()) {
                Some(text) => compile("Current", text).map_err(failed)?,
                None => return Err(failed("expression Current not specified".to_string())),
            };
            let evaluator = Evaluator {
                failed: optional("Failed", check.failed.as_deref()).map_err(failed)?,
                in_progress: optional("InProgress", check.in_progress.as_deref()).map_err(failed)?,
                current,
            };
            by_kind.push((group, kind, evaluator));
        }
        Ok(HealthExprs { by_kind })
    }

    pub fn is_empty(&self) -> bool {
        self.by_kind.is_empty()
    }

    /// The status of `object` by its entry's expressions, or `None` when no entry covers its group and kind.
    pub fn status_of(&self, object: &Value) -> Option<Health> {
        let group = group_of(object["apiVersion"].as_str().unwrap_or_default());
        let kind = object["kind"].as_str().unwrap_or_default();
        let (_, _, evaluator) = self.by_kind.iter().find(|(g, k, _)| g == group && k == kind)?;
        Some(evaluator.evaluate(object))
    }
}

impl Evaluator {
    fn evaluate(&self, object: &Value) -> Health {
        let observed = object.pointer("/status/observedGeneration").and_then(Value::as_i64);
        let generation = object.pointer("/metadata/generation").and_then(Value::as_i64);
        if let (Some(observed), Some(generation)) = (observed, generation)
            && observed != generation
        {
            return Health { status: Status::InProgress, message: String::new() };
        }
        let order = [
            (self.in_progress.as_ref(), Status::InProgress),
            (self.failed.as_ref(), Status::Failed),
            (Some(&self.current), Status::Current),
        ];
        for (expr, status) in order {
            let Some(expr) = expr else { continue };
            match expr.evaluate_fields(object) {
                Ok(true) => return Health { status, message: String::new() },
                Ok(false) => {}
                Err(failure) => {
                    let detail = match failure {
                        ExprFailure::Invalid(d) | ExprFailure::Evaluation(d) | ExprFailure::Unsupported(d) => d,
                    };
                    let message = format!("failed to evaluate the CEL expression '{}': {detail}", expr.text());
                    return Health { status: Status::Unknown, message };
                }
            }
        }
        Health { status: Status::InProgress, message: String::new() }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check(value: Value) -> CustomHealthCheck {
        serde_json::from_value(value).expect("a healthCheckExprs entry")
    }

    fn certificate(conditions: Value) -> Value {
        json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
            "metadata": {"name": "c", "generation": 2},
            "status": {"observedGeneration": 2, "conditions": conditions}})
    }

    fn exprs() -> HealthExprs {
        HealthExprs::compile(&[check(json!({
            "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
            "inProgress": "status.conditions.exists(e, e.type == 'Issuing' && e.status == 'True')",
            "failed": "status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'False')",
            "current": "status.conditions.exists(e, e.type == 'Ready' && e.status == 'True')",
        }))])
        .expect("compiles")
    }

    #[test]
    fn expressions_are_tried_in_flux_order() {
        let exprs = exprs();
        let status = |conditions: Value| exprs.status_of(&certificate(conditions)).expect("covered").status;
        // inProgress wins over current when both hold.
        let issuing = json!([{"type": "Issuing", "status": "True"}, {"type": "Ready", "status": "True"}]);
        assert_eq!(status(issuing), Status::InProgress);
        assert_eq!(status(json!([{"type": "Ready", "status": "False"}])), Status::Failed);
        assert_eq!(status(json!([{"type": "Ready", "status": "True"}])), Status::Current);
        // `failed` holds on an empty list (all of nothing): it comes before current.
        assert_eq!(status(json!([])), Status::Failed);
    }

    #[test]
    fn an_old_observed_generation_is_in_progress_without_evaluating() {
        let mut object = certificate(json!([{"type": "Ready", "status": "True"}]));
        object["status"]["observedGeneration"] = json!(1);
        assert_eq!(exprs().status_of(&object).expect("covered").status, Status::InProgress);
    }

    #[test]
    fn only_the_group_and_kind_select_the_entry() {
        let exprs = exprs();
        let mut other_version = certificate(json!([{"type": "Ready", "status": "True"}]));
        other_version["apiVersion"] = json!("cert-manager.io/v1beta1");
        assert!(exprs.status_of(&other_version).is_some());
        assert!(exprs.status_of(&json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}})).is_none());
    }

    #[test]
    fn a_missing_field_is_unknown_with_the_error() {
        let object = json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "c"}});
        let health = exprs().status_of(&object).expect("covered");
        assert_eq!(health.status, Status::Unknown);
        assert!(
            health.message.starts_with("failed to evaluate the CEL expression 'status.conditions.exists("),
            "{}",
            health.message
        );
    }

    #[test]
    fn invalid_entries_fail_with_flux_messages() {
        let missing = HealthExprs::compile(&[check(json!({"apiVersion": "x/v1", "kind": "A"}))]).unwrap_err();
        assert_eq!(
            missing,
            "failed to create custom status evaluator for healthchecks[0]: expression Current not specified"
        );
        let entries = [
            check(json!({"apiVersion": "x/v1", "kind": "A", "current": "true"})),
            check(json!({"apiVersion": "x/v1", "kind": "B", "current": "true", "failed": "status.("})),
        ];
        let invalid = HealthExprs::compile(&entries).unwrap_err();
        assert!(
            invalid.starts_with(
                "failed to create custom status evaluator for healthchecks[1]: failed to parse the expression Failed: \
                 failed to parse the CEL expression 'status.(': "
            ),
            "{invalid}"
        );
        // A second entry for the same group and kind is not even compiled: the first one wins.
        let duplicate = [
            check(json!({"apiVersion": "x/v1", "kind": "A", "current": "true"})),
            check(json!({"apiVersion": "x/v2", "kind": "A", "current": "(("})),
        ];
        assert!(HealthExprs::compile(&duplicate).is_ok());
    }
}
