//! Discovery: the newest served version of each kind, kinds not installed, and CRDs that come and go.

use fluxtui::api::FluxKind;
use fluxtui::cluster::discovery::discover;
use fluxtui::cluster::{KindState, connect};
use fluxtui_testkit::TestCluster;

use crate::support::{Watched, install_crds, options};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_picks_the_newest_served_version_and_marks_the_rest_not_installed() {
    let cluster = TestCluster::start().await;
    install_crds(
        &cluster,
        &[
            // HEAD Flux: v1 is served next to the old beta.
            (FluxKind::GitRepository, &["v1", "v1beta2"]),
            // A cluster still on an old Flux: only the beta.
            (FluxKind::Kustomization, &["v1beta2"]),
            // notification v1 serves Receiver only; Alert must still be found at v1beta3.
            (FluxKind::Receiver, &["v1"]),
            (FluxKind::Alert, &["v1beta3", "v1beta2"]),
        ],
    );
    let connection = connect(&options(cluster.kubeconfig_path(), None)).await.expect("connect");
    let served = discover(connection.client()).await.expect("discovery answers");
    assert_eq!(served[&FluxKind::GitRepository], Some("v1"));
    assert_eq!(served[&FluxKind::Kustomization], Some("v1beta2"));
    assert_eq!(served[&FluxKind::Receiver], Some("v1"));
    assert_eq!(served[&FluxKind::Alert], Some("v1beta3"));
    assert_eq!(served[&FluxKind::HelmRelease], None);
    assert_eq!(served.len(), FluxKind::ALL.len());

    let mut watched = Watched::on(&cluster, None).await;
    watched.wait_for_state(FluxKind::GitRepository, KindState::Synced { version: "v1".into() }).await;
    watched.wait_for_state(FluxKind::Kustomization, KindState::Synced { version: "v1beta2".into() }).await;
    watched.wait_for_state(FluxKind::HelmRelease, KindState::NotInstalled).await;
    watched
        .wait_until("cluster info with the server's and the CRDs' versions", |watched| {
            watched.info().is_some_and(|info| info.flux_version.is_some() && info.server_version.is_some())
        })
        .await;
    let info = watched.info().expect("waited for the info");
    assert_eq!(info.flux_version.as_deref(), Some("v2.9.0"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn installing_and_removing_a_crd_reruns_discovery_without_polling() {
    let cluster = TestCluster::start().await;
    install_crds(&cluster, &[(FluxKind::GitRepository, &["v1"])]);
    let mut watched = Watched::on(&cluster, None).await;
    watched.wait_for_state(FluxKind::HelmRelease, KindState::NotInstalled).await;
    watched.wait_for_state(FluxKind::GitRepository, KindState::Synced { version: "v1".into() }).await;

    install_crds(&cluster, &[(FluxKind::HelmRelease, &["v2", "v2beta2"])]);
    watched.wait_for_state(FluxKind::HelmRelease, KindState::Synced { version: "v2".into() }).await;

    cluster.kubectl_success(&["delete", "crd", "helmreleases.helm.toolkit.fluxcd.io"]);
    watched.wait_for_state(FluxKind::HelmRelease, KindState::NotInstalled).await;
}
