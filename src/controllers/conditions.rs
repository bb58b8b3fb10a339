//! Conditions, in one place: how a reconciler marks them and how Ready is derived from them.
//!
//! Flux summarizes conditions the same way in every controller (fluxcd/pkg `runtime/conditions` and
//! source-controller's `summarize` package): a stage marks only its own condition, and one summary at the end
//! derives `Ready`, `Reconciling` and `Stalled` from the outcome (SEMANTICS.md §2.2). [`begin`] is the start of
//! a reconcile, [`summarize`] the end; [`check_kstatus`] states the invariants every result must keep, so the
//! tests can hold each reconciler to them.

use chrono::{SecondsFormat, Utc};

use crate::api::meta::Condition;
use crate::controllers::names::{condition, reason, status};

/// The Reconciling message when a reconcile says nothing more precise.
pub const IN_PROGRESS: &str = "reconciliation in progress";

/// The current time as conditions and statuses carry it (RFC 3339, whole seconds, UTC).
pub fn now_rfc3339() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The conditions of one object during one reconcile, at the object's generation.
pub struct Conditions<'a> {
    list: &'a mut Vec<Condition>,
    generation: i64,
    now: String,
}

impl<'a> Conditions<'a> {
    pub fn new(list: &'a mut Vec<Condition>, generation: i64) -> Conditions<'a> {
        Conditions { list, generation, now: now_rfc3339() }
    }

    pub fn get(&self, type_: &str) -> Option<&Condition> {
        self.list.iter().find(|c| c.type_ == type_)
    }

    pub fn is_true(&self, type_: &str) -> bool {
        self.get(type_).is_some_and(|c| c.status == status::TRUE)
    }

    /// Sets a condition. Its `lastTransitionTime` moves only when the status changes, as
    /// `meta.SetStatusCondition` does, so a repeated failure does not look new.
    pub fn set(&mut self, type_: &str, status: &str, reason: &str, message: impl Into<String>) {
        let message = message.into();
        let generation = self.generation;
        if let Some(existing) = self.list.iter_mut().find(|c| c.type_ == type_) {
            if existing.status != status {
                existing.last_transition_time = Some(self.now.clone());
            }
            existing.status = status.to_string();
            existing.reason = Some(reason.to_string());
            existing.message = Some(message);
            existing.observed_generation = Some(generation);
            return;
        }
        self.list.push(Condition {
            type_: type_.to_string(),
            status: status.to_string(),
            reason: Some(reason.to_string()),
            message: Some(message),
            last_transition_time: Some(self.now.clone()),
            observed_generation: Some(generation),
            ..Condition::default()
        });
    }

    pub fn mark_true(&mut self, type_: &str, reason: &str, message: impl Into<String>) {
        self.set(type_, status::TRUE, reason, message);
    }

    pub fn mark_false(&mut self, type_: &str, reason: &str, message: impl Into<String>) {
        self.set(type_, status::FALSE, reason, message);
    }

    pub fn delete(&mut self, type_: &str) {
        self.list.retain(|c| c.type_ != type_);
    }

    /// Marks the object in progress: `Reconciling=True` and `Ready=Unknown`, both with `message`
    /// (fluxcd/pkg `reconcile.ProgressiveStatus`).
    pub fn progress(&mut self, message: &str) {
        self.set(condition::RECONCILING, status::TRUE, reason::PROGRESSING, message);
        self.set(condition::READY, status::UNKNOWN, reason::PROGRESSING, message);
    }
}

/// How one reconcile ended, as the summary needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Everything worked: Ready=True with this reason and message.
    Succeeded { reason: String, message: String },
    /// A stage failed. `condition` is the stage's own negative-polarity condition (`FetchFailed`, ...), or
    /// `None` when the failure has no condition of its own (it then shows on Ready only).
    Failed { condition: Option<&'static str>, reason: String, message: String, terminal: bool },
}

impl Outcome {
    pub fn failed(condition: Option<&'static str>, reason: &str, message: impl Into<String>, terminal: bool) -> Self {
        Outcome::Failed { condition, reason: reason.to_string(), message: message.into(), terminal }
    }

    pub fn is_success(&self) -> bool {
        matches!(self, Outcome::Succeeded { .. })
    }
}

/// Starts a reconcile: `Reconciling=True` and `Ready=Unknown` with the message Flux writes for a new
/// generation, or "reconciliation in progress".
pub fn begin(list: &mut Vec<Condition>, generation: i64, observed_generation: Option<i64>) {
    let message = match observed_generation {
        Some(observed) if observed != generation => {
            format!("processing object: new generation {observed} -> {generation}")
        }
        None | Some(-1) => format!("processing object: new generation 0 -> {generation}"),
        Some(_) => IN_PROGRESS.to_string(),
    };
    Conditions::new(list, generation).progress(&message);
}

/// Ends a reconcile: derives Ready, Reconciling and Stalled from `outcome`, the only place that does.
///
/// - success: every negative-polarity condition goes, Ready is True;
/// - a retriable failure: the stage's condition and Ready=False carry the reason, Reconciling stays True with
///   `ProgressingWithRetry`, Stalled goes;
/// - a terminal failure: Ready=False and Stalled=True with the reason, Reconciling goes.
///
/// `owned_failures` are the failure conditions this kind's stages own: every one but the failing stage's is
/// cleared, so a fixed fetch does not leave a stale `FetchFailed` behind a new `BuildFailed`.
pub fn summarize(list: &mut Vec<Condition>, generation: i64, outcome: &Outcome, owned_failures: &[&str]) {
    let mut conditions = Conditions::new(list, generation);
    match outcome {
        Outcome::Succeeded { reason, message } => {
            for type_ in condition::NEGATIVE_POLARITY.iter().chain(owned_failures) {
                conditions.delete(type_);
            }
            conditions.mark_true(condition::READY, reason, message.as_str());
        }
        Outcome::Failed { condition: failed, reason: why, message, terminal } => {
            for type_ in owned_failures.iter().filter(|t| Some(**t) != *failed) {
                conditions.delete(type_);
            }
            if let Some(type_) = failed {
                conditions.mark_true(type_, why, message.as_str());
            }
            conditions.mark_false(condition::READY, why, message.as_str());
            if *terminal {
                conditions.delete(condition::RECONCILING);
                conditions.mark_true(condition::STALLED, why, message.as_str());
            } else {
                conditions.delete(condition::STALLED);
                // A failure before any progress was marked still reads as work that goes on.
                let progress = conditions
                    .get(condition::RECONCILING)
                    .and_then(|c| c.message.clone())
                    .unwrap_or_else(|| IN_PROGRESS.to_string());
                conditions.set(condition::RECONCILING, status::TRUE, reason::PROGRESSING_WITH_RETRY, progress);
            }
        }
    }
}

/// The kstatus contract (fluxcd/pkg `conditions/check`): what every reconcile result must satisfy. Returns the
/// first broken rule.
pub fn check_kstatus(list: &[Condition], generation: i64, observed_generation: Option<i64>) -> Result<(), String> {
    let find = |t: &str| list.iter().find(|c| c.type_ == t);
    let is = |t: &str, s: &str| find(t).is_some_and(|c| c.status == s);
    let ready = find(condition::READY).ok_or("the Ready condition is missing")?;
    if is(condition::RECONCILING, status::TRUE) && ready.status == status::TRUE {
        return Err("Reconciling=True together with Ready=True".into());
    }
    if is(condition::STALLED, status::TRUE) && ready.status != status::FALSE {
        return Err("Stalled=True without Ready=False".into());
    }
    if find(condition::RECONCILING).is_some() && find(condition::STALLED).is_some() {
        return Err("both Reconciling and Stalled are present".into());
    }
    let observed = observed_generation.unwrap_or(-1);
    if observed > generation {
        return Err(format!("observedGeneration {observed} is ahead of generation {generation}"));
    }
    if observed < generation && ready.status == status::TRUE {
        return Err(format!("Ready=True while observedGeneration {observed} < generation {generation}"));
    }
    if ready.status == status::TRUE {
        for type_ in condition::NEGATIVE_POLARITY {
            if is(type_, status::TRUE) {
                return Err(format!("Ready=True while {type_}=True"));
            }
        }
    }
    for c in list {
        if condition::NEGATIVE_POLARITY.contains(&c.type_.as_str()) && c.status != status::TRUE {
            return Err(format!("negative-polarity condition {} is present with status {}", c.type_, c.status));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types(list: &[Condition]) -> Vec<(String, String, String)> {
        list.iter().map(|c| (c.type_.clone(), c.status.clone(), c.reason.clone().unwrap_or_default())).collect()
    }

    #[test]
    fn a_first_reconcile_starts_in_progress_with_the_generation_message() {
        let mut list = Vec::new();
        begin(&mut list, 1, None);
        assert_eq!(list[0].message.as_deref(), Some("processing object: new generation 0 -> 1"));
        assert_eq!(
            types(&list),
            vec![
                ("Reconciling".into(), "True".into(), "Progressing".into()),
                ("Ready".into(), "Unknown".into(), "Progressing".into())
            ]
        );
    }

    #[test]
    fn success_removes_every_negative_condition_and_keeps_kstatus() {
        let mut list = Vec::new();
        begin(&mut list, 2, Some(1));
        Conditions::new(&mut list, 2).mark_true(condition::FETCH_FAILED, "GitOperationFailed", "boom");
        let outcome = Outcome::Succeeded { reason: "Succeeded".into(), message: "stored artifact".into() };
        summarize(&mut list, 2, &outcome, &[condition::FETCH_FAILED]);
        assert_eq!(types(&list), vec![("Ready".into(), "True".into(), "Succeeded".into())]);
        check_kstatus(&list, 2, Some(2)).unwrap();
        assert!(check_kstatus(&list, 2, Some(1)).is_err(), "Ready=True needs the observed generation");
    }

    #[test]
    fn a_retriable_failure_keeps_reconciling_with_retry() {
        let mut list = Vec::new();
        begin(&mut list, 1, None);
        let outcome = Outcome::failed(Some(condition::FETCH_FAILED), "AuthenticationFailed", "denied", false);
        summarize(&mut list, 1, &outcome, &[condition::FETCH_FAILED, condition::STORAGE_OPERATION_FAILED]);
        let reconciling = list.iter().find(|c| c.type_ == "Reconciling").unwrap();
        assert_eq!(reconciling.reason.as_deref(), Some("ProgressingWithRetry"));
        let ready = list.iter().find(|c| c.type_ == "Ready").unwrap();
        assert_eq!((ready.status.as_str(), ready.message.as_deref()), ("False", Some("denied")));
        check_kstatus(&list, 1, None).unwrap();
    }

    #[test]
    fn a_terminal_failure_stalls() {
        let mut list = Vec::new();
        begin(&mut list, 3, Some(3));
        let outcome = Outcome::failed(Some(condition::FETCH_FAILED), "URLInvalid", "bad url", true);
        summarize(&mut list, 3, &outcome, &[condition::FETCH_FAILED]);
        assert!(list.iter().all(|c| c.type_ != "Reconciling"));
        assert!(
            list.iter()
                .any(|c| c.type_ == "Stalled" && c.status == "True" && c.reason.as_deref() == Some("URLInvalid"))
        );
        check_kstatus(&list, 3, Some(3)).unwrap();
    }

    #[test]
    fn the_transition_time_moves_only_when_the_status_changes() {
        let mut list = vec![Condition {
            type_: "Ready".into(),
            status: "False".into(),
            last_transition_time: Some("2020-01-01T00:00:00Z".into()),
            ..Condition::default()
        }];
        Conditions::new(&mut list, 1).mark_false("Ready", "Failed", "again");
        assert_eq!(list[0].last_transition_time.as_deref(), Some("2020-01-01T00:00:00Z"));
        Conditions::new(&mut list, 1).mark_true("Ready", "Succeeded", "ok");
        assert_ne!(list[0].last_transition_time.as_deref(), Some("2020-01-01T00:00:00Z"));
    }
}
