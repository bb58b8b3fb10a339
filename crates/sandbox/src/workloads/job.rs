//! The Job controller: runs `parallelism` pods at a time until `completions` succeeded (Complete,
//! with SuccessCriteriaMet first, as 1.31+ does) or more than `backoffLimit` failed (Failed,
//! BackoffLimitExceeded); `activeDeadlineSeconds`, `suspend`, Indexed completion mode and
//! `ttlSecondsAfterFinished` (the TTL-after-finished controller's job) included.

use super::client::{
    Api, CONTROLLER_MANAGER, Workload, condition_true, gr, i, name, namespace, now, owner_ref, pod_from_template,
    pod_is_active, pod_is_ready, s, seconds_since, set_condition, set_meta_entry, uid,
};
use super::events::{EventType, Recorder};
use super::runtime::Reconciler;
use crate::error::ApiError;
use crate::resources::Propagation;
use crate::store::WatchEvent;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;

const COMPONENT: &str = "job-controller";
const INDEX: &str = "batch.kubernetes.io/job-completion-index";

const WORKLOAD: Workload = Workload { group: "batch", resource: "jobs", kind: "Job", owned: "pods", adopts: true };

pub(super) struct Jobs {
    api: Api,
    recorder: Recorder,
}

impl Jobs {
    pub fn new(api: Api, recorder: Recorder) -> Self {
        Jobs { api, recorder }
    }
}

impl Reconciler for Jobs {
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
        let Some(job) = WORKLOAD.get_live(&self.api, key) else { return Ok(None) };
        if condition_true(&job, "Complete") || condition_true(&job, "Failed") {
            return self.expire(&job);
        }
        self.sync(&job)
    }
}

fn index_of(pod: &Value) -> Option<i64> {
    s(pod, &format!("/metadata/annotations/{}", INDEX.replace('/', "~1"))).parse().ok()
}

impl Jobs {
    /// Deletes a finished Job once `ttlSecondsAfterFinished` has passed.
    fn expire(&self, job: &Value) -> Result<Option<Duration>, ApiError> {
        let Some(ttl) = i(job, "/spec/ttlSecondsAfterFinished") else { return Ok(None) };
        let finished = match s(job, "/status/completionTime") {
            "" => job
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .and_then(|c| c.iter().find(|c| s(c, "/type") == "Failed"))
                .map(|c| s(c, "/lastTransitionTime").to_string())
                .unwrap_or_default(),
            done => done.to_string(),
        };
        let elapsed = seconds_since(&finished).unwrap_or(ttl);
        if elapsed < ttl {
            return Ok(Some(Duration::from_secs((ttl - elapsed).max(1) as u64)));
        }
        self.api.delete(&WORKLOAD.gr(), namespace(job), name(job), Some(uid(job)), Some(Propagation::Foreground))?;
        Ok(None)
    }

    fn sync(&self, job: &Value) -> Result<Option<Duration>, ApiError> {
        let pods_gr = gr("", "pods");
        let pods = self.api.claim(&pods_gr, job, "batch/v1", "Job")?;
        let active: Vec<&Value> = pods.iter().filter(|p| pod_is_active(p)).collect();
        let indexed = s(job, "/spec/completionMode") == "Indexed";
        let succeeded_indexes: BTreeSet<i64> =
            pods.iter().filter(|p| s(p, "/status/phase") == "Succeeded").filter_map(index_of).collect();
        let succeeded = if indexed {
            succeeded_indexes.len() as i64
        } else {
            pods.iter().filter(|p| s(p, "/status/phase") == "Succeeded").count() as i64
        };
        // `status.failed` counts failed pods; with restartPolicy OnFailure, container restarts
        // count towards the backoff limit as well.
        let restarts: i64 = active
            .iter()
            .flat_map(|p| p.pointer("/status/containerStatuses").and_then(Value::as_array).into_iter().flatten())
            .filter_map(|c| i(c, "/restartCount"))
            .sum();
        let mut failed = pods.iter().filter(|p| s(p, "/status/phase") == "Failed").count() as i64;
        let parallelism = i(job, "/spec/parallelism").unwrap_or(1);
        let completions = i(job, "/spec/completions");
        let backoff_limit = i(job, "/spec/backoffLimit").unwrap_or(6);
        let suspended = job.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true);
        let mut status = job.get("status").cloned().unwrap_or_else(|| json!({}));
        if !status.is_object() {
            status = json!({});
        }
        let at = now();
        let condition = |kind: &str, reason: &str, message: &str| json!({"type": kind, "status": "True", "reason": reason, "message": message, "lastProbeTime": at, "lastTransitionTime": at});
        let mut wait = None;
        let done = match completions {
            Some(n) => succeeded >= n,
            // Work-queue Jobs finish when one pod succeeded and none is left running.
            None => succeeded > 0 && active.is_empty(),
        };
        let deadline_passed = i(job, "/spec/activeDeadlineSeconds").is_some_and(|limit| {
            let started = seconds_since(s(job, "/status/startTime")).unwrap_or(0);
            if started < limit {
                wait = Some(Duration::from_secs((limit - started).max(1) as u64));
            }
            !s(job, "/status/startTime").is_empty() && started >= limit
        });
        let mut active_count = active.len() as i64;
        if suspended {
            for pod in &active {
                self.api.delete(&pods_gr, namespace(pod), name(pod), Some(uid(pod)), None)?;
            }
            active_count = 0;
            set_condition(&mut status, condition("Suspended", "JobSuspended", "Job suspended"));
        } else if done {
            let message = "Reached expected number of succeeded pods";
            set_condition(&mut status, condition("SuccessCriteriaMet", "CompletionsReached", message));
            set_condition(&mut status, condition("Complete", "CompletionsReached", message));
            status["completionTime"] = json!(at);
            self.recorder.record(job, EventType::Normal, "Completed", "Job completed", COMPONENT);
        } else if failed + restarts > backoff_limit || deadline_passed {
            let (reason, message) = if deadline_passed {
                ("DeadlineExceeded", "Job was active longer than specified deadline")
            } else {
                ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
            };
            for pod in &active {
                self.api.delete(&pods_gr, namespace(pod), name(pod), Some(uid(pod)), None)?;
            }
            // The pods terminated because the Job failed count as failed, as in the real controller.
            failed += active_count;
            active_count = 0;
            set_condition(&mut status, condition("FailureTarget", reason, message));
            set_condition(&mut status, condition("Failed", reason, message));
            self.recorder.record(job, EventType::Warning, reason, message, COMPONENT);
        } else {
            if let Some(list) = status.get_mut("conditions").and_then(Value::as_array_mut) {
                list.retain(|c| s(c, "/type") != "Suspended");
            }
            if s(&status, "/startTime").is_empty() {
                status["startTime"] = json!(at);
            }
            let remaining = completions.map_or(parallelism, |n| (n - succeeded).min(parallelism));
            let to_create = remaining - active_count;
            if to_create > 0 {
                let running: BTreeSet<i64> = active.iter().filter_map(|p| index_of(p)).collect();
                let mut free = (0..completions.unwrap_or(parallelism))
                    .filter(|n| !succeeded_indexes.contains(n) && !running.contains(n));
                for _ in 0..to_create {
                    let index = if indexed { free.next() } else { None };
                    if indexed && index.is_none() {
                        break;
                    }
                    self.create_pod(job, index)?;
                    active_count += 1;
                }
            }
        }
        status["active"] = json!(active_count);
        status["ready"] = json!(active.iter().filter(|p| pod_is_ready(p)).count());
        status["terminating"] = json!(0);
        status["uncountedTerminatedPods"] = json!({});
        for (field, value) in [("succeeded", succeeded), ("failed", failed)] {
            if value > 0 {
                status[field] = json!(value);
            }
        }
        if indexed && !succeeded_indexes.is_empty() {
            let list: Vec<String> = succeeded_indexes.iter().map(i64::to_string).collect();
            status["completedIndexes"] = json!(list.join(","));
        }
        if active_count == 0
            && let Some(map) = status.as_object_mut()
        {
            map.remove("active");
        }
        self.api.replace_status(&WORKLOAD.gr(), namespace(job), name(job), CONTROLLER_MANAGER, &status)?;
        Ok(wait)
    }

    fn create_pod(&self, job: &Value, index: Option<i64>) -> Result<(), ApiError> {
        let template = job.pointer("/spec/template").cloned().unwrap_or_else(|| json!({}));
        let mut pod = pod_from_template(&template, namespace(job), owner_ref(job, "batch/v1", "Job"));
        match index {
            Some(n) => {
                pod["metadata"]["generateName"] = json!(format!("{}-{n}-", name(job)));
                set_meta_entry(&mut pod, "annotations", INDEX, n.to_string());
                set_meta_entry(&mut pod, "labels", INDEX, n.to_string());
                pod["spec"]["hostname"] = json!(format!("{}-{n}", name(job)));
            }
            None => pod["metadata"]["generateName"] = json!(format!("{}-", name(job))),
        }
        let created = self.api.create(&gr("", "pods"), namespace(job), pod, CONTROLLER_MANAGER)?;
        let message = format!("Created pod: {}", name(&created));
        self.recorder.record(job, EventType::Normal, "SuccessfulCreate", &message, COMPONENT);
        Ok(())
    }
}
