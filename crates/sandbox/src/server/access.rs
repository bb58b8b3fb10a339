//! `authorization.k8s.io/v1` self-reviews: what `kubectl auth can-i` and clients such as fluxtui
//! ask before offering an action. The answer follows the caller's token: full access, or reads only.

use super::guard::Caller;
use crate::error::ApiError;
use serde_json::{Value, json};

const READ_VERBS: &[&str] = &["get", "list", "watch"];

/// Answers a SelfSubjectAccessReview or SelfSubjectRulesReview body.
pub fn review(resource: &str, caller: Caller, body: &Value) -> Result<Value, ApiError> {
    let mut answer = body.clone();
    if !answer.is_object() {
        return Err(ApiError::bad_request("the body of the request must be a JSON object"));
    }
    answer["apiVersion"] = json!("authorization.k8s.io/v1");
    match resource {
        "selfsubjectaccessreviews" => {
            answer["kind"] = json!("SelfSubjectAccessReview");
            let verb = body
                .pointer("/spec/resourceAttributes/verb")
                .or_else(|| body.pointer("/spec/nonResourceAttributes/verb"))
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    ApiError::invalid(
                        "authorization.k8s.io",
                        "SelfSubjectAccessReview",
                        "",
                        vec![crate::Cause::new(
                            "FieldValueRequired",
                            "spec.resourceAttributes",
                            "Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified",
                        )],
                    )
                })?;
            let allowed = caller == Caller::Admin || READ_VERBS.contains(&verb);
            answer["status"] = if allowed {
                json!({"allowed": true, "reason": "the sandbox allows this caller"})
            } else {
                json!({"allowed": false, "reason": "the sandbox's read-only token may only get, list and watch"})
            };
        }
        _ => {
            answer["kind"] = json!("SelfSubjectRulesReview");
            let verbs: Vec<&str> = if caller == Caller::Admin { vec!["*"] } else { READ_VERBS.to_vec() };
            answer["status"] = json!({
                "resourceRules": [{"verbs": verbs, "apiGroups": ["*"], "resources": ["*"]}],
                "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["*"]}],
                "incomplete": false,
            });
        }
    }
    Ok(answer)
}
