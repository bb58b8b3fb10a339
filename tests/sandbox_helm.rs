//! A real helm 3 client against the sandbox: install with --wait, list, upgrade, uninstall.

use fluxtui_testkit::{TestCluster, helm_binary, shared_dir};

#[tokio::test]
async fn shared_helm_installs_upgrades_and_uninstalls_podinfo() {
    let Some(shared) = shared_dir() else {
        eprintln!("skipping: ../shared is absent (set FLUXTUI_SHARED to use another directory)");
        return;
    };
    assert!(helm_binary().is_some(), "helm is missing: run the suite through scripts/test, which installs it");
    let chart = shared.join("fixtures/podinfo/charts/podinfo");
    let chart = chart.to_str().expect("utf-8 path");
    let cluster = TestCluster::start().await;
    cluster.helm_success(&[
        "install",
        "podinfo",
        chart,
        "--namespace",
        "apps",
        "--create-namespace",
        "--wait",
        "--timeout",
        "90s",
    ]);
    let listed = cluster.helm_success(&["list", "--namespace", "apps"]);
    assert!(listed.contains("podinfo") && listed.contains("deployed"), "{listed}");
    // helm's --wait only needs replicas minus maxUnavailable ready, and podinfo allows one
    // unavailable: wait for the whole rollout as a user would.
    cluster.kubectl_success(&["rollout", "status", "deployment/podinfo", "-n", "apps", "--timeout=60s"]);
    let pods = cluster.kubectl_success(&["get", "pods", "-n", "apps"]);
    assert!(pods.contains("Running"), "{pods}");
    cluster.helm_success(&[
        "upgrade",
        "podinfo",
        chart,
        "--namespace",
        "apps",
        "--set",
        "replicaCount=2",
        "--wait",
        "--timeout",
        "90s",
    ]);
    cluster.kubectl_success(&["rollout", "status", "deployment/podinfo", "-n", "apps", "--timeout=60s"]);
    let deployment = cluster.kubectl_success(&[
        "get",
        "deployment",
        "podinfo",
        "-n",
        "apps",
        "-o",
        "jsonpath={.status.readyReplicas}",
    ]);
    assert_eq!(deployment.trim(), "2");
    let history = cluster.helm_success(&["history", "podinfo", "--namespace", "apps"]);
    assert!(history.lines().count() >= 3, "two revisions expected:\n{history}");
    cluster.helm_success(&["uninstall", "podinfo", "--namespace", "apps", "--wait"]);
    let after = cluster.helm_success(&["list", "--namespace", "apps", "--all"]);
    assert!(!after.contains("podinfo"), "{after}");
    let leftovers = cluster.kubectl_success(&["get", "deployments,services", "-n", "apps", "-o", "name"]);
    assert!(leftovers.trim().is_empty(), "{leftovers}");
}
