//! The `fluxtui` binary as users run it: its help, a bad kubeconfig, and `fluxtui sandbox` from start to SIGTERM.

use std::process::Command;

use fluxtui_testkit::{SandboxProcess, assert_success, fluxtui_binary};

fn fluxtui(args: &[&str]) -> std::process::Output {
    let state = tempfile::tempdir().expect("temp dir for the log file");
    Command::new(fluxtui_binary!()).args(args).env("XDG_STATE_HOME", state.path()).output().expect("run fluxtui")
}

#[test]
fn help_lists_the_subcommands_and_the_session_flags() {
    let output = fluxtui(&["--help"]);
    assert_success(&output, "fluxtui --help");
    let help = String::from_utf8_lossy(&output.stdout);
    for expected in [
        "sandbox",
        "demo",
        "controller",
        "--controller",
        "--context",
        "--kubeconfig",
        "--namespace",
        "--all-namespaces",
        "--theme",
        "--keymap",
        "--readonly",
    ] {
        assert!(help.contains(expected), "--help does not mention {expected}:\n{help}");
    }
}

#[test]
fn a_missing_kubeconfig_is_reported_before_the_terminal_is_touched() {
    let output = fluxtui(&["--kubeconfig", "/nonexistent/kubeconfig"]);
    assert!(!output.status.success(), "fluxtui started without a kubeconfig");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no kubeconfig found") && stderr.contains("/nonexistent/kubeconfig"), "{stderr}");
    // No alternate screen, no raw mode: nothing but the message was written.
    assert!(
        !output.stdout.contains(&0x1b),
        "escape sequences on stdout: {:?}",
        String::from_utf8_lossy(&output.stdout)
    );
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
fn tokens_serve_https_and_kubectl_uses_them() {
    let mut sandbox =
        SandboxProcess::start(fluxtui_binary!(), &["--token", "admin-token", "--read-only-token", "viewer-token"]);

    let kubeconfig = std::fs::read_to_string(sandbox.kubeconfig_path()).expect("read the kubeconfig");
    assert!(kubeconfig.contains("token: admin-token"), "the kubeconfig does not carry the token:\n{kubeconfig}");
    assert!(kubeconfig.contains("certificate-authority-data:"), "a token implies TLS:\n{kubeconfig}");
    assert!(sandbox.url().starts_with("https://"), "{}", sandbox.url());

    // kubectl sends tokens only over TLS: this is the real client path, certificate checks included.
    let created = sandbox.kubectl(&["create", "namespace", "made-by-admin"]);
    assert_success(&created, "kubectl create namespace with the full token");
    let read = sandbox.kubectl(&["--token", "viewer-token", "get", "namespace", "made-by-admin"]);
    assert_success(&read, "kubectl get with the read-only token");
    let denied = sandbox.kubectl(&["--token", "viewer-token", "create", "namespace", "denied"]);
    assert!(!denied.status.success());
    assert!(String::from_utf8_lossy(&denied.stderr).contains("Forbidden"), "{denied:?}");
    // `kubectl auth can-i` asks the server, which answers for the caller's token.
    let can = |token: &str, verb: &str| {
        let output = sandbox.kubectl(&["--token", token, "auth", "can-i", verb, "namespaces"]);
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    };
    assert_eq!(can("viewer-token", "list"), "yes");
    assert!(can("viewer-token", "create").starts_with("no"));
    assert_eq!(can("admin-token", "create"), "yes");
    let anonymous = sandbox.kubectl(&["--token", "wrong-token", "get", "namespaces"]);
    assert!(!anonymous.status.success());
    assert!(String::from_utf8_lossy(&anonymous.stderr).contains("Unauthorized"), "{anonymous:?}");

    let status = sandbox.terminate();
    assert!(status.success(), "fluxtui sandbox exited with {status} after SIGTERM");
}

#[test]
fn without_a_writable_log_directory_it_warns_once_and_still_serves() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().expect("tempdir");
    // A file where the state directory should be: the log directory cannot be created under it.
    let blocker = dir.path().join("not-a-directory");
    std::fs::write(&blocker, "").expect("write blocker");
    let mut child = Command::new(fluxtui_binary!())
        .args(["sandbox", "--listen", "127.0.0.1:0"])
        .env("XDG_STATE_HOME", &blocker)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn fluxtui sandbox");
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(std::time::Duration::from_secs(30)).unwrap_or_default();
    let _ = child.kill();
    let output = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(line.contains("listening on"), "it did not serve: {line:?}\n{stderr}");
    assert!(stderr.contains("running without a log file: cannot create the log directory"), "{stderr}");
}

#[test]
fn without_a_terminal_the_ui_says_it_needs_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = dir.path().join("kubeconfig");
    // A well-formed kubeconfig for a server that is not there: connecting needs no network, drawing needs a TTY.
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'http://127.0.0.1:1'}\n\
         users:\n- name: u\n  user: {}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n",
    )
    .expect("write the kubeconfig");
    let output = fluxtui(&["--kubeconfig", kubeconfig.to_str().expect("utf-8 path")]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("fluxtui needs a terminal"), "{stderr}");
    assert!(
        !output.stdout.contains(&0x1b),
        "escape sequences on stdout: {:?}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn controller_installs_the_crds_reconciles_and_stops_cleanly_on_sigterm() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let mut sandbox = SandboxProcess::start(fluxtui_binary!(), &[]);
    let repos = fluxtui_testkit::GitRepos::new();
    let repo = repos.create("fleet");
    let head = repo.commit(&[("app.yaml", "kind: ConfigMap\n")], "first");
    repo.push();
    let daemon = fluxtui_testkit::GitDaemon::start(&repos);
    let work = tempfile::tempdir().expect("a temp dir");
    let mut engine = Command::new(fluxtui_binary!())
        .args(["controller", "--install-crds", "--storage-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"])
        .arg("--kubeconfig")
        .arg(sandbox.kubeconfig_path())
        .arg("--storage-dir")
        .arg(work.path().join("engine"))
        .env("XDG_STATE_HOME", work.path().join("state"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start fluxtui controller");
    let mut lines = BufReader::new(engine.stdout.take().expect("stdout")).lines();
    // Every line is JSON; the engine says when it holds the lease and when it runs.
    let mut started = None;
    for line in lines.by_ref() {
        let line = line.expect("a line");
        let parsed: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        if parsed["msg"] == "engine started" {
            started = Some(parsed);
            break;
        }
    }
    let started = started.expect("the engine started");
    assert_eq!(started["kinds"].as_array().map(Vec::len), Some(fluxtui::controllers::IMPLEMENTED_KINDS.len()));
    let rest = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>());

    let manifest = work.path().join("fleet.yaml");
    std::fs::write(
        &manifest,
        format!(
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: fleet\n  namespace: default\nspec:\n  url: {}\n  interval: 1m\n  ref:\n    branch: main\n",
            daemon.url(&repo)
        ),
    )
    .expect("write the manifest");
    assert_success(&sandbox.kubectl(&["apply", "-f", manifest.to_str().expect("utf-8")]), "kubectl apply");
    let waited = sandbox.kubectl(&["wait", "gitrepository/fleet", "--for=condition=Ready", "--timeout=30s"]);
    assert_success(&waited, "kubectl wait for Ready");
    let revision = sandbox.kubectl(&["get", "gitrepository/fleet", "-o", "jsonpath={.status.artifact.revision}"]);
    assert_eq!(String::from_utf8_lossy(&revision.stdout), format!("main@sha1:{head}"));
    // The lease is held by this engine.
    let holder = sandbox.kubectl(&["get", "lease", "fluxtui-controller", "-o", "jsonpath={.spec.holderIdentity}"]);
    assert!(!String::from_utf8_lossy(&holder.stdout).is_empty(), "no lease holder");

    // SIGTERM: a clean stop, the lease given back.
    let pid = engine.id().to_string();
    assert_success(&Command::new("kill").args(["-TERM", &pid]).output().expect("kill"), "kill -TERM");
    let status = engine.wait().expect("wait for the engine");
    assert!(status.success(), "fluxtui controller exited with {status} after SIGTERM");
    let lines = rest.join().expect("the reader thread");
    assert!(lines.iter().any(|l| l.contains("stopping the engine")), "{lines:?}");
    let holder = sandbox.kubectl(&["get", "lease", "fluxtui-controller", "-o", "jsonpath={.spec.holderIdentity}"]);
    assert_eq!(String::from_utf8_lossy(&holder.stdout), "", "the lease is released on SIGTERM");
    let _ = sandbox.terminate();
}

/// Every kustomization in the shared fixtures, built by `fluxtui kustomize build` and by `kubectl kustomize`: the
/// same bytes, or fluxtui refuses a field it does not build yet, naming it (never a different build).
#[test]
fn shared_kustomize_build_matches_kubectl_on_the_fixtures() {
    let Some(shared) = fluxtui_testkit::shared_dir() else {
        eprintln!("skipped: ../shared is absent (set FLUXTUI_SHARED)");
        return;
    };
    fn kustomizations(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read a fixture directory") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                kustomizations(&path, found);
            } else if path.file_name().is_some_and(|n| n == "kustomization.yaml") {
                found.push(dir.to_path_buf());
            }
        }
    }
    let mut dirs = Vec::new();
    kustomizations(&shared.join("fixtures"), &mut dirs);
    dirs.sort();
    let (mut same, mut unsupported) = (Vec::new(), Vec::new());
    for dir in &dirs {
        let ours = fluxtui(&["kustomize", "build", dir.to_str().expect("utf-8")]);
        let theirs = Command::new("kubectl").arg("kustomize").arg(dir).output().expect("run kubectl kustomize");
        let stderr = String::from_utf8_lossy(&ours.stderr);
        if !ours.status.success() && stderr.contains("is not supported yet by this engine") {
            unsupported.push(format!("{}: {}", dir.display(), stderr.trim()));
            continue;
        }
        assert_eq!(
            ours.status.success(),
            theirs.status.success(),
            "{}: fluxtui and kubectl disagree on success:\n{stderr}\n{}",
            dir.display(),
            String::from_utf8_lossy(&theirs.stderr)
        );
        if ours.status.success() {
            assert_eq!(
                String::from_utf8_lossy(&ours.stdout),
                String::from_utf8_lossy(&theirs.stdout),
                "{}: the builds differ",
                dir.display()
            );
            same.push(dir.display().to_string());
        }
    }
    eprintln!(
        "{} kustomizations: {} byte-identical to kubectl kustomize, {} use fields not built yet:",
        dirs.len(),
        same.len(),
        unsupported.len()
    );
    for line in &unsupported {
        eprintln!("  {line}");
    }
    assert!(!same.is_empty(), "no fixture could be compared");
}

/// `fluxtui diff ks NAME --path DIR` against a sandbox with the CRDs: exit 1 and `► … created` for an object the
/// cluster lacks, 0 once it is applied as kustomize-controller applies it, 1 and the unified diff after an edit in
/// the cluster, 2 for a Kustomization that does not exist.
#[test]
fn diff_prints_flux_diff_output_with_its_exit_codes() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let cluster = runtime.block_on(fluxtui_testkit::TestCluster::start());
    runtime.block_on(async {
        let options = fluxtui::cluster::ConnectOptions {
            kubeconfig: Some(cluster.kubeconfig_path().to_path_buf()),
            context: None,
        };
        let connection = fluxtui::cluster::connect(&options).await.expect("connect");
        fluxtui::cli::controller::install_crds(connection.client()).await.expect("install the CRDs");
    });
    let work = tempfile::tempdir().expect("a temp dir");
    let write = |name: &str, text: &str| {
        let path = work.path().join(name);
        std::fs::write(&path, text).expect("write a manifest");
        path.to_str().expect("utf-8").to_string()
    };
    let ks = write(
        "ks.yaml",
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: app\n  namespace: default\nspec:\n  interval: 10m\n  path: ./\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: app\n",
    );
    cluster.kubectl_success(&["apply", "-f", &ks]);
    let local = work.path().join("deploy");
    std::fs::create_dir_all(&local).expect("a directory");
    std::fs::write(
        local.join("settings.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\ndata:\n  color: blue\n",
    )
    .expect("write settings.yaml");
    let kubeconfig = cluster.kubeconfig_path().to_str().expect("utf-8").to_string();
    let diff = |name: &str| {
        fluxtui(&[
            "diff",
            "ks",
            name,
            "-n",
            "default",
            "--path",
            local.to_str().expect("utf-8"),
            "--kubeconfig",
            &kubeconfig,
        ])
    };
    let text = |output: &std::process::Output| String::from_utf8_lossy(&output.stdout).into_owned();

    let created = diff("app");
    assert_eq!(created.status.code(), Some(1), "{created:?}");
    assert!(text(&created).starts_with("► ConfigMap/default/settings created\n"), "{}", text(&created));
    assert!(!text(&created).contains('\x1b'), "no colours into a pipe: {}", text(&created));

    // Applied as the controller applies it (its field manager, its owner labels): nothing to show.
    let applied = write(
        "applied.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\n  labels:\n    kustomize.toolkit.fluxcd.io/name: app\n    kustomize.toolkit.fluxcd.io/namespace: default\ndata:\n  color: blue\n",
    );
    cluster.kubectl_success(&["apply", "--server-side", "--field-manager=kustomize-controller", "-f", &applied]);
    let clean = diff("app");
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean));
    assert!(text(&clean).starts_with("no drift  (1 unchanged, 0 skipped; built from "), "{}", text(&clean));

    cluster.kubectl_success(&["patch", "configmap/settings", "--type=merge", "-p", r#"{"data":{"color":"red"}}"#]);
    let drifted = diff("app");
    assert_eq!(drifted.status.code(), Some(1), "{}", text(&drifted));
    let out = text(&drifted);
    assert!(out.starts_with("► ConfigMap/default/settings drifted\n@@ "), "{out}");
    assert!(out.contains("\n-  color: red\n+  color: blue\n"), "{out}");
    let summary = format!("1 drifted  (0 unchanged, 0 skipped; built from {})\n", local.display());
    assert!(out.ends_with(&summary), "{out}");

    let missing = diff("nope");
    assert_eq!(missing.status.code(), Some(2), "{missing:?}");
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("Kustomization default/nope not found"), "{stderr}");
}

/// `fluxtui kustomize build`'s `--load-restrictor` and `--reorder` flags, as kubectl takes them: a file above the
/// kustomization needs `LoadRestrictionsNone`, `--reorder none` keeps the order of the resources list, and a value
/// kubectl does not know is refused with a message.
#[test]
fn kustomize_build_takes_kubectls_load_restrictor_and_reorder_flags() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create the directory");
        std::fs::write(path, text).expect("write the file");
    };
    write("shared/service.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n");
    write("app/config.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n");
    write("app/kustomization.yaml", "resources:\n- ../shared/service.yaml\n- config.yaml\n");
    let app = dir.path().join("app");
    let app = app.to_str().expect("utf-8");

    let refused = fluxtui(&["kustomize", "build", app]);
    assert_eq!(refused.status.code(), Some(1), "outside the root by default");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("service.yaml"), "the error names the file");

    let none = ["kustomize", "build", app, "--load-restrictor", "LoadRestrictionsNone"];
    let legacy = fluxtui(&none);
    assert_success(&legacy, "fluxtui kustomize build --load-restrictor LoadRestrictionsNone");
    let kinds = |output: &std::process::Output| -> Vec<String> {
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter(|l| l.starts_with("kind: "))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(kinds(&legacy), ["kind: ConfigMap", "kind: Service"], "the legacy order");
    let mut fifo = none.to_vec();
    fifo.extend(["--reorder", "none"]);
    let fifo = fluxtui(&fifo);
    assert_success(&fifo, "fluxtui kustomize build --reorder none");
    assert_eq!(kinds(&fifo), ["kind: Service", "kind: ConfigMap"], "the resources list's order");
    let kubectl = Command::new("kubectl")
        .args(["kustomize", app, "--load-restrictor", "LoadRestrictionsNone", "--reorder", "none"])
        .output()
        .expect("run kubectl kustomize");
    assert_success(&kubectl, "kubectl kustomize --reorder none");
    assert_eq!(fifo.stdout, kubectl.stdout, "the same bytes as kubectl");

    let unknown = fluxtui(&["kustomize", "build", app, "--load-restrictor", "Anywhere"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("Anywhere"), "the error names the value");
}
