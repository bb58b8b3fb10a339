//! The CronJob controller: creates a Job (`<name>-<minutes since epoch>`) at each scheduled time
//! (only the most recent of several missed ones, within `startingDeadlineSeconds`), honours
//! `concurrencyPolicy` and `suspend`, tracks `status.active`, `lastScheduleTime` and
//! `lastSuccessfulTime`, and keeps only the configured number of finished Jobs. Schedules are
//! evaluated in UTC (`spec.timeZone` other than UTC is not modelled).

use super::client::{
    Api, CONTROLLER_MANAGER, Workload, condition_true, i, is_deleting, name, namespace, owner_ref, s, set_meta_entry,
    uid,
};
use super::cron::Schedule;
use super::events::{EventType, Recorder};
use super::runtime::Reconciler;
use crate::error::ApiError;
use crate::resources::{Propagation, rfc3339};
use crate::store::WatchEvent;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::time::Duration;

const COMPONENT: &str = "cronjob-controller";

/// The CronJob controller does not adopt orphaned Jobs.
const WORKLOAD: Workload =
    Workload { group: "batch", resource: "cronjobs", kind: "CronJob", owned: "jobs", adopts: false };

pub(super) struct CronJobs {
    api: Api,
    recorder: Recorder,
}

impl CronJobs {
    pub fn new(api: Api, recorder: Recorder) -> Self {
        CronJobs { api, recorder }
    }
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

fn finished(job: &Value) -> Option<bool> {
    if condition_true(job, "Complete") {
        Some(true)
    } else if condition_true(job, "Failed") {
        Some(false)
    } else {
        None
    }
}

impl Reconciler for CronJobs {
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
        let Some(cron_job) = WORKLOAD.get_live(&self.api, key) else { return Ok(None) };
        let schedule = match Schedule::parse(s(&cron_job, "/spec/schedule")) {
            Ok(schedule) => schedule,
            Err(err) => {
                let message = format!("unparseable schedule: {err}");
                self.recorder.record(&cron_job, EventType::Warning, "UnparseableSchedule", &message, COMPONENT);
                return Ok(None);
            }
        };
        let jobs_gr = WORKLOAD.owned_gr();
        let mut jobs = self.api.owned(&jobs_gr, namespace(&cron_job), uid(&cron_job));
        jobs.sort_by_key(|j| s(j, "/metadata/creationTimestamp").to_string());
        self.cleanup(&cron_job, &jobs)?;
        let mut active: Vec<Value> =
            jobs.iter().filter(|j| finished(j).is_none() && !is_deleting(j)).cloned().collect();
        let last_success = jobs
            .iter()
            .filter(|j| finished(j) == Some(true))
            .map(|j| s(j, "/status/completionTime").to_string())
            .chain(std::iter::once(s(&cron_job, "/status/lastSuccessfulTime").to_string()))
            .filter(|t| !t.is_empty())
            .max();
        let mut last_schedule = s(&cron_job, "/status/lastScheduleTime").to_string();
        let now = Utc::now();
        let suspended = cron_job.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true);
        let earliest = parse_time(&last_schedule)
            .or_else(|| parse_time(s(&cron_job, "/metadata/creationTimestamp")))
            .unwrap_or(now);
        let due = if suspended { None } else { schedule.last_between(earliest, now) };
        if let Some(at) = due {
            let too_late = i(&cron_job, "/spec/startingDeadlineSeconds")
                .is_some_and(|limit| now.signed_duration_since(at).num_seconds() > limit);
            let policy = s(&cron_job, "/spec/concurrencyPolicy");
            if too_late {
                let message = format!("Missed scheduled time to start a job: {}", rfc3339(at));
                self.recorder.record(&cron_job, EventType::Warning, "MissSchedule", &message, COMPONENT);
                last_schedule = rfc3339(at);
            } else if policy == "Forbid" && !active.is_empty() {
                let message = "Not starting job because prior execution is running and concurrency policy is Forbid";
                self.recorder.record(&cron_job, EventType::Normal, "JobAlreadyActive", message, COMPONENT);
            } else {
                if policy == "Replace" {
                    for job in active.drain(..) {
                        self.api.delete(
                            &jobs_gr,
                            namespace(&job),
                            name(&job),
                            Some(uid(&job)),
                            Some(Propagation::Background),
                        )?;
                        let message = format!("Deleted job {}", name(&job));
                        self.recorder.record(&cron_job, EventType::Normal, "SuccessfulDelete", &message, COMPONENT);
                    }
                }
                if let Some(job) = self.create_job(&cron_job, at)? {
                    active.push(job);
                }
                last_schedule = rfc3339(at);
            }
        }
        let references: Vec<Value> = active
            .iter()
            .map(|j| json!({"apiVersion": "batch/v1", "kind": "Job", "name": name(j), "namespace": namespace(j), "uid": uid(j), "resourceVersion": s(j, "/metadata/resourceVersion")}))
            .collect();
        let mut status = json!({});
        if !references.is_empty() {
            status["active"] = json!(references);
        }
        if !last_schedule.is_empty() {
            status["lastScheduleTime"] = json!(last_schedule);
        }
        if let Some(success) = last_success {
            status["lastSuccessfulTime"] = json!(success);
        }
        self.api.replace_status(&WORKLOAD.gr(), namespace(&cron_job), name(&cron_job), CONTROLLER_MANAGER, &status)?;
        let next = schedule.next_after(Utc::now()).map(|t| (t - Utc::now()).to_std().unwrap_or_default());
        Ok(next.map(|d| d + Duration::from_millis(10)))
    }
}

impl CronJobs {
    fn create_job(&self, cron_job: &Value, at: DateTime<Utc>) -> Result<Option<Value>, ApiError> {
        let job_name = format!("{}-{}", name(cron_job), at.timestamp() / 60);
        let jobs_gr = WORKLOAD.owned_gr();
        if self.api.get(&jobs_gr, namespace(cron_job), &job_name).is_some() {
            return Ok(None);
        }
        let template = cron_job.pointer("/spec/jobTemplate").cloned().unwrap_or_else(|| json!({}));
        let mut metadata = template.get("metadata").cloned().filter(Value::is_object).unwrap_or_else(|| json!({}));
        metadata["name"] = json!(job_name);
        metadata["namespace"] = json!(namespace(cron_job));
        metadata["ownerReferences"] = json!([owner_ref(cron_job, "batch/v1", "CronJob")]);
        let mut body = json!({
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": metadata,
            "spec": template.get("spec").cloned().unwrap_or_else(|| json!({})),
        });
        set_meta_entry(&mut body, "annotations", "batch.kubernetes.io/cronjob-scheduled-timestamp", rfc3339(at));
        match self.api.create(&jobs_gr, namespace(cron_job), body, CONTROLLER_MANAGER) {
            Ok(job) => {
                let message = format!("Created job {job_name}");
                self.recorder.record(cron_job, EventType::Normal, "SuccessfulCreate", &message, COMPONENT);
                Ok(Some(job))
            }
            Err(err) => {
                let message = format!("Error creating job: {}", err.message);
                self.recorder.record(cron_job, EventType::Warning, "FailedCreate", &message, COMPONENT);
                Err(err)
            }
        }
    }

    /// Keeps the newest `successfulJobsHistoryLimit` / `failedJobsHistoryLimit` finished Jobs.
    fn cleanup(&self, cron_job: &Value, jobs: &[Value]) -> Result<(), ApiError> {
        for (outcome, field, default) in [(true, "successfulJobsHistoryLimit", 3), (false, "failedJobsHistoryLimit", 1)]
        {
            let limit = i(cron_job, &format!("/spec/{field}")).unwrap_or(default).max(0) as usize;
            let done: Vec<&Value> = jobs.iter().filter(|j| finished(j) == Some(outcome) && !is_deleting(j)).collect();
            for job in done.iter().take(done.len().saturating_sub(limit)) {
                self.api.delete(
                    &WORKLOAD.owned_gr(),
                    namespace(job),
                    name(job),
                    Some(uid(job)),
                    Some(Propagation::Background),
                )?;
                let message = format!("Deleted job {}", name(job));
                self.recorder.record(cron_job, EventType::Normal, "SuccessfulDelete", &message, COMPONENT);
            }
        }
        Ok(())
    }
}
