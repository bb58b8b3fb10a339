//! Which version of each Flux kind the cluster serves, and when to ask again.
//!
//! A kind is watched at the first of [`FluxKind::versions`] the cluster serves, so one fluxtui reads clusters on
//! every Flux release. Discovery asks `/apis` once and then each Flux group-version the cluster lists, since a
//! group-version may serve some kinds and not others (notification's v1 has Receiver but not Alert).
//!
//! The CRDs are watched (metadata only: their schemas are large) so that installing, upgrading or removing Flux
//! re-runs discovery at once, with no polling. The same watch gives the Flux version from the CRDs' labels.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::core::PartialObjectMeta;
use kube::runtime::reflector::store::Writer;
use kube::runtime::watcher::{self, Event, watcher};
use kube::{Api, Client};
use std::collections::{BTreeMap, HashMap, HashSet};
use tokio::sync::mpsc::UnboundedSender;

use super::connectivity::ConnectivityTracker;
use super::info::{FLUX_VERSION_LABEL, InfoTracker};
use super::resilient::watch_forever;
use super::session::Rediscover;
use crate::api::FluxKind;

/// The version each kind is served at; `None` when its CRD is not installed.
pub type ServedVersions = BTreeMap<FluxKind, Option<&'static str>>;

/// Asks the API server which version of every Flux kind it serves.
pub async fn discover(client: &Client) -> Result<ServedVersions, kube::Error> {
    let groups = client.list_api_groups().await?;
    let listed: HashSet<(String, String)> = groups
        .groups
        .iter()
        .flat_map(|group| group.versions.iter().map(|version| (group.name.clone(), version.version.clone())))
        .collect();
    // Resource names per group-version, fetched once each and only for Flux group-versions the cluster lists.
    let mut resources: HashMap<(String, String), HashSet<String>> = HashMap::new();
    let mut served = ServedVersions::new();
    for kind in FluxKind::ALL {
        let mut found = None;
        for version in kind.versions() {
            let key = (kind.group().to_string(), (*version).to_string());
            if !listed.contains(&key) {
                continue;
            }
            if !resources.contains_key(&key) {
                let names = resource_names(client, &key.0, &key.1).await?;
                resources.insert(key.clone(), names);
            }
            if resources.get(&key).is_some_and(|names| names.contains(kind.plural())) {
                found = Some(*version);
                break;
            }
        }
        served.insert(kind, found);
    }
    Ok(served)
}

/// The resources of one group-version; empty when it stopped being served between the two requests.
async fn resource_names(client: &Client, group: &str, version: &str) -> Result<HashSet<String>, kube::Error> {
    match client.list_api_group_resources(&format!("{group}/{version}")).await {
        Ok(list) => Ok(list.resources.into_iter().map(|resource| resource.name).collect()),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(HashSet::new()),
        Err(error) => Err(error),
    }
}

/// Whether a CRD named `<plural>.<group>` defines a Flux kind.
fn is_flux_crd(name: &str) -> bool {
    FluxKind::ALL.iter().any(|kind| name.strip_suffix(kind.group()).is_some_and(|rest| rest.ends_with('.')))
}

const CRD_SOURCE: &str = "customresourcedefinitions";

/// Watches the CRDs' metadata and asks for discovery whenever a Flux CRD appears, changes or goes, and after
/// every (re)list. Runs until aborted. When the watch is forbidden it keeps retrying on the slow end of the
/// backoff, and the session re-runs discovery only after a kind's watch fails.
pub async fn watch_crds(
    client: Client,
    rediscover: UnboundedSender<Rediscover>,
    connectivity: ConnectivityTracker,
    info: InfoTracker,
) {
    // Metadata only: an Api of PartialObjectMeta makes metadata-only requests.
    let api: Api<PartialObjectMeta<CustomResourceDefinition>> = Api::all(client);
    let mut writer: Writer<PartialObjectMeta<CustomResourceDefinition>> = Writer::default();
    watch_forever(
        || watcher(api.clone(), watcher::Config::default()),
        |item| match item {
            Ok(event) => {
                writer.apply_watcher_event(event);
                let changed = match event {
                    Event::Apply(crd) | Event::Delete(crd) => crd.metadata.name.as_deref().is_some_and(is_flux_crd),
                    Event::InitDone => {
                        connectivity.healthy(CRD_SOURCE);
                        true
                    }
                    Event::Init | Event::InitApply(_) => false,
                };
                if changed {
                    info.set_crd_flux_version(flux_version_of_crds(&writer));
                    let _ = rediscover.send(Rediscover::CrdsChanged);
                }
            }
            Err(failure) => connectivity.failed(CRD_SOURCE, failure),
        },
    )
    .await;
}

/// The `app.kubernetes.io/version` label most Flux CRDs carry (they differ only while an upgrade is half done).
fn flux_version_of_crds(writer: &Writer<PartialObjectMeta<CustomResourceDefinition>>) -> Option<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for crd in writer.as_reader().state() {
        if !crd.metadata.name.as_deref().is_some_and(is_flux_crd) {
            continue;
        }
        if let Some(version) = crd.metadata.labels.as_ref().and_then(|labels| labels.get(FLUX_VERSION_LABEL)) {
            *counts.entry(version.clone()).or_default() += 1;
        }
    }
    counts.into_iter().max_by_key(|(_, count)| *count).map(|(version, _)| version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flux_crds_are_recognised_by_their_group() {
        assert!(is_flux_crd("gitrepositories.source.toolkit.fluxcd.io"));
        assert!(is_flux_crd("artifactgenerators.source.extensions.fluxcd.io"));
        assert!(!is_flux_crd("source.toolkit.fluxcd.io"));
        assert!(!is_flux_crd("widgets.example.com"));
    }
}
