//! The writes of a session, as the user asked for them: one [`Operation`] per key press (one object, or every
//! marked object), with the progress of each target. The action log lists them; the toasts are the recent ones.
//!
//! Everything here is pure and timed by `state.now`, so the toasts' ages and expiry are the same in tests.

use std::collections::VecDeque;

use chrono::{DateTime, Duration, Utc};

use super::action::Action;
use crate::model::ObjectKey;

/// How long a finished operation's toast stays: a success briefly, a failure long enough to be read.
pub const SUCCESS_TOAST: Duration = Duration::seconds(6);
pub const FAILURE_TOAST: Duration = Duration::seconds(20);

/// How many toasts are stacked at most; older ones are in the action log.
pub const MAX_TOASTS: usize = 4;

/// How many operations the log keeps (a session that runs for days stays bounded).
pub const MAX_OPERATIONS: usize = 500;

/// The reconcile timeout when neither the config nor `--reconcile-timeout` sets one: the flux CLI's `--timeout`.
pub const DEFAULT_RECONCILE_TIMEOUT: Duration = Duration::minutes(5);

/// Where one target of an operation is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The write (or the access check before it) is on its way.
    Sending,
    /// `--with-source`: the source's reconcile was requested; the loop waits for its new artifact.
    WaitingForSource {
        source: ObjectKey,
    },
    /// The reconcile annotation is set; waiting for the controller to copy it to `lastHandledReconcileAt`. Without
    /// a request (a resume, which changes the spec), waiting for the controller to observe `generation`, the one
    /// the patch produced.
    WaitingForController {
        requested_at: Option<String>,
        generation: Option<i64>,
        since: DateTime<Utc>,
        /// What happened before, e.g. the source's new revision.
        note: Option<String>,
    },
    Succeeded(String),
    Failed(String),
    /// Not handled within the reconcile timeout: reported, the request stays on the object.
    TimedOut(String),
}

impl Step {
    pub fn is_finished(&self) -> bool {
        matches!(self, Step::Succeeded(_) | Step::Failed(_) | Step::TimedOut(_))
    }

    pub fn is_failure(&self) -> bool {
        matches!(self, Step::Failed(_) | Step::TimedOut(_))
    }
}

/// A target waiting for its controller (see [`Step::WaitingForController`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub operation: u64,
    pub key: ObjectKey,
    pub requested_at: Option<String>,
    pub generation: Option<i64>,
    pub since: DateTime<Utc>,
}

/// One object an operation acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetProgress {
    pub key: ObjectKey,
    pub step: Step,
}

/// One user request: an action on one or more objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub id: u64,
    pub action: Action,
    pub started: DateTime<Utc>,
    /// When the last target finished.
    pub finished: Option<DateTime<Utc>>,
    pub targets: Vec<TargetProgress>,
    /// Why nothing was sent, when the request was refused up front.
    pub refused: Option<String>,
}

/// How a toast is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Progress,
    Success,
    Failure,
}

/// One toast as the view draws it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub text: String,
    pub severity: Severity,
}

/// The verb of an action, for "suspending …" and "suspended …".
fn verbs(action: Action) -> (&'static str, &'static str) {
    match action {
        Action::Suspend => ("suspending", "suspended"),
        Action::Resume => ("resuming", "resumed"),
        Action::Delete => ("deleting", "deleted"),
        Action::ReconcileWithSource => ("reconciling with source", "reconciled"),
        Action::ReconcileForce => ("force-reconciling", "reconciled"),
        Action::ReconcileReset => ("reset-reconciling", "reconciled"),
        Action::Edit => ("editing", "edited"),
        _ => ("reconciling", "reconciled"),
    }
}

pub fn describe_key(key: &ObjectKey) -> String {
    if key.namespace.is_empty() {
        format!("{} {}", key.kind, key.name)
    } else {
        format!("{} {}/{}", key.kind, key.namespace, key.name)
    }
}

/// Seconds as the toasts show them: `12s`, `2m05s`.
fn elapsed(duration: Duration) -> String {
    let seconds = duration.num_seconds().max(0);
    if seconds < 60 { format!("{seconds}s") } else { format!("{}m{:02}s", seconds / 60, seconds % 60) }
}

impl Operation {
    pub fn is_finished(&self) -> bool {
        self.finished.is_some()
    }

    pub fn failures(&self) -> usize {
        if self.refused.is_some() {
            return self.targets.len().max(1);
        }
        self.targets.iter().filter(|target| target.step.is_failure()).count()
    }

    /// How long the operation took, or has been running.
    pub fn duration(&self, now: DateTime<Utc>) -> Duration {
        self.finished.unwrap_or(now) - self.started
    }

    /// The targets in words: one object, or `3 objects`.
    pub fn targets_text(&self) -> String {
        match self.targets.as_slice() {
            [] => "-".to_string(),
            [only] => describe_key(&only.key),
            targets => format!("{} objects", targets.len()),
        }
    }

    /// The outcome in words: "pending", the single target's message, or a bulk summary.
    pub fn result_text(&self, now: DateTime<Utc>) -> String {
        let (doing, _) = verbs(self.action);
        if let Some(refusal) = &self.refused {
            return refusal.clone();
        }
        if let [only] = self.targets.as_slice() {
            return match &only.step {
                Step::Sending => format!("{doing} {}… {}", describe_key(&only.key), elapsed(self.duration(now))),
                // The source first: it is what is being waited on, and the line may be cut at its end.
                Step::WaitingForSource { source } => format!(
                    "reconciling source {}… {} (then {})",
                    describe_key(source),
                    elapsed(self.duration(now)),
                    describe_key(&only.key)
                ),
                Step::WaitingForController { note, .. } => {
                    let note = note.as_deref().map(|note| format!(" ({note})")).unwrap_or_default();
                    format!("{doing} {}{note}… {}", describe_key(&only.key), elapsed(self.duration(now)))
                }
                Step::Succeeded(message) | Step::Failed(message) | Step::TimedOut(message) => message.clone(),
            };
        }
        let total = self.targets.len();
        let done = self.targets.iter().filter(|target| target.step.is_finished()).count();
        let failed: Vec<&TargetProgress> = self.targets.iter().filter(|target| target.step.is_failure()).collect();
        if !self.is_finished() {
            return format!("{doing} {total} objects… {done}/{total} done, {}", elapsed(self.duration(now)));
        }
        let (_, done_verb) = verbs(self.action);
        let mut text = format!("{done_verb} {} of {total} objects", total - failed.len());
        if let Some(first) = failed.first() {
            let reason = match &first.step {
                Step::Failed(message) | Step::TimedOut(message) => message.as_str(),
                _ => "",
            };
            text.push_str(&format!("; {} failed: {reason}", failed.len()));
        }
        text
    }

    pub fn severity(&self) -> Severity {
        if !self.is_finished() {
            Severity::Progress
        } else if self.failures() > 0 {
            Severity::Failure
        } else {
            Severity::Success
        }
    }

    /// Whether its toast is still up at `now`.
    fn toast_visible(&self, now: DateTime<Utc>) -> bool {
        match self.finished {
            None => true,
            Some(finished) => {
                let keep = if self.failures() > 0 { FAILURE_TOAST } else { SUCCESS_TOAST };
                now - finished < keep
            }
        }
    }
}

/// Every operation of the session, oldest first.
#[derive(Debug, Clone, Default)]
pub struct Operations {
    pub list: VecDeque<Operation>,
    next_id: u64,
}

impl Operations {
    /// Starts an operation on `targets`, each waiting for its write.
    pub fn start(&mut self, action: Action, targets: Vec<ObjectKey>, now: DateTime<Utc>) -> u64 {
        self.next_id += 1;
        let id = self.next_id;
        let targets = targets.into_iter().map(|key| TargetProgress { key, step: Step::Sending }).collect();
        self.list.push_back(Operation { id, action, started: now, finished: None, targets, refused: None });
        while self.list.len() > MAX_OPERATIONS {
            self.list.pop_front();
        }
        id
    }

    /// An operation refused before anything was sent (read-only, nothing selected, wrong kind): logged and shown
    /// like any other failure.
    pub fn refuse(&mut self, action: Action, targets: Vec<ObjectKey>, message: String, now: DateTime<Utc>) {
        let id = self.start(action, targets, now);
        if let Some(operation) = self.get_mut(id) {
            for target in &mut operation.targets {
                target.step = Step::Failed(message.clone());
            }
            operation.refused = Some(message);
            operation.finished = Some(now);
        }
    }

    /// Ends every unfinished operation with `reason` (the session they were waiting on is gone).
    pub fn abandon(&mut self, reason: &str, now: DateTime<Utc>) {
        for operation in self.list.iter_mut().filter(|operation| operation.finished.is_none()) {
            for target in operation.targets.iter_mut().filter(|target| !target.step.is_finished()) {
                target.step = Step::Failed(format!("{}: {reason}", describe_key(&target.key)));
            }
            operation.finished = Some(now);
        }
    }

    pub fn get_mut(&mut self, id: u64) -> Option<&mut Operation> {
        self.list.iter_mut().find(|operation| operation.id == id)
    }

    /// Moves one target to `step`; the operation finishes when its last target does.
    pub fn set_step(&mut self, id: u64, key: &ObjectKey, step: Step, now: DateTime<Utc>) {
        let Some(operation) = self.get_mut(id) else { return };
        if let Some(target) = operation.targets.iter_mut().find(|target| target.key == *key) {
            target.step = step;
        }
        if operation.finished.is_none() && operation.targets.iter().all(|target| target.step.is_finished()) {
            operation.finished = Some(now);
        }
    }

    /// Targets waiting for their controller.
    pub fn waiting(&self) -> Vec<Waiting> {
        self.list
            .iter()
            .filter(|operation| !operation.is_finished())
            .flat_map(|operation| {
                operation.targets.iter().filter_map(move |target| match &target.step {
                    Step::WaitingForController { requested_at, generation, since, .. } => Some(Waiting {
                        operation: operation.id,
                        key: target.key.clone(),
                        requested_at: requested_at.clone(),
                        generation: *generation,
                        since: *since,
                    }),
                    _ => None,
                })
            })
            .collect()
    }

    pub fn has_unfinished(&self) -> bool {
        self.list.iter().any(|operation| !operation.is_finished())
    }

    /// The toasts up at `now`, newest first, at most [`MAX_TOASTS`].
    pub fn toasts(&self, now: DateTime<Utc>) -> Vec<Toast> {
        self.list
            .iter()
            .rev()
            .filter(|operation| operation.toast_visible(now))
            .take(MAX_TOASTS)
            .map(|operation| Toast { text: operation.result_text(now), severity: operation.severity() })
            .collect()
    }

    /// Whether a toast is up: the clock then redraws every second (progress counts up, toasts expire).
    pub fn has_toasts(&self, now: DateTime<Utc>) -> bool {
        self.list.iter().rev().any(|operation| operation.toast_visible(now))
    }

    /// Newest first, for the action log.
    pub fn newest_first(&self) -> impl Iterator<Item = &Operation> {
        self.list.iter().rev()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::FluxKind;

    fn key(name: &str) -> ObjectKey {
        ObjectKey { kind: FluxKind::Kustomization, namespace: "flux-system".into(), name: name.into() }
    }

    #[test]
    fn a_bulk_operation_finishes_with_its_last_target_and_summarises() {
        let now = DateTime::<Utc>::UNIX_EPOCH;
        let mut operations = Operations::default();
        let id = operations.start(Action::Suspend, vec![key("a"), key("b"), key("c")], now);
        operations.set_step(id, &key("a"), Step::Succeeded("suspended a".into()), now);
        let toast = &operations.toasts(now + Duration::seconds(3))[0];
        assert_eq!(toast.text, "suspending 3 objects… 1/3 done, 3s");
        assert_eq!(toast.severity, Severity::Progress);
        operations.set_step(id, &key("b"), Step::Failed("forbidden".into()), now);
        operations.set_step(id, &key("c"), Step::Succeeded("suspended c".into()), now);
        let toast = &operations.toasts(now)[0];
        assert_eq!(toast.text, "suspended 2 of 3 objects; 1 failed: forbidden");
        assert_eq!(toast.severity, Severity::Failure);
        // A failure stays longer than a success, and then goes.
        assert!(operations.has_toasts(now + SUCCESS_TOAST + Duration::seconds(1)));
        assert!(!operations.has_toasts(now + FAILURE_TOAST));
        assert_eq!(operations.list.len(), 1, "the log keeps it");
    }

    #[test]
    fn the_log_is_bounded() {
        let now = DateTime::<Utc>::UNIX_EPOCH;
        let mut operations = Operations::default();
        for _ in 0..MAX_OPERATIONS + 10 {
            operations.start(Action::Reconcile, vec![key("a")], now);
        }
        assert_eq!(operations.list.len(), MAX_OPERATIONS);
    }
}
