//! An OCI registry for tests: Debian's `docker-registry` (the CNCF distribution registry) with a configuration of
//! our own in a temporary directory: it listens on 127.0.0.1 and a free port only (the package's default file
//! listens on every interface), keeps its blobs in that directory, and optionally asks for basic auth from an
//! htpasswd file (bcrypt entries, written with apache2-utils' `htpasswd -B`). Plain HTTP: clients pull with
//! `insecure`. Killed on drop.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use tempfile::TempDir;

use crate::git::{free_port, wait_for_listener};

/// Where Debian installs the registry; `$FLUXTUI_DOCKER_REGISTRY` overrides it.
const DEFAULT_BINARY: &str = "/usr/bin/docker-registry";

/// The registry binary tests use, when it is installed (`scripts/test` installs it).
pub fn registry_binary() -> Option<PathBuf> {
    let binary =
        std::env::var_os("FLUXTUI_DOCKER_REGISTRY").map_or_else(|| PathBuf::from(DEFAULT_BINARY), PathBuf::from);
    binary.is_file().then_some(binary)
}

/// A running `docker-registry serve <our config>`.
pub struct Registry {
    child: Child,
    port: u16,
    dir: TempDir,
}

impl Registry {
    /// An anonymous registry: anyone may pull and push.
    pub fn start() -> Registry {
        Registry::launch(None)
    }

    /// A registry that answers 401 with a Basic challenge unless the request carries `username`:`password`.
    pub fn start_with_basic_auth(username: &str, password: &str) -> Registry {
        Registry::launch(Some((username, password)))
    }

    fn launch(credentials: Option<(&str, &str)>) -> Registry {
        let binary = registry_binary()
            .unwrap_or_else(|| panic!("{DEFAULT_BINARY} is missing: install the Debian package docker-registry"));
        let dir = tempfile::Builder::new().prefix("fluxtui-registry-").tempdir().expect("create the registry dir");
        let port = free_port();
        let auth = match credentials {
            Some((username, password)) => {
                let htpasswd = dir.path().join("htpasswd");
                std::fs::write(&htpasswd, bcrypt_entry(username, password)).expect("write the htpasswd file");
                format!("auth:\n  htpasswd:\n    realm: fluxtui-test\n    path: {}\n", htpasswd.display())
            }
            None => String::new(),
        };
        // No health check (it would poll the storage in the background) and no debug server (it would open a
        // second port); a fixed http.secret keeps the registry from warning about a generated one.
        let config = format!(
            "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    \
             enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n  secret: fluxtui-test-secret\n{auth}",
            dir.path().join("data").display()
        );
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).expect("write the registry config");
        let log = std::fs::File::create(dir.path().join("registry.log")).expect("create the registry log");
        let mut command = Command::new(&binary);
        command.arg("serve").arg(&config_path).stdin(Stdio::null()).stdout(Stdio::null());
        command.stderr(log);
        // REGISTRY_* variables override the file (REGISTRY_HTTP_ADDR would move the listener): none may leak in.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("REGISTRY_") {
                command.env_remove(name);
            }
        }
        let mut child = command.spawn().expect("start docker-registry");
        wait_for_listener(SocketAddr::from(([127, 0, 0, 1], port)), "docker-registry", Some(&mut child));
        Registry { child, port, dir }
    }

    /// `127.0.0.1:<port>`, the registry part of a reference.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `oci://127.0.0.1:<port>/<repository>`, an OCIRepository's `spec.url`.
    pub fn url(&self, repository: &str) -> String {
        format!("oci://{}/{repository}", self.host())
    }

    /// What the registry logged so far, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One htpasswd line with a bcrypt hash (the only scheme the registry accepts), from `htpasswd -nbB`.
fn bcrypt_entry(username: &str, password: &str) -> String {
    let output = Command::new("htpasswd")
        .args(["-nbB", username, password])
        .stdin(Stdio::null())
        .output()
        .expect("run htpasswd (the Debian package apache2-utils; scripts/test installs it)");
    assert!(output.status.success(), "htpasswd failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("htpasswd prints text").trim().to_string() + "\n"
}
