//! The etag index of a bucket and the revision Flux derives from it: `sha256:<hex>` of the lines
//! `"<key> <etag>\n"` of every kept object, sorted by key, with the etags unquoted (minio-go, which
//! source-controller uses, strips the quotes S3 puts around them). Pure code: the listing comes from
//! [`super::fetch`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::controllers::git_repository::SourceIgnore;

/// The name of the ignore file source-controller reads from the bucket's root (whatever the prefix).
pub const SOURCEIGNORE_KEY: &str = ".sourceignore";

/// One object as the listing reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedObject {
    pub key: String,
    pub size: u64,
    /// As the server sent it, quotes included.
    pub etag: String,
}

/// The objects of a bucket that go into the artifact, each key with its unquoted etag, and the bucket's root
/// `.sourceignore` when it has one (source-controller puts it in the artifact, though not in the index).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BucketIndex {
    entries: BTreeMap<String, String>,
    sourceignore: Option<Vec<u8>>,
}

impl BucketIndex {
    /// Keeps what source-controller keeps of a listing: not the `.sourceignore` object, not directory markers,
    /// not what `rules` ignore. A zero-size object whose key is the parent directory of another key is a
    /// directory marker (`dir/`) whose slash the client's path type dropped; writing it as a file would collide
    /// with the directory.
    pub fn from_listing(objects: Vec<ListedObject>, rules: &SourceIgnore, sourceignore: Option<Vec<u8>>) -> Self {
        let directories: BTreeSet<&str> =
            objects.iter().flat_map(|object| object.key.match_indices('/').map(|(at, _)| &object.key[..at])).collect();
        let mut entries = BTreeMap::new();
        for object in &objects {
            let key = object.key.as_str();
            if key.ends_with('/') || key == SOURCEIGNORE_KEY {
                continue;
            }
            if object.size == 0 && directories.contains(key) {
                continue;
            }
            if rules.is_ignored(Path::new(key), false) {
                continue;
            }
            entries.insert(key.to_string(), unquote(&object.etag).to_string());
        }
        BucketIndex { entries, sourceignore }
    }

    /// The revision Flux writes to `status.artifact.revision`.
    pub fn revision(&self) -> String {
        let mut hasher = Sha256::new();
        for (key, etag) in &self.entries {
            hasher.update(key.as_bytes());
            hasher.update(b" ");
            hasher.update(etag.as_bytes());
            hasher.update(b"\n");
        }
        let hex: String = hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect();
        format!("sha256:{hex}")
    }

    /// The number of objects in the artifact (the `.sourceignore` file not counted, as in Flux's event).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The kept keys with their etags, sorted by key.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(key, etag)| (key.as_str(), etag.as_str()))
    }

    pub fn etag(&self, key: &str) -> Option<&str> {
        self.entries.get(key).map(String::as_str)
    }

    /// The content of the bucket's root `.sourceignore`.
    pub fn sourceignore(&self) -> Option<&[u8]> {
        self.sourceignore.as_deref()
    }

    /// Records the etag a download saw (the object changed after the listing), as source-controller does.
    pub(crate) fn update(&mut self, key: &str, etag: &str) {
        if let Some(current) = self.entries.get_mut(key) {
            *current = unquote(etag).to_string();
        }
    }

    /// Forgets an object that disappeared between the listing and its download, as source-controller does.
    pub(crate) fn remove(&mut self, key: &str) {
        self.entries.remove(key);
    }
}

/// An etag without the double quotes S3 wraps it in.
pub fn unquote(etag: &str) -> &str {
    let etag = etag.strip_prefix('"').unwrap_or(etag);
    etag.strip_suffix('"').unwrap_or(etag)
}

/// The relative path an object key is written to, refusing any key that could leave the directory: absolute
/// paths, `..`, `.` and empty segments. Keys use `/` whatever the platform.
pub fn relative_path(key: &str) -> Result<PathBuf, String> {
    if key.is_empty() {
        return Err("the key is empty".to_string());
    }
    if key.starts_with('/') {
        return Err("the key is an absolute path".to_string());
    }
    let mut path = PathBuf::new();
    for segment in key.split('/') {
        match segment {
            "" => return Err("the key has an empty path segment".to_string()),
            "." | ".." => return Err(format!("the key has a '{segment}' path segment")),
            _ if segment.contains('\0') || segment.contains('\\') => {
                return Err("the key has a NUL or backslash in a segment".to_string());
            }
            _ => path.push(segment),
        }
    }
    // The segment checks above already exclude every non-normal component; this states the invariant.
    if !path.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err("the key is not a plain relative path".to_string());
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(key: &str, size: u64, etag: &str) -> ListedObject {
        ListedObject { key: key.to_string(), size, etag: format!("\"{etag}\"") }
    }

    fn no_rules() -> SourceIgnore {
        SourceIgnore::from_patterns(&[]).unwrap()
    }

    #[test]
    fn the_revision_hashes_sorted_key_etag_lines_with_unquoted_etags() {
        let listing = vec![object("b.yaml", 1, "e2"), object("a/x.yaml", 1, "e1")];
        let index = BucketIndex::from_listing(listing, &no_rules(), None);
        let expected = Sha256::digest(b"a/x.yaml e1\nb.yaml e2\n");
        let hex: String = expected.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(index.revision(), format!("sha256:{hex}"));
        assert_eq!(
            BucketIndex::default().revision(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "an empty bucket has the digest of nothing"
        );
    }

    #[test]
    fn markers_the_ignore_file_and_ignored_keys_are_left_out() {
        let rules = SourceIgnore::from_patterns(&["*.txt\n"]).unwrap();
        let listing = vec![
            object("apps", 0, "d41d8cd98f00b204e9800998ecf8427e"),
            object("apps/app.yaml", 3, "e1"),
            object(".sourceignore", 6, "e2"),
            object("notes.txt", 3, "e3"),
            object("empty.yaml", 0, "d41d8cd98f00b204e9800998ecf8427e"),
            object("logo.png", 3, "e4"),
        ];
        let index = BucketIndex::from_listing(listing, &rules, Some(b"*.txt\n".to_vec()));
        let keys: Vec<&str> = index.entries().map(|(key, _)| key).collect();
        assert_eq!(keys, ["apps/app.yaml", "empty.yaml", "logo.png"], "no default exclusions for buckets");
        assert_eq!(index.sourceignore(), Some(&b"*.txt\n"[..]));
    }

    #[test]
    fn unsafe_keys_have_no_relative_path() {
        assert_eq!(relative_path("a/b/c.yaml").unwrap(), PathBuf::from("a/b/c.yaml"));
        for key in ["", "/etc/passwd", "../x", "a/../../x", "a//b", "./a", "a/.", "a\\..\\b"] {
            assert!(relative_path(key).is_err(), "{key:?} must be refused");
        }
    }

    #[test]
    fn quotes_are_stripped_once() {
        assert_eq!(unquote("\"abc\""), "abc");
        assert_eq!(unquote("abc"), "abc");
        assert_eq!(unquote("\"abc-2\""), "abc-2");
    }
}
