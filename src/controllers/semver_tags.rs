//! `spec.ref.semver` of the sources that follow tags (GitRepository, OCIRepository): the highest tag whose
//! version is in the range. Ranges are written as Flux users write them (Masterminds syntax: comparators
//! separated by spaces or commas, alternatives by `||`, an optional `v` on tags), and evaluated with the
//! `semver` crate. Each source turns a [`SemverError`] into its own error enum, keeping these messages.

use semver::{Version, VersionReq};
use thiserror::Error;

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

/// Parses a Flux semver range into its alternatives.
pub fn parse_range(range: &str) -> Result<Vec<VersionReq>, SemverError> {
    let invalid = |detail: String| SemverError::InvalidRange { range: range.to_string(), detail };
    if range.trim().is_empty() {
        return Err(invalid("the range is empty".to_string()));
    }
    range
        .split("||")
        .map(|alternative| {
            let comparators: Vec<String> =
                alternative.split([' ', ',']).filter(|part| !part.is_empty()).map(without_v).collect();
            // An operator written apart from its version (">= 1.0") belongs to the next part.
            let mut joined: Vec<String> = Vec::new();
            for part in comparators {
                match joined.last_mut() {
                    Some(last) if last.chars().all(|c| "<>=~^!".contains(c)) => last.push_str(&part),
                    _ => joined.push(part),
                }
            }
            if joined.is_empty() {
                return Err(invalid("an alternative of the range is empty".to_string()));
            }
            VersionReq::parse(&joined.join(", ")).map_err(|e| invalid(e.to_string()))
        })
        .collect()
}

/// `>=v1.2.0` -> `>=1.2.0`: tags and ranges often carry a `v` the semver grammar does not know.
fn without_v(part: &str) -> String {
    let version_at = part.find(|c: char| !"<>=~^!".contains(c)).unwrap_or(part.len());
    let (operator, version) = part.split_at(version_at);
    format!("{operator}{}", version.strip_prefix('v').unwrap_or(version))
}

/// The tag with the highest version in `range` among `tags` (tags that are no version are skipped).
pub fn highest_matching_tag<'a>(range: &str, tags: impl Iterator<Item = &'a str>) -> Result<String, SemverError> {
    let alternatives = parse_range(range)?;
    tags.filter_map(|tag| Version::parse(tag.strip_prefix('v').unwrap_or(tag)).ok().map(|version| (version, tag)))
        .filter(|(version, _)| alternatives.iter().any(|req| req.matches(version)))
        .max_by(|a, b| a.0.cmp(&b.0))
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
