//! `fluxtui kustomize build DIR`: the YAML stream `kubectl kustomize DIR` prints, built by fluxtui's own engine
//! (`crates/kustomize`). A kustomization using a field the engine does not build yet fails with an error that
//! names the file and the field, never with a partial build.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use color_eyre::eyre::{Result, eyre};

#[derive(Debug, Clone, Args)]
pub struct KustomizeArgs {
    #[command(subcommand)]
    pub command: KustomizeCommand,
}

#[derive(Debug, Clone, Subcommand)]
pub enum KustomizeCommand {
    /// Build a kustomization directory and print the resulting YAML stream.
    Build {
        /// The directory holding kustomization.yaml (default: the current directory).
        #[arg(value_name = "DIR", default_value = ".")]
        dir: PathBuf,
        /// Where files may be read from, as kustomize: LoadRestrictionsRootOnly (in or below each kustomization's
        /// directory) or LoadRestrictionsNone (anywhere).
        #[arg(long, value_name = "RESTRICTOR", default_value = "LoadRestrictionsRootOnly")]
        load_restrictor: String,
        /// The output order, as kustomize: legacy, or none (the order resources were read in); by default the
        /// kustomization's sortOptions, else legacy.
        #[arg(long, value_name = "ORDER")]
        reorder: Option<String>,
    },
}

/// Builds and prints; a build error is printed as kubectl prints it (`Error: ...` on stderr) with exit code 1, since
/// it is the user's input, not a fault of fluxtui's worth a report.
pub fn run_kustomize(args: KustomizeArgs) -> Result<()> {
    match args.command {
        KustomizeCommand::Build { dir, load_restrictor, reorder } => {
            let mut flags = vec!["--load-restrictor".to_string(), load_restrictor];
            flags.extend(reorder.into_iter().flat_map(|order| ["--reorder".to_string(), order]));
            let options = match fluxtui_kustomize::BuildOptions::from_args(&flags) {
                Ok(options) => options,
                Err(err) => {
                    eprintln!("Error: {err}");
                    std::process::exit(1);
                }
            };
            build(&dir, &options)
        }
    }
}

fn build(dir: &std::path::Path, options: &fluxtui_kustomize::BuildOptions) -> Result<()> {
    match fluxtui_kustomize::build_with(dir, options) {
        Ok(build) => {
            let mut out = std::io::stdout().lock();
            out.write_all(build.to_yaml().as_bytes()).map_err(|err| eyre!("cannot write the output: {err}"))?;
            out.flush().map_err(|err| eyre!("cannot write the output: {err}"))?;
            Ok(())
        }
        Err(err) => {
            eprintln!("Error: {err}");
            std::process::exit(1);
        }
    }
}
