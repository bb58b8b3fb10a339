//! The `fluxtui` binary: installs the error hooks and the log file, then runs the chosen subcommand.

use clap::Parser;
use fluxtui::app::errors::install_hooks;
use fluxtui::cli::Cli;
use fluxtui::logging;

#[tokio::main]
async fn main() -> color_eyre::Result<()> {
    install_hooks()?;
    let cli = Cli::parse();
    // Held until the process ends: dropping it flushes the log writer. Without a writable log
    // directory fluxtui still runs, and says so once, before any screen is drawn.
    let _log_guard = match logging::init() {
        Ok(guard) => Some(guard),
        Err(err) => {
            let mut reason = err.to_string();
            let mut source = std::error::Error::source(&err);
            while let Some(cause) = source {
                reason.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            eprintln!("fluxtui: running without a log file: {reason}");
            None
        }
    };
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        command = cli.command.as_ref().map(|command| command.name()),
        "fluxtui starting"
    );
    cli.run().await
}
