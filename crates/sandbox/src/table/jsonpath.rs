//! The JSONPath subset that `additionalPrinterColumns` may use.
//!
//! The real server wraps a column's `jsonPath` in `{...}` and evaluates it with client-go's
//! jsonpath package, then keeps only the *first* match (`results[0][0]`). Supported here:
//! `.a.b`, `.a[0]`, `.a[-1]`, `.a[*].b`, `..`-free paths, quoted keys (`['app\.io/x']`,
//! `["x"]`), escaped dots in plain keys (`.metadata.labels.app\.io/x`), and filters
//! `[?(@.type=="Ready")]` / `!=` with a string, number or boolean literal.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(i64),
    Wildcard,
    Filter { path: Vec<String>, negate: bool, literal: Value },
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("unsupported JSONPath {path:?}: {why}")]
pub struct JsonPathError {
    pub path: String,
    pub why: &'static str,
}

/// A parsed printer-column path.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPath {
    steps: Vec<Step>,
}

impl JsonPath {
    pub fn parse(path: &str) -> Result<Self, JsonPathError> {
        let err = |why| JsonPathError { path: path.to_string(), why };
        let trimmed = path.trim();
        let inner = trimmed.strip_prefix('{').and_then(|p| p.strip_suffix('}')).unwrap_or(trimmed);
        let chars: Vec<char> = inner.chars().collect();
        let mut steps = Vec::new();
        let mut i = 0;
        if chars.first() == Some(&'$') {
            i = 1;
        }
        while i < chars.len() {
            match chars[i] {
                '.' => {
                    i += 1;
                    if chars.get(i) == Some(&'.') {
                        return Err(err("recursive descent is not allowed in printer columns"));
                    }
                    let mut key = String::new();
                    while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                        if chars[i] == '\\' && i + 1 < chars.len() {
                            i += 1;
                        }
                        key.push(chars[i]);
                        i += 1;
                    }
                    if key == "*" {
                        steps.push(Step::Wildcard);
                    } else if !key.is_empty() {
                        steps.push(Step::Key(key));
                    }
                }
                '[' => {
                    let close = find_bracket_end(&chars, i).ok_or_else(|| err("unclosed '['"))?;
                    let body: String = chars[i + 1..close].iter().collect();
                    steps.push(parse_bracket(body.trim()).ok_or_else(|| err("unsupported bracket expression"))?);
                    i = close + 1;
                }
                c if c.is_whitespace() => i += 1,
                _ => return Err(err("expected '.' or '['")),
            }
        }
        Ok(JsonPath { steps })
    }

    /// Every match, in document order.
    pub fn find<'a>(&self, root: &'a Value) -> Vec<&'a Value> {
        let mut current = vec![root];
        for step in &self.steps {
            let mut next = Vec::new();
            for value in current {
                each_match(step, value, &mut |found| {
                    next.push(found);
                    false
                });
            }
            current = next;
        }
        current
    }

    /// The first match, as the real table convertor uses it.
    pub fn first<'a>(&self, root: &'a Value) -> Option<&'a Value> {
        first_from(&self.steps, root)
    }
}

/// The first match of `steps` below `value`, in document order, without collecting the rest.
fn first_from<'a>(steps: &[Step], value: &'a Value) -> Option<&'a Value> {
    let Some((step, rest)) = steps.split_first() else { return Some(value) };
    let mut found = None;
    each_match(step, value, &mut |candidate| {
        found = first_from(rest, candidate);
        found.is_some()
    });
    found
}

/// Calls `visit` with every value `step` selects in `value`, in order, until it returns `true`
/// (stop); returns whether it stopped.
fn each_match<'a>(step: &Step, value: &'a Value, visit: &mut dyn FnMut(&'a Value) -> bool) -> bool {
    match step {
        Step::Key(key) => value.get(key.as_str()).is_some_and(visit),
        Step::Index(index) => {
            let Some(items) = value.as_array() else { return false };
            let len = items.len() as i64;
            let at = if *index < 0 { len + index } else { *index };
            (0..len).contains(&at) && visit(&items[at as usize])
        }
        Step::Wildcard => match value {
            Value::Array(items) => items.iter().any(visit),
            Value::Object(map) => map.values().any(visit),
            _ => false,
        },
        Step::Filter { path, negate, literal } => {
            let Some(items) = value.as_array() else { return false };
            items.iter().any(|item| {
                let field = path.iter().try_fold(item, |v, k| v.get(k.as_str()));
                let selected = field.is_some_and(|f| loosely_equal(f, literal) != *negate);
                selected && visit(item)
            })
        }
    }
}

/// Numbers compare by value (`1` equals `1.0`), everything else structurally.
fn loosely_equal(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// The index of the `]` closing the `[` at `open`, skipping quoted strings.
fn find_bracket_end(chars: &[char], open: usize) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut i = open + 1;
    while i < chars.len() {
        let c = chars[i];
        match quote {
            Some(_) if c == '\\' => i += 1,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == ']' => return Some(i),
            None => {}
        }
        i += 1;
    }
    None
}

fn parse_bracket(body: &str) -> Option<Step> {
    if body == "*" {
        return Some(Step::Wildcard);
    }
    if let Some(key) = unquote(body) {
        return Some(Step::Key(key));
    }
    if let Ok(index) = body.parse::<i64>() {
        return Some(Step::Index(index));
    }
    let filter = body.strip_prefix("?(")?.strip_suffix(')')?.trim();
    let (at, negate) = comparison_operator(filter)?;
    let (lhs, rhs) = (&filter[..at], &filter[at + 2..]);
    let path: Vec<String> = lhs.trim().strip_prefix("@.")?.split('.').map(str::to_string).collect();
    let rhs = rhs.trim();
    let literal = match unquote(rhs) {
        Some(s) => Value::String(s),
        None => serde_json::from_str(rhs).ok()?,
    };
    Some(Step::Filter { path, negate, literal })
}

/// The byte offset of the first `==` or `!=` outside quoted strings, and whether it is `!=`.
fn comparison_operator(filter: &str) -> Option<(usize, bool)> {
    let bytes = filter.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(_) if c == b'\\' => i += 1,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'\'' || c == b'"' => quote = Some(c),
            None if (c == b'=' || c == b'!') && bytes.get(i + 1) == Some(&b'=') => return Some((i, c == b'!')),
            None => {}
        }
        i += 1;
    }
    None
}

/// `'a\.b'` or `"x"` -> the key; backslash escapes the next character.
fn unquote(s: &str) -> Option<String> {
    let quote = s.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let inner = s.strip_prefix(quote)?.strip_suffix(quote)?;
    let mut out = String::new();
    let mut escaped = false;
    for c in inner.chars() {
        if escaped {
            out.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// How client-go's jsonpath prints a value with Go's `fmt.Fprint`: strings bare, maps as
/// `map[k:v]`, slices as `[a b]`.
pub fn go_print(value: &Value) -> String {
    match value {
        Value::Null => "<nil>".to_string(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => format!("[{}]", items.iter().map(go_print).collect::<Vec<_>>().join(" ")),
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys.iter().map(|k| format!("{k}:{}", go_print(&map[k.as_str()]))).collect();
            format!("map[{}]", parts.join(" "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn first(path: &str, doc: &Value) -> Option<Value> {
        JsonPath::parse(path).expect("parses").first(doc).cloned()
    }

    #[test]
    fn evaluates_the_printer_column_subset() {
        let doc = json!({
            "metadata": {"name": "x", "labels": {"app.io/x": "yes", "plain": "p"}},
            "spec": {"ports": [{"port": 80, "name": "http"}, {"port": 443}]},
            "status": {"conditions": [
                {"type": "Reconciling", "status": "False"},
                {"type": "Ready", "status": "True", "message": "ok"}
            ]}
        });
        assert_eq!(first(".metadata.name", &doc), Some(json!("x")));
        assert_eq!(first(".spec.ports[1].port", &doc), Some(json!(443)));
        assert_eq!(first(".spec.ports[-1].port", &doc), Some(json!(443)));
        assert_eq!(first(".spec.ports[*].port", &doc), Some(json!(80)));
        assert_eq!(first(r#".status.conditions[?(@.type=="Ready")].status"#, &doc), Some(json!("True")));
        assert_eq!(first(r#".status.conditions[?(@.type!="Ready")].status"#, &doc), Some(json!("False")));
        assert_eq!(first(r".metadata.labels['app\.io/x']", &doc), Some(json!("yes")));
        assert_eq!(first(r#".metadata.labels["plain"]"#, &doc), Some(json!("p")));
        assert_eq!(first(r".metadata.labels.app\.io/x", &doc), Some(json!("yes")));
        assert_eq!(first("{.metadata.name}", &doc), Some(json!("x")));
        assert_eq!(first(".status.missing", &doc), None);
        assert!(JsonPath::parse("..name").is_err());
    }

    #[test]
    fn filter_operators_inside_quoted_literals_are_text() {
        let doc = json!({"status": {"conditions": [
            {"type": "A", "message": "a!=b", "reason": "x"},
            {"type": "B", "message": "c==d", "reason": "y"}
        ]}});
        assert_eq!(first(r#".status.conditions[?(@.message=="a!=b")].reason"#, &doc), Some(json!("x")));
        assert_eq!(first(r#".status.conditions[?(@.message!="a!=b")].reason"#, &doc), Some(json!("y")));
        assert_eq!(first(r#".status.conditions[?(@.message=='c==d')].reason"#, &doc), Some(json!("y")));
    }

    #[test]
    fn first_agrees_with_find() {
        let doc = json!({"a": [{"b": [1, 2]}, {"b": [3]}], "m": {"x": {"y": 1}, "z": {"y": 2}}});
        for path in [".a[*].b[*]", ".a[*].b[1]", ".m.*.y", ".a[5]", ".a[?(@.b==3)]"] {
            let parsed = JsonPath::parse(path).expect("parses");
            assert_eq!(parsed.first(&doc), parsed.find(&doc).into_iter().next(), "{path}");
        }
    }

    #[test]
    fn prints_like_go() {
        assert_eq!(go_print(&json!({"b": 1, "a": [1, "x"]})), "map[a:[1 x] b:1]");
    }
}
