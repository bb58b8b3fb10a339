//! The copy operations of one output artifact (`spec.artifacts[].copy[]`), applied in order into a staging
//! directory, with cp-like semantics as source-watcher's builder has them:
//!
//! - `from: @alias/<path>` without glob characters names one file or directory. A file goes to `to`, or into it
//!   when `to` ends with `/` or is a directory already; a directory is copied as a subdirectory of `to`
//!   (`dir` and `dir/` alike).
//! - `from: @alias/<glob>` selects entries with doublestar globs (`*` within a path segment, `**` across
//!   segments). `<dir>/**` copies the contents of `dir` into `to`; any other glob keeps each match's path
//!   under `to`. A matched directory is copied whole.
//! - `exclude[]` globs drop entries, matched against the path in the source, against the path below the
//!   literal part of `from`, and (for patterns without `/`) against the file name.
//! - `strategy`: `Overwrite` (default) replaces files; `Merge` deep-merges a YAML file onto an existing one
//!   ([`super::merge`]); `Extract` unpacks the selected `.tar.gz`/`.tgz` files into `to`.
//!
//! Nothing escapes the staging directory: `..` and absolute paths are refused, and the sources and the
//! staging hold no symlinks (storage unpacking skips them).

use std::collections::BTreeMap;
use std::fs;
use std::io::BufReader;
use std::path::{Component, Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher};

use super::merge::merge_yaml_file;
use crate::api::source::artifact_generator::CopyOperation;
use crate::controllers::storage::{DEFAULT_MAX_UNPACKED_SIZE, extract};

/// source-watcher bounds the alternatives of `{a,b}` groups in one pattern: each multiplies the matching work.
const MAX_GLOB_ALTERNATION_COMMAS: usize = 20;

/// How a copied file lands on what is already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    Overwrite,
    Merge,
    Extract,
}

/// A copy operation that failed, with source-watcher's wording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("failed to apply copy operation from '{from}' to '{to}': {detail}")]
pub struct CopyError {
    pub from: String,
    pub to: String,
    pub detail: String,
}

/// One parsed copy operation.
pub struct CopyPlan {
    from: String,
    to: String,
    alias: String,
    /// The path or glob inside the source, `/`-separated, without `./` or a trailing `/`.
    pattern: String,
    glob: Option<GlobMatcher>,
    /// The destination inside the artifact; empty for its root.
    destination: PathBuf,
    into_directory: bool,
    excludes: Vec<(String, GlobMatcher)>,
    strategy: Strategy,
}

/// Bounds a pattern's `{}` alternatives, before any matcher sees it.
fn check_alternatives(pattern: &str) -> Result<(), String> {
    let commas = alternation_commas(pattern);
    if commas > MAX_GLOB_ALTERNATION_COMMAS {
        return Err(format!(
            "pattern has {commas} alternatives in '{{}}' groups, at most {MAX_GLOB_ALTERNATION_COMMAS} are allowed"
        ));
    }
    Ok(())
}

fn compile(pattern: &str) -> Result<GlobMatcher, String> {
    check_alternatives(pattern)?;
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map(|glob| glob.compile_matcher())
        .map_err(|err| err.kind().to_string())
}

/// Commas inside `{}` groups; a backslash escapes the next character.
fn alternation_commas(pattern: &str) -> usize {
    let (mut commas, mut depth, mut escaped) = (0, 0usize, false);
    for c in pattern.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth > 0 => commas += 1,
            _ => {}
        }
    }
    commas
}

fn contains_glob_chars(path: &str) -> bool {
    path.contains(['*', '?', '[', ']'])
}

/// `path` without `.` parts and trailing slashes, or `None` when it is absolute or climbs with `..`.
fn local_path(path: &str) -> Option<String> {
    let mut parts = Vec::new();
    for component in Path::new(path).components() {
        match component {
            Component::Normal(part) => parts.push(part.to_str()?.to_string()),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.join("/"))
}

impl CopyPlan {
    /// Parses `operation`; every error is a [`CopyError`] naming it.
    pub fn parse(operation: &CopyOperation) -> Result<CopyPlan, CopyError> {
        let from = operation.from.clone().unwrap_or_default();
        let to = operation.to.clone().unwrap_or_default();
        let error = |detail: String| CopyError { from: from.clone(), to: to.clone(), detail };
        let invalid_source = |detail: &str| error(format!("invalid copy source '{from}': {detail}"));
        let Some(rest) = from.strip_prefix('@') else { return Err(invalid_source("source must start with '@'")) };
        let Some((alias, raw_pattern)) = rest.split_once('/') else {
            return Err(invalid_source("source format must be '@alias/pattern'"));
        };
        check_alternatives(raw_pattern).map_err(|err| invalid_source(&err))?;
        let pattern =
            local_path(raw_pattern).ok_or_else(|| invalid_source("source path must stay within the source"))?;
        let glob = if contains_glob_chars(&pattern) {
            Some(compile(&pattern).map_err(|err| error(format!("invalid glob pattern '{pattern}': {err}")))?)
        } else {
            None
        };
        let invalid_destination = |detail: &str| error(format!("invalid copy destination '{to}': {detail}"));
        let Some(raw_destination) = to.strip_prefix("@artifact/") else {
            return Err(invalid_destination("destination must start with '@artifact/'"));
        };
        let destination = local_path(raw_destination)
            .ok_or_else(|| invalid_destination("destination path must stay within the artifact root"))?;
        let mut excludes = Vec::new();
        for pattern in operation.exclude.iter().flatten() {
            let matcher =
                compile(pattern).map_err(|err| error(format!("invalid exclude pattern '{pattern}': {err}")))?;
            excludes.push((pattern.clone(), matcher));
        }
        let strategy = match operation.strategy.as_deref() {
            None | Some("") | Some("Overwrite") => Strategy::Overwrite,
            Some("Merge") => Strategy::Merge,
            Some("Extract") => Strategy::Extract,
            Some(other) => {
                return Err(error(format!("unknown strategy '{other}': expected Overwrite, Merge or Extract")));
            }
        };
        Ok(CopyPlan {
            alias: alias.to_string(),
            pattern,
            glob,
            destination: PathBuf::from(destination),
            into_directory: to.ends_with('/'),
            excludes,
            strategy,
            from,
            to,
        })
    }

    fn error(&self, detail: String) -> CopyError {
        CopyError { from: self.from.clone(), to: self.to.clone(), detail }
    }

    /// Applies the operation from the unpacked `sources` (by alias) into `staging`.
    pub fn apply(&self, sources: &BTreeMap<String, PathBuf>, staging: &Path) -> Result<(), CopyError> {
        let root =
            sources.get(&self.alias).ok_or_else(|| self.error(format!("source alias '{}' not found", self.alias)))?;
        let copier = Copier { plan: self, root, staging };
        match &self.glob {
            None => copier.single(),
            Some(glob) => copier.glob(glob),
        }
        .map_err(|detail| self.error(detail))
    }

    /// Whether an exclude pattern drops `path` (relative to the source root), also trying the path below
    /// `base`, the literal part of the selection.
    fn excluded(&self, path: &str, base: &str) -> bool {
        let matches = |candidate: &str| {
            let name = candidate.rsplit('/').next().unwrap_or(candidate);
            self.excludes
                .iter()
                .any(|(pattern, m)| m.is_match(candidate) || (!pattern.contains('/') && m.is_match(name)))
        };
        if matches(path) {
            return true;
        }
        match below(base, path) {
            Some(relative) if !relative.is_empty() && relative != path => matches(relative),
            _ => false,
        }
    }
}

/// `path` relative to `base` (`""` for the root), if it is inside it.
fn below<'a>(base: &str, path: &'a str) -> Option<&'a str> {
    if base.is_empty() {
        return Some(path);
    }
    if path == base {
        return Some("");
    }
    path.strip_prefix(base)?.strip_prefix('/')
}

/// The literal directories of a glob before its first glob segment (`""` when it starts with one).
fn selection_root(pattern: &str) -> String {
    pattern.split('/').take_while(|part| !contains_glob_chars(part)).collect::<Vec<_>>().join("/")
}

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn is_tarball(path: &str) -> bool {
    let lower = path.to_lowercase();
    lower.ends_with(".tar.gz") || lower.ends_with(".tgz")
}

/// One operation at work on one source.
struct Copier<'a> {
    plan: &'a CopyPlan,
    root: &'a Path,
    staging: &'a Path,
}

impl Copier<'_> {
    /// A path without glob characters: one file or one directory.
    fn single(&self) -> Result<(), String> {
        let plan = self.plan;
        let source = self.root.join(&plan.pattern);
        let metadata = match fs::symlink_metadata(&source) {
            Ok(metadata) => metadata,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(format!("source '{}' does not exist", display(&plan.pattern)));
            }
            Err(err) => return Err(format!("failed to stat source '{}': {err}", display(&plan.pattern))),
        };
        if metadata.is_dir() {
            if plan.strategy == Strategy::Extract {
                return Err(format!(
                    "extract strategy is not supported for directories, got '{}'",
                    display(&plan.pattern)
                ));
            }
            // The root of the source itself (`@alias/`) has no name of its own: its contents go into `to`.
            let destination = if plan.pattern.is_empty() {
                plan.destination.clone()
            } else {
                plan.destination.join(base_name(&plan.pattern))
            };
            return self.copy_directory(&plan.pattern, &destination, &plan.pattern);
        }
        if !metadata.is_file() || plan.excluded(&plan.pattern, "") {
            return Ok(());
        }
        if plan.strategy == Strategy::Extract {
            if !is_tarball(&plan.pattern) {
                return Err(format!(
                    "extract strategy requires tarball file (.tar.gz or .tgz), got '{}'",
                    plan.pattern
                ));
            }
            return self.extract(&plan.pattern);
        }
        let into_directory = plan.into_directory || self.staging.join(&plan.destination).is_dir();
        let destination =
            if into_directory { plan.destination.join(base_name(&plan.pattern)) } else { plan.destination.clone() };
        self.copy_file(&plan.pattern, &destination)
    }

    /// A glob: every match, in path order.
    fn glob(&self, glob: &GlobMatcher) -> Result<(), String> {
        let plan = self.plan;
        let base = selection_root(&plan.pattern);
        // `<dir>/**` matches below `dir`, never `dir` itself: its contents are what is copied.
        let contents_of = plan.pattern.strip_suffix("/**");
        let mut walk = Walk { glob, contents_of, base: &base, plan, matched: 0, selected: Vec::new() };
        walk.visit(self.root, "")?;
        if walk.matched == 0 {
            return Err(format!("no files match pattern '{}' in source '{}'", plan.pattern, plan.alias));
        }
        if walk.selected.is_empty() {
            return Err(format!(
                "all files matching pattern '{}' in source '{}' were excluded",
                plan.pattern, plan.alias
            ));
        }
        for (path, is_dir) in walk.selected {
            if plan.strategy == Strategy::Extract {
                if !is_dir && is_tarball(&path) {
                    self.extract(&path)?;
                }
                continue;
            }
            let destination = match contents_of.and_then(|dir| path.strip_prefix(dir)?.strip_prefix('/')) {
                Some(relative) => plan.destination.join(relative),
                None => plan.destination.join(&path),
            };
            if is_dir {
                self.copy_directory(&path, &destination, &base)?;
            } else {
                self.copy_file(&path, &destination)
                    .map_err(|err| format!("failed to copy file '{path}' to '{}': {err}", destination.display()))?;
            }
        }
        Ok(())
    }

    /// Copies the directory `path` of the source to `destination`, skipping excluded entries.
    fn copy_directory(&self, path: &str, destination: &Path, base: &str) -> Result<(), String> {
        let target = self.staging.join(destination);
        fs::create_dir_all(&target).map_err(|err| format!("failed to create '{}': {err}", destination.display()))?;
        for (name, is_dir) in sorted_entries(&self.root.join(path))? {
            let child = if path.is_empty() { name.clone() } else { format!("{path}/{name}") };
            if self.plan.excluded(&child, base) {
                continue;
            }
            if is_dir {
                self.copy_directory(&child, &destination.join(&name), base)?;
            } else {
                self.copy_file(&child, &destination.join(&name))?;
            }
        }
        Ok(())
    }

    /// Copies (or with `Merge`, merges onto an existing file) one source file to `destination`.
    fn copy_file(&self, path: &str, destination: &Path) -> Result<(), String> {
        let source = self.root.join(path);
        let target = self.staging.join(destination);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|err| format!("failed to create destination directory: {err}"))?;
        }
        if self.plan.strategy == Strategy::Merge && target.is_file() {
            return merge_yaml_file(&source, &target);
        }
        fs::copy(&source, &target).map(drop).map_err(|err| format!("failed to copy '{path}': {err}"))
    }

    /// Unpacks the tarball `path` of the source into the destination directory.
    fn extract(&self, path: &str) -> Result<(), String> {
        let destination = &self.plan.destination;
        let failed =
            |err: String| format!("failed to extract tarball '{path}' to '{}': {err}", display_path(destination));
        let file = fs::File::open(self.root.join(path)).map_err(|err| failed(err.to_string()))?;
        extract::unpack_tar_gz(BufReader::new(file), &self.staging.join(destination), DEFAULT_MAX_UNPACKED_SIZE, path)
            .map(drop)
            .map_err(|err| failed(err.to_string()))
    }
}

/// The glob's walk over a source: which entries it selects.
struct Walk<'a> {
    glob: &'a GlobMatcher,
    contents_of: Option<&'a str>,
    base: &'a str,
    plan: &'a CopyPlan,
    /// Entries the glob matched, excluded ones included.
    matched: usize,
    /// Entries to copy, with whether each is a directory (copied whole).
    selected: Vec<(String, bool)>,
}

impl Walk<'_> {
    fn visit(&mut self, root: &Path, directory: &str) -> Result<(), String> {
        for (name, is_dir) in sorted_entries(&root.join(directory))? {
            let path = if directory.is_empty() { name } else { format!("{directory}/{name}") };
            let is_selection_root = is_dir && Some(path.as_str()) == self.contents_of;
            if !is_selection_root && self.glob.is_match(&path) {
                self.matched += 1;
                if self.plan.excluded(&path, self.base) {
                    continue;
                }
                // Extract looks for tarballs at any depth; the other strategies copy a matched directory whole.
                if !is_dir || self.plan.strategy != Strategy::Extract {
                    self.selected.push((path, is_dir));
                    continue;
                }
            }
            if is_dir {
                self.visit(root, &path)?;
            }
        }
        Ok(())
    }
}

/// The regular files and directories in `directory`, by name in byte order (symlinks and special files are
/// not copied: the storage never unpacks them, so none are expected).
fn sorted_entries(directory: &Path) -> Result<Vec<(String, bool)>, String> {
    let mut entries = Vec::new();
    let listing = fs::read_dir(directory).map_err(|err| format!("failed to list '{}': {err}", directory.display()))?;
    for entry in listing {
        let entry = entry.map_err(|err| format!("failed to list '{}': {err}", directory.display()))?;
        let file_type =
            entry.file_type().map_err(|err| format!("failed to read '{}': {err}", entry.path().display()))?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else { continue };
        if file_type.is_dir() || file_type.is_file() {
            entries.push((name, file_type.is_dir()));
        }
    }
    entries.sort();
    Ok(entries)
}

fn display(pattern: &str) -> &str {
    if pattern.is_empty() { "." } else { pattern }
}

fn display_path(path: &Path) -> String {
    if path.as_os_str().is_empty() { ".".to_string() } else { path.display().to_string() }
}

#[cfg(test)]
#[path = "copy_tests.rs"]
mod tests;
