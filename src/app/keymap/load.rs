//! Reading keymap files and layering them through `extends:`.
//!
//! A file lists, per action, all of that action's keys: listing an action replaces whatever the parent bound to
//! it (`action: []` unbinds it). A key the child binds also takes that key, and any chord it starts or extends,
//! away from the parent's actions: the user's file always wins. Two bindings in the same file that collide (the
//! same key, or one chord starting another, as `g` and `g g`) are an error naming both lines.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_saphyr::Spanned;

use super::{Key, Keymap, chord_to_string, parse_chord};
use crate::app::action::Action;
use crate::app::config::{ConfigDirs, SourcePosition, find_yaml_file, yaml_failure, yaml_file_names};

/// The keymaps shipped in `keymaps/`, compiled in so an installed fluxtui needs no data files.
pub const BUILTIN_KEYMAPS: &[(&str, &str)] =
    &[("default", include_str!("../../../keymaps/default.yaml")), ("vim", include_str!("../../../keymaps/vim.yaml"))];

const MAX_EXTENDS_DEPTH: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum KeymapError {
    #[error("no keymap named `{name}`; the keymaps are: {available}")]
    NotFound { name: String, available: String },
    #[error("cannot read keymap {path}: {source}")]
    Unreadable { path: PathBuf, source: std::io::Error },
    /// YAML syntax, an unknown action or key, a bad `extends:`.
    #[error("{position}: {message}")]
    Invalid { position: SourcePosition, message: String },
    /// Two bindings of one file collide, so one of them could never be typed.
    #[error("{0}")]
    Conflict(Box<KeymapConflict>),
}

/// Two colliding bindings of one file: the later one (`position`) and the one it collides with.
#[derive(Debug, thiserror::Error)]
#[error("{position}: `{chord}` for {} collides with `{other_chord}` for {} at line {}",
    .action.name(), .other_action.name(), .other_position.line.map_or_else(|| "?".to_string(), |line| line.to_string()))]
pub struct KeymapConflict {
    pub position: SourcePosition,
    pub chord: String,
    pub action: Action,
    pub other_position: SourcePosition,
    pub other_chord: String,
    pub other_action: Action,
}

impl KeymapError {
    /// Where the problem is, when it is inside a file.
    pub fn position(&self) -> Option<&SourcePosition> {
        match self {
            KeymapError::Invalid { position, .. } => Some(position),
            KeymapError::Conflict(conflict) => Some(&conflict.position),
            KeymapError::NotFound { .. } | KeymapError::Unreadable { .. } => None,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeymapFile {
    extends: Option<Spanned<String>>,
    /// A line for people reading the file.
    #[serde(rename = "description")]
    _description: Option<IgnoredAny>,
    #[serde(default)]
    bindings: HashMap<Spanned<String>, Vec<Spanned<String>>>,
}

/// One binding with where it was written, kept until the keymap is checked.
#[derive(Debug, Clone)]
struct Binding {
    action: Action,
    chord: Vec<Key>,
    position: SourcePosition,
}

/// `a` and `b` cannot both be bound: equal, or one is the start of the other.
fn collide(a: &[Key], b: &[Key]) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// The keymap names the picker offers: built-ins first, then the user's own.
pub fn keymap_names(dirs: &ConfigDirs) -> Vec<String> {
    let mut names: Vec<String> = BUILTIN_KEYMAPS.iter().map(|(name, _)| name.to_string()).collect();
    for name in yaml_file_names(dirs.keymaps_dir().as_deref()) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// Loads the keymap `name` (a user keymap or a built-in). It always returns a usable keymap: on any error, the
/// built-in default and the error to show.
pub fn load_keymap(name: &str, dirs: &ConfigDirs) -> (Keymap, Option<KeymapError>) {
    let keymaps_dir = dirs.keymaps_dir();
    let find = |wanted: &str| -> Result<Option<KeymapSource>, KeymapError> {
        match find_yaml_file(keymaps_dir.as_deref(), wanted) {
            Some(path) => read_source(&path).map(Some),
            None => Ok(builtin_source(wanted)),
        }
    };
    let loaded = find(name).and_then(|source| match source {
        Some(source) => layered(name, &source, &find, &mut Vec::new()).map(|bindings| (name, bindings)),
        None => Err(KeymapError::NotFound { name: name.to_string(), available: keymap_names(dirs).join(", ") }),
    });
    match loaded {
        Ok((name, bindings)) => (Keymap::from_bindings(name, bindings), None),
        Err(error) => (builtin_default(), Some(error)),
    }
}

/// Parses a keymap file's text; `file_label` names it in errors. `extends:` reaches only the built-ins here.
pub fn parse_keymap(name: &str, file_label: &str, text: &str) -> Result<Keymap, KeymapError> {
    let source = KeymapSource { label: file_label.to_string(), text: text.to_string() };
    let bindings = layered(name, &source, &|parent| Ok(builtin_source(parent)), &mut Vec::new())?;
    Ok(Keymap::from_bindings(name, bindings))
}

/// The built-in default keymap, the fallback for every error.
fn builtin_default() -> Keymap {
    match parse_keymap("default", "built-in keymap default", BUILTIN_KEYMAPS[0].1) {
        Ok(keymap) => keymap,
        // The shipped default is checked by a test; this keeps even a broken build usable (no keys but ctrl-c
        // handled by the terminal guard) rather than panicking.
        Err(_) => Keymap::from_bindings("default", Vec::new()),
    }
}

struct KeymapSource {
    label: String,
    text: String,
}

fn builtin_source(name: &str) -> Option<KeymapSource> {
    let (_, text) = BUILTIN_KEYMAPS.iter().find(|(builtin, _)| *builtin == name)?;
    Some(KeymapSource { label: format!("built-in keymap {name}"), text: text.to_string() })
}

fn read_source(path: &Path) -> Result<KeymapSource, KeymapError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| KeymapError::Unreadable { path: path.to_path_buf(), source })?;
    Ok(KeymapSource { label: path.display().to_string(), text })
}

type FindKeymap<'a> = dyn Fn(&str) -> Result<Option<KeymapSource>, KeymapError> + 'a;

/// The bindings of one file laid over those of its ancestors.
fn layered(
    name: &str,
    source: &KeymapSource,
    find: &FindKeymap<'_>,
    chain: &mut Vec<String>,
) -> Result<Vec<(Action, Vec<Key>)>, KeymapError> {
    let label = source.label.as_str();
    let file: Option<KeymapFile> = serde_saphyr::from_str(&source.text).map_err(|error| {
        let (position, message) = yaml_failure(label, &error);
        KeymapError::Invalid { position, message }
    })?;
    let Some(file) = file else {
        return Ok(Vec::new());
    };
    let (own, listed) = file_bindings(&file, label)?;
    chain.push(label.to_string());
    let parent = match &file.extends {
        None => Vec::new(),
        Some(parent) => {
            let at = |message: String| KeymapError::Invalid {
                position: SourcePosition::at(label, &parent.referenced),
                message,
            };
            // A user keymap named like a built-in extends the built-in it replaces, not itself.
            let found = if parent.value == name { builtin_source(&parent.value) } else { find(&parent.value)? };
            let Some(found) = found else {
                return Err(at(format!("extends `{}`, which is neither a built-in nor a user keymap", parent.value)));
            };
            if chain.contains(&found.label) || chain.len() >= MAX_EXTENDS_DEPTH {
                return Err(at(format!(
                    "extends `{}`, which leads back to itself: {}",
                    parent.value,
                    chain.join(" -> ")
                )));
            }
            layered(&parent.value, &found, find, chain)?
        }
    };
    let mut merged: Vec<(Action, Vec<Key>)> = parent
        .into_iter()
        .filter(|(action, chord)| !listed.contains(action) && !own.iter().any(|binding| collide(&binding.chord, chord)))
        .collect();
    merged.extend(own.into_iter().map(|binding| (binding.action, binding.chord)));
    Ok(merged)
}

/// One file's own bindings in file order, each action and key checked, and no two colliding; and the actions
/// the file lists, including those it unbinds with `[]`.
fn file_bindings(file: &KeymapFile, label: &str) -> Result<(Vec<Binding>, Vec<Action>), KeymapError> {
    let mut entries: Vec<_> = file.bindings.iter().collect();
    entries.sort_by_key(|(action, _)| (action.referenced.line(), action.referenced.column()));
    let mut bindings: Vec<Binding> = Vec::new();
    let mut listed: Vec<Action> = Vec::new();
    for (action_name, keys) in entries {
        let invalid =
            |location, message| KeymapError::Invalid { position: SourcePosition::at(label, location), message };
        let Some(action) = Action::from_name(&action_name.value) else {
            let message = format!("unknown action `{}` (the help view lists every action)", action_name.value);
            return Err(invalid(&action_name.referenced, message));
        };
        if listed.contains(&action) {
            return Err(invalid(&action_name.referenced, format!("`{}` is listed twice", action.name())));
        }
        listed.push(action);
        for key in keys {
            let chord = parse_chord(&key.value).map_err(|message| invalid(&key.referenced, message))?;
            let position = SourcePosition::at(label, &key.referenced);
            // The same chord twice for one action is harmless; drop the repeat.
            if bindings.iter().any(|other| other.action == action && other.chord == chord) {
                continue;
            }
            if let Some(other) = bindings.iter().find(|other| collide(&other.chord, &chord)) {
                return Err(KeymapError::Conflict(Box::new(KeymapConflict {
                    position,
                    chord: chord_to_string(&chord),
                    action,
                    other_position: other.position.clone(),
                    other_chord: chord_to_string(&other.chord),
                    other_action: other.action,
                })));
            }
            bindings.push(Binding { action, chord, position });
        }
    }
    Ok((bindings, listed))
}
