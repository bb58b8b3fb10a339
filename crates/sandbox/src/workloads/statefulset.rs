//! The StatefulSet controller: pods `<name>-0..n` with stable names, created in order and each
//! only once the previous ones are Running and Ready (OrderedReady) or all at once (Parallel),
//! removed from the highest ordinal down; PVCs from `volumeClaimTemplates`; rolling updates from
//! the highest ordinal down to `partition`, one pod at a time; ControllerRevisions for history.

use super::client::{
    Api, CONTROLLER_MANAGER, Workload, count_available, generation, gr, i, is_deleting, name, namespace, owner_ref,
    pod_from_template, pod_is_ready, s, set_meta_entry, uid,
};
use super::events::{EventType, Recorder};
use super::revision;
use super::runtime::Reconciler;
use crate::error::ApiError;
use crate::store::WatchEvent;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

const COMPONENT: &str = "statefulset-controller";
const REVISION_LABEL: &str = "controller-revision-hash";

const WORKLOAD: Workload =
    Workload { group: "apps", resource: "statefulsets", kind: "StatefulSet", owned: "pods", adopts: true };

pub(super) struct StatefulSets {
    api: Api,
    recorder: Recorder,
}

impl StatefulSets {
    pub fn new(api: Api, recorder: Recorder) -> Self {
        StatefulSets { api, recorder }
    }
}

impl Reconciler for StatefulSets {
    type Key = (String, String);

    fn name(&self) -> &'static str {
        COMPONENT
    }

    fn keys_for(&mut self, event: &WatchEvent, out: &mut Vec<Self::Key>) {
        WORKLOAD.keys_for(&self.api, event, out);
    }

    fn all_keys(&mut self) -> Vec<Self::Key> {
        WORKLOAD.all_keys(&self.api)
    }

    fn reconcile(&mut self, key: &Self::Key) -> Result<Option<Duration>, ApiError> {
        let Some(set) = WORKLOAD.get_live(&self.api, key) else { return Ok(None) };
        // Listed once; what this sync creates or deletes shows in the status on the next one
        // (every such change is an event of an owned pod, which brings the set back).
        let pods = self.pods(&set)?;
        let in_use: Vec<String> = pods.values().map(|p| revision_of(p).to_string()).collect();
        // The pods' label is the revision's name, `<set>-<hash>`.
        let update_revision = format!("{}-{}", name(&set), revision::ensure(&self.api, &set, "StatefulSet", &in_use)?);
        self.manage(&set, &pods, &update_revision)?;
        self.update_status(&set, &pods, &update_revision)
    }
}

fn revision_of(pod: &Value) -> &str {
    s(pod, &format!("/metadata/labels/{REVISION_LABEL}"))
}

impl StatefulSets {
    /// The set's pods by ordinal.
    fn pods(&self, set: &Value) -> Result<BTreeMap<i64, Value>, ApiError> {
        let prefix = format!("{}-", name(set));
        let claimed = self.api.claim(&WORKLOAD.owned_gr(), set, "apps/v1", "StatefulSet")?;
        Ok(claimed
            .into_iter()
            .filter_map(|p| Some((name(&p).strip_prefix(&prefix)?.parse::<i64>().ok()?, p)))
            .collect())
    }

    fn manage(&self, set: &Value, pods: &BTreeMap<i64, Value>, update_revision: &str) -> Result<(), ApiError> {
        let replicas = i(set, "/spec/replicas").unwrap_or(1);
        let ordered = s(set, "/spec/podManagementPolicy") != "Parallel";
        // Failed pods are replaced, as the real controller does.
        for pod in pods.values().filter(|p| matches!(s(p, "/status/phase"), "Failed" | "Succeeded")) {
            if !is_deleting(pod) {
                self.delete_pod(set, pod)?;
            }
        }
        for ordinal in 0..replicas {
            match pods.get(&ordinal) {
                None => {
                    self.create_pod(set, ordinal, update_revision)?;
                    if ordered {
                        return Ok(());
                    }
                }
                Some(pod) if ordered && (!pod_is_ready(pod) || s(pod, "/status/phase") != "Running") => return Ok(()),
                Some(_) => {}
            }
        }
        let mut extra: Vec<&Value> = pods.range(replicas..).map(|(_, p)| p).filter(|p| !is_deleting(p)).collect();
        extra.reverse();
        for pod in extra {
            self.delete_pod(set, pod)?;
            if ordered {
                return Ok(());
            }
        }
        if s(set, "/spec/updateStrategy/type") == "OnDelete" {
            return Ok(());
        }
        // Rolling update: highest ordinal first, one pod at a time, only when all are ready.
        if pods.len() as i64 != replicas || !pods.values().all(pod_is_ready) {
            return Ok(());
        }
        let partition = i(set, "/spec/updateStrategy/rollingUpdate/partition").unwrap_or(0);
        if let Some((_, stale)) = pods.range(partition..replicas).rev().find(|(_, p)| revision_of(p) != update_revision)
        {
            self.delete_pod(set, stale)?;
        }
        Ok(())
    }

    fn create_pod(&self, set: &Value, ordinal: i64, revision: &str) -> Result<(), ApiError> {
        let template = set.pointer("/spec/template").cloned().unwrap_or_else(|| json!({}));
        let pod_name = format!("{}-{ordinal}", name(set));
        let mut pod = pod_from_template(&template, namespace(set), owner_ref(set, "apps/v1", "StatefulSet"));
        pod["metadata"]["name"] = json!(pod_name);
        set_meta_entry(&mut pod, "labels", REVISION_LABEL, revision);
        set_meta_entry(&mut pod, "labels", "statefulset.kubernetes.io/pod-name", pod_name.as_str());
        set_meta_entry(&mut pod, "labels", "apps.kubernetes.io/pod-index", ordinal.to_string());
        pod["spec"]["hostname"] = json!(pod_name);
        if let Some(service) = set.pointer("/spec/serviceName").and_then(Value::as_str).filter(|s| !s.is_empty()) {
            pod["spec"]["subdomain"] = json!(service);
        }
        for claim in set.pointer("/spec/volumeClaimTemplates").and_then(Value::as_array).into_iter().flatten() {
            let claim_name = format!("{}-{pod_name}", s(claim, "/metadata/name"));
            self.ensure_claim(set, claim, &claim_name)?;
            if !pod["spec"]["volumes"].is_array() {
                pod["spec"]["volumes"] = json!([]);
            }
            if let Some(volumes) = pod["spec"]["volumes"].as_array_mut() {
                volumes.retain(|v| v.get("name") != claim.pointer("/metadata/name"));
                volumes.push(
                    json!({"name": s(claim, "/metadata/name"), "persistentVolumeClaim": {"claimName": claim_name}}),
                );
            }
        }
        if let Err(err) = self.api.create(&WORKLOAD.owned_gr(), namespace(set), pod, CONTROLLER_MANAGER) {
            // For instance a pod of that name that the set does not own.
            let message = format!("create Pod {pod_name} in StatefulSet {} failed error: {}", name(set), err.message);
            self.recorder.record(set, EventType::Warning, "FailedCreate", &message, COMPONENT);
            return Err(err);
        }
        let message = format!("create Pod {pod_name} in StatefulSet {} successful", name(set));
        self.recorder.record(set, EventType::Normal, "SuccessfulCreate", &message, COMPONENT);
        Ok(())
    }

    /// A PVC from a claim template (the binder binds it: there is no storage to provision).
    fn ensure_claim(&self, set: &Value, claim: &Value, claim_name: &str) -> Result<(), ApiError> {
        let claims = gr("", "persistentvolumeclaims");
        if self.api.get(&claims, namespace(set), claim_name).is_some() {
            return Ok(());
        }
        let mut labels = set.pointer("/spec/selector/matchLabels").cloned().unwrap_or_else(|| json!({}));
        if let Some(extra) = claim.pointer("/metadata/labels").and_then(Value::as_object) {
            for (k, v) in extra {
                labels[k] = v.clone();
            }
        }
        let body = json!({
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": claim_name, "namespace": namespace(set), "labels": labels},
            "spec": claim.get("spec").cloned().unwrap_or_else(|| json!({})),
        });
        match self.api.create(&claims, namespace(set), body, CONTROLLER_MANAGER) {
            // The binder marks it Bound.
            Ok(_) => Ok(()),
            Err(err) if err.code == 409 => Ok(()),
            Err(err) => Err(err),
        }
    }

    fn delete_pod(&self, set: &Value, pod: &Value) -> Result<(), ApiError> {
        self.api.delete(&gr("", "pods"), namespace(pod), name(pod), Some(uid(pod)), None)?;
        let message = format!("delete Pod {} in StatefulSet {} successful", name(pod), name(set));
        self.recorder.record(set, EventType::Normal, "SuccessfulDelete", &message, COMPONENT);
        Ok(())
    }

    fn update_status(
        &self,
        set: &Value,
        pods: &BTreeMap<i64, Value>,
        update_revision: &str,
    ) -> Result<Option<Duration>, ApiError> {
        let min_ready = i(set, "/spec/minReadySeconds").unwrap_or(0);
        let replicas = i(set, "/spec/replicas").unwrap_or(1);
        let pods: Vec<&Value> = pods.values().filter(|p| !is_deleting(p)).collect();
        let previous_current = s(set, "/status/currentRevision").to_string();
        let updated = pods.iter().filter(|p| revision_of(p) == update_revision).count() as i64;
        let ready = pods.iter().filter(|p| pod_is_ready(p)).count() as i64;
        let (available, wait) = count_available(pods.iter().copied(), min_ready);
        // The update is complete once every pod runs the new revision and is ready.
        let current_revision = if previous_current.is_empty() || (updated == replicas && ready == replicas) {
            update_revision.to_string()
        } else {
            previous_current
        };
        let current = pods.iter().filter(|p| revision_of(p) == current_revision).count() as i64;
        let mut status = json!({
            "observedGeneration": generation(set),
            "replicas": pods.len(),
            "availableReplicas": available,
            "currentRevision": current_revision,
            "updateRevision": update_revision,
            "collisionCount": 0,
        });
        for (field, value) in [("readyReplicas", ready), ("currentReplicas", current), ("updatedReplicas", updated)] {
            if value > 0 {
                status[field] = json!(value);
            }
        }
        self.api.replace_status(&WORKLOAD.gr(), namespace(set), name(set), CONTROLLER_MANAGER, &status)?;
        Ok(wait)
    }
}
