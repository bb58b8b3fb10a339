//! Kubernetes `Status` errors: every failure the API answers with is one of these.

use serde_json::{Value, json};

/// One cause inside a 422 Invalid status (`details.causes`).
#[derive(Debug, Clone, PartialEq)]
pub struct Cause {
    /// Machine reason such as `FieldValueRequired`, `FieldValueInvalid`, `FieldValueNotSupported`.
    pub reason: String,
    pub message: String,
    /// The field path, for example `spec.interval`.
    pub field: String,
}

/// An API error, rendered as a `metav1.Status` body with the matching HTTP code.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{code} {reason}: {message}")]
pub struct ApiError {
    pub code: u16,
    /// `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `BadRequest`, `Gone`, `Forbidden`, ...
    pub reason: String,
    pub message: String,
    /// Boxed so that `Result<_, ApiError>` stays small on the hot, successful path.
    pub details: Box<ErrorDetails>,
}

/// `details` of a Status.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ErrorDetails {
    /// `details.group`, `details.kind`, `details.name` when they are known.
    pub group: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub causes: Vec<Cause>,
    /// `details.retryAfterSeconds` (429 and 500 from fault injection use it).
    pub retry_after_seconds: Option<u32>,
}

impl ApiError {
    pub fn new(code: u16, reason: &str, message: impl Into<String>) -> Self {
        ApiError { code, reason: reason.to_string(), message: message.into(), details: Box::default() }
    }

    /// `<resource>.<group> "<name>" not found`, as the real server words it.
    pub fn not_found(group: &str, resource: &str, name: &str) -> Self {
        let mut err = Self::new(404, "NotFound", format!("{} \"{name}\" not found", qualified(group, resource)));
        err.details.group = Some(group.to_string());
        err.details.kind = Some(resource.to_string());
        err.details.name = Some(name.to_string());
        err
    }

    pub fn already_exists(group: &str, resource: &str, name: &str) -> Self {
        let mut err =
            Self::new(409, "AlreadyExists", format!("{} \"{name}\" already exists", qualified(group, resource)));
        err.details.group = Some(group.to_string());
        err.details.kind = Some(resource.to_string());
        err.details.name = Some(name.to_string());
        err
    }

    /// The optimistic-concurrency conflict: the client's resourceVersion is stale.
    pub fn conflict(group: &str, resource: &str, name: &str, why: &str) -> Self {
        let mut err = Self::new(
            409,
            "Conflict",
            format!("Operation cannot be fulfilled on {} \"{name}\": {why}", qualified(group, resource)),
        );
        err.details.group = Some(group.to_string());
        err.details.kind = Some(resource.to_string());
        err.details.name = Some(name.to_string());
        err
    }

    /// 422 with field causes; `kind` is the object's kind (`Deployment.apps`).
    pub fn invalid(group: &str, kind: &str, name: &str, causes: Vec<Cause>) -> Self {
        let detail: Vec<String> = causes.iter().map(|c| format!("{}: {}", c.field, c.message)).collect();
        let mut err = Self::new(
            422,
            "Invalid",
            format!("{} \"{name}\" is invalid: {}", qualified(group, kind), detail.join(", ")),
        );
        err.details.group = Some(group.to_string());
        err.details.kind = Some(kind.to_string());
        err.details.name = Some(name.to_string());
        err.details.causes = causes;
        err
    }

    /// The 404 for a path the server does not serve at all (no such resource or subresource),
    /// worded as the real server words it.
    pub fn not_served() -> Self {
        Self::new(404, "NotFound", "the server could not find the requested resource")
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    pub fn gone(message: impl Into<String>) -> Self {
        Self::new(410, "Expired", message)
    }

    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized", "Unauthorized")
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, "Forbidden", message)
    }

    pub fn method_not_allowed(message: impl Into<String>) -> Self {
        Self::new(405, "MethodNotAllowed", message)
    }

    pub fn unsupported_media_type(content_type: &str) -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got {content_type:?})"
            ),
        )
    }

    pub fn too_large(limit: usize) -> Self {
        Self::new(413, "RequestEntityTooLarge", format!("the request body is larger than the {limit} byte limit"))
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalError", message)
    }

    /// The `metav1.Status` object the real API server sends for this error.
    pub fn to_status(&self) -> Value {
        let mut details = serde_json::Map::new();
        if let Some(name) = &self.details.name {
            details.insert("name".into(), json!(name));
        }
        if let Some(group) = &self.details.group {
            details.insert("group".into(), json!(group));
        }
        if let Some(kind) = &self.details.kind {
            details.insert("kind".into(), json!(kind));
        }
        if !self.details.causes.is_empty() {
            let causes: Vec<Value> = self
                .details
                .causes
                .iter()
                .map(|c| json!({"reason": c.reason, "message": c.message, "field": c.field}))
                .collect();
            details.insert("causes".into(), Value::Array(causes));
        }
        if let Some(secs) = self.details.retry_after_seconds {
            details.insert("retryAfterSeconds".into(), json!(secs));
        }
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if !details.is_empty() {
            status["details"] = Value::Object(details);
        }
        status
    }
}

/// `deployments.apps`, or just `pods` for the core group.
fn qualified(group: &str, resource: &str) -> String {
    if group.is_empty() { resource.to_string() } else { format!("{resource}.{group}") }
}

impl Cause {
    pub fn new(reason: &str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Cause { reason: reason.to_string(), field: field.into(), message: message.into() }
    }
}
