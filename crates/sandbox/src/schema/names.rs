//! Object-name rules per kind, and the checks the real server makes on a CRD itself.

use super::quote;
use crate::error::Cause;
use crate::registry::ResourceInfo;
use regex::Regex;
use serde_json::Value;
use std::sync::LazyLock;

const LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const SUBDOMAIN_FMT: &str = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1035_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";

// The patterns are constants known to compile; a failure would be a programming error caught
// by every test that validates a name.
static LABEL: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(&format!("^{LABEL_FMT}$")).ok());
static SUBDOMAIN: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(&format!("^{SUBDOMAIN_FMT}$")).ok());
static DNS1035: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(&format!("^{DNS1035_FMT}$")).ok());

fn matches(re: &LazyLock<Option<Regex>>, s: &str) -> bool {
    re.as_ref().is_some_and(|re| re.is_match(s))
}

/// The name rule a kind's objects follow on the real server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameRule {
    /// RFC 1123 subdomain, at most 253 characters: most kinds and every custom resource.
    Subdomain,
    /// RFC 1123 label, at most 63 characters: namespaces.
    Label,
    /// RFC 1035 label, at most 63 characters: services.
    Dns1035Label,
    /// A path segment (not `.`/`..`, no `/` or `%`): RBAC roles and bindings.
    PathSegment,
}

fn name_rule(info: &ResourceInfo) -> NameRule {
    match (info.group.as_str(), info.kind.as_str()) {
        ("", "Namespace") => NameRule::Label,
        ("", "Service") => NameRule::Dns1035Label,
        ("rbac.authorization.k8s.io", "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding") => {
            NameRule::PathSegment
        }
        _ => NameRule::Subdomain,
    }
}

/// `metadata.name` checked as the real server checks it for this kind; `None` when valid.
/// An empty name is `Required value: name or generateName is required`.
pub fn validate_object_name(info: &ResourceInfo, name: &str) -> Option<Cause> {
    const FIELD: &str = "metadata.name";
    if name.is_empty() {
        return Some(Cause::new("FieldValueRequired", FIELD, "Required value: name or generateName is required"));
    }
    let quoted = quote(name);
    let problem = match name_rule(info) {
        NameRule::Subdomain if name.len() > 253 => Some("must be no more than 253 characters".to_string()),
        NameRule::Subdomain if !matches(&SUBDOMAIN, name) => Some(format!(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '{SUBDOMAIN_FMT}')"
        )),
        NameRule::Label if name.len() > 63 => Some("must be no more than 63 characters".to_string()),
        NameRule::Label if !matches(&LABEL, name) => Some(format!(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '{LABEL_FMT}')"
        )),
        NameRule::Dns1035Label if name.len() > 63 => Some("must be no more than 63 characters".to_string()),
        NameRule::Dns1035Label if !matches(&DNS1035, name) => Some(format!(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '{DNS1035_FMT}')"
        )),
        NameRule::PathSegment if name == "." || name == ".." => Some(format!("may not be '{name}'")),
        NameRule::PathSegment if name.contains('/') => Some("may not contain '/'".to_string()),
        NameRule::PathSegment if name.contains('%') => Some("may not contain '%'".to_string()),
        _ => None,
    };
    problem.map(|detail| Cause::new("FieldValueInvalid", FIELD, format!("Invalid value: {quoted}: {detail}")))
}

fn invalid(field: &str, value: &Value, detail: &str) -> Cause {
    Cause::new("FieldValueInvalid", field, format!("Invalid value: {value}: {detail}"))
}

fn required(field: &str) -> Cause {
    Cause::new("FieldValueRequired", field, "Required value")
}

/// A modest subset of the real CRD validation: names, scope, versions (served, exactly one
/// storage version, unique names) and a structural `openAPIV3Schema` with `type: object` at the
/// root for every version. Deeper structural-schema rules (types everywhere, no
/// `additionalProperties` next to `properties`, CEL cost estimation, conversion webhooks) are
/// not checked.
pub fn validate_crd(crd: &Value) -> Vec<Cause> {
    let mut causes = Vec::new();
    let text = |pointer: &str| crd.pointer(pointer).and_then(Value::as_str).unwrap_or_default();
    let group = text("/spec/group");
    let plural = text("/spec/names/plural");
    let name = text("/metadata/name");
    if group.is_empty() {
        causes.push(required("spec.group"));
    } else if !group.contains('.') {
        causes.push(invalid("spec.group", &Value::from(group), "should be a domain with at least one dot"));
    }
    if plural.is_empty() {
        causes.push(required("spec.names.plural"));
    }
    if text("/spec/names/kind").is_empty() {
        causes.push(required("spec.names.kind"));
    }
    if !group.is_empty() && !plural.is_empty() && name != format!("{plural}.{group}") {
        causes.push(invalid("metadata.name", &Value::from(name), "must be spec.names.plural+\".\"+spec.group"));
    }
    for (field, value) in [("spec.names.plural", plural), ("spec.names.singular", text("/spec/names/singular"))] {
        if !value.is_empty() && !matches(&LABEL, value) {
            causes.push(invalid(field, &Value::from(value), "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"));
        }
    }
    match text("/spec/scope") {
        "Namespaced" | "Cluster" => {}
        "" => causes.push(required("spec.scope")),
        other => causes.push(Cause::new(
            "FieldValueNotSupported",
            "spec.scope",
            format!("Unsupported value: {}: supported values: \"Cluster\", \"Namespaced\"", Value::from(other)),
        )),
    }
    let versions = crd.pointer("/spec/versions").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    if versions.is_empty() {
        causes.push(Cause::new(
            "FieldValueInvalid",
            "spec.versions",
            "Invalid value: \"null\": must have exactly one version marked as storage version",
        ));
        return causes;
    }
    let storage = versions.iter().filter(|v| v.get("storage").and_then(Value::as_bool) == Some(true)).count();
    if storage != 1 {
        causes.push(Cause::new(
            "FieldValueInvalid",
            "spec.versions",
            format!(
                "Invalid value: {}: must have exactly one version marked as storage version",
                serde_json::json!(versions.iter().map(|v| v.get("name")).collect::<Vec<_>>())
            ),
        ));
    }
    if !versions.iter().any(|v| v.get("served").and_then(Value::as_bool) == Some(true)) {
        causes.push(Cause::new(
            "FieldValueInvalid",
            "spec.versions",
            "Invalid value: \"null\": must have at least one served version",
        ));
    }
    let mut seen = Vec::new();
    for (i, version) in versions.iter().enumerate() {
        let vname = version.get("name").and_then(Value::as_str).unwrap_or_default();
        let field = format!("spec.versions[{i}]");
        if vname.is_empty() {
            causes.push(required(&format!("{field}.name")));
        } else if seen.contains(&vname) {
            causes.push(Cause::new(
                "FieldValueDuplicate",
                format!("{field}.name"),
                format!("Duplicate value: {}", Value::from(vname)),
            ));
        }
        seen.push(vname);
        match version.pointer("/schema/openAPIV3Schema") {
            None => causes.push(required(&format!("{field}.schema.openAPIV3Schema"))),
            Some(schema) if schema.get("type").and_then(Value::as_str) != Some("object") => causes.push(Cause::new(
                "FieldValueInvalid",
                format!("{field}.schema.openAPIV3Schema.type"),
                format!(
                    "Invalid value: {}: must be object at the root",
                    schema.get("type").cloned().unwrap_or(Value::Null)
                ),
            )),
            Some(_) => {}
        }
    }
    causes
}
