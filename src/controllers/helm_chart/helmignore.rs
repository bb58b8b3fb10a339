//! `.helmignore`, with Helm's own semantics (`helm.sh/helm/v3/pkg/ignore`), which are not gitignore's: patterns
//! are Go `filepath.Match` globs, a pattern without `/` matches the base name, one with `/` the whole relative
//! path, a leading `/` anchors at the chart root, a trailing `/` only matches directories, `**` is refused, and a
//! `!` rule ignores everything it does *not* match. Helm always adds `templates/.?*` (hidden files in
//! templates).

/// A parsed `.helmignore`.
#[derive(Debug, Clone, Default)]
pub struct HelmIgnore {
    rules: Vec<Rule>,
}

#[derive(Debug, Clone)]
struct Rule {
    pattern: String,
    negate: bool,
    must_be_dir: bool,
    scope: Scope,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// No `/`: matched against the base name.
    BaseName,
    /// A `/` inside, or a leading one (removed): matched against the whole relative path.
    Path,
}

/// A line Helm refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid .helmignore rule {rule:?}: {detail}")]
pub struct HelmIgnoreError {
    pub rule: String,
    pub detail: &'static str,
}

impl HelmIgnore {
    /// Parses a `.helmignore` file's text and adds Helm's default rule.
    pub fn parse(text: &str) -> Result<HelmIgnore, HelmIgnoreError> {
        let mut ignore = HelmIgnore::default();
        for line in text.lines() {
            ignore.add(line)?;
        }
        ignore.add("templates/.?*")?;
        Ok(ignore)
    }

    fn add(&mut self, line: &str) -> Result<(), HelmIgnoreError> {
        let rule = line.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        let refuse = |detail| Err(HelmIgnoreError { rule: rule.to_string(), detail });
        if rule.contains("**") {
            return refuse("double-star (**) syntax is not supported");
        }
        if glob_match(rule, "abc").is_err() {
            return refuse("syntax error in pattern");
        }
        let (negate, rest) = match rule.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, rule),
        };
        let (must_be_dir, rest) = match rest.strip_suffix('/') {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        let (scope, pattern) = if let Some(anchored) = rest.strip_prefix('/') {
            (Scope::Path, anchored)
        } else if rest.contains('/') {
            (Scope::Path, rest)
        } else {
            (Scope::BaseName, rest)
        };
        self.rules.push(Rule { pattern: pattern.to_string(), negate, must_be_dir, scope });
        Ok(())
    }

    /// Whether `path` (relative to the chart root, `/`-separated) is ignored. A directory that is ignored is
    /// skipped with everything in it.
    pub fn is_ignored(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for rule in &self.rules {
            let subject = match rule.scope {
                Scope::BaseName => path.rsplit('/').next().unwrap_or(path),
                Scope::Path => path,
            };
            let matched = glob_match(&rule.pattern, subject).unwrap_or(false);
            if rule.negate {
                // Helm's quirk, kept: a negated rule ignores whatever it does not match.
                if (rule.must_be_dir && !is_dir) || !matched {
                    return true;
                }
                continue;
            }
            if rule.must_be_dir && !is_dir {
                continue;
            }
            if matched {
                return true;
            }
        }
        false
    }
}

/// A malformed glob (Go's `filepath.ErrBadPattern`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("syntax error in pattern")]
pub struct BadPattern;

/// Go's `filepath.Match` on `/`-separated names: `*` (any run without `/`), `?` (one character but `/`),
/// `[...]` classes with ranges and `^` negation, `\` escapes. A malformed pattern is an error.
pub fn glob_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    match_from(&pattern, &name)
}

fn match_from(pattern: &[char], name: &[char]) -> Result<bool, BadPattern> {
    let Some((&first, rest)) = pattern.split_first() else {
        return Ok(name.is_empty());
    };
    match first {
        '*' => {
            // Try every split of the name that keeps `/` out of the star, checking the rest of the pattern is
            // well-formed even when the name runs out (Go reports bad patterns regardless of the name).
            let mut matched = false;
            for taken in 0..=name.len() {
                if taken > 0 && name[taken - 1] == '/' {
                    break;
                }
                if match_from(rest, &name[taken..])? {
                    matched = true;
                    break;
                }
            }
            if !matched {
                validate(rest)?;
            }
            Ok(matched)
        }
        '?' => match name.split_first() {
            Some((&c, name_rest)) if c != '/' => match_from(rest, name_rest),
            _ => validate(rest).map(|()| false),
        },
        '[' => {
            let (class_len, matches) = match_class(rest, name.first().copied())?;
            match name.split_first() {
                Some((_, name_rest)) if matches => match_from(&rest[class_len..], name_rest),
                _ => validate(&rest[class_len..]).map(|()| false),
            }
        }
        '\\' => {
            let (&escaped, rest) = rest.split_first().ok_or(BadPattern)?;
            match name.split_first() {
                Some((&c, name_rest)) if c == escaped => match_from(rest, name_rest),
                _ => validate(rest).map(|()| false),
            }
        }
        literal => match name.split_first() {
            Some((&c, name_rest)) if c == literal => match_from(rest, name_rest),
            _ => validate(rest).map(|()| false),
        },
    }
}

/// Checks the rest of a pattern is well-formed (classes closed, escapes complete).
fn validate(pattern: &[char]) -> Result<(), BadPattern> {
    let mut index = 0;
    while index < pattern.len() {
        match pattern[index] {
            '[' => index += 1 + match_class(&pattern[index + 1..], None)?.0,
            '\\' if index + 1 >= pattern.len() => return Err(BadPattern),
            '\\' => index += 2,
            _ => index += 1,
        }
    }
    Ok(())
}

/// Parses a class after its `[`; returns its length (through `]`) and whether `c` is in it (`/` never is).
fn match_class(pattern: &[char], c: Option<char>) -> Result<(usize, bool), BadPattern> {
    let mut index = 0;
    let negated = pattern.first() == Some(&'^');
    if negated {
        index += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let Some(&current) = pattern.get(index) else { return Err(BadPattern) };
        if current == ']' && !first {
            index += 1;
            break;
        }
        first = false;
        let (low, next) = class_char(pattern, index)?;
        let (high, next) = if pattern.get(next) == Some(&'-') && pattern.get(next + 1).is_some_and(|&c| c != ']') {
            class_char(pattern, next + 1)?
        } else {
            (low, next)
        };
        if let Some(c) = c
            && low <= c
            && c <= high
        {
            matched = true;
        }
        index = next;
    }
    let in_class = c.is_some_and(|c| c != '/' && matched != negated);
    Ok((index, in_class))
}

fn class_char(pattern: &[char], index: usize) -> Result<(char, usize), BadPattern> {
    match pattern.get(index) {
        Some('\\') => pattern.get(index + 1).map(|&c| (c, index + 2)).ok_or(BadPattern),
        Some('-') | Some(']') | None => Err(BadPattern),
        Some(&c) => Ok((c, index + 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_follow_go() {
        assert_eq!(glob_match("*.swp", "a.swp"), Ok(true));
        assert_eq!(glob_match("*.swp", "dir/a.swp"), Ok(false), "* stops at /");
        assert_eq!(glob_match("a?c", "abc"), Ok(true));
        assert_eq!(glob_match("[a-c]x", "bx"), Ok(true));
        assert_eq!(glob_match("[^a-c]x", "bx"), Ok(false));
        assert_eq!(glob_match("\\*", "*"), Ok(true));
        assert_eq!(glob_match("[", "a"), Err(BadPattern));
        assert_eq!(glob_match("a[", "b"), Err(BadPattern), "malformed even when the name does not match");
    }

    #[test]
    fn rules_follow_helm() {
        let ignore = HelmIgnore::parse("# c\n.git/\n*.bak\n/top.txt\nci/*.yaml\n").unwrap();
        assert!(ignore.is_ignored(".git", true));
        assert!(!ignore.is_ignored(".git", false), "a trailing / only matches directories");
        assert!(ignore.is_ignored("templates/x.bak", false), "no / in the rule: the base name");
        assert!(ignore.is_ignored("top.txt", false));
        assert!(!ignore.is_ignored("sub/top.txt", false), "a leading / anchors at the root");
        assert!(ignore.is_ignored("ci/a.yaml", false));
        assert!(!ignore.is_ignored("values.yaml", false));
        assert!(ignore.is_ignored("templates/.hidden", false), "Helm's default rule");
        assert!(!ignore.is_ignored("templates/_helpers.tpl", false));
    }

    #[test]
    fn negation_and_double_star_keep_helms_quirks() {
        let negated = HelmIgnore::parse("!keep.txt\n").unwrap();
        assert!(negated.is_ignored("other.txt", false), "a ! rule ignores what it does not match");
        assert!(!negated.is_ignored("keep.txt", false));
        assert!(HelmIgnore::parse("**/x\n").is_err());
        assert!(HelmIgnore::parse("[\n").is_err());
    }
}
