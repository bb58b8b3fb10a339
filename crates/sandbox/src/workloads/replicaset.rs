//! The ReplicaSet controller: keeps `spec.replicas` pods from the template alive and reports
//! how many exist, match the template labels, are ready and are available.

use super::client::{
    Api, CONTROLLER_MANAGER, all_keys, generation, gr, i, is_deleting, labels, labels_at, name, namespace, owner_ref,
    pod_availability, pod_from_template, pod_is_active, pod_is_ready, s, uid, workload_keys,
};
use super::events::{EventType, Recorder};
use super::runtime::Reconciler;
use crate::error::ApiError;
use crate::store::WatchEvent;
use serde_json::{Value, json};
use std::time::Duration;

/// The real controller's burst limit per sync.
const BURST: i64 = 500;

pub(super) struct ReplicaSets {
    api: Api,
    recorder: Recorder,
}

impl ReplicaSets {
    pub fn new(api: Api, recorder: Recorder) -> Self {
        ReplicaSets { api, recorder }
    }
}

impl Reconciler for ReplicaSets {
    type Key = (String, String);

    fn name(&self) -> &'static str {
        "replicaset-controller"
    }

    fn keys_for(&mut self, event: &WatchEvent, out: &mut Vec<Self::Key>) {
        workload_keys(event, ("apps", "replicasets", "ReplicaSet"), "pods", out);
    }

    fn all_keys(&mut self) -> Vec<Self::Key> {
        all_keys(&self.api, "apps", "replicasets")
    }

    fn reconcile(&mut self, key: &Self::Key) -> Result<Option<Duration>, ApiError> {
        let Some(rs) = self.api.get(&gr("apps", "replicasets"), &key.0, &key.1) else { return Ok(None) };
        if !is_deleting(&rs) {
            self.manage_replicas(&rs)?;
        }
        self.update_status(&rs)
    }
}

impl ReplicaSets {
    fn pods(&self, rs: &Value) -> Vec<Value> {
        self.api.owned(&gr("", "pods"), namespace(rs), uid(rs))
    }

    /// Creates or deletes pods so that `spec.replicas` are active.
    fn manage_replicas(&self, rs: &Value) -> Result<(), ApiError> {
        let pods_gr = gr("", "pods");
        let wanted = i(rs, "/spec/replicas").unwrap_or(1);
        let mut active: Vec<Value> = self.pods(rs).into_iter().filter(pod_is_active).collect();
        let diff = wanted - active.len() as i64;
        if diff > 0 {
            let template = rs.pointer("/spec/template").cloned().unwrap_or_else(|| json!({}));
            for _ in 0..diff.min(BURST) {
                let mut pod = pod_from_template(&template, namespace(rs), owner_ref(rs, "apps/v1", "ReplicaSet"));
                pod["metadata"]["generateName"] = json!(format!("{}-", name(rs)));
                match self.api.create(&pods_gr, namespace(rs), pod, CONTROLLER_MANAGER) {
                    Ok(created) => {
                        let message = format!("Created pod: {}", name(&created));
                        self.recorder.record(
                            rs,
                            EventType::Normal,
                            "SuccessfulCreate",
                            &message,
                            "replicaset-controller",
                        );
                    }
                    Err(err) => {
                        let message = format!("Error creating: {}", err.message);
                        self.recorder.record(rs, EventType::Warning, "FailedCreate", &message, "replicaset-controller");
                        return Err(err);
                    }
                }
            }
        } else if diff < 0 {
            // Delete the pods that matter least first: unscheduled, pending, not ready, newest.
            active.sort_by_key(|p| {
                (
                    !s(p, "/spec/nodeName").is_empty(),
                    s(p, "/status/phase") == "Running",
                    pod_is_ready(p),
                    std::cmp::Reverse(s(p, "/metadata/creationTimestamp").to_string()),
                )
            });
            for pod in active.iter().take((-diff) as usize) {
                self.api.delete(&pods_gr, namespace(pod), name(pod), Some(uid(pod)), None)?;
                let message = format!("Deleted pod: {}", name(pod));
                self.recorder.record(rs, EventType::Normal, "SuccessfulDelete", &message, "replicaset-controller");
            }
        }
        Ok(())
    }

    fn update_status(&self, rs: &Value) -> Result<Option<Duration>, ApiError> {
        let min_ready = i(rs, "/spec/minReadySeconds").unwrap_or(0);
        let template_labels = labels_at(rs, "/spec/template/metadata/labels");
        let active: Vec<Value> = self.pods(rs).into_iter().filter(pod_is_active).collect();
        let mut wait: Option<Duration> = None;
        let mut available = 0;
        for pod in &active {
            let (is_available, until) = pod_availability(pod, min_ready);
            available += i64::from(is_available);
            if let Some(until) = until {
                wait = Some(wait.map_or(until, |w| w.min(until)));
            }
        }
        let fully_labeled =
            active.iter().filter(|p| template_labels.iter().all(|(k, v)| labels(p).get(k) == Some(v))).count();
        let ready = active.iter().filter(|p| pod_is_ready(p)).count();
        let mut status = json!({"replicas": active.len()});
        for (field, value) in [
            ("fullyLabeledReplicas", fully_labeled as i64),
            ("readyReplicas", ready as i64),
            ("availableReplicas", available),
        ] {
            if value > 0 {
                status[field] = json!(value);
            }
        }
        status["observedGeneration"] = json!(generation(rs));
        self.api.modify_status(&gr("apps", "replicasets"), namespace(rs), name(rs), CONTROLLER_MANAGER, |current| {
            if current.get("status") == Some(&status) {
                return false;
            }
            current["status"] = status.clone();
            true
        })?;
        Ok(wait)
    }
}
