//! # fluxtui-testkit
//!
//! Test-only helpers shared by every test in the workspace: they start the real servers and find the real
//! oracles, so tests exercise what users run.
//!
//! - [`TestCluster`]: an in-process sandbox API server on a free loopback port, with a kubeconfig for it in its
//!   own temporary directory, and [`TestCluster::kubectl`] / [`TestCluster::helm`] to drive it with the real
//!   clients.
//! - [`SandboxProcess`]: the `fluxtui` binary itself running `fluxtui sandbox` as a subprocess, for tests of the
//!   command line. Cargo only tells the root package's tests where that binary is, so they pass it in with
//!   [`fluxtui_binary!`].
//! - [`Tmux`]: a private tmux server running one command in a pane of a fixed size, for end-to-end tests of
//!   the terminal UI: send keys, read the screen, wait for text with a deadline.
//! - [`GitRepos`], [`GitDaemon`], [`GitHttpServer`]: bare Git repositories built with the real `git`, served
//!   over git:// (`git daemon`), http:// (`git http-backend` behind basic auth), ssh:// ([`GitSshServer`], the
//!   real sshd) and file://.
//! - [`StaticHttpServer`], [`HelmRepoFixture`]: a Helm chart repository: a directory served over http:// (with
//!   optional basic auth and a log of which requests carried credentials), filled with the shared podinfo chart
//!   packaged by the real `helm` in several versions.
//! - [`S3Server`]: moto's S3 server checking signatures, with an access key, buckets and objects for the
//!   Bucket tests.
//! - [`Registry`]: an OCI registry (Debian's `docker-registry`) on a free loopback port, anonymous or behind
//!   basic auth, with a configuration of its own.
//! - [`helm_binary`], [`shared_dir`]: where the helm oracle and the shared reference data are.
//! - [`http_request`], [`raw_request`], [`try_raw_request`]: raw HTTP, for what kubectl will not send (malformed
//!   bodies, odd media types). Plain HTTP only: they serve clusters without TLS (no token, `tls` unset).
//!
//! ```no_run
//! # async fn example() {
//! let cluster = fluxtui_testkit::TestCluster::start().await;
//! let namespaces = cluster.kubectl_success(&["get", "namespaces", "-o", "name"]);
//! assert!(namespaces.contains("namespace/default"));
//! # }
//! ```

mod archive;
mod cluster;
pub mod git;
mod git_http;
mod git_ssh;
pub mod helm_repo;
mod http;
mod locate;
mod process;
mod registry;
mod s3;
mod tmux;

pub use archive::tar_gz;
pub use cluster::TestCluster;
pub use git::{GitDaemon, GitHttpServer, GitRepos, TestRepo};
pub use git_ssh::{GitSshServer, sshd_available};
pub use helm_repo::{HelmRepoFixture, LoggedRequest, StaticHttpServer};
pub use http::{HttpResponse, http_request, raw_request, try_raw_request};
pub use locate::{helm_binary, shared_dir};
pub use process::{SandboxProcess, assert_success};
pub use registry::{Registry, registry_binary};
pub use s3::S3Server;
pub use tmux::Tmux;

/// The path of the `fluxtui` binary, for tests in the root package (Cargo sets `CARGO_BIN_EXE_fluxtui` only
/// there, so this must expand in the test's own crate rather than be a function of this one).
#[macro_export]
macro_rules! fluxtui_binary {
    () => {
        ::std::path::Path::new(env!("CARGO_BIN_EXE_fluxtui"))
    };
}
