//! The ReplicaSet controller: keeps `spec.replicas` pods from the template alive and reports
//! how many exist, match the template labels, are ready and are available.

use super::client::{
    Api, CONTROLLER_MANAGER, Workload, count_available, generation, gr, i, is_deleting, labels, labels_at, name,
    namespace, owner_ref, pod_from_template, pod_is_active, pod_is_ready, s, uid,
};
use super::events::{EventType, Recorder};
use super::runtime::Reconciler;
use crate::error::ApiError;
use crate::store::WatchEvent;
use serde_json::{Value, json};
use std::time::Duration;

/// The real controller's burst limit per sync.
const BURST: i64 = 500;

const WORKLOAD: Workload =
    Workload { group: "apps", resource: "replicasets", kind: "ReplicaSet", owned: "pods", adopts: true };

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
        WORKLOAD.keys_for(&self.api, event, out);
    }

    fn all_keys(&mut self) -> Vec<Self::Key> {
        WORKLOAD.all_keys(&self.api)
    }

    fn reconcile(&mut self, key: &Self::Key) -> Result<Option<Duration>, ApiError> {
        // A ReplicaSet being deleted still reports its pods.
        let Some(rs) = self.api.get(&WORKLOAD.gr(), &key.0, &key.1) else { return Ok(None) };
        if !is_deleting(&rs) {
            let pods = self.api.claim(&WORKLOAD.owned_gr(), &rs, "apps/v1", "ReplicaSet")?;
            self.manage_replicas(&rs, pods)?;
        }
        self.update_status(&rs)
    }
}

impl ReplicaSets {
    /// Creates or deletes pods so that `spec.replicas` are active.
    fn manage_replicas(&self, rs: &Value, pods: Vec<Value>) -> Result<(), ApiError> {
        let pods_gr = gr("", "pods");
        let wanted = i(rs, "/spec/replicas").unwrap_or(1);
        let mut active: Vec<Value> = pods.into_iter().filter(pod_is_active).collect();
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
        // After manage_replicas: what it created and deleted counts at once.
        let pods = self.api.owned(&WORKLOAD.owned_gr(), namespace(rs), uid(rs));
        let active: Vec<Value> = pods.into_iter().filter(pod_is_active).collect();
        let (available, wait) = count_available(&active, min_ready);
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
        self.api.replace_status(&WORKLOAD.gr(), namespace(rs), name(rs), CONTROLLER_MANAGER, &status)?;
        Ok(wait)
    }
}
