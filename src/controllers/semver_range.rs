//! Semver ranges as Flux evaluates them: the Masterminds `semver/v3` constraint language, used by
//! GitRepository `spec.ref.semver` and HelmChart `spec.version` alike.
//!
//! Masterminds differs from Cargo's (and npm's) ranges in ways users notice, so the `semver` crate's
//! `VersionReq` is not used for matching:
//! - a bare version is an exact match (`1.2.3` is `=1.2.3`, not `^1.2.3`), and a partial one is a wildcard
//!   (`1.2` is `1.2.x`);
//! - every comparator without a prerelease part refuses prerelease versions (`>=1.0.0-0 <2.0.0` matches no
//!   prerelease, because `<2.0.0` has none), so `*` never picks a release candidate;
//! - comparators are separated by spaces or commas, alternatives by `||`, `a - b` is `>=a, <=b`, operators
//!   may be apart from their version (`>= 1.0`), and a `v` may precede a version.
//!
//! Versions themselves are parsed strictly (`x.y.z` with an optional `v`), as Flux's `version.ParseVersion` does.

use std::cmp::Ordering;
use std::fmt;

use semver::{BuildMetadata, Prerelease, Version};

/// A range that did not parse, with Masterminds' wording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("improper constraint: {constraint}")]
pub struct RangeError {
    /// The alternative (or single comparator) that is not valid.
    pub constraint: String,
}

/// A parsed range: alternatives (`||`), each a list of comparators that must all hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRange {
    alternatives: Vec<Vec<Comparator>>,
    text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    /// `=` or no operator: exact, or a wildcard when the version has `x` parts.
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterOrEqual,
    LessOrEqual,
    Tilde,
    Caret,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Comparator {
    operator: Operator,
    /// The constraint's version, with wildcard parts set to 0.
    version: Version,
    /// Which parts were wildcards (`1.x` is minor-dirty, `1.2.x` patch-dirty, `*` dirty alone).
    dirty: bool,
    minor_dirty: bool,
    patch_dirty: bool,
}

impl fmt::Display for VersionRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl VersionRange {
    /// Parses a range in Masterminds syntax.
    pub fn parse(text: &str) -> Result<VersionRange, RangeError> {
        let alternatives = text.split("||").map(parse_alternative).collect::<Result<Vec<_>, _>>()?;
        Ok(VersionRange { alternatives, text: text.to_string() })
    }

    /// Whether `version` is in the range (build metadata is ignored, as semver says).
    pub fn matches(&self, version: &Version) -> bool {
        self.alternatives.iter().any(|all| all.iter().all(|comparator| comparator.matches(version)))
    }
}

/// Parses a version as Flux parses tags and chart versions: strict semver after an optional leading `v`.
pub fn parse_version(text: &str) -> Option<Version> {
    Version::parse(text.strip_prefix('v').unwrap_or(text)).ok()
}

/// Parses a version leniently, as Masterminds' `NewVersion` does for chart metadata: a `v`, and missing minor
/// or patch parts (`1.2` is `1.2.0`), are accepted.
pub fn parse_version_lenient(text: &str) -> Option<Version> {
    let token = VersionToken::parse(text.trim())?;
    let number = |part: Option<&str>| match part {
        None => Some(0),
        Some(part) if is_wildcard(part) => None,
        Some(part) => part.parse::<u64>().ok(),
    };
    let mut version = Version::new(number(Some(token.major))?, number(token.minor)?, number(token.patch)?);
    version.pre = Prerelease::new(token.prerelease.unwrap_or("")).ok()?;
    version.build = BuildMetadata::new(token.build.unwrap_or("")).ok()?;
    Some(version)
}

/// Masterminds' version grammar inside a constraint: `v?MAJOR(.MINOR)?(.PATCH)?(-PRE)?(+BUILD)?`, where the
/// numbers may be `x`, `X` or `*`.
struct VersionToken<'a> {
    major: &'a str,
    minor: Option<&'a str>,
    patch: Option<&'a str>,
    prerelease: Option<&'a str>,
    build: Option<&'a str>,
}

impl<'a> VersionToken<'a> {
    fn parse(text: &'a str) -> Option<VersionToken<'a>> {
        let text = text.strip_prefix('v').unwrap_or(text);
        let (text, build) = match text.split_once('+') {
            Some((head, build)) => (head, Some(build)),
            None => (text, None),
        };
        let (core, prerelease) = match text.split_once('-') {
            Some((head, pre)) => (head, Some(pre)),
            None => (text, None),
        };
        let mut parts = core.split('.');
        let major = parts.next()?;
        let (minor, patch) = (parts.next(), parts.next());
        let number_like =
            |part: &str| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit() || "xX*".contains(c));
        let identifiers_ok = |part: Option<&str>| {
            part.is_none_or(|part| {
                part.split('.').all(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            })
        };
        let valid = parts.next().is_none()
            && [Some(major), minor, patch].into_iter().flatten().all(number_like)
            && identifiers_ok(prerelease)
            && identifiers_ok(build);
        valid.then_some(VersionToken { major, minor, patch, prerelease, build })
    }
}

fn is_wildcard(part: &str) -> bool {
    matches!(part, "x" | "X" | "*")
}

const OPERATORS: [(&str, Operator); 12] = [
    ("!=", Operator::NotEqual),
    (">=", Operator::GreaterOrEqual),
    ("=>", Operator::GreaterOrEqual),
    ("<=", Operator::LessOrEqual),
    ("=<", Operator::LessOrEqual),
    ("~>", Operator::Tilde),
    (">", Operator::Greater),
    ("<", Operator::Less),
    ("=", Operator::TildeOrEqual),
    ("~", Operator::Tilde),
    ("^", Operator::Caret),
    ("", Operator::TildeOrEqual),
];

/// One `||` alternative: comparators separated by spaces or commas, with `a - b` hyphen ranges.
fn parse_alternative(text: &str) -> Result<Vec<Comparator>, RangeError> {
    let improper = || RangeError { constraint: text.to_string() };
    // Tokens are operators glued to (or apart from) versions; commas separate like spaces.
    let words: Vec<&str> = text.split([' ', '\t', ',']).filter(|word| !word.is_empty()).collect();
    let mut comparators = Vec::new();
    let mut index = 0;
    while index < words.len() {
        let mut word = words[index].to_string();
        // An operator written apart from its version belongs to the next word.
        if OPERATORS.iter().any(|(op, _)| !op.is_empty() && *op == word) {
            index += 1;
            word.push_str(words.get(index).ok_or_else(improper)?);
        }
        // `a - b` is `>=a, <=b`.
        if words.get(index + 1) == Some(&"-") {
            let upper = words.get(index + 2).ok_or_else(improper)?;
            comparators.push(parse_comparator(&format!(">={word}")).ok_or_else(improper)?);
            comparators.push(parse_comparator(&format!("<={upper}")).ok_or_else(improper)?);
            index += 3;
            continue;
        }
        comparators.push(parse_comparator(&word).ok_or_else(improper)?);
        index += 1;
    }
    if comparators.is_empty() {
        return Err(improper());
    }
    Ok(comparators)
}

fn parse_comparator(text: &str) -> Option<Comparator> {
    // The longest operator that prefixes the text (the table lists two-character operators first).
    let (operator_text, operator) = OPERATORS.iter().find(|(op, _)| text.starts_with(op))?;
    let token = VersionToken::parse(&text[operator_text.len()..])?;
    let pre = token.prerelease.unwrap_or("");
    let number = |part: &str| part.parse::<u64>().ok();
    let (version, dirty, minor_dirty, patch_dirty) = if is_wildcard(token.major) {
        (Version::new(0, 0, 0), true, false, false)
    } else if token.minor.is_none_or(is_wildcard) {
        (Version::new(number(token.major)?, 0, 0), true, true, false)
    } else if token.patch.is_none_or(is_wildcard) {
        (Version::new(number(token.major)?, number(token.minor?)?, 0), true, false, true)
    } else {
        (Version::new(number(token.major)?, number(token.minor?)?, number(token.patch?)?), false, false, false)
    };
    let version = Version { pre: Prerelease::new(pre).ok()?, ..version };
    Some(Comparator { operator: *operator, version, dirty, minor_dirty, patch_dirty })
}

impl Comparator {
    /// Masterminds' `constraint.check`, function by function.
    fn matches(&self, v: &Version) -> bool {
        let c = &self.version;
        // Every comparator refuses prereleases unless it names one itself (Masterminds issue 21); `!=` only
        // when it is a wildcard.
        let refuses_prerelease = !v.pre.is_empty() && c.pre.is_empty();
        let compare = v.cmp_precedence(c);
        match self.operator {
            Operator::NotEqual => {
                if self.dirty {
                    if refuses_prerelease {
                        return false;
                    }
                    if c.major != v.major {
                        return true;
                    }
                    if self.minor_dirty {
                        return false;
                    }
                    if c.minor != v.minor {
                        return true;
                    }
                    if self.patch_dirty {
                        return (!v.pre.is_empty() || !c.pre.is_empty()) && v.pre != c.pre;
                    }
                    if c.patch != v.patch {
                        return true;
                    }
                }
                compare != Ordering::Equal
            }
            _ if refuses_prerelease => false,
            Operator::Greater => {
                if !self.dirty {
                    return compare == Ordering::Greater;
                }
                match v.major.cmp(&c.major) {
                    Ordering::Greater => true,
                    Ordering::Less => false,
                    Ordering::Equal if self.minor_dirty => false,
                    Ordering::Equal if self.patch_dirty => v.minor > c.minor,
                    Ordering::Equal => compare == Ordering::Greater,
                }
            }
            Operator::Less => compare == Ordering::Less,
            Operator::GreaterOrEqual => compare != Ordering::Less,
            Operator::LessOrEqual => {
                if !self.dirty {
                    return compare != Ordering::Greater;
                }
                !(v.major > c.major || (v.major == c.major && v.minor > c.minor && !self.minor_dirty))
            }
            Operator::Tilde => self.tilde(v, compare),
            Operator::TildeOrEqual if self.dirty => self.tilde(v, compare),
            Operator::TildeOrEqual => compare == Ordering::Equal,
            Operator::Caret => self.caret(v, compare),
        }
    }

    fn tilde(&self, v: &Version, compare: Ordering) -> bool {
        let c = &self.version;
        if compare == Ordering::Less {
            return false;
        }
        // `~0.0.0` (and `*`) accept everything.
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        v.major == c.major && (v.minor == c.minor || self.minor_dirty)
    }

    fn caret(&self, v: &Version, compare: Ordering) -> bool {
        let c = &self.version;
        if compare == Ordering::Less {
            return false;
        }
        if c.major > 0 || self.minor_dirty {
            return v.major == c.major;
        }
        if v.major > 0 {
            return false;
        }
        if c.minor > 0 || self.patch_dirty {
            return v.minor == c.minor;
        }
        if v.minor > 0 {
            return false;
        }
        v.patch == c.patch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(range: &str, version: &str) -> bool {
        let version = parse_version(version).unwrap_or_else(|| panic!("{version} is no version"));
        VersionRange::parse(range).unwrap_or_else(|e| panic!("{range}: {e}")).matches(&version)
    }

    #[test]
    fn bare_versions_are_exact_and_partial_ones_are_wildcards() {
        assert!(check("1.2.3", "1.2.3"));
        assert!(!check("1.2.3", "1.2.4"), "a bare version is not a caret range");
        assert!(check("1.2", "1.2.9"));
        assert!(!check("1.2", "1.3.0"));
        assert!(check("1.x", "1.9.0"));
        assert!(check("*", "0.0.1"));
        assert!(check("v1.2.3", "1.2.3"));
        assert!(check("=1.2.3+build", "1.2.3"));
    }

    #[test]
    fn comparators_tilde_caret_and_hyphen_ranges() {
        assert!(check(">=6.0.0 <6.2.0", "6.1.0"));
        assert!(!check(">=6.0.0 <6.2.0", "6.2.0"));
        assert!(check(">= 1.0.0, < 1.5.0", "1.2.0"));
        assert!(check("~1.2.3", "1.2.9") && !check("~1.2.3", "1.3.0"));
        assert!(check("~1", "1.9.0") && !check("~1", "2.0.0"));
        assert!(check("^1.2.3", "1.9.0") && !check("^1.2.3", "2.0.0"));
        assert!(check("^0.2.3", "0.2.9") && !check("^0.2.3", "0.3.0"));
        assert!(check("^0.0.3", "0.0.3") && !check("^0.0.3", "0.0.4"));
        assert!(check("1.2 - 1.4.5", "1.4.5") && !check("1.2 - 1.4.5", "1.4.6"));
        assert!(check("<1.0.0 || >=2.0.0", "2.1.0") && !check("<1.0.0 || >=2.0.0", "1.5.0"));
        assert!(check(">1.2", "1.3.0") && !check(">1.2", "1.2.5"));
        assert!(check("<=1.2", "1.2.9") && !check("<=1.2", "1.3.0"));
        assert!(check("!=1.2.3", "1.2.4") && !check("!=1.2.3", "1.2.3"));
        assert!(!check("!=1.x", "1.5.0") && check("!=1.x", "2.0.0"));
    }

    #[test]
    fn prereleases_match_only_comparators_that_name_one() {
        assert!(!check("*", "6.2.0-rc.1"));
        assert!(!check(">=6.0.0", "6.2.0-rc.1"));
        assert!(check(">=6.2.0-0", "6.2.0-rc.1"));
        assert!(check("6.2.0-rc.1", "6.2.0-rc.1"));
        // Masterminds is stricter than npm here: `<7.0.0` has no prerelease, so it refuses one.
        assert!(!check(">=6.2.0-0 <7.0.0", "6.2.0-rc.1"));
        assert!(check(">=6.2.0-0 <7.0.0-0", "6.2.0-rc.1"));
        assert!(check("~6.2.0-0", "6.2.0-rc.1"));
    }

    #[test]
    fn improper_constraints_are_refused() {
        for range in ["", "not a range", ">=", "1.2.3.4", ">=1.0 ||", "1.0 -"] {
            let error = VersionRange::parse(range).expect_err(range);
            assert!(error.to_string().starts_with("improper constraint: "), "{range}: {error}");
        }
        assert_eq!(VersionRange::parse(">=a").unwrap_err().constraint, ">=a");
    }

    #[test]
    fn versions_parse_strictly_or_leniently() {
        assert_eq!(parse_version("v1.2.3"), Some(Version::new(1, 2, 3)));
        assert_eq!(parse_version("1.2"), None);
        assert_eq!(parse_version_lenient("1.2"), Some(Version::new(1, 2, 0)));
        assert_eq!(parse_version_lenient("v6.0.0-rc.1+abc").map(|v| v.to_string()), Some("6.0.0-rc.1+abc".into()));
        assert_eq!(parse_version_lenient("x.1"), None);
    }
}
