//! Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`), decoded into the JSON the
//! real API server would print for the same object.
//!
//! kubectl's typed clients (`create deployment|secret|...`, `run`, `create token`) send protobuf. A body
//! is the magic `k8s\0` followed by a `runtime.Unknown` envelope: `typeMeta` (apiVersion, kind), `raw`
//! (the object's own message), `contentEncoding` and `contentType`. The object is decoded by following
//! the schema tables in `tables/`; a field number the tables do not know is an error naming the message
//! and the number, never silently dropped, so no data is lost on the way into the store.

mod decode;
mod schema;
mod special;
mod tables;
mod wire;

#[cfg(test)]
mod kubectl_tests;
#[cfg(test)]
mod tests;

use crate::error::ApiError;
use schema::Schema;
use serde_json::{Map, Value};
use wire::{Reader, WireValue};

/// The media type of Kubernetes protobuf bodies.
pub const MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf";

/// Every protobuf body starts with these four bytes.
pub const MAGIC: &[u8; 4] = b"k8s\0";

/// `apiVersion` -> the package short name the tables use.
const API_VERSIONS: &[(&str, &str)] = &[
    ("v1", "core"),
    ("apps/v1", "apps"),
    ("batch/v1", "batch"),
    ("rbac.authorization.k8s.io/v1", "rbac"),
    ("networking.k8s.io/v1", "networking"),
    ("policy/v1", "policy"),
    ("scheduling.k8s.io/v1", "scheduling"),
    ("authentication.k8s.io/v1", "authn"),
    ("authorization.k8s.io/v1", "authz"),
    ("meta.k8s.io/v1", "meta"),
];

/// meta/v1 kinds that every group version registers, so they arrive under any apiVersion.
const META_KINDS: &[&str] = &["DeleteOptions", "Status"];

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProtobufError {
    #[error("the protobuf body does not start with the k8s\\0 prefix")]
    NoMagic,
    #[error("malformed protobuf: {0}")]
    Malformed(String),
    #[error("protobuf message {message} has field {number} (wire type {wire_type}) that this server does not know")]
    UnknownField { message: String, number: u32, wire_type: u8 },
    #[error("protobuf field {message}.{field} has the wrong wire type {wire_type}")]
    WireType { message: String, field: String, wire_type: u8 },
    #[error("no protobuf schema for kind {kind:?} of apiVersion {api_version:?}")]
    UnknownKind { api_version: String, kind: String },
    #[error("unsupported protobuf envelope: {0}")]
    Envelope(String),
    #[error("protobuf schema tables are inconsistent: {0}")]
    Schema(String),
}

impl ProtobufError {
    /// A field the message does not have (or not with that wire type).
    fn unknown_field(message: &str, number: u32, value: WireValue<'_>) -> Self {
        ProtobufError::UnknownField { message: message.to_string(), number, wire_type: value.wire_type() }
    }

    /// Adds the message being read to a low-level wire error.
    fn within(self, message: &str) -> Self {
        match self {
            ProtobufError::Malformed(why) => ProtobufError::Malformed(format!("{why} in {message}")),
            other => other,
        }
    }
}

impl From<ProtobufError> for ApiError {
    fn from(err: ProtobufError) -> Self {
        match err {
            // The body is well-formed but holds something this server cannot represent: refusing the
            // media type tells the client to retry as JSON rather than lose fields.
            ProtobufError::UnknownField { .. } | ProtobufError::UnknownKind { .. } | ProtobufError::Envelope(_) => {
                ApiError::new(415, "UnsupportedMediaType", err.to_string())
            }
            ProtobufError::Schema(_) => ApiError::internal(err.to_string()),
            ProtobufError::NoMagic | ProtobufError::Malformed(_) | ProtobufError::WireType { .. } => {
                ApiError::bad_request(format!("error decoding protobuf body: {err}"))
            }
        }
    }
}

/// Decodes a whole protobuf request body into the object's JSON, `kind` and `apiVersion` first.
///
/// `ApiError::from` turns a failure into the status the server answers with.
pub fn decode(body: &[u8]) -> Result<Value, ProtobufError> {
    decode_nested(body, 0)
}

/// The envelope decoder, also used for objects embedded in a `RawExtension`.
fn decode_nested(body: &[u8], depth: usize) -> Result<Value, ProtobufError> {
    let envelope = body.strip_prefix(MAGIC.as_slice()).ok_or(ProtobufError::NoMagic)?;
    let unknown = Envelope::parse(envelope)?;
    if !unknown.content_encoding.is_empty() {
        return Err(ProtobufError::Envelope(format!("content encoding {:?}", unknown.content_encoding)));
    }
    let mut out = Map::new();
    if !unknown.kind.is_empty() {
        out.insert("kind".into(), Value::String(unknown.kind.clone()));
    }
    if !unknown.api_version.is_empty() {
        out.insert("apiVersion".into(), Value::String(unknown.api_version.clone()));
    }
    match unknown.content_type.as_str() {
        "" | MEDIA_TYPE => {}
        // An envelope may carry JSON; the object then speaks for itself.
        "application/json" => {
            return serde_json::from_slice(unknown.raw)
                .map_err(|e| ProtobufError::Malformed(format!("the envelope's JSON does not parse: {e}")));
        }
        other => return Err(ProtobufError::Envelope(format!("content type {other:?}"))),
    }
    let schema = Schema::get()?;
    let index = message_for(schema, &unknown.api_version, &unknown.kind).ok_or_else(|| ProtobufError::UnknownKind {
        api_version: unknown.api_version.clone(),
        kind: unknown.kind.clone(),
    })?;
    out.extend(decode::message(schema, index, unknown.raw, depth + 1)?);
    Ok(Value::Object(out))
}

fn message_for(schema: &Schema, api_version: &str, kind: &str) -> Option<usize> {
    let package = API_VERSIONS.iter().find(|(v, _)| *v == api_version).map(|(_, p)| *p);
    if let Some(index) = package.and_then(|p| schema.lookup(&format!("{p}.{kind}"))) {
        return Some(index);
    }
    META_KINDS.contains(&kind).then(|| schema.lookup(&format!("meta.{kind}"))).flatten()
}

/// `runtime.Unknown`: the envelope around every protobuf object.
struct Envelope<'a> {
    api_version: String,
    kind: String,
    raw: &'a [u8],
    content_encoding: String,
    content_type: String,
}

impl<'a> Envelope<'a> {
    fn parse(buf: &'a [u8]) -> Result<Self, ProtobufError> {
        let mut out = Envelope {
            api_version: String::new(),
            kind: String::new(),
            raw: &[],
            content_encoding: String::new(),
            content_type: String::new(),
        };
        let mut reader = Reader::new(buf);
        while let Some((number, value)) = reader.next_field().map_err(|e| e.within("runtime.Unknown"))? {
            match (number, value) {
                (1, WireValue::Bytes(type_meta)) => {
                    let mut inner = Reader::new(type_meta);
                    while let Some((number, value)) = inner.next_field().map_err(|e| e.within("runtime.TypeMeta"))? {
                        match (number, value) {
                            (1, WireValue::Bytes(b)) => out.api_version = text(b),
                            (2, WireValue::Bytes(b)) => out.kind = text(b),
                            (number, value) => {
                                return Err(ProtobufError::unknown_field("runtime.TypeMeta", number, value));
                            }
                        }
                    }
                }
                (2, WireValue::Bytes(raw)) => out.raw = raw,
                (3, WireValue::Bytes(b)) => out.content_encoding = text(b),
                (4, WireValue::Bytes(b)) => out.content_type = text(b),
                (number, value) => return Err(ProtobufError::unknown_field("runtime.Unknown", number, value)),
            }
        }
        Ok(out)
    }
}

/// A protobuf string; invalid UTF-8 becomes U+FFFD, as Go's JSON encoder does.
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
