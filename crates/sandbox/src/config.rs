//! Runtime configuration of a sandbox instance.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// How a sandbox is started. `Default` gives an in-memory server on a free loopback port.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Address to listen on; port 0 picks a free one.
    pub listen: SocketAddr,
    /// Where acknowledged writes are made durable. `None` keeps everything in memory.
    pub state_dir: Option<PathBuf>,
    /// Bearer token with full access. `None` accepts every request.
    pub token: Option<String>,
    /// Bearer token that may read but gets 403 on every write.
    pub read_only_token: Option<String>,
    /// How long a simulated pod takes from scheduled to Ready.
    pub pod_ready_delay: Duration,
    /// How many watch events are kept for resuming watches; older resourceVersions get 410 Gone.
    pub watch_history: usize,
    /// Largest request body accepted, in bytes (the real API server's limit is 3 MiB).
    pub max_body_bytes: usize,
    /// Serve HTTPS with the sandbox's own CA (the kubeconfig trusts it). client-go sends bearer
    /// tokens only over TLS, so this is what makes the tokens usable from kubectl and helm.
    pub tls: bool,
    /// Whether the built-in workload simulation (Deployments, Pods, Jobs...) runs.
    pub simulate_workloads: bool,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            state_dir: None,
            token: None,
            read_only_token: None,
            pod_ready_delay: Duration::from_millis(500),
            watch_history: 10_000,
            max_body_bytes: 3 * 1024 * 1024,
            simulate_workloads: true,
            tls: false,
        }
    }
}
