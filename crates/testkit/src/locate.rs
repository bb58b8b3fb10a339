//! Where the oracles and the shared reference data are.

use std::path::{Path, PathBuf};

/// The workspace root: the directory holding the root `Cargo.toml`.
pub(crate) fn workspace_root() -> PathBuf {
    // This crate lives at <workspace>/crates/testkit, a layout fixed by the workspace's own Cargo.toml.
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.ancestors().nth(2).unwrap_or(manifest_dir).to_path_buf()
}

/// The shared reference directory (fixtures, the Flux semantics, kustomize cases): `$FLUXTUI_SHARED` when set,
/// otherwise `<workspace>/../shared`; `None` when it does not exist.
///
/// Tests that need it are conformance tests: their names start with `shared_`, so that `scripts/test` can count
/// and skip them when the directory is absent.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("FLUXTUI_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => workspace_root().join("..").join("shared"),
    };
    dir.is_dir().then_some(dir)
}

/// Where `scripts/test` installs helm: `${XDG_CACHE_HOME:-$HOME/.cache}/fluxtui-test/bin/helm`.
pub(crate) fn helm_cache_path() -> Option<PathBuf> {
    let cache = match std::env::var_os("XDG_CACHE_HOME") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(std::env::var_os("HOME")?).join(".cache"),
    };
    Some(cache.join("fluxtui-test").join("bin").join("helm"))
}

/// The helm binary tests use as an oracle: `$FLUXTUI_HELM` when set, otherwise the one `scripts/test`
/// installed; `None` when neither is there.
pub fn helm_binary() -> Option<PathBuf> {
    if let Some(helm) = std::env::var_os("FLUXTUI_HELM") {
        let helm = PathBuf::from(helm);
        return helm.is_file().then_some(helm);
    }
    helm_cache_path().filter(|helm| helm.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_root_holds_the_workspace_manifest() {
        let manifest = std::fs::read_to_string(workspace_root().join("Cargo.toml")).expect("root Cargo.toml");
        assert!(manifest.contains("[workspace]"));
    }
}
