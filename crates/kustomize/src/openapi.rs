//! The `openapi` field: which OpenAPI schema tells strategic merge patches how to merge lists. `openapi: {version:
//! v1.21.2}` names kustomize's built-in schema (the only version it carries); `openapi: {path: schema.json}` reads
//! a custom swagger v2 document (JSON or YAML) whose `definitions` carry `x-kubernetes-group-version-kind` and the
//! patch extensions. A custom schema replaces the built-in one rather than adding to it.
//!
//! kustomize keeps the schema in process-wide state (kyaml's `openapi` package), and its quirks show in the
//! output, so [`OpenApi`] reproduces that state machine for one build:
//! - the top kustomization always sets the schema; a base or component sets it only while nothing set one
//!   before, so the first of them in load order wins for the rest of the build;
//! - the schema is parsed lazily, the first time something asks for it: a strategic merge patch, or an object
//!   whose kind the built-in tables do not know being loaded. Once parsed it stays, and a later custom schema is
//!   parsed into the same tables: a custom schema set by a component after the built-in one was first used adds
//!   to it (its `$ref`s may then name built-in definitions), while one set before replaces it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::Error;
use crate::options::BuildOptions;

/// The one built-in schema version kustomize v5.5 accepts.
pub const BUILTIN_VERSION: &str = "v1.21.2";

/// A custom schema, parsed: its definitions and which one describes each `apiVersion` and `kind`.
#[derive(Debug, Default)]
pub struct Custom {
    definitions: Map<String, Value>,
    by_kind: HashMap<(String, String), String>,
}

impl Custom {
    /// Parses a swagger v2 document in JSON or YAML.
    pub fn parse(text: &str) -> Result<Custom, String> {
        let doc: Value = match serde_json::from_str(text) {
            Ok(doc) => doc,
            Err(_) => crate::yaml::parse_document(text)?,
        };
        let mut custom = Custom::default();
        custom.add(&doc)?;
        Ok(custom)
    }

    /// Adds a document's definitions; a later definition of a name or a kind wins, as in kyaml's tables.
    fn add(&mut self, doc: &Value) -> Result<(), String> {
        let definitions = match doc.get("definitions") {
            None | Some(Value::Null) => return Ok(()),
            Some(Value::Object(d)) => d,
            Some(_) => return Err("`definitions` is not a mapping".into()),
        };
        for (name, definition) in definitions {
            let gvks = definition.get("x-kubernetes-group-version-kind").and_then(Value::as_array);
            for gvk in gvks.into_iter().flatten() {
                let text = |key: &str| gvk.get(key).and_then(Value::as_str).unwrap_or_default();
                let api_version = match text("group") {
                    "" => text("version").to_string(),
                    group => format!("{group}/{}", text("version")),
                };
                self.by_kind.insert((api_version, text("kind").to_string()), name.clone());
            }
            self.definitions.insert(name.clone(), definition.clone());
        }
        Ok(())
    }

    /// The definition named `name`.
    pub fn definition(&self, name: &str) -> Option<&Value> {
        self.definitions.get(name)
    }

    /// The definition of objects with this `apiVersion` and `kind`.
    pub fn for_kind(&self, api_version: &str, kind: &str) -> Option<&Value> {
        let name = self.by_kind.get(&(api_version.to_string(), kind.to_string()))?;
        self.definitions.get(name)
    }
}

/// The schema in use once parsed: the built-in tables, a custom schema, or both.
#[derive(Clone, Copy, Debug)]
pub struct Loaded<'s> {
    pub builtin: bool,
    pub custom: Option<&'s Custom>,
}

/// kyaml's schema state for one build (see the module doc).
#[derive(Debug, Default)]
pub struct OpenApi {
    /// The built-in version asked for ("" when none was).
    version: String,
    /// The custom schema asked for: the file and its text.
    custom_text: Option<(PathBuf, String)>,
    /// Whether the schema asked for has been parsed since it was set.
    parsed: bool,
    builtin: bool,
    custom: Option<Custom>,
}

impl OpenApi {
    /// Takes the `openapi` field of the kustomization `file` in `root`; `top` for the kustomization the build
    /// starts from, which always sets it.
    pub fn set(
        &mut self,
        field: Option<&Value>,
        root: &Path,
        file: &Path,
        options: &BuildOptions,
        top: bool,
    ) -> Result<(), Error> {
        let invalid = |message: String| Error::InvalidKustomization { path: file.to_path_buf(), message };
        let field: HashMap<String, String> = match field {
            None | Some(Value::Null) => HashMap::new(),
            Some(value) => serde_json::from_value(value.clone())
                .map_err(|e| invalid(format!("openapi: expected a mapping of strings: {e}")))?,
        };
        // kustomize reads the file before it decides whether this kustomization gets to set the schema.
        let custom_text = match field.get("path") {
            Some(path) => {
                let resolved = crate::loader::resolve_file(root, file, path, options)?;
                let text = std::fs::read_to_string(&resolved).map_err(|e| Error::io(&resolved, e))?;
                Some((resolved, text))
            }
            None => None,
        };
        let already_set = !self.version.is_empty() || self.custom_text.is_some();
        if already_set && !top {
            return Ok(());
        }
        if let Some(custom_text) = custom_text {
            if field.contains_key("version") {
                return Err(invalid("builtin version and custom schema provided, cannot use both".into()));
            }
            self.custom_text = Some(custom_text);
            self.version = "custom".into();
            self.parsed = false;
            return Ok(());
        }
        self.version = field.get("version").cloned().unwrap_or_default();
        if self.version.is_empty() {
            return Ok(());
        }
        if self.version != BUILTIN_VERSION {
            return Err(invalid("the specified OpenAPI version is not built in".into()));
        }
        self.custom_text = None;
        self.parsed = false;
        Ok(())
    }

    /// Parses the schema asked for if it was not yet (kyaml's `initSchema`), as kustomize does the first time it
    /// looks a kind up.
    pub fn touch(&mut self) -> Result<(), String> {
        if self.parsed {
            return Ok(());
        }
        self.parsed = true;
        match &self.custom_text {
            None => self.builtin = true,
            Some((path, text)) => {
                let doc = Custom::parse(text).map_err(|e| format!("invalid schema file {}: {e}", path.display()))?;
                match &mut self.custom {
                    Some(custom) => {
                        custom.definitions.extend(doc.definitions);
                        custom.by_kind.extend(doc.by_kind);
                    }
                    None => self.custom = Some(doc),
                }
            }
        }
        Ok(())
    }

    /// Notes that an object of this kind was loaded: kustomize asks the schema whether a kind it does not know is
    /// namespaced, which parses the schema.
    pub fn saw_kind(&mut self, api_version: &str, kind: &str) -> Result<(), String> {
        if crate::patch::builtin_kind(api_version, kind) {
            return Ok(());
        }
        self.touch()
    }

    /// The schema for a strategic merge patch, parsed first if needed.
    pub fn loaded(&mut self) -> Result<Loaded<'_>, String> {
        self.touch()?;
        Ok(Loaded { builtin: self.builtin, custom: self.custom.as_ref() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(state: &mut OpenApi, field: Value, top: bool) -> Result<(), Error> {
        state.set(Some(&field), Path::new("/"), Path::new("/kustomization.yaml"), &BuildOptions::default(), top)
    }

    #[test]
    fn versions_other_than_the_built_in_one_are_refused() {
        let mut state = OpenApi::default();
        let err = set(&mut state, serde_json::json!({"version": "v1.22.0"}), true).unwrap_err();
        assert!(err.to_string().contains("the specified OpenAPI version is not built in"), "{err}");
        set(&mut state, serde_json::json!({"version": BUILTIN_VERSION}), true).unwrap();
        assert!(state.loaded().unwrap().builtin);
    }

    #[test]
    fn custom_definitions_are_found_by_every_kind_they_name() {
        let custom = Custom::parse(
            "definitions:\n  a.Foo:\n    x-kubernetes-group-version-kind:\n    - {group: example.com, kind: Foo, version: v1}\n    - {group: '', kind: Foo, version: v1}\n",
        )
        .unwrap();
        assert!(custom.for_kind("example.com/v1", "Foo").is_some());
        assert!(custom.for_kind("v1", "Foo").is_some());
        assert!(custom.for_kind("example.com/v2", "Foo").is_none());
        assert!(Custom::parse("{\"definitions\": 3}").is_err());
    }
}
