//! Test helpers shared by the crate's unit tests: the shared reference data (real Flux CRDs and
//! fixture repositories), found through `FLUXTUI_SHARED` or beside the workspace, never copied in.

use serde_json::Value;
use std::path::{Path, PathBuf};

/// A folder of the shared reference data, or `None` (with a note on stderr) when it is absent.
pub fn shared(dir: &str) -> Option<PathBuf> {
    let root = std::env::var_os("FLUXTUI_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let path = root.join(dir);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipping: {} is absent", path.display());
        None
    }
}

/// One real Flux CRD from `shared/flux/crds`, parsed.
pub fn shared_crd(file: &str) -> Option<Value> {
    let path = shared("flux/crds")?.join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some(serde_saphyr::from_str(&text).expect("CRD parses"))
}
