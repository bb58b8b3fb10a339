//! Pulls one OCIRepository reference from a registry with oci-client, as source-controller does: resolve
//! `spec.ref` (digest > semver > tag, none = `latest`; semver picks among the listed tags, after the filter) to a
//! manifest digest, fetch that manifest by digest, pick the layer, download it with its digest checked, and
//! extract or copy it ([`super::layer`]).
//!
//! [`list_tags`] serves the HelmChart's OCI chart repositories, which choose a tag themselves.
//!
//! [`resolve_revision`] is the cheap first step (a tag list for semver, then one HEAD request): a reconciler that
//! finds the revision unchanged skips [`pull_resolved`]. [`pull`] does both.

use crate::cluster::error_chain;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::manifest::{IMAGE_MANIFEST_MEDIA_TYPE, OCI_IMAGE_MEDIA_TYPE, OciDescriptor, OciImageManifest};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use regex::Regex;

use super::auth::OciAuth;
use super::error::OciError;
use super::layer;
use super::request::{DEFAULT_TAG, LayerOperation, OciRequest, OciUrl, digest_hex, validate_digest, validate_tag};
use crate::controllers::semver_tags::highest_matching_tag;

/// Tags asked for per page when listing for semver.
const TAGS_PAGE: usize = 1000;
/// A bound on pages, against a registry that ignores `last` and answers the same page forever.
const MAX_TAG_PAGES: usize = 100;

/// What `spec.ref` points at now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedRevision {
    /// The tag pulled (the one semver picked); None for a digest reference.
    pub tag: Option<String>,
    /// The manifest's digest, `sha256:<hex>`.
    pub digest: String,
    /// What Flux writes to `status.artifact.revision`: `<tag>@sha256:<hex>`, or `sha256:<hex>` for a digest.
    pub revision: String,
}

/// Where the pulled content is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PulledContent {
    /// The extracted layer, ignore rules applied: archive this directory.
    Directory(PathBuf),
    /// The layer as it is (`copy`), named `<manifest digest hex>.tgz` as source-controller names it.
    File(PathBuf),
}

impl PulledContent {
    pub fn path(&self) -> &Path {
        match self {
            PulledContent::Directory(path) | PulledContent::File(path) => path,
        }
    }
}

/// The layer that was pulled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PulledLayer {
    pub media_type: String,
    pub digest: String,
    pub size: i64,
}

/// A finished pull.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OciPull {
    pub revision: String,
    pub tag: Option<String>,
    /// The manifest's digest, `sha256:<hex>`.
    pub digest: String,
    /// The manifest's annotations, which Flux stores as `status.artifact.metadata`
    /// (`org.opencontainers.image.revision`, `.source`, `.created`, ...).
    pub metadata: BTreeMap<String, String>,
    pub layer: PulledLayer,
    pub content: PulledContent,
}

/// Resolves `spec.ref` to a manifest digest, without downloading anything else.
pub async fn resolve_revision(request: &OciRequest) -> Result<ResolvedRevision, OciError> {
    let session = Session::new(request)?;
    session.within_timeout(session.resolve()).await
}

/// Every tag of the repository `request.url` names, as the registry lists them (Helm's OCI chart repositories
/// pick a chart version among them). `request.reference` is not used.
pub async fn list_tags(request: &OciRequest) -> Result<BTreeSet<String>, OciError> {
    let session = Session::new(request)?;
    session.within_timeout(session.list_tags()).await
}

/// Resolves and pulls `request` into `dir`, which is emptied first and then holds only what the pull wrote.
pub async fn pull(request: &OciRequest, dir: &Path) -> Result<OciPull, OciError> {
    let session = Session::new(request)?;
    let resolved = session.within_timeout(session.resolve()).await?;
    session.fetch(&resolved, dir).await
}

/// Pulls the manifest `resolved` names (from [`resolve_revision`]) into `dir`, emptied first.
pub async fn pull_resolved(request: &OciRequest, resolved: &ResolvedRevision, dir: &Path) -> Result<OciPull, OciError> {
    let session = Session::new(request)?;
    session.fetch(resolved, dir).await
}

struct Session<'a> {
    request: &'a OciRequest,
    /// `spec.timeout` bounds all the network work of one call together, as one context does in Flux.
    deadline: tokio::time::Instant,
    url: OciUrl,
    client: Client,
    auth: RegistryAuth,
}

impl<'a> Session<'a> {
    fn new(request: &'a OciRequest) -> Result<Session<'a>, OciError> {
        let url = OciUrl::parse(&request.url)?;
        crate::controllers::tls::install_crypto_provider();
        let config = ClientConfig {
            protocol: if request.insecure { ClientProtocol::Http } else { ClientProtocol::Https },
            connect_timeout: Some(request.timeout),
            read_timeout: Some(request.timeout),
            // An image index is refused with a clear error rather than resolved to this machine's platform.
            platform_resolver: None,
            ..ClientConfig::default()
        };
        let client = Client::try_from(config).map_err(|e| OciError::Pull {
            operation: "create a registry client for",
            reference: request.url.clone(),
            detail: e.to_string(),
        })?;
        let deadline = tokio::time::Instant::now() + request.timeout;
        Ok(Session { request, deadline, url, client, auth: request.auth.to_registry_auth() })
    }

    async fn within_timeout<T>(&self, work: impl Future<Output = Result<T, OciError>>) -> Result<T, OciError> {
        tokio::time::timeout_at(self.deadline, work).await.unwrap_or_else(|_| {
            Err(OciError::Timeout { reference: self.request.url.clone(), timeout: self.request.timeout })
        })
    }

    async fn resolve(&self) -> Result<ResolvedRevision, OciError> {
        let reference = &self.request.reference;
        if let Some(digest) = nonempty(&reference.digest) {
            let digest = validate_digest(digest)?;
            let image = self.url.with_digest(&digest);
            let found = self.client.fetch_manifest_digest(&image, &self.auth).await;
            let found = found.map_err(|e| self.classify("determine artifact digest of", image.whole(), e))?;
            if found != digest {
                return Err(OciError::Pull {
                    operation: "determine artifact digest of",
                    reference: image.whole(),
                    detail: format!("the registry answered with digest {found}"),
                });
            }
            return Ok(ResolvedRevision { tag: None, revision: digest.clone(), digest });
        }
        let tag = match nonempty(&reference.semver) {
            Some(range) => self.tag_by_semver(range, nonempty(&reference.semver_filter)).await?,
            None => {
                let tag = nonempty(&reference.tag).unwrap_or(DEFAULT_TAG);
                validate_tag(tag)?;
                tag.to_string()
            }
        };
        let image = self.url.with_tag(&tag);
        let digest = self.client.fetch_manifest_digest(&image, &self.auth).await;
        let digest = digest.map_err(|e| self.classify("determine artifact digest of", image.whole(), e))?;
        let digest = validate_digest(&digest).map_err(|_| OciError::Pull {
            operation: "determine artifact digest of",
            reference: image.whole(),
            detail: format!("the registry answered with digest '{digest}', not a sha256 digest"),
        })?;
        Ok(ResolvedRevision { revision: format!("{tag}@{digest}"), tag: Some(tag), digest })
    }

    /// The highest tag in `range` among those matching `filter`.
    async fn tag_by_semver(&self, range: &str, filter: Option<&str>) -> Result<String, OciError> {
        // The range and the filter are checked before any network call, so a spec error is reported as such
        // even when the registry is down.
        crate::controllers::semver_tags::parse_range(range).map_err(|e| OciError::from_semver(&self.request.url, e))?;
        let filter = filter
            .map(|filter| {
                // regex's message draws a caret under the pattern over several lines; its last line says what is
                // wrong, and a condition message is one line.
                Regex::new(filter).map_err(|e| OciError::InvalidSemverFilter {
                    filter: filter.to_string(),
                    detail: e.to_string().lines().last().unwrap_or_default().trim().to_string(),
                })
            })
            .transpose()?;
        let tags = self.list_tags().await?;
        let candidates = tags.iter().map(String::as_str).filter(|tag| filter.as_ref().is_none_or(|f| f.is_match(tag)));
        highest_matching_tag(range, candidates).map_err(|e| OciError::from_semver(&self.request.url, e))
    }

    /// Every tag of the repository, page by page.
    async fn list_tags(&self) -> Result<BTreeSet<String>, OciError> {
        let image = self.url.with_tag(DEFAULT_TAG);
        let mut tags = BTreeSet::new();
        let mut last: Option<String> = None;
        for _ in 0..MAX_TAG_PAGES {
            let page = self.client.list_tags(&image, &self.auth, Some(TAGS_PAGE), last.as_deref()).await;
            let page = page
                .map_err(|e| {
                    self.classify("list tags of", format!("{}/{}", self.url.registry, self.url.repository), e)
                })?
                .tags;
            let next = page.last().cloned();
            let full = page.len() >= TAGS_PAGE;
            tags.extend(page);
            // A short page is the last one; so is one that does not move on (a registry that ignores `last`).
            if !full || next.is_none() || next == last {
                break;
            }
            last = next;
        }
        Ok(tags)
    }

    async fn fetch(&self, resolved: &ResolvedRevision, dir: &Path) -> Result<OciPull, OciError> {
        let image = self.url.with_digest(&resolved.digest);
        let (manifest, selected) = self.within_timeout(self.manifest_and_layer(&image)).await?;
        layer::prepare_directory(dir).await?;
        let download = dir.join(format!("{}.download", digest_hex(&selected.digest)));
        self.within_timeout(async {
            let file = tokio::fs::File::create(&download).await.map_err(|e| OciError::WorkingDirectory {
                path: download.display().to_string(),
                detail: e.to_string(),
            })?;
            // oci-client checks the bytes against the layer's digest (and the registry's digest header).
            self.client
                .pull_blob(&image, &selected, file)
                .await
                .map_err(|e| self.classify("pull artifact from", image.whole(), e))
        })
        .await?;
        let content = match self.request.operation() {
            LayerOperation::Extract => {
                let target = dir.join("content");
                let name = format!("layer {}", selected.digest);
                let ignore = self.request.ignore.as_deref();
                layer::extract(&download, &target, &name, ignore, self.request.max_unpacked_size).await?;
                PulledContent::Directory(target)
            }
            LayerOperation::Copy => {
                let file = dir.join(format!("{}.tgz", digest_hex(&resolved.digest)));
                PulledContent::File(layer::keep(&download, &file).await?)
            }
        };
        Ok(OciPull {
            revision: resolved.revision.clone(),
            tag: resolved.tag.clone(),
            digest: resolved.digest.clone(),
            metadata: manifest.annotations.unwrap_or_default().into_iter().collect(),
            layer: PulledLayer {
                media_type: selected.media_type.clone(),
                digest: selected.digest.clone(),
                size: selected.size,
            },
            content,
        })
    }

    /// The image manifest at `image` (a digest reference, so oci-client checks the bytes against it) and the
    /// layer the selector picks.
    async fn manifest_and_layer(&self, image: &Reference) -> Result<(OciImageManifest, OciDescriptor), OciError> {
        let accepted = [OCI_IMAGE_MEDIA_TYPE, IMAGE_MANIFEST_MEDIA_TYPE];
        let raw = self.client.pull_manifest_raw(image, &self.auth, &accepted).await;
        let (body, _digest) = raw.map_err(|e| self.classify("pull artifact from", image.whole(), e))?;
        let manifest: OciImageManifest = serde_json::from_slice(&body).map_err(|e| OciError::Pull {
            operation: "pull artifact from",
            reference: image.whole(),
            detail: format!("the manifest is not an OCI image manifest: {e}"),
        })?;
        let media_type = self.request.layer_selector.as_ref().and_then(|selector| nonempty(&selector.media_type));
        let selected = match media_type {
            Some(media_type) => {
                manifest.layers.iter().find(|layer| layer.media_type == media_type).ok_or_else(|| {
                    OciError::LayerNotFound { media_type: media_type.to_string(), reference: image.whole() }
                })?
            }
            None => manifest.layers.first().ok_or_else(|| OciError::NoLayers { reference: image.whole() })?,
        };
        let selected = selected.clone();
        Ok((manifest, selected))
    }

    /// Turns an oci-client error into the variant a user can act on.
    fn classify(&self, operation: &'static str, reference: String, error: OciDistributionError) -> OciError {
        let registry = self.url.registry.clone();
        let refused = |status: &str| {
            let detail = match &self.request.auth {
                OciAuth::Anonymous => {
                    format!("the registry requires credentials ({status}) and none are configured (spec.secretRef)")
                }
                OciAuth::Basic { username, .. } => {
                    format!("the registry refused the credentials of '{username}' ({status})")
                }
            };
            OciError::AuthenticationFailed { registry: registry.clone(), detail }
        };
        match error {
            OciDistributionError::UnauthorizedError { .. } => refused("HTTP 401"),
            OciDistributionError::AuthenticationFailure(detail) => OciError::AuthenticationFailed { registry, detail },
            OciDistributionError::ServerError { code: 401 | 403, .. } => refused("HTTP 401/403"),
            OciDistributionError::ServerError { code: 404, message, .. } => {
                OciError::ArtifactNotFound { reference, detail: nonempty_or(message, "HTTP 404") }
            }
            OciDistributionError::RegistryError { envelope, .. } => {
                let detail = envelope.errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; ");
                let code = envelope.errors.first().map(|e| &e.code);
                match code {
                    Some(OciErrorCode::Unauthorized | OciErrorCode::Denied) => refused(&detail),
                    Some(
                        OciErrorCode::ManifestUnknown
                        | OciErrorCode::NameUnknown
                        | OciErrorCode::NotFound
                        | OciErrorCode::BlobUnknown,
                    ) => OciError::ArtifactNotFound { reference, detail },
                    _ => OciError::Pull { operation, reference, detail },
                }
            }
            OciDistributionError::RequestError(error) => {
                let detail = error_chain(&error);
                if error.is_timeout() {
                    OciError::Timeout { reference, timeout: self.request.timeout }
                } else if error.is_connect() {
                    OciError::Unreachable { reference, detail }
                } else {
                    OciError::Pull { operation, reference, detail }
                }
            }
            other => OciError::Pull { operation, reference, detail: error_chain(&other) },
        }
    }
}

fn nonempty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn nonempty_or(text: String, fallback: &str) -> String {
    if text.trim().is_empty() { fallback.to_string() } else { text }
}
