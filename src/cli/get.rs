//! `fluxtui get KIND [NAME]`: one snapshot list of Flux objects, like `flux get`, with the TUI's row model.
//!
//! - KIND is any name the `:` command line takes for a kind (`ks`, `hr`, `gitrepo`, `Kustomization`...) or `all`.
//! - The namespace is `-n` (default `flux-system`, as `flux get`), or every namespace with `-A`.
//! - `-o table` (default) prints the TUI's columns; `-o json` / `-o yaml` print a list of objects, one per row.
//! - `--status-selector ready=false` keeps objects whose Ready condition has that status (true, false, unknown).
//!
//! Exit codes: 0 when the list was read (even empty: "no objects found" goes to stderr); 1 when the kind is
//! unknown, the selector is invalid, a named object does not exist, or the API server fails.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;
use clap::{Args, ValueEnum};
use kube::api::{Api, DynamicObject, ListParams};
use serde_json::{Value, json};

use crate::api::{AnyFluxObject, FluxKind};
use crate::app::command::{Command, parse};
use crate::app::pane::columns;
use crate::cluster::{self, ConnectOptions};
use crate::model::{Column, Row};

/// The namespace `flux get` defaults to.
const DEFAULT_NAMESPACE: &str = "flux-system";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Table,
    Json,
    Yaml,
}

#[derive(Debug, Clone, Args)]
pub struct GetArgs {
    /// The kind (ks, hr, gitrepo, ocirepo, helmrepo, hc, bucket, alert, provider, receiver, imagerepo,
    /// imagepolicy, iua, or the full name), or `all`.
    pub kind: String,
    /// Only this object.
    pub name: Option<String>,
    /// The namespace (default flux-system, as `flux get`).
    #[arg(short = 'n', long, value_name = "NAMESPACE", conflicts_with = "all_namespaces")]
    pub namespace: Option<String>,
    /// Every namespace.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// The output format.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: Output,
    /// Keep objects whose Ready condition has this status: ready=true, ready=false or ready=unknown.
    #[arg(long, value_name = "ready=STATUS")]
    pub status_selector: Option<String>,
    /// The kubeconfig context to use (default: the kubeconfig's current context).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// The kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
}

/// Why `get` failed; each ends the command with exit code 1.
#[derive(Debug, thiserror::Error)]
pub enum GetError {
    #[error("unknown kind {0:?} (try ks, hr, gitrepo, helmrepo, ocirepo, hc, bucket, alert, provider, receiver, all)")]
    UnknownKind(String),
    #[error("invalid --status-selector {0:?}: expected ready=true, ready=false or ready=unknown")]
    InvalidSelector(String),
    #[error("{kind} {namespace}/{name} not found")]
    NotFound { kind: String, namespace: String, name: String },
    #[error("the cluster does not serve {0} (is Flux installed?)")]
    NotServed(FluxKind),
    #[error(transparent)]
    Cluster(#[from] cluster::ClusterError),
    #[error("cannot list {kind}: {source}")]
    Api {
        kind: FluxKind,
        #[source]
        source: kube::Error,
    },
    #[error("cannot ask the API server which Flux kinds it serves: {0}")]
    Discovery(#[source] kube::Error),
}

/// The kinds a KIND argument names.
pub fn kinds_for(word: &str) -> Result<Vec<FluxKind>, GetError> {
    if word.eq_ignore_ascii_case("all") {
        return Ok(FluxKind::ALL.to_vec());
    }
    match parse(word) {
        Ok(Command::ShowKind(kind)) => Ok(vec![kind]),
        _ => Err(GetError::UnknownKind(word.to_string())),
    }
}

/// The Ready status the selector asks for ("True", "False", "Unknown").
pub fn parse_selector(selector: &str) -> Result<&'static str, GetError> {
    let invalid = || GetError::InvalidSelector(selector.to_string());
    let (key, value) = selector.split_once('=').ok_or_else(invalid)?;
    if !key.trim().eq_ignore_ascii_case("ready") {
        return Err(invalid());
    }
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => Ok("True"),
        "false" => Ok("False"),
        "unknown" => Ok("Unknown"),
        _ => Err(invalid()),
    }
}

/// Runs `fluxtui get`, printing errors itself and exiting 1 on failure.
pub async fn run(args: GetArgs) -> color_eyre::Result<()> {
    match get(&args).await {
        Ok(text) => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
            Ok(())
        }
        Err(err) => {
            eprintln!("fluxtui get: {err}");
            std::process::exit(1);
        }
    }
}

async fn get(args: &GetArgs) -> Result<String, GetError> {
    let kinds = kinds_for(&args.kind)?;
    let selector = args.status_selector.as_deref().map(parse_selector).transpose()?;
    let connection =
        cluster::connect(&ConnectOptions { kubeconfig: args.kubeconfig.clone(), context: args.context.clone() })
            .await?;
    let client = connection.client().clone();
    let served = cluster::discovery::discover(&client).await.map_err(GetError::Discovery)?;
    let namespace = (!args.all_namespaces).then(|| args.namespace.clone().unwrap_or(DEFAULT_NAMESPACE.to_string()));
    let mut sections: Vec<(FluxKind, Vec<Row>)> = Vec::new();
    for kind in kinds.iter().copied() {
        let Some(version) = served.get(&kind).copied().flatten() else {
            // `all` lists what the cluster serves; a single kind that is not served is an error.
            if kinds.len() == 1 {
                return Err(GetError::NotServed(kind));
            }
            continue;
        };
        let resource = kind.api_resource(version);
        let api: Api<DynamicObject> = match &namespace {
            Some(namespace) => Api::namespaced_with(client.clone(), namespace, &resource),
            None => Api::all_with(client.clone(), &resource),
        };
        let mut params = ListParams::default();
        if let Some(name) = &args.name {
            params = params.fields(&format!("metadata.name={name}"));
        }
        let list = api.list(&params).await.map_err(|source| GetError::Api { kind, source })?;
        let mut rows: Vec<Row> = list
            .items
            .into_iter()
            .map(|object| {
                let value = serde_json::to_value(&object).unwrap_or(Value::Null);
                Row::new(kind, Arc::new(AnyFluxObject::from_value(with_kind(value, kind))))
            })
            .filter(|row| args.name.as_ref().is_none_or(|name| row.key.name == *name))
            .filter(|row| selector.is_none_or(|wanted| ready_status(row) == wanted))
            .collect();
        rows.sort_by(|a, b| a.key.namespace.cmp(&b.key.namespace).then_with(|| a.key.name.cmp(&b.key.name)));
        sections.push((kind, rows));
    }
    let total: usize = sections.iter().map(|(_, rows)| rows.len()).sum();
    if total == 0 {
        if let (Some(name), [kind]) = (&args.name, kinds.as_slice()) {
            return Err(GetError::NotFound {
                kind: kind.name().to_string(),
                namespace: namespace.unwrap_or_default(),
                name: name.clone(),
            });
        }
        eprintln!(
            "no {} objects found{}",
            args.kind,
            namespace.map(|ns| format!(" in {ns} namespace")).unwrap_or_default()
        );
    }
    Ok(match args.output {
        Output::Table => table(&sections, args.all_namespaces, kinds.len() > 1),
        Output::Json => {
            let list = json_list(&sections);
            serde_json::to_string_pretty(&list).unwrap_or_default() + "\n"
        }
        Output::Yaml => crate::model::yaml_text(&json_list(&sections), true),
    })
}

/// List items may come without `kind`; the parser needs it.
fn with_kind(mut value: Value, kind: FluxKind) -> Value {
    if let Some(map) = value.as_object_mut() {
        map.entry("kind").or_insert_with(|| Value::String(kind.name().to_string()));
    }
    value
}

/// The status of the Ready condition, as `--status-selector` compares it ("" without one).
fn ready_status(row: &Row) -> &str {
    row.object.condition("Ready").map(|condition| condition.status.as_str()).unwrap_or("")
}

/// The TUI's columns without the ages (a snapshot has no "now" worth printing), as aligned text. With several
/// kinds, each gets its own section with `kind/name` names, as `flux get all` prints them.
pub fn table(sections: &[(FluxKind, Vec<Row>)], all_namespaces: bool, several_kinds: bool) -> String {
    let now = Utc::now();
    let wanted: Vec<Column> = columns(&[FluxKind::Kustomization], all_namespaces)
        .into_iter()
        .filter(|column| !matches!(column, Column::Age | Column::LastReconcile))
        .collect();
    let mut out = String::new();
    for (kind, rows) in sections {
        if rows.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        let mut cells: Vec<Vec<String>> = vec![wanted.iter().map(|column| column.title().to_string()).collect()];
        for row in rows {
            cells.push(
                wanted
                    .iter()
                    .map(|column| match column {
                        Column::Name if several_kinds => format!("{}/{}", kind.name().to_lowercase(), row.key.name),
                        _ => row.cell(*column, now).into_owned(),
                    })
                    .collect(),
            );
        }
        let widths: Vec<usize> = (0..wanted.len())
            .map(|index| cells.iter().map(|line| line[index].chars().count()).max().unwrap_or(0))
            .collect();
        for line in cells {
            let mut text = String::new();
            for (index, cell) in line.iter().enumerate() {
                if index + 1 == line.len() {
                    text.push_str(cell);
                } else {
                    text.push_str(&format!("{cell:<width$}  ", width = widths[index]));
                }
            }
            out.push_str(text.trim_end());
            out.push('\n');
        }
    }
    out
}

/// One JSON object per row: the table's fields, the Ready status, and the full revision.
pub fn json_list(sections: &[(FluxKind, Vec<Row>)]) -> Value {
    Value::Array(
        sections
            .iter()
            .flat_map(|(kind, rows)| rows.iter().map(move |row| (kind, row)))
            .map(|(kind, row)| {
                json!({
                    "kind": kind.name(),
                    "namespace": row.key.namespace,
                    "name": row.key.name,
                    "revision": row.revision,
                    "suspended": row.suspended,
                    "ready": row.readiness.label(),
                    "message": row.message,
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_selectors_parse() {
        assert_eq!(kinds_for("ks").unwrap(), vec![FluxKind::Kustomization]);
        assert_eq!(kinds_for("HelmRelease").unwrap(), vec![FluxKind::HelmRelease]);
        assert_eq!(kinds_for("all").unwrap().len(), FluxKind::ALL.len());
        assert!(matches!(kinds_for("pods"), Err(GetError::UnknownKind(_))));
        assert!(matches!(kinds_for("sources"), Err(GetError::UnknownKind(_))), "panes are not kinds");
        assert_eq!(parse_selector("ready=false").unwrap(), "False");
        assert_eq!(parse_selector("Ready=True").unwrap(), "True");
        assert!(parse_selector("ready").is_err());
        assert!(parse_selector("suspended=true").is_err());
    }
}
