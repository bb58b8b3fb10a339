//! `fluxtui logs`: the Flux controllers' logs, parsed and filtered like `flux logs`, printed one line each (the
//! same parser and filter as the logs view).

use std::path::PathBuf;

use clap::Args;
use color_eyre::eyre::{Context, Result, bail};

use crate::app::config::DEFAULT_FLUX_NAMESPACE;
use crate::cluster::live::{LiveStreams, LiveUpdate};
use crate::cluster::logs::{LogStatus, LogTarget, read_controller_logs};
use crate::cluster::{ConnectOptions, connect};
use crate::model::logs::{LevelFilter, LogFilter, LogLevel};

#[derive(Debug, Clone, Args)]
pub struct LogsArgs {
    /// Only lines about objects of this kind (`Kustomization`, `HelmRelease`...; case ignored).
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// Only lines about objects of this name.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Only lines about objects in this namespace.
    #[arg(short = 'n', long, value_name = "NAMESPACE")]
    pub namespace: Option<String>,
    /// Only lines at this level or above: debug, info or error.
    #[arg(long, value_name = "LEVEL")]
    pub level: Option<String>,
    /// Keep printing new lines until interrupted.
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// How many of each controller's last lines to read.
    #[arg(long, value_name = "LINES", default_value_t = 100)]
    pub tail: usize,
    /// Where the Flux controllers run.
    #[arg(long, value_name = "NAMESPACE", default_value = DEFAULT_FLUX_NAMESPACE)]
    pub flux_namespace: String,
    /// The kubeconfig context to use.
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// The kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
}

impl LogsArgs {
    pub fn filter(&self) -> LogFilter {
        LogFilter { kind: self.kind.clone(), name: self.name.clone(), namespace: self.namespace.clone() }
    }

    pub fn level(&self) -> Result<LevelFilter> {
        Ok(match self.level.as_deref().map(LogLevel::parse) {
            None => LevelFilter::All,
            Some(LogLevel::Trace | LogLevel::Debug) => LevelFilter::Debug,
            Some(LogLevel::Info | LogLevel::Warn) => LevelFilter::Info,
            Some(LogLevel::Error) => LevelFilter::Error,
            Some(LogLevel::Unknown) => bail!("--level takes debug, info or error, got {:?}", self.level),
        })
    }
}

pub async fn run_logs(args: LogsArgs) -> Result<()> {
    let (filter, level) = (args.filter(), args.level()?);
    let connection = connect(&ConnectOptions { kubeconfig: args.kubeconfig.clone(), context: args.context.clone() })
        .await
        .wrap_err("cannot connect")?;
    let client = connection.client().clone();
    if !args.follow {
        let lines = read_controller_logs(client, &args.flux_namespace, &filter, args.tail.max(1))
            .await
            .wrap_err_with(|| format!("cannot read the controllers' logs in {}", args.flux_namespace))?;
        for line in lines.iter().filter(|line| level.accepts(line.level)) {
            println!("{}", line.text());
        }
        return Ok(());
    }
    let (mut streams, mut updates) = LiveStreams::new();
    let target = LogTarget::Controllers { namespace: args.flux_namespace.clone(), filter };
    streams.follow_logs(client, 1, target, args.tail.max(1));
    while let Some(update) = updates.recv().await {
        let LiveUpdate::Logs(batch) = update else { continue };
        if let Some(LogStatus::Error(error)) = &batch.status {
            eprintln!("fluxtui logs: {error}");
        }
        for line in batch.lines.iter().filter(|line| level.accepts(line.level)) {
            println!("{}", line.text());
        }
    }
    Ok(())
}
