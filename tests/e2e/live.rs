//! The screen follows the cluster: a kubectl change shows within a second, and a server that goes away and
//! comes back is shown as such and then followed again.

use std::time::{Duration, Instant};

use crate::support::start_ui;
use crate::support::{
    DISCONNECT, Fleet, RECOVERY, STARTUP, STEP, assert_quits_cleanly, count_fixtures, fluxtui_in_tmux, path_str, row,
    title,
};

/// The acceptance criterion: from kubectl's return to the change on screen.
const CHANGE_VISIBLE_WITHIN: Duration = Duration::from_secs(1);

/// A GitRepository as a user would write it.
fn git_repository(name: &str) -> serde_json::Value {
    serde_json::json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": {"name": name, "namespace": "flux-system"},
        "spec": {"url": format!("https://example.com/{name}"), "interval": "1m"},
    })
}

/// Waits for `done` on screen after a change kubectl has just made, and returns how long it took from
/// `changed`. The wait itself runs longer than the criterion so that a slow change fails on the measured time,
/// with the screen, rather than on a timeout.
fn time_until_shown(
    tmux: &fluxtui_testkit::Tmux,
    changed: Instant,
    what: &str,
    done: impl Fn(&str) -> bool,
) -> Duration {
    tmux.wait_for(what, STEP, done);
    changed.elapsed()
}

#[test]
fn a_kubectl_change_shows_on_screen_within_a_second_and_ctrl_c_exits_cleanly() {
    let fleet = Fleet::start();
    let tmux = start_ui(&fleet, &[]);
    tmux.type_text(":ks");
    tmux.send_keys(&["Enter"]);
    let kustomizations = count_fixtures(|object| object["kind"] == "Kustomization");
    let screen = tmux.wait_for_text(&title("Kustomizations", "all", &kustomizations.to_string()), STEP);
    let before = row(&screen, &["flux-system", "apps"]).unwrap_or_else(|| panic!("no apps row:\n{screen}"));
    assert!(!before.contains("Suspended"), "apps is suspended already:\n{screen}");

    // Suspending a Kustomization turns its SUSPENDED column to True and READY to Suspended.
    fleet.kubectl(&[
        "patch",
        "kustomization",
        "apps",
        "-n",
        "flux-system",
        "--type",
        "merge",
        "-p",
        r#"{"spec":{"suspend":true}}"#,
    ]);
    let changed = Instant::now();
    let suspended = |screen: &str| {
        row(screen, &["flux-system", "apps"]).is_some_and(|line| {
            let cells: Vec<&str> = line.split_whitespace().collect();
            cells.contains(&"True") && cells.contains(&"Suspended")
        })
    };
    let took = time_until_shown(&tmux, changed, "apps suspended", suspended);
    eprintln!("the suspension showed {took:?} after kubectl returned");
    assert!(took < CHANGE_VISIBLE_WITHIN, "the suspension took {took:?} to show:\n{}", tmux.capture());

    // A new GitRepository appears in its view.
    tmux.type_text(":gitrepo");
    tmux.send_keys(&["Enter"]);
    let repositories = count_fixtures(|object| object["kind"] == "GitRepository");
    tmux.wait_for_text(&title("GitRepository", "all", &repositories.to_string()), STEP);
    fleet.apply("new-repository", &[git_repository("e2e-new")], &[]);
    let changed = Instant::now();
    let took = time_until_shown(&tmux, changed, "the new GitRepository", |screen| {
        row(screen, &["flux-system", "e2e-new"]).is_some()
    });
    eprintln!("the new GitRepository showed {took:?} after kubectl returned");
    assert!(took < CHANGE_VISIBLE_WITHIN, "the new GitRepository took {took:?} to show:\n{}", tmux.capture());
    tmux.wait_for_text(&title("GitRepository", "all", &(repositories + 1).to_string()), STEP);

    tmux.send_keys(&["C-c"]);
    assert_quits_cleanly(&tmux);
}

#[test]
fn a_stopped_sandbox_shows_the_disconnected_banner_and_a_restarted_one_is_followed_again() {
    let mut fleet = Fleet::start();
    let total = count_fixtures(|_| true);
    let tmux = fluxtui_in_tmux(fleet.dir(), &["--kubeconfig", path_str(&fleet.kubeconfig())]);
    tmux.wait_for_text(&title("All", "all", &total.to_string()), STARTUP);

    fleet.stop();
    // The banner says so, and the last known state stays listed under it.
    tmux.wait_for("the disconnected banner over the last known objects", DISCONNECT, |screen| {
        screen.lines().any(|line| line.trim_start().starts_with("Disconnected from"))
            && screen.contains(&title("All", "all", &total.to_string()))
            && row(screen, &["flux-system", "Kustomization", "infra-configs"]).is_some()
    });

    fleet.restart();
    tmux.wait_for("the banner to go after the restart, the objects still listed", RECOVERY, |screen| {
        !screen.contains("Disconnected from")
            && !screen.contains("Connecting to")
            && screen.contains(&title("All", "all", &total.to_string()))
            && row(screen, &["flux-system", "Kustomization", "infra-configs"]).is_some()
    });

    // The watches follow the new server: a change made after the restart shows.
    fleet.apply("after-restart", &[git_repository("e2e-late")], &[]);
    tmux.wait_for("the object created after the restart", STEP, |screen| {
        screen.contains(&title("All", "all", &(total + 1).to_string()))
            && row(screen, &["flux-system", "GitRepository", "e2e-late"]).is_some()
    });

    tmux.send_keys(&["q"]);
    assert_quits_cleanly(&tmux);
}

#[test]
fn suspend_resume_and_reconcile_from_the_keyboard_reach_the_cluster() {
    let fleet = Fleet::start();
    let tmux = start_ui(&fleet, &[]);
    tmux.type_text(":ks");
    tmux.send_keys(&["Enter"]);
    tmux.type_text("/infra-controllers");
    tmux.send_keys(&["Enter"]);
    tmux.wait_for_text("[1/", STEP);

    tmux.type_text("s");
    tmux.wait_for("the row suspended", STEP, |screen| {
        row(screen, &["flux-system", "infra-controllers"])
            .is_some_and(|line| line.contains("True") && line.contains("Suspended"))
    });
    let suspended = fleet.kubectl(&[
        "get",
        "kustomization",
        "infra-controllers",
        "-n",
        "flux-system",
        "-o",
        "jsonpath={.spec.suspend}",
    ]);
    assert_eq!(suspended.trim(), "true");

    tmux.type_text("u");
    tmux.wait_for("the row resumed", STEP, |screen| {
        row(screen, &["flux-system", "infra-controllers"]).is_some_and(|line| !line.contains("Suspended"))
    });
    tmux.type_text("r");
    tmux.wait_for_text("reconciling Kustomization flux-system/infra-controllers…", STEP);
    let requested = fleet.kubectl(&[
        "get",
        "kustomization",
        "infra-controllers",
        "-n",
        "flux-system",
        "-o",
        "jsonpath={.metadata.annotations.reconcile\\.fluxcd\\.io/requestedAt}",
    ]);
    assert!(requested.trim().ends_with('Z') && requested.len() > 20, "no reconcile request: {requested:?}");
    // The sandbox runs no Flux controller: play its part, handling the request as kustomize-controller would
    // (suspend and resume changed the spec, so it also observes the new generation).
    let generation: i64 = fleet
        .kubectl(&[
            "get",
            "kustomization",
            "infra-controllers",
            "-n",
            "flux-system",
            "-o",
            "jsonpath={.metadata.generation}",
        ])
        .trim()
        .parse()
        .expect("a generation");
    let handled =
        serde_json::json!({"status": {"lastHandledReconcileAt": requested.trim(), "observedGeneration": generation}})
            .to_string();
    fleet.kubectl(&[
        "patch",
        "kustomization",
        "infra-controllers",
        "-n",
        "flux-system",
        "--subresource=status",
        "--type=merge",
        "-p",
        &handled,
    ]);
    tmux.wait_for_text("Kustomization flux-system/infra-controllers reconciled: Applied revision", STEP);

    tmux.send_keys(&["q"]);
    assert_quits_cleanly(&tmux);
}
