//! Reading files: where a kustomization's entries point (a file or a directory), under kustomize's load
//! restrictions (`LoadRestrictionsRootOnly` by default: a file must sit in or below its kustomization's
//! directory; a directory, a base, may be anywhere, it becomes a root of its own). Remote entries are refused.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::Error;
use crate::options::BuildOptions;
use crate::resource::Resource;

/// What a `resources` entry names.
pub enum Entry {
    Dir(PathBuf),
    File(PathBuf),
}

fn is_remote(entry: &str) -> bool {
    entry.contains("://")
        || entry.starts_with("git@")
        || entry.starts_with("github.com/")
        || entry.starts_with("gitlab.com/")
        || entry.starts_with("bitbucket.org/")
}

/// Resolves a `resources` entry of the kustomization `file` in `root`.
pub fn resolve_entry(root: &Path, file: &Path, entry: &str, options: &BuildOptions) -> Result<Entry, Error> {
    if is_remote(entry) {
        return Err(Error::RemoteRefused { path: file.to_path_buf(), entry: entry.to_string() });
    }
    let Ok(target) = root.join(entry).canonicalize() else {
        return Err(Error::MissingResource { path: file.to_path_buf(), entry: entry.to_string() });
    };
    check_boundary(file, &target, options)?;
    if target.is_dir() {
        return Ok(Entry::Dir(target));
    }
    if options.root_only() && !target.starts_with(root) {
        return Err(Error::OutsideRoot { path: file.to_path_buf(), file: target });
    }
    Ok(Entry::File(target))
}

/// Refuses a path outside the build's boundary, if it has one.
fn check_boundary(file: &Path, target: &Path, options: &BuildOptions) -> Result<(), Error> {
    match &options.boundary {
        Some(boundary) if !target.starts_with(boundary) => {
            Err(Error::OutsideRoot { path: file.to_path_buf(), file: target.to_path_buf() })
        }
        _ => Ok(()),
    }
}

/// Resolves an entry that must be a directory (a component).
pub fn resolve_dir(root: &Path, file: &Path, entry: &str, options: &BuildOptions) -> Result<PathBuf, Error> {
    if is_remote(entry) {
        return Err(Error::RemoteRefused { path: file.to_path_buf(), entry: entry.to_string() });
    }
    match root.join(entry).canonicalize() {
        Ok(dir) if dir.is_dir() => {
            check_boundary(file, &dir, options)?;
            Ok(dir)
        }
        _ => Err(Error::MissingResource { path: file.to_path_buf(), entry: entry.to_string() }),
    }
}

/// Resolves an entry that must be a file (a patch, a generator source, a configuration), under the load
/// restrictions.
pub fn resolve_file(root: &Path, file: &Path, entry: &str, options: &BuildOptions) -> Result<PathBuf, Error> {
    match resolve_entry(root, file, entry, options)? {
        Entry::File(path) => Ok(path),
        Entry::Dir(_) => Err(Error::InvalidKustomization {
            path: file.to_path_buf(),
            message: format!("`{entry}` is a directory, a file was expected"),
        }),
    }
}

/// Reads an entry that must be a file, as text.
pub fn read_text(root: &Path, file: &Path, entry: &str, options: &BuildOptions) -> Result<String, Error> {
    let path = resolve_file(root, file, entry, options)?;
    std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))
}

/// The objects of one file: every document, `List` kinds flattened.
pub fn read_resources(path: &Path) -> Result<Vec<Resource>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let docs = crate::yaml::parse_documents(&text)
        .map_err(|message| Error::MalformedYaml { path: path.to_path_buf(), message })?;
    objects(docs).map_err(|message| Error::InvalidResource { path: path.to_path_buf(), message })
}

/// Resources from parsed documents, `List` kinds flattened.
pub fn objects(docs: Vec<Value>) -> Result<Vec<Resource>, String> {
    let mut out = Vec::new();
    for doc in docs {
        flatten(doc, &mut out);
    }
    out.into_iter().map(Resource::new).collect()
}

fn flatten(doc: Value, out: &mut Vec<Value>) {
    let is_list = doc.get("kind").and_then(Value::as_str).is_some_and(|k| k.ends_with("List"))
        && doc.get("items").is_some_and(Value::is_array);
    if !is_list {
        out.push(doc);
        return;
    }
    if let Some(Value::Array(items)) = doc.get("items") {
        for item in items {
            flatten(item.clone(), out);
        }
    }
}
