//! The scheduler and kubelet of the single node `sandbox`: every pod is bound to the node, gets
//! an IP, and after `pod_ready_delay` its containers run and it turns Ready. Pods whose restart
//! policy is `Never` or `OnFailure` run to completion after another `pod_ready_delay`.
//!
//! A container fails when its image name contains `fail`, or every container of a pod fails
//! when the pod carries the annotation `sandbox.fluxtui.io/fail: "true"` (set it on a workload's
//! pod template to make all its pods fail). Failing containers crash-loop (`CrashLoopBackOff`,
//! exit code 1, `restartCount` growing with a doubling back-off starting at `pod_ready_delay`)
//! unless the restart policy is `Never`, in which case the pod ends `Failed`.

use super::client::{Api, KUBELET, condition, fnv32a, gr, i, is_deleting, name, namespace, now, s, uid};
use super::events::{EventType, Recorder};
use super::runtime::Reconciler;
use crate::error::ApiError;
use crate::store::{EventType as Change, WatchEvent};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;
use tokio::time::Instant;

/// The annotation that makes every container of a pod fail.
pub const FAIL_ANNOTATION: &str = "sandbox.fluxtui.io/fail";

/// What the kubelet remembers about a pod between reconciles (the rest is in its status).
struct Track {
    uid: String,
    /// Last state seen, so a deleted pod can still get its `Killing` events.
    pod: Value,
    ip: String,
    scheduled: Instant,
    started: Option<Instant>,
    /// `status.startTime` and the containers' `startedAt`, as written.
    start_time: String,
    running_at: String,
    /// Next restart of a crash-looping pod, with the number of restarts so far.
    crash: Option<(Instant, i64)>,
}

pub(super) struct Kubelet {
    api: Api,
    recorder: Recorder,
    delay: Duration,
    tracks: HashMap<(String, String), Track>,
    next_ip: u32,
}

impl Kubelet {
    pub fn new(api: Api, recorder: Recorder) -> Self {
        let delay = api.state.config.pod_ready_delay;
        Kubelet { api, recorder, delay, tracks: HashMap::new(), next_ip: 0 }
    }

    fn allocate_ip(&mut self) -> String {
        let n = self.next_ip;
        self.next_ip = self.next_ip.wrapping_add(1);
        format!("10.244.{}.{}", (n / 250) % 256, n % 250 + 2)
    }

    /// Crash-loop back-off: `delay`, doubling per restart, capped at 32 times `delay` (the real
    /// kubelet's 10s..5m, scaled to the sandbox's pace).
    fn backoff(&self, restarts: i64) -> Duration {
        let base = self.delay.max(Duration::from_millis(50));
        base * 2u32.pow(restarts.clamp(0, 5) as u32)
    }
}

impl Reconciler for Kubelet {
    type Key = (String, String);

    fn name(&self) -> &'static str {
        "kubelet"
    }

    fn keys_for(&mut self, event: &WatchEvent, out: &mut Vec<Self::Key>) {
        if event.gr.group.is_empty() && event.gr.resource == "pods" {
            out.push((event.object.namespace.clone(), event.object.name.clone()));
            if event.event_type == Change::Deleted {
                // The reconcile of a vanished pod needs its last state for the Killing events.
                if let Some(track) = self.tracks.get_mut(&(event.object.namespace.clone(), event.object.name.clone())) {
                    track.pod = event.object.value();
                }
            }
        }
    }

    fn all_keys(&mut self) -> Vec<Self::Key> {
        self.api.keys(&gr("", "pods"), None)
    }

    fn reconcile(&mut self, key: &Self::Key) -> Result<Option<Duration>, ApiError> {
        let pods = gr("", "pods");
        let Some(pod) = self.api.get(&pods, &key.0, &key.1) else {
            if let Some(track) = self.tracks.remove(key)
                && track.started.is_some()
                && !matches!(s(&track.pod, "/status/phase"), "Succeeded" | "Failed")
            {
                for container in container_names(&track.pod, "containers") {
                    self.recorder.record_at(
                        &track.pod,
                        Some(&format!("spec.containers{{{container}}}")),
                        EventType::Normal,
                        "Killing",
                        &format!("Stopping container {container}"),
                        "kubelet",
                    );
                }
            }
            return Ok(None);
        };
        if self.tracks.get(key).is_some_and(|t| t.uid != uid(&pod)) {
            self.tracks.remove(key);
        }
        let phase = s(&pod, "/status/phase").to_string();
        if is_deleting(&pod) || phase == "Succeeded" || phase == "Failed" {
            return Ok(None);
        }
        if !self.tracks.contains_key(key) {
            let ip = match s(&pod, "/status/podIP") {
                "" => self.allocate_ip(),
                ip => ip.to_string(),
            };
            let running = phase == "Running";
            let restarts = max_restarts(&pod);
            let now_instant = Instant::now();
            let track = Track {
                uid: uid(&pod).to_string(),
                pod: pod.clone(),
                ip,
                scheduled: now_instant,
                started: running.then_some(now_instant),
                start_time: s(&pod, "/status/startTime").to_string(),
                running_at: now(),
                crash: (running && fails_any(&pod) && restart_policy(&pod) != "Never")
                    .then(|| (now_instant + self.backoff(restarts), restarts)),
            };
            self.tracks.insert(key.clone(), track);
        }
        if let Some(track) = self.tracks.get_mut(key) {
            track.pod = pod.clone();
        }
        if s(&pod, "/spec/nodeName").is_empty() || condition(&pod, "PodScheduled").is_none() {
            return self.schedule(key, &pod).map(|_| Some(self.delay));
        }
        let Some(track) = self.tracks.get(key) else { return Ok(None) };
        let now = Instant::now();
        match (track.started, track.crash) {
            (None, _) => {
                let due = track.scheduled + self.delay;
                if now < due {
                    return Ok(Some(due - now));
                }
                self.start(key, &pod)
            }
            (Some(_), Some((next, restarts))) => {
                if now < next {
                    return Ok(Some(next - now));
                }
                self.restart(key, &pod, restarts + 1)
            }
            (Some(started), None) => {
                if restart_policy(&pod) == "Always" {
                    return Ok(None);
                }
                let due = started + self.delay;
                if now < due {
                    return Ok(Some(due - now));
                }
                self.finish(key, &pod, false).map(|_| None)
            }
        }
    }
}

/// How one container is doing, for its `containerStatuses` entry.
enum State {
    Creating,
    Running,
    /// Crashed `restarts` times; waiting out the back-off before the next start.
    CrashLoop {
        restarts: i64,
        backoff: Duration,
    },
    Terminated {
        exit_code: i64,
        reason: &'static str,
    },
}

impl Kubelet {
    /// Binds the pod to the node (the scheduler's part) and reports it Pending with an IP.
    fn schedule(&mut self, key: &(String, String), pod: &Value) -> Result<(), ApiError> {
        let pods = gr("", "pods");
        if s(pod, "/spec/nodeName").is_empty() {
            self.api.modify(&pods, &key.0, &key.1, "kube-scheduler", |p| {
                if !s(p, "/spec/nodeName").is_empty() {
                    return false;
                }
                p["spec"]["nodeName"] = json!("sandbox");
                true
            })?;
            let message = format!("Successfully assigned {}/{} to sandbox", key.0, key.1);
            self.recorder.record(pod, EventType::Normal, "Scheduled", &message, "default-scheduler");
        }
        let Some(track) = self.tracks.get_mut(key) else { return Ok(()) };
        track.scheduled = Instant::now();
        if track.start_time.is_empty() {
            track.start_time = now();
        }
        let track = &self.tracks[key];
        let states: Vec<(String, State)> =
            container_names(pod, "containers").into_iter().map(|c| (c, State::Creating)).collect();
        self.write_status(key, "Pending", &states, track)
    }

    /// Starts the containers: Running and Ready, or crashing for failing images.
    fn start(&mut self, key: &(String, String), pod: &Value) -> Result<Option<Duration>, ApiError> {
        for container in pod.pointer("/spec/containers").and_then(Value::as_array).into_iter().flatten() {
            let container_name = s(container, "/name");
            let image = s(container, "/image");
            let field = format!("spec.containers{{{container_name}}}");
            let pulled = format!("Container image \"{image}\" already present on machine");
            self.recorder.record_at(pod, Some(&field), EventType::Normal, "Pulled", &pulled, "kubelet");
            let created = format!("Created container: {container_name}");
            self.recorder.record_at(pod, Some(&field), EventType::Normal, "Created", &created, "kubelet");
            let started = format!("Started container {container_name}");
            self.recorder.record_at(pod, Some(&field), EventType::Normal, "Started", &started, "kubelet");
        }
        let backoff = self.backoff(1);
        let Some(track) = self.tracks.get_mut(key) else { return Ok(None) };
        let now_instant = Instant::now();
        track.started = Some(now_instant);
        track.running_at = now();
        let failing = fails_any(pod);
        if failing && restart_policy(pod) == "Never" {
            return self.finish(key, pod, true).map(|_| None);
        }
        if failing {
            track.crash = Some((now_instant + backoff, 1));
            let states = crash_states(pod, 1, backoff);
            let track = &self.tracks[key];
            self.write_status(key, "Running", &states, track)?;
            self.back_off_events(pod);
            return Ok(Some(backoff));
        }
        let states: Vec<(String, State)> =
            container_names(pod, "containers").into_iter().map(|c| (c, State::Running)).collect();
        let track = &self.tracks[key];
        self.write_status(key, "Running", &states, track)?;
        Ok((restart_policy(pod) != "Always").then_some(self.delay))
    }

    /// One more crash of a crash-looping pod.
    fn restart(&mut self, key: &(String, String), pod: &Value, restarts: i64) -> Result<Option<Duration>, ApiError> {
        let backoff = self.backoff(restarts);
        let Some(track) = self.tracks.get_mut(key) else { return Ok(None) };
        track.crash = Some((Instant::now() + backoff, restarts));
        let states = crash_states(pod, restarts, backoff);
        let track = &self.tracks[key];
        self.write_status(key, "Running", &states, track)?;
        self.back_off_events(pod);
        Ok(Some(backoff))
    }

    /// The pod ran to completion (exit 0) or failed for good (exit 1 in failing containers).
    fn finish(&mut self, key: &(String, String), pod: &Value, failed: bool) -> Result<(), ApiError> {
        let states: Vec<(String, State)> = pod
            .pointer("/spec/containers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|c| {
                let state = if failed && container_fails(pod, c) {
                    State::Terminated { exit_code: 1, reason: "Error" }
                } else {
                    State::Terminated { exit_code: 0, reason: "Completed" }
                };
                (s(c, "/name").to_string(), state)
            })
            .collect();
        let Some(track) = self.tracks.get(key) else { return Ok(()) };
        self.write_status(key, if failed { "Failed" } else { "Succeeded" }, &states, track)
    }

    fn back_off_events(&self, pod: &Value) {
        for container in pod.pointer("/spec/containers").and_then(Value::as_array).into_iter().flatten() {
            if !container_fails(pod, container) {
                continue;
            }
            let container_name = s(container, "/name");
            let message = format!(
                "Back-off restarting failed container {container_name} in pod {}_{}({})",
                name(pod),
                namespace(pod),
                uid(pod)
            );
            let field = format!("spec.containers{{{container_name}}}");
            self.recorder.record_at(pod, Some(&field), EventType::Warning, "BackOff", &message, "kubelet");
        }
    }

    /// Writes the pod status for the given phase and container states through `pods/status`.
    fn write_status(
        &self,
        key: &(String, String),
        phase: &str,
        states: &[(String, State)],
        track: &Track,
    ) -> Result<(), ApiError> {
        let pods = gr("", "pods");
        self.api.modify_status(&pods, &key.0, &key.1, KUBELET, |p| {
            let before = p.get("status").cloned();
            let mut status = before.clone().unwrap_or_else(|| json!({}));
            if !status.is_object() {
                status = json!({});
            }
            fill_status(p, &mut status, phase, states, track);
            p["status"] = status;
            p.get("status") != before.as_ref()
        })?;
        Ok(())
    }
}

fn fill_status(pod: &Value, status: &mut Value, phase: &str, states: &[(String, State)], track: &Track) {
    let at = now();
    let finished = matches!(phase, "Succeeded" | "Failed");
    let creating = states.iter().any(|(_, st)| matches!(st, State::Creating));
    let unready: Vec<&str> =
        states.iter().filter(|(_, st)| !matches!(st, State::Running)).map(|(n, _)| n.as_str()).collect();
    let condition = |kind: &str, ok: bool, reason: Option<&str>, message: Option<String>| {
        let mut c = json!({"type": kind, "status": if ok { "True" } else { "False" }, "lastProbeTime": null, "lastTransitionTime": at});
        if let Some(reason) = reason {
            c["reason"] = json!(reason);
        }
        if let Some(message) = message {
            c["message"] = json!(message);
        }
        c
    };
    let not_ready = if finished {
        (Some(if phase == "Succeeded" { "PodCompleted" } else { "PodFailed" }), None)
    } else {
        (Some("ContainersNotReady"), Some(format!("containers with unready status: [{}]", unready.join(" "))))
    };
    let ready = unready.is_empty() && !finished;
    let mut conditions = vec![
        condition("PodReadyToStartContainers", !creating && !finished, None, None),
        condition("Initialized", true, None, None),
    ];
    for kind in ["Ready", "ContainersReady"] {
        conditions.push(if ready {
            condition(kind, true, None, None)
        } else {
            condition(kind, false, not_ready.0, not_ready.1.clone())
        });
    }
    conditions.push(condition("PodScheduled", true, None, None));
    for c in conditions {
        super::client::set_condition(status, c);
    }
    status["phase"] = json!(phase);
    status["hostIP"] = json!("127.0.0.1");
    status["hostIPs"] = json!([{"ip": "127.0.0.1"}]);
    status["podIP"] = json!(track.ip);
    status["podIPs"] = json!([{"ip": track.ip}]);
    status["startTime"] = json!(track.start_time);
    let containers: Vec<Value> = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| {
            let container_name = s(c, "/name");
            let state = &states.iter().find(|(n, _)| n == container_name)?.1;
            Some(container_status(pod, c, state, track))
        })
        .collect();
    status["containerStatuses"] = json!(containers);
    let init: Vec<Value> = pod
        .pointer("/spec/initContainers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| {
            let state =
                if creating { State::Creating } else { State::Terminated { exit_code: 0, reason: "Completed" } };
            container_status(pod, c, &state, track)
        })
        .collect();
    if let Some(map) = status.as_object_mut() {
        if init.is_empty() {
            map.remove("initContainerStatuses");
        } else {
            map.insert("initContainerStatuses".into(), json!(init));
        }
    }
}

fn container_status(pod: &Value, container: &Value, state: &State, track: &Track) -> Value {
    let container_name = s(container, "/name");
    let image = s(container, "/image");
    let (state_value, last_state, ready, restarts) = match state {
        State::Creating => (json!({"waiting": {"reason": "ContainerCreating"}}), json!({}), false, 0),
        State::Running => (json!({"running": {"startedAt": track.running_at}}), json!({}), true, 0),
        State::CrashLoop { restarts, backoff } => (
            json!({"waiting": {
                "reason": "CrashLoopBackOff",
                "message": format!("back-off {}s restarting failed container={container_name} pod={}_{}({})", backoff.as_secs().max(1), name(pod), namespace(pod), uid(pod)),
            }}),
            json!({"terminated": {"exitCode": 1, "reason": "Error", "startedAt": track.running_at, "finishedAt": now(), "containerID": container_id(pod, container_name, restarts - 1)}}),
            false,
            *restarts,
        ),
        State::Terminated { exit_code, reason } => (
            json!({"terminated": {"exitCode": exit_code, "reason": reason, "startedAt": track.running_at, "finishedAt": now(), "containerID": container_id(pod, container_name, 0)}}),
            json!({}),
            false,
            0,
        ),
    };
    let mut status = json!({
        "name": container_name,
        "image": image,
        "imageID": if matches!(state, State::Creating) { String::new() } else { image_id(image) },
        "ready": ready,
        "started": matches!(state, State::Running),
        "restartCount": restarts,
        "state": state_value,
        "lastState": last_state,
    });
    if !matches!(state, State::Creating) {
        let restarts = match state {
            State::CrashLoop { restarts, .. } => *restarts,
            _ => 0,
        };
        status["containerID"] = json!(container_id(pod, container_name, restarts));
    }
    status
}

fn crash_states(pod: &Value, restarts: i64, backoff: Duration) -> Vec<(String, State)> {
    pod.pointer("/spec/containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| {
            let state = if container_fails(pod, c) { State::CrashLoop { restarts, backoff } } else { State::Running };
            (s(c, "/name").to_string(), state)
        })
        .collect()
}

fn container_names(pod: &Value, list: &str) -> Vec<String> {
    pod.pointer(&format!("/spec/{list}"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| s(c, "/name").to_string())
        .collect()
}

fn restart_policy(pod: &Value) -> &str {
    match s(pod, "/spec/restartPolicy") {
        "" => "Always",
        policy => policy,
    }
}

fn container_fails(pod: &Value, container: &Value) -> bool {
    let annotated =
        pod.pointer(&format!("/metadata/annotations/{}", FAIL_ANNOTATION.replace('/', "~1"))).and_then(Value::as_str)
            == Some("true");
    annotated || s(container, "/image").contains("fail")
}

fn fails_any(pod: &Value) -> bool {
    pod.pointer("/spec/containers").and_then(Value::as_array).into_iter().flatten().any(|c| container_fails(pod, c))
}

fn max_restarts(pod: &Value) -> i64 {
    pod.pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| i(c, "/restartCount"))
        .max()
        .unwrap_or(0)
}

/// 64 hex digits derived from `seed`, stable across reconciles (content-addressed look).
fn hex64(seed: &str) -> String {
    (0..8).map(|n| format!("{:08x}", fnv32a(&format!("{n}:{seed}")))).collect()
}

fn container_id(pod: &Value, container: &str, restarts: i64) -> String {
    format!("containerd://{}", hex64(&format!("{}/{container}/{restarts}", uid(pod))))
}

/// `docker.io/library/nginx@sha256:...` for `nginx:1.27`, as containerd reports image IDs.
fn image_id(image: &str) -> String {
    let without_digest = image.split('@').next().unwrap_or(image);
    let repository = match without_digest.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => repo,
        _ => without_digest,
    };
    let first = repository.split('/').next().unwrap_or_default();
    let qualified = if repository.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost")
    {
        repository.to_string()
    } else if repository.contains('/') {
        format!("docker.io/{repository}")
    } else {
        format!("docker.io/library/{repository}")
    };
    format!("{qualified}@sha256:{}", hex64(image))
}
