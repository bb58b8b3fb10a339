//! Live logs: the Flux controllers' pods found by label and followed through `pods/log`, or one chosen pod.
//!
//! A pod watch (no polling) keeps one follower per running container: a new pod (a rollout, a rescheduled
//! controller) gets a follower as soon as its container runs, a deleted pod's follower stops, and a follower whose
//! stream ends (the container restarted) opens it again from the last line it saw.
//!
//! Reading, parsing and the object filter run here, off the UI thread. Every producer of lines writes into a
//! [`LogFeed`], which batches them (a few thousand lines, or 50 ms) and sends each batch through the bounded
//! live channel, so a burst waits for the UI instead of piling up. A producer of lines that are not pod logs (the
//! embedded controller's own log, later) makes a [`LogFeed`] from [`super::live::LiveStreams::sender`] and pushes
//! its lines the same way.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::{AsyncBufRead, AsyncBufReadExt, StreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::LogParams;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, watcher};
use kube::{Api, Client};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::connectivity::TaskGuard;
use super::live::LiveUpdate;
use crate::model::events::FLUX_CONTROLLERS;
use crate::model::logs::{LogFilter, LogLine, MAX_PARSED_BYTES, parse_line, split_kubelet_timestamp};

/// A batch is sent when it holds this many lines...
const BATCH_LINES: usize = 2_000;
/// ...or when its oldest line has waited this long.
const BATCH_DELAY: Duration = Duration::from_millis(50);
/// The wait before a follower whose stream ended or failed tries again.
const RETRY_DELAY: Duration = Duration::from_secs(2);

/// Whose logs a logs view shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogTarget {
    /// The Flux controllers (pods labelled `app=<controller>` in the Flux namespace), every line or, like
    /// `flux logs --kind --name --namespace`, the lines about one object.
    Controllers { namespace: String, filter: LogFilter },
    /// One pod: one container, or all of them.
    Pod { namespace: String, name: String, container: Option<String> },
}

impl LogTarget {
    pub fn filter(&self) -> LogFilter {
        match self {
            LogTarget::Controllers { filter, .. } => filter.clone(),
            LogTarget::Pod { .. } => LogFilter::default(),
        }
    }

    /// For titles.
    pub fn label(&self) -> String {
        match self {
            LogTarget::Controllers { namespace, filter } if filter.is_empty() => {
                format!("Flux controllers ({namespace})")
            }
            LogTarget::Controllers { namespace, filter } => {
                format!("Flux controllers ({namespace}) for {}", filter.label())
            }
            LogTarget::Pod { namespace, name, container: Some(container) } => {
                format!("pod {namespace}/{name} ({container})")
            }
            LogTarget::Pod { namespace, name, container: None } => format!("pod {namespace}/{name}"),
        }
    }
}

/// Lines for a logs view.
#[derive(Debug, Clone)]
pub struct LogBatch {
    pub stream: u64,
    /// Parsed, filtered lines in the order read.
    pub lines: Vec<LogLine>,
    /// Lines read but dropped before sending because a batch held more than the view keeps.
    pub skipped: u64,
    pub status: Option<LogStatus>,
}

/// What the followers are doing, for the view's title and footer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogStatus {
    /// The sources followed now.
    Following(Vec<String>),
    Error(String),
}

/// Batches lines from one producer into [`LogBatch`]es.
pub struct LogFeed {
    stream: u64,
    filter: LogFilter,
    limit: usize,
    tx: mpsc::Sender<LiveUpdate>,
    pending: Vec<LogLine>,
    skipped: u64,
    oldest_pending: Option<Instant>,
}

/// The view is gone: the producer can stop.
#[derive(Debug)]
pub struct FeedClosed;

impl LogFeed {
    pub fn new(stream: u64, filter: LogFilter, limit: usize, tx: mpsc::Sender<LiveUpdate>) -> LogFeed {
        LogFeed { stream, filter, limit: limit.max(1), tx, pending: Vec::new(), skipped: 0, oldest_pending: None }
    }

    /// Parses and filters one line; the batch keeps at most the view's limit (older lines in it are counted).
    pub fn push(&mut self, source: &Arc<str>, raw: &str, kubelet_time: Option<DateTime<Utc>>) {
        let line = parse_line(Arc::clone(source), raw, kubelet_time);
        if !self.filter.matches(&line) {
            return;
        }
        if self.pending.is_empty() {
            self.oldest_pending = Some(Instant::now());
        }
        self.pending.push(line);
        if self.pending.len() > self.limit {
            let excess = self.pending.len() - self.limit;
            self.pending.drain(..excess);
            self.skipped += excess as u64;
        }
    }

    /// Whether the batch should go now.
    pub fn due(&self) -> bool {
        self.pending.len() >= BATCH_LINES || self.oldest_pending.is_some_and(|at| at.elapsed() >= BATCH_DELAY)
    }

    /// How long until the batch is due (`None` when nothing waits).
    pub fn time_left(&self) -> Option<Duration> {
        self.oldest_pending.map(|at| BATCH_DELAY.saturating_sub(at.elapsed()))
    }

    /// Sends what is pending, waiting while the UI is behind.
    pub async fn flush(&mut self) -> Result<(), FeedClosed> {
        if self.pending.is_empty() && self.skipped == 0 {
            return Ok(());
        }
        let batch = LogBatch {
            stream: self.stream,
            lines: std::mem::take(&mut self.pending),
            skipped: std::mem::take(&mut self.skipped),
            status: None,
        };
        self.oldest_pending = None;
        self.tx.send(LiveUpdate::Logs(batch)).await.map_err(|_| FeedClosed)
    }

    pub async fn status(&mut self, status: LogStatus) -> Result<(), FeedClosed> {
        self.flush().await?;
        let batch = LogBatch { stream: self.stream, lines: Vec::new(), skipped: 0, status: Some(status) };
        self.tx.send(LiveUpdate::Logs(batch)).await.map_err(|_| FeedClosed)
    }
}

/// Follows the logs of `target` until the task is aborted.
pub async fn follow_logs(client: Client, target: LogTarget, stream: u64, limit: usize, tx: mpsc::Sender<LiveUpdate>) {
    let filter = target.filter();
    let (namespace, config) = match &target {
        LogTarget::Controllers { namespace, .. } => {
            (namespace.clone(), watcher::Config::default().labels(&format!("app in ({})", FLUX_CONTROLLERS.join(","))))
        }
        LogTarget::Pod { namespace, name, .. } => {
            (namespace.clone(), watcher::Config::default().fields(&format!("metadata.name={name}")))
        }
    };
    let api: Api<Pod> = Api::namespaced(client.clone(), &namespace);
    let mut status_feed = LogFeed::new(stream, filter.clone(), limit, tx.clone());
    let mut pods = std::pin::pin!(watcher(api.clone(), config).default_backoff());
    let mut followers: HashMap<(String, String), TaskGuard> = HashMap::new();
    let mut listed: HashSet<String> = HashSet::new();
    let mut synced = false;
    let mut announced: Option<Vec<String>> = None;
    while let Some(item) = pods.next().await {
        match item {
            Ok(watcher::Event::Init) => {
                listed.clear();
                synced = false;
            }
            Ok(watcher::Event::InitApply(pod)) => {
                listed.insert(pod.metadata.name.clone().unwrap_or_default());
                start_followers(&api, &target, &pod, &mut followers, stream, limit, &tx);
            }
            Ok(watcher::Event::InitDone) => {
                synced = true;
                followers.retain(|(pod, _), _| listed.contains(pod));
            }
            Ok(watcher::Event::Apply(pod)) => start_followers(&api, &target, &pod, &mut followers, stream, limit, &tx),
            Ok(watcher::Event::Delete(pod)) => {
                let name = pod.metadata.name.unwrap_or_default();
                followers.retain(|(pod, _), _| *pod != name);
            }
            Err(err) => {
                if status_feed.status(LogStatus::Error(format!("pods in {namespace}: {err}"))).await.is_err() {
                    return;
                }
                announced = None;
                continue;
            }
        }
        if !synced {
            continue;
        }
        let mut sources: Vec<String> = followers.keys().map(|(pod, container)| format!("{pod}/{container}")).collect();
        sources.sort();
        if announced.as_ref() != Some(&sources) {
            announced = Some(sources.clone());
            if status_feed.status(LogStatus::Following(sources)).await.is_err() {
                return;
            }
        }
    }
}

/// Starts a follower for each running container of `pod` the target wants that has none yet.
fn start_followers(
    api: &Api<Pod>,
    target: &LogTarget,
    pod: &Pod,
    followers: &mut HashMap<(String, String), TaskGuard>,
    stream: u64,
    limit: usize,
    tx: &mpsc::Sender<LiveUpdate>,
) {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let labels = pod.metadata.labels.clone().unwrap_or_default();
    let containers: Vec<String> =
        pod.spec.iter().flat_map(|spec| spec.containers.iter().map(|container| container.name.clone())).collect();
    let wanted: Vec<String> = match target {
        LogTarget::Controllers { .. } => {
            // As `flux logs`: the `manager` container when there are several.
            let manager = containers.iter().find(|container| *container == "manager");
            manager.or(containers.first()).cloned().into_iter().collect()
        }
        LogTarget::Pod { container: Some(container), .. } => vec![container.clone()],
        LogTarget::Pod { container: None, .. } => containers.clone(),
    };
    let running = |container: &str| {
        pod.status.as_ref().and_then(|status| status.container_statuses.as_ref()).into_iter().flatten().any(|status| {
            status.name == container && status.state.as_ref().is_some_and(|state| state.running.is_some())
        })
    };
    for container in wanted {
        let key = (name.clone(), container.clone());
        if followers.contains_key(&key) || !running(&container) {
            continue;
        }
        let source: Arc<str> = match (target, labels.get("app")) {
            (LogTarget::Controllers { .. }, Some(app)) => Arc::from(app.as_str()),
            _ if containers.len() > 1 => Arc::from(format!("{name}/{container}")),
            _ => Arc::from(name.as_str()),
        };
        let feed = LogFeed::new(stream, target.filter(), limit, tx.clone());
        let task = follow_container(api.clone(), name.clone(), container, source, limit, feed);
        followers.insert(key, TaskGuard::spawn(task));
    }
}

/// Follows one container, opening its stream again after it ends (a restart) from the last line seen.
async fn follow_container(
    api: Api<Pod>,
    pod: String,
    container: String,
    source: Arc<str>,
    limit: usize,
    mut feed: LogFeed,
) {
    let mut last_seen: Option<DateTime<Utc>> = None;
    loop {
        let params = LogParams {
            container: Some(container.clone()),
            follow: true,
            timestamps: true,
            tail_lines: last_seen.is_none().then_some(limit as i64),
            since_seconds: last_seen.map(|time| (Utc::now() - time).num_seconds().max(0) + 1),
            ..LogParams::default()
        };
        match api.log_stream(&pod, &params).await {
            Ok(reader) => {
                if read_stream(Box::pin(reader), &source, &mut feed, &mut last_seen).await.is_err() {
                    return;
                }
            }
            Err(err) => {
                let status = LogStatus::Error(format!("{pod}/{container}: {err}"));
                if feed.status(status).await.is_err() {
                    return;
                }
            }
        }
        tokio::time::sleep(RETRY_DELAY).await;
    }
}

/// Reads lines until the stream ends. A line longer than [`MAX_PARSED_BYTES`] keeps only its start (the rest is
/// skipped as it arrives), so one endless line cannot take the memory.
async fn read_stream(
    mut reader: std::pin::Pin<Box<impl AsyncBufRead + ?Sized>>,
    source: &Arc<str>,
    feed: &mut LogFeed,
    last_seen: &mut Option<DateTime<Utc>>,
) -> Result<(), FeedClosed> {
    let mut line: Vec<u8> = Vec::new();
    let resume_after = *last_seen;
    let mut handle = |bytes: &[u8], feed: &mut LogFeed| {
        let text = String::from_utf8_lossy(bytes);
        let (time, rest) = split_kubelet_timestamp(&text);
        // After a reconnect, the lines up to the last one seen come again: skip them.
        if let (Some(time), Some(after)) = (time, resume_after)
            && time <= after
        {
            return;
        }
        if time.is_some() {
            *last_seen = time;
        }
        feed.push(source, rest, time);
    };
    loop {
        let wait = feed.time_left().unwrap_or(Duration::from_secs(3600));
        let read = tokio::time::timeout(wait, reader.fill_buf()).await;
        let available = match read {
            Err(_) => {
                feed.flush().await?;
                continue;
            }
            Ok(Err(_)) | Ok(Ok([])) => {
                if !line.is_empty() {
                    handle(&line, feed);
                }
                return feed.flush().await;
            }
            Ok(Ok(bytes)) => bytes,
        };
        let length = available.len();
        let mut rest = available;
        while let Some(end) = rest.iter().position(|&byte| byte == b'\n') {
            append_capped(&mut line, &rest[..end]);
            handle(&line, feed);
            line.clear();
            rest = &rest[end + 1..];
        }
        append_capped(&mut line, rest);
        reader.consume_unpin(length);
        if feed.due() {
            feed.flush().await?;
        }
    }
}

fn append_capped(line: &mut Vec<u8>, bytes: &[u8]) {
    let room = (MAX_PARSED_BYTES + 1).saturating_sub(line.len());
    line.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

/// Reads the current logs of the controller pods once (the last `tail` lines of each), parsed, filtered and
/// merged by time: `fluxtui logs` without `--follow`.
pub async fn read_controller_logs(
    client: Client,
    namespace: &str,
    filter: &LogFilter,
    tail: usize,
) -> Result<Vec<Arc<LogLine>>, kube::Error> {
    let api: Api<Pod> = Api::namespaced(client, namespace);
    let selector = format!("app in ({})", FLUX_CONTROLLERS.join(","));
    let pods = api.list(&kube::api::ListParams::default().labels(&selector)).await?;
    let mut buffer = crate::model::logs::LogBuffer::new(tail.saturating_mul(pods.items.len().max(1)).max(1));
    for pod in &pods.items {
        let name = pod.metadata.name.clone().unwrap_or_default();
        let containers: Vec<String> =
            pod.spec.iter().flat_map(|spec| spec.containers.iter().map(|container| container.name.clone())).collect();
        let Some(container) = containers.iter().find(|c| *c == "manager").or(containers.first()).cloned() else {
            continue;
        };
        let source: Arc<str> = match pod.metadata.labels.as_ref().and_then(|labels| labels.get("app")) {
            Some(app) => Arc::from(app.as_str()),
            None => Arc::from(name.as_str()),
        };
        let params = LogParams {
            container: Some(container),
            timestamps: true,
            tail_lines: Some(tail as i64),
            ..LogParams::default()
        };
        // A pod whose container has not started has no logs yet: skipped, as `flux logs` does.
        let Ok(text) = api.logs(&name, &params).await else { continue };
        for raw in text.lines() {
            let (time, rest) = split_kubelet_timestamp(raw);
            let line = parse_line(Arc::clone(&source), rest, time);
            if filter.matches(&line) {
                buffer.push(line);
            }
        }
    }
    Ok(buffer.lines().iter().cloned().collect())
}
