//! `fluxtui diff kustomization NAME`: what reconciling the Kustomization now would change, as `flux diff
//! kustomization` prints it, computed by the engine's diff ([`crate::controllers::kustomization::diff`]): the
//! source artifact (or `--path DIR`) built as the reconciler builds it, a server-side apply dry-run per object as
//! `kustomize-controller`, and the objects a prune would delete. Nothing is written to the cluster.
//!
//! Exit codes, as flux's: 0 no differences, 1 differences, 2 an error (the whole diff, or one object's).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use color_eyre::eyre::Result;

use crate::app::drift::{drift_header, drift_lines};
use crate::cluster::{ConnectOptions, connect};
use crate::controllers::kustomization::{DiffOptions, diff_kustomization};
use crate::controllers::runtime::context::ServedApis;
use crate::model::text::{StyledLine, TextClass};

pub const EXIT_NO_DIFFERENCES: i32 = 0;
pub const EXIT_DIFFERENCES: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

const EXIT_CODES: &str = "Exit codes: 0 no differences, 1 differences, 2 an error.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffKind {
    #[value(name = "kustomization", aliases = ["ks", "kustomizations"])]
    Kustomization,
}

#[derive(Debug, Clone, Args)]
#[command(after_help = EXIT_CODES)]
pub struct DiffArgs {
    /// kustomization (ks).
    pub kind: DiffKind,
    /// The Kustomization's name.
    pub name: String,
    /// The Kustomization's namespace.
    #[arg(short = 'n', long, default_value = "flux-system")]
    pub namespace: String,
    /// Build this local directory instead of the source artifact (as `flux diff ks --path`).
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
    /// Show the values of Secrets (and credential-looking fields) in the diff instead of masking them.
    #[arg(long)]
    pub show_secrets: bool,
    /// The kubeconfig context to use (default: the kubeconfig's current context).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// The kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
}

/// Prints the diff; returns the exit code.
pub async fn run_diff(args: DiffArgs) -> i32 {
    match diff(&args).await {
        Ok(code) => code,
        Err(message) => {
            eprintln!("✗ {message}");
            EXIT_ERROR
        }
    }
}

async fn diff(args: &DiffArgs) -> Result<i32, String> {
    let DiffKind::Kustomization = args.kind;
    if let Some(path) = &args.path
        && !path.is_dir()
    {
        return Err(format!("--path {}: not a directory", path.display()));
    }
    let options = ConnectOptions { kubeconfig: args.kubeconfig.clone(), context: args.context.clone() };
    let connection = connect(&options).await.map_err(|err| err.to_string())?;
    let apis =
        ServedApis::discover(connection.client().clone()).await.map_err(|err| format!("discovery failed: {err}"))?;
    let options = DiffOptions { local_path: args.path.clone(), storage: None };
    let diff = diff_kustomization(&apis, &args.namespace, &args.name, &options).await.map_err(|err| err.to_string())?;
    let color = std::io::stdout().is_terminal() && !crate::app::theme::no_color_requested();
    let mut out = std::io::stdout().lock();
    let mut lines = drift_lines(&diff, args.show_secrets);
    lines.push(drift_header(&diff));
    for line in &lines {
        let _ = writeln!(out, "{}", if color { ansi(line) } else { line.text() });
    }
    Ok(if diff.has_failures() {
        EXIT_ERROR
    } else if diff.has_differences() {
        EXIT_DIFFERENCES
    } else {
        EXIT_NO_DIFFERENCES
    })
}

/// The line with ANSI colours: green additions, red removals and failures, dim notes, bold objects.
fn ansi(line: &StyledLine) -> String {
    line.spans
        .iter()
        .map(|span| {
            let code = match span.class {
                TextClass::Added | TextClass::Ready => "32",
                TextClass::Removed | TextClass::Failed => "31",
                TextClass::Reconciling => "33",
                TextClass::Heading => "1",
                TextClass::Muted => "2",
                _ => return span.text.clone(),
            };
            format!("\x1b[{code}m{}\x1b[0m", span.text)
        })
        .collect()
}
