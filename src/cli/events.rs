//! `fluxtui events`: the Kubernetes events of Flux objects as a table, like `flux events` (for scripts and bug
//! reports), from the same model as the events view.

use std::path::PathBuf;

use chrono::Utc;
use clap::Args;
use color_eyre::eyre::{Context, Result, bail};
use unicode_width::UnicodeWidthStr;

use crate::api::FluxKind;
use crate::api::references::ObjectReference;
use crate::app::config::DEFAULT_FLUX_NAMESPACE;
use crate::cluster::{ConnectOptions, connect, events::list_events};
use crate::model::events::{EventRow, EventTarget};

#[derive(Debug, Clone, Args)]
pub struct EventsArgs {
    /// Only the events of this object, as Kind/name (`Kustomization/apps`, `ks/apps`, `Deployment/podinfo`).
    #[arg(long = "for", value_name = "KIND/NAME")]
    pub for_object: Option<String>,
    /// The namespace of the events (default: flux-system, as with `flux events`).
    #[arg(short = 'n', long, value_name = "NAMESPACE", conflicts_with = "all_namespaces")]
    pub namespace: Option<String>,
    /// Events in every namespace.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// The kubeconfig context to use.
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// The kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
}

impl EventsArgs {
    /// What to list: one object's events, or every Flux object's.
    pub fn target(&self) -> Result<EventTarget> {
        let namespace = if self.all_namespaces {
            None
        } else {
            Some(self.namespace.clone().unwrap_or_else(|| DEFAULT_FLUX_NAMESPACE.to_string()))
        };
        let Some(object) = &self.for_object else { return Ok(EventTarget::AllFlux { namespace }) };
        let Some((kind, name)) = object.split_once('/').filter(|(kind, name)| !kind.is_empty() && !name.is_empty())
        else {
            bail!("--for takes Kind/name, got {object:?}");
        };
        if self.all_namespaces {
            bail!("--for names one object: give its namespace with -n instead of -A");
        }
        let kind = flux_kind(kind).map(|kind| kind.name().to_string()).unwrap_or_else(|| kind.to_string());
        Ok(EventTarget::Object(ObjectReference {
            kind,
            name: name.to_string(),
            namespace: namespace.unwrap_or_default(),
            api_version: None,
        }))
    }
}

/// A Flux kind by its name, plural or short name, in any case.
fn flux_kind(word: &str) -> Option<FluxKind> {
    let word = word.to_lowercase();
    FluxKind::ALL.into_iter().find(|kind| {
        kind.name().to_lowercase() == word || kind.plural() == word || kind.short_names().contains(&word.as_str())
    })
}

pub async fn run_events(args: EventsArgs) -> Result<()> {
    let target = args.target()?;
    let connection = connect(&ConnectOptions { kubeconfig: args.kubeconfig.clone(), context: args.context.clone() })
        .await
        .wrap_err("cannot connect")?;
    let rows = list_events(connection.client().clone(), &target).await.wrap_err("cannot list the events")?;
    print!("{}", table(&rows, args.all_namespaces, Utc::now()));
    Ok(())
}

/// `flux events`' table, oldest first as it prints (the newest last, next to the prompt): `LAST SEEN TYPE REASON
/// OBJECT MESSAGE`, with `NAMESPACE` first for every namespace.
pub fn table(rows: &[EventRow], with_namespace: bool, now: chrono::DateTime<Utc>) -> String {
    let mut lines: Vec<Vec<String>> = Vec::new();
    let mut header = vec!["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"];
    if with_namespace {
        header.insert(0, "NAMESPACE");
    }
    lines.push(header.into_iter().map(str::to_string).collect());
    for row in rows.iter().rev() {
        let mut object = row.object_label();
        if row.deleted {
            object.push_str(" (deleted)");
        }
        let mut cells =
            vec![row.last_seen_label(now), row.event_type.clone(), row.reason.clone(), object, row.message.clone()];
        if with_namespace {
            cells.insert(0, row.namespace.clone());
        }
        lines.push(cells);
    }
    let columns = lines[0].len();
    let widths: Vec<usize> =
        (0..columns).map(|column| lines.iter().map(|line| line[column].width()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for line in &lines {
        for (column, cell) in line.iter().enumerate() {
            if column + 1 == columns {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell}{}   ", " ".repeat(widths[column] - cell.width())));
            }
        }
        out.push('\n');
    }
    if rows.is_empty() {
        out = "No events found.\n".to_string();
    }
    out
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn args(line: &[&str]) -> EventsArgs {
        let mut argv = vec!["fluxtui", "events"];
        argv.extend_from_slice(line);
        match Cli::try_parse_from(argv).expect("parses").command {
            Some(Command::Events(args)) => args,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn targets_follow_flux_events_defaults() {
        assert_eq!(args(&[]).target().unwrap(), EventTarget::AllFlux { namespace: Some("flux-system".into()) });
        assert_eq!(args(&["-A"]).target().unwrap(), EventTarget::AllFlux { namespace: None });
        let EventTarget::Object(object) = args(&["--for", "ks/apps", "-n", "apps"]).target().unwrap() else {
            panic!("an object target")
        };
        assert_eq!(
            (object.kind.as_str(), object.name.as_str(), object.namespace.as_str()),
            ("Kustomization", "apps", "apps")
        );
        let EventTarget::Object(object) = args(&["--for", "Deployment/podinfo"]).target().unwrap() else { panic!() };
        assert_eq!(object.kind, "Deployment");
        assert!(args(&["--for", "apps"]).target().is_err());
        assert!(args(&["--for", "ks/apps", "-A"]).target().is_err());
    }
}
