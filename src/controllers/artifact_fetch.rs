//! A source's artifact for a consumer that may not be the engine which stored it (`fluxtui diff`, the TUI's diff
//! view): from the local [`Storage`] when it holds the file (the embedded engine produced it), otherwise
//! downloaded from `status.artifact.url`. A URL on a cluster-internal service (`<svc>.<ns>.svc`, with or without
//! `.cluster.local` and the trailing dot Flux advertises) is not reachable from a workstation, so it is fetched
//! through the API server's service proxy with the kube client (what `kubectl port-forward` would otherwise be
//! needed for). Either way the bytes are checked against `artifact.digest` before they are unpacked.

use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Limited};
use sha2::{Digest, Sha256};
use url::Url;

use crate::api::meta::Artifact;
use crate::controllers::helm_repository::http::{GetRequest, HelmAuth, HelmClient};
use crate::controllers::storage::{DEFAULT_MAX_UNPACKED_SIZE, Storage, extract, parse_sha256};

/// How long one download may take.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(120);
/// The largest archive accepted (the unpacked size is capped separately, as Flux's).
const MAX_ARCHIVE_SIZE: u64 = DEFAULT_MAX_UNPACKED_SIZE;

/// Why an artifact could not be had; the message says which step and which URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FetchError(pub String);

/// Where a download goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Straight to the URL.
    Direct(Url),
    /// Through `GET <api server>/<path>`: the service proxy of `service` in `namespace`.
    ServiceProxy { namespace: String, path: String },
}

/// The route of an artifact URL: a `*.svc` or `*.svc.cluster.local` host goes through the service proxy.
pub fn route_of(url: &str) -> Result<Route, FetchError> {
    let parsed = Url::parse(url).map_err(|err| FetchError(format!("invalid artifact URL {url:?}: {err}")))?;
    let host = parsed.host_str().unwrap_or_default().trim_end_matches('.');
    let service_host = host.strip_suffix(".cluster.local").unwrap_or(host).strip_suffix(".svc");
    let Some((service, namespace)) = service_host.and_then(|rest| rest.split_once('.')) else {
        return Ok(Route::Direct(parsed));
    };
    let port = parsed.port_or_known_default().unwrap_or(80);
    let scheme = if parsed.scheme() == "https" { "https:" } else { "" };
    let mut path = format!("/api/v1/namespaces/{namespace}/services/{scheme}{service}:{port}/proxy{}", parsed.path());
    if let Some(query) = parsed.query() {
        path.push('?');
        path.push_str(query);
    }
    Ok(Route::ServiceProxy { namespace: namespace.to_string(), path })
}

/// Unpacks `artifact` into `destination` (a new directory), from `storage` when it holds the file, else
/// downloaded and verified.
pub async fn unpack_artifact(
    client: &kube::Client,
    storage: Option<Arc<Storage>>,
    artifact: &Artifact,
    destination: &Path,
) -> Result<(), FetchError> {
    let name = artifact.path.clone().unwrap_or_default();
    let destination = destination.to_path_buf();
    if let Some(storage) = storage.filter(|storage| storage.contains(artifact)) {
        let (artifact, destination) = (artifact.clone(), destination.clone());
        // A file at the same path that fails the digest belongs to another cluster's engine (a context switch):
        // the URL is the truth then.
        let unpacked = tokio::task::spawn_blocking(move || {
            storage.verify(&artifact).ok()?;
            Some(
                storage
                    .unpack_verified(&artifact, &destination, DEFAULT_MAX_UNPACKED_SIZE)
                    .map(drop)
                    .map_err(|err| FetchError(format!("failed to extract artifact: {err}"))),
            )
        })
        .await
        .map_err(|err| FetchError(format!("the unpack task failed: {err}")))?;
        if let Some(unpacked) = unpacked {
            return unpacked;
        }
    }
    let url =
        artifact.url.clone().filter(|u| !u.is_empty()).ok_or_else(|| FetchError("the artifact has no URL".into()))?;
    let bytes = download(client, &url).await?;
    verify(&bytes, artifact.digest.as_deref().unwrap_or_default(), &url)?;
    blocking(move || {
        extract::unpack_tar_gz(Cursor::new(bytes), &destination, DEFAULT_MAX_UNPACKED_SIZE, &name)
            .map(drop)
            .map_err(|err| FetchError(format!("failed to extract artifact: {err}")))
    })
    .await
}

async fn blocking(work: impl FnOnce() -> Result<(), FetchError> + Send + 'static) -> Result<(), FetchError> {
    tokio::task::spawn_blocking(work).await.map_err(|err| FetchError(format!("the unpack task failed: {err}")))?
}

/// Downloads the archive at `url` by its [`route_of`].
pub async fn download(client: &kube::Client, url: &str) -> Result<Vec<u8>, FetchError> {
    match route_of(url)? {
        Route::Direct(parsed) => {
            let request = GetRequest {
                url: &parsed,
                auth: &HelmAuth::None,
                auth_origin: &parsed,
                pass_credentials: false,
                timeout: DOWNLOAD_TIMEOUT,
                max_size: MAX_ARCHIVE_SIZE,
            };
            HelmClient::new()
                .get(&request)
                .await
                .map_err(|err| FetchError(format!("failed to download artifact: {err}")))
        }
        Route::ServiceProxy { path, .. } => {
            let failed = |detail: String| {
                FetchError(format!(
                    "failed to download artifact from {url} through the API server's service proxy: {detail}"
                ))
            };
            let request = hyper::Request::get(&path).body(Vec::new()).map_err(|err| failed(err.to_string()))?;
            let response = tokio::time::timeout(DOWNLOAD_TIMEOUT, client.send(request.map(kube::client::Body::from)))
                .await
                .map_err(|_| failed(format!("no answer within {DOWNLOAD_TIMEOUT:?}")))?
                .map_err(|err| failed(err.to_string()))?;
            let status = response.status();
            let body = Limited::new(response.into_body(), MAX_ARCHIVE_SIZE as usize)
                .collect()
                .await
                .map_err(|err| failed(err.to_string()))?
                .to_bytes();
            if !status.is_success() {
                let text = String::from_utf8_lossy(&body[..body.len().min(300)]).trim().to_string();
                return Err(failed(format!("{status}: {text}")));
            }
            Ok(body.to_vec())
        }
    }
}

/// Checks downloaded bytes against the artifact's `sha256:` digest.
pub fn verify(bytes: &[u8], digest: &str, url: &str) -> Result<(), FetchError> {
    let expected = parse_sha256(digest).map_err(|err| FetchError(err.to_string()))?;
    let actual = format!("{:x}", Sha256::digest(bytes));
    if actual != expected {
        return Err(FetchError(format!(
            "artifact from {url} is corrupt: its digest is sha256:{actual}, expected {digest}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_services_go_through_the_proxy() {
        let proxied = |url: &str| match route_of(url).expect("a URL") {
            Route::ServiceProxy { path, .. } => path,
            Route::Direct(url) => panic!("{url} should be proxied"),
        };
        assert_eq!(
            proxied(
                "http://source-controller.flux-system.svc.cluster.local./gitrepository/flux-system/podinfo/a.tar.gz"
            ),
            "/api/v1/namespaces/flux-system/services/source-controller:80/proxy/gitrepository/flux-system/podinfo/a.tar.gz"
        );
        assert_eq!(
            proxied("http://source-watcher.flux-system.svc:9090/externalartifact/apps/x/b.tar.gz"),
            "/api/v1/namespaces/flux-system/services/source-watcher:9090/proxy/externalartifact/apps/x/b.tar.gz"
        );
        assert_eq!(
            proxied("https://artifacts.ops.svc.cluster.local/a.tgz?x=1"),
            "/api/v1/namespaces/ops/services/https:artifacts:443/proxy/a.tgz?x=1"
        );
        assert!(matches!(route_of("http://127.0.0.1:9090/a.tar.gz"), Ok(Route::Direct(_))));
        assert!(matches!(route_of("http://svc.example.com/a.tar.gz"), Ok(Route::Direct(_))));
        assert!(route_of("not a url").is_err());
    }

    #[test]
    fn downloads_are_checked_against_the_digest() {
        let digest = format!("sha256:{:x}", Sha256::digest(b"archive"));
        assert!(verify(b"archive", &digest, "http://h/a").is_ok());
        let err = verify(b"tampered", &digest, "http://h/a").unwrap_err();
        assert!(err.0.starts_with("artifact from http://h/a is corrupt: its digest is sha256:"), "{err}");
        assert!(verify(b"archive", "md5:00", "http://h/a").is_err());
    }
}
