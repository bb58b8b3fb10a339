//! `fluxtui sandbox`: runs the embedded Kubernetes API server in the foreground until SIGINT or SIGTERM.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use color_eyre::eyre::{Context, Result};
use fluxtui_sandbox::{Sandbox, SandboxConfig};

use super::duration::parse_duration;

#[derive(Debug, Clone, Args)]
pub struct SandboxArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,

    /// Once the server is ready, write a kubeconfig for it to this file (atomically, replacing any file there).
    #[arg(long, value_name = "PATH")]
    pub write_kubeconfig: Option<PathBuf>,

    /// Keep the cluster's objects in this directory, so they survive a restart; without it they live in memory.
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,

    /// Require this bearer token for full access; without it every request is accepted. The written kubeconfig
    /// carries it. Implies --tls, since kubectl and helm send tokens only over TLS.
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,

    /// Serve HTTPS with a certificate from the sandbox's own CA, which the written kubeconfig trusts (kept in
    /// --state-dir when given, so kubeconfigs stay valid across restarts).
    #[arg(long)]
    pub tls: bool,

    /// Also accept this bearer token, for reading only: every write made with it is refused with 403 Forbidden.
    #[arg(long, value_name = "TOKEN", requires = "token")]
    pub read_only_token: Option<String>,

    /// How long a simulated pod takes to become Ready (for example 500ms, 2s, 0).
    #[arg(long, value_name = "DURATION", default_value = "500ms", value_parser = parse_duration)]
    pub pod_ready_delay: Duration,
}

impl SandboxArgs {
    /// The server configuration these flags describe; everything not on the command line keeps its default.
    pub fn config(&self) -> SandboxConfig {
        SandboxConfig {
            listen: self.listen,
            state_dir: self.state_dir.clone(),
            token: self.token.clone(),
            read_only_token: self.read_only_token.clone(),
            pod_ready_delay: self.pod_ready_delay,
            tls: self.tls || self.token.is_some(),
            ..SandboxConfig::default()
        }
    }
}

/// Starts the server, writes the kubeconfig, says how to use it, and serves until SIGINT or SIGTERM.
pub async fn run(args: SandboxArgs) -> Result<()> {
    // Signal handlers go in before the server starts, so a signal that arrives during start-up is not missed.
    let shutdown = ShutdownSignal::install().wrap_err("cannot install the SIGINT/SIGTERM handlers")?;

    let sandbox = Sandbox::start(args.config()).await.wrap_err("the sandbox did not start")?;
    tracing::info!(url = %sandbox.url(), state_dir = ?args.state_dir, "sandbox started");

    let line = match &args.write_kubeconfig {
        Some(path) => {
            if let Err(err) = sandbox.write_kubeconfig(path, args.token.as_deref()) {
                sandbox.shutdown().await;
                return Err(err).wrap_err_with(|| format!("cannot write the kubeconfig to {}", path.display()));
            }
            with_kubeconfig_line(&sandbox.url(), &absolute(path))
        }
        None => without_kubeconfig_line(&sandbox.url()),
    };
    println!("{line}");

    let signal = shutdown.wait().await;
    tracing::info!(signal, "shutting the sandbox down");
    sandbox.shutdown().await;
    tracing::info!("sandbox stopped");
    Ok(())
}

fn with_kubeconfig_line(url: &str, kubeconfig: &Path) -> String {
    let kubeconfig = kubeconfig.display();
    format!("fluxtui sandbox listening on {url} (Ctrl-C stops it); kubeconfig written: export KUBECONFIG={kubeconfig}")
}

fn without_kubeconfig_line(url: &str) -> String {
    format!(
        "fluxtui sandbox listening on {url} (Ctrl-C stops it); use it with kubectl --server {url}, \
         or pass --write-kubeconfig PATH and export KUBECONFIG=PATH"
    )
}

/// The path as the user should paste it: absolute, so `export KUBECONFIG=` works from any directory.
fn absolute(path: &Path) -> PathBuf {
    // Only fails when the current directory is unreadable; the path as given is then the best there is.
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// SIGINT and SIGTERM, either of which stops the server.
#[cfg(unix)]
struct ShutdownSignal {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl ShutdownSignal {
    fn install() -> std::io::Result<ShutdownSignal> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(ShutdownSignal { interrupt: signal(SignalKind::interrupt())?, terminate: signal(SignalKind::terminate())? })
    }

    /// Waits for the first signal and names it.
    async fn wait(mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }
}

/// Ctrl-C, the only stop signal outside Unix.
#[cfg(not(unix))]
struct ShutdownSignal;

#[cfg(not(unix))]
impl ShutdownSignal {
    fn install() -> std::io::Result<ShutdownSignal> {
        Ok(ShutdownSignal)
    }

    async fn wait(self) -> &'static str {
        // If Ctrl-C cannot be listened for, stopping at once beats a server nobody can stop.
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    use crate::cli::{Cli, Command};

    fn parse(args: &[&str]) -> Result<SandboxArgs, clap::Error> {
        let cli = Cli::try_parse_from(std::iter::once("fluxtui").chain(args.iter().copied()))?;
        match cli.command {
            Some(Command::Sandbox(args)) => Ok(args),
            other => panic!("no sandbox subcommand parsed from {args:?}: {other:?}"),
        }
    }

    #[test]
    fn flags_map_onto_the_server_configuration() {
        let args = parse(&[
            "sandbox",
            "--listen",
            "127.0.0.1:6443",
            "--state-dir",
            "/tmp/state",
            "--token",
            "admin",
            "--read-only-token",
            "viewer",
            "--pod-ready-delay",
            "2s",
        ])
        .expect("valid flags");
        let config = args.config();
        assert_eq!(config.listen, "127.0.0.1:6443".parse().expect("literal address"));
        assert_eq!(config.state_dir, Some(PathBuf::from("/tmp/state")));
        assert_eq!(config.token.as_deref(), Some("admin"));
        assert_eq!(config.read_only_token.as_deref(), Some("viewer"));
        assert_eq!(config.pod_ready_delay, Duration::from_secs(2));
        assert!(config.tls, "a token implies TLS");
    }

    #[test]
    fn a_token_alone_turns_tls_on() {
        // client-go sends tokens only over TLS, so a token over plain HTTP would lock kubectl out.
        let config = parse(&["sandbox", "--token", "admin"]).expect("valid flags").config();
        assert_eq!(config.token.as_deref(), Some("admin"));
        assert!(config.tls);
    }

    #[test]
    fn tls_alone_serves_https_without_tokens() {
        let config = parse(&["sandbox", "--tls"]).expect("valid flags").config();
        assert!(config.tls);
        assert_eq!(config.token, None);
        assert_eq!(config.read_only_token, None);
    }

    #[test]
    fn defaults_are_an_in_memory_server_on_a_free_loopback_port() {
        let config = parse(&["sandbox"]).expect("no flags").config();
        assert_eq!(config.listen, SocketAddr::from(([127, 0, 0, 1], 0)));
        assert_eq!(config.state_dir, None);
        assert_eq!(config.token, None);
        assert_eq!(config.pod_ready_delay, Duration::from_millis(500));
        assert!(!config.tls, "plain HTTP unless asked for");
    }

    #[test]
    fn a_read_only_token_needs_a_full_token() {
        // Without --token every request is accepted, so a read-only token would protect nothing.
        assert!(parse(&["sandbox", "--read-only-token", "viewer"]).is_err());
    }

    #[test]
    fn a_duration_without_a_unit_is_refused() {
        assert!(parse(&["sandbox", "--pod-ready-delay", "500"]).is_err());
    }
}
