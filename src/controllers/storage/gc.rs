//! Garbage collection of one owner's directory: what source-controller's `--artifact-retention-records` and
//! `--artifact-retention-ttl` decide.
//!
//! Older artifacts are kept a while because a consumer may still be downloading the previous revision when a new
//! one lands. The current artifact (the one in `status.artifact`) is never removed; of the others, a file goes when
//! it is older than the TTL or when it is beyond the newest `records` files (the current one counts as one).

use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use super::StorageError;

/// How many artifacts an object keeps, and for how long the older ones stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// The most files kept per object, the current artifact included (source-controller's default: 2).
    pub records: usize,
    /// How long a file that is not the current artifact may stay (source-controller's default: one minute).
    pub ttl: Duration,
}

impl Default for Retention {
    fn default() -> Self {
        Retention { records: 2, ttl: Duration::from_secs(60) }
    }
}

/// Removes from `directory` the files `retention` lets go, and every leftover temporary file (a dot name: the
/// caller holds the owner's lock, so no write is in progress and such a file is what a crash left behind).
/// `current` is the file name of the current artifact, if any. Returns the names of the artifacts removed, oldest
/// first. A directory that does not exist has nothing to collect.
pub fn collect(directory: &Path, current: Option<&str>, retention: Retention) -> Result<Vec<String>, StorageError> {
    let entries = match fs::read_dir(directory) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(StorageError::io("list", directory, source)),
    };
    let now = SystemTime::now();
    let mut artifacts = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| StorageError::io("list", directory, source))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let metadata = entry.metadata().map_err(|source| StorageError::io("read", &entry.path(), source))?;
        if !metadata.is_file() {
            continue;
        }
        if name.starts_with('.') {
            remove(&entry.path())?;
            continue;
        }
        let modified = metadata.modified().map_err(|source| StorageError::io("read", &entry.path(), source))?;
        artifacts.push((modified, name));
    }
    // Newest first; equal times by name, so that the choice does not depend on the order the directory lists.
    artifacts.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(&a.1)));
    let mut kept = usize::from(current.is_some_and(|current| artifacts.iter().any(|(_, name)| name == current)));
    let mut removed = Vec::new();
    for (modified, name) in artifacts {
        if Some(name.as_str()) == current {
            continue;
        }
        // A time in the future (clock skew) counts as new.
        let age = now.duration_since(modified).unwrap_or_default();
        if kept < retention.records && age <= retention.ttl {
            kept += 1;
        } else {
            remove(&directory.join(&name))?;
            removed.push(name);
        }
    }
    removed.reverse();
    Ok(removed)
}

fn remove(path: &Path) -> Result<(), StorageError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        // Gone already: what removing wanted.
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(StorageError::io("remove", path, source)),
    }
}
