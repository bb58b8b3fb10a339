//! `fluxtui tree ks|hr NAME`: the objects a Kustomization or HelmRelease manages, printed as `flux tree` prints
//! them (or as JSON), from the same model the TUI's tree view draws.

use clap::{Args, ValueEnum};
use color_eyre::eyre::Result;

use crate::api::FluxKind;
use crate::app::insight_tasks::{build_tree, flux_reference};
use crate::cluster::objects::ObjectAccess;
use crate::cluster::{ConnectOptions, connect};
use crate::model::tree::{tree_json, tree_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TreeKind {
    #[value(name = "ks", alias = "kustomization")]
    Kustomization,
    #[value(name = "hr", alias = "helmrelease")]
    HelmRelease,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum TreeOutput {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct TreeArgs {
    /// ks (Kustomization) or hr (HelmRelease).
    pub kind: TreeKind,
    pub name: String,
    /// The object's namespace.
    #[arg(short = 'n', long, default_value = "flux-system")]
    pub namespace: String,
    #[arg(short = 'o', long, value_enum, default_value_t = TreeOutput::Text)]
    pub output: TreeOutput,
    /// The kubeconfig context to use (default: the kubeconfig's current context).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// The kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<std::path::PathBuf>,
}

/// Prints the tree; exits with 1 when the root object cannot be read.
pub async fn run(args: TreeArgs) -> Result<()> {
    let connection =
        connect(&ConnectOptions { kubeconfig: args.kubeconfig.clone(), context: args.context.clone() }).await?;
    let access = ObjectAccess::new(connection.client().clone());
    let kind = match args.kind {
        TreeKind::Kustomization => FluxKind::Kustomization,
        TreeKind::HelmRelease => FluxKind::HelmRelease,
    };
    // The newest version the cluster serves, as the TUI's discovery picks it.
    let mut version = None;
    let mut last_error = String::new();
    for candidate in kind.versions() {
        match access.resolve(&format!("{}/{candidate}", kind.group()), kind.name()).await {
            Ok(_) => {
                version = Some(*candidate);
                break;
            }
            Err(err) => last_error = err,
        }
    }
    let Some(version) = version else {
        eprintln!("✗ the cluster does not serve {}: {last_error}", kind.name());
        std::process::exit(1);
    };
    let root = flux_reference(kind, version, &args.namespace, &args.name);
    match build_tree(&access, &root).await {
        Ok(tree) => {
            match args.output {
                TreeOutput::Text => print!("{}", tree_text(&tree)),
                TreeOutput::Json => println!("{}", serde_json::to_string_pretty(&tree_json(&tree))?),
            }
            Ok(())
        }
        Err(message) => {
            eprintln!("✗ {message}");
            std::process::exit(1);
        }
    }
}
