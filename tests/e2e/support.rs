//! What every end-to-end test needs: a `fluxtui sandbox` with the Flux CRDs and the demo fleet applied by kubectl,
//! restartable on the same address and state, and fluxtui running in a tmux pane whose exit can be read.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;
use fluxtui_testkit::{SandboxProcess, Tmux, assert_success, fluxtui_binary};
use serde_json::Value;
use tempfile::TempDir;

/// The terminal every test uses.
pub const WIDTH: u16 = 120;
pub const HEIGHT: u16 = 40;

/// From starting fluxtui to its first screen with the objects listed: a process start, a connection, discovery
/// and the first lists, on a loaded machine.
pub const STARTUP: Duration = Duration::from_secs(60);
/// From a key to what it shows.
pub const STEP: Duration = Duration::from_secs(15);
/// From stopping the server to the banner: the watches must notice and fail.
pub const DISCONNECT: Duration = Duration::from_secs(60);
/// From restarting the server to the banner going: the watches retry with kube-rs's backoff, up to 30 s apart.
pub const RECOVERY: Duration = Duration::from_secs(120);

/// What the script around fluxtui prints before starting it, and after it exits.
pub const BEFORE: &str = "fluxtui-e2e: starting fluxtui";
pub const EXIT_OK: &str = "EXIT=0";
pub const TTY_COOKED: &str = "TTY=cooked";

/// A `fluxtui sandbox` with a state directory, holding the Flux CRDs, the demo namespaces and the demo fleet
/// (with their statuses), and a kubeconfig for it that outlives restarts.
pub struct Fleet {
    sandbox: SandboxProcess,
    /// The test's own files: the state dir, the kubeconfig copy, manifests, fluxtui's XDG dirs.
    dir: TempDir,
}

impl Fleet {
    /// Starts the sandbox and applies the fixtures with kubectl.
    pub fn start() -> Fleet {
        Fleet::start_with(&[])
    }

    /// Starts the sandbox with extra `fluxtui sandbox` flags (tokens...) and applies the fixtures.
    pub fn start_with(extra_args: &[&str]) -> Fleet {
        let dir = tempfile::Builder::new().prefix("fluxtui-e2e-").tempdir().expect("create the test's temp dir");
        let state = dir.path().join("sandbox-state");
        let mut args = vec!["--state-dir", path_str(&state)];
        args.extend_from_slice(extra_args);
        let sandbox = SandboxProcess::start(fluxtui_binary!(), &args);
        let fleet = Fleet { sandbox, dir };
        fleet.keep_kubeconfig();

        // Client-side apply of CRDs hits a limitation of the sandbox (protobuf); server-side apply is what Flux's
        // own installer uses anyway.
        fleet.apply("crds", &fluxtui::api::crd::custom_resource_definitions(), &["--server-side"]);
        fleet.apply("namespaces", &fluxtui::demo::namespaces(), &[]);
        let objects = fixture_objects();
        let specs: Vec<Value> = objects.iter().map(without_status).collect();
        fleet.apply("objects", &specs, &["--server-side"]);
        // The statuses, through the status subresource as the controllers write them, so READY and MESSAGE
        // show real content.
        let statuses: Vec<Value> = objects.iter().map(status_only).collect();
        fleet.apply("statuses", &statuses, &["--server-side", "--subresource=status", "--force-conflicts"]);
        fleet
    }

    /// The kubeconfig fluxtui uses: a copy in the test's directory, valid across restarts (same address, no TLS).
    pub fn kubeconfig(&self) -> PathBuf {
        self.dir.path().join("kubeconfig")
    }

    fn keep_kubeconfig(&self) {
        std::fs::copy(self.sandbox.kubeconfig_path(), self.kubeconfig()).expect("copy the sandbox's kubeconfig");
    }

    /// A kubeconfig for the same sandbox with another bearer token (the read-only one, say), for a sandbox
    /// started with `--token FULL`.
    pub fn kubeconfig_with_token(&self, full: &str, other: &str) -> PathBuf {
        let text = std::fs::read_to_string(self.kubeconfig()).expect("read the kubeconfig");
        assert!(text.contains(&format!("token: {full}")), "the kubeconfig does not carry the token {full}:\n{text}");
        let path = self.dir.path().join(format!("kubeconfig-{other}"));
        std::fs::write(&path, text.replace(&format!("token: {full}"), &format!("token: {other}")))
            .expect("write the kubeconfig");
        path
    }

    /// The test's temporary directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Runs kubectl against the sandbox, panicking with its output unless it succeeds; returns stdout.
    pub fn kubectl(&self, args: &[&str]) -> String {
        let output = self.sandbox.kubectl(args);
        assert_success(&output, &format!("kubectl {}", args.join(" ")));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Writes `objects` as a stream of JSON documents, one a line, and applies it with kubectl.
    pub fn apply(&self, name: &str, objects: &[Value], flags: &[&str]) {
        let path = self.dir.path().join(format!("{name}.json"));
        let mut stream = String::new();
        for object in objects {
            stream.push_str(&serde_json::to_string(object).expect("serialize a manifest"));
            stream.push('\n');
        }
        std::fs::write(&path, stream).expect("write the manifest");
        let mut args = vec!["apply", "--field-manager", "fluxtui-e2e", "-f", path_str(&path)];
        args.extend_from_slice(flags);
        self.kubectl(&args);
    }

    /// Runs the real helm against the sandbox (`scripts/test` installs it), with its cache and config in the
    /// test's directory, panicking with its output unless it succeeds; returns stdout.
    pub fn helm(&self, args: &[&str]) -> String {
        let helm =
            fluxtui_testkit::helm_binary().expect("helm is not installed: run scripts/test, or set FLUXTUI_HELM");
        let home = self.dir.path().join("helm");
        let output = std::process::Command::new(helm)
            .args(args)
            .arg("--kubeconfig")
            .arg(self.kubeconfig())
            .env("HELM_CACHE_HOME", home.join("cache"))
            .env("HELM_CONFIG_HOME", home.join("config"))
            .env("HELM_DATA_HOME", home.join("data"))
            .output()
            .expect("run helm");
        assert_success(&output, &format!("helm {}", args.join(" ")));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Stops the sandbox with SIGTERM, as a user would; it must exit cleanly.
    pub fn stop(&mut self) {
        let status = self.sandbox.terminate();
        assert!(status.success(), "fluxtui sandbox exited with {status}");
    }

    /// Starts the sandbox again on the address it had, on the same state directory.
    pub fn restart(&mut self) {
        let addr = self.sandbox.addr();
        let state = self.dir.path().join("sandbox-state");
        self.sandbox = SandboxProcess::start_on(fluxtui_binary!(), &addr, &["--state-dir", path_str(&state)]);
        let kubeconfig = std::fs::read_to_string(self.sandbox.kubeconfig_path()).expect("read the new kubeconfig");
        let kept = std::fs::read_to_string(self.kubeconfig()).expect("read the kept kubeconfig");
        assert_eq!(kubeconfig, kept, "the restarted sandbox's kubeconfig differs from the first one");
    }
}

/// The demo fleet, the fixture every test lists.
pub fn fixture_objects() -> Vec<Value> {
    fluxtui::demo::flux_objects(Utc::now())
}

/// How many fixture objects match `keep`, for the counts in table titles.
pub fn count_fixtures(keep: impl Fn(&Value) -> bool) -> usize {
    fixture_objects().iter().filter(|object| keep(object)).count()
}

/// An object as a user writes it: no status and no server-owned metadata.
fn without_status(object: &Value) -> Value {
    let mut object = object.clone();
    let map = object.as_object_mut().expect("objects are maps");
    map.remove("status");
    if let Some(metadata) = map.get_mut("metadata").and_then(Value::as_object_mut) {
        for field in ["uid", "resourceVersion", "generation", "creationTimestamp", "managedFields"] {
            metadata.remove(field);
        }
    }
    object
}

/// What a controller applies to the status subresource: the identity and the status.
fn status_only(object: &Value) -> Value {
    serde_json::json!({
        "apiVersion": object["apiVersion"],
        "kind": object["kind"],
        "metadata": {"name": object["metadata"]["name"], "namespace": object["metadata"]["namespace"]},
        "status": object["status"],
    })
}

pub fn path_str(path: &Path) -> &str {
    let text = path.to_str().expect("temporary paths are UTF-8");
    assert!(!text.contains('\''), "a temporary path holds a quote: {text}");
    text
}

/// Runs `fluxtui ARGS` in a 120x40 tmux pane, through a script that prints [`BEFORE`] first and, once fluxtui
/// exits, `EXIT=<status>` and whether the terminal was left in raw mode (`TTY=raw`) or given back
/// ([`TTY_COOKED`]), then keeps the pane open. fluxtui's config and state homes are fresh directories under
/// `dir`, so the user's config is never read.
pub fn fluxtui_in_tmux(dir: &Path, args: &[&str]) -> Tmux {
    fluxtui_in_tmux_with_env(dir, args, &[])
}

/// Waits for fluxtui to exit after a quit key and checks it exited 0 and gave the terminal back: the
/// alternate screen is gone (the script's first line shows again, the header does not) and raw mode is off.
pub fn assert_quits_cleanly(tmux: &Tmux) {
    let screen = tmux.wait_for("fluxtui's exit", STEP, |screen| screen.contains("EXIT=") && screen.contains("TTY="));
    assert!(screen.contains(EXIT_OK), "fluxtui did not exit 0:\n{screen}");
    assert!(screen.contains(TTY_COOKED), "fluxtui left the terminal in raw mode:\n{screen}");
    assert!(screen.contains(BEFORE), "the shell's output is not back (still on the alternate screen?):\n{screen}");
    assert!(!screen.contains("Context:"), "fluxtui's screen is still shown after it exited:\n{screen}");
}

/// The table row whose first cells (after the border) are `cells`, if the screen shows it.
pub fn row<'a>(screen: &'a str, cells: &[&str]) -> Option<&'a str> {
    screen.lines().find(|line| {
        let mut words = line.trim_start_matches('│').split_whitespace();
        cells.iter().all(|cell| words.next() == Some(*cell))
    })
}

/// A screen line holding every one of `parts`, in order (cells may be cut short with `…`).
pub fn line_with<'a>(screen: &'a str, parts: &[&str]) -> Option<&'a str> {
    screen.lines().find(|line| {
        let mut rest = *line;
        parts.iter().all(|part| match rest.find(part) {
            Some(at) => {
                rest = &rest[at + part.len()..];
                true
            }
            None => false,
        })
    })
}

/// The title of a table, as the frame shows it: ` All(all)[29] `.
pub fn title(pane: &str, namespace: &str, count: &str) -> String {
    format!(" {pane}({namespace})[{count}] ")
}

/// [`fluxtui_in_tmux`] with more environment variables for fluxtui (an `EDITOR`, say).
pub fn fluxtui_in_tmux_with_env(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Tmux {
    let binary = path_str(fluxtui_binary!());
    let quoted: Vec<String> = args.iter().map(|arg| format!("'{arg}'")).collect();
    let script = format!(
        "echo '{BEFORE}'\n\
         '{binary}' {args}\n\
         echo EXIT=$?\n\
         case \"$(stty -a)\" in *-icanon*) echo TTY=raw ;; *) echo {TTY_COOKED} ;; esac\n\
         exec sleep 600\n",
        args = quoted.join(" "),
    );
    let script_path = dir.join("run-fluxtui.sh");
    std::fs::write(&script_path, script).expect("write the script");
    let config = dir.join("xdg-config");
    let state = dir.join("xdg-state");
    let mut variables: Vec<(&str, &Path)> =
        vec![("XDG_CONFIG_HOME", config.as_path()), ("XDG_STATE_HOME", state.as_path())];
    variables.extend_from_slice(env);
    Tmux::start(WIDTH, HEIGHT, &format!("sh '{}'", path_str(&script_path)), &variables)
}

/// The pid of the fluxtui process started with `--kubeconfig <kubeconfig>` (the test's own file, so no other
/// test's process matches), found in /proc.
pub fn fluxtui_pid(kubeconfig: &Path) -> Option<u32> {
    let wanted = path_str(kubeconfig).to_string();
    std::fs::read_dir("/proc").ok()?.filter_map(Result::ok).find_map(|entry| {
        let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
        let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
        let args: Vec<String> =
            cmdline.split(|&byte| byte == 0).map(|arg| String::from_utf8_lossy(arg).into_owned()).collect();
        let is_fluxtui = args.first().is_some_and(|program| program.ends_with("/fluxtui"));
        (is_fluxtui && args.contains(&wanted) && !args.iter().any(|arg| arg == "sandbox")).then_some(pid)
    })
}

/// A process's resident memory in KiB (`VmRSS` in /proc/<pid>/status).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `fluxtui --kubeconfig <the fleet's> EXTRA` in tmux, once the All table shows the whole fleet.
pub fn start_ui(fleet: &Fleet, extra: &[&str]) -> Tmux {
    let kubeconfig = fleet.kubeconfig();
    let mut args = vec!["--kubeconfig", path_str(&kubeconfig)];
    args.extend_from_slice(extra);
    let tmux = fluxtui_in_tmux(fleet.dir(), &args);
    tmux.wait_for_text(&title("All", "all", &count_fixtures(|_| true).to_string()), STARTUP);
    tmux
}

/// `:ks` (or another command), then a filter that leaves one row.
pub fn show_one(tmux: &Tmux, command: &str, filter: &str) {
    tmux.type_text(&format!(":{command}"));
    tmux.send_keys(&["Enter"]);
    tmux.type_text("/");
    tmux.send_keys(&["C-u"]);
    tmux.type_text(filter);
    tmux.send_keys(&["Enter"]);
    tmux.wait_for_text("[1/", STEP);
}
