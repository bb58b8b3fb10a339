//! Reads of arbitrary objects for the tree (`cluster::objects`), against the sandbox.

use fluxtui::api::FluxKind;
use fluxtui::api::references::ObjectReference;
use fluxtui::cluster::connect;
use fluxtui::cluster::objects::{Lookup, ObjectAccess};
use fluxtui_testkit::TestCluster;

use crate::support::{apply, git_repository, install_crds, options};

fn reference(api_version: &str, kind: &str, name: &str) -> ObjectReference {
    ObjectReference {
        kind: kind.into(),
        name: name.into(),
        namespace: "flux-system".into(),
        api_version: Some(api_version.into()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inventory_version_the_cluster_no_longer_serves_reads_the_preferred_one() {
    let cluster = TestCluster::start().await;
    install_crds(&cluster, &[(FluxKind::GitRepository, &["v1"])]);
    apply(&cluster, "ns", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: flux-system\n");
    apply(&cluster, "repo", &git_repository("fleet", "flux-system", "v1", "https://example.com/fleet.git"));
    let client = connect(&options(cluster.kubeconfig_path(), None)).await.expect("connect").client().clone();
    let access = ObjectAccess::new(client);

    // Recorded before an upgrade: v1beta2 is gone, the object is still there at v1.
    let stale = access.get(&reference("source.toolkit.fluxcd.io/v1beta2", "GitRepository", "fleet")).await;
    let Lookup::Found(object) = stale else { panic!("not read at the preferred version: {stale:?}") };
    assert_eq!(object["apiVersion"], "source.toolkit.fluxcd.io/v1");
    // A kind the group does not have at all is still reported as not served.
    let missing = access.get(&reference("source.toolkit.fluxcd.io/v1", "Nonexistent", "fleet")).await;
    assert!(matches!(&missing, Lookup::UnknownKind(message) if message.contains("does not serve")), "{missing:?}");
}
