//! What to pull: the URL, the reference, the layer selector and the options of an OCIRepository, validated as
//! source-controller validates them before it talks to a registry.

use std::sync::LazyLock;
use std::time::Duration;

use regex::Regex;

use super::auth::OciAuth;
use super::error::OciError;
use crate::api::source::oci_repository::OciRepositorySpec;
use crate::controllers::storage::DEFAULT_MAX_UNPACKED_SIZE;

/// The only scheme of `spec.url`.
pub const OCI_SCHEME: &str = "oci://";
/// The tag pulled when `spec.ref` names nothing.
pub const DEFAULT_TAG: &str = "latest";
/// source-controller's default `spec.timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The distribution spec's grammar for repository names, tags and digests.
static REPOSITORY: LazyLock<Regex> = LazyLock::new(|| {
    // A literal pattern, checked by the unit tests: it compiles.
    Regex::new(r"^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$").unwrap()
});
static TAG: LazyLock<Regex> = LazyLock::new(|| {
    // A literal pattern, checked by the unit tests: it compiles.
    Regex::new(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$").unwrap()
});
static HOST: LazyLock<Regex> = LazyLock::new(|| {
    // A literal pattern, checked by the unit tests: it compiles.
    Regex::new(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$").unwrap()
});

/// `spec.ref` of an OCIRepository. Precedence: digest > semver > tag; none of them means tag `latest`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OciReference {
    pub tag: Option<String>,
    pub semver: Option<String>,
    /// A regular expression a tag must match before its version is compared (only with `semver`).
    pub semver_filter: Option<String>,
    /// `sha256:<hex>`.
    pub digest: Option<String>,
}

/// What is done with the selected layer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LayerOperation {
    /// Unpack the layer (a gzip'ed tar) into a directory.
    #[default]
    Extract,
    /// Keep the layer's bytes as they are, in one file.
    Copy,
}

impl LayerOperation {
    /// `spec.layerSelector.operation`: `extract` (also when empty) or `copy`.
    pub fn parse(operation: Option<&str>) -> Result<LayerOperation, OciError> {
        match operation.map(str::trim).unwrap_or("") {
            "" | "extract" => Ok(LayerOperation::Extract),
            "copy" => Ok(LayerOperation::Copy),
            other => Err(OciError::InvalidReference {
                reference: other.to_string(),
                reason: "spec.layerSelector.operation must be 'extract' or 'copy'".to_string(),
            }),
        }
    }
}

/// `spec.layerSelector`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayerSelector {
    /// The media type of the layer to take; none takes the first layer.
    pub media_type: Option<String>,
    pub operation: LayerOperation,
}

/// One pull to perform.
#[derive(Debug, Clone)]
pub struct OciRequest {
    /// `spec.url`, `oci://<host>[:port]/<repository>`.
    pub url: String,
    pub reference: OciReference,
    /// None: the first layer, extracted (it must be a gzip'ed tar).
    pub layer_selector: Option<LayerSelector>,
    pub auth: OciAuth,
    /// `spec.insecure`: plain HTTP instead of HTTPS.
    pub insecure: bool,
    /// `spec.timeout`, for the registry calls and the download.
    pub timeout: Duration,
    /// `spec.ignore`, applied with the `.sourceignore` files of an extracted layer.
    pub ignore: Option<String>,
    /// The most an extracted layer may unpack to.
    pub max_unpacked_size: u64,
}

impl OciRequest {
    /// A request for `url` at tag `latest` with source-controller's defaults: anonymous, over HTTPS, the first
    /// layer extracted, a 60s timeout, no `spec.ignore`.
    pub fn new(url: impl Into<String>) -> OciRequest {
        OciRequest {
            url: url.into(),
            reference: OciReference::default(),
            layer_selector: None,
            auth: OciAuth::Anonymous,
            insecure: false,
            timeout: DEFAULT_TIMEOUT,
            ignore: None,
            max_unpacked_size: DEFAULT_MAX_UNPACKED_SIZE,
        }
    }

    /// The request an OCIRepository's spec asks for. The reconciler reads the secret into `auth` and parses
    /// `spec.timeout` (its default is [`DEFAULT_TIMEOUT`]); the URL is validated when the pull starts.
    pub fn from_spec(spec: &OciRepositorySpec, auth: OciAuth, timeout: Duration) -> Result<OciRequest, OciError> {
        let reference = spec.ref_.as_ref().map_or_else(OciReference::default, |reference| OciReference {
            tag: reference.tag.clone(),
            semver: reference.semver.clone(),
            semver_filter: reference.semver_filter.clone(),
            digest: reference.digest.clone(),
        });
        let layer_selector = spec
            .layer_selector
            .as_ref()
            .map(|selector| -> Result<LayerSelector, OciError> {
                Ok(LayerSelector {
                    media_type: selector.media_type.clone(),
                    operation: LayerOperation::parse(selector.operation.as_deref())?,
                })
            })
            .transpose()?;
        Ok(OciRequest {
            reference,
            layer_selector,
            auth,
            insecure: spec.insecure.unwrap_or(false),
            timeout,
            ignore: spec.ignore.clone(),
            ..OciRequest::new(spec.url.clone().unwrap_or_default())
        })
    }

    /// The layer operation the selector asks for (extract when there is no selector).
    pub fn operation(&self) -> LayerOperation {
        self.layer_selector.as_ref().map(|selector| selector.operation).unwrap_or_default()
    }
}

/// `spec.url` split into the registry and the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OciUrl {
    /// `host[:port]`.
    pub registry: String,
    /// `org/app`.
    pub repository: String,
}

impl OciUrl {
    /// Validates `oci://<host>[:port]/<repository>`: no tag or digest in it (they belong in `spec.ref`), a
    /// repository in the distribution spec's grammar.
    pub fn parse(url: &str) -> Result<OciUrl, OciError> {
        let invalid = |reason: &str| OciError::InvalidUrl { url: url.to_string(), reason: reason.to_string() };
        let Some(rest) = url.strip_prefix(OCI_SCHEME) else {
            return Err(invalid("URL must be in format 'oci://<domain>/<org>/<repo>'"));
        };
        let Some((registry, repository)) = rest.split_once('/') else {
            return Err(invalid("URL must be in format 'oci://<domain>/<org>/<repo>'"));
        };
        let repository = repository.trim_end_matches('/');
        if !HOST.is_match(registry) {
            return Err(invalid(&format!("'{registry}' is not a registry host")));
        }
        if repository.contains('@') || repository.rsplit('/').next().is_some_and(|last| last.contains(':')) {
            return Err(invalid("the URL must not name a tag or digest: use spec.ref"));
        }
        if !REPOSITORY.is_match(repository) {
            return Err(invalid(&format!(
                "'{repository}' is not a repository name (lower case letters, digits and separators)"
            )));
        }
        Ok(OciUrl { registry: registry.to_string(), repository: repository.to_string() })
    }

    /// `host/repo:tag`, for messages and the client.
    pub fn with_tag(&self, tag: &str) -> oci_client::Reference {
        oci_client::Reference::with_tag(self.registry.clone(), self.repository.clone(), tag.to_string())
    }

    /// `host/repo@sha256:...`.
    pub fn with_digest(&self, digest: &str) -> oci_client::Reference {
        oci_client::Reference::with_digest(self.registry.clone(), self.repository.clone(), digest.to_string())
    }
}

/// Checks a tag against the distribution spec's grammar.
pub(crate) fn validate_tag(tag: &str) -> Result<(), OciError> {
    if TAG.is_match(tag) {
        Ok(())
    } else {
        Err(OciError::InvalidReference { reference: tag.to_string(), reason: "not a valid tag".to_string() })
    }
}

/// Checks `sha256:<64 hex>` and returns it in lower case (the only algorithm Flux artifacts use).
pub(crate) fn validate_digest(digest: &str) -> Result<String, OciError> {
    let invalid = || OciError::InvalidReference {
        reference: digest.to_string(),
        reason: "a digest must be 'sha256:' and 64 hex digits".to_string(),
    };
    let hex = digest.trim().strip_prefix("sha256:").ok_or_else(invalid)?;
    if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(invalid());
    }
    Ok(format!("sha256:{}", hex.to_ascii_lowercase()))
}

/// The hex part of a `sha256:<hex>` digest.
pub(crate) fn digest_hex(digest: &str) -> &str {
    digest.split_once(':').map_or(digest, |(_, hex)| hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_validated_like_source_controller() {
        let url = OciUrl::parse("oci://ghcr.io/stefanprodan/manifests/podinfo").unwrap();
        assert_eq!(url.registry, "ghcr.io");
        assert_eq!(url.repository, "stefanprodan/manifests/podinfo");
        assert_eq!(OciUrl::parse("oci://127.0.0.1:5000/app/").unwrap().registry, "127.0.0.1:5000");
        for (bad, why) in [
            ("https://ghcr.io/app", "format"),
            ("oci://ghcr.io", "format"),
            ("oci://ghcr.io/App", "repository name"),
            ("oci://ghcr.io/app:1.0", "tag or digest"),
            ("oci://ghcr.io/app@sha256:00", "tag or digest"),
            ("oci://bad host/app", "registry host"),
        ] {
            let error = OciUrl::parse(bad).unwrap_err();
            assert!(error.to_string().contains(why), "{bad}: {error}");
            assert_eq!(error.reason(), "URLInvalid");
            assert!(error.is_terminal());
        }
    }

    #[test]
    fn a_spec_becomes_a_request() {
        let spec: OciRepositorySpec = serde_json::from_value(serde_json::json!({
            "url": "oci://ghcr.io/org/app", "insecure": true, "ignore": "*.md",
            "ref": {"semver": ">=1.0.0", "semverFilter": ".*-rc.*", "tag": "x"},
            "layerSelector": {"mediaType": "application/x-yaml", "operation": "copy"}
        }))
        .unwrap();
        let request = OciRequest::from_spec(&spec, OciAuth::Anonymous, DEFAULT_TIMEOUT).unwrap();
        assert_eq!(request.url, "oci://ghcr.io/org/app");
        assert!(request.insecure);
        assert_eq!(request.reference.semver.as_deref(), Some(">=1.0.0"));
        assert_eq!(request.reference.semver_filter.as_deref(), Some(".*-rc.*"));
        assert_eq!(request.operation(), LayerOperation::Copy);
        assert_eq!(request.ignore.as_deref(), Some("*.md"));

        let plain: OciRepositorySpec = serde_json::from_value(serde_json::json!({"url": "oci://h/a"})).unwrap();
        let request = OciRequest::from_spec(&plain, OciAuth::Anonymous, DEFAULT_TIMEOUT).unwrap();
        assert_eq!(
            (request.reference, request.layer_selector, request.insecure),
            (OciReference::default(), None, false)
        );
        let bad: OciRepositorySpec =
            serde_json::from_value(serde_json::json!({"layerSelector": {"operation": "move"}})).unwrap();
        assert!(OciRequest::from_spec(&bad, OciAuth::Anonymous, DEFAULT_TIMEOUT).unwrap_err().is_terminal());
    }

    #[test]
    fn tags_digests_and_operations() {
        assert!(validate_tag("v1.2.0-rc.1").is_ok());
        assert!(validate_tag("-bad").is_err());
        let upper = format!("sha256:{}", "AB".repeat(32));
        assert_eq!(validate_digest(&upper).unwrap(), format!("sha256:{}", "ab".repeat(32)));
        assert!(validate_digest("sha512:00").is_err());
        assert_eq!(digest_hex("sha256:abc"), "abc");
        assert_eq!(LayerOperation::parse(None).unwrap(), LayerOperation::Extract);
        assert_eq!(LayerOperation::parse(Some("copy")).unwrap(), LayerOperation::Copy);
        assert!(LayerOperation::parse(Some("move")).is_err());
    }
}
