//! The write actions against a real API server (`fluxtui sandbox`): bulk suspend of marked rows, reconcile with
//! source, HelmRelease force/reset annotations, delete with its confirmation, the action log, a forbidden write
//! with the read-only token, a reconcile that times out, and the headless `reconcile|suspend|resume` commands
//! with their exit codes. The sandbox runs no Flux controller: the tests play its part with
//! `kubectl patch --subresource=status`.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use fluxtui_testkit::fluxtui_binary;

use crate::support::{
    Fleet, STARTUP, STEP, assert_quits_cleanly, count_fixtures, fluxtui_in_tmux, path_str, row, title,
};
use crate::support::{show_one, start_ui};

/// What a resource's field says, through kubectl's jsonpath.
fn field(fleet: &Fleet, resource: &str, namespace: &str, path: &str) -> String {
    let name = resource.split('/').nth(1).unwrap_or(resource);
    let kind = resource.split('/').next().unwrap_or(resource);
    fleet.kubectl(&["get", kind, name, "-n", namespace, "-o", &format!("jsonpath={path}")]).trim().to_string()
}

const REQUESTED_AT: &str = "{.metadata.annotations.reconcile\\.fluxcd\\.io/requestedAt}";

/// Waits until kubectl shows a reconcile request on the object, and returns its value.
fn wait_for_request(fleet: &Fleet, resource: &str, namespace: &str, before: &str) -> String {
    let deadline = Instant::now() + STEP;
    loop {
        let value = field(fleet, resource, namespace, REQUESTED_AT);
        if !value.is_empty() && value != before {
            return value;
        }
        assert!(Instant::now() < deadline, "no reconcile request on {resource} within {STEP:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Plays the controller: handles the request (and observes the current generation) through the status.
fn handle_request(fleet: &Fleet, resource: &str, namespace: &str, requested_at: &str) {
    let generation: i64 = field(fleet, resource, namespace, "{.metadata.generation}").parse().expect("a generation");
    let status =
        serde_json::json!({"status": {"lastHandledReconcileAt": requested_at, "observedGeneration": generation}});
    let (kind, name) = resource.split_once('/').expect("kind/name");
    fleet.kubectl(&[
        "patch",
        kind,
        name,
        "-n",
        namespace,
        "--subresource=status",
        "--type=merge",
        "-p",
        &status.to_string(),
    ]);
}

#[test]
fn bulk_suspend_reconcile_with_source_force_reset_delete_and_the_action_log() {
    let fleet = Fleet::start();
    let tmux = start_ui(&fleet, &[]);

    // Bulk: mark the first two Kustomizations (sorted by name: apps, flux-system) and suspend both at once.
    tmux.type_text(":ks");
    tmux.send_keys(&["Enter"]);
    tmux.wait_for_text("Kustomizations(all)", STEP);
    tmux.send_keys(&["Space", "Space"]);
    tmux.wait_for_text("● 2 marked", STEP);
    tmux.type_text("s");
    tmux.wait_for_text("✓ suspended 2 of 2 objects", STEP);
    for name in ["apps", "flux-system"] {
        assert_eq!(field(&fleet, &format!("kustomization/{name}"), "flux-system", "{.spec.suspend}"), "true");
    }
    assert_eq!(field(&fleet, "kustomization/infra-configs", "flux-system", "{.spec.suspend}"), "");
    tmux.send_keys(&["C-x"]);
    tmux.wait_for_no_text("marked", STEP);

    // Reconcile with source: the GitRepository first, then the Kustomization.
    show_one(&tmux, "ks", "infra-controllers");
    tmux.send_keys(&["C-r"]);
    tmux.wait_for_text("reconciling source GitRepository flux-system/flux-system", STEP);
    let source_request = wait_for_request(&fleet, "gitrepository/flux-system", "flux-system", "");
    assert_eq!(field(&fleet, "kustomization/infra-controllers", "flux-system", REQUESTED_AT), "", "too early");
    handle_request(&fleet, "gitrepository/flux-system", "flux-system", &source_request);
    let request = wait_for_request(&fleet, "kustomization/infra-controllers", "flux-system", "");
    tmux.wait_for_text("(source fetched revision main@sha1:", STEP);
    handle_request(&fleet, "kustomization/infra-controllers", "flux-system", &request);
    tmux.wait_for_text("✓ Kustomization flux-system/infra-controllers reconciled: Applied revision", STEP);

    // HelmRelease --force and --reset: forceAt / resetAt equal to requestedAt.
    show_one(&tmux, "hr", "podinfo");
    tmux.send_keys(&["M-r"]);
    let forced = wait_for_request(&fleet, "helmrelease/podinfo", "podinfo", "");
    let force_at =
        field(&fleet, "helmrelease/podinfo", "podinfo", "{.metadata.annotations.reconcile\\.fluxcd\\.io/forceAt}");
    assert_eq!(force_at, forced);
    tmux.wait_for_text("force-reconciling HelmRelease podinfo/podinfo", STEP);
    handle_request(&fleet, "helmrelease/podinfo", "podinfo", &forced);
    tmux.wait_for_text("✓ HelmRelease podinfo/podinfo reconciled", STEP);
    tmux.send_keys(&["M-R"]);
    let reset = wait_for_request(&fleet, "helmrelease/podinfo", "podinfo", &forced);
    let reset_at =
        field(&fleet, "helmrelease/podinfo", "podinfo", "{.metadata.annotations.reconcile\\.fluxcd\\.io/resetAt}");
    assert_eq!(reset_at, reset);

    // Delete: cancelled first, then confirmed.
    show_one(&tmux, "ks", "team-b");
    tmux.send_keys(&["C-k"]);
    tmux.wait_for_text("Delete Kustomization team-b/team-b?", STEP);
    tmux.type_text("n");
    tmux.wait_for_no_text("Delete Kustomization team-b/team-b?", STEP);
    assert_eq!(field(&fleet, "kustomization/team-b", "team-b", "{.metadata.name}"), "team-b", "deleted on n");
    tmux.send_keys(&["C-k"]);
    tmux.wait_for_text("y/enter delete", STEP);
    tmux.type_text("y");
    tmux.wait_for_text("✓ deleted Kustomization team-b/team-b", STEP);
    let gone = fleet.kubectl(&["get", "kustomizations", "-n", "team-b", "-o", "name"]);
    assert!(gone.trim().is_empty(), "team-b is still there: {gone}");
    tmux.wait_for("the row gone", STEP, |screen| row(screen, &["team-b", "team-b"]).is_none());

    // The action log lists it all, newest first.
    tmux.type_text("a");
    // Waits for the rows themselves: a capture can catch a frame half written.
    let screen = tmux.wait_for("the action log", STEP, |screen| {
        screen.contains("Actions[") && screen.contains(" delete ") && screen.contains(" suspend ")
    });
    let delete_line = screen.lines().position(|line| line.contains(" delete ")).expect("the delete");
    let suspend_line = screen
        .lines()
        .position(|line| line.contains(" suspend "))
        .unwrap_or_else(|| panic!("no bulk suspend:\n{screen}"));
    assert!(delete_line < suspend_line, "not newest first:\n{screen}");
    assert!(screen.contains("reconcile-with-source") && screen.contains("reconcile-reset"), "{screen}");

    tmux.send_keys(&["Escape"]);
    tmux.type_text("q");
    assert_quits_cleanly(&tmux);
}

#[test]
fn a_forbidden_write_is_refused_before_it_is_sent() {
    let fleet = Fleet::start_with(&["--token", "admin-token", "--read-only-token", "viewer-token"]);
    let viewer = fleet.kubeconfig_with_token("admin-token", "viewer-token");
    let tmux = fluxtui_in_tmux(fleet.dir(), &["--kubeconfig", path_str(&viewer)]);
    tmux.wait_for_text(&title("All", "all", &count_fixtures(|_| true).to_string()), STARTUP);
    show_one(&tmux, "ks", "infra-configs");
    tmux.type_text("s");
    tmux.wait_for_text("✗ your credentials may not patch kustomizations in flux-system", STEP);
    assert_eq!(field(&fleet, "kustomization/infra-configs", "flux-system", "{.spec.suspend}"), "");
    // An edit asks first too: the editor never opens, a second refusal shows.
    tmux.send_keys(&["C-e"]);
    tmux.wait_for("the edit refused", STEP, |screen| screen.matches("may not patch kustomizations").count() >= 2);
    tmux.type_text("q");
    assert_quits_cleanly(&tmux);
}

#[test]
fn a_reconcile_nobody_handles_times_out_and_says_so_and_events_record_who_asked() {
    let fleet = Fleet::start();
    // The config asks for events; the flag sets the timeout.
    let config = fleet.dir().join("xdg-config").join("fluxtui");
    std::fs::create_dir_all(&config).expect("create the config dir");
    std::fs::write(config.join("config.yaml"), "record-events: true\nreconcile-timeout: 10m\n")
        .expect("write the config");
    let tmux = start_ui(&fleet, &["--reconcile-timeout", "3s"]);
    show_one(&tmux, "ks", "infra-configs");
    tmux.type_text("r");
    tmux.wait_for_text("reconciling Kustomization flux-system/infra-configs…", STEP);
    tmux.wait_for_text("not reconciled within 3s", STEP);
    let events = fleet.kubectl(&[
        "get",
        "events",
        "-n",
        "flux-system",
        "--field-selector",
        "involvedObject.name=infra-configs",
        "-o",
        "jsonpath={range .items[*]}{.reason}|{.source.component}|{.type}|{.message}{\"\\n\"}{end}",
    ]);
    assert!(
        events.lines().any(|line| line.starts_with("ReconcileRequested|fluxtui|Normal|reconcile requested")),
        "no event from fluxtui: {events:?}"
    );
    tmux.type_text("q");
    assert_quits_cleanly(&tmux);
}

/// Runs `fluxtui ARGS` against the fleet; `controller` plays the controller while it runs.
fn headless(fleet: &Fleet, kubeconfig: &std::path::Path, args: &[&str], controller: impl FnOnce()) -> Output {
    let child = Command::new(fluxtui_binary!())
        .args(args)
        .args(["--kubeconfig", path_str(kubeconfig)])
        .env("XDG_STATE_HOME", fleet.dir().join("xdg-state"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start fluxtui");
    controller();
    child.wait_with_output().expect("fluxtui's output")
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[test]
fn headless_reconcile_suspend_and_resume_exit_with_the_outcome() {
    let fleet = Fleet::start_with(&["--token", "admin-token", "--read-only-token", "viewer-token"]);
    let admin = fleet.kubeconfig();

    // Ready: exit 0, with the flux CLI's lines.
    let output = headless(&fleet, &admin, &["reconcile", "ks", "infra-controllers", "--with-source"], || {
        let source = wait_for_request(&fleet, "gitrepository/flux-system", "flux-system", "");
        handle_request(&fleet, "gitrepository/flux-system", "flux-system", &source);
        let request = wait_for_request(&fleet, "kustomization/infra-controllers", "flux-system", "");
        handle_request(&fleet, "kustomization/infra-controllers", "flux-system", &request);
    });
    let printed = text(&output);
    assert_eq!(output.status.code(), Some(0), "{printed}");
    assert!(printed.contains("► annotating GitRepository flux-system in flux-system namespace"), "{printed}");
    assert!(printed.contains("✔ fetched revision main@sha1:"), "{printed}");
    assert!(printed.contains("✔ applied revision main@sha1:"), "{printed}");

    // A HelmRelease: its HelmChart's HelmRepository, then the HelmChart, then the release.
    let output = headless(&fleet, &admin, &["reconcile", "hr", "podinfo", "-n", "podinfo", "--with-source"], || {
        for (resource, namespace) in [
            ("helmrepository/podinfo", "flux-system"),
            ("helmchart/podinfo-podinfo", "flux-system"),
            ("helmrelease/podinfo", "podinfo"),
        ] {
            let request = wait_for_request(&fleet, resource, namespace, "");
            handle_request(&fleet, resource, namespace, &request);
        }
    });
    let printed = text(&output);
    assert_eq!(output.status.code(), Some(0), "{printed}");
    let order: Vec<usize> =
        ["annotating HelmRepository podinfo", "annotating HelmChart podinfo-podinfo", "annotating HelmRelease podinfo"]
            .iter()
            .map(|line| printed.find(line).unwrap_or_else(|| panic!("no {line:?} in:\n{printed}")))
            .collect();
    assert!(order.windows(2).all(|pair| pair[0] < pair[1]), "{printed}");

    // Failed: exit 1 with the controller's message.
    let output = headless(&fleet, &admin, &["reconcile", "kustomization", "infra-configs"], || {
        let request = wait_for_request(&fleet, "kustomization/infra-configs", "flux-system", "");
        handle_request(&fleet, "kustomization/infra-configs", "flux-system", &request);
    });
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(text(&output).contains("Kustomization reconciliation failed: 'health check failed"), "{}", text(&output));

    // Timed out: exit 2.
    let output = headless(&fleet, &admin, &["reconcile", "hr", "podinfo", "-n", "podinfo", "--timeout", "2s"], || {});
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("timed out after 2s"), "{}", text(&output));

    // Not found, and a flag of another kind: exit 1.
    let output = headless(&fleet, &admin, &["suspend", "ks", "nope"], || {});
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(text(&output).contains("Kustomization nope not found in flux-system namespace"), "{}", text(&output));
    let output = headless(&fleet, &admin, &["reconcile", "ks", "apps", "--force"], || {});
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));

    // Suspend, then resume which waits for readiness.
    let output = headless(&fleet, &admin, &["suspend", "ks", "team-a", "-n", "team-a"], || {});
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(field(&fleet, "kustomization/team-a", "team-a", "{.spec.suspend}"), "true");
    let output = headless(&fleet, &admin, &["resume", "ks", "team-a", "-n", "team-a"], || {
        // The controller observes the new generation.
        let deadline = Instant::now() + STEP;
        while field(&fleet, "kustomization/team-a", "team-a", "{.spec.suspend}") != "false" {
            assert!(Instant::now() < deadline, "not resumed");
            std::thread::sleep(Duration::from_millis(100));
        }
        handle_request(&fleet, "kustomization/team-a", "team-a", "resumed");
    });
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(text(&output).contains("✔ applied revision"), "{}", text(&output));

    // Forbidden with the read-only token: refused before the write, exit 1.
    let viewer = fleet.kubeconfig_with_token("admin-token", "viewer-token");
    let output = headless(&fleet, &viewer, &["suspend", "ks", "apps"], || {});
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains("your credentials may not patch kustomizations in flux-system"),
        "{}",
        text(&output)
    );
    assert_eq!(field(&fleet, "kustomization/apps", "flux-system", "{.spec.suspend}"), "");
}
