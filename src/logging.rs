//! The log file: every subcommand logs there, never to the terminal (the TUI owns the screen, and
//! `fluxtui sandbox` keeps stdout for the one line that says how to use it).
//!
//! The file lives in the user's state directory (`$XDG_STATE_HOME/fluxtui`, usually `~/.local/state/fluxtui`,
//! falling back to the local data directory on systems without a state directory), rotated daily with a week
//! kept. `FLUXTUI_LOG` filters it with `RUST_LOG` syntax, for example `FLUXTUI_LOG=debug` or
//! `FLUXTUI_LOG=info,fluxtui_sandbox=trace`; the default is `info`.

use std::io;
use std::path::PathBuf;

use directories::ProjectDirs;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The environment variable holding the log filter.
pub const LOG_FILTER_ENV: &str = "FLUXTUI_LOG";

/// How many daily log files are kept before the oldest is deleted.
const KEPT_LOG_FILES: usize = 7;

/// Why logging could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum LoggingError {
    #[error("no home directory was found to keep the log file in (is $HOME set?)")]
    NoHomeDirectory,
    #[error("cannot create the log directory {}", path.display())]
    CreateDirectory {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot open a log file in {}", path.display())]
    OpenFile {
        path: PathBuf,
        #[source]
        source: tracing_appender::rolling::InitError,
    },
    #[error("{LOG_FILTER_ENV} is not a valid log filter")]
    InvalidFilter(#[from] tracing_subscriber::filter::FromEnvError),
    #[error("a global logger was already installed")]
    AlreadyInstalled(#[from] tracing_subscriber::util::TryInitError),
}

/// Keeps the background log writer alive; logs written after it is dropped may be lost, so `main` holds it
/// until the process ends.
#[derive(Debug)]
pub struct LogGuard {
    _worker: WorkerGuard,
}

/// The user's state directory for fluxtui: the log files, and the demo's kubeconfig.
pub fn state_dir() -> Result<PathBuf, LoggingError> {
    log_directory()
}

/// The directory the log files go to: the user's state directory for fluxtui.
fn log_directory() -> Result<PathBuf, LoggingError> {
    let dirs = ProjectDirs::from("io", "fluxtui", "fluxtui").ok_or(LoggingError::NoHomeDirectory)?;
    Ok(dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir()).to_path_buf())
}

/// Installs the global logger, writing to a daily log file through a non-blocking writer.
pub fn init() -> Result<LogGuard, LoggingError> {
    let directory = log_directory()?;
    std::fs::create_dir_all(&directory)
        .map_err(|source| LoggingError::CreateDirectory { path: directory.clone(), source })?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("fluxtui")
        .filename_suffix("log")
        .max_log_files(KEPT_LOG_FILES)
        .build(&directory)
        .map_err(|source| LoggingError::OpenFile { path: directory.clone(), source })?;
    let (writer, worker) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::builder()
        .with_default_directive(LevelFilter::INFO.into())
        .with_env_var(LOG_FILTER_ENV)
        .from_env()?;
    let file_layer = tracing_subscriber::fmt::layer().with_writer(writer).with_ansi(false);
    tracing_subscriber::registry().with(filter).with(file_layer).try_init()?;
    Ok(LogGuard { _worker: worker })
}
