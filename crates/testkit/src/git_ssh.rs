//! The real OpenSSH server on loopback serving the bare repositories of a [`GitRepos`] over ssh://, with a
//! host key and a client identity made for the test, so the checkout engine's identity and known_hosts
//! handling meet what users' Git hosts run. Killed on drop.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use tempfile::TempDir;

use crate::git::{GitRepos, TestRepo, free_port, wait_for_listener};

const SSHD: &str = "/usr/sbin/sshd";

/// `sshd` on 127.0.0.1 and a free port, accepting only [`GitSshServer::identity`] for the current user.
pub struct GitSshServer {
    child: Child,
    dir: TempDir,
    port: u16,
    user: String,
    base: PathBuf,
}

/// Whether the OpenSSH server is installed (the Debian openssh-server package; scripts/test installs it).
pub fn sshd_available() -> bool {
    Path::new(SSHD).exists()
}

fn keygen(path: &Path) {
    let output = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "fluxtui-test", "-f"])
        .arg(path)
        .stdin(Stdio::null())
        .output()
        .expect("run ssh-keygen (openssh-client)");
    assert!(output.status.success(), "ssh-keygen failed: {}", String::from_utf8_lossy(&output.stderr));
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

impl GitSshServer {
    pub fn start(repos: &GitRepos) -> GitSshServer {
        assert!(sshd_available(), "{SSHD} is missing: install the Debian package openssh-server (scripts/test does)");
        let dir = tempfile::Builder::new().prefix("fluxtui-sshd-").tempdir().expect("create the sshd temp dir");
        let host_key = dir.path().join("host_ed25519");
        let client_key = dir.path().join("client_ed25519");
        keygen(&host_key);
        keygen(&client_key);
        std::fs::copy(client_key.with_extension("pub"), dir.path().join("authorized_keys")).expect("authorized_keys");
        // sshd insists on its privilege separation directory.
        std::fs::create_dir_all("/run/sshd").expect("create /run/sshd (sshd needs it; run the tests as root)");
        let user = String::from_utf8(Command::new("id").arg("-un").output().expect("run id").stdout)
            .expect("user name")
            .trim()
            .to_string();
        let port = free_port();
        let config = dir.path().join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {host}\nAuthorizedKeysFile {authorized}\n\
                 PidFile {pid}\nPubkeyAuthentication yes\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n\
                 UsePAM no\nStrictModes no\nPermitRootLogin prohibit-password\nAllowUsers {user}\n",
                host = host_key.display(),
                authorized = dir.path().join("authorized_keys").display(),
                pid = dir.path().join("sshd.pid").display(),
            ),
        )
        .expect("write sshd_config");
        let mut child = Command::new(SSHD)
            .arg("-D")
            .arg("-e")
            .arg("-f")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("sshd.log")).expect("sshd log"))
            .spawn()
            .expect("start sshd");
        wait_for_listener(SocketAddr::from(([127, 0, 0, 1], port)), "sshd", Some(&mut child));
        GitSshServer { child, dir, port, user, base: repos.base() }
    }

    /// `ssh://<user>@127.0.0.1:<port>/<base>/<name>.git`.
    pub fn url(&self, repo: &TestRepo) -> String {
        format!("ssh://{}@127.0.0.1:{}{}/{}.git", self.user, self.port, self.base.display(), repo.name())
    }

    /// The client's private key (OpenSSH format), as a secret's `identity` holds it.
    pub fn identity(&self) -> String {
        read(&self.dir.path().join("client_ed25519"))
    }

    /// A private key the server does not accept.
    pub fn other_identity(&self) -> String {
        let other = self.dir.path().join("other_ed25519");
        if !other.exists() {
            keygen(&other);
        }
        read(&other)
    }

    /// A known_hosts line for the server's host key, as a secret's `known_hosts` holds it.
    pub fn known_hosts(&self) -> String {
        let public = read(&self.dir.path().join("host_ed25519.pub"));
        let mut fields = public.split_whitespace();
        let (key_type, key) = (fields.next().expect("key type"), fields.next().expect("key"));
        format!("[127.0.0.1]:{} {key_type} {key}\n", self.port)
    }

    /// sshd's log, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sshd.log")).unwrap_or_default()
    }
}

impl Drop for GitSshServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
