//! Kubernetes label selectors (`app=podinfo,tier!=web,env in (dev,prod),!legacy`), matched on a row's labels
//! with the API server's semantics, so `-l` in the filter finds what `kubectl get -l` would.

use std::collections::BTreeMap;

use thiserror::Error;

/// One requirement of a selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// `key`: the label is set, to any value.
    Exists(String),
    /// `!key`: the label is not set.
    NotExists(String),
    /// `key=value` or `key==value`.
    Equals(String, String),
    /// `key!=value`: also true when the label is not set, as in Kubernetes.
    NotEquals(String, String),
    /// `key in (a,b)`: the label is set to one of the values.
    In(String, Vec<String>),
    /// `key notin (a,b)`: also true when the label is not set.
    NotIn(String, Vec<String>),
}

impl Requirement {
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        match self {
            Requirement::Exists(key) => labels.contains_key(key),
            Requirement::NotExists(key) => !labels.contains_key(key),
            Requirement::Equals(key, value) => labels.get(key) == Some(value),
            Requirement::NotEquals(key, value) => labels.get(key) != Some(value),
            Requirement::In(key, values) => labels.get(key).is_some_and(|label| values.contains(label)),
            Requirement::NotIn(key, values) => labels.get(key).is_none_or(|label| !values.contains(label)),
        }
    }
}

/// A parsed selector: every requirement must hold. The empty selector matches everything, as in Kubernetes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector {
    pub requirements: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SelectorError {
    #[error("label selector: expected a label key at {0:?}")]
    MissingKey(String),
    #[error("label selector: {0:?} is not a valid label key")]
    InvalidKey(String),
    #[error("label selector: {0:?} is not a valid label value")]
    InvalidValue(String),
    #[error("label selector: `{0}` needs a list of values in parentheses, like `{0} (a,b)`")]
    MissingList(String),
    #[error("label selector: unclosed `(` in {0:?}")]
    UnclosedList(String),
    #[error("label selector: unexpected {0:?} after a requirement (separate requirements with commas)")]
    Trailing(String),
}

impl LabelSelector {
    pub fn parse(input: &str) -> Result<LabelSelector, SelectorError> {
        let mut requirements = Vec::new();
        let mut rest = input.trim();
        while !rest.is_empty() {
            let (requirement, after) = parse_requirement(rest)?;
            requirements.push(requirement);
            let after = after.trim_start();
            rest = match after.strip_prefix(',') {
                Some(next) => next.trim_start(),
                None if after.is_empty() => after,
                None => return Err(SelectorError::Trailing(after.to_string())),
            };
        }
        Ok(LabelSelector { requirements })
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|requirement| requirement.matches(labels))
    }
}

/// Parses one requirement from the start of `input`, returning it and what follows.
fn parse_requirement(input: &str) -> Result<(Requirement, &str), SelectorError> {
    if let Some(rest) = input.strip_prefix('!') {
        let (key, after) = take_key(rest.trim_start())?;
        return Ok((Requirement::NotExists(key), after));
    }
    let (key, after) = take_key(input)?;
    let trimmed = after.trim_start();
    for (operator, not) in [("!=", true), ("==", false), ("=", false)] {
        if let Some(rest) = trimmed.strip_prefix(operator) {
            let (value, after) = take_value(rest.trim_start())?;
            let requirement = if not { Requirement::NotEquals(key, value) } else { Requirement::Equals(key, value) };
            return Ok((requirement, after));
        }
    }
    for (operator, not) in [("notin", true), ("in", false)] {
        let Some(rest) = trimmed.strip_prefix(operator) else { continue };
        // `in` must stand alone: `key inx` is not an operator.
        if rest.starts_with(|c: char| c.is_alphanumeric()) {
            continue;
        }
        let values = rest.trim_start().strip_prefix('(').ok_or_else(|| SelectorError::MissingList(operator.into()))?;
        let close = values.find(')').ok_or_else(|| SelectorError::UnclosedList(input.to_string()))?;
        let values = values[..close]
            .split(',')
            .map(|value| check_value(value.trim()))
            .filter(|value| !matches!(value, Ok(value) if value.is_empty()))
            .collect::<Result<Vec<_>, _>>()?;
        let after = &rest.trim_start()[close + 2..];
        let requirement = if not { Requirement::NotIn(key, values) } else { Requirement::In(key, values) };
        return Ok((requirement, after));
    }
    Ok((Requirement::Exists(key), after))
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/')
}

fn take_key(input: &str) -> Result<(String, &str), SelectorError> {
    let end = input.find(|c: char| !is_key_char(c)).unwrap_or(input.len());
    let key = &input[..end];
    if key.is_empty() {
        return Err(SelectorError::MissingKey(input.to_string()));
    }
    // A key is an optional DNS-subdomain prefix, a slash, and a name that starts and ends alphanumeric.
    let name = match key.split_once('/') {
        Some((prefix, name)) if !prefix.is_empty() && !name.contains('/') => name,
        Some(_) => return Err(SelectorError::InvalidKey(key.to_string())),
        None => key,
    };
    let edges_ok = |text: &str| {
        text.starts_with(|c: char| c.is_ascii_alphanumeric()) && text.ends_with(|c: char| c.is_ascii_alphanumeric())
    };
    if !edges_ok(name) || name.len() > 63 {
        return Err(SelectorError::InvalidKey(key.to_string()));
    }
    Ok((key.to_string(), &input[end..]))
}

fn take_value(input: &str) -> Result<(String, &str), SelectorError> {
    let end = input.find(|c: char| c == ',' || c.is_whitespace()).unwrap_or(input.len());
    Ok((check_value(&input[..end])?, &input[end..]))
}

/// Label values: empty, or up to 63 alphanumerics, `-`, `_` and `.`, starting and ending alphanumeric.
fn check_value(value: &str) -> Result<String, SelectorError> {
    let valid = value.is_empty()
        || (value.len() <= 63
            && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && value.starts_with(|c: char| c.is_ascii_alphanumeric())
            && value.ends_with(|c: char| c.is_ascii_alphanumeric()));
    if valid { Ok(value.to_string()) } else { Err(SelectorError::InvalidValue(value.to_string())) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(key, value)| (key.to_string(), value.to_string())).collect()
    }

    fn matches(selector: &str, pairs: &[(&str, &str)]) -> bool {
        LabelSelector::parse(selector).expect("valid selector").matches(&labels(pairs))
    }

    #[test]
    fn parses_every_operator() {
        let selector =
            LabelSelector::parse("app=podinfo, tier==web,env!=prod,team,!legacy,zone in (a, b),shard notin (x)")
                .expect("valid");
        assert_eq!(
            selector.requirements,
            vec![
                Requirement::Equals("app".into(), "podinfo".into()),
                Requirement::Equals("tier".into(), "web".into()),
                Requirement::NotEquals("env".into(), "prod".into()),
                Requirement::Exists("team".into()),
                Requirement::NotExists("legacy".into()),
                Requirement::In("zone".into(), vec!["a".into(), "b".into()]),
                Requirement::NotIn("shard".into(), vec!["x".into()]),
            ]
        );
    }

    #[test]
    fn matches_like_the_api_server() {
        let flux = [("kustomize.toolkit.fluxcd.io/name", "apps"), ("sharding.fluxcd.io/key", "shard1")];
        assert!(matches("kustomize.toolkit.fluxcd.io/name=apps", &flux));
        assert!(matches("sharding.fluxcd.io/key in (shard1,shard2)", &flux));
        assert!(!matches("sharding.fluxcd.io/key notin (shard1)", &flux));
        assert!(matches("tier!=web", &flux), "!= holds when the label is missing");
        assert!(matches("tier notin (web)", &flux), "notin holds when the label is missing");
        assert!(!matches("tier in (web)", &flux));
        assert!(!matches("!sharding.fluxcd.io/key", &flux));
        assert!(matches("!tier,kustomize.toolkit.fluxcd.io/name", &flux));
        assert!(matches("", &flux));
        assert!(matches("empty=", &[("empty", "")]));
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert_eq!(LabelSelector::parse("=x"), Err(SelectorError::MissingKey("=x".into())));
        assert_eq!(LabelSelector::parse("app=pod info"), Err(SelectorError::Trailing("info".into())));
        assert_eq!(LabelSelector::parse("app in a,b"), Err(SelectorError::MissingList("in".into())));
        assert_eq!(LabelSelector::parse("app in (a,b"), Err(SelectorError::UnclosedList("app in (a,b".into())));
        assert_eq!(LabelSelector::parse("app=-x"), Err(SelectorError::InvalidValue("-x".into())));
        assert_eq!(LabelSelector::parse("a/b/c"), Err(SelectorError::InvalidKey("a/b/c".into())));
        assert!(LabelSelector::parse("app,").is_ok(), "a trailing comma is harmless while typing");
        assert!(LabelSelector::parse("index").is_ok(), "a key may start with `in`");
    }
}
