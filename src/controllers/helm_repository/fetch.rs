//! The fetch stage of a HelmRepository (type `default`): download `<url>/index.yaml`, check it is an index, and
//! name the artifact as source-controller does (revision `sha256:<hex of the downloaded bytes>`, file
//! `index-<hex>.yaml` holding the index as JSON).

use std::time::Duration;

use sha2::{Digest, Sha256};
use url::Url;

use super::error::IndexError;
use super::http::{GetRequest, HelmAuth, HelmClient};
use super::index::HelmIndex;

/// source-controller's default `--helm-index-max-size`: 50 MiB.
pub const DEFAULT_MAX_INDEX_SIZE: u64 = 50 << 20;

/// One index fetch.
#[derive(Debug, Clone)]
pub struct IndexRequest {
    /// `spec.url`.
    pub url: String,
    /// From `spec.secretRef`, see [`HelmAuth::from_secret_data`].
    pub auth: HelmAuth,
    /// `spec.timeout` (default 60s).
    pub timeout: Duration,
    /// The largest index accepted ([`DEFAULT_MAX_INDEX_SIZE`]).
    pub max_size: u64,
}

impl IndexRequest {
    /// A request with the defaults: no auth, 60s, 50 MiB.
    pub fn new(url: impl Into<String>) -> IndexRequest {
        IndexRequest {
            url: url.into(),
            auth: HelmAuth::None,
            timeout: Duration::from_secs(60),
            max_size: DEFAULT_MAX_INDEX_SIZE,
        }
    }
}

/// A fetched, valid index.
#[derive(Debug, Clone)]
pub struct FetchedIndex {
    /// `sha256:<hex>` of the downloaded bytes: `status.artifact.revision`.
    pub revision: String,
    /// The artifact's file name, `index-<hex>.yaml`.
    pub file_name: String,
    /// The artifact's content: the index as JSON.
    pub json: Vec<u8>,
    pub index: HelmIndex,
}

/// Checks `spec.url` as source-controller does and returns it with the trailing slash Flux adds (so relative
/// chart URLs resolve under it).
pub fn normalize_url(url: &str) -> Result<Url, IndexError> {
    let invalid = |detail: String| IndexError::InvalidUrl { url: url.to_string(), detail };
    if url.starts_with("oci://") {
        return Err(invalid("'oci' URL scheme cannot be used with 'default' HelmRepository type".to_string()));
    }
    let mut parsed = Url::parse(url).map_err(|e| invalid(format!("parse \"{url}\": {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid(format!("scheme \"{}\" not supported", parsed.scheme())));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid(format!("parse \"{url}\": missing host")));
    }
    let path = format!("{}/", parsed.path().trim_end_matches('/'));
    parsed.set_path(&path);
    Ok(parsed)
}

/// `<url>/index.yaml`, the query kept.
pub fn index_url(repository: &Url) -> Url {
    let mut url = repository.clone();
    url.set_path(&format!("{}/index.yaml", repository.path().trim_end_matches('/')));
    url
}

/// Downloads and checks the index of `request.url`.
pub async fn fetch_index(client: &HelmClient, request: &IndexRequest) -> Result<FetchedIndex, IndexError> {
    let repository = normalize_url(&request.url)?;
    let url = index_url(&repository);
    let bytes = client
        .get(&GetRequest {
            url: &url,
            auth: &request.auth,
            auth_origin: &repository,
            pass_credentials: false,
            timeout: request.timeout,
            max_size: request.max_size,
        })
        .await?;
    let hex = hex_digest(&bytes);
    let index = HelmIndex::from_bytes(&bytes).map_err(IndexError::Indexation)?;
    Ok(FetchedIndex {
        revision: format!("sha256:{hex}"),
        file_name: format!("index-{hex}.yaml"),
        json: index.to_json(),
        index,
    })
}

fn hex_digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_normalised() {
        let url = normalize_url("https://charts.example.com/stable").unwrap();
        assert_eq!(url.as_str(), "https://charts.example.com/stable/");
        assert_eq!(index_url(&url).as_str(), "https://charts.example.com/stable/index.yaml");
        let with_query = normalize_url("http://h:8080/?token=x").unwrap();
        assert_eq!(index_url(&with_query).as_str(), "http://h:8080/index.yaml?token=x");
        for bad in ["oci://ghcr.io/charts", "ftp://h/", "not a url", "http://"] {
            let error = normalize_url(bad).unwrap_err();
            assert_eq!(error.reason(), "URLInvalid", "{bad}");
            assert!(error.is_terminal());
            assert!(error.to_string().starts_with("invalid Helm repository URL: "), "{error}");
        }
    }

    #[test]
    fn the_digest_is_sha256_hex() {
        assert_eq!(hex_digest(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
}
