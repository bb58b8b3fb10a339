//! The kinds discovery found, shared by every reconcile of the engine: resolving a kind takes an API request, and a
//! thousand Kustomizations apply the same few kinds. Entries expire, so a CRD deleted or changed in the cluster is
//! looked up again soon; misses are never kept (a CRD applied a moment ago must resolve on the next lookup).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kube::api::ApiResource;

/// How long a found kind is trusted.
const TTL: Duration = Duration::from_secs(60);

/// A kind found by discovery: its resource and whether it is namespaced.
#[derive(Debug, Clone)]
pub struct FoundKind {
    pub resource: ApiResource,
    pub namespaced: bool,
}

/// `(apiVersion, kind)` -> the kind found, and when.
type Found = HashMap<(String, String), (FoundKind, Instant)>;

/// The cache; clones share it.
#[derive(Clone, Default)]
pub struct KindCache {
    found: Arc<Mutex<Found>>,
}

impl KindCache {
    pub fn get(&self, api_version: &str, kind: &str) -> Option<FoundKind> {
        let found = self.found.lock().unwrap_or_else(|p| p.into_inner());
        let key = (api_version.to_string(), kind.to_string());
        found.get(&key).filter(|(_, at)| at.elapsed() < TTL).map(|(kind, _)| kind.clone())
    }

    pub fn insert(&self, api_version: &str, kind: &str, found: FoundKind) {
        let mut cache = self.found.lock().unwrap_or_else(|p| p.into_inner());
        cache.insert((api_version.to_string(), kind.to_string()), (found, Instant::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_kinds_are_shared_between_clones() {
        let cache = KindCache::default();
        let resource = ApiResource::erase::<k8s_openapi::api::core::v1::ConfigMap>(&());
        cache.clone().insert("v1", "ConfigMap", FoundKind { resource, namespaced: true });
        assert!(cache.get("v1", "ConfigMap").is_some_and(|k| k.namespaced));
        assert!(cache.get("v1", "Secret").is_none());
    }
}
