//! The engine as the real `fluxtui controller` binary in its own process, so that its memory is measured alone.

use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A running engine, killed when dropped (also when the bench panics, so no engine outlives it).
pub struct EngineProcess(Child);

impl EngineProcess {
    pub fn id(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for EngineProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `fluxtui controller` against `kubeconfig` (no leader election, artifacts on a free loopback port) and
/// returns once it has logged "engine started".
pub fn start_engine(kubeconfig: &Path, storage: &Path, concurrency: u16) -> EngineProcess {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fluxtui"))
        .args(["controller", "--no-leader-election", "--storage-addr", "127.0.0.1:0", "--concurrent"])
        .arg(concurrency.to_string())
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .arg("--storage-dir")
        .arg(storage)
        .env("XDG_STATE_HOME", storage.join("state"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start fluxtui controller");
    // Its first line is "engine started"; the engine reads nothing before it has listed.
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stdout));
    let first = lines.next().expect("a first log line").expect("a readable line");
    assert!(first.contains("engine started"), "unexpected first line: {first}");
    // Drain the rest so the engine never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    EngineProcess(child)
}

/// The process's resident memory now and at its peak (VmRSS, VmHWM), in KiB.
pub fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
