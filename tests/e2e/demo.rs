//! `fluxtui demo`: its own sandbox, the CRDs, the fleet, the demo's Git repository and the embedded engine
//! reconciling the sources that point at it, and the UI on them.

use std::process::{Command, Stdio};

use fluxtui_testkit::assert_success;

use crate::support::{
    STARTUP, STEP, assert_quits_cleanly, count_fixtures, fluxtui_in_tmux, line_with, path_str, row, title,
};

#[test]
fn fluxtui_demo_lists_the_demo_fleet_follows_kubectl_on_its_kubeconfig_and_q_exits_cleanly() {
    let dir = tempfile::Builder::new().prefix("fluxtui-e2e-demo-").tempdir().expect("create the test's temp dir");
    let kubeconfig = dir.path().join("demo.kubeconfig");
    let tmux = fluxtui_in_tmux(dir.path(), &["demo", "--write-kubeconfig", path_str(&kubeconfig)]);
    // The engine's objects: its sources, the bootstrap Kustomization and the generator, the Kustomizations the
    // bootstrap applies from Git, and the two ExternalArtifacts the generator makes.
    let live = fluxtui::demo::repository::live_objects("file:///x").len()
        + fluxtui::demo::repository::git_kustomizations().len()
        + 2;
    let total = (count_fixtures(|_| true) + live).to_string();
    tmux.wait_for("the demo fleet", STARTUP, |screen| {
        row(screen, &["flux-system", "Kustomization", "infra-configs"]).is_some() && screen.contains("Flux: v2.9.0")
    });
    // The engine reconciled the demo's own sources: the fleet and the release ready, the missing branch failing.
    tmux.wait_for("the engine's sources", STEP, |screen| {
        screen.contains("Engine: running")
            && line_with(screen, &["GitRepository", "demo-fleet ", "main@sha1:", "True", "stored artifact"]).is_some()
            && line_with(screen, &["GitRepository", "demo-fleet-re", "v1.1.0@sha1:", "True"]).is_some()
            && line_with(screen, &["GitRepository", "demo-fleet-mi", "False", "unable to find branch"]).is_some()
            && screen.contains(&title("All", "all", &total))
    });
    // The fleet's Kustomizations: infrastructure and podinfo applied into the sandbox, the crash-looping app not.
    tmux.wait_for("the engine's Kustomizations", STARTUP, |screen| {
        line_with(screen, &["Kustomization", "demo-apps", "main@sha1:", "True", "Applied revision"]).is_some()
            && line_with(screen, &["Kustomization", "demo-infrastr", "main@sha1:", "True", "Applied revision"])
                .is_some()
    });
    let deployment = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .args(["get", "deployment", "podinfo", "-n", "demo", "-o", "jsonpath={.spec.replicas}"])
        .env_remove("KUBECONFIG")
        .stdin(Stdio::null())
        .output()
        .expect("run kubectl");
    assert_success(&deployment, "kubectl get deployment podinfo -n demo");
    assert_eq!(String::from_utf8_lossy(&deployment.stdout), "3", "the fleet's head scales podinfo to 3");
    // The generator's ExternalArtifacts, from the fleet's revision.
    tmux.type_text(":sources");
    tmux.send_keys(&["Enter"]);
    tmux.wait_for("the ExternalArtifacts", STEP, |screen| {
        line_with(screen, &["ExternalArti", "demo-apps", "latest@sha256:", "True"]).is_some()
            && line_with(screen, &["ExternalArti", "demo-infrastr", "latest@sha256:", "True"]).is_some()
    });
    tmux.type_text(":all");
    tmux.send_keys(&["Enter"]);
    tmux.wait_for_text(&title("All", "all", &total), STEP);

    // The kubeconfig the demo wrote reaches its cluster, and the UI follows what kubectl changes there.
    let output = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .arg("--cache-dir")
        .arg(dir.path().join("kube-cache"))
        .args(["delete", "helmrelease", "redis", "-n", "team-a"])
        .env_remove("KUBECONFIG")
        .stdin(Stdio::null())
        .output()
        .expect("run kubectl");
    assert_success(&output, "kubectl delete helmrelease redis");
    let left = (count_fixtures(|_| true) + live - 1).to_string();
    tmux.wait_for("the fleet without redis", STEP, |screen| {
        screen.contains(&title("All", "all", &left)) && !screen.contains(" redis ")
    });

    tmux.send_keys(&["q"]);
    assert_quits_cleanly(&tmux);
}
