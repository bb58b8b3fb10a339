//! The embedded engine inside a TUI session (`fluxtui --controller`, `fluxtui demo`): started on a task so the
//! UI opens at once (the engine may wait for its leader lease), its state reported to the header, its log lines
//! relayed into the logs view next to the controller pods' lines, and stopped when the session ends.

use std::sync::Arc;

use kube::Client;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::cluster::live::LiveUpdate;
use crate::cluster::logs::{LogFeed, LogTarget};
use crate::controllers::runtime::logs::{EngineLog, LogHub};
use crate::controllers::runtime::{Engine, EngineConfig};

/// The source name the engine's lines carry in the logs view.
pub const ENGINE_LOG_SOURCE: &str = "fluxtui-engine";

/// What the header shows about the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineStatus {
    /// Starting (discovery, the ownership check, waiting for the lease).
    Starting,
    /// Reconciling these kinds.
    Running { kinds: usize },
    /// Not running, and why.
    Failed(String),
}

impl EngineStatus {
    /// The header's text: short, so the key hints keep their place; why it stopped goes to the flash line.
    pub fn label(&self) -> String {
        match self {
            EngineStatus::Starting => "starting".to_string(),
            EngineStatus::Running { kinds } => format!("running ({kinds} kinds)"),
            EngineStatus::Failed(_) => "stopped".to_string(),
        }
    }
}

/// A running (or starting) engine owned by the session.
pub struct EmbeddedEngine {
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    hub: LogHub,
}

impl EmbeddedEngine {
    /// Starts the engine on `client`; every change of its status goes to `report`.
    pub fn start(
        client: Client,
        config: EngineConfig,
        report: impl Fn(EngineStatus) + Send + Sync + 'static,
    ) -> EmbeddedEngine {
        let hub = LogHub::new();
        let log = EngineLog::to_hub(&hub);
        let (stop, mut stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            report(EngineStatus::Starting);
            let mut engine = tokio::select! {
                started = Engine::start(client, config, log) => match started {
                    Ok(engine) => engine,
                    Err(err) => {
                        report(EngineStatus::Failed(err.to_string()));
                        return;
                    }
                },
                // The session ended while the engine still waited (for its lease, say).
                _ = &mut stopped => return,
            };
            report(EngineStatus::Running { kinds: engine.kinds().len() });
            let lost = tokio::select! {
                _ = &mut stopped => false,
                _ = engine.lost_leadership() => true,
            };
            engine.stop().await;
            if lost {
                report(EngineStatus::Failed("the leader lease was taken by another engine".to_string()));
            }
        });
        EmbeddedEngine { stop: Some(stop), task: Some(task), hub }
    }

    /// The engine's log lines.
    pub fn hub(&self) -> &LogHub {
        &self.hub
    }

    /// Stops the engine and waits for it (reconciles in flight finish, the lease is released).
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            // A start still waiting for its lease is simply dropped with the task.
            if !task.is_finished() {
                let waited = tokio::time::timeout(std::time::Duration::from_secs(25), task).await;
                if waited.is_err() {
                    tracing::warn!("the embedded engine did not stop in time");
                }
            }
        }
    }
}

impl Drop for EmbeddedEngine {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Relays the engine's lines into a logs view of the Flux controllers, filtered like the pods' lines.
pub async fn relay_engine_logs(
    hub: LogHub,
    target: LogTarget,
    stream: u64,
    limit: usize,
    tx: mpsc::Sender<LiveUpdate>,
) {
    let source: Arc<str> = Arc::from(ENGINE_LOG_SOURCE);
    let mut feed = LogFeed::new(stream, target.filter(), limit, tx);
    let (history, mut live) = hub.subscribe();
    for line in history {
        feed.push(&source, &line, None);
    }
    if feed.flush().await.is_err() {
        return;
    }
    loop {
        let next = match feed.time_left() {
            Some(wait) => tokio::time::timeout(wait, live.recv()).await.ok(),
            None => Some(live.recv().await),
        };
        match next {
            Some(Ok(line)) => feed.push(&source, &line, None),
            // Fell behind the broadcast: the skipped lines are gone; go on with the next.
            Some(Err(broadcast::error::RecvError::Lagged(_))) => {}
            Some(Err(broadcast::error::RecvError::Closed)) => return,
            None => {}
        }
        if feed.due() && feed.flush().await.is_err() {
            return;
        }
    }
}
