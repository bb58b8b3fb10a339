//! YAML in and out. Parsing goes through serde-saphyr with kustomize's reading of scalars (YAML 1.2 booleans,
//! so `on` and `yes` stay strings, and legacy octal, so `0777` is 511); emitting follows go-yaml v2 ([`emit`]).

mod emit;
mod scalar;

use serde_json::Value;

pub use emit::{natural_less, to_yaml};

/// serde-saphyr's options matching how kustomize (go-yaml v3 then JSON) reads resources.
fn options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    options.legacy_octal_numbers = true;
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    options
}

/// Every document of a YAML stream, empty documents left out.
pub fn parse_documents(text: &str) -> Result<Vec<Value>, String> {
    let docs: Vec<Value> = serde_saphyr::from_multiple_with_options(text, options()).map_err(|e| e.to_string())?;
    Ok(docs.into_iter().filter(|d| !d.is_null()).collect())
}

/// One YAML document (a configuration file).
pub fn parse_document(text: &str) -> Result<Value, String> {
    one(parse_documents(text)?)
}

/// A kustomization file: one document in which, as kustomize reads it, a repeated key takes the last value.
pub fn parse_kustomization(text: &str) -> Result<Value, String> {
    let mut options = options();
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::LastWins;
    let docs: Vec<Value> = serde_saphyr::from_multiple_with_options(text, options).map_err(|e| e.to_string())?;
    one(docs.into_iter().filter(|d| !d.is_null()).collect())
}

fn one(mut docs: Vec<Value>) -> Result<Value, String> {
    match docs.len() {
        0 => Ok(Value::Object(Default::default())),
        1 => Ok(docs.remove(0)),
        n => Err(format!("expected one YAML document, found {n}")),
    }
}

/// The stream `kustomize build` prints: documents joined by `---`.
pub fn to_stream(docs: &[Value]) -> String {
    docs.iter().map(to_yaml).collect::<Vec<_>>().join("---\n")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn scalars_read_as_kustomize_reads_them() {
        let docs = parse_documents("a: on\nb: 0777\nc: yes\nd: \"0777\"\ne: ~\n---\n---\nf: 1\n").unwrap();
        assert_eq!(docs, vec![json!({"a": "on", "b": 511, "c": "yes", "d": "0777", "e": null}), json!({"f": 1})]);
    }

    #[test]
    fn duplicate_keys_are_an_error() {
        assert!(parse_documents("a: 1\na: 2\n").is_err());
    }
}
