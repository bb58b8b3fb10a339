//! `fluxtui controller`: the embedded Flux engine, headless, against the current (or chosen) context. Its log
//! goes to standard output as JSON lines in Flux's format; it stops on Ctrl-C or SIGTERM (reconciles in flight
//! finish, the leader lease is released) or when another engine takes its lease.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use color_eyre::eyre::{Context as _, Result, eyre};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Client;
use kube::api::{Api, Patch, PatchParams};

use super::duration::parse_duration;
use crate::cluster::{ConnectOptions, connect};
use crate::controllers::runtime::leader::LeaseConfig;
use crate::controllers::runtime::logs::EngineLog;
use crate::controllers::runtime::{Engine, EngineConfig, instance_identity};

#[derive(Debug, Clone, Args)]
pub struct ControllerArgs {
    /// The kubeconfig context to use (default: the kubeconfig's current context).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// The kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// Reconcile objects in this namespace only (default: all namespaces).
    #[arg(long, value_name = "NAMESPACE")]
    pub watch_namespace: Option<String>,
    /// Where artifacts and working copies are kept (default: the state directory's engine/).
    #[arg(long, value_name = "DIR")]
    pub storage_dir: Option<PathBuf>,
    /// The address the artifact server listens on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9090")]
    pub storage_addr: SocketAddr,
    /// The host:port artifact URLs name (default: the listening address).
    #[arg(long, value_name = "HOST:PORT")]
    pub storage_adv_addr: Option<String>,
    /// Reconcile only objects labelled sharding.fluxcd.io/key=KEY.
    #[arg(long, value_name = "KEY")]
    pub shard: Option<String>,
    /// Start even though Flux controllers run in the cluster (needs --shard).
    #[arg(long)]
    pub alongside_flux: bool,
    /// Apply the Flux CRDs (generated from fluxtui's own types) before starting.
    #[arg(long)]
    pub install_crds: bool,
    /// Reconciles in flight per kind.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub concurrent: u16,
    /// The namespace of the leader-election Lease.
    #[arg(long, value_name = "NAMESPACE", default_value = "default")]
    pub lease_namespace: String,
    /// Run without leader election (only when no other engine can run against this cluster).
    #[arg(long)]
    pub no_leader_election: bool,
    /// Serve Prometheus metrics on this address (`/metrics`).
    #[arg(long, value_name = "ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// How soon an object waiting on a dependency (dependsOn) or a source artifact looks again.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub requeue_dependency: Duration,
    /// Apply Kustomizations without spec.serviceAccountName as this ServiceAccount of their namespace
    /// (kustomize-controller's --default-service-account).
    #[arg(long, value_name = "NAME")]
    pub default_service_account: Option<String>,
    /// Reconcile a Kustomization at once when a ConfigMap or Secret it substitutes from (postBuild.substituteFrom)
    /// changes, if the object matches this label selector (empty: every ConfigMap and Secret).
    #[arg(long, value_name = "SELECTOR", default_value = "reconcile.fluxcd.io/watch=Enabled")]
    pub watch_configs_label_selector: String,
    /// Print debug lines too.
    #[arg(long)]
    pub debug: bool,
}

/// The Lease every fluxtui engine competes for.
pub const LEASE_NAME: &str = "fluxtui-controller";

impl ControllerArgs {
    fn config(&self) -> Result<EngineConfig> {
        let storage_dir = match &self.storage_dir {
            Some(dir) => dir.clone(),
            None => default_storage_dir()?,
        };
        let mut config = EngineConfig::new(storage_dir);
        config.namespace = self.watch_namespace.clone();
        config.shard = self.shard.clone();
        config.alongside_flux = self.alongside_flux;
        config.storage_addr = self.storage_addr;
        config.storage_adv_addr = self.storage_adv_addr.clone();
        config.concurrency = self.concurrent.max(1);
        config.debug = self.debug;
        config.metrics_addr = self.metrics_addr;
        config.requeue_dependency = self.requeue_dependency;
        config.default_service_account = self.default_service_account.clone();
        config.watch_configs_selector = self.watch_configs_label_selector.clone();
        if !self.no_leader_election {
            config.lease = Some(LeaseConfig::new(&self.lease_namespace, LEASE_NAME, &instance_identity()));
        }
        Ok(config)
    }
}

/// The engine of `fluxtui --controller`: storage in the state directory, artifacts on any free loopback port,
/// leader election in the `default` namespace.
pub fn embedded_config() -> Result<EngineConfig> {
    let mut config = EngineConfig::new(default_storage_dir()?);
    config.lease = Some(LeaseConfig::new("default", LEASE_NAME, &instance_identity()));
    Ok(config)
}

/// `engine/` under the user's state directory: artifacts and working copies when no `--storage-dir` is given.
fn default_storage_dir() -> Result<PathBuf> {
    Ok(crate::logging::state_dir().wrap_err("no state directory for the engine's storage")?.join("engine"))
}

/// Applies fluxtui's Flux CRDs (server-side apply, field manager `fluxtui`) and waits until they are served.
pub async fn install_crds(client: &Client) -> Result<()> {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    let params = PatchParams::apply("fluxtui").force();
    for crd in crate::api::crd::custom_resource_definitions() {
        let name = crd["metadata"]["name"].as_str().unwrap_or_default().to_string();
        api.patch(&name, &params, &Patch::Apply(&crd)).await.wrap_err_with(|| format!("cannot apply CRD {name}"))?;
    }
    for _ in 0..100 {
        let served = crate::cluster::discovery::discover(client).await?;
        if served.values().all(Option::is_some) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(eyre!("the Flux CRDs were applied but are not served after 10s"))
}

pub async fn run_controller(args: ControllerArgs) -> Result<()> {
    let options = ConnectOptions { kubeconfig: args.kubeconfig.clone(), context: args.context.clone() };
    let connection = connect(&options).await?;
    let client = connection.client().clone();
    if args.install_crds {
        install_crds(&client).await?;
    }
    let config = args.config()?;
    let log = EngineLog::stdout();
    let mut engine = Engine::start(client, config, log.clone())
        .await
        .wrap_err_with(|| format!("the engine did not start on context {}", connection.context_name()))?;
    let lost = tokio::select! {
        _ = shutdown_signal() => false,
        _ = engine.lost_leadership() => true,
    };
    log.info("stopping the engine", serde_json::json!({}));
    engine.stop().await;
    if lost {
        return Err(eyre!("the leader lease was lost to another engine"));
    }
    Ok(())
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(_) => {
                let _ = interrupt.await;
                return;
            }
        };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
