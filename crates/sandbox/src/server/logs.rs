//! `pods/log`: what a simulated container prints, with `follow`, `tailLines`, `sinceSeconds`,
//! `timestamps`, `previous` and container selection as the kubelet serves them.

use super::Shared;
use super::http::{Query, flag};
use crate::error::ApiError;
use crate::resources::Target;
use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// How often a simulated container writes a line.
const LINE_INTERVAL_SECS: i64 = 2;

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
        .map(|t| render_line(&target.name, &container, started.timestamp(), t, timestamps))
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
                let line = render_line(&pod_name, &container, start, next, timestamps);
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

/// One deterministic log line: the same pod and time always print the same text.
fn render_line(pod: &str, container: &str, start: i64, at: i64, timestamps: bool) -> String {
    let n = (at - start) / LINE_INTERVAL_SECS;
    let time = DateTime::<Utc>::from_timestamp(at, 0).unwrap_or_default();
    let message = match n {
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
