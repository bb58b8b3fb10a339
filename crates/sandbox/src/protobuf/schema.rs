//! The message schemas the decoder follows, parsed once from the compact tables in `tables/`.
//!
//! # Notation
//!
//! Each table entry describes one message: `Name: field field ...`, every field written as
//! `[^]json=number:type[*][!]`:
//!
//! - `json` is the Go struct's JSON name; a leading `^` marks an embedded struct whose fields Go's JSON
//!   encoder inlines into the parent (`json:",inline"`), so `json` is then only the proto field name.
//! - `type` is a scalar (`s` string, `y` bytes, `b` bool, `i32`, `i64`, `u32`, `u64`, `f64`), a message
//!   (`Name` in the same package, `pkg.Name` elsewhere), `[type]` for a repeated field, or `{key:value}`
//!   for a map (on the wire: repeated entry messages with key 1 and value 2).
//! - `*` marks a Go pointer: a zero value that is present on the wire is kept (`replicas: 0`), and an
//!   absent value is left out.
//! - `!` marks a field without `omitempty`: Go always writes it, so a zero scalar is kept and an absent
//!   slice, map or pointer becomes `null` (`rules: null` of an aggregated ClusterRole).
//!
//! Non-pointer struct fields are always present in Go's JSON (`omitempty` never drops a struct), so they
//! need no flag: an absent one decodes from an empty buffer (`status: {}`, `creationTimestamp: null`).

use super::ProtobufError;
use super::tables;
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scalar {
    Str,
    Bytes,
    Bool,
    I32,
    I64,
    U32,
    U64,
    F64,
}

/// apimachinery types whose JSON form is not the plain object of their proto fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Special {
    Time,
    MicroTime,
    Duration,
    FieldsV1,
    IntOrString,
    Quantity,
    RawExtension,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ty {
    Scalar(Scalar),
    /// Index into [`Schema::messages`].
    Message(usize),
    Special(Special),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    Single,
    Repeated,
    /// A map whose values have the field's `ty`.
    Map(Scalar),
}

#[derive(Debug, Clone)]
pub(super) struct Field {
    pub number: u32,
    pub json: &'static str,
    pub ty: Ty,
    pub shape: Shape,
    pub pointer: bool,
    /// No `omitempty` in the Go tag.
    pub always: bool,
    pub inline: bool,
}

#[derive(Debug)]
pub(super) struct Message {
    /// `pkg.Name`, for error messages.
    pub name: String,
    /// Sorted by field number.
    pub fields: Vec<Field>,
}

impl Message {
    /// The index in `fields` of field `number`.
    pub(super) fn position(&self, number: u32) -> Option<usize> {
        self.fields.binary_search_by_key(&number, |f| f.number).ok()
    }
}

#[derive(Debug)]
pub(super) struct Schema {
    pub messages: Vec<Message>,
    by_name: HashMap<String, usize>,
}

const SPECIALS: &[(&str, Special)] = &[
    ("meta.Time", Special::Time),
    ("meta.MicroTime", Special::MicroTime),
    ("meta.Duration", Special::Duration),
    ("meta.FieldsV1", Special::FieldsV1),
    ("intstr.IntOrString", Special::IntOrString),
    ("resource.Quantity", Special::Quantity),
    ("runtime.RawExtension", Special::RawExtension),
];

impl Schema {
    /// The schema of every supported package, parsed on first use.
    pub(super) fn get() -> Result<&'static Schema, ProtobufError> {
        static SCHEMA: OnceLock<Result<Schema, String>> = OnceLock::new();
        SCHEMA.get_or_init(|| Schema::parse(tables::PACKAGES)).as_ref().map_err(|e| ProtobufError::Schema(e.clone()))
    }

    /// The message `pkg.Name`, if the tables describe it.
    pub(super) fn lookup(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    pub(super) fn parse(packages: &[(&'static str, &[&[&'static str]])]) -> Result<Schema, String> {
        // First pass: names, so that fields can refer to messages defined later or in other packages.
        let mut by_name = HashMap::new();
        let mut entries = Vec::new();
        for (package, tables) in packages {
            for entry in tables.iter().flat_map(|t| t.iter()) {
                let (name, body) = entry.split_once(':').ok_or_else(|| format!("entry without a name: {entry}"))?;
                let full = format!("{package}.{}", name.trim());
                if by_name.insert(full.clone(), entries.len()).is_some() {
                    return Err(format!("message {full} is described twice"));
                }
                entries.push((*package, full, body));
            }
        }
        let mut messages = Vec::with_capacity(entries.len());
        for (package, name, body) in entries {
            let mut fields = body
                .split_whitespace()
                .map(|token| parse_field(token, package, &by_name).map_err(|e| format!("{name}: {token}: {e}")))
                .collect::<Result<Vec<_>, _>>()?;
            fields.sort_by_key(|f| f.number);
            if fields.windows(2).any(|w| w[0].number == w[1].number) {
                return Err(format!("{name}: a field number is used twice"));
            }
            messages.push(Message { name, fields });
        }
        Ok(Schema { messages, by_name })
    }
}

fn parse_field(token: &'static str, package: &str, names: &HashMap<String, usize>) -> Result<Field, String> {
    let (inline, token) = match token.strip_prefix('^') {
        Some(rest) => (true, rest),
        None => (false, token),
    };
    let (json, rest) = token.split_once('=').ok_or("missing `=`")?;
    let (number, ty) = rest.split_once(':').ok_or("missing `:`")?;
    let number: u32 = number.parse().map_err(|_| "bad field number")?;
    let always = ty.contains('!');
    let pointer = ty.contains('*');
    let ty = ty.trim_end_matches(['!', '*']);
    let (shape, ty) = if let Some(inner) = ty.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        (Shape::Repeated, inner)
    } else if let Some(inner) = ty.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
        let (key, value) = inner.split_once(':').ok_or("map without `key:value`")?;
        let Ty::Scalar(key) = parse_type(key, package, names)? else {
            return Err("map keys must be scalars".into());
        };
        (Shape::Map(key), value)
    } else {
        (Shape::Single, ty)
    };
    let ty = parse_type(ty, package, names)?;
    if inline && (shape != Shape::Single || !matches!(ty, Ty::Message(_))) {
        return Err("only a single message can be inlined".into());
    }
    Ok(Field { number, json, ty, shape, pointer, always, inline })
}

fn parse_type(ty: &str, package: &str, names: &HashMap<String, usize>) -> Result<Ty, String> {
    let scalar = match ty {
        "s" => Some(Scalar::Str),
        "y" => Some(Scalar::Bytes),
        "b" => Some(Scalar::Bool),
        "i32" => Some(Scalar::I32),
        "i64" => Some(Scalar::I64),
        "u32" => Some(Scalar::U32),
        "u64" => Some(Scalar::U64),
        "f64" => Some(Scalar::F64),
        _ => None,
    };
    if let Some(scalar) = scalar {
        return Ok(Ty::Scalar(scalar));
    }
    let full = if ty.contains('.') { ty.to_string() } else { format!("{package}.{ty}") };
    if let Some((_, special)) = SPECIALS.iter().find(|(name, _)| *name == full) {
        return Ok(Ty::Special(*special));
    }
    names.get(&full).map(|i| Ty::Message(*i)).ok_or_else(|| format!("unknown type {full}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_parses_and_resolves() {
        let schema = Schema::get().expect("the built-in tables are consistent");
        let container = &schema.messages[schema.lookup("core.Container").unwrap()];
        let name = &container.fields[container.position(1).unwrap()];
        assert_eq!((name.json, name.always, name.pointer), ("name", true, false));
        let spec = &schema.messages[schema.lookup("apps.DeploymentSpec").unwrap()];
        let replicas = &spec.fields[spec.position(1).unwrap()];
        assert!(replicas.pointer && !replicas.always);
        assert!(schema.messages.len() > 200, "{} messages", schema.messages.len());
    }

    #[test]
    fn reports_bad_entries() {
        let err = Schema::parse(&[("x", &[&["A: a=1:Missing"]])]).unwrap_err();
        assert!(err.contains("unknown type x.Missing"), "{err}");
        let err = Schema::parse(&[("x", &[&["A: a=1:s b=1:s"]])]).unwrap_err();
        assert!(err.contains("used twice"), "{err}");
        let err = Schema::parse(&[("x", &[&["A: ^a=1:s"]])]).unwrap_err();
        assert!(err.contains("inlined"), "{err}");
    }
}
