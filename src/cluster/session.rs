//! A session: everything the app watches on one context, started together and stopped together.
//!
//! Switching context or namespace scope is dropping one session and starting another; dropping aborts every
//! task it spawned. Nothing here blocks the caller or panics: every failure becomes a [`ClusterEvent`].
//!
//! A supervisor task owns the kinds' watches. It runs discovery, starts a watch per served kind (restarting it
//! when the served version changes, stopping it when the CRD goes) and waits to be asked again: at once when
//! the CRD watch sees a Flux CRD change, or on a slow backoff when a kind's watch finds its resource gone (the
//! only signal left when the CRD watch is forbidden). There is no periodic polling.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use kube::runtime::watcher::DefaultBackoff;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::time::Instant;

use super::connect::Connection;
use super::connectivity::{ConnectivityTracker, Failure, TaskGuard};
use super::discovery::{ServedVersions, discover, watch_crds};
use super::info::{InfoTracker, fetch_server_version, watch_controllers};
use super::namespaces::watch_namespaces;
use super::watch::{KindWatch, WatchContext};
use super::{ClusterEvent, ConnectionState, FluxStores, KindState};
use crate::api::FluxKind;

/// Why discovery should run again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rediscover {
    /// A Flux CRD appeared, changed or went, or the CRD watch relisted.
    CrdsChanged,
    /// A kind's watch found its resource gone.
    AfterWatchError,
}

/// Several CRDs change together (an install, an upgrade): one discovery after they settle.
const DEBOUNCE: Duration = Duration::from_millis(300);
/// The first wait before discovery re-runs after a watch error; it doubles up to [`SLOWEST_REDISCOVERY`].
const FIRST_ERROR_REDISCOVERY: Duration = Duration::from_secs(10);
const SLOWEST_REDISCOVERY: Duration = Duration::from_secs(300);

/// Every watch of one context. Dropping it (or [`Session::shutdown`]) stops them all.
pub struct Session {
    context_name: String,
    stores: FluxStores,
    tasks: Vec<TaskGuard>,
}

impl Session {
    /// Starts discovery and every watch on the current tokio runtime and returns at once. `namespace` restricts
    /// the Flux kinds' watches to one namespace; the namespace list and the controllers are watched regardless.
    ///
    /// Called outside a tokio runtime it starts nothing and reports the session disconnected.
    pub fn start(connection: Connection, namespace: Option<String>, events: UnboundedSender<ClusterEvent>) -> Session {
        let stores = FluxStores::default();
        let context_name = connection.context_name().to_string();
        if tokio::runtime::Handle::try_current().is_err() {
            let error = "fluxtui started the cluster session outside its async runtime".to_string();
            let _ = events.send(ClusterEvent::Connection(ConnectionState::Disconnected { error }));
            return Session { context_name, stores, tasks: Vec::new() };
        }
        let client = connection.client().clone();
        let connectivity = ConnectivityTracker::new(events.clone());
        let info = InfoTracker::new(events.clone());
        let (rediscover_tx, rediscover_rx) = unbounded_channel();
        let context = WatchContext {
            client: client.clone(),
            namespace,
            stores: stores.clone(),
            events: events.clone(),
            connectivity: connectivity.clone(),
            rediscover: rediscover_tx.clone(),
        };
        let tasks = vec![
            TaskGuard::spawn(supervise(context, rediscover_rx)),
            TaskGuard::spawn(watch_crds(client.clone(), rediscover_tx, connectivity.clone(), info.clone())),
            TaskGuard::spawn(watch_namespaces(client.clone(), events, info.clone(), connectivity.clone())),
            TaskGuard::spawn(watch_controllers(client.clone(), info.clone(), connectivity.clone())),
            TaskGuard::spawn(fetch_server_version(client, info, connectivity)),
        ];
        Session { context_name, stores, tasks }
    }

    /// The stores the watches write; cloning shares them, and they stay readable after the session stops.
    pub fn stores(&self) -> FluxStores {
        self.stores.clone()
    }

    pub fn context_name(&self) -> &str {
        &self.context_name
    }

    /// Stops every watch now (dropping the session does the same).
    pub fn shutdown(&mut self) {
        self.tasks.clear();
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("context_name", &self.context_name)
            .field("running", &!self.tasks.is_empty())
            .finish_non_exhaustive()
    }
}

const DISCOVERY_SOURCE: &str = "discovery";

/// Runs discovery, keeps one watch per served kind, and runs discovery again when asked. Runs until aborted;
/// aborting it drops the kinds' watches, which aborts them.
async fn supervise(context: WatchContext, mut rediscover: UnboundedReceiver<Rediscover>) {
    let mut kinds = Kinds { watches: BTreeMap::new(), not_installed: BTreeSet::new() };
    let mut error_delay = FIRST_ERROR_REDISCOVERY;
    let mut next_error_rediscovery = Instant::now();
    loop {
        let served = discover_until_answered(&context).await;
        if kinds.apply(&context, &served) {
            error_delay = FIRST_ERROR_REDISCOVERY;
        }
        // Wait to be asked again, then let a burst of requests settle into one discovery.
        let Some(first) = rediscover.recv().await else { return };
        let mut deadline = Instant::now() + DEBOUNCE;
        if first == Rediscover::AfterWatchError {
            deadline = deadline.max(next_error_rediscovery);
        }
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(deadline) => break,
                next = rediscover.recv() => match next {
                    None => return,
                    Some(Rediscover::CrdsChanged) => deadline = deadline.min(Instant::now() + DEBOUNCE),
                    Some(Rediscover::AfterWatchError) => {}
                },
            }
        }
        if first == Rediscover::AfterWatchError {
            next_error_rediscovery = Instant::now() + error_delay;
            error_delay = (error_delay * 2).min(SLOWEST_REDISCOVERY);
        }
    }
}

/// Discovery, retried with the default backoff until the server answers.
async fn discover_until_answered(context: &WatchContext) -> ServedVersions {
    let mut backoff = DefaultBackoff::default();
    let mut reported_forbidden = false;
    loop {
        match discover(&context.client).await {
            Ok(served) => {
                // An answer proves the server is there; as a one-off it must not keep the banner green later.
                context.connectivity.healthy(DISCOVERY_SOURCE);
                context.connectivity.remove(DISCOVERY_SOURCE);
                return served;
            }
            Err(error) => {
                tracing::debug!(%error, "discovery failed; retrying");
                let failure = Failure::from_kube(&error);
                context.connectivity.failed(DISCOVERY_SOURCE, &failure);
                if let Failure::Forbidden(message) = &failure
                    && !reported_forbidden
                {
                    // No kind can be found, let alone watched: say why on every pane, once.
                    reported_forbidden = true;
                    for kind in FluxKind::ALL {
                        let state = KindState::NoAccess(message.clone());
                        let _ = context.events.send(ClusterEvent::KindStateChanged(kind, state));
                    }
                }
            }
        }
        tokio::time::sleep(backoff.next().unwrap_or(Duration::from_secs(30))).await;
    }
}

/// The kinds' watches, as discovery last decided them.
struct Kinds {
    watches: BTreeMap<FluxKind, KindWatch>,
    not_installed: BTreeSet<FluxKind>,
}

impl Kinds {
    /// Starts, restarts or stops watches to match `served`; returns whether anything changed.
    fn apply(&mut self, context: &WatchContext, served: &ServedVersions) -> bool {
        let mut changed = false;
        for (&kind, &version) in served {
            match version {
                Some(version) => {
                    if self.watches.get(&kind).map(|watch| watch.version) != Some(version) {
                        // Replacing the entry drops (aborts) the watch of the old version.
                        self.watches.insert(kind, KindWatch::spawn(context, kind, version));
                        self.not_installed.remove(&kind);
                        changed = true;
                    }
                }
                None => {
                    if self.not_installed.insert(kind) {
                        self.watches.remove(&kind);
                        context.stores.remove(kind);
                        let _ = context.events.send(ClusterEvent::KindStateChanged(kind, KindState::NotInstalled));
                        let _ = context.events.send(ClusterEvent::StoreChanged(kind));
                        changed = true;
                    }
                }
            }
        }
        changed
    }
}
