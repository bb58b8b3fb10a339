//! `git http-backend` behind a small hyper server with HTTP basic auth (or a bearer token): each request runs the CGI program with
//! the environment it expects, pipes the request body to it and turns its output (CGI headers, a blank line,
//! the body) back into an HTTP response.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::thread::JoinHandle;

use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::io::AsyncWriteExt;
use tokio::sync::oneshot;

use crate::git::{GitRepos, TestRepo};

struct Backend {
    project_root: PathBuf,
    credentials: Credentials,
}

/// What the server accepts in the `Authorization` header.
enum Credentials {
    Basic { username: String, password: String },
    Bearer { token: String },
}

/// The HTTP server, on 127.0.0.1 and a free port, running on its own thread and runtime so that sync and async
/// tests can use it alike. Stopped (and its thread joined) on drop.
pub struct GitHttpServer {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl GitHttpServer {
    /// Serves [`GitRepos::base`], accepting only requests with basic auth `username`/`password`.
    pub fn start(repos: &GitRepos, username: &str, password: &str) -> GitHttpServer {
        let credentials = Credentials::Basic { username: username.to_string(), password: password.to_string() };
        GitHttpServer::serve(repos, credentials)
    }

    /// Serves [`GitRepos::base`], accepting only requests with `Authorization: Bearer <token>`.
    pub fn start_with_bearer_token(repos: &GitRepos, token: &str) -> GitHttpServer {
        GitHttpServer::serve(repos, Credentials::Bearer { token: token.to_string() })
    }

    fn serve(repos: &GitRepos, credentials: Credentials) -> GitHttpServer {
        let backend = Arc::new(Backend { project_root: repos.base(), credentials });
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the git http server");
        listener.set_nonblocking(true).expect("non-blocking listener");
        let addr = listener.local_addr().expect("local address");
        let (stop, mut stopped) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                loop {
                    tokio::select! {
                        _ = &mut stopped => break,
                        accepted = listener.accept() => {
                            let Ok((stream, _)) = accepted else { continue };
                            let backend = backend.clone();
                            tokio::spawn(async move {
                                let service = service_fn(move |request| {
                                    let backend = backend.clone();
                                    async move { Ok::<_, std::convert::Infallible>(serve(&backend, request).await) }
                                });
                                let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                            });
                        }
                    }
                }
            });
        });
        GitHttpServer { addr, stop: Some(stop), thread: Some(thread) }
    }

    /// `http://127.0.0.1:<port>/<name>.git`, without credentials.
    pub fn url(&self, repo: &TestRepo) -> String {
        format!("http://{}/{}.git", self.addr, repo.name())
    }
}

impl Drop for GitHttpServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn plain(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(text.to_string())));
    *response.status_mut() = status;
    response
}

fn authorized(backend: &Backend, request: &Request<Incoming>) -> bool {
    let expected = match &backend.credentials {
        Credentials::Basic { username, password } => {
            format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}")))
        }
        Credentials::Bearer { token } => format!("Bearer {token}"),
    };
    request
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|given| given.trim() == expected)
}

/// The user name the backend is told about (`REMOTE_USER`).
fn remote_user(backend: &Backend) -> &str {
    match &backend.credentials {
        Credentials::Basic { username, .. } => username,
        Credentials::Bearer { .. } => "bearer",
    }
}

async fn serve(backend: &Backend, request: Request<Incoming>) -> Response<Full<Bytes>> {
    if !authorized(backend, &request) {
        let mut response = plain(StatusCode::UNAUTHORIZED, "authentication required\n");
        let challenge = match backend.credentials {
            Credentials::Basic { .. } => "Basic realm=\"fluxtui-test\"",
            Credentials::Bearer { .. } => "Bearer realm=\"fluxtui-test\"",
        };
        response
            .headers_mut()
            .insert(hyper::header::WWW_AUTHENTICATE, hyper::header::HeaderValue::from_static(challenge));
        return response;
    }
    match run_backend(backend, request).await {
        Ok(response) => response,
        Err(message) => plain(StatusCode::INTERNAL_SERVER_ERROR, &format!("{message}\n")),
    }
}

/// Runs `git http-backend` for one request, as a CGI server would.
async fn run_backend(backend: &Backend, request: Request<Incoming>) -> Result<Response<Full<Bytes>>, String> {
    let (parts, body) = request.into_parts();
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let body = body.collect().await.map_err(|e| format!("read the request body: {e}"))?.to_bytes();
    let mut command = tokio::process::Command::new("git");
    command
        .arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_PROJECT_ROOT", &backend.project_root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("GATEWAY_INTERFACE", "CGI/1.1")
        .env("SERVER_PROTOCOL", "HTTP/1.1")
        .env("REQUEST_METHOD", parts.method.as_str())
        .env("PATH_INFO", parts.uri.path())
        .env("QUERY_STRING", parts.uri.query().unwrap_or(""))
        .env("CONTENT_TYPE", header("content-type"))
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("REMOTE_USER", remote_user(backend))
        .env("REMOTE_ADDR", "127.0.0.1")
        .env("AUTH_TYPE", "Basic")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Git's protocol version and a gzip'ed request body are announced in headers the backend reads from the
    // environment.
    for (name, variable) in [("git-protocol", "GIT_PROTOCOL"), ("content-encoding", "HTTP_CONTENT_ENCODING")] {
        let value = header(name);
        if !value.is_empty() {
            command.env(variable, value);
        }
    }
    let mut child = command.spawn().map_err(|e| format!("start git http-backend: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    // Written while the output is read, so a large body and a large response cannot block each other.
    let writer = tokio::spawn(async move {
        let _ = stdin.write_all(&body).await;
    });
    let output = child.wait_with_output().await.map_err(|e| format!("run git http-backend: {e}"))?;
    let _ = writer.await;
    if !output.status.success() && output.stdout.is_empty() {
        return Err(format!("git http-backend failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    parse_cgi_output(&output.stdout)
}

/// Splits CGI output into headers (a `Status:` header sets the status) and body.
fn parse_cgi_output(stdout: &[u8]) -> Result<Response<Full<Bytes>>, String> {
    let (head, body) = match find_blank_line(stdout) {
        Some((end, skip)) => (&stdout[..end], &stdout[end + skip..]),
        None => return Err("git http-backend wrote no header block".to_string()),
    };
    let head = std::str::from_utf8(head).map_err(|_| "git http-backend wrote non-UTF-8 headers".to_string())?;
    let mut response = Response::new(Full::new(Bytes::copy_from_slice(body)));
    for line in head.lines() {
        let Some((name, value)) = line.split_once(':') else { continue };
        let value = value.trim();
        if name.eq_ignore_ascii_case("status") {
            let code = value.split_whitespace().next().unwrap_or("500");
            *response.status_mut() = code
                .parse::<u16>()
                .ok()
                .and_then(|c| StatusCode::from_u16(c).ok())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        } else if let (Ok(name), Ok(value)) =
            (hyper::header::HeaderName::from_bytes(name.trim().as_bytes()), hyper::header::HeaderValue::from_str(value))
        {
            response.headers_mut().append(name, value);
        }
    }
    Ok(response)
}

/// The end of the header block and the length of its terminator (`\r\n\r\n` or `\n\n`).
fn find_blank_line(bytes: &[u8]) -> Option<(usize, usize)> {
    let crlf = bytes.windows(4).position(|w| w == b"\r\n\r\n").map(|at| (at, 4));
    let lf = bytes.windows(2).position(|w| w == b"\n\n").map(|at| (at, 2));
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}
