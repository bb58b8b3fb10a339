//! The user's configuration: where fluxtui looks for its files, and `config.yaml` itself.
//!
//! Everything the user writes lives in one directory, the *config dir*:
//!
//! ```text
//! <config dir>/config.yaml        this file's format, below
//! <config dir>/themes/NAME.yaml   user themes and k9s skins (themes/README.md)
//! <config dir>/keymaps/NAME.yaml  user keymaps (keymaps/README.md)
//! ```
//!
//! The config dir is, first found wins: `$FLUXTUI_CONFIG_DIR` (tests and portable setups), then
//! `$XDG_CONFIG_HOME/fluxtui` on every Unix (k9s honours XDG on macOS too, so users already keep their terminal
//! tools there), then the platform's directory from `directories` (`~/.config/fluxtui` on Linux,
//! `~/Library/Application Support/io.fluxtui.fluxtui` on macOS, `%APPDATA%\fluxtui\fluxtui\config` on Windows).
//!
//! `config.yaml` (every key optional; unknown keys are an error so a typo is reported, not ignored):
//!
//! ```yaml
//! theme: solarized-dark        # a theme name, or a path to a theme or k9s skin file
//! keymap: vim                  # a keymap name
//! readonly: false              # hide every action that writes to the cluster
//! frame-budget-ms: 16          # the minimum time between two redraws (16 ms = at most 60 frames a second)
//! namespace: flux-system       # the namespace to start in; absent = all namespaces
//! reconcile-timeout: 5m        # how long a reconcile may take before it is reported as timed out
//! record-events: false         # also create a Kubernetes Event on each object fluxtui writes to
//! log-line-limit: 10000       # lines a logs view keeps (older ones are dropped)
//! flux-namespace: flux-system  # where the Flux controllers run (the logs view follows their pods)
//! additive-cel-dependency-check: false  # the controllers run with the AdditiveCELDependencyCheck feature gate
//! favorites:
//!   - kind: Kustomization
//!     namespace: flux-system   # absent for cluster-scoped objects
//!     name: apps
//!     context: kind-dev        # absent = a favorite in every context
//! ```
//!
//! A broken file never stops fluxtui: [`Config::load`] returns the defaults together with an error that names the
//! file and line, and the UI shows that error.

use std::ffi::OsString;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_saphyr::{Location, MessageFormatter, UserMessageFormatter};

/// Where a problem sits in a file: the file (a path, or `built-in NAME` for embedded files), and the line and
/// column when known (1-based). Displayed as `file:line:column`, the form editors and terminals link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePosition {
    pub file: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
}

impl SourcePosition {
    pub(crate) fn at(file: &str, location: &Location) -> SourcePosition {
        // serde-saphyr reports an unknown location as line 0.
        let known = |n: u64| (n > 0).then_some(n);
        SourcePosition { file: file.to_string(), line: known(location.line()), column: known(location.column()) }
    }
}

impl fmt::Display for SourcePosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

/// Splits a YAML error into where it happened and what went wrong, so our errors print `file:line:col: message`
/// once instead of serde-saphyr's own "at line X, column Y" suffix and source snippet.
pub(crate) fn yaml_failure(file: &str, error: &serde_saphyr::Error) -> (SourcePosition, String) {
    let position = match error.location() {
        Some(location) => SourcePosition::at(file, &location),
        None => SourcePosition { file: file.to_string(), line: None, column: None },
    };
    let message = UserMessageFormatter.format_message(error.without_snippet());
    // The message may quote the user's text; keep control characters out of the terminal.
    let message = message.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    (position, message)
}

/// The directory holding the user's config, themes and keymaps. `None` when no home directory can be found: then
/// only the built-in themes and keymaps exist and nothing is saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigDirs {
    pub config_dir: Option<PathBuf>,
}

impl ConfigDirs {
    /// Finds the config dir from the process environment (see the module doc for the order).
    pub fn discover() -> ConfigDirs {
        ConfigDirs::from_env(|name| std::env::var_os(name))
    }

    /// Finds the config dir with `env` standing in for the process environment, so tests need not set variables
    /// that other threads read.
    pub fn from_env(env: impl Fn(&str) -> Option<OsString>) -> ConfigDirs {
        let set = |name: &str| env(name).filter(|value| !value.is_empty()).map(PathBuf::from);
        if let Some(dir) = set("FLUXTUI_CONFIG_DIR") {
            return ConfigDirs::at(dir);
        }
        // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
        if cfg!(unix)
            && let Some(xdg) = set("XDG_CONFIG_HOME").filter(|dir| dir.is_absolute())
        {
            return ConfigDirs::at(xdg.join("fluxtui"));
        }
        let platform = directories::ProjectDirs::from("io", "fluxtui", "fluxtui");
        ConfigDirs { config_dir: platform.map(|dirs| dirs.config_dir().to_path_buf()) }
    }

    /// A config dir at a known place (tests, `--config-dir`).
    pub fn at(dir: impl Into<PathBuf>) -> ConfigDirs {
        ConfigDirs { config_dir: Some(dir.into()) }
    }

    /// No config dir: built-ins only.
    pub fn none() -> ConfigDirs {
        ConfigDirs { config_dir: None }
    }

    pub fn config_file(&self) -> Option<PathBuf> {
        self.config_dir.as_ref().map(|dir| dir.join("config.yaml"))
    }

    pub fn themes_dir(&self) -> Option<PathBuf> {
        self.config_dir.as_ref().map(|dir| dir.join("themes"))
    }

    pub fn keymaps_dir(&self) -> Option<PathBuf> {
        self.config_dir.as_ref().map(|dir| dir.join("keymaps"))
    }
}

/// The names of the `*.yaml` and `*.yml` files in `dir` (without the extension), sorted; empty when the directory
/// is missing or unreadable, since a user without custom files is the common case.
pub(crate) fn yaml_file_names(dir: Option<&Path>) -> Vec<String> {
    let Some(entries) = dir.and_then(|dir| std::fs::read_dir(dir).ok()) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let path = entry.path();
            let extension = path.extension()?.to_str()?;
            if !matches!(extension, "yaml" | "yml") || !path.is_file() {
                return None;
            }
            Some(path.file_stem()?.to_str()?.to_string())
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// `dir/NAME.yaml`, or `dir/NAME.yml` when only that exists.
pub(crate) fn find_yaml_file(dir: Option<&Path>, name: &str) -> Option<PathBuf> {
    let dir = dir?;
    ["yaml", "yml"].iter().map(|extension| dir.join(format!("{name}.{extension}"))).find(|path| path.is_file())
}

/// Heads every saved file: saving rewrites the whole file, so a user's comments would silently vanish otherwise.
const SAVED_HEADER: &str =
    "# fluxtui configuration. fluxtui rewrites this file when settings change; comments are not kept.\n";

/// The default minimum time between two redraws: 60 frames a second is smooth and leaves the CPU idle.
pub const DEFAULT_FRAME_BUDGET_MS: u64 = 16;

/// Where `flux install` puts the controllers.
pub const DEFAULT_FLUX_NAMESPACE: &str = "flux-system";

/// The user's settings from `config.yaml` (format in the module doc).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Config {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keymap: Option<String>,
    pub readonly: bool,
    /// The minimum time between two redraws, in milliseconds. Events arriving faster are drained and drawn
    /// together, so a burst of watch events costs one frame.
    pub frame_budget_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub favorites: Vec<FavoriteRef>,
    /// How long a reconcile may take (`30s`, `5m`), the flux CLI's `--timeout`; absent = 5m.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconcile_timeout: Option<String>,
    /// Create a core/v1 Event (source `fluxtui`) on each object written to, so that others see who did what.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub record_events: bool,
    /// How many lines a logs view keeps; older lines are dropped, so a log burst cannot take the memory.
    pub log_line_limit: usize,
    /// The namespace the Flux controllers run in, whose pods the logs view follows.
    pub flux_namespace: String,
    /// Whether the Flux controllers run with `--feature-gates=AdditiveCELDependencyCheck=true`: a dependency's
    /// `readyExpr` must then hold in addition to the built-in readiness rule instead of replacing it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub additive_cel_dependency_check: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            theme: None,
            keymap: None,
            readonly: false,
            frame_budget_ms: DEFAULT_FRAME_BUDGET_MS,
            namespace: None,
            favorites: Vec::new(),
            reconcile_timeout: None,
            record_events: false,
            log_line_limit: crate::model::logs::DEFAULT_LINE_LIMIT,
            flux_namespace: DEFAULT_FLUX_NAMESPACE.to_string(),
            additive_cel_dependency_check: false,
        }
    }
}

/// One favorite object. The kind is kept as written (`Kustomization`, `HelmRelease`) rather than as a typed kind,
/// so a favorite of a kind this version does not know survives a load and save.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FavoriteRef {
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Unreadable { path: PathBuf, source: std::io::Error },
    #[error("{position}: {message}")]
    Invalid { position: SourcePosition, message: String },
    #[error("cannot write {path}: {source}")]
    Unwritable { path: PathBuf, source: std::io::Error },
    #[error("cannot write the config: {0}")]
    NotSerializable(String),
    #[error("no config directory: set FLUXTUI_CONFIG_DIR or HOME")]
    NoConfigDir,
}

impl Config {
    /// Reads `config.yaml`. A missing file (or no config dir) gives the defaults and no error; an unreadable or
    /// invalid file gives the defaults and the error, so the UI starts anyway and shows what to fix.
    pub fn load(dirs: &ConfigDirs) -> (Config, Option<ConfigError>) {
        let Some(path) = dirs.config_file() else {
            return (Config::default(), None);
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return (Config::default(), None),
            Err(source) => return (Config::default(), Some(ConfigError::Unreadable { path, source })),
        };
        match Config::parse(&path.display().to_string(), &text) {
            Ok(config) => (config, None),
            Err(error) => (Config::default(), Some(error)),
        }
    }

    /// Parses the text of a config file; `file_label` names it in errors.
    pub fn parse(file_label: &str, text: &str) -> Result<Config, ConfigError> {
        // An empty or comment-only file is a valid, empty config.
        let parsed: Option<Config> = serde_saphyr::from_str(text).map_err(|error| {
            let (position, message) = yaml_failure(file_label, &error);
            ConfigError::Invalid { position, message }
        })?;
        Ok(parsed.unwrap_or_default())
    }

    /// Writes `config.yaml`, creating the config dir if needed. The file is written beside the target and renamed
    /// over it, so a crash mid-write leaves the old file, never half a file.
    pub fn save(&self, dirs: &ConfigDirs) -> Result<(), ConfigError> {
        let (Some(dir), Some(path)) = (dirs.config_dir.as_ref(), dirs.config_file()) else {
            return Err(ConfigError::NoConfigDir);
        };
        let text = serde_saphyr::to_string(self).map_err(|error| ConfigError::NotSerializable(error.to_string()))?;
        let unwritable = |source| ConfigError::Unwritable { path: path.clone(), source };
        std::fs::create_dir_all(dir).map_err(unwritable)?;
        let temporary = dir.join(format!(".config.yaml.{}.tmp", std::process::id()));
        let written = std::fs::File::create(&temporary).and_then(|mut file| {
            file.write_all(SAVED_HEADER.as_bytes())?;
            file.write_all(text.as_bytes())?;
            file.sync_all()
        });
        if let Err(source) = written.and_then(|()| std::fs::rename(&temporary, &path)) {
            // Best effort: the temporary file is ours and useless now; the error reported is the write's.
            let _ = std::fs::remove_file(&temporary);
            return Err(unwritable(source));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn favorite(name: &str, namespace: Option<&str>) -> FavoriteRef {
        FavoriteRef {
            kind: "Kustomization".to_string(),
            namespace: namespace.map(str::to_string),
            name: name.to_string(),
            context: Some("kind-dev".to_string()),
        }
    }

    #[test]
    fn a_config_survives_a_save_and_a_load() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let dirs = ConfigDirs::at(dir.path().join("nested"));
        let config = Config {
            theme: Some("solarized-dark".to_string()),
            keymap: Some("vim".to_string()),
            readonly: true,
            frame_budget_ms: 33,
            namespace: Some("flux-system".to_string()),
            favorites: vec![favorite("apps", Some("flux-system")), favorite("cluster-wide", None)],
            reconcile_timeout: Some("90s".to_string()),
            record_events: true,
            log_line_limit: 500,
            flux_namespace: "flux".to_string(),
            additive_cel_dependency_check: true,
        };
        config.save(&dirs).expect("saved");
        let (loaded, error) = Config::load(&dirs);
        assert!(error.is_none(), "{error:?}");
        assert_eq!(loaded, config);
        // Saving again replaces the file rather than failing on the existing one, and leaves no temporary file.
        Config::default().save(&dirs).expect("saved again");
        assert_eq!(Config::load(&dirs).0, Config::default());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("nested")).expect("listed").collect();
        assert_eq!(leftovers.len(), 1);
    }

    #[test]
    fn a_missing_or_empty_file_is_the_defaults() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let dirs = ConfigDirs::at(dir.path());
        let (config, error) = Config::load(&dirs);
        assert!(error.is_none());
        assert_eq!(config, Config::default());
        assert_eq!(config.frame_budget_ms, 16);
        std::fs::write(dir.path().join("config.yaml"), "# nothing yet\n").expect("written");
        assert_eq!(Config::load(&dirs).0, Config::default());
        assert_eq!(Config::load(&ConfigDirs::none()).0, Config::default());
    }

    #[test]
    fn a_bad_file_gives_the_defaults_and_names_file_and_line() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let dirs = ConfigDirs::at(dir.path());
        std::fs::write(dir.path().join("config.yaml"), "theme: light\nreadonly: true\nthem: dark\n").expect("written");
        let (config, error) = Config::load(&dirs);
        assert_eq!(config, Config::default());
        let error = error.expect("an error").to_string();
        assert!(error.contains("config.yaml:3:"), "{error}");
        assert!(error.contains("them"), "{error}");

        std::fs::write(dir.path().join("config.yaml"), "theme: light\nreadonly: [true\n").expect("written");
        let error = Config::load(&dirs).1.expect("an error").to_string();
        assert!(error.contains("config.yaml:"), "{error}");
    }

    #[test]
    fn the_config_dir_comes_from_the_override_then_xdg() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(key, _)| *key == name).map(|(_, value)| OsString::from(value))
        };
        let dirs = ConfigDirs::from_env(env(&[("FLUXTUI_CONFIG_DIR", "/tmp/a"), ("XDG_CONFIG_HOME", "/tmp/x")]));
        assert_eq!(dirs.config_dir, Some(PathBuf::from("/tmp/a")));
        assert_eq!(dirs.themes_dir(), Some(PathBuf::from("/tmp/a/themes")));
        if cfg!(unix) {
            let dirs = ConfigDirs::from_env(env(&[("FLUXTUI_CONFIG_DIR", ""), ("XDG_CONFIG_HOME", "/tmp/x")]));
            assert_eq!(dirs.config_dir, Some(PathBuf::from("/tmp/x/fluxtui")));
            // A relative XDG_CONFIG_HOME is ignored, as the XDG spec asks.
            let dirs = ConfigDirs::from_env(env(&[("XDG_CONFIG_HOME", "relative")]));
            assert_ne!(dirs.config_dir, Some(PathBuf::from("relative/fluxtui")));
        }
    }
}
