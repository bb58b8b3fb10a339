//! An in-process sandbox API server for tests.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::thread::JoinHandle;

use fluxtui_sandbox::{Sandbox, SandboxConfig};
use tempfile::TempDir;
use tokio::sync::oneshot;

use crate::locate::helm_binary;
use crate::process::{assert_success, kubectl, kubectl_command};

/// A sandbox API server on a free loopback port, with a kubeconfig for it in a temporary directory that lives
/// as long as the cluster. Dropping it shuts the server down gracefully.
///
/// The server runs on its own thread with its own tokio runtime. That keeps it serving while the test blocks
/// (on a kubectl or helm subprocess, say), whatever runtime flavour the test itself uses, so the blocking
/// helpers below are safe to call from `#[tokio::test]` functions.
pub struct TestCluster {
    addr: SocketAddr,
    url: String,
    dir: TempDir,
    kubeconfig: PathBuf,
    read_only_kubeconfig: Option<PathBuf>,
    server: Option<ServerThread>,
}

struct ServerThread {
    stop: oneshot::Sender<()>,
    thread: JoinHandle<()>,
}

/// What the server thread reports once the sandbox is ready.
struct Ready {
    addr: SocketAddr,
    url: String,
}

impl TestCluster {
    /// Starts an in-memory sandbox with the default configuration.
    ///
    /// Panics if it does not start: a test cannot go on without its cluster.
    pub async fn start() -> TestCluster {
        TestCluster::start_with(SandboxConfig::default()).await
    }

    /// Starts a sandbox with the given configuration. The kubeconfig carries `config.token`; when a read-only
    /// token is configured, a second kubeconfig carrying it is written too.
    ///
    /// As `fluxtui sandbox` does, a token turns TLS on (`config.tls` is set whenever `config.token` is): client-go
    /// (kubectl, helm) sends credentials only over TLS, so a kubeconfig with a token for a plain-HTTP server
    /// would be useless. The kubeconfigs trust the sandbox's own CA.
    pub async fn start_with(mut config: SandboxConfig) -> TestCluster {
        config.tls |= config.token.is_some();
        let dir = tempfile::Builder::new().prefix("fluxtui-test-").tempdir().expect("create the test's temp dir");
        let kubeconfig = dir.path().join("kubeconfig");
        let read_only_kubeconfig = config.read_only_token.as_ref().map(|_| dir.path().join("kubeconfig-read-only"));

        let (ready_tx, ready_rx) = oneshot::channel::<Result<Ready, String>>();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let thread = {
            let kubeconfig = kubeconfig.clone();
            let read_only_kubeconfig = read_only_kubeconfig.clone();
            std::thread::Builder::new()
                .name("testkit-sandbox".into())
                .spawn(move || serve(config, kubeconfig, read_only_kubeconfig, ready_tx, stop_rx))
                .expect("spawn the sandbox thread")
        };

        let ready = match ready_rx.await {
            Ok(Ok(ready)) => ready,
            Ok(Err(message)) => panic!("the test sandbox did not start: {message}"),
            Err(_) => {
                // The thread dropped the sender without answering, which only a panic does; surface it.
                let _ = thread.join();
                panic!("the test sandbox thread died while starting");
            }
        };
        TestCluster {
            addr: ready.addr,
            url: ready.url,
            dir,
            kubeconfig,
            read_only_kubeconfig,
            server: Some(ServerThread { stop: stop_tx, thread }),
        }
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server's base URL: `http://127.0.0.1:PORT`, or `https://127.0.0.1:PORT` when the cluster serves TLS
    /// (with a token, or `tls` set).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The kubeconfig for this cluster (with the full-access token, if one is configured).
    pub fn kubeconfig_path(&self) -> &Path {
        &self.kubeconfig
    }

    /// The kubeconfig carrying the read-only token, when the cluster was started with one.
    pub fn read_only_kubeconfig_path(&self) -> Option<&Path> {
        self.read_only_kubeconfig.as_deref()
    }

    /// The cluster's temporary directory, removed when the cluster is dropped; tests may put files there.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Runs the real `kubectl` against this cluster and returns what it did, successful or not.
    pub fn kubectl(&self, args: &[&str]) -> Output {
        kubectl(&self.kubeconfig, &self.kube_cache(), args)
    }

    /// The `kubectl` command [`TestCluster::kubectl`] runs (same kubeconfig, discovery cache and environment),
    /// not yet started: for long-running commands such as `kubectl get -w`, whose output the test reads as it
    /// comes. Standard input is null; stdout and stderr are left for the caller to set.
    pub fn kubectl_command(&self, args: &[&str]) -> Command {
        kubectl_command(&self.kubeconfig, &self.kube_cache(), args)
    }

    /// kubectl's discovery cache for this cluster, in its temporary directory.
    fn kube_cache(&self) -> PathBuf {
        self.dir.path().join("kube-cache")
    }

    /// Runs `kubectl` and returns its stdout, panicking with its stdout and stderr if it failed.
    pub fn kubectl_success(&self, args: &[&str]) -> String {
        let output = self.kubectl(args);
        assert_success(&output, &format!("kubectl {}", args.join(" ")));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Runs the real `helm` against this cluster, with helm's cache, config and data kept in the cluster's
    /// temporary directory.
    ///
    /// Panics when helm is not installed: `scripts/test` installs it (or set `FLUXTUI_HELM`).
    pub fn helm(&self, args: &[&str]) -> Output {
        let helm = helm_binary().expect("helm is not installed: run scripts/test, or set FLUXTUI_HELM");
        let home = self.dir.path().join("helm");
        Command::new(helm)
            .args(args)
            .env("KUBECONFIG", &self.kubeconfig)
            .env("HELM_CACHE_HOME", home.join("cache"))
            .env("HELM_CONFIG_HOME", home.join("config"))
            .env("HELM_DATA_HOME", home.join("data"))
            .stdin(Stdio::null())
            .output()
            .expect("run helm")
    }

    /// Runs `helm` and returns its stdout, panicking with its stdout and stderr if it failed.
    pub fn helm_success(&self, args: &[&str]) -> String {
        let output = self.helm(args);
        assert_success(&output, &format!("helm {}", args.join(" ")));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            // The thread may already be gone if it panicked; joining reports that below.
            let _ = server.stop.send(());
            let joined = server.thread.join();
            if joined.is_err() && !std::thread::panicking() {
                panic!("the test sandbox thread panicked");
            }
        }
    }
}

/// The server thread: starts the sandbox, writes the kubeconfigs, reports ready, serves until told to stop,
/// then shuts down gracefully.
fn serve(
    config: SandboxConfig,
    kubeconfig: PathBuf,
    read_only_kubeconfig: Option<PathBuf>,
    ready: oneshot::Sender<Result<Ready, String>>,
    stop: oneshot::Receiver<()>,
) {
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            let _ = ready.send(Err(format!("cannot build a tokio runtime: {err}")));
            return;
        }
    };
    runtime.block_on(async move {
        let token = config.token.clone();
        let read_only_token = config.read_only_token.clone();
        let sandbox = match Sandbox::start(config).await {
            Ok(sandbox) => sandbox,
            Err(err) => {
                let _ = ready.send(Err(err.to_string()));
                return;
            }
        };
        let mut written = sandbox.write_kubeconfig(&kubeconfig, token.as_deref());
        if let (Ok(()), Some(path)) = (&written, &read_only_kubeconfig) {
            written = sandbox.write_kubeconfig(path, read_only_token.as_deref());
        }
        if let Err(err) = written {
            sandbox.shutdown().await;
            let _ = ready.send(Err(format!("cannot write the kubeconfig: {err}")));
            return;
        }
        if ready.send(Ok(Ready { addr: sandbox.addr(), url: sandbox.url() })).is_err() {
            // Nobody is waiting any more (the test was cancelled): no reason to serve.
            sandbox.shutdown().await;
            return;
        }
        // A dropped sender (the cluster is gone) means stop just as much as a sent message.
        let _ = stop.await;
        sandbox.shutdown().await;
    });
}
