//! Streams that live as long as a screen: the events watch of an events view and the log followers of a logs
//! view. Each has a number the screen keeps; the event loop starts a stream for an effect and drops it (which
//! aborts its tasks) as soon as no screen on the stack holds its number.
//!
//! Updates come back through one bounded channel, so a producer faster than the UI (a log burst) waits for the
//! UI instead of filling memory.

use std::collections::HashMap;

use kube::Client;
use tokio::sync::mpsc;

use super::connectivity::TaskGuard;
use super::events::{EventsUpdate, watch_events};
use super::logs::{LogBatch, LogTarget, follow_logs};
use crate::model::events::EventTarget;

/// How many updates may wait for the UI. Each is a batch (a snapshot of events, up to a few thousand log lines),
/// so this bounds what a burst can hold in flight.
pub const LIVE_CHANNEL_CAPACITY: usize = 32;

/// What a live stream reports.
#[derive(Debug)]
pub enum LiveUpdate {
    Events(EventsUpdate),
    Logs(LogBatch),
}

/// The streams the event loop runs for open screens.
pub struct LiveStreams {
    tx: mpsc::Sender<LiveUpdate>,
    running: HashMap<u64, Vec<TaskGuard>>,
}

impl LiveStreams {
    /// The streams and the receiver the event loop reads their updates from.
    pub fn new() -> (LiveStreams, mpsc::Receiver<LiveUpdate>) {
        let (tx, rx) = mpsc::channel(LIVE_CHANNEL_CAPACITY);
        (LiveStreams { tx, running: HashMap::new() }, rx)
    }

    /// A sender for producers outside the cluster layer (the embedded controller's own log lines, later).
    pub fn sender(&self) -> mpsc::Sender<LiveUpdate> {
        self.tx.clone()
    }

    pub fn watch_events(&mut self, client: Client, stream: u64, target: EventTarget) {
        let task = TaskGuard::spawn(watch_events(client, target, stream, self.tx.clone()));
        self.running.insert(stream, vec![task]);
    }

    pub fn follow_logs(&mut self, client: Client, stream: u64, target: LogTarget, limit: usize) {
        let task = TaskGuard::spawn(follow_logs(client, target, stream, limit, self.tx.clone()));
        self.running.insert(stream, vec![task]);
    }

    /// Adds a producer to stream `stream` (the embedded engine's lines next to the pods'); it stops with the
    /// stream.
    pub fn attach(&mut self, stream: u64, producer: impl std::future::Future<Output = ()> + Send + 'static) {
        self.running.entry(stream).or_default().push(TaskGuard::spawn(producer));
    }

    /// Stops every stream whose number `keep` refuses (its screen was closed).
    pub fn retain(&mut self, keep: impl Fn(u64) -> bool) {
        self.running.retain(|stream, _| keep(*stream));
    }

    /// Stops everything (a new session: the streams belong to the old context).
    pub fn clear(&mut self) {
        self.running.clear();
    }

    pub fn len(&self) -> usize {
        self.running.len()
    }

    pub fn is_empty(&self) -> bool {
        self.running.is_empty()
    }
}
