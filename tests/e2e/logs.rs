//! Live logs against the sandbox's simulated Flux controllers: following with an object filter, pause and
//! resume, saving, a plain coloured line, and a 100 MB burst with the UI still answering keys and its memory
//! bounded by the line limit.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::start_ui;
use crate::support::{
    Fleet, STARTUP, STEP, assert_quits_cleanly, count_fixtures, fluxtui_in_tmux, fluxtui_pid, path_str, rss_kib, title,
};

/// The demo's controller deployments (whose pods print Flux lines about the fleet), with their pods running;
/// returns the kustomize-controller pod's name.
fn with_controllers(fleet: &Fleet) -> String {
    fleet.apply("controllers", &fluxtui::demo::controller_deployments(), &[]);
    running_kustomize_controller(fleet, None)
}

/// The name of a running kustomize-controller pod other than `except`, waiting for one.
fn running_kustomize_controller(fleet: &Fleet, except: Option<&str>) -> String {
    let deadline = Instant::now() + STARTUP;
    loop {
        let pods = fleet.kubectl(&[
            "get",
            "pods",
            "-n",
            "flux-system",
            "-l",
            "app=kustomize-controller",
            "-o",
            "jsonpath={range .items[*]}{.metadata.name} {.status.phase}{\"\\n\"}{end}",
        ]);
        let running = pods
            .lines()
            .filter(|line| line.ends_with(" Running"))
            .filter_map(|line| line.split(' ').next())
            .find(|name| Some(*name) != except);
        if let Some(name) = running {
            return name.to_string();
        }
        assert!(Instant::now() < deadline, "no kustomize-controller pod runs:\n{pods}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Makes the pod's `manager` container print `lines` (`repeat` times) through the sandbox's admin endpoint.
fn print(fleet: &Fleet, pod: &str, lines: &[String], repeat: u64) {
    let body = fleet.dir().join("lines.json");
    std::fs::write(&body, json!({"lines": lines, "repeat": repeat}).to_string()).expect("write the lines");
    let path = format!("/sandbox/logs/flux-system/{pod}/manager");
    fleet.kubectl(&["create", "--raw", &path, "-f", path_str(&body)]);
}

/// A kustomize-controller line about a Kustomization in flux-system.
fn ks_line(name: &str, message: &str) -> String {
    json!({
        "level": "info", "ts": chrono::Utc::now().to_rfc3339(), "msg": message,
        "controller": "kustomization", "controllerGroup": "kustomize.toolkit.fluxcd.io", "controllerKind": "Kustomization",
        "Kustomization": {"name": name, "namespace": "flux-system"}, "namespace": "flux-system", "name": name,
    })
    .to_string()
}

/// The log lines of the pane (inside the frame, without the status line).
fn body(screen: &str) -> String {
    screen.lines().skip(5).take(32).collect::<Vec<_>>().join("\n")
}

#[test]
fn following_an_objects_lines_with_pause_save_and_a_plain_line() {
    let fleet = Fleet::start();
    let pod = with_controllers(&fleet);
    let tmux = start_ui(&fleet, &[]);
    // The first row is Kustomization flux-system/apps.
    tmux.send_keys(&["l"]);
    tmux.wait_for_text("Logs Flux controllers (flux-system) for Kustomization/flux-system/apps", STEP);
    tmux.wait_for("the controllers followed", STARTUP, |screen| screen.contains("following  6 source(s)"));

    print(&fleet, &pod, &[ks_line("infra-configs", "e2e infra line"), ks_line("apps", "e2e apps line one")], 1);
    let screen = tmux.wait_for_text("e2e apps line one", STEP);
    assert!(!screen.contains("e2e infra line") && !body(&screen).contains("infra-configs"), "{screen}");

    // The headless command reads the same lines with the same filter, like `flux logs --kind --name`.
    let output = std::process::Command::new(fluxtui_testkit::fluxtui_binary!())
        .args(["logs", "--kind", "kustomization", "--name", "apps", "--kubeconfig", path_str(&fleet.kubeconfig())])
        .env("XDG_STATE_HOME", fleet.dir().join("xdg-state"))
        .output()
        .expect("run fluxtui logs");
    fluxtui_testkit::assert_success(&output, "fluxtui logs");
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        printed.contains("kustomize-controller info Kustomization/flux-system/apps e2e apps line one"),
        "{printed}"
    );
    assert!(printed.lines().all(|line| line.contains("Kustomization/flux-system/apps")), "{printed}");

    // More lines than the pane holds, then a pause: new lines are counted, not shown, until resumed.
    let filler: Vec<String> = (0..50).map(|n| ks_line("apps", &format!("e2e filler {n:02}"))).collect();
    print(&fleet, &pod, &filler, 1);
    tmux.wait_for_text("e2e filler 49", STEP);
    tmux.send_keys(&["C-s"]);
    let paused = tmux.wait_for_text("paused", STEP);
    print(&fleet, &pod, &[ks_line("apps", "e2e after pause")], 3);
    let screen = tmux.wait_for("the new-line counter", STEP, |screen| screen.contains(" new (end or ctrl-s"));
    assert!(!screen.contains("e2e after pause"), "a paused view moved:\n{screen}");
    assert_eq!(body(&paused), body(&screen), "a paused view moved");
    tmux.send_keys(&["C-s"]);
    let screen = tmux.wait_for_text("e2e after pause", STEP);
    assert!(screen.contains("● following"), "{screen}");

    // Saving writes the buffered lines to a file under the state directory, and says where.
    tmux.send_keys(&["C-w"]);
    tmux.wait_for_text("logs saved to", STEP);
    let saved_dir = fleet.dir().join("xdg-state/fluxtui/saved-logs");
    let file = std::fs::read_dir(&saved_dir)
        .unwrap_or_else(|err| panic!("{}: {err}", saved_dir.display()))
        .filter_map(Result::ok)
        .next()
        .expect("a saved file")
        .path();
    let text = std::fs::read_to_string(&file).expect("read the saved file");
    assert!(text.contains("Kustomization/flux-system/apps e2e apps line one"), "{text}");
    assert_eq!(text.matches("e2e after pause").count(), 3, "{text}");
    assert!(!text.contains("e2e infra line"), "{text}");

    // A replaced pod (a rollout, a rescheduled controller) is followed as soon as its container runs.
    fleet.kubectl(&["delete", "pod", &pod, "-n", "flux-system", "--wait=false"]);
    let replacement = running_kustomize_controller(&fleet, Some(&pod));
    // The new pod's follower reads its log from the start, so the line shows whether the follower starts before
    // or after it is printed.
    print(&fleet, &replacement, &[ks_line("apps", "e2e from the new pod")], 1);
    tmux.wait_for_text("e2e from the new pod", STEP);
    let pod = replacement;

    // Every controller's lines, and a plain line with colours: drawn in colour, never as escape codes.
    tmux.send_keys(&["Escape"]);
    // Escape and a key sent together read as alt-key: wait for the view to close first.
    tmux.wait_for_no_text("Logs Flux controllers", STEP);
    tmux.type_text(":logs");
    tmux.send_keys(&["Enter"]);
    let plain = "\u{1b}[32mplain green\u{1b}[0m e2e text".to_string();
    print(&fleet, &pod, &[plain, ks_line("infra-configs", "e2e infra line")], 1);
    let screen = tmux.wait_for_text("plain green e2e text", STEP);
    assert!(!screen.contains("[32m") && !screen.contains("[0m"), "{screen}");
    // Without a filter every line is kept: the search finds the other Kustomization's line and jumps to it.
    tmux.send_keys(&["/"]);
    tmux.type_text("e2e infra");
    tmux.send_keys(&["Enter"]);
    let screen = tmux.wait_for_text("</e2e infra> 1 matches", STEP);
    assert!(screen.contains("Kustomization/flux-system/infra-configs e2e infra line"), "{screen}");
    assert!(screen.contains("paused"), "a search jumps to the match and stays there:\n{screen}");
    tmux.send_keys(&["q"]);
    assert_quits_cleanly(&tmux);
}

/// The number before " older lines dropped" on the status line.
fn dropped(screen: &str) -> u64 {
    screen
        .split(" older lines dropped")
        .next()
        .and_then(|before| before.rsplit(' ').next())
        .and_then(|number| number.parse().ok())
        .unwrap_or(0)
}

#[test]
fn a_100_mb_burst_keeps_the_ui_answering_and_memory_bounded() {
    let fleet = Fleet::start();
    let pod = with_controllers(&fleet);
    let kubeconfig = fleet.kubeconfig();
    let tmux = fluxtui_in_tmux(fleet.dir(), &["--kubeconfig", path_str(&kubeconfig)]);
    tmux.wait_for_text(&title("All", "all", &count_fixtures(|_| true).to_string()), STARTUP);
    tmux.type_text(":logs");
    tmux.send_keys(&["Enter"]);
    tmux.wait_for("the controllers followed", STARTUP, |screen| screen.contains("following  6 source(s)"));
    let pid = fluxtui_pid(&kubeconfig).expect("fluxtui's pid");
    let before = rss_kib(pid).expect("fluxtui's memory");

    // 500,000 lines of about 200 bytes: 100 MB, streamed by the sandbox as fast as fluxtui reads.
    let line = ks_line("apps", &format!("burst {}", "x".repeat(40)));
    let repeat = 100 * 1024 * 1024 / (line.len() as u64 + 1);
    print(&fleet, &pod, &[line], repeat);

    // While the burst flows, keys still answer.
    let started = Instant::now();
    tmux.wait_for_text("burst xxxx", STEP);
    tmux.send_keys(&["C-l"]);
    tmux.wait_for_text("<level debug+>", STEP);
    let peak = std::cell::Cell::new(before);
    let screen = tmux.wait_for("the whole burst read", Duration::from_secs(600), |screen| {
        peak.set(peak.get().max(rss_kib(pid).unwrap_or(0)));
        dropped(screen) + 10_000 >= repeat
    });
    let peak = peak.get();
    eprintln!(
        "read {repeat} lines in {:?}; RSS {before} KiB before, peak {peak} KiB; {}",
        started.elapsed(),
        screen.lines().find(|line| line.contains("dropped")).unwrap_or_default()
    );
    tmux.send_keys(&["C-l"]);
    tmux.wait_for_text("<level info+>", STEP);
    // 10,000 lines of ~250 bytes, parsed, are a few MB; the bound is generous on purpose (debug build, allocator
    // slack), and far below what 100 MB of buffered text would take.
    let growth = peak.saturating_sub(before);
    assert!(growth < 300 * 1024, "RSS grew by {growth} KiB (before {before} KiB, peak {peak} KiB)");
    tmux.send_keys(&["q"]);
    assert_quits_cleanly(&tmux);
}
