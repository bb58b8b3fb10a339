//! `spec.ref.semver` of the sources that follow tags (GitRepository, OCIRepository): the highest tag whose
//! version is in the range. Ranges are evaluated as Flux does, with Masterminds semantics
//! ([`crate::controllers::semver_range`]); tags are versions with an optional `v`. Each source turns a
//! [`SemverError`] into its own error enum, keeping these messages.

use thiserror::Error;

use crate::controllers::semver_range::{VersionRange, parse_version};

/// Why no tag could be picked for a range.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SemverError {
    /// The range does not parse.
    #[error("semver parse error: invalid range '{range}': {detail}")]
    InvalidRange { range: String, detail: String },
    /// No tag is a version in the range.
    #[error("no match found for semver: {range}")]
    NoMatch { range: String },
}

/// Parses a Flux semver range.
pub fn parse_range(range: &str) -> Result<VersionRange, SemverError> {
    VersionRange::parse(range)
        .map_err(|error| SemverError::InvalidRange { range: range.to_string(), detail: error.to_string() })
}

/// The tag with the highest version in `range` among `tags` (tags that are no version are skipped).
pub fn highest_matching_tag<'a>(range: &str, tags: impl Iterator<Item = &'a str>) -> Result<String, SemverError> {
    let parsed = parse_range(range)?;
    tags.filter_map(|tag| parse_version(tag).map(|version| (version, tag)))
        .filter(|(version, _)| parsed.matches(version))
        .max_by(|a, b| a.0.cmp_precedence(&b.0))
        .map(|(_, tag)| tag.to_string())
        .ok_or_else(|| SemverError::NoMatch { range: range.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAGS: [&str; 7] = ["v0.9.0", "1.0.0", "v1.2.0", "v1.10.1", "v2.0.0-rc.1", "v2.0.0", "latest"];

    #[test]
    fn the_highest_version_in_the_range_wins() {
        let pick = |range: &str| highest_matching_tag(range, TAGS.into_iter()).unwrap();
        assert_eq!(pick(">=1.0.0 <2.0.0"), "v1.10.1");
        assert_eq!(pick(">= 1.0.0, < 1.5.0"), "v1.2.0");
        assert_eq!(pick("1.x"), "v1.10.1");
        assert_eq!(pick("*"), "v2.0.0");
        assert_eq!(pick("~1.2"), "v1.2.0");
        assert_eq!(pick("<1.0.0 || >=2.0.0"), "v2.0.0");
        assert_eq!(pick("=v1.0.0"), "1.0.0");
    }

    #[test]
    fn bad_ranges_and_no_match_are_clear() {
        let invalid = highest_matching_tag("not a range", TAGS.into_iter()).unwrap_err();
        assert!(matches!(invalid, SemverError::InvalidRange { .. }), "{invalid}");
        assert!(invalid.to_string().starts_with("semver parse error: invalid range 'not a range'"));
        let none = highest_matching_tag(">=5.0.0", TAGS.into_iter()).unwrap_err();
        assert_eq!(none.to_string(), "no match found for semver: >=5.0.0");
    }
}
