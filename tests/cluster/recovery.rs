//! Recovering from dropped watches and from a server that goes away and comes back.

use fluxtui::api::FluxKind;
use fluxtui::cluster::{ConnectionState, KindState};
use fluxtui_sandbox::SandboxConfig;
use fluxtui_testkit::{TestCluster, http_request};

use crate::support::{Watched, apply, git_repository, install_crds, options};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_watches_resume_and_later_changes_still_arrive() {
    let cluster = TestCluster::start().await;
    install_crds(&cluster, &[(FluxKind::GitRepository, &["v1"])]);
    let mut watched = Watched::on(&cluster, None).await;
    watched.wait_for_state(FluxKind::GitRepository, KindState::Synced { version: "v1".into() }).await;
    for round in 0..3 {
        let dropped = http_request(cluster.url(), "POST", "/sandbox/drop-watches", None, None);
        assert_eq!(dropped.status, 200, "{}", dropped.body);
        let name = format!("after-drop-{round}");
        apply(&cluster, &name, &git_repository(&name, "default", "v1", "https://example.com/repo"));
        let expected = format!("default/{name}");
        watched
            .wait_for_store(FluxKind::GitRepository, "the object written after the drop", |names| {
                names.contains(&expected)
            })
            .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_server_is_disconnected_and_a_restarted_one_resyncs() {
    let state = tempfile::tempdir().expect("state dir");
    let config = || SandboxConfig { state_dir: Some(state.path().to_path_buf()), ..SandboxConfig::default() };
    let first = TestCluster::start_with(config()).await;
    install_crds(&first, &[(FluxKind::GitRepository, &["v1"])]);
    apply(&first, "before", &git_repository("before", "default", "v1", "https://example.com/before"));
    // The session keeps its client; this kubeconfig copy outlives the first cluster's temporary directory.
    let kubeconfig = state.path().join("kubeconfig");
    std::fs::copy(first.kubeconfig_path(), &kubeconfig).expect("copy the kubeconfig");
    let mut watched = Watched::start(&options(&kubeconfig, None), None).await;
    watched.wait_for_state(FluxKind::GitRepository, KindState::Synced { version: "v1".into() }).await;
    watched.wait_for_store(FluxKind::GitRepository, "the first object", |names| names == ["default/before"]).await;
    watched.wait_for_connection(|state| *state == ConnectionState::Connected).await;

    let addr = first.addr();
    drop(first);
    let lost = watched.wait_for_connection(|state| matches!(state, ConnectionState::Disconnected { .. })).await;
    let ConnectionState::Disconnected { error } = lost else { unreachable!() };
    assert!(!error.is_empty());
    watched
        .wait_until("GitRepository Failed", |watched| {
            matches!(watched.kind_state(FluxKind::GitRepository), Some(KindState::Failed(_)))
        })
        .await;

    let second = TestCluster::start_with(SandboxConfig { listen: addr, ..config() }).await;
    // Written while the session was away: only a resync can bring it in.
    apply(&second, "during", &git_repository("during", "default", "v1", "https://example.com/during"));
    watched.wait_for_connection(|state| *state == ConnectionState::Connected).await;
    watched.wait_for_state(FluxKind::GitRepository, KindState::Synced { version: "v1".into() }).await;
    watched
        .wait_for_store(FluxKind::GitRepository, "both objects after the restart", |names| {
            names == ["default/before", "default/during"]
        })
        .await;
}
