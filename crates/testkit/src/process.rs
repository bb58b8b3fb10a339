//! Subprocesses: the real kubectl, and the `fluxtui` binary itself.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// How long `fluxtui sandbox` may take to print its start-up line or to exit after SIGTERM.
const PROCESS_DEADLINE: Duration = Duration::from_secs(30);

/// Runs the real `kubectl` with the given kubeconfig, keeping its discovery cache in `cache_dir` (the default
/// cache is keyed by host and port, so a later test server on a reused port would otherwise see stale
/// discovery).
pub(crate) fn kubectl(kubeconfig: &Path, cache_dir: &Path, args: &[&str]) -> Output {
    kubectl_command(kubeconfig, cache_dir, args).output().expect("run kubectl (is it installed? scripts/test checks)")
}

/// The command [`kubectl`] runs, not yet started.
pub(crate) fn kubectl_command(kubeconfig: &Path, cache_dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("kubectl");
    command
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .arg("--cache-dir")
        .arg(cache_dir)
        .args(args)
        .env_remove("KUBECONFIG")
        .stdin(Stdio::null());
    command
}

/// Panics, showing the exit status, stdout and stderr, unless the command succeeded.
pub fn assert_success(output: &Output, what: &str) {
    assert!(
        output.status.success(),
        "{what} failed with {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
}

/// `fluxtui sandbox` running as a subprocess, with its kubeconfig and its state home (where its log file goes)
/// in a temporary directory. Dropping it kills the process if it is still running.
pub struct SandboxProcess {
    child: Child,
    dir: TempDir,
    kubeconfig: PathBuf,
    startup_line: String,
}

impl SandboxProcess {
    /// Runs `<binary> sandbox --listen 127.0.0.1:0 --write-kubeconfig <temp>/kubeconfig <extra_args>` and waits
    /// for its start-up line, by which time the kubeconfig is written and the server is ready.
    ///
    /// `binary` comes from [`crate::fluxtui_binary!`]. Panics, with the process's stderr, if it exits or stays
    /// silent instead.
    pub fn start(binary: &Path, extra_args: &[&str]) -> SandboxProcess {
        SandboxProcess::start_on(binary, "127.0.0.1:0", extra_args)
    }

    /// [`SandboxProcess::start`] listening on `listen` (`127.0.0.1:PORT`) instead of a free port: with
    /// `--state-dir`, a test can stop the server and start it again on the same address (take the port of a
    /// first run from [`SandboxProcess::addr`]).
    pub fn start_on(binary: &Path, listen: &str, extra_args: &[&str]) -> SandboxProcess {
        let dir = tempfile::Builder::new().prefix("fluxtui-test-").tempdir().expect("create the test's temp dir");
        let kubeconfig = dir.path().join("kubeconfig");
        let stderr = File::create(dir.path().join("stderr")).expect("create the stderr file");
        let mut child = Command::new(binary)
            .args(["sandbox", "--listen", listen, "--write-kubeconfig"])
            .arg(&kubeconfig)
            .args(extra_args)
            // Logs go under XDG_STATE_HOME; keep them out of the user's own state directory.
            .env("XDG_STATE_HOME", dir.path().join("state"))
            .env_remove("KUBECONFIG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            // A file, not a pipe: nobody reads stderr while the process runs, and a full pipe would block it.
            .stderr(stderr)
            .spawn()
            .expect("spawn fluxtui sandbox");

        // Read on a thread so the wait can have a deadline.
        let stdout = child.stdout.take().expect("stdout was piped above");
        let (line_tx, line_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let read = BufReader::new(stdout).read_line(&mut line);
            let _ = line_tx.send(read.map(|_| line));
        });
        let mut process = SandboxProcess { child, dir, kubeconfig, startup_line: String::new() };
        match line_rx.recv_timeout(PROCESS_DEADLINE) {
            Ok(Ok(line)) if !line.is_empty() => process.startup_line = line.trim_end().to_string(),
            Ok(Ok(_)) => panic!("fluxtui sandbox closed stdout without a start-up line{}", process.diagnostics()),
            Ok(Err(err)) => panic!("reading fluxtui sandbox's stdout failed: {err}{}", process.diagnostics()),
            Err(_) => panic!("fluxtui sandbox printed nothing within {PROCESS_DEADLINE:?}{}", process.diagnostics()),
        }
        process
    }

    /// The line the process printed once it was ready.
    pub fn startup_line(&self) -> &str {
        &self.startup_line
    }

    /// The kubeconfig the process wrote.
    pub fn kubeconfig_path(&self) -> &Path {
        &self.kubeconfig
    }

    /// The process's `XDG_STATE_HOME`; its log files are in `fluxtui/` under it.
    pub fn state_home(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    /// The server's base URL as the kubeconfig names it: `http://127.0.0.1:PORT`, or `https://127.0.0.1:PORT`
    /// when the process serves TLS (`--tls`, or a `--token`).
    pub fn url(&self) -> String {
        let kubeconfig = std::fs::read_to_string(&self.kubeconfig).expect("read the kubeconfig");
        kubeconfig
            .lines()
            .find_map(|line| line.trim().strip_prefix("server:"))
            .map(|server| server.trim().to_string())
            .unwrap_or_else(|| panic!("no server in the kubeconfig:\n{kubeconfig}"))
    }

    /// The address the server listens on, `127.0.0.1:PORT`, from [`SandboxProcess::url`].
    pub fn addr(&self) -> String {
        let url = self.url();
        let authority = url.split_once("://").map_or(url.as_str(), |(_, rest)| rest);
        authority.trim_end_matches('/').to_string()
    }

    /// Kills the process with SIGKILL (no chance to flush anything) and reaps it.
    pub fn kill_hard(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Runs the real `kubectl` against the process's server.
    pub fn kubectl(&self, args: &[&str]) -> Output {
        kubectl(&self.kubeconfig, &self.dir.path().join("kube-cache"), args)
    }

    /// Sends SIGTERM and waits for the process to exit, returning its exit status. Panics if it has not exited
    /// within the deadline. The temporary directory stays until `self` is dropped, so the logs can be read.
    #[cfg(unix)]
    pub fn terminate(&mut self) -> ExitStatus {
        use nix::sys::signal::{Signal, kill};
        use nix::unistd::Pid;

        let pid = i32::try_from(self.child.id()).expect("process ids fit in pid_t");
        kill(Pid::from_raw(pid), Signal::SIGTERM).expect("send SIGTERM to fluxtui sandbox");
        let deadline = Instant::now() + PROCESS_DEADLINE;
        loop {
            match self.child.try_wait().expect("wait for fluxtui sandbox") {
                Some(status) => return status,
                None if Instant::now() >= deadline => {
                    panic!("fluxtui sandbox did not exit within {PROCESS_DEADLINE:?} of SIGTERM{}", self.diagnostics())
                }
                None => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }

    /// The process's stderr so far, for failure messages.
    fn diagnostics(&self) -> String {
        let stderr = std::fs::read_to_string(self.dir.path().join("stderr")).unwrap_or_default();
        format!("\n--- stderr ---\n{stderr}")
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        // After terminate() the process has exited and both calls are harmless; after a panic this stops a
        // server that would otherwise outlive the test.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
