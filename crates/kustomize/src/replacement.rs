//! `replacements`: copy a field of one object (the source, selected by exact group, version, kind, name and
//! namespace, current or earlier id) into fields of others, as kustomize's ReplacementTransformer does. Field
//! paths are dotted (`spec.template.spec.containers.[name=app].image`, `spec.ports.0.port`, `spec.*.x`);
//! `options` split a scalar on a delimiter and pick (source) or replace (target) the element at an index, and
//! `create` makes missing target fields. A target field that is missing without `create` is an error.

use std::path::Path;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::Error;
use crate::options::BuildOptions;
use crate::resource::{Gvk, ResId, Resource};

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Selector {
    #[serde(default)]
    group: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    namespace: String,
    #[serde(default)]
    label_selector: String,
    #[serde(default)]
    annotation_selector: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FieldOptions {
    #[serde(default)]
    delimiter: String,
    #[serde(default)]
    index: i64,
    #[serde(default)]
    create: bool,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Source {
    #[serde(flatten)]
    selector: Selector,
    #[serde(default)]
    field_path: String,
    #[serde(default)]
    options: Option<FieldOptions>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TargetSelector {
    select: Option<Selector>,
    #[serde(default)]
    reject: Vec<Selector>,
    #[serde(default)]
    field_paths: Vec<String>,
    #[serde(default)]
    options: Option<FieldOptions>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Replacement {
    source: Option<Source>,
    #[serde(default)]
    targets: Vec<TargetSelector>,
}

/// The replacements of one level, loaded.
#[derive(Debug, Default)]
pub struct Replacements(Vec<Replacement>);

fn invalid(file: &Path, message: String) -> Error {
    Error::InvalidKustomization { path: file.to_path_buf(), message: format!("replacements: {message}") }
}

impl Replacements {
    /// Loads `replacements` entries: inline, or `path:` files holding one replacement or a list.
    pub fn load(root: &Path, file: &Path, value: Option<&Value>, options: &BuildOptions) -> Result<Self, Error> {
        let entries = match value {
            None | Some(Value::Null) => return Ok(Replacements::default()),
            Some(Value::Array(entries)) => entries,
            Some(_) => return Err(invalid(file, "must be a list".into())),
        };
        let mut out = Vec::new();
        for entry in entries {
            match entry.get("path").and_then(Value::as_str) {
                Some(path) => {
                    let text = crate::loader::read_text(root, file, path, options)?;
                    let docs =
                        crate::yaml::parse_documents(&text).map_err(|m| invalid(file, format!("{path}: {m}")))?;
                    for doc in docs {
                        let items = match doc {
                            Value::Array(items) => items,
                            other => vec![other],
                        };
                        for item in items {
                            out.push(parse(item).map_err(|m| invalid(file, format!("{path}: {m}")))?);
                        }
                    }
                }
                None => out.push(parse(entry.clone()).map_err(|m| invalid(file, m))?),
            }
        }
        Ok(Replacements(out))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Applies every replacement in order.
    pub fn apply(&self, resources: &mut [Resource]) -> Result<(), String> {
        for replacement in &self.0 {
            replacement.apply(resources)?;
        }
        Ok(())
    }
}

fn parse(value: Value) -> Result<Replacement, String> {
    let replacement: Replacement = serde_json::from_value(value).map_err(|e| e.to_string())?;
    if replacement.source.is_none() {
        return Err("a replacement must have a source".into());
    }
    Ok(replacement)
}

impl Selector {
    /// kustomize's `ResId.IsSelectedBy`: every part set must be equal.
    fn selects_id(&self, id: &ResId) -> bool {
        let part = |want: &str, have: &str| want.is_empty() || want == have;
        let namespace = || {
            let wanted = ResId { gvk: id.gvk.clone(), namespace: self.namespace.clone(), name: String::new() };
            wanted.effective_namespace() == id.effective_namespace()
        };
        part(&self.name, &id.name)
            && (self.namespace.is_empty() || namespace())
            && part(&self.group, &id.gvk.group)
            && part(&self.version, &id.gvk.version)
            && part(&self.kind, &id.gvk.kind)
    }

    fn selects(&self, r: &Resource) -> Result<bool, String> {
        let labels = crate::patch::LabelSelector::parse(&self.label_selector)?;
        let annotations = crate::patch::LabelSelector::parse(&self.annotation_selector)?;
        Ok(labels.matches(r.value.pointer("/metadata/labels"))
            && annotations.matches(r.value.pointer("/metadata/annotations"))
            && r.all_ids().any(|id| self.selects_id(&id)))
    }

    fn describe(&self) -> String {
        let id = ResId {
            gvk: Gvk { group: self.group.clone(), version: self.version.clone(), kind: self.kind.clone() },
            namespace: self.namespace.clone(),
            name: self.name.clone(),
        };
        id.to_string()
    }
}

impl Replacement {
    fn apply(&self, resources: &mut [Resource]) -> Result<(), String> {
        let Some(source) = &self.source else { return Ok(()) };
        let mut found = Vec::new();
        for r in resources.iter() {
            if source.selector.selects(r)? {
                found.push(r);
            }
        }
        let selected = match found.as_slice() {
            [one] => *one,
            [] => return Err(format!("nothing selected by {}", source.selector.describe())),
            _ => return Err(format!("multiple matches for selector {}", source.selector.describe())),
        };
        let field_path = if source.field_path.is_empty() { "metadata.name" } else { &source.field_path };
        let mut value = lookup(&selected.value, &split_path(field_path))
            .filter(|v| !is_nil_or_empty(v))
            .ok_or_else(|| format!("fieldPath `{field_path}` is missing for replacement source {}", selected.id()))?;
        if let Some(options) = source.options.as_ref().filter(|o| !o.delimiter.is_empty()) {
            let text = scalar_text(&value).ok_or("delimiter option can only be used with scalar nodes")?;
            let parts: Vec<&str> = text.split(options.delimiter.as_str()).collect();
            let part = usize::try_from(options.index)
                .ok()
                .and_then(|i| parts.get(i))
                .ok_or_else(|| format!("options.index {} is out of bounds for value {text}", options.index))?;
            value = Value::String(part.to_string());
        }
        for target in &self.targets {
            let select = target.select.as_ref().ok_or("target must specify resources to select")?;
            let paths: Vec<&str> = if target.field_paths.is_empty() {
                vec!["metadata.name"]
            } else {
                target.field_paths.iter().map(String::as_str).collect()
            };
            for r in resources.iter_mut() {
                let rejected = target.reject.iter().any(|reject| r.all_ids().any(|id| reject.selects_id(&id)));
                if rejected || !select.selects(r)? {
                    continue;
                }
                for path in &paths {
                    copy_to(&mut r.value, path, &value, target.options.as_ref())
                        .map_err(|e| format!("{}: {e}", r.id()))?;
                }
            }
        }
        Ok(())
    }
}

fn is_nil_or_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// kyaml's `SmarterPathSplitter`: dots split, except inside `[...]`.
fn split_path(path: &str) -> Vec<String> {
    let (mut out, mut current, mut depth) = (Vec::new(), String::new(), 0);
    for c in path.chars() {
        match c {
            '[' => {
                depth += 1;
                current.push(c);
            }
            ']' => {
                depth -= 1;
                current.push(c);
            }
            '.' if depth == 0 => out.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    out.push(current);
    out
}

/// A `[key=value]` list selector.
fn list_selector(segment: &str) -> Option<(&str, &str)> {
    segment.strip_prefix('[')?.strip_suffix(']')?.split_once('=')
}

fn element_matches(element: &Value, key: &str, value: &str) -> bool {
    if key.is_empty() {
        return scalar_text(element).as_deref() == Some(value);
    }
    element.get(key).and_then(scalar_text).as_deref() == Some(value)
}

fn lookup(value: &Value, path: &[String]) -> Option<Value> {
    let mut found = Vec::new();
    collect(value, path, &mut found);
    found.into_iter().next().cloned()
}

fn collect<'a>(value: &'a Value, path: &[String], out: &mut Vec<&'a Value>) {
    let Some((first, rest)) = path.split_first() else {
        out.push(value);
        return;
    };
    match value {
        Value::Array(items) => {
            if first == "*" {
                items.iter().for_each(|i| collect(i, rest, out));
            } else if let Some((key, wanted)) = list_selector(first) {
                items.iter().filter(|i| element_matches(i, key, wanted)).for_each(|i| collect(i, rest, out));
            } else if let Some(item) = first.parse::<usize>().ok().and_then(|i| items.get(i)) {
                collect(item, rest, out);
            }
        }
        Value::Object(map) => {
            if let Some(child) = map.get(first.as_str()) {
                collect(child, rest, out);
            }
        }
        _ => {}
    }
}

/// Sets every field `path` reaches in `target` to `value` (creating missing ones when asked).
fn copy_to(target: &mut Value, path: &str, value: &Value, options: Option<&FieldOptions>) -> Result<(), String> {
    let create = options.is_some_and(|o| o.create);
    let mut count = 0;
    set_all(target, &split_path(path), create, &mut |field| {
        count += 1;
        set_field(field, value, options)
    })?;
    if count == 0 {
        return Err(if create {
            format!("unable to find or create field \"{path}\" in replacement target")
        } else {
            format!("unable to find field \"{path}\" in replacement target")
        });
    }
    Ok(())
}

fn set_all(
    node: &mut Value,
    path: &[String],
    create: bool,
    visit: &mut dyn FnMut(&mut Value) -> Result<(), String>,
) -> Result<(), String> {
    let Some((first, rest)) = path.split_first() else { return visit(node) };
    if node.is_null() && create {
        *node = if first == "*" || list_selector(first).is_some() || first.parse::<usize>().is_ok() {
            Value::Array(Vec::new())
        } else {
            Value::Object(Map::new())
        };
    }
    match node {
        Value::Array(items) => {
            if first == "*" {
                for item in items.iter_mut() {
                    set_all(item, rest, create, visit)?;
                }
            } else if let Some((key, wanted)) = list_selector(first) {
                let mut matched = false;
                for item in items.iter_mut().filter(|i| element_matches(i, key, wanted)) {
                    matched = true;
                    set_all(item, rest, create, visit)?;
                }
                if !matched && create && !key.is_empty() {
                    let mut element = Map::new();
                    element.insert(key.to_string(), Value::String(wanted.to_string()));
                    items.push(Value::Object(element));
                    if let Some(last) = items.last_mut() {
                        set_all(last, rest, create, visit)?;
                    }
                }
            } else if let Some(item) = first.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                set_all(item, rest, create, visit)?;
            }
            Ok(())
        }
        Value::Object(map) => {
            if !map.contains_key(first.as_str()) {
                if !create {
                    return Ok(());
                }
                map.insert(first.clone(), Value::Null);
            }
            match map.get_mut(first.as_str()) {
                Some(child) => set_all(child, rest, create, visit),
                None => Ok(()),
            }
        }
        _ => Ok(()),
    }
}

/// kustomize's `setFieldValue`: a scalar target keeps its type and takes the value's text (with the delimiter
/// option, as one element of its own text); any other target is replaced by the value.
fn set_field(field: &mut Value, value: &Value, options: Option<&FieldOptions>) -> Result<(), String> {
    let mut value = value.clone();
    if let Some(options) = options.filter(|o| !o.delimiter.is_empty()) {
        let current = scalar_text(field).ok_or("delimiter option can only be used with scalar nodes")?;
        let mut parts: Vec<String> = current.split(options.delimiter.as_str()).map(str::to_string).collect();
        let text = scalar_text(&value).unwrap_or_default();
        match usize::try_from(options.index) {
            Err(_) => parts.insert(0, text),
            Ok(i) if i >= parts.len() => parts.push(text),
            Ok(i) => parts[i] = text,
        }
        value = Value::String(parts.join(&options.delimiter));
    }
    *field = match (&*field, scalar_text(&value)) {
        (Value::String(_), Some(text)) => Value::String(text),
        (Value::Number(_), Some(text)) => {
            serde_json::from_str::<serde_json::Number>(&text).map(Value::Number).unwrap_or(Value::String(text))
        }
        (Value::Bool(_), Some(text)) => match text.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text),
        },
        _ => value,
    };
    Ok(())
}

#[cfg(test)]
mod tests;
