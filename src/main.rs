//! The `fluxtui` binary: installs the error hooks and the log file, then runs the chosen subcommand.

use clap::Parser;
use fluxtui::app::errors::install_hooks;
use fluxtui::cli::Cli;
use fluxtui::logging;

#[tokio::main]
async fn main() -> color_eyre::Result<()> {
    install_hooks()?;
    let cli = Cli::parse();
    // Held until the process ends: dropping it flushes the log writer.
    let _log_guard = logging::init()?;
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        command = cli.command.as_ref().map(|command| command.name()),
        "fluxtui starting"
    );
    cli.run().await
}
