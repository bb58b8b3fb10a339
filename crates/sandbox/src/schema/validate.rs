//! Validation of a custom resource against its `openAPIV3Schema`, producing the causes and
//! messages the real server (kube-openapi + apiextensions) produces.

use super::cel::{CelError, Program};
use super::quote;
use super::structural::{child, index};
use crate::error::Cause;
use regex::Regex;
use serde_json::Value;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// What validation found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Validation {
    pub causes: Vec<Cause>,
    /// `x-kubernetes-validations` rules that were not evaluated because the rule uses CEL the
    /// sandbox does not implement, as `path: rule`.
    pub skipped_rules: Vec<String>,
}

/// Validates `object` (a whole custom resource) against `schema`. Root `apiVersion`, `kind`
/// and `metadata` are left to the server's own ObjectMeta validation.
pub fn validate(schema: &Value, object: &Value) -> Validation {
    let mut out = Validation::default();
    validate_at(schema, object, "", true, &mut out);
    out
}

/// The JSON type name kube-openapi reports: whole numbers are `integer`.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0) => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// How a `field.Error` prints its value: strings quoted, scalars bare, the rest as JSON.
pub(crate) fn show(value: &Value) -> String {
    value.to_string()
}

fn type_matches(expected: &str, value: &Value) -> bool {
    match expected {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "integer" => type_name(value) == "integer",
        "number" => value.is_number(),
        _ => true,
    }
}

fn invalid(out: &mut Validation, path: &str, value: &Value, detail: String) {
    out.causes.push(Cause::new("FieldValueInvalid", path, format!("Invalid value: {}: {detail}", show(value))));
}

fn body(path: &str) -> String {
    if path.is_empty() { "body".to_string() } else { format!("{path} in body") }
}

/// How many compiled patterns or programs a thread keeps; past that the cache starts over, so
/// a stream of distinct CRDs cannot grow it without bound.
const CACHE_LIMIT: usize = 4096;

thread_local! {
    static REGEXES: RefCell<HashMap<String, Result<Regex, regex::Error>>> = RefCell::new(HashMap::new());
    static PROGRAMS: RefCell<HashMap<String, Rc<Result<Program, CelError>>>> = RefCell::new(HashMap::new());
}

/// Whether `s` matches `pattern`, or why the pattern does not compile. Compiled patterns are
/// cached per thread: the same CRD schemas are validated over and over.
pub(crate) fn pattern_matches(pattern: &str, s: &str) -> Result<bool, regex::Error> {
    REGEXES.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(re) = cache.get(pattern) {
            return re.as_ref().map(|re| re.is_match(s)).map_err(Clone::clone);
        }
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        let re = Regex::new(pattern);
        let matched = re.as_ref().map(|re| re.is_match(s)).map_err(Clone::clone);
        cache.insert(pattern.to_string(), re);
        matched
    })
}

/// The compiled form of a CEL rule, compiled once per rule text and thread.
fn compiled(rule: &str) -> Rc<Result<Program, CelError>> {
    PROGRAMS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(program) = cache.get(rule) {
            return Rc::clone(program);
        }
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        let program = Rc::new(Program::compile(rule));
        cache.insert(rule.to_string(), Rc::clone(&program));
        program
    })
}

fn validate_at(schema: &Value, value: &Value, path: &str, root: bool, out: &mut Validation) {
    if value.is_null() && schema.get("nullable").and_then(Value::as_bool) == Some(true) {
        return;
    }
    let int_or_string = schema.get("x-kubernetes-int-or-string").and_then(Value::as_bool) == Some(true);
    if int_or_string {
        if !(value.is_string() || type_name(value) == "integer") {
            let got = type_name(value);
            out.causes.push(Cause::new(
                "FieldValueTypeInvalid",
                path,
                format!(
                    "Invalid value: {}: {} must be of type integer or string: {}",
                    quote(got),
                    body(path),
                    quote(got)
                ),
            ));
            return;
        }
    } else if let Some(expected) = schema.get("type").and_then(Value::as_str)
        && !type_matches(expected, value)
    {
        let got = type_name(value);
        out.causes.push(Cause::new(
            "FieldValueTypeInvalid",
            path,
            format!("Invalid value: {}: {} must be of type {expected}: {}", quote(got), body(path), quote(got)),
        ));
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        let supported: Vec<String> =
            allowed.iter().map(|a| quote(a.as_str().map_or_else(|| a.to_string(), str::to_string).as_str())).collect();
        out.causes.push(Cause::new(
            "FieldValueNotSupported",
            path,
            format!("Unsupported value: {}: supported values: {}", show(value), supported.join(", ")),
        ));
    }
    match value {
        Value::String(s) => validate_string(schema, s, value, path, out),
        Value::Number(n) => validate_number(schema, n.as_f64().unwrap_or_default(), value, path, out),
        Value::Array(items) => validate_array(schema, items, value, path, out),
        Value::Object(map) => {
            for name in schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
            {
                let server_owned = root && matches!(name, "apiVersion" | "kind" | "metadata");
                if !map.contains_key(name) && !server_owned {
                    out.causes.push(Cause::new("FieldValueRequired", child(path, name), "Required value"));
                }
            }
            let properties = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties").filter(|a| a.is_object());
            for (key, v) in map {
                if root && matches!(key.as_str(), "apiVersion" | "kind" | "metadata") {
                    continue;
                }
                if let Some(sub) = properties.and_then(|p| p.get(key)).or(additional) {
                    validate_at(sub, v, &child(path, key), false, out);
                }
            }
            let count = map.len() as i64;
            if let Some(max) = schema.get("maxProperties").and_then(Value::as_i64)
                && count > max
            {
                out.causes.push(Cause::new(
                    "FieldValueTooMany",
                    path,
                    format!("Too many: {count}: must have at most {max} items"),
                ));
            }
            if let Some(min) = schema.get("minProperties").and_then(Value::as_i64)
                && count < min
            {
                invalid(out, path, value, format!("{} should have at least {min} properties", body(path)));
            }
        }
        _ => {}
    }
    validate_junctors(schema, value, path, out);
    validate_rules(schema, value, path, out);
}

fn validate_string(schema: &Value, s: &str, value: &Value, path: &str, out: &mut Validation) {
    let len = s.chars().count() as i64;
    if let Some(max) = schema.get("maxLength").and_then(Value::as_i64)
        && len > max
    {
        let unit = if max == 1 { "byte" } else { "bytes" };
        out.causes.push(Cause::new("FieldValueTooLong", path, format!("Too long: may not be more than {max} {unit}")));
    }
    if let Some(min) = schema.get("minLength").and_then(Value::as_i64)
        && len < min
    {
        invalid(out, path, value, format!("{} should be at least {min} chars long", body(path)));
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str)
        && matches!(pattern_matches(pattern, s), Ok(false))
    {
        invalid(out, path, value, format!("{} should match '{pattern}'", body(path)));
    }
    let format = schema.get("format").and_then(Value::as_str).unwrap_or_default();
    let well_formed = match format {
        "date-time" => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
        "date" => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
        _ => true,
    };
    if !well_formed {
        invalid(out, path, value, format!("{} must be of type {format}: {}", body(path), quote(s)));
    }
}

fn validate_number(schema: &Value, n: f64, value: &Value, path: &str, out: &mut Validation) {
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64) {
        let exclusive = schema.get("exclusiveMinimum").and_then(Value::as_bool) == Some(true);
        if (exclusive && n <= min) || n < min {
            let relation = if exclusive { "greater than" } else { "greater than or equal to" };
            invalid(out, path, value, format!("{} should be {relation} {}", body(path), schema["minimum"]));
        }
    }
    if let Some(max) = schema.get("maximum").and_then(Value::as_f64) {
        let exclusive = schema.get("exclusiveMaximum").and_then(Value::as_bool) == Some(true);
        if (exclusive && n >= max) || n > max {
            let relation = if exclusive { "less than" } else { "less than or equal to" };
            invalid(out, path, value, format!("{} should be {relation} {}", body(path), schema["maximum"]));
        }
    }
    if let Some(factor) = schema.get("multipleOf").and_then(Value::as_f64)
        && factor != 0.0
        && (n / factor).fract() != 0.0
    {
        invalid(out, path, value, format!("{} should be a multiple of {}", body(path), schema["multipleOf"]));
    }
}

fn validate_array(schema: &Value, items: &[Value], value: &Value, path: &str, out: &mut Validation) {
    let count = items.len() as i64;
    if let Some(max) = schema.get("maxItems").and_then(Value::as_i64)
        && count > max
    {
        out.causes.push(Cause::new(
            "FieldValueTooMany",
            path,
            format!("Too many: {count}: must have at most {max} items"),
        ));
    }
    if let Some(min) = schema.get("minItems").and_then(Value::as_i64)
        && count < min
    {
        invalid(out, path, value, format!("{} should have at least {min} items", body(path)));
    }
    if let Some(item_schema) = schema.get("items").filter(|i| i.is_object()) {
        for (i, item) in items.iter().enumerate() {
            validate_at(item_schema, item, &index(path, i), false, out);
        }
    }
    match schema.get("x-kubernetes-list-type").and_then(Value::as_str) {
        Some("set") => {
            for (i, item) in items.iter().enumerate() {
                if items[..i].contains(item) {
                    out.causes.push(Cause::new(
                        "FieldValueDuplicate",
                        index(path, i),
                        format!("Duplicate value: {}", show(item)),
                    ));
                }
            }
        }
        Some("map") => {
            let keys: Vec<&str> = super::list_map_keys(schema).collect();
            // Each item's key, computed once; borrowed from the item.
            let item_keys: Vec<Vec<(&str, &Value)>> =
                items.iter().map(|item| keys.iter().filter_map(|k| item.get(*k).map(|v| (*k, v))).collect()).collect();
            for (i, key) in item_keys.iter().enumerate() {
                if item_keys[..i].contains(key) {
                    let shown: Vec<String> = key.iter().map(|(k, v)| format!("{}:{}", quote(k), show(v))).collect();
                    out.causes.push(Cause::new(
                        "FieldValueDuplicate",
                        index(path, i),
                        format!("Duplicate value: map[string]interface {{}}{{{}}}", shown.join(", ")),
                    ));
                }
            }
        }
        _ => {}
    }
}

/// `allOf`/`anyOf`/`oneOf`/`not`: value-validation junctors (structural schemas forbid types
/// and properties-with-structure in them, so only their validations matter).
fn validate_junctors(schema: &Value, value: &Value, path: &str, out: &mut Validation) {
    // x-kubernetes-int-or-string schemas carry an anyOf that only restates the type check.
    let int_or_string = schema.get("x-kubernetes-int-or-string").and_then(Value::as_bool) == Some(true);
    let passes = |sub: &Value| {
        let mut probe = Validation::default();
        validate_at(sub, value, path, false, &mut probe);
        probe.causes.is_empty()
    };
    for sub in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        validate_at(sub, value, path, false, out);
    }
    if let Some(any) = schema.get("anyOf").and_then(Value::as_array)
        && !int_or_string
        && !any.iter().any(passes)
    {
        invalid(out, path, value, format!("{} must validate at least one schema (anyOf)", body(path)));
    }
    if let Some(one) = schema.get("oneOf").and_then(Value::as_array)
        && one.iter().filter(|s| passes(s)).count() != 1
    {
        invalid(out, path, value, format!("{} must validate one and only one schema (oneOf)", body(path)));
    }
    if let Some(not) = schema.get("not")
        && passes(not)
    {
        invalid(out, path, value, format!("{} must not validate the schema (not)", body(path)));
    }
}

/// `x-kubernetes-validations`: evaluated with `self` bound to the value at this node.
fn validate_rules(schema: &Value, value: &Value, path: &str, out: &mut Validation) {
    for rule in schema.get("x-kubernetes-validations").and_then(Value::as_array).into_iter().flatten() {
        let Some(text) = rule.get("rule").and_then(Value::as_str) else { continue };
        if rule.get("messageExpression").is_some() && rule.get("message").is_none() {
            out.skipped_rules.push(format!("{path}: {text}"));
            continue;
        }
        let outcome = match compiled(text).as_ref() {
            Ok(program) => program.eval(value),
            Err(err) => Err(err.clone()),
        };
        let field = match rule.get("fieldPath").and_then(Value::as_str) {
            Some(extra) => format!("{path}{extra}"),
            None => path.to_string(),
        };
        let reason = rule.get("reason").and_then(Value::as_str).unwrap_or("FieldValueInvalid");
        let kind = quote(type_name(value));
        match outcome {
            Ok(true) => {}
            Ok(false) => {
                let message = rule
                    .get("message")
                    .and_then(Value::as_str)
                    .map_or_else(|| format!("failed rule: {text}"), |m| m.trim().to_string());
                let message = match reason {
                    "FieldValueForbidden" => format!("Forbidden: {message}"),
                    "FieldValueRequired" => format!("Required value: {message}"),
                    "FieldValueDuplicate" => format!("Duplicate value: {kind}: {message}"),
                    _ => format!("Invalid value: {kind}: {message}"),
                };
                out.causes.push(Cause::new(reason, field, message));
            }
            Err(CelError::Runtime(err)) => out.causes.push(Cause::new(
                "FieldValueInvalid",
                field,
                format!("Invalid value: {kind}: {err} evaluating rule: {text}"),
            )),
            Err(CelError::Unsupported(_)) => out.skipped_rules.push(format!("{path}: {text}")),
        }
    }
}
