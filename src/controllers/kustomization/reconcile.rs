//! The Kustomization reconcile (kustomize-controller's `reconcile`, SEMANTICS.md §4): finalizer and deletion
//! (prune by `deletionPolicy`), suspend, the source and its artifact, `dependsOn`, the build ([`super::build`]),
//! the staged apply ([`super::apply`]), the new inventory and the prune of what left it ([`super::prune`]), the
//! health checks ([`super::health`]), then the status (conditions, revisions, inventory, history) and Flux's
//! events as `kustomize-controller`. Failures keep the last applied revision in the cluster: nothing is applied
//! before the build succeeded, and the inventory only changes after a successful apply.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use kube::runtime::controller::Action;
use serde_json::{Value, json};

use super::build::{BuildInput, build};
use super::ignore::IgnoreRules;
use super::inputs::{DependencyProblem, SourceProblem, check_dependencies, load_variables, resolve_source};
use super::inventory::{InventoryEntry, entry_of, inventory_of, parse_entry, recorded, stale};
use super::{ApplyOptions, HealthExprs, ObjectId, Resolver, WaitOptions, apply_all, prune, wait_for_health};
use crate::api::FluxKind;
use crate::api::kustomize::kustomization::Kustomization;
use crate::api::object::AnyFluxObject;
use crate::controllers::conditions::{self, Conditions, Outcome, now_rfc3339};
use crate::controllers::names::{FINALIZER, annotation, condition, controller, kustomize, reason, spec, status};
use crate::controllers::runtime::context::{Context, spec_duration};
use crate::controllers::runtime::driver::EngineError;
use crate::controllers::runtime::events::EventType;
use crate::controllers::runtime::logs::LogScope;
use crate::controllers::runtime::patch::StatusWriter;
use crate::controllers::runtime::source::{
    conditions_of, event_metadata, record_as, set_conditions, write_final_status,
};
use crate::controllers::runtime::subject::{Subject, has_finalizer, status_before};
use crate::model::go_duration::format_duration;

const KIND: FluxKind = FluxKind::Kustomization;
const CONTROLLER: &str = controller::KUSTOMIZE_CONTROLLER;
/// kstatus polling of the health checks.
const HEALTH_POLL: Duration = Duration::from_secs(5);
/// `status.history` keeps this many snapshots.
const HISTORY_MAX: usize = 5;

/// Reconciles one Kustomization.
pub fn reconcile(object: Arc<AnyFluxObject>, ctx: Arc<Context>) -> BoxFuture<'static, Result<Action, EngineError>> {
    Box::pin(reconcile_kustomization(object, ctx))
}

/// The reconcile interval, retry interval and timeout of a Kustomization (timeout: interval − 30s, at least 30s).
fn intervals(ks: &Kustomization) -> (Duration, Duration, Duration) {
    let interval = spec_duration(ks.spec.interval.as_deref(), Duration::from_secs(600));
    let retry = spec_duration(ks.spec.retry_interval.as_deref(), interval);
    let default_timeout = interval.saturating_sub(Duration::from_secs(30)).max(Duration::from_secs(30));
    (interval, retry, spec_duration(ks.spec.timeout.as_deref(), default_timeout))
}

async fn reconcile_kustomization(object: Arc<AnyFluxObject>, ctx: Arc<Context>) -> Result<Action, EngineError> {
    let AnyFluxObject::Kustomization(ks) = object.as_ref() else {
        return Err(EngineError::WrongKind { kind: KIND.name(), detail: format!("{:?}", object.kind()) });
    };
    let meta = &ks.metadata;
    let subject = Subject::new(&ctx, KIND, &object)?;
    let (name, namespace) = (subject.name.clone(), subject.namespace.clone());
    if meta.deletion_timestamp.is_some() {
        if has_finalizer(meta, FINALIZER) {
            finalize(&ctx, ks, &object, &subject.scope).await;
            subject.set_finalizer(meta, FINALIZER, false, CONTROLLER).await?;
        }
        return Ok(Action::await_change());
    }
    subject.set_finalizer(meta, FINALIZER, true, CONTROLLER).await?;
    let before = status_before(&object);
    let mut run = Run {
        writer: StatusWriter::new(subject.api, &name, controller::KUSTOMIZE_STATUS_MANAGER, before.clone()),
        status: before,
        generation: meta.generation.unwrap_or(0),
        ctx: ctx.clone(),
        object: object.clone(),
        scope: subject.scope,
        key: subject.key,
        started: Instant::now(),
        revision: String::new(),
    };
    if ks.spec.suspend.unwrap_or(false) {
        ctx.log.info_in(&run.scope, "Reconciliation is suspended for this object");
        run.write().await?;
        return Ok(Action::await_change());
    }
    let observed = run.status.get("observedGeneration").and_then(Value::as_i64);
    let mut list = conditions_of(&run.status);
    conditions::begin(&mut list, run.generation, observed);
    set_conditions(&mut run.status, list);
    run.write().await?;
    let (interval, retry, timeout) = intervals(ks);
    // Invalid healthCheckExprs are a configuration error: Stalled until the spec changes, nothing fetched.
    let exprs = match HealthExprs::compile(ks.spec.health_check_exprs.as_deref().unwrap_or_default()) {
        Ok(exprs) => exprs,
        Err(error) => {
            let message = format!("Reconciliation failed terminally due to configuration error: {error}");
            return run.fail(reason::INVALID_CEL_EXPRESSION, &message, true, None, retry).await;
        }
    };

    let (_, artifact) = match resolve_source(ctx.as_ref(), ks).await {
        Ok(found) => found,
        Err(SourceProblem::Unavailable(message)) => {
            return run.fail(reason::ARTIFACT_FAILED, &message, false, None, retry).await;
        }
        Err(SourceProblem::NoArtifact) => {
            let message = format!("Source artifact not found, retrying in {}", format_duration(ctx.requeue_dependency));
            return run.fail(reason::ARTIFACT_FAILED, &message, false, None, ctx.requeue_dependency).await;
        }
    };
    run.revision = artifact.revision.clone().unwrap_or_default();
    if ks.spec.depends_on.as_ref().is_some_and(|d| !d.is_empty()) {
        match check_dependencies(&ctx, ks, &object.to_value(), &run.revision).await {
            Ok(()) => {}
            Err(DependencyProblem::NotReady(message)) => {
                let note = format!(
                    "Dependencies do not meet ready condition, retrying in {}",
                    format_duration(ctx.requeue_dependency)
                );
                ctx.log.info_in(&run.scope, &note);
                run.event(EventType::Normal, reason::DEPENDENCY_NOT_READY, &note).await;
                return run.fail_quietly(reason::DEPENDENCY_NOT_READY, &message, ctx.requeue_dependency).await;
            }
            Err(DependencyProblem::InvalidExpression(message)) => {
                return run.fail(reason::INVALID_CEL_EXPRESSION, &message, true, None, retry).await;
            }
        }
    }

    let step = |what: &str, revision: &str| {
        format!("{what} for revision {revision} with a timeout of {}", format_duration(timeout))
    };
    run.progress(&step("Fetching manifests", &run.revision.clone()));
    run.status["lastAttemptedRevision"] = json!(run.revision);
    run.write().await?;
    let vars = match load_variables(ctx.as_ref(), ks).await {
        Ok(vars) => vars,
        Err(message) => return run.fail(reason::BUILD_FAILED, &message, false, None, retry).await,
    };
    run.progress(&step("Building manifests", &run.revision.clone()));
    run.write().await?;
    let (shared, spec_copy, artifact_copy) = (ctx.clone(), ks.spec.clone(), artifact.clone());
    let built = tokio::task::spawn_blocking(move || {
        build(BuildInput {
            storage: &shared.storage,
            extracted: &shared.extracted,
            artifact: &artifact_copy,
            spec: &spec_copy,
            vars,
            strict: true,
        })
    })
    .await;
    let built = match built {
        Ok(Ok(built)) => built,
        Ok(Err(err)) => return run.fail(err.reason, &err.message, false, None, retry).await,
        Err(err) => {
            let message = format!("the build task failed: {err}");
            return run.fail(reason::BUILD_FAILED, &message, false, None, retry).await;
        }
    };

    run.progress(&step("Detecting drift", &run.revision.clone()));
    run.write().await?;
    // The apply, prune and health checks act as spec.serviceAccountName (or --default-service-account) when set.
    let resolver = match ctx.client_as(&namespace, ks.spec.service_account_name.as_deref()) {
        Ok(client) => Resolver::with_cache(client, ctx.kinds.clone()),
        Err(err) => {
            let message = err.to_string();
            return run.fail(reason::RECONCILIATION_FAILED, &message, false, Some(&built.digest), retry).await;
        }
    };
    let mut options = ApplyOptions::new(&name, &namespace);
    options.force = ks.spec.force.unwrap_or(false);
    options.stage_wait.exprs = exprs.clone();
    options.ignore = match IgnoreRules::compile(ks.spec.ignore.as_deref().unwrap_or_default()) {
        Ok(rules) => rules,
        Err(message) => {
            return run.fail(reason::RECONCILIATION_FAILED, &message, false, Some(&built.digest), retry).await;
        }
    };
    let applied = match apply_all(&resolver, built.objects, &options).await {
        Ok(set) => set,
        Err(err) => {
            return run.fail(reason::RECONCILIATION_FAILED, &err.message, false, Some(&built.digest), retry).await;
        }
    };
    if applied.has_changes() {
        let lines = applied.to_string();
        ctx.log.info_in(&run.scope, &format!("server-side apply completed: {lines}"));
        run.event(EventType::Normal, reason::PROGRESSING, &lines).await;
    }
    let old = recorded(ks);
    let mut inventory = inventory_of(&applied);
    if ks.spec.prune.unwrap_or(false) {
        match stale(&old, &inventory) {
            Ok(gone) if !gone.is_empty() => {
                let pruned = prune(&resolver, &gone, &name, &namespace).await;
                if pruned.changes.has_changes() {
                    run.event(EventType::Normal, reason::PROGRESSING, &pruned.changes.to_string()).await;
                }
                if let Some(message) = pruned.error_message() {
                    // What could not be deleted stays in the inventory, to be retried.
                    inventory.extend(pruned.failed.iter().map(|(id, _)| entry_of(id)));
                    run.set_inventory(&inventory);
                    return run.fail(reason::PRUNE_FAILED, &message, false, Some(&built.digest), retry).await;
                }
            }
            Ok(_) => {}
            Err(message) => return run.fail(reason::PRUNE_FAILED, &message, false, Some(&built.digest), retry).await,
        }
    }
    run.set_inventory(&inventory);

    let checks = health_targets(ks, &applied);
    if checks.is_empty() {
        run.remove_condition(condition::HEALTHY);
    } else {
        let message = step("Running health checks", &run.revision.clone());
        run.progress(&message);
        run.set_healthy(status::UNKNOWN, reason::PROGRESSING, &message);
        run.write().await?;
        let wait = WaitOptions { interval: HEALTH_POLL, timeout, fail_fast: true, exprs };
        match wait_for_health(&resolver, &checks, &wait).await {
            Ok(message) => run.set_healthy(status::TRUE, reason::SUCCEEDED, &message),
            Err(message) => {
                run.set_healthy(status::FALSE, reason::HEALTH_CHECK_FAILED, &message);
                return run.fail(reason::HEALTH_CHECK_FAILED, &message, false, Some(&built.digest), retry).await;
            }
        }
    }
    run.succeed(&built.digest, &artifact, interval).await
}

/// The objects the health check waits for: every applied object with `wait`, else `spec.healthChecks`.
fn health_targets(ks: &Kustomization, applied: &super::ChangeSet) -> Vec<ObjectId> {
    if ks.spec.wait.unwrap_or(false) {
        return applied.entries.iter().filter(|c| c.action != super::Action::Skipped).map(|c| c.id.clone()).collect();
    }
    let own_namespace = ks.metadata.namespace.clone().unwrap_or_default();
    ks.spec
        .health_checks
        .iter()
        .flatten()
        .filter_map(|check| {
            let api_version = check.api_version.as_deref().unwrap_or("v1");
            let namespace = check.namespace.as_deref().unwrap_or(&own_namespace);
            Some(ObjectId::new(api_version, check.kind.as_deref()?, namespace, check.name.as_deref()?))
        })
        .collect()
}

/// Deletion: prune the inventory by `deletionPolicy`, unless suspended (SEMANTICS.md §4.2). When the
/// ServiceAccount to impersonate is gone, the objects are left and a Warning event lists them, as Flux does.
async fn finalize(ctx: &Context, ks: &Kustomization, object: &AnyFluxObject, scope: &LogScope) {
    let entries = recorded(ks);
    let policy = ks.spec.deletion_policy.as_deref().unwrap_or(spec::DELETION_POLICY_MIRROR_PRUNE);
    let delete = match policy {
        spec::DELETION_POLICY_DELETE | spec::DELETION_POLICY_WAIT_FOR_TERMINATION => true,
        spec::DELETION_POLICY_ORPHAN => false,
        _ => ks.spec.prune.unwrap_or(false),
    };
    if ks.spec.suspend.unwrap_or(false) || entries.is_empty() || !delete {
        return;
    }
    let ids: Vec<ObjectId> = entries.iter().filter_map(|e| parse_entry(e).ok()).collect();
    let name = ks.metadata.name.clone().unwrap_or_default();
    let namespace = ks.metadata.namespace.clone().unwrap_or_default();
    let account = ctx.service_account(ks.spec.service_account_name.as_deref());
    let client = match &account {
        Some(account) if !service_account_exists(ctx, &namespace, account).await => None,
        _ => ctx.client_as(&namespace, account.as_deref()).ok(),
    };
    let Some(client) = client else {
        let listed: Vec<String> = ids.iter().map(ToString::to_string).collect();
        let message = format!("unable to prune objects: \n{}", listed.join("\n"));
        ctx.log.error_in(scope, "skipping pruning, failed to find account to impersonate", &message);
        let why = conditions_of(&object.to_value()["status"])
            .into_iter()
            .find(|c| c.type_ == condition::READY)
            .and_then(|c| c.reason)
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| "error".to_string());
        let metadata = event_metadata(KIND, object, &[]);
        record_as(ctx, CONTROLLER, KIND, object, EventType::Warning, &why, &message, metadata).await;
        return;
    };
    let resolver = Resolver::with_cache(client, ctx.kinds.clone());
    let pruned = prune(&resolver, &ids, &name, &namespace).await;
    if let Some(message) = pruned.error_message() {
        ctx.log.error_in(scope, "garbage collection failed", &message);
    } else {
        ctx.log.info_in(scope, &format!("garbage collection completed: {}", pruned.changes));
    }
    if policy == spec::DELETION_POLICY_WAIT_FOR_TERMINATION {
        let (_, _, timeout) = intervals(ks);
        let started = Instant::now();
        for id in &ids {
            while started.elapsed() < timeout && exists(&resolver, id).await {
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
}

/// Flux's `CanImpersonate`: the ServiceAccount is there (read with the engine's own client).
async fn service_account_exists(ctx: &Context, namespace: &str, name: &str) -> bool {
    let api: kube::Api<k8s_openapi::api::core::v1::ServiceAccount> =
        kube::Api::namespaced(ctx.client.clone(), namespace);
    matches!(api.get_opt(name).await, Ok(Some(_)))
}

async fn exists(resolver: &Resolver, id: &ObjectId) -> bool {
    let Ok(resolved) = resolver.resolve(id).await else { return false };
    matches!(resolver.api(&resolved, id).get_opt(&id.name).await, Ok(Some(_)))
}

/// One reconcile in progress: the status being built and what writes it.
struct Run {
    ctx: Arc<Context>,
    object: Arc<AnyFluxObject>,
    scope: LogScope,
    key: String,
    generation: i64,
    writer: StatusWriter,
    status: Value,
    started: Instant,
    /// The source revision being reconciled (empty before the source is read).
    revision: String,
}

impl Run {
    fn conditions(&self) -> Vec<crate::api::meta::Condition> {
        conditions_of(&self.status)
    }

    fn remove_condition(&mut self, type_: &str) {
        let mut list = self.conditions();
        Conditions::new(&mut list, self.generation).delete(type_);
        set_conditions(&mut self.status, list);
    }

    fn progress(&mut self, message: &str) {
        let mut list = self.conditions();
        Conditions::new(&mut list, self.generation).progress(message);
        set_conditions(&mut self.status, list);
    }

    fn set_healthy(&mut self, value: &str, why: &str, message: &str) {
        let mut list = self.conditions();
        Conditions::new(&mut list, self.generation).set(condition::HEALTHY, value, why, message);
        set_conditions(&mut self.status, list);
    }

    fn set_inventory(&mut self, entries: &[InventoryEntry]) {
        self.status["inventory"] = json!({ "entries": entries });
    }

    async fn event(&self, type_: EventType, why: &str, message: &str) {
        let mut pairs = Vec::new();
        if !self.revision.is_empty() {
            pairs.push(("revision", self.revision.as_str()));
        }
        if why == reason::RECONCILIATION_SUCCEEDED {
            pairs.push((kustomize::COMMIT_STATUS, kustomize::COMMIT_STATUS_UPDATE));
        }
        let metadata = event_metadata(KIND, &self.object, &pairs);
        record_as(&self.ctx, CONTROLLER, KIND, &self.object, type_, why, message, metadata).await;
    }

    /// Writes the status, with `lastHandledReconcileAt` set to the request being handled.
    async fn write(&mut self) -> Result<(), EngineError> {
        write_final_status(&mut self.writer, &mut self.status, &self.object, &self.key).await
    }

    /// Adds the attempt to `status.history` (newest first, one entry per digest and outcome, at most five).
    fn record_history(&mut self, digest: &str, outcome: &str) {
        let now = now_rfc3339();
        let duration = format_duration(self.started.elapsed());
        let mut history: Vec<Value> = self.status["history"].as_array().cloned().unwrap_or_default();
        let found = history.iter().position(|h| h["digest"] == digest && h["lastReconciledStatus"] == outcome);
        let mut entry = match found {
            Some(at) => history.remove(at),
            None => json!({"digest": digest, "firstReconciled": now, "totalReconciliations": 0}),
        };
        entry["lastReconciled"] = json!(now);
        entry["lastReconciledDuration"] = json!(duration);
        entry["lastReconciledStatus"] = json!(outcome);
        entry["totalReconciliations"] = json!(entry["totalReconciliations"].as_i64().unwrap_or(0) + 1);
        entry["metadata"] = json!({"revision": self.revision});
        history.insert(0, entry);
        history.truncate(HISTORY_MAX);
        self.status["history"] = json!(history);
    }

    /// Ends a failed reconcile with a Warning event.
    async fn fail(
        mut self,
        why: &str,
        message: &str,
        terminal: bool,
        digest: Option<&str>,
        requeue: Duration,
    ) -> Result<Action, EngineError> {
        self.ctx.log.error_in(&self.scope, "Reconciliation failed", message);
        self.event(EventType::Warning, why, message).await;
        if let Some(digest) = digest {
            self.record_history(digest, why);
        }
        self.finish_failed(why, message, terminal, requeue).await
    }

    /// Ends a failed reconcile whose event was already recorded (dependencies).
    async fn fail_quietly(self, why: &str, message: &str, requeue: Duration) -> Result<Action, EngineError> {
        self.finish_failed(why, message, false, requeue).await
    }

    async fn finish_failed(
        mut self,
        why: &str,
        message: &str,
        terminal: bool,
        requeue: Duration,
    ) -> Result<Action, EngineError> {
        let mut list = self.conditions();
        let outcome = Outcome::failed(None, why, message, terminal);
        conditions::summarize(&mut list, self.generation, &outcome, &[]);
        set_conditions(&mut self.status, list);
        if terminal {
            self.status["observedGeneration"] = json!(self.generation);
        }
        self.write().await?;
        Ok(if terminal { Action::await_change() } else { Action::requeue(requeue) })
    }

    async fn succeed(
        mut self,
        digest: &str,
        artifact: &crate::api::meta::Artifact,
        interval: Duration,
    ) -> Result<Action, EngineError> {
        let message = format!("Applied revision: {}", self.revision);
        self.status["lastAppliedRevision"] = json!(self.revision);
        let origin = artifact.metadata.as_ref().and_then(|m| m.get(annotation::OCI_REVISION)).cloned();
        self.status["lastAppliedOriginRevision"] = origin.map(Value::from).unwrap_or(Value::Null);
        self.status["observedGeneration"] = json!(self.generation);
        let mut list = self.conditions();
        let outcome = Outcome::Succeeded { reason: reason::RECONCILIATION_SUCCEEDED.to_string(), message };
        conditions::summarize(&mut list, self.generation, &outcome, &[]);
        set_conditions(&mut self.status, list);
        self.record_history(digest, reason::RECONCILIATION_SUCCEEDED);
        if self.status["lastAppliedOriginRevision"].is_null()
            && let Some(map) = self.status.as_object_mut()
        {
            map.remove("lastAppliedOriginRevision");
        }
        self.write().await?;
        let finished = format!(
            "Reconciliation finished in {}, next run in {}",
            format_duration(self.started.elapsed()),
            format_duration(interval)
        );
        self.ctx.log.info_in(&self.scope, &finished);
        self.event(EventType::Normal, reason::RECONCILIATION_SUCCEEDED, &finished).await;
        Ok(Action::requeue(self.ctx.backoff.succeeded(&self.key, interval)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ks(spec: Value) -> Kustomization {
        serde_json::from_value(json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": "apps", "namespace": "default"}, "spec": spec,
        }))
        .expect("a Kustomization")
    }

    #[test]
    fn timeout_defaults_to_interval_minus_thirty_seconds_at_least_thirty() {
        assert_eq!(intervals(&ks(json!({"interval": "10m"}))).2, Duration::from_secs(570));
        assert_eq!(intervals(&ks(json!({"interval": "1s"}))).2, Duration::from_secs(30));
        let (interval, retry, timeout) =
            intervals(&ks(json!({"interval": "5m", "retryInterval": "1m", "timeout": "2m"})));
        assert_eq!(
            (interval, retry, timeout),
            (Duration::from_secs(300), Duration::from_secs(60), Duration::from_secs(120))
        );
    }

    #[test]
    fn health_targets_come_from_wait_or_the_checks() {
        let checks = ks(json!({"healthChecks": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}]}));
        let targets = health_targets(&checks, &super::super::ChangeSet::default());
        assert_eq!(targets.len(), 1);
        assert_eq!(targets[0].to_string(), "Deployment/default/web");
    }
}
