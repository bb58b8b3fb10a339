//! readyExpr evaluation with the expressions Flux's docs and users write.

use serde_json::{Value, json};

use super::*;

/// A dependency as the API server returns it: generation 3, Ready as given, labelled `tier: infra`.
fn dependency(ready: &str, observed_generation: i64) -> Value {
    json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "infra", "namespace": "flux-system", "generation": 3, "labels": {"tier": "infra"}},
        "spec": {"interval": "10m", "path": "./infra", "prune": true},
        "status": {
            "observedGeneration": observed_generation,
            "lastAppliedRevision": "main@sha1:0123456789abcdef",
            "conditions": [
                {"type": "Healthy", "status": "True", "reason": "Succeeded", "message": "healthy"},
                {"type": "Ready", "status": ready, "reason": "ReconciliationSucceeded", "message": "Applied"},
            ],
        },
    })
}

fn dependent() -> Value {
    json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "apps", "namespace": "flux-system", "generation": 1,
                     "annotations": {"app.kubernetes.io/part-of": "fleet"}},
        "spec": {"interval": "10m", "path": "./apps", "prune": true},
    })
}

fn eval(expr: &str, dep: &Value) -> Result<bool, ExprFailure> {
    ReadyExpr::compile(expr).evaluate(&dependent(), dep)
}

#[test]
fn ready_condition_checks_with_filter_all_and_exists() {
    let filter_all = "dep.status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'True')";
    assert_eq!(eval(filter_all, &dependency("True", 3)), Ok(true));
    assert_eq!(eval(filter_all, &dependency("False", 3)), Ok(false));
    let exists = "dep.status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')";
    assert_eq!(eval(exists, &dependency("True", 3)), Ok(true));
    assert_eq!(eval(exists, &dependency("Unknown", 3)), Ok(false));
    let map = "dep.status.conditions.map(c, c.type).exists_one(t, t == 'Ready')";
    assert_eq!(eval(map, &dependency("False", 3)), Ok(true));
}

#[test]
fn generation_compares_with_observed_generation_and_with_int_literals() {
    let expr = "dep.metadata.generation == dep.status.observedGeneration";
    assert_eq!(eval(expr, &dependency("False", 3)), Ok(true));
    assert_eq!(eval(expr, &dependency("True", 2)), Ok(false));
    // Whole JSON numbers are CEL ints, as in an unstructured object, so an int literal compares equal.
    assert_eq!(
        eval("dep.metadata.generation == 3 && dep.status.observedGeneration >= 2", &dependency("True", 2)),
        Ok(true)
    );
}

#[test]
fn labels_annotations_and_has() {
    let dep = dependency("True", 3);
    assert_eq!(eval("has(dep.metadata.labels) && dep.metadata.labels.tier == 'infra'", &dep), Ok(true));
    assert_eq!(eval("'tier' in dep.metadata.labels", &dep), Ok(true));
    assert_eq!(eval("has(dep.metadata.annotations)", &dep), Ok(false));
    let from_self = "self.metadata.annotations['app.kubernetes.io/part-of'] == 'fleet' && self.metadata.name == 'apps'";
    assert_eq!(eval(from_self, &dep), Ok(true));
    assert_eq!(eval("dep.status.lastAppliedRevision.startsWith('main@')", &dep), Ok(true));
    assert_eq!(eval("dep.metadata.name.matches('^inf')", &dep), Ok(true));
    assert_eq!(eval("dep.spec.path.endsWith('/infra') && dep.spec.path.contains('inf')", &dep), Ok(true));
    assert_eq!(eval("size(dep.status.conditions) == 2 && dep.status.conditions.size() == 2", &dep), Ok(true));
}

#[test]
fn a_syntax_error_is_an_invalid_expression_with_its_position() {
    let expr = ReadyExpr::compile("dep.status.conditions.filter(e, e.type == 'Ready'");
    let error = expr.compile_error().expect("does not compile");
    assert!(error.contains("Syntax error") && error.contains("1:"), "{error}");
    assert!(!error.contains('\n'), "one line: {error}");
    assert_eq!(expr.evaluate(&dependent(), &dependency("True", 3)), Err(ExprFailure::Invalid(error.to_string())));
}

#[test]
fn a_missing_field_is_an_evaluation_error() {
    let failure = eval("dep.status.readyReplicas > 0", &dependency("True", 3));
    assert_eq!(failure, Err(ExprFailure::Evaluation("no such key: readyReplicas".to_string())));
    // `has` is how an expression guards against it.
    assert_eq!(
        eval("has(dep.status.readyReplicas) && dep.status.readyReplicas > 0", &dependency("True", 3)),
        Ok(false)
    );
}

#[test]
fn a_result_that_is_not_a_bool_or_an_unknown_name_fails() {
    assert_eq!(
        eval("dep.metadata.generation", &dependency("True", 3)),
        Err(ExprFailure::Evaluation("the result is int, not a bool".to_string()))
    );
    // cel-go rejects undeclared names when compiling; cel-rust finds them while evaluating. Both are invalid.
    assert_eq!(
        eval("other.status == 'x'", &dependency("True", 3)),
        Err(ExprFailure::Invalid("undeclared reference to 'other'".to_string()))
    );
    // A function this build lacks may exist in Flux's environment: unsupported, not invalid.
    assert_eq!(
        eval("dep.metadata.name == 'infra' && duration('5m') > duration('1m')", &dependency("True", 3)),
        Err(ExprFailure::Unsupported("function 'duration' is not supported by fluxtui".to_string()))
    );
}

#[test]
fn the_cache_compiles_each_expression_once_and_forgets_unused_ones() {
    let mut cache = ReadyExprCache::default();
    let first = cache.get("dep.metadata.generation == dep.status.observedGeneration");
    let again = cache.get("dep.metadata.generation == dep.status.observedGeneration");
    assert!(Arc::ptr_eq(first.compiled.as_ref().unwrap(), again.compiled.as_ref().unwrap()), "compiled once");
    cache.get("true");
    cache.forget_unused();
    assert_eq!(cache.len(), 2, "both were used by the last build");
    cache.get("true");
    cache.forget_unused();
    assert_eq!(cache.len(), 1, "only `true` was used by this build");
}
