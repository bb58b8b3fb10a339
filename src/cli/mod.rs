//! Command-line parsing and the subcommands.

pub mod controller;
pub mod demo;
pub mod diff;
/// Go duration strings (`500ms`, `1m30s`), shared with the engine (`model::go_duration`).
pub use crate::model::go_duration as duration;
pub mod events;
pub mod get;
pub mod kustomize;
pub mod logs;
pub mod reconcile;
pub mod sandbox;
pub mod tree;

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
    /// How long a reconcile may take before it is reported as timed out (default 5m, or the config's).
    #[arg(long, value_name = "DURATION", value_parser = duration::parse_duration)]
    pub reconcile_timeout: Option<std::time::Duration>,
    /// Also run the embedded Flux engine against this context (its state in the header, its log in the
    /// controllers' logs view). The same rules as `fluxtui controller` apply: it refuses to run next to Flux.
    #[arg(long)]
    pub controller: bool,
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
            reconcile_timeout: self.reconcile_timeout,
            engine: None,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the embedded Flux engine (sources and Kustomizations) against the current context, without the UI.
    Controller(controller::ControllerArgs),
    /// Start an embedded cluster with the Flux CRDs and an example fleet, and open the terminal UI on it.
    Demo(demo::DemoArgs),
    /// Build kustomizations with fluxtui's own kustomize engine (`kustomize build DIR`).
    Kustomize(kustomize::KustomizeArgs),
    /// Run the embedded Kubernetes API server until interrupted (SIGINT or SIGTERM).
    Sandbox(sandbox::SandboxArgs),
    /// List Flux objects once, like `flux get` (exit code 1 for an unknown kind, a missing object or an API error).
    Get(get::GetArgs),
    /// Ask for a reconcile and wait for its outcome, like `flux reconcile` (exit 0 ready, 1 failed, 2 timed out).
    Reconcile(reconcile::ReconcileArgs),
    /// Suspend an object (spec.suspend: true), like `flux suspend`.
    Suspend(reconcile::SuspendArgs),
    /// Resume an object and wait until it is ready, like `flux resume` (exit 0 ready, 1 failed, 2 timed out).
    Resume(reconcile::SuspendArgs),
    /// Show what reconciling a Kustomization now would change (server-side dry-run), like `flux diff ks`
    /// (exit 0 no differences, 1 differences, 2 error).
    Diff(diff::DiffArgs),
    /// Print the objects a Kustomization or HelmRelease manages, like `flux tree` (exit 1 if it is not found).
    Tree(tree::TreeArgs),
    /// Print the Kubernetes events of Flux objects (or of one object with --for Kind/name), like `flux events`.
    Events(events::EventsArgs),
    /// Print the Flux controllers' logs, parsed and filtered like `flux logs` (--follow to keep printing).
    Logs(logs::LogsArgs),
}

impl Command {
    /// The subcommand's name, for the log; the arguments stay out of it because they may hold tokens.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Controller(_) => "controller",
            Command::Sandbox(_) => "sandbox",
            Command::Demo(_) => "demo",
            Command::Kustomize(_) => "kustomize",
            Command::Get(_) => "get",
            Command::Reconcile(_) => "reconcile",
            Command::Suspend(_) => "suspend",
            Command::Resume(_) => "resume",
            Command::Diff(_) => "diff",
            Command::Tree(_) => "tree",
            Command::Events(_) => "events",
            Command::Logs(_) => "logs",
        }
    }
}

impl Cli {
    /// Runs the chosen subcommand, or the terminal UI without one.
    pub async fn run(self) -> color_eyre::Result<()> {
        match self.command {
            Some(Command::Controller(args)) => controller::run_controller(args).await,
            Some(Command::Sandbox(args)) => sandbox::run(args).await,
            Some(Command::Demo(args)) => demo::run_demo(args).await,
            Some(Command::Kustomize(args)) => kustomize::run_kustomize(args),
            Some(Command::Get(args)) => get::run(args).await,
            Some(Command::Reconcile(args)) => exit_with(reconcile::run_reconcile(args).await),
            Some(Command::Suspend(args)) => exit_with(reconcile::run_suspend(args).await),
            Some(Command::Resume(args)) => exit_with(reconcile::run_resume(args).await),
            Some(Command::Diff(args)) => exit_with(diff::run_diff(args).await),
            Some(Command::Tree(args)) => tree::run(args).await,
            Some(Command::Events(args)) => events::run_events(args).await,
            Some(Command::Logs(args)) => logs::run_logs(args).await,
            None => {
                let mut options = self.session.options();
                if self.session.controller {
                    options.engine = Some(controller::embedded_config()?);
                }
                run(options).await
            }
        }
    }
}

/// Ends a headless command with its exit code (its output is printed already).
fn exit_with(code: i32) -> color_eyre::Result<()> {
    if code != 0 {
        std::process::exit(code);
    }
    Ok(())
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
