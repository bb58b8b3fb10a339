//! The HTTP server consumers download artifacts from, serving the storage root as source-controller's does:
//! `GET /<storage path>` answers the file with its Content-Type, Content-Length and Last-Modified; `HEAD` the same
//! headers without the body; a missing file, a directory (there is no listing), a temporary file, a symlink or a
//! path that would leave the root answers 404; other methods answer 405.
//!
//! Files are streamed from disk, never read whole into memory. The server runs on the tokio runtime it is started
//! from and stops when [`ArtifactServer::stop`] is called or the handle is dropped.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_util::io::ReaderStream;

use super::{StorageError, layout};

/// A running artifact server.
#[derive(Debug)]
pub struct ArtifactServer {
    address: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl ArtifactServer {
    /// Binds `address` (port 0 picks a free port: see [`ArtifactServer::address`]) and serves `root` from it.
    pub async fn start(root: impl Into<PathBuf>, address: SocketAddr) -> Result<Self, StorageError> {
        let listener =
            tokio::net::TcpListener::bind(address).await.map_err(|source| StorageError::Bind { address, source })?;
        let address = listener.local_addr().map_err(|source| StorageError::Bind { address, source })?;
        let app = Router::new().fallback(serve_artifact).with_state(Arc::new(root.into()));
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    // Either a stop request or the handle dropped: both mean stop.
                    let _ = stopped.await;
                })
                .await
        });
        tracing::info!(%address, "artifact server started");
        Ok(ArtifactServer { address, shutdown: Some(shutdown), task: Some(task) })
    }

    /// The address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops accepting connections, lets requests in flight finish, and waits for the server to end.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            match task.await {
                Ok(Ok(())) => {}
                Ok(Err(err)) => tracing::warn!(address = %self.address, "artifact server failed: {err}"),
                Err(err) => tracing::warn!(address = %self.address, "artifact server task ended abnormally: {err}"),
            }
        }
        tracing::info!(address = %self.address, "artifact server stopped");
    }
}

impl Drop for ArtifactServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

async fn serve_artifact(State(root): State<Arc<PathBuf>>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut response = (StatusCode::METHOD_NOT_ALLOWED, "405 method not allowed\n").into_response();
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let relative = uri.path().strip_prefix('/').unwrap_or(uri.path());
    let Ok(path) = layout::resolve(&root, relative) else {
        return not_found();
    };
    // The storage never writes symlinks; one found here was put there by someone else and may point anywhere.
    match tokio::fs::symlink_metadata(&path).await {
        Ok(metadata) if metadata.is_file() => {}
        Ok(_) => return not_found(),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return not_found(),
        Err(err) => return read_failed(relative, &err),
    }
    let file = match tokio::fs::File::open(&path).await {
        Ok(file) => file,
        // Removed by garbage collection between the two calls.
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return not_found(),
        Err(err) => return read_failed(relative, &err),
    };
    let metadata = match file.metadata().await {
        Ok(metadata) => metadata,
        Err(err) => return read_failed(relative, &err),
    };
    let body = if method == Method::HEAD { Body::empty() } else { Body::from_stream(ReaderStream::new(file)) };
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(relative)));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(metadata.len()));
    if let Ok(modified) = metadata.modified() {
        let http_date = DateTime::<Utc>::from(modified).format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        if let Ok(value) = HeaderValue::from_str(&http_date) {
            headers.insert(header::LAST_MODIFIED, value);
        }
    }
    response
}

/// The media type of an artifact, by its file name.
fn content_type(path: &str) -> &'static str {
    if path.ends_with(".tar.gz") || path.ends_with(".tgz") || path.ends_with(".gz") {
        "application/gzip"
    } else if path.ends_with(".yaml") || path.ends_with(".yml") {
        "application/yaml"
    } else if path.ends_with(".json") {
        "application/json"
    } else if path.ends_with(".tar") {
        "application/x-tar"
    } else {
        "application/octet-stream"
    }
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "404 page not found\n")
        .into_response()
}

fn read_failed(path: &str, err: &std::io::Error) -> Response {
    tracing::warn!(path, "cannot read artifact: {err}");
    (StatusCode::INTERNAL_SERVER_ERROR, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "cannot read artifact\n")
        .into_response()
}
