//! Leader election on a `coordination.k8s.io/v1` Lease, so two engines on one cluster never reconcile the
//! same objects at once (client-go's leaderelection, simplified to what one process needs).
//!
//! The holder renews the lease every `renew` period; another candidate takes it over only once
//! `renewTime + leaseDurationSeconds` has passed. Every write carries the lease's `resourceVersion`, so two
//! candidates racing for an expired lease cannot both win. A holder that cannot renew within the lease
//! duration stops its reconcilers: by then another engine may have taken over.

use std::time::Duration;

use chrono::Utc;
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kube::Client;
use kube::api::{Api, PostParams};
use tokio::sync::watch;

use super::logs::EngineLog;

/// Where the lease lives and how it is held.
#[derive(Debug, Clone)]
pub struct LeaseConfig {
    pub namespace: String,
    pub name: String,
    /// This engine's identity (host name and process id).
    pub identity: String,
    pub duration: Duration,
    pub renew: Duration,
    /// How often a waiting candidate looks again.
    pub retry: Duration,
}

impl LeaseConfig {
    pub fn new(namespace: &str, name: &str, identity: &str) -> LeaseConfig {
        LeaseConfig {
            namespace: namespace.to_string(),
            name: name.to_string(),
            identity: identity.to_string(),
            duration: Duration::from_secs(15),
            renew: Duration::from_secs(5),
            retry: Duration::from_secs(2),
        }
    }
}

/// What one attempt found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// This engine holds the lease.
    Held,
    /// Another holder's lease is still valid.
    HeldBy(String),
}

fn now() -> MicroTime {
    MicroTime(k8s_openapi::jiff::Timestamp::now())
}

/// One try to take or renew the lease.
pub async fn try_acquire(client: &Client, config: &LeaseConfig) -> Result<Attempt, kube::Error> {
    let api: Api<Lease> = Api::namespaced(client.clone(), &config.namespace);
    let seconds = i32::try_from(config.duration.as_secs()).unwrap_or(i32::MAX);
    let Some(mut lease) = api.get_opt(&config.name).await? else {
        let lease = Lease {
            metadata: ObjectMeta { name: Some(config.name.clone()), ..ObjectMeta::default() },
            spec: Some(LeaseSpec {
                holder_identity: Some(config.identity.clone()),
                lease_duration_seconds: Some(seconds),
                acquire_time: Some(now()),
                renew_time: Some(now()),
                lease_transitions: Some(0),
                ..LeaseSpec::default()
            }),
        };
        return match api.create(&PostParams::default(), &lease).await {
            Ok(_) => Ok(Attempt::Held),
            // Someone created it first: look again next time.
            Err(kube::Error::Api(status)) if status.code == 409 => Ok(Attempt::HeldBy("another candidate".into())),
            Err(err) => Err(err),
        };
    };
    let spec = lease.spec.get_or_insert_with(LeaseSpec::default);
    let holder = spec.holder_identity.clone().unwrap_or_default();
    if !holder.is_empty() && holder != config.identity {
        let renewed = spec.renew_time.as_ref().map(|t| t.0.as_millisecond()).unwrap_or(0);
        let valid_for = i64::from(spec.lease_duration_seconds.unwrap_or(seconds)) * 1000;
        if renewed + valid_for > Utc::now().timestamp_millis() {
            return Ok(Attempt::HeldBy(holder));
        }
        spec.lease_transitions = Some(spec.lease_transitions.unwrap_or(0) + 1);
        spec.acquire_time = Some(now());
    }
    if holder.is_empty() {
        spec.acquire_time = Some(now());
    }
    spec.holder_identity = Some(config.identity.clone());
    spec.lease_duration_seconds = Some(seconds);
    spec.renew_time = Some(now());
    match api.replace(&config.name, &PostParams::default(), &lease).await {
        Ok(_) => Ok(Attempt::Held),
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(Attempt::HeldBy("another candidate".into())),
        Err(err) => Err(err),
    }
}

/// Waits until this engine holds the lease (or `stop` turns true).
pub async fn acquire(client: &Client, config: &LeaseConfig, log: &EngineLog, stop: &mut watch::Receiver<bool>) -> bool {
    let mut announced = String::new();
    loop {
        match try_acquire(client, config).await {
            Ok(Attempt::Held) => {
                log.info(
                    "successfully acquired lease",
                    serde_json::json!({"lease": format!("{}/{}", config.namespace, config.name), "identity": config.identity}),
                );
                return true;
            }
            Ok(Attempt::HeldBy(holder)) if holder != announced => {
                log.info(
                    "waiting for the lease held by another engine",
                    serde_json::json!({"lease": format!("{}/{}", config.namespace, config.name), "holder": holder}),
                );
                announced = holder;
            }
            Ok(Attempt::HeldBy(_)) => {}
            Err(err) => log.error("unable to get the leader lease", &err.to_string()),
        }
        tokio::select! {
            _ = tokio::time::sleep(config.retry) => {}
            _ = stop.changed() => return false,
        }
        if *stop.borrow() {
            return false;
        }
    }
}

/// Renews the lease until `stop`; sets `lost` when it could not renew for a whole lease duration (or another
/// holder took it), which stops the reconcilers.
pub async fn keep(
    client: Client,
    config: LeaseConfig,
    log: EngineLog,
    mut stop: watch::Receiver<bool>,
    lost: watch::Sender<bool>,
) {
    let mut last_renewed = tokio::time::Instant::now();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(config.renew) => {}
            _ = stop.changed() => break,
        }
        if *stop.borrow() {
            break;
        }
        match try_acquire(&client, &config).await {
            Ok(Attempt::Held) => last_renewed = tokio::time::Instant::now(),
            Ok(Attempt::HeldBy(holder)) => {
                log.error("leader lease lost", &format!("now held by {holder}"));
                let _ = lost.send(true);
                return;
            }
            Err(err) => {
                log.error("unable to renew the leader lease", &err.to_string());
                if last_renewed.elapsed() >= config.duration {
                    let _ = lost.send(true);
                    return;
                }
            }
        }
    }
    release(&client, &config).await;
}

/// Gives the lease up on a clean stop, so the next engine need not wait for it to expire.
pub async fn release(client: &Client, config: &LeaseConfig) {
    let api: Api<Lease> = Api::namespaced(client.clone(), &config.namespace);
    let Ok(Some(mut lease)) = api.get_opt(&config.name).await else { return };
    let Some(spec) = lease.spec.as_mut() else { return };
    if spec.holder_identity.as_deref() != Some(config.identity.as_str()) {
        return;
    }
    spec.holder_identity = None;
    spec.renew_time = None;
    let _ = api.replace(&config.name, &PostParams::default(), &lease).await;
}
