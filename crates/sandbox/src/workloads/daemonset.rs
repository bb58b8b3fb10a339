//! The DaemonSet controller for the single node `sandbox`: one pod when the node matches the
//! pod template's `nodeSelector`, replaced when the template changes (RollingUpdate), status as
//! `kubectl rollout status` and helm read it.

use super::client::{
    Api, CONTROLLER_MANAGER, Workload, count_available, generation, gr, i, is_deleting, labels, labels_at, name,
    namespace, owner_ref, pod_from_template, pod_is_active, pod_is_ready, s, set_meta_entry, uid,
};
use super::events::{EventType, Recorder};
use super::revision;
use super::runtime::Reconciler;
use crate::error::ApiError;
use crate::store::WatchEvent;
use serde_json::{Value, json};
use std::time::Duration;

const COMPONENT: &str = "daemonset-controller";
const NODE: &str = "sandbox";

const WORKLOAD: Workload =
    Workload { group: "apps", resource: "daemonsets", kind: "DaemonSet", owned: "pods", adopts: true };

pub(super) struct DaemonSets {
    api: Api,
    recorder: Recorder,
}

impl DaemonSets {
    pub fn new(api: Api, recorder: Recorder) -> Self {
        DaemonSets { api, recorder }
    }
}

impl Reconciler for DaemonSets {
    type Key = (String, String);

    fn name(&self) -> &'static str {
        COMPONENT
    }

    fn keys_for(&mut self, event: &WatchEvent, out: &mut Vec<Self::Key>) {
        // Node labels decide where daemons run.
        if (event.gr.group.as_str(), event.gr.resource.as_str()) == ("", "nodes") {
            out.extend(self.all_keys());
        }
        WORKLOAD.keys_for(&self.api, event, out);
    }

    fn all_keys(&mut self) -> Vec<Self::Key> {
        WORKLOAD.all_keys(&self.api)
    }

    fn reconcile(&mut self, key: &Self::Key) -> Result<Option<Duration>, ApiError> {
        let Some(set) = WORKLOAD.get_live(&self.api, key) else { return Ok(None) };
        // Listed once; what this sync changes shows in the status on the next one.
        let pods = self.api.claim(&WORKLOAD.owned_gr(), &set, "apps/v1", "DaemonSet")?;
        let in_use: Vec<String> = pods.iter().map(|p| format!("{}-{}", name(&set), hash_of(p))).collect();
        // The pods' label is the hash alone.
        let hash = revision::ensure(&self.api, &set, "DaemonSet", &in_use)?;
        let wanted = self.node_matches(&set);
        self.manage(&set, &pods, wanted, &hash)?;
        self.update_status(&set, &pods, wanted, &hash)
    }
}

fn hash_of(pod: &Value) -> &str {
    s(pod, "/metadata/labels/controller-revision-hash")
}

impl DaemonSets {
    fn node_matches(&self, set: &Value) -> bool {
        let Some(node) = self.api.get(&gr("", "nodes"), "", NODE) else { return false };
        let node_labels = labels(&node);
        labels_at(set, "/spec/template/spec/nodeSelector").iter().all(|(k, v)| node_labels.get(k) == Some(v))
    }

    fn manage(&self, set: &Value, pods: &[Value], wanted: bool, hash: &str) -> Result<(), ApiError> {
        let mut active: Vec<&Value> = Vec::new();
        for pod in pods.iter().filter(|p| !is_deleting(p)) {
            // Finished daemon pods are replaced.
            if !pod_is_active(pod) {
                self.delete_pod(set, pod)?;
            } else {
                active.push(pod);
            }
        }
        if !wanted {
            for pod in active {
                self.delete_pod(set, pod)?;
            }
            return Ok(());
        }
        for extra in active.iter().skip(1) {
            self.delete_pod(set, extra)?;
        }
        match active.first() {
            None => self.create_pod(set, hash),
            Some(pod) if hash_of(pod) != hash && s(set, "/spec/updateStrategy/type") != "OnDelete" => {
                // maxUnavailable 1 on one node: the old pod goes, the new one follows.
                self.delete_pod(set, pod)
            }
            Some(_) => Ok(()),
        }
    }

    fn create_pod(&self, set: &Value, hash: &str) -> Result<(), ApiError> {
        let template = set.pointer("/spec/template").cloned().unwrap_or_else(|| json!({}));
        let mut pod = pod_from_template(&template, namespace(set), owner_ref(set, "apps/v1", "DaemonSet"));
        pod["metadata"]["generateName"] = json!(format!("{}-", name(set)));
        set_meta_entry(&mut pod, "labels", "controller-revision-hash", hash);
        set_meta_entry(&mut pod, "labels", "pod-template-generation", generation(set).to_string());
        // The real controller pins daemon pods to their node with a required node affinity.
        pod["spec"]["affinity"] = json!({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [NODE]}]}]
        }}});
        let created = self.api.create(&gr("", "pods"), namespace(set), pod, CONTROLLER_MANAGER)?;
        let message = format!("Created pod: {}", name(&created));
        self.recorder.record(set, EventType::Normal, "SuccessfulCreate", &message, COMPONENT);
        Ok(())
    }

    fn delete_pod(&self, set: &Value, pod: &Value) -> Result<(), ApiError> {
        self.api.delete(&gr("", "pods"), namespace(pod), name(pod), Some(uid(pod)), None)?;
        let message = format!("Deleted pod: {}", name(pod));
        self.recorder.record(set, EventType::Normal, "SuccessfulDelete", &message, COMPONENT);
        Ok(())
    }

    fn update_status(
        &self,
        set: &Value,
        pods: &[Value],
        wanted: bool,
        hash: &str,
    ) -> Result<Option<Duration>, ApiError> {
        let pods: Vec<&Value> = pods.iter().filter(|p| pod_is_active(p)).collect();
        let min_ready = i(set, "/spec/minReadySeconds").unwrap_or(0);
        let desired = i64::from(wanted);
        let scheduled = pods.len().min(1) as i64;
        let ready = pods.iter().filter(|p| pod_is_ready(p)).count().min(1) as i64;
        let (available, wait) = count_available(pods.iter().copied().take(1), min_ready);
        let updated = pods.iter().filter(|p| hash_of(p) == hash).count().min(1) as i64;
        let mut status = json!({
            "currentNumberScheduled": scheduled,
            "numberMisscheduled": 0,
            "desiredNumberScheduled": desired,
            "numberReady": ready,
            "observedGeneration": generation(set),
        });
        for (field, value) in [
            ("updatedNumberScheduled", updated),
            ("numberAvailable", available),
            ("numberUnavailable", desired - available),
        ] {
            if value > 0 {
                status[field] = json!(value);
            }
        }
        self.api.replace_status(&WORKLOAD.gr(), namespace(set), name(set), CONTROLLER_MANAGER, &status)?;
        Ok(wait)
    }
}
