//! Talks S3 to the bucket with object_store, as source-controller does with minio-go: path-style requests,
//! credentials from the secret only (never the environment or instance metadata), the listing filtered by the
//! ignore rules into a [`BucketIndex`], then the indexed objects downloaded a few at a time.
//!
//! [`BucketClient::index`] alone gives the revision, so the reconciler can skip the download when it equals
//! the stored artifact's; [`fetch`] does both.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder, AwsCredential};
use object_store::list::{PaginatedListOptions, PaginatedListStore};
use object_store::{BackoffConfig, ClientOptions, ObjectStoreExt, RetryConfig, StaticCredentialProvider};
use tokio::io::AsyncWriteExt;

use crate::controllers::git_repository::SourceIgnore;

use super::error::{BucketError, Target, classify};
use super::index::{BucketIndex, ListedObject, SOURCEIGNORE_KEY, relative_path};
use super::request::{BucketCredentials, BucketRequest, validate_endpoint};

/// How many objects download at once: enough to hide request latency, few enough to keep open files, sockets
/// and memory small on a laptop (source-controller allows 100 in a cluster pod).
pub const CONCURRENT_DOWNLOADS: usize = 8;

/// A single request may take a little longer than the stage's timeout, so that the stage's own deadline, with
/// its clearer message, is what fires.
const REQUEST_TIMEOUT_SLACK: Duration = Duration::from_secs(5);

/// A finished fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketFetch {
    /// The revision Flux writes to `status.artifact.revision` (`sha256:<hex>`), from the etags the downloads saw.
    pub revision: String,
    /// How many objects were written (the `.sourceignore` file not counted).
    pub object_count: usize,
    /// The directory the objects are in, ready for `Storage::store_directory` with no further filter.
    pub path: PathBuf,
    /// The index the revision comes from.
    pub index: BucketIndex,
}

/// A client for one bucket, reusable for the listing and the download of one reconcile.
pub struct BucketClient {
    request: BucketRequest,
    store: AmazonS3,
}

/// What became of one indexed object.
enum Downloaded {
    Written {
        key: String,
        etag: String,
    },
    /// Deleted between the listing and its download.
    Gone {
        key: String,
    },
}

impl BucketClient {
    /// Builds the client; no request is sent yet.
    pub fn new(request: BucketRequest) -> Result<BucketClient, BucketError> {
        validate_endpoint(&request.endpoint)?;
        crate::controllers::tls::install_crypto_provider();
        let options = ClientOptions::new()
            .with_allow_http(request.insecure)
            .with_timeout(request.timeout + REQUEST_TIMEOUT_SLACK)
            .with_connect_timeout(request.timeout.min(Duration::from_secs(30)));
        // A few quick retries for a flaky network; the stage's timeout bounds them all.
        let retry = RetryConfig {
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(2),
                base: 2.0,
            },
            max_retries: 3,
            retry_timeout: request.timeout,
        };
        let builder = AmazonS3Builder::new()
            .with_endpoint(request.endpoint_url())
            .with_bucket_name(&request.bucket_name)
            .with_region(&request.region)
            .with_virtual_hosted_style_request(false)
            .with_allow_http(request.insecure)
            .with_client_options(options)
            .with_retry(retry);
        let builder = match &request.credentials {
            BucketCredentials::Static { access_key, secret_key } => {
                builder.with_access_key_id(access_key).with_secret_access_key(secret_key)
            }
            // Unsigned requests; the explicit empty credentials keep the builder from falling back to the
            // instance metadata service.
            BucketCredentials::Anonymous => {
                builder.with_skip_signature(true).with_credentials(Arc::new(StaticCredentialProvider::new(
                    AwsCredential { key_id: String::new(), secret_key: String::new(), token: None },
                )))
            }
        };
        let store = builder.build().map_err(|error| BucketError::InvalidSpec {
            detail: format!("cannot configure an S3 client for bucket '{}': {error}", request.bucket_name),
        })?;
        Ok(BucketClient { request, store })
    }

    /// Lists the bucket (under the prefix) and keeps what the ignore rules keep: the bucket's root `.sourceignore`
    /// object, then `spec.ignore`. Within `spec.timeout`.
    pub async fn index(&self) -> Result<BucketIndex, BucketError> {
        self.within_timeout("listing", async {
            let sourceignore = self.read_sourceignore().await?;
            let ignore_file = sourceignore.as_deref().map(String::from_utf8_lossy);
            let texts: Vec<&str> = ignore_file.as_deref().into_iter().chain(self.request.ignore.as_deref()).collect();
            let rules = SourceIgnore::from_patterns(&texts).map_err(|detail| BucketError::Operation {
                bucket: self.request.bucket_name.clone(),
                operation: "read the ignore rules of",
                detail,
            })?;
            let objects = self.list().await?;
            Ok(BucketIndex::from_listing(objects, &rules, sourceignore))
        })
        .await
    }

    /// Downloads every indexed object into `dir` (created if needed; meant to be empty), at most
    /// [`CONCURRENT_DOWNLOADS`] at a time, plus the `.sourceignore` the index came with. Within `spec.timeout`.
    ///
    /// An object deleted since the listing is dropped from the index, and one replaced since then is recorded
    /// with its new etag, as source-controller does, so the revision describes what was written.
    pub async fn download(&self, mut index: BucketIndex, dir: &Path) -> Result<BucketFetch, BucketError> {
        self.within_timeout("download", async {
            tokio::fs::create_dir_all(dir).await.map_err(|e| local_write("", dir, e))?;
            if let Some(text) = index.sourceignore() {
                let path = dir.join(SOURCEIGNORE_KEY);
                tokio::fs::write(&path, text).await.map_err(|e| local_write(SOURCEIGNORE_KEY, &path, e))?;
            }
            let keys: Vec<String> = index.entries().map(|(key, _)| key.to_string()).collect();
            let mut downloads =
                futures::stream::iter(keys).map(|key| self.download_one(key, dir)).buffer_unordered(CONCURRENT_DOWNLOADS);
            while let Some(outcome) = downloads.next().await {
                match outcome? {
                    Downloaded::Written { key, etag } => index.update(&key, &etag),
                    Downloaded::Gone { key } => {
                        tracing::info!(bucket = %self.request.bucket_name, key, "indexed object disappeared from the bucket");
                        index.remove(&key);
                    }
                }
            }
            Ok(BucketFetch {
                revision: index.revision(),
                object_count: index.len(),
                path: dir.to_path_buf(),
                index,
            })
        })
        .await
    }

    fn target(&self) -> Target<'_> {
        Target { bucket: &self.request.bucket_name, endpoint: &self.request.endpoint }
    }

    async fn within_timeout<T>(
        &self,
        stage: &'static str,
        work: impl Future<Output = Result<T, BucketError>>,
    ) -> Result<T, BucketError> {
        tokio::time::timeout(self.request.timeout, work).await.unwrap_or_else(|_| {
            Err(BucketError::Timeout { bucket: self.request.bucket_name.clone(), stage, timeout: self.request.timeout })
        })
    }

    /// The bucket root's `.sourceignore`, `None` when there is none. A missing bucket is reported here, as
    /// source-controller reports it before anything else.
    async fn read_sourceignore(&self) -> Result<Option<Vec<u8>>, BucketError> {
        let location = object_store::path::Path::from(SOURCEIGNORE_KEY);
        let result = match self.store.get(&location).await {
            Ok(result) => result,
            Err(error) => {
                let missing_object = matches!(error, object_store::Error::NotFound { .. });
                return match classify(&self.target(), "read .sourceignore from", error) {
                    BucketError::BucketNotFound { bucket } => Err(BucketError::BucketNotFound { bucket }),
                    _ if missing_object => Ok(None),
                    other => Err(other),
                };
            }
        };
        let bytes = result.bytes().await.map_err(|e| classify(&self.target(), "read .sourceignore from", e))?;
        Ok(Some(bytes.to_vec()))
    }

    /// Every object under the prefix, page by page. The prefix is a plain string prefix, as in S3 and Flux (the
    /// paginated listing does not turn it into a directory).
    async fn list(&self) -> Result<Vec<ListedObject>, BucketError> {
        let mut objects = Vec::new();
        let mut page_token = None;
        loop {
            let options = PaginatedListOptions { page_token: page_token.take(), ..PaginatedListOptions::default() };
            let page = self
                .store
                .list_paginated(self.request.prefix.as_deref(), options)
                .await
                .map_err(|e| classify(&self.target(), "list objects in", e))?;
            objects.extend(page.result.objects.into_iter().map(|meta| ListedObject {
                key: meta.location.to_string(),
                size: meta.size,
                etag: meta.e_tag.unwrap_or_default(),
            }));
            match page.page_token {
                Some(token) => page_token = Some(token),
                None => return Ok(objects),
            }
        }
    }

    async fn download_one(&self, key: String, dir: &Path) -> Result<Downloaded, BucketError> {
        let unsafe_key = |detail: String| BucketError::UnsafeObjectKey {
            bucket: self.request.bucket_name.clone(),
            key: key.clone(),
            detail,
        };
        let path = dir.join(relative_path(&key).map_err(unsafe_key)?);
        let location = object_store::path::Path::parse(&key).map_err(|e| unsafe_key(e.to_string()))?;
        let result = match self.store.get(&location).await {
            Ok(result) => result,
            Err(error @ object_store::Error::NotFound { .. }) => {
                return match classify(&self.target(), "download objects from", error) {
                    BucketError::BucketNotFound { bucket } => Err(BucketError::BucketNotFound { bucket }),
                    _ => Ok(Downloaded::Gone { key }),
                };
            }
            Err(error) => return Err(classify(&self.target(), "download objects from", error)),
        };
        let etag = result.meta.e_tag.clone().unwrap_or_default();
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(|e| local_write(&key, parent, e))?;
        }
        let mut file = tokio::fs::File::create(&path).await.map_err(|e| local_write(&key, &path, e))?;
        let mut body = result.into_stream().map_err(|e| classify(&self.target(), "download objects from", e));
        while let Some(chunk) = body.try_next().await? {
            file.write_all(&chunk).await.map_err(|e| local_write(&key, &path, e))?;
        }
        file.flush().await.map_err(|e| local_write(&key, &path, e))?;
        Ok(Downloaded::Written { key, etag })
    }
}

/// Lists, filters and downloads `request`'s bucket into `dir`.
pub async fn fetch(request: BucketRequest, dir: &Path) -> Result<BucketFetch, BucketError> {
    let client = BucketClient::new(request)?;
    let index = client.index().await?;
    client.download(index, dir).await
}

/// Lists and filters `request`'s bucket without downloading anything: its revision tells whether the stored
/// artifact is current.
pub async fn fetch_index(request: BucketRequest) -> Result<BucketIndex, BucketError> {
    BucketClient::new(request)?.index().await
}

fn local_write(key: &str, path: &Path, error: std::io::Error) -> BucketError {
    BucketError::LocalWrite { key: key.to_string(), path: path.display().to_string(), detail: error.to_string() }
}
