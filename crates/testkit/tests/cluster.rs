//! The test helpers themselves, against the real clients.

use fluxtui_sandbox::SandboxConfig;
use std::process::{Command, Stdio};

use fluxtui_testkit::{TestCluster, assert_success, http_request};

#[tokio::test]
async fn kubectl_talks_to_the_test_cluster() {
    let cluster = TestCluster::start().await;
    assert!(cluster.kubeconfig_path().is_file());
    assert!(cluster.url().starts_with("http://127.0.0.1:"));

    let namespaces = cluster.kubectl_success(&["get", "namespaces", "-o", "name"]);
    assert!(namespaces.contains("namespace/default"), "no default namespace in:\n{namespaces}");

    // Created over raw HTTP so this test checks the helpers, not kubectl's write path (the sandbox's own tests
    // cover that).
    let configmap = r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"},"data":{"color":"blue"}}"#;
    let created = http_request(cluster.url(), "POST", "/api/v1/namespaces/default/configmaps", None, Some(configmap));
    assert_eq!(created.status, 201, "creating the configmap answered {}", created.body);
    let color = cluster.kubectl_success(&["get", "configmap", "settings", "-o", "jsonpath={.data.color}"]);
    assert_eq!(color, "blue");
}

#[tokio::test]
async fn helm_talks_to_the_test_cluster() {
    let cluster = TestCluster::start().await;
    let version = cluster.helm_success(&["version", "--short"]);
    assert!(version.starts_with("v3."), "unexpected helm version: {version}");
    // An empty cluster has no releases; this needs discovery and a list of Secrets to work.
    let releases = cluster.helm_success(&["list", "--all-namespaces", "-q"]);
    assert_eq!(releases.trim(), "");
}

#[tokio::test]
async fn a_read_only_kubeconfig_is_written_next_to_the_full_one_and_kubectl_honours_it() {
    let config = SandboxConfig {
        token: Some("admin".into()),
        read_only_token: Some("viewer".into()),
        ..SandboxConfig::default()
    };
    let cluster = TestCluster::start_with(config).await;
    // A token turns TLS on, as `fluxtui sandbox` does: kubectl would not send the token over plain HTTP.
    assert!(cluster.url().starts_with("https://127.0.0.1:"), "{}", cluster.url());
    let read_only = cluster.read_only_kubeconfig_path().expect("a read-only kubeconfig");
    let text = std::fs::read_to_string(read_only).expect("read the read-only kubeconfig");
    assert!(text.contains("token: viewer"), "the read-only kubeconfig does not carry its token:\n{text}");

    // The full kubeconfig writes.
    cluster.kubectl_success(&["create", "namespace", "written-by-admin"]);
    // The read-only one reads, through the real kubectl (so the token really travels, over TLS)...
    let read_only_kubectl = |args: &[&str]| {
        Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(read_only)
            .arg("--cache-dir")
            .arg(cluster.dir().join("kube-cache-read-only"))
            .args(args)
            .env_remove("KUBECONFIG")
            .stdin(Stdio::null())
            .output()
            .expect("run kubectl")
    };
    let listed = read_only_kubectl(&["get", "namespaces", "-o", "name"]);
    assert_success(&listed, "kubectl get namespaces with the read-only kubeconfig");
    assert!(String::from_utf8_lossy(&listed.stdout).contains("namespace/written-by-admin"));
    // ...and is refused every write.
    let denied = read_only_kubectl(&["create", "namespace", "not-by-viewer"]);
    let stderr = String::from_utf8_lossy(&denied.stderr);
    assert!(!denied.status.success() && stderr.contains("Forbidden"), "expected Forbidden, got:\n{stderr}");
    assert!(!cluster.kubectl(&["get", "namespace", "not-by-viewer"]).status.success());
}

#[test]
fn two_clusters_run_side_by_side_from_a_plain_test() {
    // A plain #[test] has no runtime of its own; the clusters bring theirs.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let (first, second) = runtime.block_on(async { (TestCluster::start().await, TestCluster::start().await) });
    assert_ne!(first.addr(), second.addr());
    let namespace = r#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"only-in-first"}}"#;
    assert_eq!(http_request(first.url(), "POST", "/api/v1/namespaces", None, Some(namespace)).status, 201);
    first.kubectl_success(&["get", "namespace", "only-in-first"]);
    assert!(!second.kubectl(&["get", "namespace", "only-in-first"]).status.success());
}
