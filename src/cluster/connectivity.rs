//! Whether the session can reach the API server, decided from what every long-running watch last saw.
//!
//! Each watch is a source. It is healthy once the server answers it (even a 403 is an answer), and broken while
//! its requests fail in transport (refused, reset, TLS, authentication). The session is connected while any
//! source is healthy and disconnected when every source that has reported is broken, so one forbidden kind
//! never raises the banner and a dead server always does. Only changes are sent.

use super::error::error_chain;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use kube::runtime::watcher;
use tokio::sync::mpsc::UnboundedSender;

use super::{ClusterEvent, ConnectionState};

/// What a failed request says about the kind and the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// 403: the server answered, the user may not read this.
    Forbidden(String),
    /// 404: the resource is not served (its CRD went away).
    NotFound(String),
    /// The server answered with another error status.
    Server(String),
    /// No answer: the server is unreachable, or refused the credentials (401).
    Transport(String),
}

impl Failure {
    pub fn from_kube(error: &kube::Error) -> Failure {
        match error {
            kube::Error::Api(status) => Failure::from_status(status.code, &status.message),
            other => Failure::Transport(error_chain(other)),
        }
    }

    pub fn from_watcher(error: &watcher::Error) -> Failure {
        match error {
            watcher::Error::InitialListFailed(error)
            | watcher::Error::WatchStartFailed(error)
            | watcher::Error::WatchFailed(error) => Failure::from_kube(error),
            watcher::Error::WatchError(status) => Failure::from_status(status.code, &status.message),
            watcher::Error::NoResourceVersion => Failure::Server(error.to_string()),
        }
    }

    fn from_status(code: u16, message: &str) -> Failure {
        let message = if message.is_empty() { format!("the server answered {code}") } else { message.to_string() };
        match code {
            401 => Failure::Transport(message),
            403 => Failure::Forbidden(message),
            404 => Failure::NotFound(message),
            _ => Failure::Server(message),
        }
    }

    /// The message for a state or the banner.
    pub fn message(&self) -> &str {
        match self {
            Failure::Forbidden(message)
            | Failure::NotFound(message)
            | Failure::Server(message)
            | Failure::Transport(message) => message,
        }
    }
}

/// The health of every source, shared by the session's tasks.
#[derive(Clone)]
pub struct ConnectivityTracker {
    inner: Arc<Mutex<Inner>>,
    events: UnboundedSender<ClusterEvent>,
}

struct Inner {
    /// `None`: healthy; `Some(error)`: broken with this transport error.
    sources: HashMap<String, Option<String>>,
    state: ConnectionState,
}

impl ConnectivityTracker {
    pub fn new(events: UnboundedSender<ClusterEvent>) -> ConnectivityTracker {
        let inner = Inner { sources: HashMap::new(), state: ConnectionState::Connecting };
        ConnectivityTracker { inner: Arc::new(Mutex::new(inner)), events }
    }

    /// The server answered this source.
    pub fn healthy(&self, source: &str) {
        self.update(|sources| sources.insert(source.to_string(), None));
    }

    /// Records a failure: transport failures break the source, any other answer proves the server is there.
    pub fn failed(&self, source: &str, failure: &Failure) {
        match failure {
            Failure::Transport(message) => {
                self.update(|sources| sources.insert(source.to_string(), Some(message.clone())));
            }
            _ => self.healthy(source),
        }
    }

    /// Forgets a source that stopped (a kind no longer installed, or a one-off request that finished).
    pub fn remove(&self, source: &str) {
        self.update(|sources| sources.remove(source));
    }

    fn update<R>(&self, change: impl FnOnce(&mut HashMap<String, Option<String>>) -> R) {
        let mut inner = self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        change(&mut inner.sources);
        let next = if inner.sources.values().any(Option::is_none) {
            ConnectionState::Connected
        } else {
            // Sorted so the banner's message does not flicker between sources' wordings.
            let mut errors: Vec<&String> = inner.sources.values().flatten().collect();
            errors.sort();
            match errors.first() {
                Some(error) => ConnectionState::Disconnected { error: (*error).clone() },
                None => inner.state.clone(),
            }
        };
        if next != inner.state {
            inner.state = next.clone();
            let _ = self.events.send(ClusterEvent::Connection(next));
        }
    }
}

/// Aborts its task when dropped, so dropping a session (or a kind's watch) stops everything it started.
#[derive(Debug)]
pub struct TaskGuard(tokio::task::JoinHandle<()>);

impl TaskGuard {
    pub fn spawn(future: impl std::future::Future<Output = ()> + Send + 'static) -> TaskGuard {
        TaskGuard(tokio::spawn(future))
    }
}

impl Drop for TaskGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}
