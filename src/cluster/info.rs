//! Facts about the cluster for the header and the overview: the server version, the Flux version and the
//! health of the Flux controllers.
//!
//! The parts come from different places (one `/version` request, the Deployments watch here, the namespace
//! and CRD watches elsewhere); [`InfoTracker`] puts them together and sends [`ClusterEvent::Info`] only when the
//! whole changes. Nothing is polled: the controllers come from a watch of the Deployments labelled
//! `app.kubernetes.io/part-of=flux`, which is how every Flux install labels them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use kube::runtime::reflector::store::Writer;
use kube::runtime::watcher::{self, DefaultBackoff, Event, watcher};
use kube::{Api, Client};
use tokio::sync::mpsc::UnboundedSender;

use super::connectivity::{ConnectivityTracker, Failure};
use super::resilient::watch_forever;
use super::{ClusterEvent, ClusterInfo, ControllerHealth};

/// The label Flux puts on its namespace, CRDs and Deployments with the distribution's version.
pub const FLUX_VERSION_LABEL: &str = "app.kubernetes.io/version";
/// The label every object of a Flux install carries.
pub const PART_OF_FLUX: &str = "app.kubernetes.io/part-of=flux";
/// Where Flux is installed unless told otherwise.
pub const FLUX_NAMESPACE: &str = "flux-system";

/// Puts the parts of [`ClusterInfo`] together. Cloning shares it.
#[derive(Clone)]
pub struct InfoTracker {
    inner: Arc<Mutex<Parts>>,
    events: UnboundedSender<ClusterEvent>,
}

#[derive(Default)]
struct Parts {
    server_version: Option<String>,
    namespace_flux_version: Option<String>,
    crd_flux_version: Option<String>,
    controllers: Vec<ControllerHealth>,
    sent: Option<ClusterInfo>,
}

impl InfoTracker {
    pub fn new(events: UnboundedSender<ClusterEvent>) -> InfoTracker {
        InfoTracker { inner: Arc::default(), events }
    }

    pub fn set_server_version(&self, version: Option<String>) {
        self.update(|parts| parts.server_version = version);
    }

    /// The version label of the namespace Flux is installed in; it wins over the CRDs' labels.
    pub fn set_namespace_flux_version(&self, version: Option<String>) {
        self.update(|parts| parts.namespace_flux_version = version);
    }

    pub fn set_crd_flux_version(&self, version: Option<String>) {
        self.update(|parts| parts.crd_flux_version = version);
    }

    fn set_controllers(&self, controllers: Vec<ControllerHealth>) {
        self.update(|parts| parts.controllers = controllers);
    }

    fn update(&self, change: impl FnOnce(&mut Parts)) {
        let mut parts = self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        change(&mut parts);
        let info = ClusterInfo {
            server_version: parts.server_version.clone(),
            flux_version: parts.namespace_flux_version.clone().or_else(|| parts.crd_flux_version.clone()),
            controllers: parts.controllers.clone(),
        };
        if parts.sent.as_ref() != Some(&info) {
            parts.sent = Some(info.clone());
            let _ = self.events.send(ClusterEvent::Info(info));
        }
    }
}

const VERSION_SOURCE: &str = "version";
const DEPLOYMENTS_SOURCE: &str = "deployments";

/// Asks `/version` until it answers, then stops: the server's version does not change under a running session.
pub async fn fetch_server_version(client: Client, info: InfoTracker, connectivity: ConnectivityTracker) {
    let mut backoff = DefaultBackoff::default();
    loop {
        match client.apiserver_version().await {
            Ok(version) => {
                info.set_server_version(Some(version.git_version));
                // A one-off request: once answered it must not keep the banner green by itself.
                connectivity.remove(VERSION_SOURCE);
                return;
            }
            Err(error) => {
                let failure = Failure::from_kube(&error);
                connectivity.failed(VERSION_SOURCE, &failure);
                if !matches!(failure, Failure::Transport(_)) {
                    // The server answered but will not say (403): nothing to retry.
                    connectivity.remove(VERSION_SOURCE);
                    return;
                }
            }
        }
        tokio::time::sleep(backoff.next().unwrap_or(Duration::from_secs(30))).await;
    }
}

/// Watches the Flux controllers' Deployments, cluster-wide, or only in flux-system when listing Deployments
/// everywhere is forbidden. Runs until aborted.
pub async fn watch_controllers(client: Client, info: InfoTracker, connectivity: ConnectivityTracker) {
    let config = watcher::Config::default().labels(PART_OF_FLUX);
    let everywhere: Api<Deployment> = Api::all(client.clone());
    let flux_namespace: Api<Deployment> = Api::namespaced(client, FLUX_NAMESPACE);
    let only_flux_namespace = AtomicBool::new(false);
    let mut writer: Writer<Deployment> = Writer::default();
    watch_forever(
        || {
            let api = if only_flux_namespace.load(Ordering::Relaxed) { &flux_namespace } else { &everywhere };
            watcher(api.clone(), config.clone())
        },
        |item| match item {
            Ok(event) => {
                writer.apply_watcher_event(event);
                if matches!(event, Event::InitDone) {
                    connectivity.healthy(DEPLOYMENTS_SOURCE);
                }
                if !matches!(event, Event::Init | Event::InitApply(_)) {
                    info.set_controllers(controllers(&writer));
                }
            }
            Err(failure) => {
                connectivity.failed(DEPLOYMENTS_SOURCE, failure);
                if matches!(failure, Failure::Forbidden(_)) {
                    only_flux_namespace.store(true, Ordering::Relaxed);
                }
            }
        },
    )
    .await;
}

fn controllers(writer: &Writer<Deployment>) -> Vec<ControllerHealth> {
    let mut controllers: Vec<ControllerHealth> =
        writer.as_reader().state().iter().map(|deployment| controller_health(deployment)).collect();
    controllers.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    controllers
}

fn controller_health(deployment: &Deployment) -> ControllerHealth {
    let spec = deployment.spec.as_ref();
    let status = deployment.status.as_ref();
    ControllerHealth {
        name: deployment.metadata.name.clone().unwrap_or_default(),
        namespace: deployment.metadata.namespace.clone().unwrap_or_default(),
        ready_replicas: status.and_then(|status| status.ready_replicas).unwrap_or(0),
        // The API defaults replicas to 1.
        desired_replicas: spec.and_then(|spec| spec.replicas).unwrap_or(1),
        image: spec
            .and_then(|spec| spec.template.spec.as_ref())
            .and_then(|pod| pod.containers.first())
            .and_then(|container| container.image.clone())
            .unwrap_or_default(),
    }
}
