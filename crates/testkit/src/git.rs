//! Git test servers and repositories: `git daemon` (git://), `git http-backend` behind a small HTTP server with
//! basic auth (http://), and bare repositories on disk (file://), all driven by the real `git` binary so tests
//! check the checkout engine against what users' servers run.
//!
//! Every server serves the bare repositories under one temporary base directory ([`GitRepos`]); each is killed
//! when dropped.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

pub use crate::git_http::GitHttpServer;

/// How long a git server may take to accept its first connection.
const START_DEADLINE: Duration = Duration::from_secs(15);

/// Runs `git` with a fixed identity and no user or system configuration, failing loudly with its stderr.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = git_command(dir, args).output().expect("run git (is it installed? scripts/test checks)");
    assert!(
        output.status.success(),
        "git {args:?} in {} failed with {}\n{}",
        dir.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

fn git_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Fluxtui Test")
        .env("GIT_AUTHOR_EMAIL", "test@fluxtui.invalid")
        .env("GIT_COMMITTER_NAME", "Fluxtui Test")
        .env("GIT_COMMITTER_EMAIL", "test@fluxtui.invalid")
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null());
    command
}

/// A temporary base directory of bare repositories (`<base>/<name>.git`), each with a working clone beside it
/// (`<work>/<name>`) that the helpers commit in and push from.
pub struct GitRepos {
    dir: TempDir,
}

impl Default for GitRepos {
    fn default() -> Self {
        GitRepos::new()
    }
}

impl GitRepos {
    pub fn new() -> GitRepos {
        let dir = tempfile::Builder::new().prefix("fluxtui-git-").tempdir().expect("create the git temp dir");
        std::fs::create_dir_all(dir.path().join("base")).expect("create the base dir");
        std::fs::create_dir_all(dir.path().join("work")).expect("create the work dir");
        GitRepos { dir }
    }

    /// The directory the servers export (`--base-path`, `GIT_PROJECT_ROOT`).
    pub fn base(&self) -> PathBuf {
        self.dir.path().join("base")
    }

    /// Creates the bare repository `<name>.git` (default branch `main`) and its working clone.
    pub fn create(&self, name: &str) -> TestRepo {
        let bare = self.base().join(format!("{name}.git"));
        assert!(!bare.exists(), "the test repository {name} exists already");
        std::fs::create_dir_all(&bare).expect("create the bare repo dir");
        git(&bare, &["init", "--quiet", "--bare", "--initial-branch=main"]);
        let work = self.dir.path().join("work").join(name);
        std::fs::create_dir_all(&work).expect("create the work dir");
        git(&work, &["init", "--quiet", "--initial-branch=main"]);
        git(&work, &["remote", "add", "origin", bare.to_str().expect("utf-8 temp path")]);
        TestRepo { name: name.to_string(), bare, work }
    }
}

/// One bare repository and its working clone.
pub struct TestRepo {
    name: String,
    bare: PathBuf,
    work: PathBuf,
}

impl TestRepo {
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The `file://` URL of the bare repository.
    pub fn file_url(&self) -> String {
        format!("file://{}", self.bare.display())
    }

    /// The working clone, for tests that write files in ways the helpers do not.
    pub fn work_dir(&self) -> &Path {
        &self.work
    }

    /// Runs git in the working clone.
    pub fn git(&self, args: &[&str]) -> String {
        git(&self.work, args)
    }

    /// Writes `files` (relative path, content) into the working clone on the current branch, commits them with
    /// `message` and returns the new commit's hash. Nothing is pushed.
    pub fn commit(&self, files: &[(&str, &str)], message: &str) -> String {
        for (path, content) in files {
            let path = self.work.join(path);
            std::fs::create_dir_all(path.parent().expect("a file has a parent")).expect("create the file's dir");
            std::fs::write(&path, content).expect("write the file");
        }
        self.git(&["add", "--all"]);
        self.git(&["commit", "--quiet", "--allow-empty", "-m", message]);
        self.head()
    }

    /// The hash of the working clone's HEAD.
    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"])
    }

    /// Creates and switches to `branch` at the current commit.
    pub fn branch(&self, branch: &str) {
        self.git(&["switch", "--quiet", "-c", branch]);
    }

    /// Switches to an existing branch.
    pub fn switch(&self, branch: &str) {
        self.git(&["switch", "--quiet", branch]);
    }

    /// A lightweight tag at HEAD.
    pub fn tag(&self, tag: &str) {
        self.git(&["tag", tag]);
    }

    /// An annotated tag at HEAD.
    pub fn annotated_tag(&self, tag: &str, message: &str) {
        self.git(&["tag", "-a", tag, "-m", message]);
    }

    /// Pushes every branch and tag to the bare repository.
    pub fn push(&self) {
        self.git(&["push", "--quiet", "origin", "--all"]);
        self.git(&["push", "--quiet", "origin", "--tags"]);
    }

    /// Pushes HEAD to an arbitrary ref of the bare repository (`refs/pull/1/head`, say).
    pub fn push_ref(&self, reference: &str) {
        self.git(&["push", "--quiet", "origin", &format!("HEAD:{reference}")]);
    }

    /// Rewrites the current branch's last commit with `files` and force-pushes it, so the branch's old tip is
    /// no longer reachable from it. Returns the new commit's hash.
    pub fn force_push_amended(&self, files: &[(&str, &str)], message: &str) -> String {
        for (path, content) in files {
            let path = self.work.join(path);
            std::fs::create_dir_all(path.parent().expect("a file has a parent")).expect("create the file's dir");
            std::fs::write(&path, content).expect("write the file");
        }
        self.git(&["add", "--all"]);
        self.git(&["commit", "--quiet", "--amend", "-m", message]);
        let branch = self.git(&["rev-parse", "--abbrev-ref", "HEAD"]);
        self.git(&["push", "--quiet", "--force", "origin", &branch]);
        self.head()
    }
}

/// Picks a free loopback port by binding port 0 and releasing it, for servers that take a port number.
pub(crate) fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free loopback port");
    listener.local_addr().expect("local address").port()
}

/// Waits until something accepts connections on `addr`, or panics after [`START_DEADLINE`].
pub(crate) fn wait_for_listener(addr: SocketAddr, what: &str, child: Option<&mut Child>) {
    let deadline = Instant::now() + START_DEADLINE;
    let mut child = child;
    loop {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return;
        }
        if let Some(child) = child.as_deref_mut()
            && let Ok(Some(status)) = child.try_wait()
        {
            panic!("{what} exited with {status} before listening on {addr}");
        }
        assert!(Instant::now() < deadline, "{what} did not listen on {addr} within {START_DEADLINE:?}");
        thread::sleep(Duration::from_millis(50));
    }
}

/// `git daemon --export-all --reuseaddr` on 127.0.0.1 and a free port, serving [`GitRepos::base`]. Killed on drop.
pub struct GitDaemon {
    child: Child,
    port: u16,
}

impl GitDaemon {
    pub fn start(repos: &GitRepos) -> GitDaemon {
        let base = repos.base();
        let port = free_port();
        // `git daemon` would run git-daemon as its child, which killing `git` leaves behind: start it directly.
        let exec_path = git(&base, &["--exec-path"]);
        let mut child = Command::new(Path::new(&exec_path).join("git-daemon"))
            .current_dir(&base)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .stdin(Stdio::null())
            .args(["--export-all", "--reuseaddr", "--listen=127.0.0.1"])
            .arg(format!("--port={port}"))
            .arg(format!("--base-path={}", base.display()))
            .arg(&base)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start git daemon (the Debian git package has it)");
        wait_for_listener(SocketAddr::from(([127, 0, 0, 1], port)), "git daemon", Some(&mut child));
        GitDaemon { child, port }
    }

    /// `git://127.0.0.1:<port>/<name>.git`.
    pub fn url(&self, repo: &TestRepo) -> String {
        format!("git://127.0.0.1:{}/{}.git", self.port, repo.name())
    }
}

impl Drop for GitDaemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
