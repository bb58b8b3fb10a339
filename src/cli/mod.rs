//! Command-line parsing and the subcommands.

pub mod demo;
pub mod duration;
pub mod events;
pub mod logs;
pub mod sandbox;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::app::run::{SessionOptions, run};

const AFTER_HELP: &str = "\
Without a subcommand, fluxtui opens the terminal UI on the current kube context.
Press ? inside for the keys of the active keymap.

Logs go to a file in the user's state directory (usually ~/.local/state/fluxtui); FLUXTUI_LOG filters them.";

/// A k9s-style terminal client for Flux CD, with an embedded Flux engine and Kubernetes API server.
#[derive(Debug, Parser)]
#[command(name = "fluxtui", version, about, after_help = AFTER_HELP, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(flatten)]
    pub session: SessionArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// How to open the terminal UI.
#[derive(Debug, Clone, Default, Args)]
pub struct SessionArgs {
    /// The kubeconfig context to use (default: the kubeconfig's current context).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// The kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// Show and watch only this namespace (for users whose RBAC stops at a namespace).
    #[arg(short = 'n', long, value_name = "NAMESPACE", conflicts_with = "all_namespaces")]
    pub namespace: Option<String>,
    /// Show every namespace, even if the config file names a default one.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// A theme name (themes/ or the user's config dir), or the path of a theme or k9s skin file.
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,
    /// A keymap name: default, vim, or one in the user's config dir.
    #[arg(long, value_name = "NAME")]
    pub keymap: Option<String>,
    /// Hide every action that writes to the cluster.
    #[arg(long)]
    pub readonly: bool,
}

impl SessionArgs {
    pub fn options(&self) -> SessionOptions {
        SessionOptions {
            kubeconfig: self.kubeconfig.clone(),
            context: self.context.clone(),
            namespace: self.namespace.clone(),
            all_namespaces: self.all_namespaces,
            theme: self.theme.clone(),
            keymap: self.keymap.clone(),
            readonly: self.readonly,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start an embedded cluster with the Flux CRDs and an example fleet, and open the terminal UI on it.
    Demo(demo::DemoArgs),
    /// Run the embedded Kubernetes API server until interrupted (SIGINT or SIGTERM).
    Sandbox(sandbox::SandboxArgs),
    /// Print the Kubernetes events of Flux objects (or of one object with --for Kind/name), like `flux events`.
    Events(events::EventsArgs),
    /// Print the Flux controllers' logs, parsed and filtered like `flux logs` (--follow to keep printing).
    Logs(logs::LogsArgs),
}

impl Command {
    /// The subcommand's name, for the log; the arguments stay out of it because they may hold tokens.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Sandbox(_) => "sandbox",
            Command::Demo(_) => "demo",
            Command::Events(_) => "events",
            Command::Logs(_) => "logs",
        }
    }
}

impl Cli {
    /// Runs the chosen subcommand, or the terminal UI without one.
    pub async fn run(self) -> color_eyre::Result<()> {
        match self.command {
            Some(Command::Sandbox(args)) => sandbox::run(args).await,
            Some(Command::Demo(args)) => demo::run_demo(args).await,
            Some(Command::Events(args)) => events::run_events(args).await,
            Some(Command::Logs(args)) => logs::run_logs(args).await,
            None => run(self.session.options()).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn namespace_and_all_namespaces_conflict() {
        assert!(Cli::try_parse_from(["fluxtui", "-n", "apps", "-A"]).is_err());
        let cli = Cli::try_parse_from(["fluxtui", "-n", "apps", "--theme", "light", "--readonly"]).unwrap();
        assert_eq!(cli.session.namespace.as_deref(), Some("apps"));
        assert!(cli.session.readonly);
    }
}
