//! Which objects the engine owns, and whether real Flux controllers would fight it.
//!
//! The rule: the engine reconciles every object of the kinds it runs in the watched namespace (all namespaces
//! by default), narrowed by an optional label selector. Flux's own sharding label, `sharding.fluxcd.io/key`,
//! is the intended selector: `--shard KEY` makes the engine take only objects labelled
//! `sharding.fluxcd.io/key=KEY`, and Flux's controllers ignore them when they run with
//! `--watch-label-selector='!sharding.fluxcd.io/key'` (Flux's documented sharding setup).
//!
//! Before it starts, the engine looks for Flux controller Deployments (label `app.kubernetes.io/part-of=flux`)
//! with ready replicas. If any run, it refuses unless told `--alongside-flux`, and then only with a shard, since
//! two controllers writing one object's status would flap it forever.

use k8s_openapi::api::apps::v1::Deployment;
use kube::Client;
use kube::api::{Api, ListParams};

use crate::controllers::names::annotation::SHARDING_KEY;
use crate::controllers::{CONTROLLER_NAMES, names};

/// The label selector that takes only objects of shard `key`.
pub fn shard_selector(key: &str) -> String {
    format!("{SHARDING_KEY}={key}")
}

/// Flux controller Deployments with ready replicas, as `namespace/name`.
pub async fn running_flux_controllers(client: &Client) -> Result<Vec<String>, kube::Error> {
    let api: Api<Deployment> = Api::all(client.clone());
    let list = api.list(&ListParams::default().labels("app.kubernetes.io/part-of=flux")).await?;
    Ok(list
        .items
        .into_iter()
        .filter(|deployment| {
            let name = deployment.metadata.name.as_deref().unwrap_or_default();
            let ready = deployment.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0);
            CONTROLLER_NAMES.contains(&name) && ready > 0
        })
        .map(|d| format!("{}/{}", d.metadata.namespace.unwrap_or_default(), d.metadata.name.unwrap_or_default()))
        .collect())
}

/// Why the engine will not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OwnershipError {
    #[error(
        "Flux controllers are running in this cluster ({0}): the embedded engine would fight them over every object. \
         Use another cluster, scale them to zero, or run with --alongside-flux --shard KEY to reconcile only objects \
         labelled {key}=KEY (configure Flux with --watch-label-selector='!{key}')",
        key = names::annotation::SHARDING_KEY
    )]
    FluxRunning(String),
    #[error("--alongside-flux needs --shard KEY: without a shard both would reconcile every object")]
    AlongsideWithoutShard,
}

/// Decides whether the engine may start, given what runs and how it was asked to start.
pub fn check(running: &[String], alongside_flux: bool, shard: Option<&str>) -> Result<(), OwnershipError> {
    if running.is_empty() {
        return Ok(());
    }
    match (alongside_flux, shard) {
        (false, _) => Err(OwnershipError::FluxRunning(running.join(", "))),
        (true, None) => Err(OwnershipError::AlongsideWithoutShard),
        (true, Some(_)) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engine_refuses_to_fight_running_flux() {
        assert_eq!(check(&[], false, None), Ok(()));
        let running = vec!["flux-system/source-controller".to_string()];
        let err = check(&running, false, None).unwrap_err();
        assert!(err.to_string().contains("flux-system/source-controller"));
        assert_eq!(check(&running, true, None), Err(OwnershipError::AlongsideWithoutShard));
        assert_eq!(check(&running, true, Some("dev")), Ok(()));
        assert_eq!(shard_selector("dev"), "sharding.fluxcd.io/key=dev");
    }
}
