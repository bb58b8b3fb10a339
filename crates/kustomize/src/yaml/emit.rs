//! The YAML emitter, shaped after what `kustomize build` prints.
//!
//! kustomize turns each resource into JSON (`json.Marshal` of a map) and back into YAML with go-yaml v2
//! (`sigs.k8s.io/yaml.JSONToYAML`). So its output has go-yaml v2's traits, which this module reproduces:
//! mapping keys sorted in go-yaml's "natural" order, block sequences not indented under their key, YAML 1.1
//! look-alikes (`yes`, `on`, `1e3`, dates) double-quoted, strings with line breaks as literal blocks, and plain or
//! quoted scalars folded at spaces past column 80.

use std::cmp::Ordering;

use serde_json::{Map, Number, Value};

use super::scalar::{self, Analysis};

/// The width past which go-yaml folds long scalars at a space.
const BEST_WIDTH: usize = 80;
/// go-yaml's indentation step.
const INDENT: usize = 2;

/// One document, without the `---` separator, ending with a newline.
pub fn to_yaml(value: &Value) -> String {
    let mut out = Emitter::default();
    match value {
        Value::Object(map) if !map.is_empty() => out.mapping(map, 0, false),
        Value::Array(items) if !items.is_empty() => out.sequence(items, 0, false),
        scalar => {
            out.scalar(scalar, 0, false);
            out.push("\n");
        }
    }
    out.text
}

/// go-yaml v2's order of mapping keys (its `keyList.Less` for string keys): letters compare by code point, a
/// non-letter sorts before a letter, and runs of digits compare as numbers.
pub fn natural_less(a: &str, b: &str) -> Ordering {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut digits = false;
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            digits = ar[i].is_ascii_digit();
            i += 1;
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i].cmp(&br[i]);
        }
        if al || bl {
            let a_first = if digits { al } else { bl };
            return if a_first { Ordering::Less } else { Ordering::Greater };
        }
        let mut an: i128 = 0;
        let mut bn: i128 = 0;
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an.saturating_mul(10).saturating_add(i128::from(ar[ai] as u8 - b'0'));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn.saturating_mul(10).saturating_add(i128::from(br[bi] as u8 - b'0'));
            bi += 1;
        }
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

#[derive(Default)]
struct Emitter {
    text: String,
}

impl Emitter {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }

    fn column(&self) -> usize {
        let line = self.text.rsplit('\n').next().unwrap_or("");
        line.chars().count()
    }

    fn spaces(&mut self, n: usize) {
        for _ in 0..n {
            self.text.push(' ');
        }
    }

    /// The entries of a non-empty mapping at `indent`; `inline` when the first key follows a `- ` already written.
    fn mapping(&mut self, map: &Map<String, Value>, indent: usize, inline: bool) {
        let mut keys: Vec<&String> = map.keys().collect();
        keys.sort_by(|a, b| natural_less(a, b));
        for (n, key) in keys.into_iter().enumerate() {
            if n > 0 || !inline {
                self.spaces(indent);
            }
            self.string(key, indent + INDENT, true);
            self.push(":");
            let value = &map[key.as_str()];
            match value {
                Value::Object(inner) if !inner.is_empty() => {
                    self.push("\n");
                    self.mapping(inner, indent + INDENT, false);
                }
                // go-yaml writes a sequence under a mapping key without indenting it.
                Value::Array(items) if !items.is_empty() => {
                    self.push("\n");
                    self.sequence(items, indent, false);
                }
                scalar => {
                    self.push(" ");
                    self.scalar(scalar, indent + INDENT, false);
                    self.push("\n");
                }
            }
        }
    }

    fn sequence(&mut self, items: &[Value], indent: usize, inline: bool) {
        for (n, item) in items.iter().enumerate() {
            if n > 0 || !inline {
                self.spaces(indent);
            }
            self.push("- ");
            match item {
                Value::Object(inner) if !inner.is_empty() => self.mapping(inner, indent + INDENT, true),
                Value::Array(inner) if !inner.is_empty() => self.sequence(inner, indent + INDENT, true),
                scalar => {
                    self.scalar(scalar, indent + INDENT, false);
                    self.push("\n");
                }
            }
        }
    }

    fn scalar(&mut self, value: &Value, indent: usize, key: bool) {
        match value {
            Value::Null => self.push("null"),
            Value::Bool(b) => self.push(if *b { "true" } else { "false" }),
            Value::Number(n) => self.push(&number(n)),
            Value::String(s) => self.string(s, indent, key),
            Value::Object(_) => self.push("{}"),
            Value::Array(_) => self.push("[]"),
        }
    }

    fn string(&mut self, s: &str, indent: usize, key: bool) {
        let analysis = scalar::analyze(s);
        let plain_ok = scalar::resolves_to_string(s);
        let style = if s.contains('\n') {
            Style::Literal
        } else if plain_ok {
            Style::Plain
        } else {
            Style::Double
        };
        match select_style(style, &analysis, s, key) {
            Style::Plain => self.plain(s, indent, !key),
            Style::Single => self.single_quoted(s, indent, !key),
            Style::Double => self.double_quoted(s, indent, !key),
            Style::Literal => self.literal(s, indent),
        }
    }

    /// go-yaml's `write_indent` while folding a scalar: the line already holds text, so a break, then spaces.
    fn write_indent(&mut self, indent: usize) {
        self.push("\n");
        self.spaces(indent);
    }

    fn plain(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_is_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks && !spaces && self.column() > BEST_WIDTH && !next_is_space {
                    self.write_indent(indent);
                } else {
                    self.text.push(c);
                }
                spaces = true;
            } else {
                self.text.push(c);
                spaces = false;
            }
        }
    }

    fn single_quoted(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        let chars: Vec<char> = s.chars().collect();
        self.push("'");
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_is_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks
                    && !spaces
                    && self.column() > BEST_WIDTH
                    && i != 0
                    && i != chars.len() - 1
                    && !next_is_space
                {
                    self.write_indent(indent);
                } else {
                    self.text.push(c);
                }
                spaces = true;
            } else {
                if c == '\'' {
                    self.text.push('\'');
                }
                self.text.push(c);
                spaces = false;
            }
        }
        self.push("'");
    }

    fn double_quoted(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        let chars: Vec<char> = s.chars().collect();
        self.push("\"");
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if !scalar::is_printable(c) || scalar::is_break(c) || c == '"' || c == '\\' || c == '\u{feff}' {
                self.push(&escape(c));
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column() > BEST_WIDTH && i != 0 && i != chars.len() - 1 {
                    self.write_indent(indent);
                    if chars.get(i + 1) == Some(&' ') {
                        self.push("\\");
                    }
                } else {
                    self.text.push(c);
                }
                spaces = true;
            } else {
                self.text.push(c);
                spaces = false;
            }
        }
        self.push("\"");
    }

    fn literal(&mut self, s: &str, indent: usize) {
        self.push("|");
        if s.starts_with([' ', '\n']) {
            self.push(&INDENT.to_string());
        }
        let chars: Vec<char> = s.chars().collect();
        match chars.as_slice() {
            [] => self.push("-"),
            [.., last] if !scalar::is_break(*last) => self.push("-"),
            [_] => self.push("+"),
            [.., before, _] if scalar::is_break(*before) => self.push("+"),
            _ => {}
        }
        self.push("\n");
        let mut breaks = true;
        for c in chars {
            if scalar::is_break(c) {
                self.text.push('\n');
                breaks = true;
            } else {
                if breaks {
                    self.spaces(indent);
                }
                self.text.push(c);
                breaks = false;
            }
        }
        // The caller ends the line; a literal block already ends with its own break when the text does.
        if self.text.ends_with('\n') {
            self.text.pop();
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// libyaml's `select_scalar_style`, in block context.
fn select_style(mut style: Style, analysis: &Analysis, s: &str, key: bool) -> Style {
    if style == Style::Plain && (!analysis.block_plain_allowed || (s.is_empty() && key)) {
        style = Style::Single;
    }
    if style == Style::Single && !analysis.single_quoted_allowed {
        style = Style::Double;
    }
    if style == Style::Literal && (!analysis.block_allowed || key) {
        style = Style::Double;
    }
    style
}

fn escape(c: char) -> String {
    match c {
        '\0' => "\\0".into(),
        '\u{7}' => "\\a".into(),
        '\u{8}' => "\\b".into(),
        '\t' => "\\t".into(),
        '\n' => "\\n".into(),
        '\u{b}' => "\\v".into(),
        '\u{c}' => "\\f".into(),
        '\r' => "\\r".into(),
        '\u{1b}' => "\\e".into(),
        '"' => "\\\"".into(),
        '\\' => "\\\\".into(),
        '\u{85}' => "\\N".into(),
        '\u{a0}' => "\\_".into(),
        '\u{2028}' => "\\L".into(),
        '\u{2029}' => "\\P".into(),
        c if (c as u32) <= 0xFF => format!("\\x{:02X}", c as u32),
        c if (c as u32) <= 0xFFFF => format!("\\u{:04X}", c as u32),
        c => format!("\\U{:08X}", c as u32),
    }
}

/// A number as it comes out of `json.Marshal` and then go-yaml v2: integral floats below 1e21 become integers,
/// other floats use Go's shortest `%g` form (`1e-06`, `1.5e+21`).
fn number(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    if f.fract() == 0.0 && f.abs() < 1e21 {
        return format!("{f:.0}");
    }
    go_format_g(f)
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`.
fn go_format_g(f: f64) -> String {
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let nd = digits.len() as i32;
    let dp = exp + 1;
    let mut eprec = 6;
    if eprec > nd && nd >= dp {
        eprec = nd;
    }
    let sign = if negative { "-" } else { "" };
    if exp < -4 || exp >= eprec {
        let (head, tail) = digits.split_at(1);
        let frac = if tail.is_empty() { String::new() } else { format!(".{tail}") };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{head}{frac}e{esign}{:02}", exp.abs());
    }
    if dp <= 0 {
        return format!("{sign}0.{}{digits}", "0".repeat((-dp) as usize));
    }
    let dp = dp as usize;
    if digits.len() <= dp {
        format!("{sign}{digits}{}", "0".repeat(dp - digits.len()))
    } else {
        format!("{sign}{}.{}", &digits[..dp], &digits[dp..])
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn keys_sort_in_go_yaml_natural_order() {
        let mut keys = vec!["ANOTHER", "A_FIRST", "b", "a10", "a2", "apiVersion", "kind", "data"];
        keys.sort_by(|a, b| natural_less(a, b));
        assert_eq!(keys, ["A_FIRST", "ANOTHER", "a2", "a10", "apiVersion", "b", "data", "kind"]);
    }

    #[test]
    fn scalars_are_quoted_as_go_yaml_quotes_them() {
        let doc = json!({"a": "yes", "b": "on", "c": "it's", "d": "-", "e": "x:", "f": ":x", "g": "",
            "h": "2001-01-01", "i": "1:20", "j": "tab\there", "k": "#x", "l": "x #y", "m": "ünï", "n": "a,b"});
        let expected = "a: \"yes\"\nb: \"on\"\nc: it's\nd: '-'\ne: 'x:'\nf: :x\ng: \"\"\nh: \"2001-01-01\"\n\
                        i: \"1:20\"\nj: \"tab\\there\"\nk: '#x'\nl: 'x #y'\nm: ünï\n\"n\": a,b\n";
        assert_eq!(to_yaml(&doc), expected);
    }

    #[test]
    fn multi_line_strings_are_literal_blocks() {
        let doc = json!({"a": "x\ny", "b": "x\ny\n", "c": "x\ny\n\n", "d": " x\ny", "e": "x \ny"});
        let expected = "a: |-\n  x\n  y\nb: |\n  x\n  y\nc: |+\n  x\n  y\n\nd: |2-\n   x\n  y\ne: \"x \\ny\"\n";
        assert_eq!(to_yaml(&doc), expected);
    }

    #[test]
    fn sequences_are_not_indented_under_keys() {
        let doc = json!({"spec": {"ports": [{"port": 1, "name": "a"}], "empty": [], "m": {}, "n": [[1, 2]]}});
        let expected = "spec:\n  empty: []\n  m: {}\n  \"n\":\n  - - 1\n    - 2\n  ports:\n  - name: a\n    port: 1\n";
        assert_eq!(to_yaml(&doc), expected);
    }

    #[test]
    fn long_plain_strings_fold_past_column_80() {
        let long = "a very long string that goes on and on and on and on and on and on and on and on and on and \
                    on and on and on and on and on";
        let doc = json!({"spec": {"long": long}});
        let expected = "spec:\n  long: a very long string that goes on and on and on and on and on and on and on\n    \
                        and on and on and on and on and on and on and on\n";
        assert_eq!(to_yaml(&doc), expected);
    }

    #[test]
    fn numbers_follow_json_then_go_yaml() {
        assert_eq!(
            to_yaml(&json!({"a": 1.0, "b": 1.5, "c": 0.000001, "d": 1e21, "e": -3})),
            "a: 1\nb: 1.5\nc: 1e-06\nd: 1e+21\ne: -3\n"
        );
    }
}
