//! Jobs and CronJobs.

use super::{cluster, has_condition};
use crate::resources::WriteOptions;
use serde_json::{Value, json};

fn job(name: &str, image: &str, backoff_limit: i64) -> Value {
    json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name},
        "spec": {
            "backoffLimit": backoff_limit,
            "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "work", "image": image}]}},
        },
    })
}

#[tokio::test]
async fn job_runs_to_completion() {
    let c = cluster();
    let created = c.create("batch", "jobs", "default", job("once", "busybox:1.36", 6));
    let uid = created["metadata"]["uid"].as_str().expect("uid");
    assert_eq!(created["spec"]["completions"], 1);
    assert_eq!(created["spec"]["parallelism"], 1);
    assert_eq!(created["spec"]["completionMode"], "NonIndexed");
    assert_eq!(created["spec"]["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"], uid);
    assert_eq!(created["spec"]["template"]["metadata"]["labels"]["job-name"], "once");
    let done = c
        .wait_for("job complete", |c| {
            c.get("batch", "jobs", "default", "once")
                .filter(|j| has_condition(j, "Complete", "True", "CompletionsReached"))
        })
        .await;
    assert!(has_condition(&done, "SuccessCriteriaMet", "True", "CompletionsReached"));
    assert_eq!(done["status"]["succeeded"], 1);
    assert!(done["status"]["startTime"].is_string() && done["status"]["completionTime"].is_string());
    assert!(done["status"].get("active").is_none());
    let pods = c.list("", "pods", "default");
    assert_eq!(pods.len(), 1);
    assert_eq!(pods[0]["status"]["phase"], "Succeeded");
    assert_eq!(pods[0]["status"]["containerStatuses"][0]["state"]["terminated"]["reason"], "Completed");

    let target = c.target("batch", "jobs", "default", "");
    let mut always = job("bad", "busybox", 6);
    always["spec"]["template"]["spec"]["restartPolicy"] = json!("Always");
    let err = c.state.create(&target, always, &WriteOptions::manager("test")).expect_err("restartPolicy Always");
    assert_eq!(err.code, 422);
}

#[tokio::test]
async fn failing_job_hits_the_backoff_limit() {
    let c = cluster();
    c.create("batch", "jobs", "default", job("doomed", "busybox:fail", 1));
    let failed = c
        .wait_for("job failed", |c| {
            c.get("batch", "jobs", "default", "doomed")
                .filter(|j| has_condition(j, "Failed", "True", "BackoffLimitExceeded"))
        })
        .await;
    assert_eq!(failed["status"]["failed"], 2);
    let pods = c.list("", "pods", "default");
    assert_eq!(pods.len(), 2);
    assert!(pods.iter().all(|p| p["status"]["phase"] == "Failed"));
}

#[tokio::test]
async fn on_failure_restarts_count_towards_the_backoff_limit_but_not_as_failed_pods() {
    let c = cluster();
    let mut body = job("flaky", "busybox:fail", 2);
    body["spec"]["template"]["spec"]["restartPolicy"] = json!("OnFailure");
    c.create("batch", "jobs", "default", body);
    let failed = c
        .wait_for("job failed", |c| {
            c.get("batch", "jobs", "default", "flaky")
                .filter(|j| has_condition(j, "Failed", "True", "BackoffLimitExceeded"))
        })
        .await;
    // Three restarts of one pod exceed the limit; the one pod, terminated, is the one failure.
    assert_eq!(failed["status"]["failed"], 1);
}

#[tokio::test]
async fn cron_job_schedules_a_job() {
    let c = cluster();
    let created = c.create(
        "batch",
        "cronjobs",
        "default",
        json!({
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": {"name": "tick"},
            "spec": {
                "schedule": "*/1 * * * *",
                "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "OnFailure", "containers": [{"name": "t", "image": "busybox:1.36"}]}}}},
            },
        }),
    );
    assert_eq!(created["spec"]["concurrencyPolicy"], "Allow");
    assert_eq!(created["spec"]["successfulJobsHistoryLimit"], 3);
    assert_eq!(created["spec"]["failedJobsHistoryLimit"], 1);
    assert_eq!(created["spec"]["suspend"], false);
    // Pretend the last run was three minutes ago: the most recent missed run starts now.
    let status_target = c.target("batch", "cronjobs", "default", "tick").with_subresource(Some("status"));
    let three_minutes_ago = crate::resources::rfc3339(chrono::Utc::now() - chrono::Duration::minutes(3));
    loop {
        let mut current = c.get("batch", "cronjobs", "default", "tick").expect("cron job");
        current["status"] = json!({"lastScheduleTime": three_minutes_ago});
        match c.state.update(&status_target, current, &WriteOptions::manager("test")) {
            Ok(_) => break,
            Err(err) if err.code == 409 => continue,
            Err(err) => panic!("{err}"),
        }
    }
    let job = c
        .wait_for("a job from the cron job", |c| {
            c.list("batch", "jobs", "default")
                .into_iter()
                .find(|j| j["metadata"]["ownerReferences"][0]["name"] == "tick")
        })
        .await;
    assert!(job["metadata"]["name"].as_str().is_some_and(|n| n.starts_with("tick-")));
    assert!(job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"].is_string());
    let cron_job = c
        .wait_for("last successful time", |c| {
            c.get("batch", "cronjobs", "default", "tick").filter(|cj| cj["status"]["lastSuccessfulTime"].is_string())
        })
        .await;
    assert_ne!(cron_job["status"]["lastScheduleTime"], json!(three_minutes_ago));
}
