//! Artifact storage: the files source reconcilers produce and consumers download, laid out and served as
//! source-controller does (`<lowercase kind>/<namespace>/<name>/<file>` under a root directory, served over plain
//! HTTP at the advertised address).
//!
//! - [`Storage::store_directory`] archives a directory into a reproducible tar.gz ([`archive`]), through a filter
//!   the ignore rules plug into; [`Storage::store_file`] copies a file as it is (a packaged chart).
//! - Every write goes to a temporary file in the owner's directory and is renamed into place once complete and
//!   synced, so a reader (the HTTP server, a consumer) sees the old artifact or the new one, never half of one.
//! - One lock per owner ([`locks`]) keeps a write, a garbage collection and a removal of the same object apart.
//! - [`Storage::open_verified`] checks the digest before anything is read from an artifact.
//!   [`Storage::unpack_verified`] then unpacks a tarball safely ([`extract`]) for a consumer.
//! - [`Storage::collect_garbage`] keeps the last artifacts ([`gc::Retention`]); [`Storage::remove_owner`] is for the
//!   finalizer of a deleted object, and [`Storage::remove_orphans`] for objects deleted while no engine ran.
//! - [`server::ArtifactServer`] serves the root over HTTP.
//!
//! The operations do blocking file I/O: async callers run them with `tokio::task::spawn_blocking`.

pub mod archive;
pub mod extract;
pub mod extracted;
pub mod gc;
pub mod layout;
pub mod locks;
pub mod server;

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{SecondsFormat, Utc};
use sha2::{Digest, Sha256};

use crate::api::kind::FluxKind;
use crate::api::meta::Artifact;

pub use archive::{EntryFilter, include_everything};
pub use extract::{DEFAULT_MAX_UNPACKED_SIZE, Unpacked};
pub use extracted::{ExtractedArtifacts, ExtractedTree};
pub use gc::Retention;
pub use layout::{ArtifactOwner, advertised_address_for};
pub use server::ArtifactServer;

/// What went wrong in the artifact storage or its server.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("invalid {what} {value:?}: only letters, digits, '.', '_', '-' and '+' are allowed, not first '.'")]
    InvalidPathSegment { what: &'static str, value: String },
    #[error("artifact path {path:?} is not a path inside the storage")]
    PathEscapesRoot { path: String },
    #[error("{} is not a directory", path.display())]
    NotADirectory { path: PathBuf },
    #[error("{} is not a regular file", path.display())]
    NotAFile { path: PathBuf },
    #[error("{} changed while it was being archived", path.display())]
    ChangedWhileArchiving { path: PathBuf },
    #[error("cannot {action} {}: {source}", path.display())]
    Io { action: &'static str, path: PathBuf, source: io::Error },
    #[error("artifact {path} is not in the storage")]
    ArtifactNotFound { path: String },
    #[error("the artifact has no {field}")]
    ArtifactIncomplete { field: &'static str },
    #[error("unsupported artifact digest {digest:?}: expected sha256:<64 hex digits>")]
    UnsupportedDigest { digest: String },
    #[error("artifact {path} is corrupt: its digest is {actual}, expected {expected}")]
    DigestMismatch { path: String, expected: String, actual: String },
    #[error("archive {name} is corrupt: {reason}")]
    CorruptArchive { name: String, reason: String },
    #[error("archive {name} unpacks to more than {max_size} bytes")]
    ArchiveTooLarge { name: String, max_size: u64 },
    #[error("cannot serve artifacts on {address}: {source}")]
    Bind { address: SocketAddr, source: io::Error },
}

impl StorageError {
    fn io(action: &'static str, path: &Path, source: io::Error) -> Self {
        StorageError::Io { action, path: path.to_path_buf(), source }
    }
}

/// The artifact storage rooted at one directory.
#[derive(Debug)]
pub struct Storage {
    root: PathBuf,
    advertised_address: String,
    retention: Retention,
    locks: locks::OwnerLocks,
}

/// Numbers temporary files, so two writes in one process never share one.
static TEMPORARY_COUNTER: AtomicU64 = AtomicU64::new(0);

impl Storage {
    /// Opens (creating it if needed) the storage at `root`; artifact URLs use `advertised_address` (`host:port`,
    /// like source-controller's `--storage-adv-addr`).
    pub fn new(root: impl Into<PathBuf>, advertised_address: impl Into<String>) -> Result<Self, StorageError> {
        let root = root.into();
        fs::create_dir_all(&root).map_err(|source| StorageError::io("create", &root, source))?;
        if !fs::metadata(&root).map_err(|source| StorageError::io("read", &root, source))?.is_dir() {
            return Err(StorageError::NotADirectory { path: root });
        }
        Ok(Storage {
            root,
            advertised_address: advertised_address.into(),
            retention: Retention::default(),
            locks: locks::OwnerLocks::default(),
        })
    }

    /// Replaces the default retention (2 records, one minute).
    pub fn with_retention(mut self, retention: Retention) -> Self {
        self.retention = retention;
        self
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn advertised_address(&self) -> &str {
        &self.advertised_address
    }

    /// Archives `source` (filtered) into `<owner dir>/<file_name>` and returns the artifact for `status.artifact`,
    /// with `revision` as given.
    pub fn store_directory(
        &self,
        owner: &ArtifactOwner,
        file_name: &str,
        source: &Path,
        filter: EntryFilter<'_>,
        revision: &str,
    ) -> Result<Artifact, StorageError> {
        self.write_artifact(owner, file_name, revision, |out| archive::write_tar_gz(source, filter, out))
    }

    /// Copies the file `source` as it is (a packaged chart, an index) into `<owner dir>/<file_name>`.
    pub fn store_file(
        &self,
        owner: &ArtifactOwner,
        file_name: &str,
        source: &Path,
        revision: &str,
    ) -> Result<Artifact, StorageError> {
        self.write_artifact(owner, file_name, revision, |mut out| {
            let mut input = File::open(source).map_err(|err| StorageError::io("read", source, err))?;
            let metadata = input.metadata().map_err(|err| StorageError::io("read", source, err))?;
            if !metadata.is_file() {
                return Err(StorageError::NotAFile { path: source.to_path_buf() });
            }
            io::copy(&mut input, &mut out).map_err(|err| StorageError::io("copy", source, err))?;
            Ok(out)
        })
    }

    /// Writes one artifact through `produce` into a temporary file, then syncs and renames it into place, under
    /// the owner's lock.
    fn write_artifact<F>(
        &self,
        owner: &ArtifactOwner,
        file_name: &str,
        revision: &str,
        produce: F,
    ) -> Result<Artifact, StorageError>
    where
        F: FnOnce(
            archive::DigestWriter<BufWriter<File>>,
        ) -> Result<archive::DigestWriter<BufWriter<File>>, StorageError>,
    {
        let relative_path = owner.artifact_path(file_name)?;
        let directory = self.root.join(owner.relative_dir()?);
        let _guard = self.locks.lock(&owner.relative_dir()?);
        fs::create_dir_all(&directory).map_err(|source| StorageError::io("create", &directory, source))?;
        let temporary = directory.join(format!(
            ".{file_name}.{}.{}.tmp",
            std::process::id(),
            TEMPORARY_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let result = write_temporary(&temporary, produce).and_then(|written| {
            let target = directory.join(file_name);
            fs::rename(&temporary, &target).map_err(|source| StorageError::io("rename into", &target, source))?;
            sync_directory(&directory)?;
            Ok(written)
        });
        let (digest, size) = match result {
            Ok(written) => written,
            Err(err) => {
                // Best effort: the temporary file is garbage either way, and the next collection removes it.
                let _ = fs::remove_file(&temporary);
                return Err(err);
            }
        };
        Ok(Artifact {
            digest: Some(digest),
            last_update_time: Some(Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)),
            url: Some(layout::artifact_url(&self.advertised_address, &relative_path)),
            path: Some(relative_path),
            revision: Some(revision.to_string()),
            size: Some(i64::try_from(size).unwrap_or(i64::MAX)),
            ..Artifact::default()
        })
    }

    /// The file of a stored artifact, after checking that its path stays inside the storage.
    pub fn artifact_file(&self, artifact: &Artifact) -> Result<PathBuf, StorageError> {
        let path = artifact.path.as_deref().ok_or(StorageError::ArtifactIncomplete { field: "path" })?;
        layout::resolve(&self.root, path)
    }

    /// Whether the artifact's file is in the storage (a reconciler rebuilds an artifact whose file went missing).
    pub fn contains(&self, artifact: &Artifact) -> bool {
        self.artifact_file(artifact).is_ok_and(|path| path.is_file())
    }

    /// Opens a stored artifact after checking its bytes against `artifact.digest`; the file is returned at its
    /// start. A corrupt or truncated file is refused with [`StorageError::DigestMismatch`].
    pub fn open_verified(&self, artifact: &Artifact) -> Result<File, StorageError> {
        let relative = artifact.path.clone().unwrap_or_default();
        let path = self.artifact_file(artifact)?;
        let expected = artifact.digest.as_deref().ok_or(StorageError::ArtifactIncomplete { field: "digest" })?;
        let expected_hex = parse_sha256(expected)?;
        let mut file = match File::open(&path) {
            Ok(file) => file,
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                return Err(StorageError::ArtifactNotFound { path: relative });
            }
            Err(source) => return Err(StorageError::io("read", &path, source)),
        };
        let mut hasher = Sha256::new();
        let mut buffer = vec![0; 64 * 1024];
        loop {
            let count = file.read(&mut buffer).map_err(|source| StorageError::io("read", &path, source))?;
            if count == 0 {
                break;
            }
            hasher.update(&buffer[..count]);
        }
        let actual = archive::format_digest(&hasher.finalize());
        if actual["sha256:".len()..] != *expected_hex {
            return Err(StorageError::DigestMismatch { path: relative, expected: expected.to_string(), actual });
        }
        file.seek(SeekFrom::Start(0)).map_err(|source| StorageError::io("read", &path, source))?;
        Ok(file)
    }

    /// Verifies a stored tar.gz artifact and unpacks it into `destination` (a new or empty directory: existing
    /// symlinks in it would be followed), writing at most `max_size` bytes ([`DEFAULT_MAX_UNPACKED_SIZE`] is
    /// Flux's). See [`extract`] for what is written and what is refused.
    pub fn unpack_verified(
        &self,
        artifact: &Artifact,
        destination: &Path,
        max_size: u64,
    ) -> Result<Unpacked, StorageError> {
        let file = self.open_verified(artifact)?;
        let name = artifact.path.as_deref().unwrap_or_default();
        extract::unpack_tar_gz(io::BufReader::new(file), destination, max_size, name)
    }

    /// Checks a stored artifact against its digest.
    pub fn verify(&self, artifact: &Artifact) -> Result<(), StorageError> {
        self.open_verified(artifact).map(drop)
    }

    /// Removes the owner's old artifacts as the retention allows, never `current` (its `status.artifact`).
    /// Returns the storage paths removed, oldest first.
    pub fn collect_garbage(
        &self,
        owner: &ArtifactOwner,
        current: Option<&Artifact>,
    ) -> Result<Vec<String>, StorageError> {
        let relative_dir = owner.relative_dir()?;
        let current_name = current
            .and_then(|artifact| artifact.path.as_deref())
            .and_then(|path| path.strip_prefix(relative_dir.as_str()).and_then(|rest| rest.strip_prefix('/')));
        let _guard = self.locks.lock(&relative_dir);
        let removed = gc::collect(&self.root.join(&relative_dir), current_name, self.retention)?;
        Ok(removed.into_iter().map(|name| format!("{relative_dir}/{name}")).collect())
    }

    /// Removes every artifact of a deleted object (its finalizer calls this). Returns whether there was anything
    /// to remove.
    pub fn remove_owner(&self, owner: &ArtifactOwner) -> Result<bool, StorageError> {
        let relative_dir = owner.relative_dir()?;
        let _guard = self.locks.lock(&relative_dir);
        let directory = self.root.join(&relative_dir);
        match fs::remove_dir_all(&directory) {
            Ok(()) => Ok(true),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(source) => Err(StorageError::io("remove", &directory, source)),
        }
    }

    /// Removes the artifacts of every object of `kind` that `is_live(namespace, name)` says no longer exists: the
    /// objects deleted while no engine ran, whose finalizer never came. Returns the owners removed.
    pub fn remove_orphans(
        &self,
        kind: FluxKind,
        is_live: impl Fn(&str, &str) -> bool,
    ) -> Result<Vec<ArtifactOwner>, StorageError> {
        let kind_dir = self.root.join(layout::kind_directory(kind));
        let mut removed = Vec::new();
        for namespace in list_directory_names(&kind_dir)? {
            for name in list_directory_names(&kind_dir.join(&namespace))? {
                let owner = ArtifactOwner::new(kind, namespace.clone(), name);
                // A directory whose name the storage would not have written is not ours to judge: skip it.
                if owner.relative_dir().is_err() || is_live(&owner.namespace, &owner.name) {
                    continue;
                }
                if self.remove_owner(&owner)? {
                    removed.push(owner);
                }
            }
        }
        Ok(removed)
    }
}

/// Runs `produce` into a new file at `temporary` and syncs it; returns the digest and size written.
fn write_temporary<F>(temporary: &Path, produce: F) -> Result<(String, u64), StorageError>
where
    F: FnOnce(archive::DigestWriter<BufWriter<File>>) -> Result<archive::DigestWriter<BufWriter<File>>, StorageError>,
{
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        // Artifacts hold repository contents: readable by the engine's user only, whatever the umask.
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(temporary).map_err(|source| StorageError::io("create", temporary, source))?;
    let writer = produce(archive::DigestWriter::new(BufWriter::new(file)))?;
    let (buffered, digest, size) = writer.finish();
    let mut file = buffered.into_inner().map_err(|err| StorageError::io("write", temporary, err.into_error()))?;
    file.flush().map_err(|source| StorageError::io("write", temporary, source))?;
    // Synced before the rename, so that after a crash the name never points at a file whose bytes were lost.
    file.sync_all().map_err(|source| StorageError::io("sync", temporary, source))?;
    Ok((digest, size))
}

/// Makes a rename in `directory` durable.
fn sync_directory(directory: &Path) -> Result<(), StorageError> {
    #[cfg(unix)]
    {
        File::open(directory)
            .and_then(|handle| handle.sync_all())
            .map_err(|source| StorageError::io("sync", directory, source))?;
    }
    #[cfg(not(unix))]
    let _ = directory;
    Ok(())
}

/// The names of the subdirectories of `directory` (none when it does not exist).
fn list_directory_names(directory: &Path) -> Result<Vec<String>, StorageError> {
    let entries = match fs::read_dir(directory) {
        Ok(entries) => entries,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(StorageError::io("list", directory, source)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| StorageError::io("list", directory, source))?;
        let is_dir = entry.file_type().map_err(|source| StorageError::io("read", &entry.path(), source))?.is_dir();
        if is_dir {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// The hex part of a `sha256:<hex>` digest, in lower case; other algorithms are refused (the storage writes
/// sha256, source-controller's default `--artifact-digest-algo`).
pub fn parse_sha256(digest: &str) -> Result<String, StorageError> {
    let unsupported = || StorageError::UnsupportedDigest { digest: digest.to_string() };
    let hex = digest.strip_prefix("sha256:").ok_or_else(unsupported)?;
    if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(unsupported());
    }
    Ok(hex.to_ascii_lowercase())
}
