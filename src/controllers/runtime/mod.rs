//! The engine's runtime: what every reconciler shares, and [`Engine`], which starts them.
//!
//! Start-up, in order: discovery (which Flux kinds the cluster serves), the ownership check (no running Flux
//! controllers unless sharded), the artifact storage and its HTTP server, leader election on a Lease, then one
//! kube-rs `Controller` per kind ([`driver`]). [`Engine::stop`] ends them in reverse: reconciles in flight
//! finish, the lease is released, the artifact server stops.

pub mod backoff;
pub mod context;
pub mod driver;
pub mod events;
pub mod impersonation;
pub mod kinds;
pub mod leader;
pub mod logs;
pub mod metrics;
pub mod ownership;
pub mod patch;
pub mod seen_revisions;
pub mod source;
pub mod subject;
pub mod triggers;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use kube::Client;
use tokio::sync::watch;
use tokio::task::JoinSet;

use self::backoff::Backoff;
use self::context::Context;
use self::driver::run_kind;
use self::leader::LeaseConfig;
use self::logs::EngineLog;
use crate::api::FluxKind;
use crate::controllers::storage::{ArtifactServer, Storage, StorageError, layout};

/// How to run the engine.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Only this namespace (`--watch-namespace`); all namespaces when `None`.
    pub namespace: Option<String>,
    /// Only objects labelled `sharding.fluxcd.io/key=<shard>`.
    pub shard: Option<String>,
    /// Start although Flux controllers run (needs a shard).
    pub alongside_flux: bool,
    /// The artifact storage directory.
    pub storage_dir: PathBuf,
    /// Where the artifact server listens (port 0: any free port).
    pub storage_addr: SocketAddr,
    /// The `host:port` artifact URLs name; the bound address when `None`.
    pub storage_adv_addr: Option<String>,
    /// Reconciles in flight per kind.
    pub concurrency: u16,
    /// Leader election; `None` runs without (tests, a single engine by construction).
    pub lease: Option<LeaseConfig>,
    /// The kinds to run; those the cluster does not serve are skipped with a log line.
    pub kinds: Vec<FluxKind>,
    /// Debug lines in the log.
    pub debug: bool,
    /// Where `/metrics` is served; not served when `None`.
    pub metrics_addr: Option<SocketAddr>,
    /// `--requeue-dependency`: how soon an object waiting on a dependency or an artifact looks again.
    pub requeue_dependency: Duration,
    /// kustomize-controller's `--default-service-account`: the account Kustomizations without
    /// `spec.serviceAccountName` are applied as; the engine's own identity when `None`.
    pub default_service_account: Option<String>,
    /// `--watch-configs-label-selector`: the ConfigMaps and Secrets whose changes reconcile the Kustomizations
    /// that substitute from them at once (Flux's default: `reconcile.fluxcd.io/watch=Enabled`; empty: all).
    pub watch_configs_selector: String,
}

impl EngineConfig {
    /// A configuration with Flux's defaults and the storage under `storage_dir`.
    pub fn new(storage_dir: PathBuf) -> EngineConfig {
        EngineConfig {
            namespace: None,
            shard: None,
            alongside_flux: false,
            storage_dir,
            storage_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            storage_adv_addr: None,
            concurrency: 4,
            lease: None,
            kinds: crate::controllers::IMPLEMENTED_KINDS.to_vec(),
            debug: false,
            metrics_addr: None,
            requeue_dependency: context::DEFAULT_REQUEUE_DEPENDENCY,
            default_service_account: None,
            watch_configs_selector: context::default_watch_configs_selector(),
        }
    }

    /// The directory the artifact storage lives in (readers in the same process, such as the TUI's diff, open it
    /// there instead of downloading).
    pub fn artifact_root(&self) -> PathBuf {
        self.storage_dir.join("artifacts")
    }
}

/// Why the engine did not start.
#[derive(Debug, thiserror::Error)]
pub enum EngineStartError {
    #[error("unable to ask the cluster which Flux kinds it serves: {0}")]
    Discovery(kube::Error),
    #[error(
        "none of the engine's kinds are served by the cluster: install the Flux CRDs (fluxtui controller --install-crds)"
    )]
    NoKinds,
    #[error("unable to check for running Flux controllers: {0}")]
    Ownership(kube::Error),
    #[error(transparent)]
    Refused(#[from] ownership::OwnershipError),
    #[error("artifact storage: {0}")]
    Storage(#[from] StorageError),
    #[error("cannot serve metrics on {address}: {source}")]
    Metrics { address: SocketAddr, source: std::io::Error },
    #[error("stopped while waiting for the leader lease")]
    StoppedWaiting,
    #[error("--watch-configs-label-selector: {0}")]
    WatchConfigsSelector(#[from] crate::model::selector::SelectorError),
}

/// How long reconciles in flight may take to finish when the engine stops.
const STOP_GRACE: Duration = Duration::from_secs(20);

/// A running engine.
pub struct Engine {
    stop: watch::Sender<bool>,
    lost: watch::Receiver<bool>,
    _lost_keeper: Option<watch::Sender<bool>>,
    metrics_server: Option<metrics::MetricsServer>,
    tasks: JoinSet<()>,
    server: Option<ArtifactServer>,
    storage: Arc<Storage>,
    kinds: Vec<FluxKind>,
}

/// This process's identity for leases and events: host name and process id.
pub fn instance_identity() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "fluxtui".to_string());
    format!("{host}_{}", std::process::id())
}

impl Engine {
    /// Starts the engine; returns once it holds the lease and its controllers run.
    pub async fn start(client: Client, config: EngineConfig, log: EngineLog) -> Result<Engine, EngineStartError> {
        let log = log.with_debug(config.debug);
        let served = crate::cluster::discovery::discover(&client).await.map_err(EngineStartError::Discovery)?;
        let versions: HashMap<FluxKind, String> =
            served.iter().filter_map(|(kind, version)| version.map(|v| (*kind, v.to_string()))).collect();
        let kinds: Vec<FluxKind> = config.kinds.iter().copied().filter(|k| versions.contains_key(k)).collect();
        for kind in config.kinds.iter().filter(|k| !versions.contains_key(k)) {
            log.info("kind not served by the cluster, not reconciled", serde_json::json!({"kind": kind.name()}));
        }
        if kinds.is_empty() {
            return Err(EngineStartError::NoKinds);
        }
        let running = ownership::running_flux_controllers(&client).await.map_err(EngineStartError::Ownership)?;
        ownership::check(&running, config.alongside_flux, config.shard.as_deref())?;

        let storage_root = config.artifact_root();
        let server = ArtifactServer::start(&storage_root, config.storage_addr).await?;
        let advertised =
            config.storage_adv_addr.clone().unwrap_or_else(|| layout::advertised_address_for(server.address()));
        let storage = Arc::new(Storage::new(&storage_root, advertised.clone())?);

        let (stop, stop_rx) = watch::channel(false);
        let (lost_tx, lost) = watch::channel(false);
        // Kept by the engine when there is no lease, so the channel stays open and "lost" never fires.
        let mut lost_keeper = Some(lost_tx);
        let mut tasks = JoinSet::new();
        let identity = instance_identity();
        if let Some(lease) = &config.lease {
            let mut waiting = stop_rx.clone();
            if !leader::acquire(&client, lease, &log, &mut waiting).await {
                server.stop().await;
                return Err(EngineStartError::StoppedWaiting);
            }
            if let Some(lost_tx) = lost_keeper.take() {
                tasks.spawn(leader::keep(client.clone(), lease.clone(), log.clone(), stop_rx.clone(), lost_tx));
            }
        }

        let mut ctx = Context::new(
            client,
            storage.clone(),
            config.storage_dir.join("work"),
            log.clone(),
            Backoff::new(Duration::from_millis(750), Duration::from_secs(15 * 60), 5),
            config.namespace.clone(),
            versions,
            &identity,
        );
        ctx.requeue_dependency = config.requeue_dependency;
        ctx.default_service_account = config.default_service_account.clone().filter(|s| !s.is_empty());
        // The API server would refuse a bad selector on every watch; refuse it once, here.
        crate::model::selector::LabelSelector::parse(&config.watch_configs_selector)?;
        ctx.watch_configs_selector = config.watch_configs_selector.trim().to_string();
        let ctx = Arc::new(ctx);
        let metrics_server = match config.metrics_addr {
            Some(address) => Some(
                metrics::MetricsServer::start(ctx.metrics.clone(), address)
                    .await
                    .map_err(|source| EngineStartError::Metrics { address, source })?,
            ),
            None => None,
        };
        let selector = config.shard.as_deref().map(ownership::shard_selector);
        for kind in &kinds {
            let Some(runner) = crate::controllers::runner_for(*kind, &ctx) else { continue };
            let ctx = ctx.clone();
            let selector = selector.clone();
            let concurrency = config.concurrency;
            let mut stopped = stop_rx.clone();
            let mut lost_rx = lost.clone();
            let shutdown = async move {
                // A closed channel is no signal: only a sent `true` stops the controller.
                let stop = async {
                    if stopped.wait_for(|s| *s).await.is_err() {
                        std::future::pending::<()>().await;
                    }
                };
                let lost = async {
                    if lost_rx.wait_for(|l| *l).await.is_err() {
                        std::future::pending::<()>().await;
                    }
                };
                tokio::select! {
                    _ = stop => {}
                    _ = lost => {}
                }
            };
            let log = log.clone();
            tasks.spawn(async move {
                if let Err(err) = run_kind(runner, ctx, selector, concurrency, shutdown).await {
                    log.error("controller stopped", &err.to_string());
                }
            });
        }
        log.info(
            "engine started",
            serde_json::json!({
                "kinds": kinds.iter().map(|k| k.name()).collect::<Vec<_>>(),
                "namespace": config.namespace.as_deref().unwrap_or("*"),
                "storageAddr": advertised,
                "identity": identity,
                "metricsAddr": metrics_server.as_ref().map(|m| m.address().to_string()),
            }),
        );
        Ok(Engine {
            stop,
            lost,
            _lost_keeper: lost_keeper,
            tasks,
            server: Some(server),
            storage,
            kinds,
            metrics_server,
        })
    }

    /// The kinds this engine reconciles.
    pub fn kinds(&self) -> &[FluxKind] {
        &self.kinds
    }

    /// The artifact storage.
    pub fn storage(&self) -> &Arc<Storage> {
        &self.storage
    }

    /// The address the artifact server listens on.
    pub fn storage_address(&self) -> Option<SocketAddr> {
        self.server.as_ref().map(ArtifactServer::address)
    }

    /// The address `/metrics` is served on, if it is.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics_server.as_ref().map(metrics::MetricsServer::address)
    }

    /// Resolves when the engine lost its lease (another engine took over).
    pub async fn lost_leadership(&mut self) {
        if self.lost.wait_for(|l| *l).await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    /// Stops the controllers (reconciles in flight finish), releases the lease and stops the artifact server.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        let drained = tokio::time::timeout(STOP_GRACE, async { while self.tasks.join_next().await.is_some() {} }).await;
        if drained.is_err() {
            // A controller whose watch never listed (the API server gone) cannot wind down on its own.
            self.tasks.shutdown().await;
        }
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
    }
}
