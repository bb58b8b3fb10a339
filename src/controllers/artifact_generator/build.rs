//! Building one output artifact: a fresh staging directory, the copy operations in order ([`super::copy`]), a
//! content hash for the file name, and the archive in storage as `externalartifact/<ns>/<name>/<hash>.tar.gz`
//! with revision `latest@<digest>` (source-watcher's `ArtifactBuilder.Build`).
//!
//! The file name is source-watcher's content hash (Go's `dirhash` over Adler-32 sums, printed in decimal), so an
//! unchanged tree keeps its file name; the archive goes through source-controller's default ignore set, as
//! source-watcher's `SourceIgnoreFilter(nil, nil)` does.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::copy::CopyPlan;
use crate::api::FluxKind;
use crate::api::meta::Artifact;
use crate::api::source::artifact_generator::CopyOperation;
use crate::controllers::git_repository::SourceIgnore;
use crate::controllers::storage::{ArtifactOwner, Storage};

/// Builds and stores the artifact `name` of a generator in `namespace`; `workspace` is this reconcile's scratch
/// directory. The error is the message after `<name> build failed: `.
pub fn build_artifact(
    storage: &Storage,
    name: &str,
    namespace: &str,
    operations: &[CopyOperation],
    sources: &BTreeMap<String, PathBuf>,
    workspace: &Path,
) -> Result<Artifact, String> {
    let staging = workspace.join("artifacts").join(name);
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir_all(&staging).map_err(|err| format!("failed to create staging dir: {err}"))?;
    for operation in operations {
        CopyPlan::parse(operation)
            .and_then(|plan| plan.apply(sources, &staging))
            .map_err(|err| format!("failed to apply copy operations: {err}"))?;
    }
    let hash = content_hash(&staging, name).map_err(|err| format!("failed to hash staging dir: {err}"))?;
    let rules = SourceIgnore::defaults().map_err(|err| format!("failed to create artifact: {err}"))?;
    let filter = |path: &Path, is_dir: bool| !rules.is_ignored(path, is_dir);
    let owner = ArtifactOwner::new(FluxKind::ExternalArtifact, namespace, name);
    let mut artifact = storage
        .store_directory(&owner, &format!("{hash}.tar.gz"), &staging, &filter, "")
        .map_err(|err| format!("failed to create artifact: {err}"))?;
    artifact.revision = Some(format!("latest@{}", artifact.digest.as_deref().unwrap_or_default()));
    Ok(artifact)
}

/// Go's `dirhash.HashDir(dir, prefix, DirHash)` as source-watcher configures it: the files under `dir` named
/// `<prefix>/<path>`, sorted, one line `"<adler32 hex>  <name>\n"` each, and the Adler-32 of those lines in
/// decimal.
pub fn content_hash(dir: &Path, prefix: &str) -> Result<String, String> {
    let mut files = Vec::new();
    list_files(dir, "", &mut files)?;
    let mut names: Vec<(String, PathBuf)> =
        files.into_iter().map(|(relative, path)| (format!("{prefix}/{relative}"), path)).collect();
    names.sort_by(|a, b| a.0.cmp(&b.0));
    let mut summary = Adler32::default();
    for (name, path) in names {
        if name.contains('\n') {
            return Err("filenames with newlines are not supported".to_string());
        }
        let mut file = fs::File::open(&path).map_err(|err| format!("{}: {err}", path.display()))?;
        let mut sum = Adler32::default();
        let mut buffer = vec![0; 64 * 1024];
        loop {
            let count = file.read(&mut buffer).map_err(|err| format!("{}: {err}", path.display()))?;
            if count == 0 {
                break;
            }
            sum.update(&buffer[..count]);
        }
        summary.update(format!("{:x}  {name}\n", sum.finish()).as_bytes());
    }
    Ok(summary.finish().to_string())
}

fn list_files(root: &Path, relative: &str, out: &mut Vec<(String, PathBuf)>) -> Result<(), String> {
    let directory = root.join(relative);
    for entry in fs::read_dir(&directory).map_err(|err| format!("{}: {err}", directory.display()))? {
        let entry = entry.map_err(|err| format!("{}: {err}", directory.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let child = if relative.is_empty() { name } else { format!("{relative}/{name}") };
        if entry.file_type().map_err(|err| format!("{child}: {err}"))?.is_dir() {
            list_files(root, &child, out)?;
        } else {
            out.push((child, entry.path()));
        }
    }
    Ok(())
}

/// Adler-32 (RFC 1950), the checksum Go's `hash/adler32` computes.
struct Adler32 {
    a: u32,
    b: u32,
}

impl Default for Adler32 {
    fn default() -> Self {
        Adler32 { a: 1, b: 0 }
    }
}

impl Adler32 {
    const MODULUS: u32 = 65521;
    /// The most bytes summed before `b` could overflow a u32.
    const BLOCK: usize = 5552;

    fn update(&mut self, bytes: &[u8]) {
        for block in bytes.chunks(Self::BLOCK) {
            for byte in block {
                self.a += u32::from(*byte);
                self.b += self.a;
            }
            self.a %= Self::MODULUS;
            self.b %= Self::MODULUS;
        }
    }

    fn finish(&self) -> u32 {
        (self.b << 16) | self.a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adler32_matches_the_reference_values() {
        let sum = |bytes: &[u8]| {
            let mut adler = Adler32::default();
            adler.update(bytes);
            adler.finish()
        };
        assert_eq!(sum(b""), 1);
        assert_eq!(sum(b"Wikipedia"), 0x11E6_0398);
        assert_eq!(sum(&vec![0xff; 100_000]), {
            // Summed one byte at a time with the modulus applied at every step.
            let (mut a, mut b) = (1u64, 0u64);
            for _ in 0..100_000 {
                a = (a + 0xff) % 65521;
                b = (b + a) % 65521;
            }
            ((b << 16) | a) as u32
        });
    }

    #[test]
    fn the_content_hash_depends_on_names_and_contents_only() {
        let one = tempfile::tempdir().unwrap();
        let two = tempfile::tempdir().unwrap();
        for dir in [one.path(), two.path()] {
            fs::create_dir_all(dir.join("a/b")).unwrap();
            fs::write(dir.join("a/b/c.yaml"), "c: 1\n").unwrap();
            fs::write(dir.join("top.yaml"), "top: true\n").unwrap();
        }
        let hash = content_hash(one.path(), "apps").unwrap();
        assert_eq!(hash, content_hash(two.path(), "apps").unwrap());
        assert!(hash.chars().all(|c| c.is_ascii_digit()), "{hash}");
        assert_ne!(hash, content_hash(one.path(), "infra").unwrap(), "the prefix is part of the names");
        fs::write(two.path().join("top.yaml"), "top: false\n").unwrap();
        assert_ne!(hash, content_hash(two.path(), "apps").unwrap());
    }
}
