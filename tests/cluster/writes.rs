//! Writes as the flux CLI makes them: suspend, resume and reconcile requests, and RBAC refusing them.

use chrono::{TimeZone, Utc};
use fluxtui::api::FluxKind;
use fluxtui::cluster::connect;
use fluxtui::cluster::writes::{RECONCILE_REQUESTED_AT, Target, request_reconcile, set_suspended};
use fluxtui_sandbox::SandboxConfig;
use fluxtui_testkit::TestCluster;

use crate::support::{apply, git_repository, install_crds, options};

fn get_json(cluster: &TestCluster) -> serde_json::Value {
    let text = cluster.kubectl_success(&["get", "gitrepository", "podinfo", "-n", "default", "-o", "json"]);
    serde_json::from_str(&text).expect("kubectl's JSON")
}

fn target() -> Target {
    Target { kind: FluxKind::GitRepository, version: "v1".into(), namespace: "default".into(), name: "podinfo".into() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suspend_resume_and_reconcile_patch_what_the_flux_cli_patches() {
    let cluster = TestCluster::start().await;
    install_crds(&cluster, &[(FluxKind::GitRepository, &["v1"])]);
    apply(&cluster, "podinfo", &git_repository("podinfo", "default", "v1", "https://example.com/podinfo"));
    let connection = connect(&options(cluster.kubeconfig_path(), None)).await.expect("connect");
    let client = connection.client().clone();

    set_suspended(client.clone(), &target(), true).await.expect("suspend");
    assert_eq!(get_json(&cluster)["spec"]["suspend"], true);
    set_suspended(client.clone(), &target(), false).await.expect("resume");
    let object = get_json(&cluster);
    assert_eq!(object["spec"]["suspend"], false);
    assert_eq!(object["spec"]["url"], "https://example.com/podinfo", "nothing else changed");

    let at = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).single().expect("a date");
    let stamp = request_reconcile(client, &target(), at).await.expect("reconcile");
    assert_eq!(stamp, "2026-11-24T12:00:00.000000000Z");
    assert_eq!(get_json(&cluster)["metadata"]["annotations"][RECONCILE_REQUESTED_AT], stamp);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_write_says_what_was_refused() {
    let cluster = TestCluster::start_with(SandboxConfig {
        token: Some("admin".into()),
        read_only_token: Some("viewer".into()),
        ..SandboxConfig::default()
    })
    .await;
    install_crds(&cluster, &[(FluxKind::GitRepository, &["v1"])]);
    apply(&cluster, "podinfo", &git_repository("podinfo", "default", "v1", "https://example.com/podinfo"));
    let read_only = cluster.read_only_kubeconfig_path().expect("a read-only kubeconfig");
    let connection = connect(&options(read_only, None)).await.expect("connect");
    let error = set_suspended(connection.client().clone(), &target(), true).await.expect_err("a read-only write");
    let message = error.to_string();
    assert!(message.starts_with("cannot suspend GitRepository default/podinfo"), "{message}");
    assert!(message.contains("forbidden"), "{message}");
    assert_eq!(get_json(&cluster)["spec"].get("suspend"), None);
}
