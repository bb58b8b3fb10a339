//! A large dependsOn graph for the graph's benchmark and snapshots: Kustomizations spread over ten namespaces,
//! each depending on its parent in a binary tree (about ten layers for 1,000 objects) and every seventh also on
//! an object in another namespace, with one in fifty failing so that blocking chains run through the graph.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

fn name(index: usize) -> String {
    format!("ks-{index:04}")
}

fn namespace(index: usize) -> String {
    format!("fleet-{:02}", index % 10)
}

/// `count` Kustomizations with `dependsOn` (see the module docs).
pub fn dependency_fleet(count: usize, now: DateTime<Utc>) -> Vec<Value> {
    let stamp = now.to_rfc3339_opts(SecondsFormat::Secs, true);
    (0..count)
        .map(|index| {
            let mut depends_on = Vec::new();
            if index > 0 {
                let parent = (index - 1) / 2;
                depends_on.push(json!({"name": name(parent), "namespace": namespace(parent)}));
            }
            if index > 3 && index % 7 == 0 {
                let other = index / 3;
                depends_on.push(json!({"name": name(other), "namespace": namespace(other)}));
            }
            let failing = index % 50 == 3;
            let (status, reason, message) = if failing {
                ("False", "HealthCheckFailed", format!("health check failed for {}", name(index)))
            } else {
                ("True", "ReconciliationSucceeded", "Applied revision: main@sha1:0123456789abcdef".to_string())
            };
            json!({
                "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
                "kind": "Kustomization",
                "metadata": {"name": name(index), "namespace": namespace(index), "generation": 1,
                             "creationTimestamp": stamp, "uid": format!("00000000-0000-4000-9000-{index:012}")},
                "spec": {"interval": "10m", "path": "./", "prune": true, "dependsOn": depends_on,
                         "sourceRef": {"kind": "GitRepository", "name": "fleet", "namespace": "flux-system"}},
                "status": {"observedGeneration": 1, "conditions": [{
                    "type": "Ready", "status": status, "reason": reason, "message": message,
                    "lastTransitionTime": stamp, "observedGeneration": 1}]},
            })
        })
        .collect()
}
