//! Which files of a checkout go into the artifact: `.sourceignore` files at any depth (each scoped to its
//! directory) and `spec.ignore`, with gitignore semantics, over source-controller's defaults. The artifact
//! writer calls [`SourceIgnore::is_ignored`] with paths relative to the checkout's root.

use std::path::{Path, PathBuf};

use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// Always excluded: version control files.
const VCS_PATTERNS: &[&str] = &[".git/", ".gitignore", ".gitmodules", ".gitattributes"];

/// Excluded only when no `.sourceignore` or `spec.ignore` pattern exists at all.
const DEFAULT_PATTERNS: &[&str] = &[
    "*.jpg",
    "*.jpeg",
    "*.gif",
    "*.png",
    "*.wmv",
    "*.flv",
    "*.tar.gz",
    "*.zip",
    ".github/",
    ".circleci/",
    ".travis.yml",
    ".gitlab-ci.yml",
    "appveyor.yml",
    ".drone.yml",
    "cloudbuild.yaml",
    "codeship-services.yml",
    "codeship-steps.yml",
    "**/.goreleaser.yml",
    "**/.sops.yaml",
    "**/.flux.yaml",
];

const SOURCEIGNORE: &str = ".sourceignore";

/// The compiled rules of one checkout.
pub struct SourceIgnore {
    /// Root-scoped rules: VCS, then the defaults or `spec.ignore`.
    root: Gitignore,
    /// `.sourceignore` files, shallowest first, each with its directory relative to the root.
    nested: Vec<(PathBuf, Gitignore)>,
}

impl SourceIgnore {
    /// Reads every `.sourceignore` under `root` (not inside `.git`) and adds `spec_ignore`.
    pub fn load(root: &Path, spec_ignore: Option<&str>) -> Result<SourceIgnore, String> {
        let mut files = Vec::new();
        find_sourceignore_files(root, Path::new(""), &mut files)?;
        files.sort_by_key(|(dir, _)| dir.components().count());

        let mut nested = Vec::new();
        let mut any_pattern = spec_ignore.is_some_and(has_pattern);
        for (dir, file) in files {
            let text = std::fs::read_to_string(&file).map_err(|e| format!("read {}: {e}", file.display()))?;
            any_pattern |= has_pattern(&text);
            let mut builder = GitignoreBuilder::new(root.join(&dir));
            for line in text.lines() {
                builder.add_line(Some(file.clone()), line).map_err(|e| format!("{}: {e}", file.display()))?;
            }
            nested.push((dir, builder.build().map_err(|e| format!("{}: {e}", file.display()))?));
        }

        let mut builder = GitignoreBuilder::new(root);
        let defaults = if any_pattern { &[][..] } else { DEFAULT_PATTERNS };
        for pattern in VCS_PATTERNS.iter().chain(defaults) {
            builder.add_line(None, pattern).map_err(|e| format!("built-in pattern {pattern}: {e}"))?;
        }
        for line in spec_ignore.unwrap_or("").lines() {
            builder.add_line(None, line).map_err(|e| format!("spec.ignore: {e}"))?;
        }
        let root = builder.build().map_err(|e| format!("spec.ignore: {e}"))?;
        Ok(SourceIgnore { root, nested })
    }

    /// The VCS and default sets alone, with no `.sourceignore` file read: fluxcd/pkg's
    /// `SourceIgnoreFilter(nil, nil)`, which source-watcher archives every generated artifact through.
    pub fn defaults() -> Result<SourceIgnore, String> {
        let mut builder = GitignoreBuilder::new(Path::new(""));
        for pattern in VCS_PATTERNS.iter().chain(DEFAULT_PATTERNS) {
            builder.add_line(None, pattern).map_err(|e| format!("built-in pattern {pattern}: {e}"))?;
        }
        let root = builder.build().map_err(|e| format!("built-in patterns: {e}"))?;
        Ok(SourceIgnore { root, nested: Vec::new() })
    }

    /// Rules from pattern texts alone, each line scoped to the root, with none of the built-in patterns: what
    /// source-controller applies to a Bucket's keys (the bucket's root `.sourceignore` object, then
    /// `spec.ignore`, through a plain matcher; neither the VCS nor the default set is added for buckets).
    pub fn from_patterns(texts: &[&str]) -> Result<SourceIgnore, String> {
        let mut builder = GitignoreBuilder::new(Path::new(""));
        for text in texts {
            for line in text.lines() {
                builder.add_line(None, line).map_err(|e| format!("ignore pattern {line:?}: {e}"))?;
            }
        }
        let root = builder.build().map_err(|e| format!("ignore patterns: {e}"))?;
        Ok(SourceIgnore { root, nested: Vec::new() })
    }

    /// Whether `relative` (a path under the root) is left out of the artifact. A path inside an excluded
    /// directory is excluded too, as in git.
    pub fn is_ignored(&self, relative: &Path, is_dir: bool) -> bool {
        let mut ancestors: Vec<&Path> = relative.ancestors().filter(|p| !p.as_os_str().is_empty()).collect();
        ancestors.reverse();
        let last = ancestors.len().saturating_sub(1);
        ancestors.iter().enumerate().any(|(index, path)| self.matches(path, index < last || is_dir))
    }

    /// The verdict for one path on its own: the deepest rule set with an opinion decides.
    fn matches(&self, relative: &Path, is_dir: bool) -> bool {
        let mut verdict = match self.root.matched(relative, is_dir) {
            Match::Ignore(_) => Some(true),
            Match::Whitelist(_) => Some(false),
            Match::None => None,
        };
        for (dir, rules) in &self.nested {
            let Ok(inner) = relative.strip_prefix(dir) else { continue };
            if inner.as_os_str().is_empty() {
                continue;
            }
            match rules.matched(inner, is_dir) {
                Match::Ignore(_) => verdict = Some(true),
                Match::Whitelist(_) => verdict = Some(false),
                Match::None => {}
            }
        }
        verdict.unwrap_or(false)
    }
}

fn has_pattern(text: &str) -> bool {
    text.lines().map(str::trim).any(|line| !line.is_empty() && !line.starts_with('#'))
}

fn find_sourceignore_files(root: &Path, dir: &Path, found: &mut Vec<(PathBuf, PathBuf)>) -> Result<(), String> {
    let entries = std::fs::read_dir(root.join(dir)).map_err(|e| format!("read {}: {e}", root.join(dir).display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("read {}: {e}", root.join(dir).display()))?;
        let name = entry.file_name();
        let kind = entry.file_type().map_err(|e| format!("stat {}: {e}", entry.path().display()))?;
        if kind.is_dir() && name != ".git" {
            find_sourceignore_files(root, &dir.join(&name), found)?;
        } else if kind.is_file() && name == SOURCEIGNORE {
            found.push((dir.to_path_buf(), entry.path()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, content) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        dir
    }

    #[test]
    fn without_patterns_the_defaults_apply() {
        let dir = tree(&[("deploy/app.yaml", "")]);
        let rules = SourceIgnore::load(dir.path(), None).unwrap();
        assert!(rules.is_ignored(Path::new(".git"), true));
        assert!(rules.is_ignored(Path::new(".git/config"), false));
        assert!(rules.is_ignored(Path::new("docs/logo.png"), false));
        assert!(rules.is_ignored(Path::new(".github/workflows/ci.yaml"), false));
        assert!(rules.is_ignored(Path::new("sub/.sops.yaml"), false));
        assert!(!rules.is_ignored(Path::new("deploy/app.yaml"), false));
    }

    #[test]
    fn any_pattern_replaces_the_defaults_but_keeps_vcs() {
        let dir = tree(&[]);
        let rules = SourceIgnore::load(dir.path(), Some("/secrets/\n*.tmp\n")).unwrap();
        assert!(!rules.is_ignored(Path::new("docs/logo.png"), false), "defaults are replaced");
        assert!(rules.is_ignored(Path::new(".gitignore"), false), "VCS files stay excluded");
        assert!(rules.is_ignored(Path::new("secrets/key.yaml"), false));
        assert!(!rules.is_ignored(Path::new("apps/secrets/key.yaml"), false), "anchored to the root");
        assert!(rules.is_ignored(Path::new("apps/x.tmp"), false));
    }

    #[test]
    fn sourceignore_files_are_scoped_to_their_directory_and_deeper_ones_win() {
        let dir = tree(&[
            (".sourceignore", "*.md\n"),
            ("apps/.sourceignore", "/local.yaml\n!README.md\n"),
            ("apps/local.yaml", ""),
            ("local.yaml", ""),
        ]);
        let rules = SourceIgnore::load(dir.path(), None).unwrap();
        assert!(rules.is_ignored(Path::new("notes.md"), false));
        assert!(rules.is_ignored(Path::new("infra/notes.md"), false));
        assert!(!rules.is_ignored(Path::new("apps/README.md"), false), "re-included by the deeper file");
        assert!(rules.is_ignored(Path::new("apps/local.yaml"), false));
        assert!(!rules.is_ignored(Path::new("local.yaml"), false), "apps/.sourceignore does not reach the root");
        assert!(!rules.is_ignored(Path::new("x.png"), false), ".sourceignore patterns replace the defaults");
    }

    #[test]
    fn patterns_alone_have_no_built_in_rules_and_later_lines_win() {
        let rules = SourceIgnore::from_patterns(&["*.txt\n/secrets/\n", "!keep.txt\n"]).unwrap();
        assert!(!rules.is_ignored(Path::new("logo.png"), false), "no default set");
        assert!(!rules.is_ignored(Path::new(".git/config"), false), "no VCS set either");
        assert!(rules.is_ignored(Path::new("notes/a.txt"), false));
        assert!(!rules.is_ignored(Path::new("keep.txt"), false), "re-included by a later text");
        assert!(rules.is_ignored(Path::new("secrets/key.yaml"), false));
        assert!(!rules.is_ignored(Path::new("apps/secrets/key.yaml"), false), "anchored to the root");
    }

    #[test]
    fn a_file_in_an_ignored_directory_is_ignored() {
        let dir = tree(&[]);
        let rules = SourceIgnore::load(dir.path(), Some("build/\n!build/keep.yaml\n")).unwrap();
        assert!(rules.is_ignored(Path::new("build"), true));
        assert!(rules.is_ignored(Path::new("build/keep.yaml"), false), "git cannot re-include inside an excluded dir");
    }
}
