//! The reflector stores, one per watched kind, shared by the watchers (writers) and the app (reader).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use kube::runtime::reflector::Store;

use crate::api::{AnyFluxObject, FluxKind};

/// The store of every kind being watched. Cloning shares the same stores.
#[derive(Clone, Default)]
pub struct FluxStores {
    stores: Arc<RwLock<HashMap<FluxKind, Store<AnyFluxObject>>>>,
}

impl FluxStores {
    /// Registers the store a watcher writes for `kind`, replacing an earlier one (after a version change).
    pub fn insert(&self, kind: FluxKind, store: Store<AnyFluxObject>) {
        self.stores.write().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(kind, store);
    }

    pub fn remove(&self, kind: FluxKind) {
        self.stores.write().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(&kind);
    }

    /// Every object of `kind` (empty when the kind is not watched).
    pub fn objects(&self, kind: FluxKind) -> Vec<Arc<AnyFluxObject>> {
        let stores = self.stores.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        stores.get(&kind).map(|store| store.state()).unwrap_or_default()
    }

    /// Builds stores holding these objects, as if the watchers had listed them: for snapshot tests, benchmarks
    /// and headless commands that read files.
    pub fn from_objects(objects: impl IntoIterator<Item = AnyFluxObject>) -> FluxStores {
        use kube::runtime::reflector::store::Writer;
        use kube::runtime::watcher::Event;

        let mut writers: HashMap<FluxKind, Writer<AnyFluxObject>> = HashMap::new();
        for object in objects {
            let Some(kind) = object.kind() else { continue };
            let version = match object.api_version().rsplit('/').next() {
                Some(version) if !version.is_empty() => version.to_string(),
                _ => kind.versions()[0].to_string(),
            };
            let writer = writers.entry(kind).or_insert_with(|| Writer::new(kind.api_resource(&version)));
            writer.apply_watcher_event(&Event::Apply(object));
        }
        let stores = FluxStores::default();
        for (kind, writer) in writers {
            stores.insert(kind, writer.as_reader());
        }
        stores
    }
}

impl std::fmt::Debug for FluxStores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let stores = self.stores.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut kinds: Vec<_> = stores.keys().collect();
        kinds.sort();
        f.debug_struct("FluxStores").field("kinds", &kinds).finish()
    }
}
