//! `fluxtui demo`: an embedded sandbox cluster with the Flux CRDs and a realistic fleet, and the terminal UI on
//! it. Nothing outside the process is touched except a kubeconfig in the state directory, so `kubectl` can
//! change the demo while it runs.

use std::path::PathBuf;

use chrono::Utc;
use clap::Args;
use color_eyre::eyre::{Context, Result};
use fluxtui_sandbox::{Sandbox, SandboxConfig};

use crate::app::run::{SessionOptions, run};
use crate::cluster::seed::create_with_status;
use crate::controllers::runtime::EngineConfig;
use crate::{api, demo};

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// A theme name or the path of a theme or k9s skin file.
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,
    /// A keymap name: default, vim, or one in the user's config dir.
    #[arg(long, value_name = "NAME")]
    pub keymap: Option<String>,
    /// Where to write the demo cluster's kubeconfig (default: the state directory's demo.kubeconfig).
    #[arg(long, value_name = "PATH")]
    pub write_kubeconfig: Option<PathBuf>,
    /// Do not run the embedded engine: every object keeps the status it was seeded with.
    #[arg(long)]
    pub no_controller: bool,
}

pub async fn run_demo(args: DemoArgs) -> Result<()> {
    let config = SandboxConfig { pod_ready_delay: std::time::Duration::from_millis(300), ..SandboxConfig::default() };
    let sandbox = Sandbox::start(config).await.wrap_err("the demo cluster did not start")?;
    let kubeconfig = match args.write_kubeconfig.clone() {
        Some(path) => path,
        None => {
            crate::logging::state_dir().wrap_err("no state directory for the demo kubeconfig")?.join("demo.kubeconfig")
        }
    };
    if let Some(parent) = kubeconfig.parent() {
        std::fs::create_dir_all(parent).wrap_err_with(|| format!("cannot create {}", parent.display()))?;
    }
    sandbox
        .write_kubeconfig(&kubeconfig, None)
        .wrap_err_with(|| format!("cannot write the demo kubeconfig to {}", kubeconfig.display()))?;
    let state_dir = kubeconfig.parent().map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    let result = async {
        let engine = if args.no_controller { None } else { Some(demo_engine(&state_dir)?) };
        seed(&kubeconfig, engine.as_ref().map(|(_, url)| url.as_str())).await?;
        let options = SessionOptions {
            kubeconfig: Some(kubeconfig.clone()),
            theme: args.theme.clone(),
            keymap: args.keymap.clone(),
            engine: engine.map(|(config, _)| config),
            ..SessionOptions::default()
        };
        run(options).await
    }
    .await;
    sandbox.shutdown().await;
    result
}

/// The demo's Git repository (made afresh in the state directory's `demo-repository`) and the engine that
/// reconciles the sources pointing at it: fresh storage, the demo's shard only (the seeded fleet keeps its
/// statuses and the simulated Flux controllers run next to it), no lease (the demo cluster is the process's own).
fn demo_engine(state_dir: &std::path::Path) -> Result<(EngineConfig, String)> {
    let repository = state_dir.join("demo-repository");
    demo::repository::create_repository(&repository)
        .map_err(|err| color_eyre::eyre::eyre!("cannot create the demo's Git repository: {err}"))?;
    let storage = state_dir.join("demo-engine");
    // Artifacts of an earlier demo belong to objects that no longer exist.
    let _ = std::fs::remove_dir_all(&storage);
    let mut config = EngineConfig::new(storage);
    config.shard = Some(demo::repository::DEMO_SHARD.to_string());
    config.alongside_flux = true;
    // The demo's dependsOn chain should settle while the user watches, not in 30 s steps.
    config.requeue_dependency = std::time::Duration::from_secs(5);
    Ok((config, format!("file://{}", repository.display())))
}

/// Installs the CRDs, the namespaces, the controllers' deployments, the fleet and the engine's sources.
async fn seed(kubeconfig: &std::path::Path, repository_url: Option<&str>) -> Result<()> {
    let options = crate::cluster::ConnectOptions { kubeconfig: Some(kubeconfig.to_path_buf()), context: None };
    let connection = crate::cluster::connect(&options).await?;
    let client = connection.client();
    create_with_status(client, &api::crd::custom_resource_definitions()).await?;
    create_with_status(client, &demo::namespaces()).await?;
    create_with_status(client, &demo::controller_deployments()).await?;
    create_with_status(client, &demo::flux_objects(Utc::now())).await?;
    if let Some(url) = repository_url {
        create_with_status(client, &demo::repository::live_objects(url)).await?;
    }
    Ok(())
}
