//! JSON patches (RFC 6902) as kustomize applies them (evanphx/json-patch): `add`, `remove`, `replace`, `move`,
//! `copy` and `test`, JSON pointers with `~1` for `/` and `~0` for `~`, `-` to append to a list. The operations
//! can be written in JSON or YAML.

use serde_json::Value;

/// Parses a list of operations.
pub fn parse(text: &str) -> Result<Vec<Value>, String> {
    let value = crate::yaml::parse_document(text)?;
    let Value::Array(ops) = value else { return Err("a JSON patch is a list of operations".into()) };
    for op in &ops {
        let Some(name) = op.get("op").and_then(Value::as_str) else {
            return Err(format!("JSON patch operation without `op`: {op}"));
        };
        if !matches!(name, "add" | "remove" | "replace" | "move" | "copy" | "test") {
            return Err(format!("unexpected kind of JSON patch operation: {name}"));
        }
    }
    Ok(ops)
}

/// Applies `ops` to `doc`, in order.
pub fn apply(doc: &mut Value, ops: &[Value]) -> Result<(), String> {
    for op in ops {
        apply_one(doc, op)?;
    }
    Ok(())
}

fn string_field<'a>(op: &'a Value, field: &str) -> Result<&'a str, String> {
    op.get(field).and_then(Value::as_str).ok_or_else(|| format!("JSON patch operation without `{field}`: {op}"))
}

fn apply_one(doc: &mut Value, op: &Value) -> Result<(), String> {
    let name = string_field(op, "op")?;
    let path = string_field(op, "path")?;
    let value = || op.get("value").cloned().unwrap_or(Value::Null);
    match name {
        "add" => add(doc, path, value()),
        "remove" => remove(doc, path).map(drop),
        "replace" => {
            let target = get_mut(doc, path)
                .ok_or_else(|| format!("replace operation does not apply: doc is missing key: {path}"))?;
            *target = value();
            Ok(())
        }
        "move" => {
            let from = string_field(op, "from")?;
            let moved = remove(doc, from)?;
            add(doc, path, moved)
        }
        "copy" => {
            let from = string_field(op, "from")?;
            let copied = get_mut(doc, from)
                .map(|v| v.clone())
                .ok_or_else(|| format!("copy operation does not apply: doc is missing from path: {from}"))?;
            add(doc, path, copied)
        }
        "test" => {
            let expected = value();
            match get_mut(doc, path) {
                Some(actual) if *actual == expected => Ok(()),
                None if expected.is_null() => Ok(()),
                _ => Err(format!("testing value {path} failed: test failed")),
            }
        }
        other => Err(format!("unexpected kind of JSON patch operation: {other}")),
    }
}

/// The reference tokens of a pointer, `~1` and `~0` decoded.
fn tokens(path: &str) -> Result<Vec<String>, String> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = path.strip_prefix('/') else { return Err(format!("JSON pointer must start with `/`: {path}")) };
    Ok(rest.split('/').map(|t| t.replace("~1", "/").replace("~0", "~")).collect())
}

fn index(token: &str, len: usize, allow_end: bool) -> Option<usize> {
    if token.starts_with('+') || (token.len() > 1 && token.starts_with('0')) {
        return None;
    }
    let i: usize = token.parse().ok()?;
    (i < len || (allow_end && i == len)).then_some(i)
}

fn get_mut<'a>(doc: &'a mut Value, path: &str) -> Option<&'a mut Value> {
    let mut node = doc;
    for token in tokens(path).ok()? {
        node = match node {
            Value::Object(map) => map.get_mut(&token)?,
            Value::Array(items) => {
                let len = items.len();
                items.get_mut(index(&token, len, false)?)?
            }
            _ => return None,
        };
    }
    Some(node)
}

/// The container holding the last token of `path`, and that token.
fn parent<'a>(doc: &'a mut Value, path: &str) -> Result<(&'a mut Value, String), String> {
    let mut tokens = tokens(path)?;
    let last = tokens.pop().ok_or_else(|| format!("cannot apply the operation to the whole document: {path}"))?;
    let parent_path: String = tokens.iter().map(|t| format!("/{}", t.replace('~', "~0").replace('/', "~1"))).collect();
    let parent = get_mut(doc, &parent_path).ok_or_else(|| format!("doc is missing path: {path}"))?;
    Ok((parent, last))
}

fn add(doc: &mut Value, path: &str, value: Value) -> Result<(), String> {
    if path.is_empty() {
        *doc = value;
        return Ok(());
    }
    let (parent, last) = parent(doc, path)?;
    match parent {
        Value::Object(map) => {
            map.insert(last, value);
            Ok(())
        }
        Value::Array(items) => {
            let i = if last == "-" {
                items.len()
            } else {
                index(&last, items.len(), true).ok_or_else(|| format!("add operation: index out of bounds: {path}"))?
            };
            items.insert(i, value);
            Ok(())
        }
        _ => Err(format!("add operation does not apply: doc is missing path: {path}")),
    }
}

fn remove(doc: &mut Value, path: &str) -> Result<Value, String> {
    let (parent, last) = parent(doc, path)?;
    let removed = match parent {
        Value::Object(map) => map.shift_remove(&last),
        Value::Array(items) => index(&last, items.len(), false).map(|i| items.remove(i)),
        _ => None,
    };
    removed.ok_or_else(|| format!("remove operation does not apply: doc is missing key: {path}"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn run(doc: Value, ops: &str) -> Result<Value, String> {
        let mut doc = doc;
        apply(&mut doc, &parse(ops)?)?;
        Ok(doc)
    }

    #[test]
    fn add_inserts_sets_and_appends() {
        let doc = json!({"a": {"list": [1, 3]}});
        let out = run(doc.clone(), r#"[{"op": "add", "path": "/a/list/1", "value": 2}, {"op": "add", "path": "/a/list/-", "value": 4}, {"op": "add", "path": "/b", "value": {"c": true}}]"#).unwrap();
        assert_eq!(out, json!({"a": {"list": [1, 2, 3, 4]}, "b": {"c": true}}));
        assert!(run(doc.clone(), "- {op: add, path: /x/y, value: 1}").is_err(), "missing parent");
        assert!(run(doc, "- {op: add, path: /a/list/5, value: 1}").is_err(), "past the end");
    }

    #[test]
    fn remove_and_replace_need_the_target() {
        let doc = json!({"a": 1, "b": [1, 2]});
        assert_eq!(
            run(doc.clone(), "- {op: remove, path: /b/0}\n- {op: replace, path: /a, value: 5}").unwrap(),
            json!({"a": 5, "b": [2]})
        );
        assert!(run(doc.clone(), "- {op: remove, path: /c}").is_err());
        assert!(run(doc, "- {op: replace, path: /c, value: 1}").is_err());
    }

    #[test]
    fn move_copy_and_test() {
        let doc = json!({"a": {"x": 1}, "b": {}});
        let out = run(doc.clone(), "- {op: copy, from: /a/x, path: /b/y}\n- {op: move, from: /a, path: /c}\n- {op: test, path: /c/x, value: 1}").unwrap();
        assert_eq!(out, json!({"b": {"y": 1}, "c": {"x": 1}}));
        assert!(run(doc, "- {op: test, path: /a/x, value: 2}").is_err());
    }

    #[test]
    fn pointers_escape_slash_and_tilde() {
        let doc = json!({"metadata": {"annotations": {"a/b": "1", "c~d": "2"}}});
        let out = run(doc, "- {op: replace, path: /metadata/annotations/a~1b, value: x}\n- {op: remove, path: /metadata/annotations/c~0d}").unwrap();
        assert_eq!(out, json!({"metadata": {"annotations": {"a/b": "x"}}}));
    }

    #[test]
    fn unknown_operations_are_refused() {
        assert!(parse("- {op: frobnicate, path: /a}").is_err());
        assert!(parse("a: 1").is_err());
    }
}
