//! Reproducible tarballs: the same tree gives the same bytes, and so the same digest, whatever the files' times,
//! owners, creation order or the umask they were written under. Consumers compare digests to tell a new revision
//! from an old one, so anything that varies between two checkouts of one commit must not reach the archive.
//!
//! The format follows source-controller's: a gzip'ed tar whose entry names are relative to the root (the root
//! itself is the entry `.`), directories without a trailing slash, regular files and directories only (symlinks
//! and special files are left out), uid and gid 0 with empty user and group names, zero times, and modes reduced
//! to 0750 for directories, 0700 for files with any execute bit and 0600 for the other files. Entries are written
//! depth first with the children of each directory sorted by the bytes of their names.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use flate2::{Compression, GzBuilder};
use sha2::{Digest, Sha256};
use tar::{Builder, EntryType, Header};

use super::StorageError;

/// Decides which entries go into an archive: called with each entry's path relative to the root and whether it
/// is a directory; `false` leaves the entry out, and for a directory its whole subtree. The Git, OCI and Bucket
/// sources pass their ignore rules (`.sourceignore`, `spec.ignore`) here.
pub type EntryFilter<'a> = &'a dyn Fn(&Path, bool) -> bool;

/// Includes every entry.
pub fn include_everything(_: &Path, _: bool) -> bool {
    true
}

const DIRECTORY_MODE: u32 = 0o750;
const EXECUTABLE_MODE: u32 = 0o700;
const FILE_MODE: u32 = 0o600;

/// A writer that hashes and counts what passes through it, so the digest and size of an artifact come from the
/// bytes written, with no second read of the file.
pub struct DigestWriter<W> {
    inner: W,
    hasher: Sha256,
    written: u64,
}

impl<W: Write> DigestWriter<W> {
    pub fn new(inner: W) -> Self {
        DigestWriter { inner, hasher: Sha256::new(), written: 0 }
    }

    /// The inner writer, the `sha256:<hex>` digest and the number of bytes written.
    pub fn finish(self) -> (W, String, u64) {
        (self.inner, format_digest(&self.hasher.finalize()), self.written)
    }
}

impl<W: Write> Write for DigestWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let count = self.inner.write(buf)?;
        self.hasher.update(&buf[..count]);
        self.written += count as u64;
        Ok(count)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// `sha256:<lower-case hex>`, the form `status.artifact.digest` takes.
pub fn format_digest(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(7 + bytes.len() * 2);
    out.push_str("sha256:");
    for byte in bytes {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// Writes the tar.gz of `root` (filtered) to `out` and returns `out`. Fails on the first entry that cannot be
/// read, naming it: an artifact that silently lacks a file would be worse than none.
pub fn write_tar_gz<W: Write>(root: &Path, filter: EntryFilter<'_>, out: W) -> Result<W, StorageError> {
    let metadata = fs::metadata(root).map_err(|source| StorageError::io("read", root, source))?;
    if !metadata.is_dir() {
        return Err(StorageError::NotADirectory { path: root.to_path_buf() });
    }
    // A fixed header (no file name, zero time, "unknown" OS) so that the gzip wrapper is as reproducible as the
    // tar inside it.
    let gzip = GzBuilder::new().mtime(0).operating_system(255).write(out, Compression::default());
    let mut tar = Builder::new(gzip);
    append_directory_header(&mut tar, Path::new("."))
        .map_err(|source| StorageError::io("write the archive entry for", root, source))?;
    append_children(&mut tar, root, Path::new(""), filter)?;
    let gzip = tar.into_inner().map_err(|source| StorageError::io("finish the archive of", root, source))?;
    gzip.finish().map_err(|source| StorageError::io("compress the archive of", root, source))
}

/// Appends the entries under `root/relative`, children sorted by name, recursing into directories.
fn append_children<W: Write>(
    tar: &mut Builder<W>,
    root: &Path,
    relative: &Path,
    filter: EntryFilter<'_>,
) -> Result<(), StorageError> {
    let directory = root.join(relative);
    let mut names: Vec<_> = fs::read_dir(&directory)
        .map_err(|source| StorageError::io("list", &directory, source))?
        .map(|entry| entry.map(|entry| entry.file_name()))
        .collect::<Result<_, _>>()
        .map_err(|source| StorageError::io("list", &directory, source))?;
    // Sorting by bytes, not by locale or by the order the file system returns, is what makes the entry order
    // independent of how the tree was created.
    names.sort_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
    for name in names {
        let entry_relative: PathBuf = relative.join(&name);
        let entry_path = root.join(&entry_relative);
        // symlink_metadata: a symlink is dropped, never followed (it could point outside the tree).
        let metadata =
            fs::symlink_metadata(&entry_path).map_err(|source| StorageError::io("read", &entry_path, source))?;
        let file_type = metadata.file_type();
        if file_type.is_dir() {
            if !filter(&entry_relative, true) {
                continue;
            }
            append_directory_header(tar, &entry_relative)
                .map_err(|source| StorageError::io("write the archive entry for", &entry_path, source))?;
            append_children(tar, root, &entry_relative, filter)?;
        } else if file_type.is_file() {
            if !filter(&entry_relative, false) {
                continue;
            }
            append_file(tar, &entry_path, &entry_relative)?;
        }
        // Symlinks, sockets, fifos and devices are left out, as source-controller does.
    }
    Ok(())
}

fn base_header(entry_type: EntryType, mode: u32, size: u64) -> Header {
    let mut header = Header::new_gnu();
    header.set_entry_type(entry_type);
    header.set_mode(mode);
    header.set_size(size);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(0);
    header
}

fn append_directory_header<W: Write>(tar: &mut Builder<W>, relative: &Path) -> io::Result<()> {
    let mut header = base_header(EntryType::Directory, DIRECTORY_MODE, 0);
    tar.append_data(&mut header, relative, io::empty())
}

fn append_file<W: Write>(tar: &mut Builder<W>, path: &Path, relative: &Path) -> Result<(), StorageError> {
    let file = File::open(path).map_err(|source| StorageError::io("read", path, source))?;
    // The size and mode come from the open file, so they describe the bytes about to be read.
    let metadata = file.metadata().map_err(|source| StorageError::io("read", path, source))?;
    let mode = if is_executable(&metadata) { EXECUTABLE_MODE } else { FILE_MODE };
    let size = metadata.len();
    let mut header = base_header(EntryType::Regular, mode, size);
    let mut limited = file.take(size);
    tar.append_data(&mut header, relative, &mut limited).map_err(|source| StorageError::io("read", path, source))?;
    // A file that shrank while it was read leaves a short entry: the archive is broken, so say so rather than
    // store it.
    if limited.limit() != 0 {
        return Err(StorageError::ChangedWhileArchiving { path: path.to_path_buf() });
    }
    Ok(())
}

#[cfg(unix)]
fn is_executable(metadata: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    metadata.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_: &fs::Metadata) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_lower_case_hex_with_its_algorithm() {
        let mut writer = DigestWriter::new(Vec::new());
        writer.write_all(b"").unwrap();
        let (bytes, digest, size) = writer.finish();
        assert!(bytes.is_empty());
        assert_eq!(size, 0);
        assert_eq!(digest, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn a_file_is_not_a_directory_to_archive() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        fs::write(&file, "x").unwrap();
        let err = write_tar_gz(&file, &include_everything, Vec::new()).unwrap_err();
        assert!(matches!(err, StorageError::NotADirectory { .. }), "{err}");
    }
}
