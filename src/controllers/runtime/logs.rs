//! The engine's log: one JSON object per line in the shape Flux's controllers print (controller-runtime's zap
//! encoder: `level`, `ts`, `msg`, `controller`, `controllerGroup`, `controllerKind`, `name`, `namespace`,
//! `reconcileID`, and `error` on failures), so `flux logs`-style tooling, the TUI's logs pane included, reads
//! the embedded engine like a real controller.
//!
//! Where the lines go is the caller's choice: standard output for `fluxtui controller`, a channel into the
//! TUI for `fluxtui --controller`, memory in tests.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex};

use chrono::{SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::events::InvolvedObject;

type Sink = Arc<dyn Fn(String) + Send + Sync>;

/// A cheap handle to the engine's log.
#[derive(Clone)]
pub struct EngineLog {
    sink: Sink,
    debug: bool,
}

impl fmt::Debug for EngineLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EngineLog").field("debug", &self.debug).finish_non_exhaustive()
    }
}

/// The fields that say which object a line is about.
#[derive(Debug, Clone, Default)]
pub struct LogScope {
    pub kind: String,
    pub group: String,
    pub namespace: String,
    pub name: String,
    pub reconcile_id: String,
}

impl EngineLog {
    /// A log that hands each line to `sink`.
    pub fn new(sink: impl Fn(String) + Send + Sync + 'static) -> EngineLog {
        EngineLog { sink: Arc::new(sink), debug: false }
    }

    /// Lines on standard output.
    pub fn stdout() -> EngineLog {
        EngineLog::new(|line| println!("{line}"))
    }

    /// Lines into `hub`, where views subscribe to them.
    pub fn to_hub(hub: &LogHub) -> EngineLog {
        let hub = hub.clone();
        EngineLog::new(move |line| hub.publish(line))
    }

    /// Also prints debug lines.
    pub fn with_debug(mut self, debug: bool) -> EngineLog {
        self.debug = debug;
        self
    }

    /// A line that belongs to no object (start-up, leader election).
    pub fn info(&self, message: &str, fields: Value) {
        self.emit("info", message, None, None, fields);
    }

    pub fn error(&self, message: &str, error: &str) {
        self.emit("error", message, None, Some(error), Value::Null);
    }

    pub fn info_in(&self, scope: &LogScope, message: &str) {
        self.emit("info", message, Some(scope), None, Value::Null);
    }

    pub fn debug_in(&self, scope: &LogScope, message: &str) {
        if self.debug {
            self.emit("debug", message, Some(scope), None, Value::Null);
        }
    }

    pub fn error_in(&self, scope: &LogScope, message: &str, error: &str) {
        self.emit("error", message, Some(scope), Some(error), Value::Null);
    }

    /// An error about an object known only by its event reference.
    pub fn error_for(&self, object: &InvolvedObject, message: &str, error: &str) {
        let scope = LogScope {
            kind: object.kind.clone(),
            group: object.api_version.split('/').next().unwrap_or_default().to_string(),
            namespace: object.namespace.clone(),
            name: object.name.clone(),
            reconcile_id: String::new(),
        };
        self.emit("error", message, Some(&scope), Some(error), Value::Null);
    }

    fn emit(&self, level: &str, message: &str, scope: Option<&LogScope>, error: Option<&str>, fields: Value) {
        let mut line = Map::new();
        line.insert("level".into(), json!(level));
        line.insert("ts".into(), json!(Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)));
        line.insert("msg".into(), json!(message));
        if let Some(scope) = scope {
            line.insert("controller".into(), json!(scope.kind.to_lowercase()));
            line.insert("controllerGroup".into(), json!(scope.group));
            line.insert("controllerKind".into(), json!(scope.kind));
            line.insert(scope.kind.clone(), json!({"name": scope.name, "namespace": scope.namespace}));
            line.insert("namespace".into(), json!(scope.namespace));
            line.insert("name".into(), json!(scope.name));
            if !scope.reconcile_id.is_empty() {
                line.insert("reconcileID".into(), json!(scope.reconcile_id));
            }
        }
        if let Value::Object(extra) = fields {
            line.extend(extra);
        }
        if let Some(error) = error {
            line.insert("error".into(), json!(error));
        }
        (self.sink)(Value::Object(line).to_string());
    }
}

/// The engine's recent lines and a broadcast of new ones: how the TUI's logs view reads an engine that runs in
/// the same process. A view that opens late still sees the last [`LogHub::HISTORY`] lines.
#[derive(Clone)]
pub struct LogHub {
    history: Arc<Mutex<VecDeque<Arc<str>>>>,
    live: tokio::sync::broadcast::Sender<Arc<str>>,
}

impl Default for LogHub {
    fn default() -> Self {
        LogHub::new()
    }
}

impl LogHub {
    /// Lines kept for views that open later.
    pub const HISTORY: usize = 2_000;

    pub fn new() -> LogHub {
        let (live, _) = tokio::sync::broadcast::channel(4_096);
        LogHub { history: Arc::new(Mutex::new(VecDeque::new())), live }
    }

    fn publish(&self, line: String) {
        let line: Arc<str> = Arc::from(line);
        {
            let mut history = self.history.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if history.len() == Self::HISTORY {
                history.pop_front();
            }
            history.push_back(line.clone());
        }
        // No subscriber is fine: the history keeps the line.
        let _ = self.live.send(line);
    }

    /// The kept lines and a receiver of every line after them. A receiver that falls behind the broadcast's
    /// capacity skips the oldest lines (and is told how many), so a slow view never holds the engine up.
    pub fn subscribe(&self) -> (Vec<Arc<str>>, tokio::sync::broadcast::Receiver<Arc<str>>) {
        let history = self.history.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Subscribed under the lock, so no line falls between the history and the receiver.
        let receiver = self.live.subscribe();
        (history.iter().cloned().collect(), receiver)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    #[test]
    fn lines_carry_flux_fields() {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let kept = lines.clone();
        let log = EngineLog::new(move |line| kept.lock().unwrap().push(line));
        let scope = LogScope {
            kind: "GitRepository".into(),
            group: "source.toolkit.fluxcd.io".into(),
            namespace: "flux-system".into(),
            name: "podinfo".into(),
            reconcile_id: "r1".into(),
        };
        log.error_in(&scope, "reconciliation failed", "boom");
        let line: Value = serde_json::from_str(&lines.lock().unwrap()[0]).unwrap();
        assert_eq!(line["level"], "error");
        assert_eq!(line["controller"], "gitrepository");
        assert_eq!(line["controllerKind"], "GitRepository");
        assert_eq!(line["GitRepository"]["name"], "podinfo");
        assert_eq!(line["namespace"], "flux-system");
        assert_eq!(line["error"], "boom");
        assert!(line["ts"].as_str().unwrap().ends_with('Z'));
    }

    #[tokio::test]
    async fn the_hub_replays_history_then_streams() {
        let hub = LogHub::new();
        let log = EngineLog::to_hub(&hub);
        log.info("first", Value::Null);
        let (history, mut live) = hub.subscribe();
        assert_eq!(history.len(), 1);
        assert!(history[0].contains("\"msg\":\"first\""));
        log.info("second", Value::Null);
        assert!(live.recv().await.unwrap().contains("second"));
    }
}
