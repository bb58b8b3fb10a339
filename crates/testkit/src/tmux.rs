//! A terminal for end-to-end tests: a private tmux server running one command in a pane of a fixed size, keys
//! sent to it, and its screen read back.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::assert_success;

/// How often [`Tmux::wait_for`] reads the screen again.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// A detached tmux session on its own server (its socket lives in a temporary directory, so neither the
/// user's tmux nor other tests' sessions are touched) running one command in a pane of a fixed size.
/// Dropping it kills the server, and with it the command.
pub struct Tmux {
    /// Holds the socket; removed after the server is killed.
    _dir: TempDir,
    socket: PathBuf,
}

impl Tmux {
    /// Starts `command` (run by `sh -c`) in a `width`×`height` pane, with `env` added to the environment it
    /// inherits from the test. `KUBECONFIG`, `TMUX` and `FLUXTUI_CONFIG_DIR` are removed, so the test's own
    /// environment cannot leak a cluster or a config into the command; pass them in `env` when they are wanted.
    ///
    /// Panics if tmux is missing (`scripts/test` installs it) or does not start.
    pub fn start<V: AsRef<OsStr>>(width: u16, height: u16, command: &str, env: &[(&str, V)]) -> Tmux {
        let dir = tempfile::Builder::new().prefix("fluxtui-tmux-").tempdir().expect("create the tmux temp dir");
        let socket = dir.path().join("socket");
        let tmux = Tmux { _dir: dir, socket };
        // A new server copies the environment of the client that starts it into the session, so the command
        // gets exactly the environment set on this client.
        let mut start = tmux.command();
        start
            .args(["new-session", "-d", "-s", "e2e", "-x", &width.to_string(), "-y", &height.to_string()])
            .arg(command)
            .env_remove("KUBECONFIG")
            .env_remove("TMUX")
            .env_remove("FLUXTUI_CONFIG_DIR")
            // A terminal tmux knows, whatever the test runner's terminal is.
            .env("TERM", "xterm-256color");
        for (name, value) in env {
            start.env(name, value);
        }
        let output = start.output().expect("run tmux (is it installed? scripts/test installs it)");
        assert_success(&output, "tmux new-session");
        tmux
    }

    /// A tmux command on this test's server, with no user configuration.
    fn command(&self) -> Command {
        let mut command = Command::new("tmux");
        command.arg("-S").arg(&self.socket).args(["-f", "/dev/null"]).stdin(Stdio::null());
        command
    }

    /// Sends keys by tmux name, each one a key: `Enter`, `Escape`, `C-c`, `q`, `?`.
    pub fn send_keys(&self, keys: &[&str]) {
        let output = self.command().args(["send-keys", "-t", "e2e"]).args(keys).output().expect("run tmux send-keys");
        assert_success(&output, "tmux send-keys");
    }

    /// Types `text` literally, character by character (no key names).
    pub fn type_text(&self, text: &str) {
        let output =
            self.command().args(["send-keys", "-t", "e2e", "-l", "--", text]).output().expect("run tmux send-keys");
        assert_success(&output, "tmux send-keys -l");
    }

    /// What the pane shows now, one line per row, without colours.
    pub fn capture(&self) -> String {
        let output = self.command().args(["capture-pane", "-p", "-t", "e2e"]).output().expect("run tmux capture-pane");
        assert_success(&output, "tmux capture-pane");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Reads the pane every 50 ms until `done` holds for it, and returns that screen. Panics with the last
    /// screen if `timeout` passes first.
    pub fn wait_for(&self, what: &str, timeout: Duration, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.capture();
            if done(&screen) {
                return screen;
            }
            if Instant::now() >= deadline {
                panic!("{what}: not on screen within {timeout:?}; the pane shows:\n{}", framed(&screen));
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// [`Tmux::wait_for`] until the pane contains `text`.
    pub fn wait_for_text(&self, text: &str, timeout: Duration) -> String {
        self.wait_for(&format!("{text:?}"), timeout, |screen| screen.contains(text))
    }

    /// [`Tmux::wait_for`] until the pane no longer contains `text`.
    pub fn wait_for_no_text(&self, text: &str, timeout: Duration) -> String {
        self.wait_for(&format!("{text:?} to go"), timeout, |screen| !screen.contains(text))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // Ends the session and every process in it; the server may be gone already.
        let _ = self.command().arg("kill-server").stdout(Stdio::null()).stderr(Stdio::null()).status();
    }
}

/// The screen between two rules, so trailing blanks and the pane's edges show in a failure message.
fn framed(screen: &str) -> String {
    format!("{rule}\n{screen}{rule}", rule = "-".repeat(40))
}
