//! The diff screen end to end: `fluxtui --controller` reconciles a Kustomization from a real Git server, the
//! Kustomization is suspended and its Deployment scaled with kubectl, and `i` shows the drift the next reconcile
//! would correct (computed by the engine's server-side dry-run; the artifact downloaded from the engine's server).

use fluxtui_testkit::{GitDaemon, GitRepos};
use serde_json::json;

use crate::support::{Fleet, STARTUP, STEP, assert_quits_cleanly, line_with, show_one, start_ui};

const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: drift-web\n  namespace: default\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: drift-web\n  template:\n    metadata:\n      labels:\n        app: drift-web\n    spec:\n      containers:\n      - name: web\n        image: nginx:1\n";

#[test]
fn i_shows_the_drift_of_a_scaled_deployment_before_it_is_corrected() {
    let fleet = Fleet::start();
    let repos = GitRepos::new();
    let repo = repos.create("drift");
    repo.commit(&[("deploy/web.yaml", DEPLOYMENT)], "first");
    repo.push();
    let daemon = GitDaemon::start(&repos);
    let tmux = start_ui(&fleet, &["--controller"]);
    tmux.wait_for_text("Engine: running", STARTUP);
    let source = json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": "drift-source", "namespace": "flux-system"},
        "spec": {"interval": "1m", "url": daemon.url(&repo), "ref": {"branch": "main"}}
    });
    let kustomization = json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": {"name": "drift-app", "namespace": "flux-system"},
        "spec": {"interval": "10m", "path": "./deploy", "prune": true,
            "sourceRef": {"kind": "GitRepository", "name": "drift-source"}}
    });
    fleet.apply("drift", &[source, kustomization], &[]);
    show_one(&tmux, "ks", "drift-app");
    tmux.wait_for("the Kustomization applied", STEP, |screen| {
        line_with(screen, &["drift-app", "True", "Applied revision"]).is_some()
    });

    // Suspended, so the engine leaves the cluster alone; then the cluster drifts.
    fleet.kubectl(&[
        "patch",
        "kustomization/drift-app",
        "-n",
        "flux-system",
        "--type=merge",
        "-p",
        r#"{"spec":{"suspend":true}}"#,
    ]);
    fleet.kubectl(&["scale", "deployment/drift-web", "-n", "default", "--replicas=5"]);
    tmux.send_keys(&["i"]);
    let screen = tmux.wait_for("the drift", STEP, |screen| {
        screen.contains("► Deployment/default/drift-web drifted")
            && screen.contains("-  replicas: 5")
            && screen.contains("+  replicas: 3")
    });
    assert!(screen.contains("Diff flux-system/drift-app"), "{screen}");
    assert!(line_with(&screen, &["1 drifted", "built from main@sha1:"]).is_some(), "{screen}");
    // Nothing was corrected: the diff is a dry-run.
    let replicas = fleet.kubectl(&["get", "deployment/drift-web", "-n", "default", "-o", "jsonpath={.spec.replicas}"]);
    assert_eq!(replicas.trim(), "5");

    // Esc and q apart: sent together, a terminal reads them as alt-q.
    tmux.send_keys(&["Escape"]);
    tmux.wait_for("the table again", STEP, |screen| !screen.contains("Diff flux-system/drift-app"));
    tmux.send_keys(&["q"]);
    assert_quits_cleanly(&tmux);
}
