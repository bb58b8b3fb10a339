//! Edit (ctrl-e) against a live sandbox, with EDITOR set to small scripts: a change applied with server-side
//! apply under the `fluxtui` field manager, an object changed meanwhile refused with the text kept, invalid YAML
//! reopened with the error on top and then cancelled, and the refusal in read-only mode.

use std::path::{Path, PathBuf};

use crate::support::show_one;
use crate::support::{
    Fleet, STARTUP, STEP, assert_quits_cleanly, count_fixtures, fluxtui_in_tmux_with_env, path_str, title,
};

/// Writes an executable editor script into the test's directory.
fn editor(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\nset -e\n{body}\n")).expect("write the editor script");
    let mut permissions = std::fs::metadata(&path).expect("stat").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&path, permissions).expect("chmod");
    path
}

/// fluxtui in tmux with `script` as VISUAL and EDITOR, on the Kustomizations, with apps selected.
fn on_apps(fleet: &Fleet, script: &Path, extra: &[&str]) -> fluxtui_testkit::Tmux {
    let kubeconfig = fleet.kubeconfig();
    let mut args = vec!["--kubeconfig", path_str(&kubeconfig)];
    args.extend_from_slice(extra);
    let tmux = fluxtui_in_tmux_with_env(fleet.dir(), &args, &[("VISUAL", script), ("EDITOR", script)]);
    tmux.wait_for_text(&title("All", "all", &count_fixtures(|_| true).to_string()), STARTUP);
    show_one(&tmux, "ks", "^apps$");
    tmux
}

fn interval(fleet: &Fleet) -> String {
    fleet.kubectl(&["get", "kustomization", "apps", "-n", "flux-system", "-o", "jsonpath={.spec.interval}"])
}

#[test]
fn an_edit_is_applied_with_server_side_apply_as_fluxtui() {
    let fleet = Fleet::start();
    // With record-events, the edit is also recorded as an Event on the object.
    let config = fleet.dir().join("xdg-config").join("fluxtui");
    std::fs::create_dir_all(&config).expect("create the config dir");
    std::fs::write(config.join("config.yaml"), "record-events: true\n").expect("write the config");
    let script = editor(fleet.dir(), "edit.sh", "sed -i 's/^  interval: 10m0s$/  interval: 7m0s/' \"$1\"");
    let tmux = on_apps(&fleet, &script, &[]);
    tmux.send_keys(&["C-e"]);
    tmux.wait_for_text("applied Kustomization flux-system/apps (server-side apply, field manager fluxtui)", STEP);
    assert_eq!(interval(&fleet), "7m0s");
    let managers = fleet.kubectl(&[
        "get",
        "kustomization",
        "apps",
        "-n",
        "flux-system",
        "--show-managed-fields",
        "-o",
        "jsonpath={range .metadata.managedFields[*]}{.manager}/{.operation} {end}",
    ]);
    assert!(managers.contains("fluxtui/Apply"), "managers: {managers}");
    let events = fleet.kubectl(&[
        "get",
        "events",
        "-n",
        "flux-system",
        "--field-selector",
        "involvedObject.name=apps",
        "-o",
        "jsonpath={range .items[*]}{.reason}|{.source.component}|{.message}{\"\\n\"}{end}",
    ]);
    assert!(
        events.lines().any(|line| line.starts_with("EditApplied|fluxtui|edit applied")),
        "no edit event: {events:?}"
    );
    // The screen is fluxtui's again, and it still quits cleanly.
    tmux.wait_for_text("Kustomizations", STEP);
    tmux.send_keys(&["q"]);
    assert_quits_cleanly(&tmux);
}

#[test]
fn an_object_changed_while_editing_is_refused_and_the_text_kept() {
    let fleet = Fleet::start();
    let kubeconfig = path_str(&fleet.kubeconfig()).to_string();
    let script = editor(
        fleet.dir(),
        "concurrent.sh",
        &format!(
            "kubectl --kubeconfig '{kubeconfig}' annotate kustomization apps -n flux-system e2e/touched=yes >/dev/null\n\
             sed -i 's/^  interval: 10m0s$/  interval: 3m0s/' \"$1\""
        ),
    );
    let tmux = on_apps(&fleet, &script, &[]);
    tmux.send_keys(&["C-e"]);
    let screen = tmux.wait_for_text("changed since you opened it; reopen to edit the latest", STEP);
    assert_eq!(interval(&fleet), "10m0s", "the stale edit was applied:\n{screen}");
    // The path of the kept file is on screen (the flash line may cut it; the file is under the temp dir).
    let kept: Vec<PathBuf> = std::fs::read_dir(std::env::temp_dir())
        .expect("list the temp dir")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.to_string_lossy().contains("fluxtui-edit-kustomization-flux-system-apps"))
        .filter(|path| std::fs::read_to_string(path).is_ok_and(|text| text.contains("interval: 3m0s")))
        .collect();
    assert!(!kept.is_empty(), "the edited text was not kept:\n{screen}");
    for path in kept {
        let _ = std::fs::remove_file(path);
    }
}

#[test]
fn invalid_yaml_reopens_with_the_error_and_unchanged_cancels() {
    let fleet = Fleet::start();
    let dir = fleet.dir().to_path_buf();
    let rounds = dir.join("rounds");
    let second = dir.join("second-round.yaml");
    let script = editor(
        &dir,
        "invalid.sh",
        &format!(
            "echo x >> '{rounds}'\n\
             if [ \"$(wc -l < '{rounds}')\" -eq 1 ]; then echo 'spec: [unclosed' >> \"$1\"; else cp \"$1\" '{second}'; fi",
            rounds = path_str(&rounds),
            second = path_str(&second),
        ),
    );
    let tmux = on_apps(&fleet, &script, &[]);
    tmux.send_keys(&["C-e"]);
    tmux.wait_for_text("edit cancelled: invalid YAML", STEP);
    let reopened = std::fs::read_to_string(&second).expect("the editor ran a second time");
    assert!(reopened.starts_with("# fluxtui could not use this text"), "{reopened}");
    assert!(reopened.contains("# invalid YAML"), "{reopened}");
    assert_eq!(interval(&fleet), "10m0s");
}

#[test]
fn read_only_refuses_to_edit() {
    let fleet = Fleet::start();
    let marker = fleet.dir().join("editor-ran");
    let script = editor(fleet.dir(), "never.sh", &format!("touch '{}'", path_str(&marker)));
    let tmux = on_apps(&fleet, &script, &["--readonly"]);
    tmux.send_keys(&["C-e"]);
    tmux.wait_for_text("edit: refused, fluxtui runs read-only", STEP);
    assert!(!marker.exists(), "the editor ran in read-only mode");
}
