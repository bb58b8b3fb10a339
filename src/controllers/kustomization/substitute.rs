//! postBuild variable substitution (SEMANTICS.md §4 step 7): the bash-style `${...}` expressions Flux's envsubst
//! (fluxcd/pkg/envsubst) expands in the YAML of each built object.
//!
//! - `${var}`; `${var:=default}`, `${var=default}`, `${var:-default}`, `${var-default}` (the `:` forms also replace
//!   an empty value; defaults may hold expressions themselves); `${var:pos}`, `${var:pos:len}`; `${var/a/b}`,
//!   `${var//a/b}`; `${#var}`; `${var^}`, `${var^^}`, `${var,}`, `${var,,}`.
//! - `$$` is an escaped `$`, so `$${var}` is left as the text `${var}`; `$var` without braces is left alone.
//! - Strict mode (Flux's default `StrictPostBuildSubstitutions`): a variable without value and without default
//!   fails with `variable not set (strict mode): "<name>"`; otherwise it expands to nothing.

use std::collections::BTreeMap;

/// The names Flux accepts for variables (`^[_[:alpha:]][_[:alpha:][:digit:]]*$`).
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// Expands every expression of `text` with `vars`.
pub fn substitute(text: &str, vars: &BTreeMap<String, String>, strict: bool) -> Result<String, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while at < chars.len() {
        match (chars[at], chars.get(at + 1)) {
            ('$', Some('$')) => {
                out.push('$');
                at += 2;
            }
            ('$', Some('{')) => {
                let close = matching_brace(&chars, at + 2)
                    .ok_or_else(|| format!("bad substitution: missing closing brace in '{}'", snippet(&chars[at..])))?;
                let inner: String = chars[at + 2..close].iter().collect();
                out.push_str(&expand(&inner, vars, strict)?);
                at = close + 1;
            }
            (c, _) => {
                out.push(c);
                at += 1;
            }
        }
    }
    Ok(out)
}

/// The index of the `}` closing the expression whose body starts at `from`, nested `${...}` counted.
fn matching_brace(chars: &[char], from: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut at = from;
    while at < chars.len() {
        match chars[at] {
            '$' if chars.get(at + 1) == Some(&'{') => {
                depth += 1;
                at += 1;
            }
            '}' if depth == 0 => return Some(at),
            '}' => depth -= 1,
            _ => {}
        }
        at += 1;
    }
    None
}

fn snippet(chars: &[char]) -> String {
    chars.iter().take(40).collect()
}

fn not_set(name: &str) -> String {
    format!("variable not set (strict mode): \"{name}\"")
}

/// One `${...}` body.
fn expand(inner: &str, vars: &BTreeMap<String, String>, strict: bool) -> Result<String, String> {
    let bad = || format!("bad substitution: '${{{inner}}}'");
    if let Some(name) = inner.strip_prefix('#') {
        if !valid_name(name) {
            return Err(bad());
        }
        return value(name, vars, strict).map(|v| v.chars().count().to_string());
    }
    let name_len = inner.chars().take_while(|c| *c == '_' || c.is_ascii_alphanumeric()).count();
    let (name, rest) = inner.split_at(name_len);
    if !valid_name(name) {
        return Err(bad());
    }
    let current = vars.get(name);
    for (operator, use_on_empty) in [(":=", true), (":-", true), ("=", false), ("-", false)] {
        if let Some(default) = rest.strip_prefix(operator) {
            return match current {
                Some(v) if !(use_on_empty && v.is_empty()) => Ok(v.clone()),
                _ => substitute(default, vars, strict),
            };
        }
    }
    if rest.is_empty() {
        return value(name, vars, strict);
    }
    let current = value(name, vars, strict)?;
    if let Some(range) = rest.strip_prefix(':') {
        return substring(&current, range).ok_or_else(bad);
    }
    if let Some(pattern) = rest.strip_prefix('/') {
        let (all, pattern) = match pattern.strip_prefix('/') {
            Some(p) => (true, p),
            None => (false, pattern),
        };
        let (from, to) = pattern.split_once('/').unwrap_or((pattern, ""));
        let to = substitute(to, vars, strict)?;
        if from.is_empty() {
            return Ok(current);
        }
        return Ok(if all { current.replace(from, &to) } else { current.replacen(from, &to, 1) });
    }
    let first_changed = |upper: bool| {
        let mut chars = current.chars();
        let first: String = chars
            .next()
            .map(|c| if upper { c.to_uppercase().collect() } else { c.to_lowercase().collect() })
            .unwrap_or_default();
        first + chars.as_str()
    };
    match rest {
        "^^" => Ok(current.to_uppercase()),
        ",," => Ok(current.to_lowercase()),
        "^" => Ok(first_changed(true)),
        "," => Ok(first_changed(false)),
        _ => Err(bad()),
    }
}

fn value(name: &str, vars: &BTreeMap<String, String>, strict: bool) -> Result<String, String> {
    match vars.get(name) {
        Some(v) => Ok(v.clone()),
        None if strict => Err(not_set(name)),
        None => Ok(String::new()),
    }
}

/// `pos` or `pos:len` of `${var:pos:len}` (character positions, as Go's runes).
fn substring(value: &str, range: &str) -> Option<String> {
    let chars: Vec<char> = value.chars().collect();
    let (pos, len) = match range.split_once(':') {
        Some((pos, len)) => (pos.trim(), Some(len.trim())),
        None => (range.trim(), None),
    };
    let pos: i64 = pos.parse().ok()?;
    let total = chars.len() as i64;
    let start = if pos < 0 { (total + pos).max(0) } else { pos.min(total) } as usize;
    let end = match len {
        Some(len) => {
            let len: i64 = len.parse().ok()?;
            if len < 0 { (total + len).max(start as i64) as usize } else { (start + len as usize).min(chars.len()) }
        }
        None => chars.len(),
    };
    Some(chars[start..end.max(start)].iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn expands_values_defaults_and_escapes() {
        let v = vars(&[("env", "prod"), ("empty", "")]);
        let cases = [
            ("name: app-${env}", "name: app-prod"),
            ("r: ${replicas:=2}", "r: 2"),
            ("r: ${env:=dev}", "r: prod"),
            ("e: ${empty:=x} ${empty=y}", "e: x "),
            ("n: ${missing:-${env}}", "n: prod"),
            ("keep: $${env} $env", "keep: ${env} $env"),
            ("s: ${env:1:2} ${env:2} ${#env}", "s: ro od 4"),
            ("r: ${env/p/P} ${env^^} ${env^}", "r: Prod PROD Prod"),
        ];
        for (input, expected) in cases {
            assert_eq!(substitute(input, &v, true).as_deref(), Ok(expected), "{input}");
        }
    }

    #[test]
    fn strict_mode_fails_on_undefined_variables() {
        let v = vars(&[("a", "1")]);
        assert_eq!(substitute("x: ${nope}", &v, true), Err("variable not set (strict mode): \"nope\"".to_string()));
        assert_eq!(substitute("x: ${nope}", &v, false).as_deref(), Ok("x: "));
        assert!(substitute("x: ${a", &v, true).unwrap_err().contains("bad substitution"));
        assert!(substitute("x: ${1a}", &v, true).unwrap_err().contains("bad substitution"));
    }

    #[test]
    fn variable_names_follow_flux() {
        assert!(valid_name("_a1") && valid_name("CLUSTER_NAME"));
        assert!(!valid_name("1a") && !valid_name("a-b") && !valid_name(""));
    }
}
