//! `pods/log`: what a simulated container prints, with `follow`, `tailLines`, `sinceSeconds`,
//! `timestamps`, `previous` and container selection as the kubelet serves them.
//!
//! A container prints a synthetic line every two seconds, or, when its pod carries the annotation
//! [`LOG_SCRIPT_ANNOTATION`], the script's lines in turn (`{{ts}}` in a line becomes the line's time), so a demo
//! controller can print realistic lines. Tests append lines of their own with the admin endpoint
//! `POST /sandbox/logs/<namespace>/<pod>/<container>` ([`Taps`]): open followers get them at once, with the
//! backpressure of a real stream (a burst waits for a slow reader, it is never dropped), and later reads see the
//! last [`TAP_HISTORY`] of them.

use super::Shared;
use super::http::{Query, flag};
use crate::error::ApiError;
use crate::resources::Target;
use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

/// How often a simulated container writes a line.
const LINE_INTERVAL_SECS: i64 = 2;

/// The pod annotation naming what the containers print: lines separated by newlines, printed one every two
/// seconds in turn.
pub const LOG_SCRIPT_ANNOTATION: &str = "sandbox.fluxtui.io/log-script";
/// How many appended lines per container later (non-following) reads still see.
pub const TAP_HISTORY: usize = 1_000;
/// Appended lines reach followers in chunks of about this size.
const TAP_CHUNK_BYTES: usize = 64 * 1024;

type ContainerKey = (String, String, String);

/// Lines appended to containers' logs through the admin endpoint, and the open followers they go to.
#[derive(Default)]
pub struct Taps {
    inner: std::sync::Mutex<HashMap<ContainerKey, Tap>>,
}

#[derive(Default)]
struct Tap {
    /// The newest appended lines with their time (seconds), for reads that do not follow.
    history: VecDeque<(i64, String)>,
    followers: Vec<TapFollower>,
}

/// A follower's stream, held weakly: the stream ends when its own task ends (the client left, or shutdown),
/// never kept open by the taps.
#[derive(Clone)]
struct TapFollower {
    tx: tokio::sync::mpsc::WeakSender<Result<bytes::Bytes, std::convert::Infallible>>,
    timestamps: bool,
}

/// What `POST /sandbox/logs/...` takes: lines, sent `repeat` times (a burst without a 100 MB request body).
#[derive(Debug, serde::Deserialize)]
pub struct AppendRequest {
    pub lines: Vec<String>,
    #[serde(default = "one")]
    pub repeat: u64,
}

fn one() -> u64 {
    1
}

impl Taps {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ContainerKey, Tap>> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn follow(&self, key: ContainerKey, follower: TapFollower) {
        self.lock().entry(key).or_default().followers.push(follower);
    }

    fn history(&self, key: &ContainerKey) -> Vec<(i64, String)> {
        self.lock().get(key).map(|tap| tap.history.iter().cloned().collect()).unwrap_or_default()
    }

    /// Appends the lines `repeat` times: recorded for later reads, and streamed to the current followers by a
    /// background task that waits for each of them. Returns how many lines and followers.
    pub fn append(&self, key: ContainerKey, request: AppendRequest) -> (u64, usize) {
        let lines: Vec<String> = request.lines.iter().map(|line| line.replace(['\n', '\r'], " ")).collect();
        let total = lines.len() as u64 * request.repeat;
        let followers = {
            let mut taps = self.lock();
            let tap = taps.entry(key).or_default();
            tap.followers.retain(|follower| follower.tx.upgrade().is_some());
            let now = Utc::now().timestamp();
            let kept = (total as usize).min(TAP_HISTORY);
            let sequence = lines.iter().cycle().skip((total as usize - kept) % lines.len().max(1));
            for line in sequence.take(kept) {
                tap.history.push_back((now, line.clone()));
            }
            while tap.history.len() > TAP_HISTORY {
                tap.history.pop_front();
            }
            tap.followers.clone()
        };
        let count = followers.len();
        if total > 0 && !followers.is_empty() {
            tokio::spawn(stream_to(followers, lines, request.repeat));
        }
        (total, count)
    }
}

/// Sends `lines` × `repeat` to each follower in chunks, waiting while a follower's reader is behind.
async fn stream_to(mut followers: Vec<TapFollower>, lines: Vec<String>, repeat: u64) {
    let mut plain = String::new();
    let mut stamped = String::new();
    for _ in 0..repeat {
        for line in &lines {
            let time = Utc::now().format("%Y-%m-%dT%H:%M:%S%.9fZ");
            plain.push_str(line);
            plain.push('\n');
            stamped.push_str(&format!("{time} {line}\n"));
            if plain.len() >= TAP_CHUNK_BYTES {
                send_chunk(&mut followers, &mut plain, &mut stamped).await;
                if followers.is_empty() {
                    return;
                }
            }
        }
    }
    send_chunk(&mut followers, &mut plain, &mut stamped).await;
}

async fn send_chunk(followers: &mut Vec<TapFollower>, plain: &mut String, stamped: &mut String) {
    let (plain_chunk, stamped_chunk) =
        (bytes::Bytes::from(std::mem::take(plain)), bytes::Bytes::from(std::mem::take(stamped)));
    let mut open = Vec::with_capacity(followers.len());
    for follower in followers.drain(..) {
        let chunk = if follower.timestamps { stamped_chunk.clone() } else { plain_chunk.clone() };
        let Some(tx) = follower.tx.upgrade() else { continue };
        if tx.send(Ok(chunk)).await.is_ok() {
            open.push(follower);
        }
    }
    *followers = open;
}

/// `POST /sandbox/logs/<namespace>/<pod>/<container>`.
pub fn append(shared: &Shared, path: &str, body: &[u8]) -> Result<Value, ApiError> {
    let parts: Vec<&str> = path.split('/').collect();
    let [namespace, pod, container] = parts.as_slice() else {
        return Err(ApiError::bad_request("use /sandbox/logs/<namespace>/<pod>/<container>".to_string()));
    };
    let request: AppendRequest = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!("invalid log lines: {e} (expected {{\"lines\": [..], \"repeat\": n}})"))
    })?;
    let key = (namespace.to_string(), pod.to_string(), container.to_string());
    let (lines, followers) = shared.log_taps.append(key, request);
    Ok(serde_json::json!({"appended": lines, "followers": followers}))
}

pub async fn serve(shared: Arc<Shared>, target: &Target, query: &Query) -> Result<Response, ApiError> {
    let pod = shared.state.get(&Target::new(target.info.clone(), &target.namespace, &target.name))?;
    let containers: Vec<String> = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("name").and_then(Value::as_str).map(str::to_string))
        .collect();
    let container = match query.get("container").filter(|c| !c.is_empty()) {
        Some(name) if containers.contains(name) => name.clone(),
        Some(name) => {
            return Err(ApiError::bad_request(format!("container {name} is not valid for pod {}", target.name)));
        }
        None if containers.len() == 1 => containers[0].clone(),
        None => {
            return Err(ApiError::bad_request(format!(
                "a container name must be specified for pod {}, choose one of: [{}]",
                target.name,
                containers.join(" ")
            )));
        }
    };
    let started = container_started_at(&pod, &container).ok_or_else(|| {
        ApiError::bad_request(format!(
            "container \"{container}\" in pod \"{}\" is waiting to start: ContainerCreating",
            target.name
        ))
    })?;
    let script: Arc<Vec<String>> = Arc::new(
        pod.pointer("/metadata/annotations")
            .and_then(|annotations| annotations.get(LOG_SCRIPT_ANNOTATION))
            .and_then(Value::as_str)
            .map(|script| script.lines().filter(|line| !line.trim().is_empty()).map(str::to_string).collect())
            .unwrap_or_default(),
    );
    let key: ContainerKey = (target.namespace.clone(), target.name.clone(), container.clone());
    let timestamps = flag(query, "timestamps");
    let follow = flag(query, "follow");
    let now = Utc::now();
    let first = match query.get("sinceSeconds").and_then(|s| s.parse::<i64>().ok()) {
        Some(secs) => (now.timestamp() - secs).max(started.timestamp()),
        None => started.timestamp(),
    };
    let mut lines: Vec<String> = (0..)
        .map(|n| started.timestamp() + n * LINE_INTERVAL_SECS)
        .take_while(|t| *t <= now.timestamp())
        .filter(|t| *t >= first)
        .map(|t| (t, render_line(&target.name, &container, &script, started.timestamp(), t, timestamps)))
        .collect::<Vec<_>>()
        .into_iter()
        .chain(
            shared
                .log_taps
                .history(&key)
                .into_iter()
                .filter(|(t, _)| *t >= first)
                .map(|(t, line)| (t, stamp(&line, t, timestamps))),
        )
        .map(|(_, line)| line)
        .collect();
    if let Some(tail) = query.get("tailLines").and_then(|s| s.parse::<usize>().ok()) {
        let skip = lines.len().saturating_sub(tail);
        lines.drain(..skip);
    }
    let backlog = lines.concat();
    let mut response = if follow {
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<bytes::Bytes, std::convert::Infallible>>(16);
        let pod_name = target.name.clone();
        let start = started.timestamp();
        shared.log_taps.follow(key, TapFollower { tx: tx.downgrade(), timestamps });
        let mut shutdown = shared.shutdown.subscribe();
        // A stream opened after shutdown began must still end: a fresh receiver has already seen the flag, so
        // mark it unseen, or `changed()` would wait forever and hold the graceful shutdown open.
        if *shutdown.borrow() {
            shutdown.mark_changed();
        }
        tokio::spawn(async move {
            if tx.send(Ok(bytes::Bytes::from(backlog))).await.is_err() {
                return;
            }
            let mut next =
                (0..).map(|n| start + n * LINE_INTERVAL_SECS).find(|t| *t > Utc::now().timestamp()).unwrap_or(start);
            loop {
                let wait = (next - Utc::now().timestamp()).max(0) as u64;
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(wait)) => {}
                    _ = shutdown.changed() => return,
                }
                let line = render_line(&pod_name, &container, &script, start, next, timestamps);
                if tx.send(Ok(bytes::Bytes::from(line))).await.is_err() {
                    return;
                }
                next += LINE_INTERVAL_SECS;
            }
        });
        Response::new(Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx)))
    } else {
        Response::new(Body::from(backlog))
    };
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    Ok(response)
}

fn container_started_at(pod: &Value, container: &str) -> Option<DateTime<Utc>> {
    let statuses = pod.pointer("/status/containerStatuses")?.as_array()?;
    let status = statuses.iter().find(|s| s.get("name").and_then(Value::as_str) == Some(container))?;
    let started = status
        .pointer("/state/running/startedAt")
        .or_else(|| status.pointer("/lastState/terminated/startedAt"))
        .or_else(|| status.pointer("/state/terminated/startedAt"))?
        .as_str()?;
    DateTime::parse_from_rfc3339(started).ok().map(|t| t.with_timezone(&Utc))
}

/// An appended line as a read returns it.
fn stamp(line: &str, at: i64, timestamps: bool) -> String {
    let time = DateTime::<Utc>::from_timestamp(at, 0).unwrap_or_default();
    if timestamps { format!("{} {line}\n", time.format("%Y-%m-%dT%H:%M:%S%.9fZ")) } else { format!("{line}\n") }
}

/// One deterministic log line: the same pod and time always print the same text (the script's line in turn,
/// when the pod has one).
fn render_line(pod: &str, container: &str, script: &[String], start: i64, at: i64, timestamps: bool) -> String {
    let n = (at - start) / LINE_INTERVAL_SECS;
    let time = DateTime::<Utc>::from_timestamp(at, 0).unwrap_or_default();
    let message = match n {
        _ if !script.is_empty() => {
            let line = &script[(n as usize) % script.len()];
            line.replace("{{ts}}", &time.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        }
        0 => format!(
            "{{\"level\":\"info\",\"ts\":\"{}\",\"msg\":\"starting {container}\",\"pod\":\"{pod}\"}}",
            time.to_rfc3339()
        ),
        1 => format!("{{\"level\":\"info\",\"ts\":\"{}\",\"msg\":\"listening\",\"port\":8080}}", time.to_rfc3339()),
        _ => format!(
            "{{\"level\":\"info\",\"ts\":\"{}\",\"msg\":\"request served\",\"path\":\"/healthz\",\"status\":200,\"n\":{}}}",
            time.to_rfc3339(),
            n - 1
        ),
    };
    if timestamps { format!("{} {message}\n", time.format("%Y-%m-%dT%H:%M:%S%.9fZ")) } else { format!("{message}\n") }
}
