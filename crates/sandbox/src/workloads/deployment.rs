//! The Deployment controller: one ReplicaSet per pod template (`<name>-<pod-template-hash>`),
//! rolling updates bounded by maxSurge/maxUnavailable (or Recreate), revision annotations,
//! history cleanup, and the status and conditions kstatus, `kubectl rollout status` and helm's
//! `--wait` read.

use super::client::{
    Api, CONTROLLER_MANAGER, Workload, condition, generation, gr, i, int_or_percent, is_deleting, name, namespace, now,
    owner_ref, s, seconds_since, set_condition, set_meta_entry, template_hash, template_without_hash, uid,
};
use super::events::{EventType, Recorder};
use super::runtime::Reconciler;
use crate::error::ApiError;
use crate::store::WatchEvent;
use serde_json::{Value, json};
use std::time::Duration;

const REVISION: &str = "deployment.kubernetes.io/revision";
const COMPONENT: &str = "deployment-controller";

const WORKLOAD: Workload =
    Workload { group: "apps", resource: "deployments", kind: "Deployment", owned: "replicasets", adopts: true };

pub(super) struct Deployments {
    api: Api,
    recorder: Recorder,
}

impl Deployments {
    pub fn new(api: Api, recorder: Recorder) -> Self {
        Deployments { api, recorder }
    }
}

impl Reconciler for Deployments {
    type Key = (String, String);

    fn name(&self) -> &'static str {
        COMPONENT
    }

    fn keys_for(&mut self, event: &WatchEvent, out: &mut Vec<Self::Key>) {
        WORKLOAD.keys_for(&self.api, event, out);
    }

    fn all_keys(&mut self) -> Vec<Self::Key> {
        WORKLOAD.all_keys(&self.api)
    }

    fn reconcile(&mut self, key: &Self::Key) -> Result<Option<Duration>, ApiError> {
        let Some(deployment) = WORKLOAD.get_live(&self.api, key) else { return Ok(None) };
        let mut sync = Sync { created: None, scaled: false };
        let paused = deployment.pointer("/spec/paused").and_then(Value::as_bool) == Some(true);
        // Listed once: the steps below keep these copies up to date with what they write.
        let (mut new_rs, mut old) = self.replica_sets(&deployment)?;
        if paused {
            // A paused Deployment still scales, but starts no rollout.
            if let Some(rs) = &mut new_rs
                && old.iter().all(|o| replicas_of(o) == 0)
            {
                self.scale(&deployment, rs, desired(&deployment), &mut sync)?;
            }
        } else if s(&deployment, "/spec/strategy/type") == "Recreate" {
            new_rs = self.recreate(&deployment, new_rs, &mut old, &mut sync)?;
        } else {
            new_rs = Some(self.rolling(&deployment, new_rs, &mut old, &mut sync)?);
        }
        if !paused {
            self.cleanup(&deployment, &old)?;
        }
        self.update_status(&deployment, new_rs.as_ref(), &old, &sync, paused)
    }
}

/// What one sync did, for the Progressing condition.
struct Sync {
    created: Option<String>,
    scaled: bool,
}

fn desired(deployment: &Value) -> i64 {
    i(deployment, "/spec/replicas").unwrap_or(1)
}

fn replicas_of(rs: &Value) -> i64 {
    i(rs, "/spec/replicas").unwrap_or(0)
}

fn revision_of(rs: &Value) -> i64 {
    s(rs, &format!("/metadata/annotations/{}", REVISION.replace('/', "~1"))).parse().unwrap_or(0)
}

fn available_of(rs: &Value) -> i64 {
    i(rs, "/status/availableReplicas").unwrap_or(0)
}

/// (maxSurge, maxUnavailable) resolved against `spec.replicas`, as `deploymentutil` does.
fn surge_and_unavailable(deployment: &Value) -> (i64, i64) {
    if s(deployment, "/spec/strategy/type") == "Recreate" {
        return (0, 0);
    }
    let replicas = desired(deployment);
    let rolling = deployment.pointer("/spec/strategy/rollingUpdate");
    let surge = int_or_percent(rolling.and_then(|r| r.get("maxSurge")), replicas, true, 0);
    let mut unavailable = int_or_percent(rolling.and_then(|r| r.get("maxUnavailable")), replicas, false, 0);
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    (surge, unavailable.min(replicas))
}

impl Deployments {
    /// The ReplicaSet running the current template, and every other one the Deployment owns
    /// (oldest revision first).
    fn replica_sets(&self, deployment: &Value) -> Result<(Option<Value>, Vec<Value>), ApiError> {
        let template = deployment.pointer("/spec/template").cloned().unwrap_or(Value::Null);
        let mut owned = self.api.claim(&WORKLOAD.owned_gr(), deployment, "apps/v1", "Deployment")?;
        owned.sort_by_key(|rs| (revision_of(rs), s(rs, "/metadata/creationTimestamp").to_string()));
        let rs_template = |rs: &Value| template_without_hash(rs.pointer("/spec/template").unwrap_or(&Value::Null));
        let position = owned.iter().position(|rs| rs_template(rs) == template);
        let new_rs = position.map(|p| owned.remove(p));
        Ok((new_rs, owned))
    }

    fn create_new(&self, deployment: &Value, old: &[Value], replicas: i64, sync: &mut Sync) -> Result<Value, ApiError> {
        let template = deployment.pointer("/spec/template").cloned().unwrap_or_else(|| json!({}));
        let hash = template_hash(&template);
        let rs_name = format!("{}-{hash}", name(deployment));
        let revision = old.iter().map(revision_of).max().unwrap_or(0) + 1;
        let mut rs_template = template.clone();
        rs_template["metadata"]["labels"]["pod-template-hash"] = json!(hash);
        let mut selector = deployment.pointer("/spec/selector").cloned().unwrap_or_else(|| json!({}));
        selector["matchLabels"]["pod-template-hash"] = json!(hash);
        let (surge, _) = surge_and_unavailable(deployment);
        let body = json!({
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": rs_name,
                "namespace": namespace(deployment),
                "labels": rs_template["metadata"]["labels"].clone(),
                "annotations": {
                    "deployment.kubernetes.io/desired-replicas": desired(deployment).to_string(),
                    "deployment.kubernetes.io/max-replicas": (desired(deployment) + surge).to_string(),
                    REVISION: revision.to_string(),
                },
                "ownerReferences": [owner_ref(deployment, "apps/v1", "Deployment")],
            },
            "spec": {
                "replicas": replicas,
                "minReadySeconds": i(deployment, "/spec/minReadySeconds").unwrap_or(0),
                "selector": selector,
                "template": rs_template,
            },
        });
        let created = match self.api.create(&WORKLOAD.owned_gr(), namespace(deployment), body, CONTROLLER_MANAGER) {
            Ok(created) => created,
            Err(err) => {
                // For instance a ReplicaSet of that name that another controller owns.
                let message = format!("Failed to create new replica set \"{rs_name}\": {}", err.message);
                self.recorder.record(deployment, EventType::Warning, "ReplicaSetCreateError", &message, COMPONENT);
                return Err(err);
            }
        };
        if replicas > 0 {
            let message = format!("Scaled up replica set {rs_name} to {replicas}");
            self.recorder.record(deployment, EventType::Normal, "ScalingReplicaSet", &message, COMPONENT);
        }
        sync.created = Some(rs_name);
        self.set_revision(deployment, revision)?;
        Ok(created)
    }

    /// Scales a ReplicaSet (and keeps its Deployment annotations current); `rs` is updated to match.
    fn scale(&self, deployment: &Value, rs: &mut Value, replicas: i64, sync: &mut Sync) -> Result<(), ApiError> {
        let (surge, _) = surge_and_unavailable(deployment);
        let from = replicas_of(rs);
        let wanted = desired(deployment);
        let changed = self.api.modify(&WORKLOAD.owned_gr(), namespace(rs), name(rs), CONTROLLER_MANAGER, |rs| {
            let before = rs.clone();
            rs["spec"]["replicas"] = json!(replicas);
            set_meta_entry(rs, "annotations", "deployment.kubernetes.io/desired-replicas", wanted.to_string());
            set_meta_entry(rs, "annotations", "deployment.kubernetes.io/max-replicas", (wanted + surge).to_string());
            *rs != before
        })?;
        rs["spec"]["replicas"] = json!(replicas);
        if changed.is_some() && from != replicas {
            let direction = if replicas > from { "up" } else { "down" };
            let message = if direction == "up" {
                format!("Scaled up replica set {} to {replicas}", name(rs))
            } else {
                format!("Scaled down replica set {} from {from} to {replicas}", name(rs))
            };
            self.recorder.record(deployment, EventType::Normal, "ScalingReplicaSet", &message, COMPONENT);
            sync.scaled = true;
        }
        Ok(())
    }

    fn set_revision(&self, deployment: &Value, revision: i64) -> Result<(), ApiError> {
        let key = format!("/metadata/annotations/{}", REVISION.replace('/', "~1"));
        self.api.modify(
            &gr("apps", "deployments"),
            namespace(deployment),
            name(deployment),
            CONTROLLER_MANAGER,
            |d| {
                if d.pointer(&key).and_then(Value::as_str) == Some(revision.to_string().as_str()) {
                    return false;
                }
                set_meta_entry(d, "annotations", REVISION, revision.to_string());
                true
            },
        )?;
        Ok(())
    }

    /// Makes sure the current ReplicaSet carries the highest revision (a rollback re-uses an old one).
    fn promote(&self, deployment: &Value, rs: &Value, old: &[Value]) -> Result<(), ApiError> {
        let highest_old = old.iter().map(revision_of).max().unwrap_or(0);
        let mut revision = revision_of(rs);
        if revision <= highest_old {
            revision = highest_old + 1;
            self.api.modify(&gr("apps", "replicasets"), namespace(rs), name(rs), CONTROLLER_MANAGER, |rs| {
                set_meta_entry(rs, "annotations", REVISION, revision.to_string());
                true
            })?;
        }
        self.set_revision(deployment, revision)
    }

    /// Returns the new ReplicaSet as it now is; `old` is kept up to date.
    fn rolling(
        &self,
        deployment: &Value,
        new_rs: Option<Value>,
        old: &mut [Value],
        sync: &mut Sync,
    ) -> Result<Value, ApiError> {
        let wanted = desired(deployment);
        let (surge, unavailable) = surge_and_unavailable(deployment);
        let old_total: i64 = old.iter().map(replicas_of).sum();
        let max_total = wanted + surge;
        let new_rs = match new_rs {
            None => {
                let replicas = if old_total == 0 { wanted } else { (max_total - old_total).clamp(0, wanted) };
                self.create_new(deployment, old, replicas, sync)?
            }
            Some(mut rs) => {
                self.promote(deployment, &rs, old)?;
                let current = replicas_of(&rs);
                let target = if old_total == 0 || current > wanted {
                    wanted
                } else {
                    (current + (max_total - old_total - current).max(0)).min(wanted)
                };
                self.scale(deployment, &mut rs, target, sync)?;
                rs
            }
        };
        if old_total == 0 {
            return Ok(new_rs);
        }
        // Scale old ReplicaSets down only as far as availability allows.
        let min_available = wanted - unavailable;
        let all_pods = old_total + replicas_of(&new_rs);
        let new_unavailable = (replicas_of(&new_rs) - available_of(&new_rs)).max(0);
        let mut budget = all_pods - min_available - new_unavailable;
        // First the old pods that are not available anyway.
        for rs in old.iter_mut() {
            if budget <= 0 {
                break;
            }
            let unhealthy = (replicas_of(rs) - available_of(rs)).max(0).min(budget);
            if unhealthy > 0 {
                budget -= unhealthy;
                let replicas = replicas_of(rs) - unhealthy;
                self.scale(deployment, rs, replicas, sync)?;
            }
        }
        // Then available ones, keeping at least `min_available` available in all.
        let available_all: i64 = old.iter().map(available_of).sum::<i64>() + available_of(&new_rs);
        let mut scale_down = available_all - min_available;
        for rs in old.iter_mut() {
            if scale_down <= 0 {
                break;
            }
            let by = replicas_of(rs).min(scale_down);
            if by > 0 {
                scale_down -= by;
                let replicas = replicas_of(rs) - by;
                self.scale(deployment, rs, replicas, sync)?;
            }
        }
        Ok(new_rs)
    }

    /// Returns the new ReplicaSet, if there is one yet; `old` is kept up to date.
    fn recreate(
        &self,
        deployment: &Value,
        new_rs: Option<Value>,
        old: &mut [Value],
        sync: &mut Sync,
    ) -> Result<Option<Value>, ApiError> {
        for rs in old.iter_mut().filter(|rs| replicas_of(rs) > 0) {
            self.scale(deployment, rs, 0, sync)?;
        }
        // The new pods start only once every old pod is gone.
        if old.iter().any(|rs| i(rs, "/status/replicas").unwrap_or(0) > 0 || replicas_of(rs) > 0) {
            return Ok(new_rs);
        }
        match new_rs {
            None => self.create_new(deployment, old, desired(deployment), sync).map(Some),
            Some(mut rs) => {
                self.promote(deployment, &rs, old)?;
                self.scale(deployment, &mut rs, desired(deployment), sync)?;
                Ok(Some(rs))
            }
        }
    }

    /// Deletes scaled-down ReplicaSets beyond `revisionHistoryLimit`, oldest first.
    fn cleanup(&self, deployment: &Value, old: &[Value]) -> Result<(), ApiError> {
        let limit = i(deployment, "/spec/revisionHistoryLimit").unwrap_or(10).max(0) as usize;
        let idle: Vec<&Value> = old
            .iter()
            .filter(|rs| replicas_of(rs) == 0 && i(rs, "/status/replicas").unwrap_or(0) == 0 && !is_deleting(rs))
            .collect();
        for rs in idle.iter().take(idle.len().saturating_sub(limit)) {
            self.api.delete(&WORKLOAD.owned_gr(), namespace(rs), name(rs), Some(uid(rs)), None)?;
        }
        Ok(())
    }

    fn update_status(
        &self,
        deployment: &Value,
        new_rs: Option<&Value>,
        old: &[Value],
        sync: &Sync,
        paused: bool,
    ) -> Result<Option<Duration>, ApiError> {
        let all: Vec<&Value> = new_rs.into_iter().chain(old.iter()).collect();
        let sum = |pointer: &str| all.iter().map(|rs| i(rs, pointer).unwrap_or(0)).sum::<i64>();
        let replicas = sum("/status/replicas");
        let updated = new_rs.and_then(|rs| i(rs, "/status/replicas")).unwrap_or(0);
        let ready = sum("/status/readyReplicas");
        let available = sum("/status/availableReplicas");
        let unavailable = (sum("/spec/replicas") - available).max(0);
        let wanted = desired(deployment);
        let (_, max_unavailable) = surge_and_unavailable(deployment);
        let mut status = json!({"observedGeneration": generation(deployment)});
        for (field, value) in [
            ("replicas", replicas),
            ("updatedReplicas", updated),
            ("readyReplicas", ready),
            ("availableReplicas", available),
            ("unavailableReplicas", unavailable),
        ] {
            if value > 0 {
                status[field] = json!(value);
            }
        }
        let previous = deployment.get("status").cloned().unwrap_or_else(|| json!({}));
        status["conditions"] = previous.get("conditions").cloned().unwrap_or_else(|| json!([]));
        let at = now();
        let make = |kind: &str, state: &str, reason: &str, message: String| json!({"type": kind, "status": state, "lastUpdateTime": at, "lastTransitionTime": at, "reason": reason, "message": message});
        let availability = if available >= wanted - max_unavailable {
            make("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.".into())
        } else {
            make(
                "Available",
                "False",
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.".into(),
            )
        };
        set_condition(&mut status, availability);
        let rs_name = new_rs.map(|rs| name(rs).to_string()).unwrap_or_default();
        let deadline = i(deployment, "/spec/progressDeadlineSeconds");
        let counts = ["replicas", "updatedReplicas", "readyReplicas", "availableReplicas"];
        let progressed = sync.scaled || counts.iter().any(|f| previous.get(*f) != status.get(*f));
        let complete = new_rs.is_some() && updated == wanted && replicas == wanted && available == wanted;
        let current = condition(deployment, "Progressing").cloned();
        let current_reason = current.as_ref().map(|c| s(c, "/reason").to_string()).unwrap_or_default();
        let mut wait = None;
        let progressing = if let Some(limit) = deadline {
            if paused {
                Some((make("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused".into()), false))
            } else if complete {
                let message = format!("ReplicaSet \"{rs_name}\" has successfully progressed.");
                Some((make("Progressing", "True", "NewReplicaSetAvailable", message), false))
            } else if let Some(created) = &sync.created {
                Some((
                    make(
                        "Progressing",
                        "True",
                        "NewReplicaSetCreated",
                        format!("Created new replica set \"{created}\""),
                    ),
                    true,
                ))
            } else if progressed || current_reason == "DeploymentPaused" {
                Some((
                    make(
                        "Progressing",
                        "True",
                        "ReplicaSetUpdated",
                        format!("ReplicaSet \"{rs_name}\" is progressing."),
                    ),
                    true,
                ))
            } else if current.is_none() {
                Some((
                    make("Progressing", "True", "FoundNewReplicaSet", format!("Found new replica set \"{rs_name}\"")),
                    true,
                ))
            } else if current_reason != "ProgressDeadlineExceeded" {
                // No progress since the condition was last updated: has the deadline passed?
                let since = current.as_ref().and_then(|c| seconds_since(s(c, "/lastUpdateTime"))).unwrap_or(0);
                if current_reason == "NewReplicaSetAvailable" || since < limit {
                    wait = Some(Duration::from_secs((limit - since).max(1) as u64));
                    None
                } else {
                    let message = format!("ReplicaSet \"{rs_name}\" has timed out progressing.");
                    Some((make("Progressing", "False", "ProgressDeadlineExceeded", message), false))
                }
            } else {
                None
            }
        } else {
            None
        };
        if let Some((condition, touched)) = progressing {
            set_condition(&mut status, condition);
            if touched
                && let Some(c) = status["conditions"].as_array_mut().and_then(|list| {
                    list.iter_mut().find(|c| c.get("type").and_then(Value::as_str) == Some("Progressing"))
                })
            {
                // Progress moves the deadline: the clock restarts at the last update.
                c["lastUpdateTime"] = json!(at);
            }
            if !complete
                && !paused
                && let Some(limit) = deadline
            {
                wait = Some(Duration::from_secs(limit.max(1) as u64));
            }
        }
        order_conditions(&mut status);
        self.api.replace_status(
            &WORKLOAD.gr(),
            namespace(deployment),
            name(deployment),
            CONTROLLER_MANAGER,
            &status,
        )?;
        Ok(wait)
    }
}

/// Available before Progressing, as the real controller lists them.
fn order_conditions(status: &mut Value) {
    if let Some(list) = status.get_mut("conditions").and_then(Value::as_array_mut) {
        list.sort_by_key(|c| match c.get("type").and_then(Value::as_str) {
            Some("Available") => 0,
            Some("Progressing") => 1,
            _ => 2,
        });
    }
}
