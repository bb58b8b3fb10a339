//! A Helm chart repository for tests: [`StaticHttpServer`] serves a directory over plain HTTP on 127.0.0.1
//! (optionally behind basic auth, and logging which requests carried credentials), and [`HelmRepoFixture`]
//! fills a directory with the shared podinfo chart packaged by the real `helm` in several versions, indexed with
//! `helm repo index`.

use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use base64::Engine;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::sync::oneshot;

use crate::locate::{helm_binary, shared_dir};
use crate::process::assert_success;

/// One request the server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    pub path: String,
    /// Whether it carried an `Authorization` header (right or wrong).
    pub had_credentials: bool,
    pub status: u16,
}

struct Site {
    root: PathBuf,
    /// The `Authorization` header value required, when the site is protected.
    required: Option<String>,
    log: Mutex<Vec<LoggedRequest>>,
}

/// A static file server on 127.0.0.1 and a free port, on its own thread and runtime so sync and async tests can
/// use it alike. Stopped (and its thread joined) on drop.
pub struct StaticHttpServer {
    addr: SocketAddr,
    site: Arc<Site>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl StaticHttpServer {
    /// Serves `root` to anyone.
    pub fn start(root: &Path) -> StaticHttpServer {
        StaticHttpServer::serve(root, None)
    }

    /// Serves `root` only to requests with basic auth `username`/`password` (401 otherwise).
    pub fn start_with_basic_auth(root: &Path, username: &str, password: &str) -> StaticHttpServer {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
        StaticHttpServer::serve(root, Some(format!("Basic {token}")))
    }

    fn serve(root: &Path, required: Option<String>) -> StaticHttpServer {
        let site = Arc::new(Site { root: root.to_path_buf(), required, log: Mutex::new(Vec::new()) });
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the static http server");
        listener.set_nonblocking(true).expect("non-blocking listener");
        let addr = listener.local_addr().expect("local address");
        let (stop, mut stopped) = oneshot::channel::<()>();
        let served = site.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                loop {
                    tokio::select! {
                        _ = &mut stopped => break,
                        accepted = listener.accept() => {
                            let Ok((stream, _)) = accepted else { continue };
                            let site = served.clone();
                            tokio::spawn(async move {
                                let service = service_fn(move |request| {
                                    let site = site.clone();
                                    async move { Ok::<_, std::convert::Infallible>(answer(&site, &request)) }
                                });
                                let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                            });
                        }
                    }
                }
            });
        });
        StaticHttpServer { addr, site, stop: Some(stop), thread: Some(thread) }
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The requests answered so far, in order.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.site.log.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }
}

impl Drop for StaticHttpServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn answer(site: &Site, request: &Request<Incoming>) -> Response<Full<Bytes>> {
    let path = request.uri().path().to_string();
    let credentials = request.headers().get(hyper::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let (status, body) = if site.required.as_deref().is_some_and(|required| credentials != Some(required)) {
        (StatusCode::UNAUTHORIZED, Vec::new())
    } else {
        match file_for(&site.root, &path).and_then(|file| std::fs::read(file).ok()) {
            Some(body) => (StatusCode::OK, body),
            None => (StatusCode::NOT_FOUND, b"not found\n".to_vec()),
        }
    };
    site.log.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(LoggedRequest {
        path,
        had_credentials: credentials.is_some(),
        status: status.as_u16(),
    });
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(hyper::header::WWW_AUTHENTICATE, "Basic realm=\"charts\"".parse().expect("header"));
    }
    response
}

/// The file under `root` a URL path names; `None` for anything climbing out, or for a directory.
fn file_for(root: &Path, url_path: &str) -> Option<PathBuf> {
    let relative = Path::new(url_path.trim_start_matches('/'));
    if relative.components().any(|component| !matches!(component, Component::Normal(_))) {
        return None;
    }
    let file = root.join(relative);
    file.is_file().then_some(file)
}

/// A directory holding podinfo packaged by `helm package` in several versions and an `index.yaml` from
/// `helm repo index`.
pub struct HelmRepoFixture {
    dir: tempfile::TempDir,
}

impl HelmRepoFixture {
    /// The shared podinfo chart directory (`<shared>/fixtures/podinfo/charts/podinfo`), when ../shared exists.
    pub fn podinfo_chart() -> Option<PathBuf> {
        shared_dir().map(|shared| shared.join("fixtures/podinfo/charts/podinfo")).filter(|dir| dir.is_dir())
    }

    /// Packages podinfo as each of `versions` and indexes the result; `None` when ../shared is absent. Panics
    /// when helm is missing or fails.
    pub fn podinfo(versions: &[&str]) -> Option<HelmRepoFixture> {
        let chart = HelmRepoFixture::podinfo_chart()?;
        let dir = tempfile::tempdir().expect("temporary directory");
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(&repo).expect("create the repository directory");
        for version in versions {
            let copy = dir.path().join("src").join(version).join("podinfo");
            copy_dir(&chart, &copy);
            let chart_yaml = std::fs::read_to_string(copy.join("Chart.yaml")).expect("read Chart.yaml");
            let rewritten: String =
                chart_yaml
                    .lines()
                    .map(|line| {
                        if line.starts_with("version:") { format!("version: {version}\n") } else { format!("{line}\n") }
                    })
                    .collect();
            std::fs::write(copy.join("Chart.yaml"), rewritten).expect("write Chart.yaml");
            helm(dir.path(), &["package", &copy.to_string_lossy(), "-d", &repo.to_string_lossy()]);
        }
        helm(dir.path(), &["repo", "index", &repo.to_string_lossy()]);
        Some(HelmRepoFixture { dir })
    }

    /// Indexes the packages again, with absolute chart URLs under `base_url` (`helm repo index --url`).
    pub fn reindex_with_base_url(&self, base_url: &str) {
        helm(self.dir.path(), &["repo", "index", &self.repo_dir().to_string_lossy(), "--url", base_url]);
    }

    /// The directory to serve: the packages and `index.yaml`.
    pub fn repo_dir(&self) -> PathBuf {
        self.dir.path().join("repo")
    }
}

/// Runs the helm oracle with its state kept under `home`, panicking with its output when it fails.
pub fn helm(home: &Path, args: &[&str]) -> String {
    let binary = helm_binary().expect("helm is not installed: run scripts/test, or set FLUXTUI_HELM");
    let state = home.join(".helm");
    let output = Command::new(binary)
        .args(args)
        .env("HELM_CACHE_HOME", state.join("cache"))
        .env("HELM_CONFIG_HOME", state.join("config"))
        .env("HELM_DATA_HOME", state.join("data"))
        .output()
        .expect("run helm");
    assert_success(&output, &format!("helm {}", args.join(" ")));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Copies a directory tree (regular files and directories); the copies are writable whatever the originals'
/// modes (the shared fixtures are read-only).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("create {}: {e}", to.display()));
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("read {}: {e}", from.display())) {
        let entry = entry.expect("directory entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            let data = std::fs::read(entry.path()).unwrap_or_else(|e| panic!("read {}: {e}", entry.path().display()));
            std::fs::write(&target, data).unwrap_or_else(|e| panic!("write {}: {e}", target.display()));
        }
    }
}
