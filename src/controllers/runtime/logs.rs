//! The engine's log: one JSON object per line in the shape Flux's controllers print (controller-runtime's zap
//! encoder: `level`, `ts`, `msg`, `controller`, `controllerGroup`, `controllerKind`, `name`, `namespace`,
//! `reconcileID`, and `error` on failures), so `flux logs`-style tooling, the TUI's logs pane included, reads
//! the embedded engine like a real controller.
//!
//! Where the lines go is the caller's choice: standard output for `fluxtui controller`, a channel into the
//! TUI for `fluxtui --controller`, memory in tests.

use std::fmt;
use std::sync::Arc;

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
}
