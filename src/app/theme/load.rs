//! Finding, reading and layering theme files: built-ins first compiled in, the user's own on top, and a path
//! for `--theme /path/to/skin.yaml`.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::Theme;
use super::k9s::SkinFile;
use super::parse::ThemeFile;
use crate::app::config::{ConfigDirs, SourcePosition, find_yaml_file, yaml_failure, yaml_file_names};

/// The themes shipped in `themes/`, compiled into the binary so an installed fluxtui needs no data files.
pub const BUILTIN_THEMES: &[(&str, &str)] = &[
    ("default", include_str!("../../../themes/default.yaml")),
    ("light", include_str!("../../../themes/light.yaml")),
    ("solarized-dark", include_str!("../../../themes/solarized-dark.yaml")),
    ("high-contrast", include_str!("../../../themes/high-contrast.yaml")),
    ("monochrome", include_str!("../../../themes/monochrome.yaml")),
];

/// How many `extends:` steps a theme may take; more is surely a loop the label check did not catch.
const MAX_EXTENDS_DEPTH: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("no theme named `{name}`; the themes are: {available}")]
    NotFound { name: String, available: String },
    #[error("cannot read theme {path}: {source}")]
    Unreadable { path: PathBuf, source: std::io::Error },
    /// YAML syntax, an unknown role or key, a bad colour, a bad `extends:`.
    #[error("{position}: {message}")]
    Invalid { position: SourcePosition, message: String },
}

impl ThemeError {
    /// Where the problem is, when it is inside a file.
    pub fn position(&self) -> Option<&SourcePosition> {
        match self {
            ThemeError::Invalid { position, .. } => Some(position),
            ThemeError::NotFound { .. } | ThemeError::Unreadable { .. } => None,
        }
    }
}

/// `NO_COLOR` set to anything non-empty (no-color.org) asks for no colours at all.
pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty())
}

/// The theme names the `:theme` picker offers: the built-ins in their shipped order, then the user's own (a user
/// file named like a built-in replaces it and is listed once).
pub fn theme_names(dirs: &ConfigDirs) -> Vec<String> {
    let mut names: Vec<String> = BUILTIN_THEMES.iter().map(|(name, _)| name.to_string()).collect();
    for name in yaml_file_names(dirs.themes_dir().as_deref()) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// Loads the theme `name` (a user theme, a built-in, or a path to a theme or k9s skin file), honouring
/// `NO_COLOR`. It always returns a usable theme: on any error, the built-in default and the error to show.
pub fn load_theme(name: &str, dirs: &ConfigDirs) -> (Theme, Option<ThemeError>) {
    load_theme_with(name, dirs, no_color_requested())
}

/// [`load_theme`] with `NO_COLOR` decided by the caller, so tests need not touch the process environment.
pub fn load_theme_with(name: &str, dirs: &ConfigDirs, no_color: bool) -> (Theme, Option<ThemeError>) {
    let (theme, error) = match read_theme(name, dirs) {
        Ok(theme) => (theme, None),
        Err(error) => (Theme::default_dark(), Some(error)),
    };
    (if no_color { theme.without_colors() } else { theme }, error)
}

/// Parses a theme file's text, fluxtui format or k9s skin. `file_label` names the file in errors. `extends:`
/// reaches only the built-in themes here; [`load_theme`] also finds the user's.
pub fn parse_theme(name: &str, file_label: &str, text: &str) -> Result<Theme, ThemeError> {
    parse_layered(name, file_label, text, &|parent| Ok(builtin_source(parent)), &mut Vec::new())
}

/// A theme file's text and the label its errors carry.
struct ThemeSource {
    label: String,
    text: String,
}

fn builtin_source(name: &str) -> Option<ThemeSource> {
    let (_, text) = BUILTIN_THEMES.iter().find(|(builtin, _)| *builtin == name)?;
    Some(ThemeSource { label: format!("built-in theme {name}"), text: text.to_string() })
}

fn read_source(path: &Path) -> Result<ThemeSource, ThemeError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| ThemeError::Unreadable { path: path.to_path_buf(), source })?;
    Ok(ThemeSource { label: path.display().to_string(), text })
}

/// A name is a path when it could not be a theme name: it has a directory part or a YAML extension.
fn as_path(name: &str) -> Option<&Path> {
    let path = Path::new(name);
    let has_extension = matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"));
    (has_extension || path.components().count() > 1).then_some(path)
}

fn read_theme(name: &str, dirs: &ConfigDirs) -> Result<Theme, ThemeError> {
    let themes_dir = dirs.themes_dir();
    let find = |wanted: &str| -> Result<Option<ThemeSource>, ThemeError> {
        match find_yaml_file(themes_dir.as_deref(), wanted) {
            Some(path) => read_source(&path).map(Some),
            None => Ok(builtin_source(wanted)),
        }
    };
    let (name, source) = match as_path(name) {
        Some(path) => {
            let stem = path.file_stem().and_then(|stem| stem.to_str()).unwrap_or(name);
            (stem, read_source(path)?)
        }
        None => match find(name)? {
            Some(source) => (name, source),
            None => {
                let available = theme_names(dirs).join(", ");
                return Err(ThemeError::NotFound { name: name.to_string(), available });
            }
        },
    };
    parse_layered(name, &source.label, &source.text, &find, &mut Vec::new())
}

/// Only asks whether the document's top level has a `k9s:` key.
#[derive(Deserialize)]
struct Probe {
    k9s: Option<IgnoredAny>,
}

type FindTheme<'a> = dyn Fn(&str) -> Result<Option<ThemeSource>, ThemeError> + 'a;

/// Parses one file and, through `extends:`, its ancestors; `chain` holds the labels already on the way, to
/// stop loops.
fn parse_layered(
    name: &str,
    label: &str,
    text: &str,
    find: &FindTheme<'_>,
    chain: &mut Vec<String>,
) -> Result<Theme, ThemeError> {
    let invalid = |error: serde_saphyr::Error| {
        let (position, message) = yaml_failure(label, &error);
        ThemeError::Invalid { position, message }
    };
    // An empty file is a theme that changes nothing.
    let probe: Option<Probe> = serde_saphyr::from_str(text).map_err(invalid)?;
    if probe.is_some_and(|probe| probe.k9s.is_some()) {
        let skin: SkinFile = serde_saphyr::from_str(text).map_err(invalid)?;
        return skin.to_theme(name, label);
    }
    let file: Option<ThemeFile> = serde_saphyr::from_str(text).map_err(invalid)?;
    let Some(file) = file else {
        return Ok(Theme { name: name.to_string(), ..Theme::default_dark() });
    };
    chain.push(label.to_string());
    let base = match &file.extends {
        // The default theme is the root of every chain: its base is the one compiled into the code.
        None if name == "default" => Theme::default_dark(),
        None => parent_theme("default", name, None, find, chain)?,
        Some(parent) => {
            let position = SourcePosition::at(label, &parent.referenced);
            parent_theme(&parent.value, name, Some(position), find, chain)?
        }
    };
    let theme = file.apply(base, label)?;
    Ok(Theme { name: name.to_string(), ..theme })
}

fn parent_theme(
    parent: &str,
    child: &str,
    position: Option<SourcePosition>,
    find: &FindTheme<'_>,
    chain: &mut Vec<String>,
) -> Result<Theme, ThemeError> {
    let at = |message: String| {
        let position = position.clone().unwrap_or_else(|| SourcePosition {
            file: chain.last().cloned().unwrap_or_default(),
            line: None,
            column: None,
        });
        ThemeError::Invalid { position, message }
    };
    // A user theme named like a built-in (say `default`) extends the built-in it replaces, not itself.
    let source = if parent == child { builtin_source(parent) } else { find(parent)? };
    let Some(source) = source else {
        return Err(at(format!("extends `{parent}`, which is neither a built-in nor a user theme")));
    };
    if chain.contains(&source.label) || chain.len() >= MAX_EXTENDS_DEPTH {
        return Err(at(format!("extends `{parent}`, which leads back to itself: {}", chain.join(" -> "))));
    }
    parse_layered(parent, &source.label, &source.text, find, chain)
}
