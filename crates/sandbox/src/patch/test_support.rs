//! Helpers shared by the patch tests: resource infos for built-ins and for the real Flux CRDs.

use crate::registry::{ResourceInfo, builtin_resources, resources_from_crd};
use serde_json::Value;
use std::sync::Arc;

pub fn builtin(kind: &str) -> ResourceInfo {
    builtin_resources().into_iter().find(|info| info.kind == kind).unwrap_or_else(|| panic!("built-in {kind}"))
}

/// A custom resource with the given schema (`None`: no schema at all).
pub fn custom(kind: &str, schema: Option<Value>) -> ResourceInfo {
    let mut info = builtin("ConfigMap");
    info.group = "example.com".into();
    info.version = "v1".into();
    info.kind = kind.into();
    info.plural = format!("{}s", kind.to_lowercase());
    info.crd_name = Some(format!("{}.example.com", info.plural));
    info.status_subresource = true;
    info.schema = schema.map(Arc::new);
    info
}

/// The storage version of a real Flux CRD from `/work/shared/flux/crds`, or `None` (with a note
/// on stderr) when that folder is not there.
#[allow(dead_code)] // used by the server-side apply tests
pub fn flux_crd(file: &str) -> Option<ResourceInfo> {
    let crd = crate::test_support::shared_crd(file)?;
    let resources = resources_from_crd(&crd).expect("CRD is valid");
    resources.into_iter().find(|info| info.storage_version)
}
