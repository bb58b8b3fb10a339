//! In-process tests of the simulated controllers: a real `ApiState`, the controllers spawned on
//! the test's runtime, and waits on store events with a deadline (never bare sleeps).

mod adoption;
mod apps;
mod batch;
mod lifecycle;
mod sets;

use crate::config::SandboxConfig;
use crate::resources::{ApiState, DeleteOptions, Propagation, Target, WriteOptions};
use crate::store::WatchStart;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// A running sandbox state with its controllers; they stop when this is dropped.
pub(super) struct Cluster {
    pub state: Arc<ApiState>,
    shutdown: tokio::sync::watch::Sender<bool>,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
    }
}

pub(super) fn cluster() -> Cluster {
    let config = SandboxConfig { pod_ready_delay: Duration::from_millis(40), ..Default::default() };
    let state = ApiState::open(config).expect("open state");
    let (shutdown, receiver) = tokio::sync::watch::channel(false);
    super::spawn(state.clone(), receiver);
    Cluster { state, shutdown }
}

impl Cluster {
    pub fn target(&self, group: &str, plural: &str, namespace: &str, name: &str) -> Target {
        let info = self
            .state
            .registry()
            .storage_info(&crate::registry::GroupResource::new(group, plural))
            .expect("resource served");
        Target::new(info, namespace, name)
    }

    pub fn create(&self, group: &str, plural: &str, namespace: &str, body: Value) -> Value {
        let target = self.target(group, plural, namespace, "");
        self.state.create(&target, body, &WriteOptions::manager("test")).expect("create").object
    }

    pub fn get(&self, group: &str, plural: &str, namespace: &str, name: &str) -> Option<Value> {
        self.state.get(&self.target(group, plural, namespace, name)).ok()
    }

    pub fn list(&self, group: &str, plural: &str, namespace: &str) -> Vec<Value> {
        let gr = crate::registry::GroupResource::new(group, plural);
        self.state.store.list(&gr, Some(namespace)).0.iter().map(|o| o.value()).collect()
    }

    /// Merge-patches an object's spec side (main resource).
    pub fn patch(&self, group: &str, plural: &str, namespace: &str, name: &str, patch: Value) -> Value {
        let target = self.target(group, plural, namespace, name);
        let bytes = serde_json::to_vec(&patch).expect("json");
        self.state
            .patch(&target, crate::resources::PatchType::Merge, &bytes, &WriteOptions::manager("test"))
            .expect("patch")
            .object
    }

    pub fn delete(&self, group: &str, plural: &str, namespace: &str, name: &str, propagation: Option<Propagation>) {
        let target = self.target(group, plural, namespace, name);
        self.state.delete(&target, &DeleteOptions { propagation, ..Default::default() }).expect("delete");
    }

    /// Waits until `check` returns `Some`, re-checking after every committed change; panics with
    /// `what` after a generous deadline.
    pub async fn wait_for<T>(&self, what: &str, mut check: impl FnMut(&Cluster) -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        let mut events = self.state.store.subscribe(WatchStart::Now).expect("subscribe").receiver;
        loop {
            if let Some(found) = check(self) {
                return found;
            }
            tokio::select! {
                _ = events.recv() => {}
                _ = tokio::time::sleep_until(deadline) => panic!("timed out waiting for {what}"),
            }
        }
    }
}

pub(super) fn deployment(name: &str, replicas: i64, image: &str) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "main", "image": image, "ports": [{"containerPort": 8080}]}]},
            },
        },
    })
}

pub(super) fn condition<'a>(object: &'a Value, kind: &str) -> Option<&'a Value> {
    object.pointer("/status/conditions")?.as_array()?.iter().find(|c| c["type"] == kind)
}

pub(super) fn has_condition(object: &Value, kind: &str, status: &str, reason: &str) -> bool {
    condition(object, kind).is_some_and(|c| c["status"] == status && c["reason"] == reason)
}
