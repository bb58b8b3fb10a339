//! YAML text for the YAML view, in the block style of `kubectl get -o yaml`, as styled lines.
//!
//! Our own emitter rather than a serializer: the view needs a class per span (key, string, number...), masking
//! of secret values, and the exact layout kubectl users know (keys in the API server's order, lists not indented
//! under their key, `|` blocks for multi-line text). Strings are quoted only when YAML would read them as
//! something else: double quotes when they would resolve to another type (`"true"`, `"1.0"`, a timestamp) or
//! need escapes, single quotes when only the syntax needs it (`'*'`, `'- x'`), as go-yaml does.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value};

use super::secrets::{MASK, Masking};
use super::text::{StyledLine, TextClass};

/// The object as YAML lines. Secret-looking values show as [`MASK`] unless `reveal`.
pub fn yaml_lines(value: &Value, reveal: bool) -> Vec<StyledLine> {
    let mut emitter = Emitter { masking: Masking::for_object(value, reveal), lines: Vec::new(), path: Vec::new() };
    match value {
        Value::Object(map) if !map.is_empty() => emitter.map(map, 0, None),
        Value::Array(items) if !items.is_empty() => emitter.list(items, 0, None),
        scalar => {
            let mut line = StyledLine::default();
            emitter.inline(scalar, 0, &mut line);
            emitter.lines.push(line);
        }
    }
    emitter.lines
}

/// The lines' text joined, for copying and for tests.
pub fn yaml_text(value: &Value, reveal: bool) -> String {
    yaml_lines(value, reveal).iter().map(|line| line.text() + "\n").collect()
}

struct Emitter<'a> {
    masking: Masking,
    lines: Vec<StyledLine>,
    path: Vec<&'a str>,
}

impl<'a> Emitter<'a> {
    /// A non-empty mapping at `indent`; `lead` is the `- ` line its first key continues, inside a list.
    fn map(&mut self, map: &'a Map<String, Value>, indent: usize, mut lead: Option<StyledLine>) {
        for (key, value) in map {
            let mut line = lead.take().unwrap_or_else(|| indented(indent));
            push_scalar_string(&mut line, key, TextClass::Key);
            line.push(":", TextClass::Punctuation);
            self.path.push(key);
            match value {
                Value::Object(child) if !child.is_empty() => {
                    self.lines.push(line);
                    self.map(child, indent + 2, None);
                }
                // kubectl style: a list's dashes line up with its key.
                Value::Array(items) if !items.is_empty() => {
                    self.lines.push(line);
                    self.list(items, indent, None);
                }
                scalar => {
                    line.push(" ", TextClass::Plain);
                    self.inline(scalar, indent + 2, &mut line);
                    self.lines.push(line);
                }
            }
            self.path.pop();
        }
    }

    /// A non-empty sequence at `indent`.
    fn list(&mut self, items: &'a [Value], indent: usize, mut lead: Option<StyledLine>) {
        for item in items {
            let mut line = lead.take().unwrap_or_else(|| indented(indent));
            line.push("-", TextClass::Punctuation);
            line.push(" ", TextClass::Plain);
            match item {
                Value::Object(child) if !child.is_empty() => self.map(child, indent + 2, Some(line)),
                Value::Array(child) if !child.is_empty() => self.list(child, indent + 2, Some(line)),
                scalar => {
                    self.inline(scalar, indent + 2, &mut line);
                    self.lines.push(line);
                }
            }
        }
    }

    /// A scalar (or empty collection) after `key: ` or `- `; a block scalar's text goes on the following lines at
    /// `content_indent`.
    fn inline(&mut self, value: &Value, content_indent: usize, line: &mut StyledLine) {
        let maskable = matches!(value, Value::String(_) | Value::Number(_));
        if maskable && self.masking.masks(&self.path) {
            line.push(MASK, TextClass::Masked);
            return;
        }
        match value {
            Value::Null => line.push("null", TextClass::Null),
            Value::Bool(flag) => line.push(flag.to_string(), TextClass::Boolean),
            Value::Number(number) => line.push(number.to_string(), TextClass::Number),
            Value::String(text) => match block_header(text) {
                Some(header) => {
                    line.push(header, TextClass::Punctuation);
                    // The header's chomping indicator restores the final line break(s).
                    let body = text.strip_suffix('\n').unwrap_or(text);
                    for text_line in body.split('\n') {
                        let mut content = StyledLine::default();
                        if !text_line.is_empty() {
                            content.push(" ".repeat(content_indent), TextClass::Plain);
                            content.push(text_line, TextClass::String);
                        }
                        self.lines.push(std::mem::take(line));
                        *line = content;
                    }
                }
                None => push_scalar_string(line, text, TextClass::String),
            },
            Value::Array(_) => line.push("[]", TextClass::Punctuation),
            Value::Object(_) => line.push("{}", TextClass::Punctuation),
        }
    }
}

fn indented(indent: usize) -> StyledLine {
    let mut line = StyledLine::default();
    if indent > 0 {
        line.push(" ".repeat(indent), TextClass::Plain);
    }
    line
}

/// The literal block header for a multi-line string, or `None` when it must be a quoted scalar: a literal block
/// cannot start with a space (that would need an indentation indicator), hold control characters or carriage
/// returns, or be only line breaks.
fn block_header(text: &str) -> Option<&'static str> {
    if !text.contains('\n')
        || text.starts_with([' ', '\t', '\n'])
        || text.chars().any(|c| c.is_control() && c != '\n' && c != '\t')
        || text.trim().is_empty()
    {
        return None;
    }
    // Chomping: `|-` keeps no final line break, `|` keeps one, `|+` keeps them all.
    Some(if !text.ends_with('\n') {
        "|-"
    } else if text.ends_with("\n\n") {
        "|+"
    } else {
        "|"
    })
}

enum Style {
    Plain,
    Single,
    Double,
}

/// Strings that a YAML 1.1 or 1.2 reader would take for a boolean, null, number or timestamp.
static OTHER_TYPE: LazyLock<Regex> = LazyLock::new(|| {
    let patterns = [
        r"(?i:true|false|yes|no|on|off|y|n|null|~)",
        r"[-+]?[0-9][0-9_]*",
        r"[-+]?0[xX][0-9a-fA-F_]+|0o[0-7]+|[-+]?0b[01_]+",
        r"[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?",
        r"[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)",
        // Sexagesimal (YAML 1.1): `1:20`.
        r"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?",
        // Dates and timestamps, as kubectl quotes `creationTimestamp`.
        r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?",
    ];
    Regex::new(&format!("^(?:{})$", patterns.join("|"))).expect("constant pattern, compiled by every test")
});

fn scalar_style(text: &str) -> Style {
    if text.chars().any(|c| c.is_control() || c == '\u{feff}') {
        return Style::Double;
    }
    if text.is_empty() || OTHER_TYPE.is_match(text) {
        return Style::Double;
    }
    let first = text.chars().next().unwrap_or(' ');
    let second = text.chars().nth(1);
    let bad_start = match first {
        // Indicators that may start a plain scalar when a non-space follows.
        '-' | '?' | ':' => second.is_none_or(|c| c == ' '),
        ',' | '[' | ']' | '{' | '}' | '#' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@' | '`' | ' ' => true,
        _ => false,
    };
    if bad_start
        || text.ends_with([' ', ':'])
        || text.contains(": ")
        || text.contains(" #")
        || text == "<<"
        || text.starts_with("---")
        || text.starts_with("...")
    {
        return Style::Single;
    }
    Style::Plain
}

fn push_scalar_string(line: &mut StyledLine, text: &str, class: TextClass) {
    match scalar_style(text) {
        Style::Plain => line.push(text, class),
        Style::Single => line.push(format!("'{}'", text.replace('\'', "''")), class),
        Style::Double => line.push(double_quoted(text), class),
    }
}

fn double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || c == '\u{feff}' => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
#[path = "yaml_tests.rs"]
mod tests;
