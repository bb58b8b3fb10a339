//! Legacy `vars`: `$(NAME)` in the fields of kustomize's `varReference` configuration replaced by a field of
//! the object a var names. As in kustomize, a var is bound to its object when its level is accumulated (by any
//! id the object has had, the namespace a wildcard when the var leaves it out), two vars with one name are an
//! error, and the values are read and substituted once, after the whole build (after the hash suffixes and the
//! name reference fix-up). `$(UNKNOWN)` stays as written; `$$` is a literal `$`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::fieldspec::FieldSpec;
use crate::resource::{Gvk, ResId, Resource};
use crate::target::Accumulated;

/// A `vars` entry.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Var {
    pub name: String,
    pub objref: ObjRef,
    #[serde(default)]
    pub fieldref: Option<FieldRef>,
    /// The resource the var was bound to when its level was accumulated: every id it had then. Later levels
    /// only add ids, so this history finds it again even when two resources started with the same id.
    #[serde(skip)]
    bound: Option<Vec<ResId>>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObjRef {
    #[serde(default)]
    pub api_version: String,
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub namespace: String,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FieldRef {
    #[serde(default)]
    pub fieldpath: String,
}

impl ObjRef {
    fn gvk(&self) -> Gvk {
        let mut gvk = Gvk::from_api_version(&self.api_version, &self.kind);
        if !self.group.is_empty() {
            gvk.group = self.group.clone();
        }
        if !self.version.is_empty() {
            gvk.version = self.version.clone();
        }
        gvk
    }
}

/// Parses a level's `vars`.
pub fn parse(value: Option<&Value>) -> Result<Vec<Var>, String> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| format!("vars: {e}")),
    }
}

/// Adds `incoming` vars to `vars`, refusing a name seen before.
pub fn merge(vars: &mut Vec<Var>, incoming: Vec<Var>) -> Result<(), String> {
    for var in incoming {
        if vars.iter().any(|v| v.name == var.name) {
            return Err(format!("var '{}' already encountered", var.name));
        }
        vars.push(var);
    }
    Ok(())
}

/// Binds the vars not bound yet to the one resource each names (kustomize's `MergeVars`).
pub fn bind(vars: &mut [Var], resources: &[Resource]) -> Result<(), String> {
    for var in vars.iter_mut().filter(|v| v.bound.is_none()) {
        let gvk = var.objref.gvk();
        let wanted = ResId { gvk, namespace: var.objref.namespace.clone(), name: var.objref.name.clone() };
        let exact = !wanted.namespace.is_empty() || wanted.gvk.is_cluster_scoped();
        let matched: Vec<&Resource> = resources
            .iter()
            .filter(|r| {
                r.all_ids().any(|id| {
                    id.gvk == wanted.gvk
                        && id.name == wanted.name
                        && (!exact || id.effective_namespace() == wanted.effective_namespace())
                })
            })
            .collect();
        match matched.as_slice() {
            [one] => var.bound = Some(one.all_ids().collect()),
            [] => {}
            more => {
                return Err(format!(
                    "found {} resId matches for var {} (unable to disambiguate)",
                    more.len(),
                    var.name
                ));
            }
        }
    }
    Ok(())
}

/// Substitutes every var of the build (kustomize's `ResolveVars`).
pub fn resolve(accumulated: &mut Accumulated) -> Result<(), String> {
    if accumulated.vars.is_empty() {
        return Ok(());
    }
    let mut values = BTreeMap::new();
    for var in &accumulated.vars {
        let resource = var
            .bound
            .as_ref()
            .and_then(|ids| accumulated.resources.iter().find(|r| r.all_ids().take(ids.len()).eq(ids.iter().cloned())))
            .ok_or_else(|| format!("var '{}' cannot be mapped to a field in the set of known resources", var.name))?;
        let path = var.fieldref.as_ref().map(|f| f.fieldpath.as_str()).filter(|p| !p.is_empty());
        let value = field_value(&resource.value, path.unwrap_or("metadata.name"))
            .ok_or_else(|| format!("field specified in var '{}' not found in corresponding resource", var.name))?;
        values.insert(var.name.clone(), value);
    }
    let specs = accumulated.config.var_references();
    for r in &mut accumulated.resources {
        let gvk = r.gvk();
        for spec in specs.iter().filter(|s| s.selects(&gvk)) {
            spec.apply(&mut r.value, &mut |node| {
                substitute(node, &values);
                Ok(())
            })?;
        }
    }
    Ok(())
}

/// A field by kustomize's dotted path (`spec.template.spec.containers[0].image`, `metadata.labels.app`).
fn field_value(value: &Value, path: &str) -> Option<Value> {
    let mut node = value;
    for part in path.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((key, rest)) => (key, Some(rest.trim_end_matches(']').parse::<usize>().ok()?)),
            None => (part, None),
        };
        if !key.is_empty() {
            node = node.get(key)?;
        }
        if let Some(i) = index {
            node = node.get(i)?;
        }
    }
    (!node.is_null()).then(|| node.clone())
}

fn substitute(node: &mut Value, values: &BTreeMap<String, Value>) {
    match node {
        Value::String(text) => *node = expand(text, values),
        Value::Array(items) => items.iter_mut().for_each(|i| substitute(i, values)),
        Value::Object(map) => map.values_mut().for_each(|v| substitute(v, values)),
        _ => {}
    }
}

/// Kubernetes' `$(VAR)` expansion. A string that is exactly one reference takes the value as it is (a number
/// stays a number), as kustomize does.
fn expand(text: &str, values: &BTreeMap<String, Value>) -> Value {
    if let Some(name) = text.strip_prefix("$(").and_then(|t| t.strip_suffix(')'))
        && let Some(value) = values.get(name)
    {
        return value.clone();
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(stripped) = after.strip_prefix('$') {
            out.push('$');
            rest = stripped;
        } else if let Some(inner) = after.strip_prefix('(')
            && let Some(end) = inner.find(')')
        {
            let name = &inner[..end];
            match values.get(name) {
                Some(Value::String(s)) => out.push_str(s),
                Some(other) => out.push_str(&other.to_string()),
                None => out.push_str(&format!("$({name})")),
            }
            rest = &inner[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Value::String(out)
}

/// kustomize's default `varReference` field specs: container args, command, env values and mount paths,
/// NFS servers, Ingress hosts, Service ports, and every object's labels and annotations.
pub fn default_var_references() -> Vec<FieldSpec> {
    const CONTAINER_FIELDS: &[&str] = &[
        "containers/args",
        "containers/command",
        "containers/env/value",
        "containers/volumeMounts/mountPath",
        "initContainers/args",
        "initContainers/command",
        "initContainers/env/value",
        "initContainers/volumeMounts/mountPath",
    ];
    const POD_SPECS: &[(&str, &str, &str)] = &[
        ("CronJob", "spec/jobTemplate/spec/template/spec", "spec/jobTemplate/spec/template/volumes/nfs/server"),
        ("DaemonSet", "spec/template/spec", "spec/template/spec/volumes/nfs/server"),
        ("Deployment", "spec/template/spec", "spec/template/spec/volumes/nfs/server"),
        ("Job", "spec/template/spec", "spec/template/spec/volumes/nfs/server"),
        ("Pod", "spec", "spec/volumes/nfs/server"),
        ("ReplicaSet", "spec/template/spec", "spec/template/spec/volumes/nfs/server"),
        ("StatefulSet", "spec/template/spec", "spec/volumeClaimTemplates/spec/nfs/server"),
    ];
    let owned = |kind: &str, path: String| FieldSpec {
        group: None,
        version: None,
        kind: Some(kind.to_string().into()),
        path: path.into(),
        create: false,
    };
    let mut specs = Vec::new();
    for (kind, prefix, nfs) in POD_SPECS {
        specs.extend(CONTAINER_FIELDS.iter().map(|f| owned(kind, format!("{prefix}/{f}"))));
        specs.push(owned(kind, nfs.to_string()));
    }
    specs.extend([
        FieldSpec::kind("Deployment", "spec/template/metadata/annotations", false),
        FieldSpec::kind("Ingress", "spec/rules/host", false),
        FieldSpec::kind("Ingress", "spec/tls/hosts", false),
        FieldSpec::kind("Ingress", "spec/tls/secretName", false),
        FieldSpec::kind("Service", "spec/ports/port", false),
        FieldSpec::kind("Service", "spec/ports/targetPort", false),
        FieldSpec::kind("PersistentVolume", "spec/nfs/server", false),
        FieldSpec::any("metadata/labels", false),
        FieldSpec::any("metadata/annotations", false),
    ]);
    specs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn expands_known_vars_and_keeps_the_rest() {
        let values = BTreeMap::from([("A".to_string(), json!("x")), ("N".to_string(), json!(8080))]);
        assert_eq!(expand("$(A)-$(B)-$$(A)", &values), json!("x-$(B)-$(A)"));
        assert_eq!(expand("$(N)", &values), json!(8080));
        assert_eq!(expand("port $(N)", &values), json!("port 8080"));
    }

    #[test]
    fn reads_dotted_field_paths() {
        let doc = json!({"spec": {"containers": [{"image": "a"}]}, "metadata": {"name": "n"}});
        assert_eq!(field_value(&doc, "spec.containers[0].image"), Some(json!("a")));
        assert_eq!(field_value(&doc, "metadata.name"), Some(json!("n")));
        assert_eq!(field_value(&doc, "metadata.namespace"), None);
    }

    #[test]
    fn repeated_names_are_an_error() {
        let var = |name: &str| Var { name: name.into(), objref: ObjRef::default(), fieldref: None, bound: None };
        let mut vars = vec![var("A")];
        assert!(merge(&mut vars, vec![var("A")]).is_err());
        assert!(merge(&mut vars, vec![var("B")]).is_ok());
    }
}
