//! Command-line parsing and the subcommands.

pub mod duration;
pub mod sandbox;

use clap::{CommandFactory, Parser, Subcommand};

/// Shown under the help text; the terminal UI is not there yet, so point at what is.
const AFTER_HELP: &str = "\
The terminal UI arrives in a later release. Today, start the embedded Kubernetes API server:

    fluxtui sandbox --write-kubeconfig /tmp/fluxtui.kubeconfig

Logs go to a file in the user's state directory (usually ~/.local/state/fluxtui); FLUXTUI_LOG filters them.";

/// A k9s-style terminal client for Flux CD, with an embedded Flux engine and Kubernetes API server.
#[derive(Debug, Parser)]
#[command(name = "fluxtui", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the embedded Kubernetes API server until interrupted (SIGINT or SIGTERM).
    Sandbox(sandbox::SandboxArgs),
}

impl Command {
    /// The subcommand's name, for the log; the arguments stay out of it because they may hold tokens.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Sandbox(_) => "sandbox",
        }
    }
}

impl Cli {
    /// Runs the chosen subcommand; without one, prints the help, since there is no terminal UI to start yet.
    pub async fn run(self) -> color_eyre::Result<()> {
        match self.command {
            Some(Command::Sandbox(args)) => sandbox::run(args).await,
            None => {
                Cli::command().print_help()?;
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
