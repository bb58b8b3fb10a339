//! What can go wrong while fetching a Bucket, each with the message a user reads in the object's Ready condition
//! and the Flux reason it maps to, plus the classification of the S3 client's errors into these.

use std::error::Error as StdError;
use std::time::Duration;

use object_store::client::{HttpError, HttpErrorKind};
use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum BucketError {
    /// `spec.provider` names a provider this engine does not implement (`gcp`, `azure`) or none Flux knows.
    #[error("unsupported bucket provider '{provider}': {detail}")]
    UnsupportedProvider { provider: String, detail: String },
    /// `spec.endpoint` is not `host[:port]`.
    #[error("invalid endpoint '{endpoint}': {detail}")]
    InvalidEndpoint { endpoint: String, detail: String },
    /// A required field is empty (the CRD requires it, so only hand-made objects get here).
    #[error("invalid Bucket spec: {detail}")]
    InvalidSpec { detail: String },
    /// The secret's data cannot be used: a key is missing or is not UTF-8 text.
    #[error("invalid secret data: {detail}")]
    InvalidSecret { detail: String },
    /// The bucket does not exist on the endpoint (source-controller's own wording).
    #[error("bucket '{bucket}' not found")]
    BucketNotFound { bucket: String },
    /// The server refused the request: wrong access key or secret key, or no permission on the bucket.
    #[error("access denied to bucket '{bucket}' at '{endpoint}': {detail}")]
    AccessDenied { bucket: String, endpoint: String, detail: String },
    /// The endpoint cannot be reached (DNS, refused connection, TLS failure).
    #[error("unable to reach '{endpoint}' for bucket '{bucket}': {detail}")]
    Unreachable { bucket: String, endpoint: String, detail: String },
    /// A stage took longer than `spec.timeout`.
    #[error("{stage} of bucket '{bucket}' timed out after {timeout:?}")]
    Timeout { bucket: String, stage: &'static str, timeout: Duration },
    /// An object key that is not a safe relative path (`..`, `.` or empty segments): writing it could leave the
    /// download directory, so the whole fetch stops instead.
    #[error("object key '{key}' in bucket '{bucket}' is not a safe relative path: {detail}")]
    UnsafeObjectKey { bucket: String, key: String, detail: String },
    /// Any other failure of an S3 request, with the server's or the client's message.
    #[error("failed to {operation} bucket '{bucket}': {detail}")]
    Operation { bucket: String, operation: &'static str, detail: String },
    /// A downloaded object cannot be written to the local directory.
    #[error("failed to write object '{key}' to '{path}': {detail}")]
    LocalWrite { key: String, path: String, detail: String },
}

impl BucketError {
    /// The reason source-controller puts on the FetchFailed and Ready conditions for this failure. Secret
    /// problems are `AuthenticationFailed` (source-controller reads the secret before it builds a client); every
    /// failure of the fetch itself, refused credentials included, is `BucketOperationFailed`, as
    /// source-controller wraps all of them alike.
    pub fn reason(&self) -> &'static str {
        match self {
            BucketError::UnsupportedProvider { .. } => "InvalidProviderConfiguration",
            BucketError::InvalidEndpoint { .. } => "URLInvalid",
            BucketError::InvalidSecret { .. } => "AuthenticationFailed",
            _ => "BucketOperationFailed",
        }
    }

    /// Whether retrying without a spec change cannot help (the reconciler marks these Stalled).
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            BucketError::UnsupportedProvider { .. }
                | BucketError::InvalidEndpoint { .. }
                | BucketError::InvalidSpec { .. }
        )
    }
}

/// Where a request went, for the messages of the errors it may turn into.
pub(crate) struct Target<'a> {
    pub bucket: &'a str,
    pub endpoint: &'a str,
}

/// Turns an S3 client error into the variant a user can act on: the S3 error code in the response body decides
/// first (it is the same on every S3-compatible server), then the HTTP status, then the transport failure.
pub(crate) fn classify(target: &Target<'_>, operation: &'static str, error: object_store::Error) -> BucketError {
    let bucket = target.bucket.to_string();
    if let object_store::Error::InvalidPath { source } = &error {
        let key = match source {
            object_store::path::Error::EmptySegment { path } | object_store::path::Error::BadSegment { path, .. } => {
                path.clone()
            }
            other => other.to_string(),
        };
        return BucketError::UnsafeObjectKey { bucket, key, detail: source.to_string() };
    }
    let text = error.to_string();
    let code = xml_field(&text, "Code");
    let message = xml_field(&text, "Message");
    let server_says = || match (&code, &message) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.clone(),
        _ => text.clone(),
    };
    match code.as_deref() {
        Some("NoSuchBucket") => return BucketError::BucketNotFound { bucket },
        Some(
            "AccessDenied"
            | "SignatureDoesNotMatch"
            | "InvalidAccessKeyId"
            | "InvalidToken"
            | "ExpiredToken"
            | "AllAccessDisabled",
        ) => {
            return BucketError::AccessDenied { bucket, endpoint: target.endpoint.to_string(), detail: server_says() };
        }
        _ => {}
    }
    if matches!(error, object_store::Error::PermissionDenied { .. } | object_store::Error::Unauthenticated { .. }) {
        return BucketError::AccessDenied { bucket, endpoint: target.endpoint.to_string(), detail: server_says() };
    }
    match http_error_kind(&error) {
        Some(HttpErrorKind::Connect) => {
            BucketError::Unreachable { bucket, endpoint: target.endpoint.to_string(), detail: innermost(&error) }
        }
        _ => BucketError::Operation { bucket, operation, detail: server_says() },
    }
}

/// The kind of the transport error somewhere in the chain, when the failure was the connection's.
fn http_error_kind(error: &(dyn StdError + 'static)) -> Option<HttpErrorKind> {
    let mut current: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(error) = current {
        if let Some(http) = error.downcast_ref::<HttpError>() {
            return Some(http.kind());
        }
        current = error.source();
    }
    None
}

/// The deepest message of the chain (the OS's "Connection refused" rather than three layers of wrapping).
fn innermost(error: &(dyn StdError + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

/// The text of the first `<name>...</name>` in an S3 error body quoted inside an error message.
fn xml_field(text: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = text.find(&open)? + open.len();
    let end = text[start..].find(&close)? + start;
    Some(text[start..end].trim().to_string()).filter(|field| !field.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_fields_come_from_the_quoted_body() {
        let text = "Generic S3 error: list: 403 Forbidden: <?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch\
                    </Code><Message>The request signature we calculated does not match</Message></Error>";
        assert_eq!(xml_field(text, "Code").as_deref(), Some("SignatureDoesNotMatch"));
        assert_eq!(xml_field(text, "Message").as_deref(), Some("The request signature we calculated does not match"));
        assert_eq!(xml_field("no body here", "Code"), None);
    }

    #[test]
    fn reasons_and_terminal_failures_follow_source_controller() {
        let secret = BucketError::InvalidSecret { detail: "missing key 'accesskey'".into() };
        assert_eq!(secret.reason(), "AuthenticationFailed");
        assert!(!secret.is_terminal(), "fixing the secret is not a spec change");
        let provider = BucketError::UnsupportedProvider { provider: "gcp".into(), detail: String::new() };
        assert_eq!(provider.reason(), "InvalidProviderConfiguration");
        assert!(provider.is_terminal());
        let missing = BucketError::BucketNotFound { bucket: "x".into() };
        assert_eq!(missing.to_string(), "bucket 'x' not found");
        assert_eq!(missing.reason(), "BucketOperationFailed");
        assert!(!missing.is_terminal());
    }
}
