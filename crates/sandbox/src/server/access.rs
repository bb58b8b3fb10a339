//! `authorization.k8s.io/v1` self-reviews: what `kubectl auth can-i` and clients such as fluxtui ask before
//! offering an action. The answer follows who the request acts as: the admin token may do anything, the
//! read-only token only read, and an impersonated identity what RBAC grants it.

use super::guard::Caller;
use super::impersonation::Identity;
use crate::error::ApiError;
use crate::rbac::{Attributes, Policy, PolicyRule};
use serde_json::{Value, json};

const READ_VERBS: &[&str] = &["get", "list", "watch"];

/// Answers a SelfSubjectAccessReview or SelfSubjectRulesReview body; `policy` is asked only for an impersonated
/// identity.
pub fn review(
    resource: &str,
    identity: &Identity,
    policy: impl Fn() -> std::sync::Arc<Policy>,
    body: &Value,
) -> Result<Value, ApiError> {
    let mut answer = body.clone();
    if !answer.is_object() {
        return Err(ApiError::bad_request("the body of the request must be a JSON object"));
    }
    answer["apiVersion"] = json!("authorization.k8s.io/v1");
    match resource {
        "selfsubjectaccessreviews" => {
            answer["kind"] = json!("SelfSubjectAccessReview");
            let request = asked(body)?;
            answer["status"] = match identity {
                Identity::Caller(caller) => {
                    if *caller == Caller::Admin || READ_VERBS.contains(&request.verb.as_str()) {
                        json!({"allowed": true, "reason": "the sandbox allows this caller"})
                    } else {
                        json!({"allowed": false, "reason": "the sandbox's read-only token may only get, list and watch"})
                    }
                }
                Identity::Impersonated(user) => match policy().authorize(user, &request) {
                    Ok(reason) => json!({"allowed": true, "reason": reason}),
                    Err(reason) if reason.is_empty() => json!({"allowed": false}),
                    Err(reason) => json!({"allowed": false, "reason": reason}),
                },
            };
        }
        _ => {
            answer["kind"] = json!("SelfSubjectRulesReview");
            answer["status"] = match identity {
                Identity::Caller(caller) => {
                    let verbs: Vec<&str> = if *caller == Caller::Admin { vec!["*"] } else { READ_VERBS.to_vec() };
                    json!({
                        "resourceRules": [{"verbs": verbs, "apiGroups": ["*"], "resources": ["*"]}],
                        "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["*"]}],
                        "incomplete": false,
                    })
                }
                Identity::Impersonated(user) => {
                    let namespace = body.pointer("/spec/namespace").and_then(Value::as_str).unwrap_or_default();
                    let (rules, error) = policy().rules_for(user, namespace);
                    rules_status(&rules, &error)
                }
            };
        }
    }
    Ok(answer)
}

/// The request a SelfSubjectAccessReview asks about.
fn asked(body: &Value) -> Result<Attributes, ApiError> {
    let text = |pointer: &str| body.pointer(pointer).and_then(Value::as_str).unwrap_or_default();
    if let Some(attributes) = body.pointer("/spec/resourceAttributes").filter(|a| a.is_object()) {
        let field = |key: &str| attributes.get(key).and_then(Value::as_str).unwrap_or_default();
        return Ok(Attributes::resource(
            field("verb"),
            field("group"),
            field("resource"),
            field("namespace"),
            field("name"),
        )
        .with_subresource(field("subresource")));
    }
    if body.pointer("/spec/nonResourceAttributes").is_some_and(Value::is_object) {
        return Ok(Attributes::non_resource(
            text("/spec/nonResourceAttributes/verb"),
            text("/spec/nonResourceAttributes/path"),
        ));
    }
    Err(ApiError::invalid(
        "authorization.k8s.io",
        "SelfSubjectAccessReview",
        "",
        vec![crate::Cause::new(
            "FieldValueRequired",
            "spec.resourceAttributes",
            "Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified",
        )],
    ))
}

/// A SelfSubjectRulesReview status: resource rules, then non-resource rules, as kube splits them.
fn rules_status(rules: &[PolicyRule], error: &str) -> Value {
    let resource_rules: Vec<Value> = rules
        .iter()
        .filter(|r| r.non_resource_urls.is_empty())
        .map(|r| {
            let mut rule = json!({"verbs": r.verbs, "apiGroups": r.api_groups, "resources": r.resources});
            if !r.resource_names.is_empty() {
                rule["resourceNames"] = json!(r.resource_names);
            }
            rule
        })
        .collect();
    let non_resource_rules: Vec<Value> = rules
        .iter()
        .filter(|r| !r.non_resource_urls.is_empty())
        .map(|r| json!({"verbs": r.verbs, "nonResourceURLs": r.non_resource_urls}))
        .collect();
    let mut status = json!({"resourceRules": resource_rules, "nonResourceRules": non_resource_rules, "incomplete": !error.is_empty()});
    if !error.is_empty() {
        status["evaluationError"] = json!(error);
    }
    status
}
