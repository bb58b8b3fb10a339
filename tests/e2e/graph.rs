//! The dependency graph on a live sandbox: objects created with kubectl, the blocking chain on screen, and a
//! status change made with `kubectl patch --subresource=status` redrawing the graph. Also `fluxtui get` against
//! the same sandbox: table and JSON output, and its exit codes.

use std::process::Command;

use fluxtui_testkit::fluxtui_binary;
use serde_json::Value;

use crate::support::{Fleet, STEP, assert_quits_cleanly, count_fixtures, path_str};
use crate::support::{show_one, start_ui};

#[test]
fn the_graph_shows_the_blocking_chain_and_follows_a_status_patch() {
    let fleet = Fleet::start();
    let tmux = start_ui(&fleet, &[]);

    // On the apps Kustomization, D opens its graph with the chain that blocks it.
    show_one(&tmux, "ks", "^apps$");
    tmux.send_keys(&["D"]);
    let screen = tmux.wait_for("the blocking chain", STEP, |screen| {
        screen.contains("Dependencies of Kustomization flux-system/apps")
            && screen.contains("apps waits for infra-configs, which fails: health check failed")
            && screen.contains("◀ blocks")
    });
    assert!(screen.contains("3 objects in 1 graph"), "{screen}");

    // The controller (here kubectl) reports infra-configs ready: the chain is gone, apps explains itself.
    fleet.kubectl(&[
        "patch",
        "kustomization",
        "infra-configs",
        "-n",
        "flux-system",
        "--subresource=status",
        "--type=merge",
        "-p",
        r#"{"status":{"conditions":[{"type":"Ready","status":"True","reason":"ReconciliationSucceeded","message":"Applied revision: main@sha1:1234","lastTransitionTime":"2026-11-24T12:00:00Z","observedGeneration":1}]}}"#,
    ]);
    tmux.wait_for("infra-configs ready in the graph", STEP, |screen| {
        screen.contains("apps is not ready yet: Reconciliation in progress") && !screen.contains("◀ blocks")
    });

    // A new Kustomization depending on apps, created with kubectl, joins the graph.
    fleet.apply(
        "dependent",
        &[serde_json::json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": {"name": "tenants", "namespace": "flux-system"},
            "spec": {"interval": "5m", "path": "./tenants", "prune": true, "dependsOn": [{"name": "apps"}],
                     "sourceRef": {"kind": "GitRepository", "name": "flux-system"}},
        })],
        &[],
    );
    tmux.wait_for("tenants in the graph", STEP, |screen| {
        screen.contains("4 objects in 1 graph") && screen.contains("flux-system/tenants")
    });

    // esc goes back to the table; q quits cleanly.
    tmux.send_keys(&["Escape"]);
    tmux.wait_for_no_text("Dependencies of", STEP);
    tmux.send_keys(&["q"]);
    assert_quits_cleanly(&tmux);
}

fn get(fleet: &Fleet, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(fluxtui_binary!())
        .arg("get")
        .args(args)
        .args(["--kubeconfig", path_str(&fleet.kubeconfig())])
        .env("XDG_STATE_HOME", fleet.dir().join("xdg-state"))
        .output()
        .expect("run fluxtui get");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn fluxtui_get_lists_like_flux_get_with_exit_codes() {
    let fleet = Fleet::start();

    let (code, stdout, stderr) = get(&fleet, &["ks"]);
    assert_eq!(code, 0, "{stderr}");
    let header = stdout.lines().next().unwrap_or_default();
    assert_eq!(header.split_whitespace().collect::<Vec<_>>(), ["NAME", "REVISION", "SUSPENDED", "READY", "MESSAGE"]);
    let infra = stdout.lines().find(|line| line.starts_with("infra-configs ")).unwrap_or_else(|| panic!("{stdout}"));
    assert!(infra.contains("False") && infra.contains("health check failed"), "{stdout}");

    // JSON: a list of objects, filtered by the Ready status, across namespaces.
    let (code, stdout, stderr) = get(&fleet, &["all", "-A", "-o", "json", "--status-selector", "ready=false"]);
    assert_eq!(code, 0, "{stderr}");
    let list: Vec<Value> = serde_json::from_str(&stdout).unwrap_or_else(|err| panic!("{err}: {stdout}"));
    let expected = count_fixtures(|object| {
        object["status"]["conditions"]
            .as_array()
            .is_some_and(|conditions| conditions.iter().any(|c| c["type"] == "Ready" && c["status"] == "False"))
    });
    assert_eq!(list.len(), expected, "{stdout}");
    assert!(list.iter().any(|item| item["kind"] == "Kustomization" && item["name"] == "infra-configs"), "{stdout}");
    assert!(list.iter().all(|item| item["ready"] == "False"), "{stdout}");

    // YAML: the same list, readable by a YAML parser.
    let (code, stdout, stderr) = get(&fleet, &["ks", "infra-configs", "-o", "yaml"]);
    assert_eq!(code, 0, "{stderr}");
    let list: Vec<Value> = serde_saphyr::from_str(&stdout).unwrap_or_else(|err| panic!("{err}: {stdout}"));
    assert_eq!(list.len(), 1, "{stdout}");
    assert_eq!(list[0]["name"], "infra-configs");
    assert_eq!(list[0]["ready"], "False");

    // One object by name; a missing one and an unknown kind exit 1 with a message.
    let (code, stdout, _) = get(&fleet, &["hr", "podinfo", "-n", "podinfo", "-o", "json"]);
    assert_eq!(code, 0);
    let list: Vec<Value> = serde_json::from_str(&stdout).expect("json");
    assert_eq!(list.len(), 1, "{stdout}");
    let (code, _, stderr) = get(&fleet, &["ks", "nope"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("Kustomization flux-system/nope not found"), "{stderr}");
    let (code, _, stderr) = get(&fleet, &["pods"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("unknown kind \"pods\""), "{stderr}");
}
