//! The content hash suffix, computed as kustomize's `hasher` computes it: the SHA-256 of a small JSON object
//! (Go's `json.Marshal`: keys sorted, `<`, `>`, `&` escaped) built from the generated object, its first ten hex
//! digits with `0 1 3 a e` turned into `g h k m t` so the suffix never reads as a number or a word.
//!
//! kustomize looks the name up with the single path `metadata/name`, which finds nothing, so the JSON always
//! holds `"name":""`: two ConfigMaps with the same data get the same suffix whatever their names.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::resource::Resource;

/// Appends `-<hash>` to the name of every resource that asked for it, remembering the old id so the name
/// reference fix-up can follow.
pub fn add_hashes(resources: &mut [Resource]) {
    for resource in resources.iter_mut().filter(|r| r.needs_hash) {
        let name = format!("{}-{}", resource.name(), hash(&resource.value));
        resource.remember_id();
        resource.set_name(name);
    }
}

/// The suffix of one object.
pub fn hash(value: &Value) -> String {
    let encoded = go_json(&Value::Object(hashed_fields(value)));
    let digest = Sha256::digest(encoded.as_bytes());
    digest
        .iter()
        .flat_map(|b| [b >> 4, b & 0xf])
        .take(10)
        .map(|nibble| match nibble {
            0 => 'g',
            1 => 'h',
            3 => 'k',
            0xa => 'm',
            0xe => 't',
            n => char::from_digit(u32::from(n), 16).unwrap_or('?'),
        })
        .collect()
}

/// The fields kustomize hashes: kind, an empty name, data (`""` when absent), and for a ConfigMap its
/// binaryData, for a Secret its type and stringData. Any other kind is hashed whole.
fn hashed_fields(value: &Value) -> Map<String, Value> {
    let field = |name: &str| match value.get(name) {
        None | Some(Value::Null) => Value::String(String::new()),
        Some(v) => v.clone(),
    };
    let mut m = Map::new();
    let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
    let optional = match kind {
        "ConfigMap" => "binaryData",
        "Secret" => {
            m.insert("type".into(), field("type"));
            "stringData"
        }
        _ => return value.as_object().cloned().unwrap_or_default(),
    };
    m.insert("kind".into(), Value::String(kind.into()));
    m.insert("name".into(), Value::String(String::new()));
    m.insert("data".into(), field("data"));
    if let Some(extra @ Value::Object(_)) = value.get(optional) {
        m.insert(optional.into(), extra.clone());
    }
    m
}

/// `value` as Go's `json.Marshal` writes a `map[string]interface{}`: no spaces, keys sorted by bytes, HTML
/// characters and U+2028/U+2029 escaped.
pub fn go_json(value: &Value) -> String {
    let mut out = String::new();
    write_json(value, &mut out);
    out
}

fn write_json(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_json(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Value::String(s) => write_string(s, out),
        other => out.push_str(&other.to_string()),
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}
