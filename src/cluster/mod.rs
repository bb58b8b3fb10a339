//! The only code that talks to the API server: the client built from a kubeconfig, discovery of the Flux kinds
//! the cluster serves, one watcher and reflector store per kind, and (later) the writes.
//!
//! Watchers never send objects to the app; they update their store and send a short [`ClusterEvent`] naming
//! what changed. The app reads the stores when it recomputes its rows.

pub mod access;
pub mod connect;
mod connectivity;
pub mod discovery;
pub mod edit;
mod error;
pub mod events;
pub mod helm_storage;
mod info;
pub mod live;
pub mod logs;
mod namespaces;
pub mod objects;
mod resilient;
pub mod seed;
pub mod session;
pub mod stores;
pub mod watch;
pub mod writes;

use std::sync::Arc;

use crate::api::FluxKind;

pub use connect::{ConnectOptions, Connection, ContextInfo, connect, contexts};
pub use error::{ClusterError, error_chain};
pub use session::Session;
pub use stores::FluxStores;

/// Whether and how a kind can be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KindState {
    /// Discovery has not answered yet.
    Discovering,
    /// The cluster serves none of the kind's versions (its CRD is not installed).
    NotInstalled,
    /// The API server answered 403 to the list or watch; the message is the server's.
    NoAccess(String),
    /// Watching at this version; the first list has not completed yet.
    Loading { version: String },
    /// Watching at this version; the store holds the complete list.
    Synced { version: String },
    /// The watch failed for another reason and is retrying with backoff.
    Failed(String),
}

/// The health of the connection to the API server, shown as a banner when it is not connected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionState {
    Connecting,
    Connected,
    /// Every watch is failing; they retry with backoff and the banner goes when one succeeds again.
    Disconnected {
        error: String,
    },
}

/// One Flux controller deployment, for the overview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControllerHealth {
    pub name: String,
    pub namespace: String,
    pub ready_replicas: i32,
    pub desired_replicas: i32,
    /// The first container's image (its tag is the controller's version).
    pub image: String,
}

/// Facts about the cluster for the header and the overview.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterInfo {
    /// `gitVersion` from `/version`.
    pub server_version: Option<String>,
    /// The Flux distribution version, from the `app.kubernetes.io/version` label of the flux-system namespace
    /// or the CRDs' `app.kubernetes.io/version` label.
    pub flux_version: Option<String>,
    pub controllers: Vec<ControllerHealth>,
}

/// What the cluster layer tells the app. Short messages: the data stays in the stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterEvent {
    /// The store of this kind changed (objects added, changed, removed, or the list was replaced).
    StoreChanged(FluxKind),
    KindStateChanged(FluxKind, KindState),
    Connection(ConnectionState),
    Info(ClusterInfo),
    /// The namespaces the cluster has, for `:ns` completion.
    NamespacesChanged(Arc<Vec<String>>),
}
