//! Runs one write of the update step's [`Write`] effects, off the UI thread: the RBAC pre-check, the write
//! itself, for `reconcile-with-source` the source's reconcile and the wait for its new artifact, and, when
//! configured, an Event on the object. Progress goes back to the loop as [`WriteReport`]s; the loop feeds them
//! to the update step, which owns the operations.

use chrono::Utc;
use kube::Client;

use super::action::Action;
use super::operations::{Step, describe_key};
use super::update::Write;
use crate::cluster::access::{AccessCache, AccessQuestion};
use crate::cluster::writes::{self, RECONCILE_FORCE_AT, RECONCILE_RESET_AT, ReconcileOutcome, Target};

/// What the loop needs from the session for a write.
#[derive(Debug, Clone)]
pub struct WriteSettings {
    pub reconcile_timeout: std::time::Duration,
    /// Create an Event on each target (config `record-events`).
    pub record_events: bool,
    /// The kubeconfig user, named in the events.
    pub user: Option<String>,
}

/// One piece of progress of a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteReport {
    Step(Step),
    /// The write went through but its Event could not be created: shown and logged, never fatal.
    EventNotRecorded(String),
}

/// The verb the RBAC check asks about.
fn verb(action: Action) -> &'static str {
    if action == Action::Delete { "delete" } else { "patch" }
}

/// The Event reason recorded for an action.
pub fn event_reason(action: Action) -> &'static str {
    match action {
        Action::Suspend => "SuspendRequested",
        Action::Resume => "ResumeRequested",
        Action::Delete => "DeleteRequested",
        Action::ReconcileForce => "ForceReconcileRequested",
        Action::ReconcileReset => "ResetReconcileRequested",
        _ => "ReconcileRequested",
    }
}

/// The RBAC pre-check of a write (an edit asks it too, before the editor opens): the refusal in words.
pub async fn check_access(
    client: &Client,
    access: &AccessCache,
    action: Action,
    target: &Target,
) -> Result<(), String> {
    let question = AccessQuestion { verb: verb(action), kind: target.kind, namespace: target.namespace.clone() };
    if access.allowed(client.clone(), &question).await { Ok(()) } else { Err(question.refusal()) }
}

/// Runs `write`, calling `report` with each step of its progress.
pub async fn run_write(
    client: Client,
    access: AccessCache,
    settings: WriteSettings,
    write: Write,
    report: impl Fn(WriteReport),
) {
    let step = |step: Step| report(WriteReport::Step(step));
    let target = &write.target;
    let name = describe_key(&target.key());
    if let Err(refusal) = check_access(&client, &access, write.action, target).await {
        return step(Step::Failed(refusal));
    }
    let outcome = match write.action {
        Action::Suspend => writes::set_suspended(client.clone(), target, true)
            .await
            .map(|_| Step::Succeeded(format!("suspended {name}"))),
        // As `flux resume`: wait until the controller has reconciled the new spec and the object is ready.
        Action::Resume => writes::set_suspended(client.clone(), target, false).await.map(|generation| {
            Step::WaitingForController { requested_at: None, generation, since: Utc::now(), note: None }
        }),
        Action::Delete => {
            writes::delete(client.clone(), target).await.map(|()| Step::Succeeded(format!("deleted {name}")))
        }
        Action::ReconcileWithSource => {
            if write.sources.is_empty() {
                return step(Step::Failed(format!("{name}: no source to reconcile")));
            }
            let mut note = String::new();
            for source in &write.sources {
                match reconcile_source(&client, &access, &settings, source, &step).await {
                    Ok(fetched) => note = fetched,
                    Err(failed) => return step(failed),
                }
            }
            request(&client, target, &[], Some(note)).await
        }
        Action::ReconcileForce => request(&client, target, &[RECONCILE_FORCE_AT], None).await,
        Action::ReconcileReset => request(&client, target, &[RECONCILE_RESET_AT], None).await,
        _ => request(&client, target, &[], None).await,
    };
    match outcome {
        Ok(next) => {
            step(next);
            if settings.record_events {
                let who =
                    settings.user.as_deref().map(|user| format!(" by kubeconfig user {user}")).unwrap_or_default();
                let message = format!("{} requested{who} with fluxtui", write.action.name());
                if let Err(err) = writes::record_event(client, target, event_reason(write.action), &message).await {
                    tracing::warn!(error = %err, "cannot record the event");
                    report(WriteReport::EventNotRecorded(format!("the write was made, but {err}")));
                }
            }
        }
        Err(err) => step(Step::Failed(failure_text(write.action, &err))),
    }
}

/// A write's error in words; a 403 says what RBAC refused, as the pre-check would have.
fn failure_text(action: Action, err: &writes::WriteError) -> String {
    match &err.source {
        kube::Error::Api(status) if status.code == 403 => {
            let question = AccessQuestion { verb: verb(action), kind: err.kind, namespace: err.namespace.clone() };
            format!("{} (the API server refused: {})", question.refusal(), status.message)
        }
        _ => err.to_string(),
    }
}

async fn request(
    client: &Client,
    target: &Target,
    also: &[&str],
    note: Option<String>,
) -> Result<Step, writes::WriteError> {
    let requested_at = writes::request_reconcile_with(client.clone(), target, Utc::now(), also).await?;
    Ok(Step::WaitingForController { requested_at: Some(requested_at), generation: None, since: Utc::now(), note })
}

/// `--with-source`: requests the source's reconcile and follows it until handled. Returns the note for the
/// object's toast ("source fetched revision …"), or the step the whole write ends with.
async fn reconcile_source(
    client: &Client,
    access: &AccessCache,
    settings: &WriteSettings,
    source: &Target,
    step: &impl Fn(Step),
) -> Result<String, Step> {
    let source_name = describe_key(&source.key());
    check_access(client, access, Action::Reconcile, source).await.map_err(Step::Failed)?;
    let requested_at = writes::request_reconcile(client.clone(), source, Utc::now())
        .await
        .map_err(|err| Step::Failed(err.to_string()))?;
    step(Step::WaitingForSource { source: source.key() });
    let outcome = writes::wait_reconciled(client.clone(), source, Some(&requested_at), settings.reconcile_timeout)
        .await
        .map_err(|err| Step::Failed(err.to_string()))?;
    match outcome {
        ReconcileOutcome::Ready { revision, .. } => Ok(format!("source fetched revision {revision}")),
        ReconcileOutcome::Failed(message) => Err(Step::Failed(format!("source {source_name} failed: {message}"))),
        ReconcileOutcome::Deleted => Err(Step::Failed(format!("source {source_name} was deleted"))),
        ReconcileOutcome::TimedOut => Err(Step::TimedOut(format!(
            "source {source_name}: not reconciled within {} (is source-controller running?)",
            crate::model::human_duration(chrono::Duration::from_std(settings.reconcile_timeout).unwrap_or_default())
        ))),
    }
}
