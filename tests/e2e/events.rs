//! Events live: an Event created with kubectl shows in the events view of its object and in `:events`, newest
//! first; an event whose object is deleted stays, marked; kubelet events are not Flux events.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::support::start_ui;
use crate::support::{Fleet, STEP, assert_quits_cleanly, path_str};

fn event(name: &str, kind: &str, object: &str, namespace: &str, event_type: &str, reason: &str, source: &str) -> Value {
    let now = Utc::now();
    json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": name, "namespace": namespace},
        "involvedObject": {"kind": kind, "name": object, "namespace": namespace},
        "type": event_type, "reason": reason, "message": format!("{reason} for {object} (e2e)"),
        "firstTimestamp": (now - Duration::minutes(5)).to_rfc3339(), "lastTimestamp": now.to_rfc3339(), "count": 2,
        "source": {"component": source},
    })
}

#[test]
fn events_appear_live_and_outlive_their_object() {
    let fleet = Fleet::start();
    let tmux = start_ui(&fleet, &[]);
    // The first row is Kustomization flux-system/apps.
    tmux.send_keys(&["e"]);
    tmux.wait_for_text("Events Kustomization/flux-system/apps [0]", STEP);

    fleet.apply(
        "event-apps",
        &[event(
            "apps.e2e-1",
            "Kustomization",
            "apps",
            "flux-system",
            "Warning",
            "HealthCheckFailed",
            "kustomize-controller",
        )],
        &[],
    );
    let screen = tmux.wait_for_text("HealthCheckFailed", STEP);
    assert!(screen.contains("Events Kustomization/flux-system/apps [1]"), "{screen}");
    assert!(screen.contains("kustomize-controller"), "the source controller column:\n{screen}");
    // An event of another object does not belong here.
    fleet.apply(
        "event-other",
        &[event(
            "infra.e2e-1",
            "Kustomization",
            "infra-configs",
            "flux-system",
            "Normal",
            "Progressing",
            "kustomize-controller",
        )],
        &[],
    );
    fleet.apply(
        "event-apps-2",
        &[event(
            "apps.e2e-2",
            "Kustomization",
            "apps",
            "flux-system",
            "Normal",
            "ReconciliationSucceeded",
            "kustomize-controller",
        )],
        &[],
    );
    let screen = tmux.wait_for_text("ReconciliationSucceeded", STEP);
    assert!(!screen.contains("infra-configs"), "{screen}");

    // The headless command lists the same events, like `flux events --for`.
    let output = std::process::Command::new(fluxtui_testkit::fluxtui_binary!())
        .args(["events", "--for", "ks/apps", "--kubeconfig", path_str(&fleet.kubeconfig())])
        .env("XDG_STATE_HOME", fleet.dir().join("xdg-state"))
        .output()
        .expect("run fluxtui events");
    fluxtui_testkit::assert_success(&output, "fluxtui events");
    let table = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert!(lines[0].starts_with("LAST SEEN") && lines[0].contains("OBJECT"), "{table}");
    assert!(lines.iter().any(|line| line.contains("Warning") && line.contains("HealthCheckFailed")), "{table}");
    assert!(lines.iter().skip(1).all(|line| line.contains("Kustomization/apps")), "{table}");

    // The object goes; its events stay, marked.
    fleet.kubectl(&["delete", "kustomization", "apps", "-n", "flux-system", "--wait=false"]);
    let screen = tmux.wait_for_text("(object deleted)", STEP);
    assert!(screen.contains("(deleted) Kustomization/apps"), "{screen}");

    // Every Flux object's events; a kubelet event about a pod is not one of them.
    tmux.send_keys(&["Escape"]);
    // Escape and a key sent together read as alt-key: wait for the view to close first.
    tmux.wait_for_no_text("Events Kustomization", STEP);
    tmux.type_text(":events");
    tmux.send_keys(&["Enter"]);
    fleet.apply("event-pod", &[event("pod.e2e-1", "Pod", "web-0", "flux-system", "Normal", "Pulled", "kubelet")], &[]);
    fleet.apply(
        "event-hr",
        &[event("podinfo.e2e-1", "HelmRelease", "podinfo", "podinfo", "Warning", "InstallFailed", "helm-controller")],
        &[],
    );
    let screen = tmux.wait_for_text("InstallFailed", STEP);
    assert!(screen.contains("Events Flux objects (all)"), "{screen}");
    assert!(screen.contains("HealthCheckFailed") && screen.contains("Progressing"), "{screen}");
    assert!(!screen.contains("web-0"), "{screen}");
    // Newest first: the HelmRelease's event was created last.
    let newest = screen.find("InstallFailed").unwrap_or(usize::MAX);
    assert!(newest < screen.find("HealthCheckFailed").unwrap_or(0), "{screen}");

    // `/` filters the rows.
    tmux.send_keys(&["/"]);
    tmux.type_text("warning");
    tmux.send_keys(&["Enter"]);
    let screen = tmux.wait_for_text("</warning>", STEP);
    assert!(!screen.contains("Progressing"), "{screen}");
    tmux.send_keys(&["q"]);
    assert_quits_cleanly(&tmux);
}
