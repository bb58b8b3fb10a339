//! The `/` filter of a table, as k9s has it: text, a regular expression, `!` to invert, `-l` for labels.
//!
//! Rules, in order:
//! - empty (or only spaces) matches every row;
//! - `-l <selector>` matches rows whose labels satisfy a Kubernetes label selector;
//! - `!<text>` matches the rows `<text>` does not match;
//! - text containing a regex metacharacter (`.^$*+?()[]{}|\`) is a regular expression, matched against the
//!   namespace, name, kind, revision and message separately (so `^podinfo` anchors at the start of a name);
//!   otherwise it is a literal substring of one of them.
//!
//! Case is smart, as in ripgrep and vim: all-lowercase text ignores case, text with an uppercase letter matches
//! it exactly. Names are lowercase, so this only matters for kinds and messages.
//!
//! An invalid regular expression is an error rather than a literal: silently matching `(a|b` as a literal would
//! show rows for a different question than the one typed. The view keeps the previous filter and shows the
//! error while the user is still typing.

use regex::{Regex, RegexBuilder};
use thiserror::Error;

use super::row::Row;
use super::selector::{LabelSelector, SelectorError};

#[derive(Debug, Clone, Default)]
pub struct Filter {
    matcher: Matcher,
    inverted: bool,
}

#[derive(Debug, Clone, Default)]
enum Matcher {
    #[default]
    All,
    /// Matched against [`Row::search_text`], already lowercased.
    LowercaseText(String),
    /// Matched field by field, case-sensitively.
    Text(String),
    Regex(Regex),
    Labels(LabelSelector),
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FilterError {
    #[error("invalid regular expression {pattern:?}: {reason}")]
    InvalidRegex { pattern: String, reason: String },
    #[error(transparent)]
    Selector(#[from] SelectorError),
}

const REGEX_METACHARACTERS: &[char] = &['.', '^', '$', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '\\'];

impl Filter {
    pub fn parse(input: &str) -> Result<Filter, FilterError> {
        let input = input.trim();
        if let Some(selector) = input.strip_prefix("-l").filter(|rest| rest.is_empty() || rest.starts_with(' ')) {
            let selector = LabelSelector::parse(selector)?;
            return Ok(Filter { matcher: Matcher::Labels(selector), inverted: false });
        }
        let (text, inverted) = match input.strip_prefix('!') {
            Some(rest) => (rest.trim_start(), true),
            None => (input, false),
        };
        if text.is_empty() {
            // A lone `!` is half-typed; showing everything beats showing nothing.
            return Ok(Filter::default());
        }
        let case_sensitive = text.chars().any(char::is_uppercase);
        let matcher = if text.contains(REGEX_METACHARACTERS) {
            let regex = RegexBuilder::new(text)
                .case_insensitive(!case_sensitive)
                .build()
                .map_err(|err| FilterError::InvalidRegex { pattern: text.to_string(), reason: err.to_string() })?;
            Matcher::Regex(regex)
        } else if case_sensitive {
            Matcher::Text(text.to_string())
        } else if text.contains('\n') {
            // The search text joins columns with newlines; a pasted newline must not match across two columns.
            Matcher::Regex(
                RegexBuilder::new(&regex::escape(text))
                    .case_insensitive(true)
                    .build()
                    .map_err(|err| FilterError::InvalidRegex { pattern: text.to_string(), reason: err.to_string() })?,
            )
        } else {
            Matcher::LowercaseText(text.to_lowercase())
        };
        Ok(Filter { matcher, inverted })
    }

    /// Whether the filter lets every row through (the table can skip filtering).
    pub fn is_empty(&self) -> bool {
        matches!(self.matcher, Matcher::All)
    }

    pub fn matches(&self, row: &Row) -> bool {
        let fields =
            || [row.key.namespace.as_str(), row.key.name.as_str(), row.key.kind.name(), &row.revision, &row.message];
        let found = match &self.matcher {
            Matcher::All => true,
            Matcher::LowercaseText(text) => row.search_text.contains(text.as_str()),
            Matcher::Text(text) => fields().iter().any(|field| field.contains(text.as_str())),
            Matcher::Regex(regex) => fields().iter().any(|field| regex.is_match(field)),
            Matcher::Labels(selector) => selector.matches(&row.labels),
        };
        found != self.inverted
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::api::AnyFluxObject;

    fn row(kind: &str, namespace: &str, name: &str, labels: serde_json::Value, message: &str) -> Row {
        let api_version = match kind {
            "HelmRelease" => "helm.toolkit.fluxcd.io/v2",
            "Kustomization" => "kustomize.toolkit.fluxcd.io/v1",
            _ => "source.toolkit.fluxcd.io/v1",
        };
        let value = json!({
            "apiVersion": api_version,
            "kind": kind,
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "spec": {"interval": "5m"},
            "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "Succeeded", "message": message}]}
        });
        Row::from_object(Arc::new(AnyFluxObject::from_value(value))).expect("a Flux kind")
    }

    fn rows() -> Vec<Row> {
        vec![
            row(
                "HelmRelease",
                "podinfo",
                "podinfo",
                json!({"app": "podinfo", "tier": "web"}),
                "Helm install succeeded",
            ),
            row("Kustomization", "flux-system", "apps", json!({"env": "prod"}), "Applied revision: main@sha1:abc"),
            row("GitRepository", "flux-system", "flux-system", json!({}), "stored artifact for revision 'main'"),
        ]
    }

    fn names(filter: &str) -> Vec<String> {
        let filter = Filter::parse(filter).expect("valid filter");
        rows().iter().filter(|row| filter.matches(row)).map(|row| row.key.name.clone()).collect()
    }

    #[test]
    fn empty_and_lone_bang_match_everything() {
        assert_eq!(names("").len(), 3);
        assert_eq!(names("   ").len(), 3);
        assert_eq!(names("!").len(), 3);
        assert!(Filter::parse("").expect("valid").is_empty());
    }

    #[test]
    fn text_is_a_smart_case_substring_of_any_column() {
        assert_eq!(names("flux"), ["apps", "flux-system"], "namespace or name");
        assert_eq!(names("helmrelease"), ["podinfo"], "kind, any case");
        assert_eq!(names("HelmRelease"), ["podinfo"]);
        assert_eq!(names("Helmrelease"), Vec::<String>::new(), "uppercase makes it exact");
        assert_eq!(names("install"), ["podinfo"], "message");
        assert_eq!(names("sha1:abc"), ["apps"]);
        assert_eq!(names("system\ngit"), Vec::<String>::new(), "never across columns");
    }

    #[test]
    fn metacharacters_make_a_regex_anchored_per_column() {
        assert_eq!(names("^flux"), ["apps", "flux-system"]);
        assert_eq!(names("^apps$"), ["apps"]);
        assert_eq!(names("pod|apps"), ["podinfo", "apps"]);
        assert_eq!(names("^HELM"), Vec::<String>::new());
        assert_eq!(names("^helm"), ["podinfo"]);
    }

    #[test]
    fn bang_inverts() {
        assert_eq!(names("!flux"), ["podinfo"]);
        assert_eq!(names("! ^pod"), ["apps", "flux-system"]);
    }

    #[test]
    fn dash_l_selects_labels() {
        assert_eq!(names("-l app=podinfo"), ["podinfo"]);
        assert_eq!(names("-l env!=prod"), ["podinfo", "flux-system"]);
        assert_eq!(names("-l tier,!env"), ["podinfo"]);
        assert_eq!(names("-l env in (dev, prod)"), ["apps"]);
        assert_eq!(names("-l").len(), 3);
        assert_eq!(names("-lfoo"), Vec::<String>::new(), "not a selector: literal text");
    }

    #[test]
    fn errors_name_the_problem() {
        let err = Filter::parse("!(a|b").expect_err("unclosed group");
        assert!(matches!(&err, FilterError::InvalidRegex { pattern, .. } if pattern == "(a|b"), "{err}");
        assert!(err.to_string().starts_with("invalid regular expression \"(a|b\""));
        let err = Filter::parse("-l app in a").expect_err("missing list");
        assert_eq!(err.to_string(), "label selector: `in` needs a list of values in parentheses, like `in (a,b)`");
    }
}
