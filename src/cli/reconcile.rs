//! The headless write commands, `fluxtui reconcile|suspend|resume KIND NAME`, for scripts: the same writes,
//! RBAC pre-check and outcome rules as the terminal UI, printed like the flux CLI prints them.
//!
//! Exit codes: 0 the object is ready (or suspended, for `suspend`); 1 it failed, the write was refused (RBAC,
//! a suspended object, a kind without the flag) or the object does not exist; 2 the reconcile timed out.

use std::path::PathBuf;
use std::time::Duration;

use chrono::Utc;
use clap::Args;

use super::duration::parse_duration;
use crate::api::FluxKind;
use crate::app::command::kind_for;
use crate::cluster::access::{AccessCache, AccessQuestion};
use crate::cluster::writes::{self, RECONCILE_FORCE_AT, RECONCILE_RESET_AT, ReconcileOutcome, Target};
use crate::cluster::{ConnectOptions, connect, discovery};
use crate::model::readiness::is_static;
use crate::model::reconcile_source::{reconcile_source, reconcile_sources};
use crate::model::{ObjectKey, Readiness};

/// The exit codes, as documented in `--help` and the README.
pub const EXIT_READY: i32 = 0;
pub const EXIT_FAILED: i32 = 1;
pub const EXIT_TIMED_OUT: i32 = 2;

const EXIT_CODES: &str = "\
Exit codes: 0 ready, 1 failed, refused (RBAC, suspended object) or not found, 2 timed out.";

/// The object a command acts on, and where.
#[derive(Debug, Clone, Args)]
pub struct ObjectArgs {
    /// The kind, with the same names and aliases as `:` commands: ks, hr, gitrepo, ocirepo, helmrepo, hc...
    pub kind: String,
    /// The object's name.
    pub name: String,
    /// The object's namespace.
    #[arg(short = 'n', long, default_value = "flux-system")]
    pub namespace: String,
    /// The kubeconfig context to use (default: the kubeconfig's current context).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// The kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// How long to wait for the controller (`30s`, `5m`).
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration)]
    pub timeout: Duration,
}

/// `fluxtui reconcile`.
#[derive(Debug, Clone, Args)]
#[command(after_help = EXIT_CODES)]
pub struct ReconcileArgs {
    #[command(flatten)]
    pub object: ObjectArgs,
    /// Reconcile the source first (Kustomization: its sourceRef; HelmRelease: its chartRef or HelmChart) and
    /// wait for its new artifact.
    #[arg(long)]
    pub with_source: bool,
    /// HelmRelease: force a one-off install or upgrade (the forceAt annotation).
    #[arg(long, conflicts_with = "reset")]
    pub force: bool,
    /// HelmRelease: reset the failure counters (the resetAt annotation).
    #[arg(long)]
    pub reset: bool,
}

/// `fluxtui suspend` and `fluxtui resume`.
#[derive(Debug, Clone, Args)]
#[command(after_help = EXIT_CODES)]
pub struct SuspendArgs {
    #[command(flatten)]
    pub object: ObjectArgs,
}

/// Why a command stopped, with its exit code.
struct Stop {
    code: i32,
    message: String,
}

fn failed(message: impl Into<String>) -> Stop {
    Stop { code: EXIT_FAILED, message: message.into() }
}

/// Where the command runs: the client, the RBAC cache, the target at its served version.
struct Context {
    client: kube::Client,
    access: AccessCache,
    timeout: Duration,
}

impl Context {
    async fn open(args: &ObjectArgs) -> Result<(Context, Target), Stop> {
        let kind =
            kind_for(&args.kind.to_lowercase()).ok_or_else(|| failed(format!("unknown kind {:?}", args.kind)))?;
        let options = ConnectOptions { kubeconfig: args.kubeconfig.clone(), context: args.context.clone() };
        let connection = connect(&options).await.map_err(|err| failed(err.to_string()))?;
        let client = connection.client().clone();
        let context = Context { client, access: AccessCache::default(), timeout: args.timeout };
        let target =
            context.target(ObjectKey { kind, namespace: args.namespace.clone(), name: args.name.clone() }).await?;
        Ok((context, target))
    }

    async fn target(&self, key: ObjectKey) -> Result<Target, Stop> {
        let served =
            discovery::discover(&self.client).await.map_err(|err| failed(format!("discovery failed: {err}")))?;
        let version = served
            .get(&key.kind)
            .copied()
            .flatten()
            .ok_or_else(|| failed(format!("the cluster does not serve {} (Flux not installed?)", key.kind)))?;
        Ok(Target { kind: key.kind, version: version.to_string(), namespace: key.namespace, name: key.name })
    }

    async fn check(&self, verb: &'static str, target: &Target) -> Result<(), Stop> {
        let question = AccessQuestion { verb, kind: target.kind, namespace: target.namespace.clone() };
        if self.access.allowed(self.client.clone(), &question).await { Ok(()) } else { Err(failed(question.refusal())) }
    }

    async fn read(&self, target: &Target) -> Result<crate::model::Row, Stop> {
        writes::get(self.client.clone(), target).await.map_err(|err| match &err.source {
            kube::Error::Api(status) if status.code == 404 => {
                failed(format!("{} {} not found in {} namespace", target.kind, target.name, target.namespace))
            }
            _ => failed(err.to_string()),
        })
    }

    /// Requests a reconcile and waits for its outcome, printing as `flux reconcile` does.
    async fn reconcile(&self, target: &Target, also: &[&str]) -> Result<String, Stop> {
        self.check("patch", target).await?;
        let row = self.read(target).await?;
        if row.suspended {
            return Err(failed(format!("{} {}: resource is suspended", target.kind, target.name)));
        }
        if is_static(&row.object) {
            return Err(failed(format!("{} {}: reconciliation not supported by the object", target.kind, target.name)));
        }
        println!("► annotating {} {} in {} namespace", target.kind, target.name, target.namespace);
        let requested_at = writes::request_reconcile_with(self.client.clone(), target, Utc::now(), also)
            .await
            .map_err(|err| failed(err.to_string()))?;
        println!("✔ {} annotated", target.kind);
        self.wait(target, Some(&requested_at)).await
    }

    async fn wait(&self, target: &Target, requested_at: Option<&str>) -> Result<String, Stop> {
        println!("◎ waiting for {} reconciliation", target.kind);
        let outcome = writes::wait_reconciled(self.client.clone(), target, requested_at, self.timeout)
            .await
            .map_err(|err| failed(err.to_string()))?;
        match outcome {
            ReconcileOutcome::Ready { revision, message } => {
                let verb = if target.kind.family() == crate::api::KindFamily::Source { "fetched" } else { "applied" };
                Ok(if revision.is_empty() { message } else { format!("{verb} revision {revision}") })
            }
            ReconcileOutcome::Failed(message) => {
                Err(failed(format!("{} reconciliation failed: '{message}'", target.kind)))
            }
            ReconcileOutcome::Deleted => Err(failed(format!("{} {} was deleted", target.kind, target.name))),
            ReconcileOutcome::TimedOut => Err(Stop {
                code: EXIT_TIMED_OUT,
                message: format!(
                    "timed out after {} waiting for {} {} to be reconciled (the request stays on the object)",
                    crate::model::human_duration(chrono::Duration::from_std(self.timeout).unwrap_or_default()),
                    target.kind,
                    target.name
                ),
            }),
        }
    }
}

fn finish(result: Result<String, Stop>) -> i32 {
    match result {
        Ok(message) => {
            println!("✔ {message}");
            EXIT_READY
        }
        Err(stop) => {
            eprintln!("✗ {}", stop.message);
            stop.code
        }
    }
}

/// `fluxtui reconcile KIND NAME`: returns the exit code.
pub async fn run_reconcile(args: ReconcileArgs) -> i32 {
    finish(reconcile(args).await)
}

async fn reconcile(args: ReconcileArgs) -> Result<String, Stop> {
    let (context, target) = Context::open(&args.object).await?;
    let also: &[&str] = match (args.force, args.reset) {
        (true, _) => &[RECONCILE_FORCE_AT],
        (_, true) => &[RECONCILE_RESET_AT],
        _ => &[],
    };
    if !also.is_empty() && target.kind != FluxKind::HelmRelease {
        return Err(failed(format!("--force and --reset are for HelmReleases, not {}", target.kind)));
    }
    if args.with_source {
        let row = context.read(&target).await?;
        // The HelmChart of a HelmRelease is read too, so its own source is reconciled first (as flux does).
        let first = reconcile_source(&row.object).map_err(failed)?;
        let mut objects = std::collections::HashMap::new();
        if first.kind == FluxKind::HelmChart {
            let chart_target = context.target(first.clone()).await?;
            let chart = context.read(&chart_target).await?;
            if let Ok(upstream) = reconcile_source(&chart.object)
                && let Ok(upstream_target) = context.target(upstream.clone()).await
                && let Ok(source) = context.read(&upstream_target).await
            {
                objects.insert(upstream, source.object);
            }
            objects.insert(first, chart.object);
        }
        let sources = reconcile_sources(&row.object, |key| objects.get(key).cloned()).map_err(failed)?;
        for source in sources {
            let source = context.target(source).await?;
            let revision = context.reconcile(&source, &[]).await?;
            println!("✔ {revision}");
        }
    }
    context.reconcile(&target, also).await
}

/// `fluxtui suspend KIND NAME`.
pub async fn run_suspend(args: SuspendArgs) -> i32 {
    finish(set_suspended(args, true).await)
}

/// `fluxtui resume KIND NAME`: resumes, then waits for the object to be ready, as `flux resume` does.
pub async fn run_resume(args: SuspendArgs) -> i32 {
    finish(set_suspended(args, false).await)
}

async fn set_suspended(args: SuspendArgs, suspend: bool) -> Result<String, Stop> {
    let (context, target) = Context::open(&args.object).await?;
    if !target.kind.can_suspend() {
        return Err(failed(format!("{} objects cannot be suspended", target.kind)));
    }
    context.check("patch", &target).await?;
    context.read(&target).await?;
    let (doing, done) = if suspend { ("suspending", "suspended") } else { ("resuming", "resumed") };
    println!("► {doing} {} {} in {} namespace", target.kind, target.name, target.namespace);
    writes::set_suspended(context.client.clone(), &target, suspend).await.map_err(|err| failed(err.to_string()))?;
    if suspend {
        return Ok(format!("{} {done}", target.kind));
    }
    println!("✔ {} {done}", target.kind);
    let message = context.wait(&target, None).await?;
    // A resumed object reports Suspended only if someone suspended it again meanwhile.
    let row = context.read(&target).await?;
    if row.readiness == Readiness::Suspended {
        return Err(failed(format!("{} {} was suspended again", target.kind, target.name)));
    }
    Ok(message)
}
