//! The cluster's namespaces, for `:ns` completion, and the Flux version the flux-system namespace is labelled
//! with. A metadata-only watch: names and labels are all that is read.

use std::sync::Arc;

use k8s_openapi::api::core::v1::Namespace;
use kube::core::PartialObjectMeta;
use kube::runtime::reflector::store::Writer;
use kube::runtime::watcher::{self, Event, watcher};
use kube::{Api, Client};
use tokio::sync::mpsc::UnboundedSender;

use super::ClusterEvent;
use super::connectivity::ConnectivityTracker;
use super::info::{FLUX_NAMESPACE, FLUX_VERSION_LABEL, InfoTracker};
use super::resilient::watch_forever;

const SOURCE: &str = "namespaces";

/// Watches the namespaces and sends their sorted names whenever the set changes. Runs until aborted; when
/// listing namespaces is forbidden no names are sent (the app completes from what it has).
pub async fn watch_namespaces(
    client: Client,
    events: UnboundedSender<ClusterEvent>,
    info: InfoTracker,
    connectivity: ConnectivityTracker,
) {
    let api: Api<PartialObjectMeta<Namespace>> = Api::all(client);
    let mut writer: Writer<PartialObjectMeta<Namespace>> = Writer::default();
    let mut sent: Option<Arc<Vec<String>>> = None;
    watch_forever(
        || watcher(api.clone(), watcher::Config::default()),
        |item| match item {
            Ok(event) => {
                writer.apply_watcher_event(event);
                if matches!(event, Event::Init | Event::InitApply(_)) {
                    return;
                }
                if matches!(event, Event::InitDone) {
                    connectivity.healthy(SOURCE);
                }
                let namespaces = writer.as_reader().state();
                let mut names: Vec<String> =
                    namespaces.iter().filter_map(|namespace| namespace.metadata.name.clone()).collect();
                names.sort();
                if sent.as_deref() != Some(&names) {
                    let names = Arc::new(names);
                    sent = Some(names.clone());
                    let _ = events.send(ClusterEvent::NamespacesChanged(names));
                }
                let flux_version = namespaces
                    .iter()
                    .find(|namespace| namespace.metadata.name.as_deref() == Some(FLUX_NAMESPACE))
                    .and_then(|namespace| namespace.metadata.labels.as_ref()?.get(FLUX_VERSION_LABEL).cloned());
                info.set_namespace_flux_version(flux_version);
            }
            Err(failure) => connectivity.failed(SOURCE, failure),
        },
    )
    .await;
}
