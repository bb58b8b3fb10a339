//! What happens to a downloaded layer: `extract` unpacks it with the storage's safe unpacker (regular files and
//! directories only, nothing outside the destination, a size cap) and then removes what `.sourceignore` files
//! and `spec.ignore` exclude, so the directory is what the artifact will hold; `copy` keeps the bytes as they
//! are. Both run on the blocking pool: they do file I/O.

use std::fs;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use super::error::OciError;
use crate::controllers::git_repository::SourceIgnore;
use crate::controllers::storage::extract::unpack_tar_gz;

/// Empties `dir` (creating it when absent), so a pull never mixes its files with an earlier one's. The removal
/// walks the directory: it runs on the blocking pool.
pub(crate) async fn prepare_directory(dir: &Path) -> Result<(), OciError> {
    let owned = dir.to_path_buf();
    tokio::task::spawn_blocking(move || prepare_directory_blocking(&owned)).await.map_err(|join| {
        OciError::WorkingDirectory { path: dir.display().to_string(), detail: format!("the task failed: {join}") }
    })?
}

fn prepare_directory_blocking(dir: &Path) -> Result<(), OciError> {
    let failed =
        |e: std::io::Error| OciError::WorkingDirectory { path: dir.display().to_string(), detail: e.to_string() };
    match fs::remove_dir_all(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(failed(e)),
    }
    fs::create_dir_all(dir).map_err(failed)
}

/// Unpacks the gzip'ed tar at `download` into `target`, removes the download, and then the ignored entries.
/// `name` names the layer in errors.
pub(crate) async fn extract(
    download: &Path,
    target: &Path,
    name: &str,
    ignore: Option<&str>,
    max_size: u64,
) -> Result<(), OciError> {
    let (download, target) = (download.to_path_buf(), target.to_path_buf());
    let (name, ignore) = (name.to_string(), ignore.map(str::to_string));
    tokio::task::spawn_blocking(move || extract_blocking(&download, &target, &name, ignore.as_deref(), max_size))
        .await
        .map_err(|join| OciError::LayerOperation { operation: "extract", detail: format!("the task failed: {join}") })?
}

fn extract_blocking(
    download: &Path,
    target: &Path,
    name: &str,
    ignore: Option<&str>,
    max_size: u64,
) -> Result<(), OciError> {
    let failed = |detail: String| OciError::LayerOperation { operation: "extract", detail };
    let file = fs::File::open(download).map_err(|e| failed(format!("open {}: {e}", download.display())))?;
    let unpacked = unpack_tar_gz(BufReader::new(file), target, max_size, name);
    // The download is no longer needed whatever the outcome; a failure to remove it is harmless, as the next
    // pull empties the directory.
    let _ = fs::remove_file(download);
    unpacked.map_err(|e| failed(e.to_string()))?;
    let rules = SourceIgnore::load(target, ignore).map_err(|detail| failed(format!("ignore rules: {detail}")))?;
    remove_ignored(target, Path::new(""), &rules).map_err(failed)
}

/// Removes every entry under `root` (from `relative` down) that `rules` exclude.
fn remove_ignored(root: &Path, relative: &Path, rules: &SourceIgnore) -> Result<(), String> {
    let dir = root.join(relative);
    let entries = fs::read_dir(&dir).map_err(|e| format!("read {}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("read {}: {e}", dir.display()))?;
        let path = relative.join(entry.file_name());
        // The unpacker writes no links, so file_type (which does not follow links) is the entry's own type.
        let is_dir = entry.file_type().map_err(|e| format!("stat {}: {e}", entry.path().display()))?.is_dir();
        if rules.is_ignored(&path, is_dir) {
            let removed = if is_dir { fs::remove_dir_all(entry.path()) } else { fs::remove_file(entry.path()) };
            removed.map_err(|e| format!("remove {}: {e}", entry.path().display()))?;
        } else if is_dir {
            remove_ignored(root, &path, rules)?;
        }
    }
    Ok(())
}

/// Keeps the layer as it is, renamed to `file` (on the blocking pool, as every file operation here).
pub(crate) async fn keep(download: &Path, file: &Path) -> Result<PathBuf, OciError> {
    let (download, file) = (download.to_path_buf(), file.to_path_buf());
    tokio::task::spawn_blocking(move || keep_blocking(&download, &file))
        .await
        .map_err(|join| OciError::LayerOperation { operation: "copy", detail: format!("the task failed: {join}") })?
}

fn keep_blocking(download: &Path, file: &Path) -> Result<PathBuf, OciError> {
    fs::rename(download, file).map_err(|e| OciError::LayerOperation {
        operation: "copy",
        detail: format!("rename {} to {}: {e}", download.display(), file.display()),
    })?;
    Ok(file.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    use fluxtui_testkit::tar_gz;

    #[test]
    fn extraction_applies_sourceignore_and_spec_ignore() {
        let dir = tempfile::tempdir().unwrap();
        let download = dir.path().join("layer.download");
        let files = [
            (".sourceignore", "drafts/\n"),
            ("deploy/app.yaml", "kind: Deployment\n"),
            ("deploy/notes.md", "notes\n"),
            ("drafts/x.yaml", "x\n"),
        ];
        fs::write(&download, tar_gz(&files)).unwrap();
        let target = dir.path().join("content");
        extract_blocking(&download, &target, "layer", Some("*.md\n"), 1 << 20).unwrap();
        assert!(!download.exists(), "the download is removed once unpacked");
        assert!(target.join("deploy/app.yaml").is_file());
        assert!(!target.join("deploy/notes.md").exists(), "spec.ignore applies");
        assert!(!target.join("drafts").exists(), ".sourceignore applies");
    }

    #[test]
    fn a_layer_that_is_not_gzip_fails_as_a_layer_operation() {
        let dir = tempfile::tempdir().unwrap();
        let download = dir.path().join("layer.download");
        fs::write(&download, b"plain text, not a tarball").unwrap();
        let error = extract_blocking(&download, &dir.path().join("content"), "layer", None, 1 << 20).unwrap_err();
        assert_eq!(error.reason(), "OCIArtifactLayerOperationFailed");
        assert!(error.to_string().starts_with("failed to extract layer contents from artifact:"), "{error}");
    }
}
