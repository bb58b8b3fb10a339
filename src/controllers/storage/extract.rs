//! Unpacking an artifact for a consumer (a Kustomization's build, a chart from a Git source), safely: an archive
//! is input from elsewhere (an OCI layer, a bucket, a chart repository), so nothing in it may write outside the
//! destination or fill the disk.
//!
//! As Flux's untar does: only regular files and directories are written (symlinks, hard links and special files
//! are skipped, so no later entry can be written through a link), a name that is absolute or contains `..` is
//! refused, and the total size of the files is capped. Files get mode 0600, or 0700 when any execute bit is set;
//! times and owners are not restored.

use std::fs::{self, OpenOptions};
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use flate2::read::GzDecoder;
use tar::{Archive, EntryType};

use super::StorageError;

/// Flux's default cap on what one artifact may unpack to: 100 MiB.
pub const DEFAULT_MAX_UNPACKED_SIZE: u64 = 100 << 20;

/// What an unpacking wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unpacked {
    pub files: u64,
    pub bytes: u64,
}

/// Unpacks the tar.gz read from `input` into `destination` (created if needed), writing at most `max_size` bytes
/// of file content. `name` names the archive in errors.
pub fn unpack_tar_gz(
    input: impl Read,
    destination: &Path,
    max_size: u64,
    name: &str,
) -> Result<Unpacked, StorageError> {
    let corrupt = |reason: String| StorageError::CorruptArchive { name: name.to_string(), reason };
    fs::create_dir_all(destination).map_err(|source| StorageError::io("create", destination, source))?;
    let mut archive = Archive::new(GzDecoder::new(input));
    let mut unpacked = Unpacked::default();
    for entry in archive.entries().map_err(|err| corrupt(err.to_string()))? {
        let mut entry = entry.map_err(|err| corrupt(err.to_string()))?;
        let entry_path = entry.path().map_err(|err| corrupt(err.to_string()))?.into_owned();
        let Some(relative) = contained_path(&entry_path) else {
            return Err(corrupt(format!("entry {} would be written outside the destination", entry_path.display())));
        };
        let target = destination.join(&relative);
        match entry.header().entry_type() {
            EntryType::Directory => {
                fs::create_dir_all(&target).map_err(|source| StorageError::io("create", &target, source))?;
            }
            EntryType::Regular | EntryType::Continuous => {
                let size = entry.header().size().map_err(|err| corrupt(err.to_string()))?;
                if unpacked.bytes.saturating_add(size) > max_size {
                    return Err(StorageError::ArchiveTooLarge { name: name.to_string(), max_size });
                }
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent).map_err(|source| StorageError::io("create", parent, source))?;
                }
                let executable = entry.header().mode().is_ok_and(|mode| mode & 0o111 != 0);
                let written = write_file(&mut entry, &target, executable)?;
                unpacked.files += 1;
                unpacked.bytes += written;
            }
            // Links and special files are skipped, never created (see the module doc).
            _ => {}
        }
    }
    Ok(unpacked)
}

/// The entry's path without `.` components, or None when it is absolute or climbs with `..`. The root entry `.`
/// becomes the empty path (the destination itself).
fn contained_path(path: &Path) -> Option<PathBuf> {
    let mut contained = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => contained.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(contained)
}

fn write_file(entry: &mut impl Read, target: &Path, executable: bool) -> Result<u64, StorageError> {
    // An earlier entry of the same name (archives may repeat one) is replaced, not written through.
    match fs::symlink_metadata(target) {
        Ok(metadata) if metadata.is_dir() => {
            return Err(StorageError::io(
                "write",
                target,
                io::Error::new(io::ErrorKind::AlreadyExists, "a directory of that name was unpacked before"),
            ));
        }
        Ok(_) => fs::remove_file(target).map_err(|source| StorageError::io("replace", target, source))?,
        Err(_) => {}
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if executable { 0o700 } else { 0o600 });
    }
    #[cfg(not(unix))]
    let _ = executable;
    let mut file = options.open(target).map_err(|source| StorageError::io("create", target, source))?;
    io::copy(entry, &mut file).map_err(|source| StorageError::io("write", target, source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_climb_or_are_absolute_are_not_contained() {
        assert_eq!(contained_path(Path::new("./a/b")), Some(PathBuf::from("a/b")));
        assert_eq!(contained_path(Path::new(".")), Some(PathBuf::new()));
        assert_eq!(contained_path(Path::new("a/../../b")), None);
        assert_eq!(contained_path(Path::new("/etc/passwd")), None);
    }
}
