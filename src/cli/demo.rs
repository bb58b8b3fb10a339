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
    let result = async {
        seed(&kubeconfig).await?;
        let options = SessionOptions {
            kubeconfig: Some(kubeconfig.clone()),
            theme: args.theme.clone(),
            keymap: args.keymap.clone(),
            ..SessionOptions::default()
        };
        run(options).await
    }
    .await;
    sandbox.shutdown().await;
    result
}

/// Installs the CRDs, the namespaces, the controllers' deployments and the fleet.
async fn seed(kubeconfig: &std::path::Path) -> Result<()> {
    let options = crate::cluster::ConnectOptions { kubeconfig: Some(kubeconfig.to_path_buf()), context: None };
    let connection = crate::cluster::connect(&options).await?;
    let client = connection.client();
    create_with_status(client, &api::crd::custom_resource_definitions()).await?;
    create_with_status(client, &demo::namespaces()).await?;
    create_with_status(client, &demo::controller_deployments()).await?;
    create_with_status(client, &demo::flux_objects(Utc::now())).await?;
    Ok(())
}
