//! The `fluxtui` binary as users run it: its help, and `fluxtui sandbox` from start to SIGTERM.

use std::process::Command;

use fluxtui_testkit::{SandboxProcess, assert_success, fluxtui_binary, http_request};

fn fluxtui(args: &[&str]) -> std::process::Output {
    let state = tempfile::tempdir().expect("temp dir for the log file");
    Command::new(fluxtui_binary!()).args(args).env("XDG_STATE_HOME", state.path()).output().expect("run fluxtui")
}

#[test]
fn help_lists_the_sandbox_subcommand() {
    let output = fluxtui(&["--help"]);
    assert_success(&output, "fluxtui --help");
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("sandbox"), "--help does not mention sandbox:\n{help}");
    assert!(!help.contains("demo"), "--help mentions a demo that does not exist yet:\n{help}");
}

#[test]
fn without_a_subcommand_it_points_at_the_sandbox() {
    let output = fluxtui(&[]);
    assert_success(&output, "fluxtui");
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("fluxtui sandbox"), "no pointer to `fluxtui sandbox`:\n{help}");
}

#[test]
fn sandbox_serves_kubectl_and_stops_cleanly_on_sigterm() {
    let mut sandbox = SandboxProcess::start(fluxtui_binary!(), &[]);

    let kubeconfig = sandbox.kubeconfig_path().to_path_buf();
    let line = sandbox.startup_line().to_string();
    assert!(kubeconfig.is_file(), "no kubeconfig at {} after: {line}", kubeconfig.display());
    assert!(line.contains(&format!("export KUBECONFIG={}", kubeconfig.display())), "unexpected start-up line: {line}");
    assert!(line.contains("http://127.0.0.1:"), "the start-up line does not say where it listens: {line}");

    let version = sandbox.kubectl(&["version", "-o", "json"]);
    assert_success(&version, "kubectl version");
    let version: serde_json::Value = serde_json::from_slice(&version.stdout).expect("kubectl version prints JSON");
    assert!(version.get("serverVersion").is_some(), "kubectl saw no server version: {version}");

    let state_home = sandbox.state_home();
    let status = sandbox.terminate();
    assert!(status.success(), "fluxtui sandbox exited with {status} after SIGTERM");

    // The log went to a file under the state directory, not to the terminal.
    let logs: Vec<_> = std::fs::read_dir(state_home.join("fluxtui")).expect("the log directory exists").collect();
    assert!(!logs.is_empty(), "no log file was written");
}

#[test]
fn tokens_protect_the_sandbox_and_the_kubeconfig_carries_the_full_one() {
    let mut sandbox =
        SandboxProcess::start(fluxtui_binary!(), &["--token", "admin-token", "--read-only-token", "viewer-token"]);

    let kubeconfig = std::fs::read_to_string(sandbox.kubeconfig_path()).expect("read the kubeconfig");
    assert!(kubeconfig.contains("token: admin-token"), "the kubeconfig does not carry the token:\n{kubeconfig}");

    // Raw requests, because kubectl sends bearer tokens only over TLS and the sandbox serves plain HTTP.
    let url = sandbox.url();
    let namespace = r#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"made-by-admin"}}"#;
    let cases = [
        ("no token", "GET", None, None, 401),
        ("a wrong token", "GET", Some("wrong-token"), None, 401),
        ("the read-only token reading", "GET", Some("viewer-token"), None, 200),
        ("the read-only token writing", "POST", Some("viewer-token"), Some(namespace), 403),
        ("the full token writing", "POST", Some("admin-token"), Some(namespace), 201),
    ];
    for (who, method, token, body, expected) in cases {
        let answer = http_request(&url, method, "/api/v1/namespaces", token, body);
        assert_eq!(answer.status, expected, "{who}: {method} /api/v1/namespaces answered {}", answer.body);
    }

    let status = sandbox.terminate();
    assert!(status.success(), "fluxtui sandbox exited with {status} after SIGTERM");
}
