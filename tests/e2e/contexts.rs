//! Switching kube contexts inside a session: `:ctx` connects to the other cluster, starts watching it, and
//! switching back finds the first cluster's objects again.

use fluxtui_testkit::{SandboxProcess, fluxtui_binary};
use serde_json::Value;

use crate::support::{Fleet, STARTUP, STEP, assert_quits_cleanly, count_fixtures, fluxtui_in_tmux, path_str, title};

fn read_kubeconfig(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path).expect("read a kubeconfig");
    serde_saphyr::from_str(&text).expect("parse a kubeconfig")
}

/// One kubeconfig with both clusters: the fleet's context keeps its name and is current, the empty sandbox's is
/// renamed `empty`.
fn two_contexts(fleet: &Value, empty: &Value) -> Value {
    let mut merged = fleet.clone();
    for (section, key) in [("clusters", "cluster"), ("users", "user"), ("contexts", "context")] {
        let mut entries = empty[section].as_array().cloned().unwrap_or_default();
        for entry in &mut entries {
            entry["name"] = "empty".into();
            if section == "contexts" {
                entry[key]["cluster"] = "empty".into();
                entry[key]["user"] = "empty".into();
            }
        }
        if let Some(list) = merged[section].as_array_mut() {
            list.extend(entries);
        }
    }
    merged
}

#[test]
fn ctx_switches_to_another_cluster_and_back() {
    let fleet = Fleet::start();
    let empty = SandboxProcess::start(fluxtui_binary!(), &[]);
    let kubeconfig = fleet.dir().join("two-contexts.kubeconfig");
    let merged = two_contexts(&read_kubeconfig(&fleet.kubeconfig()), &read_kubeconfig(empty.kubeconfig_path()));
    std::fs::write(&kubeconfig, serde_json::to_string(&merged).expect("serialize")).expect("write the kubeconfig");
    let first_context = merged["current-context"].as_str().expect("a current context").to_string();

    let tmux = fluxtui_in_tmux(fleet.dir(), &["--kubeconfig", path_str(&kubeconfig)]);
    let everything = title("All", "all", &count_fixtures(|_| true).to_string());
    tmux.wait_for_text(&everything, STARTUP);

    tmux.type_text(":ctx empty");
    tmux.send_keys(&["Enter"]);
    let screen = tmux.wait_for("the empty cluster", STEP, |screen| {
        screen.contains("Context:   empty")
            && screen.contains("Not installed")
            && screen.contains(&title("All", "all", "0"))
    });
    assert!(!screen.contains("infra-configs"), "the first cluster's objects are still shown:\n{screen}");

    tmux.type_text(&format!(":ctx {first_context}"));
    tmux.send_keys(&["Enter"]);
    tmux.wait_for("the first cluster again", STEP, |screen| {
        screen.contains(&format!("Context:   {first_context}")) && screen.contains(&everything)
    });

    tmux.send_keys(&["q"]);
    assert_quits_cleanly(&tmux);
}
