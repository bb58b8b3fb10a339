//! Unpacked artifacts shared by the builds that read them. Many Kustomizations usually build from one source
//! artifact (a fleet repository, one directory each): unpacking it once per revision instead of once per
//! reconcile is what keeps a thousand of them cheap. A tree is only ever read (the kustomize build takes the
//! generated kustomization as text), so concurrent builds share it; the cache keeps the most recently used
//! trees, and a tree leaves the disk when it is evicted and no build holds it any more.
//!
//! Everything here blocks (unpacking, removing directories): call it from the blocking pool.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::{DEFAULT_MAX_UNPACKED_SIZE, Storage, StorageError};
use crate::api::meta::Artifact;

/// How many unpacked artifacts stay on disk (a few sources, each at one or two revisions in flight).
const CAPACITY: usize = 8;

/// One unpacked artifact; its directory is removed when the last holder drops it.
#[derive(Debug)]
pub struct ExtractedTree {
    root: PathBuf,
}

impl ExtractedTree {
    /// The artifact's root directory (canonical).
    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl Drop for ExtractedTree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// The slot of one artifact: filled by the first build that needs it, while later ones wait for it.
type Slot = Arc<Mutex<Option<Arc<ExtractedTree>>>>;

/// The cache, keyed by the artifact's storage path and digest.
pub struct ExtractedArtifacts {
    dir: PathBuf,
    /// Least recently used first.
    slots: Mutex<VecDeque<(String, Slot)>>,
}

impl ExtractedArtifacts {
    /// A cache unpacking under `dir`. Trees a previous engine left there are removed in the background.
    pub fn new(dir: PathBuf) -> ExtractedArtifacts {
        if dir.exists() {
            let stale = dir.with_file_name(format!("extracted-stale-{}", uuid::Uuid::new_v4()));
            if std::fs::rename(&dir, &stale).is_ok() {
                std::thread::spawn(move || std::fs::remove_dir_all(stale));
            }
        }
        ExtractedArtifacts { dir, slots: Mutex::new(VecDeque::new()) }
    }

    /// The artifact unpacked, from the cache or unpacked now (its digest checked first).
    pub fn get(&self, storage: &Storage, artifact: &Artifact) -> Result<Arc<ExtractedTree>, StorageError> {
        let path = artifact.path.as_deref().unwrap_or_default();
        let key = format!("{path}@{}", artifact.digest.as_deref().unwrap_or_default());
        let (slot, evicted) = self.slot(&key);
        // Evicted trees are removed here, outside the cache's lock, once no build holds them.
        drop(evicted);
        let mut filled = slot.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tree) = filled.as_ref() {
            return Ok(tree.clone());
        }
        // The kustomize build's boundary is compared with canonical paths: make this one canonical up front.
        std::fs::create_dir_all(&self.dir).map_err(|err| StorageError::io("create", &self.dir, err))?;
        let dir = self.dir.canonicalize().map_err(|err| StorageError::io("resolve", &self.dir, err))?;
        // Built before unpacking, so a failed unpack leaves nothing behind.
        let tree = ExtractedTree { root: dir.join(uuid::Uuid::new_v4().to_string()) };
        storage.unpack_verified(artifact, &tree.root, DEFAULT_MAX_UNPACKED_SIZE)?;
        let tree = Arc::new(tree);
        *filled = Some(tree.clone());
        Ok(tree)
    }

    /// The slot of `key`, now the most recently used, and the slots pushed out to make room for it.
    fn slot(&self, key: &str) -> (Slot, Vec<(String, Slot)>) {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        let slot = match slots.iter().position(|(k, _)| k == key) {
            Some(at) => slots.remove(at).map(|(_, slot)| slot).unwrap_or_default(),
            None => Slot::default(),
        };
        slots.push_back((key.to_string(), slot.clone()));
        let mut evicted = Vec::new();
        while slots.len() > CAPACITY {
            evicted.extend(slots.pop_front());
        }
        (slot, evicted)
    }
}
