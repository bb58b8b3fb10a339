//! What one Bucket fetch needs, built from what the reconciler knows: the spec, the secret's data and the
//! parsed timeout. Validation happens here, before any request, so a bad spec fails the same way every time.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::api::source::BucketSpec;

use super::error::BucketError;

/// The region used when `spec.region` is empty: what S3-compatible servers accept, and what minio-go (which
/// source-controller uses) falls back to.
pub const DEFAULT_REGION: &str = "us-east-1";

/// source-controller's default `spec.timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// `spec.provider`, for the providers this engine can fetch from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BucketProvider {
    /// Any S3-compatible server (MinIO, Ceph, moto, ...): `generic`, the default.
    #[default]
    Generic,
    /// Amazon S3 at `spec.endpoint` (`s3.amazonaws.com`, `s3.<region>.amazonaws.com`): the same S3 protocol,
    /// with credentials from the secret only.
    Aws,
}

impl BucketProvider {
    /// Reads `spec.provider`: empty means `generic`. `gcp` and `azure` are valid Flux providers that this
    /// engine does not implement, so they fail here with a message saying so rather than at the first request.
    pub fn parse(provider: Option<&str>) -> Result<BucketProvider, BucketError> {
        match provider.map(str::trim).unwrap_or("") {
            "" | "generic" => Ok(BucketProvider::Generic),
            "aws" => Ok(BucketProvider::Aws),
            name @ ("gcp" | "azure") => Err(BucketError::UnsupportedProvider {
                provider: name.to_string(),
                detail: "fluxtui's engine fetches only from S3-compatible buckets (providers 'generic' and 'aws')"
                    .to_string(),
            }),
            other => Err(BucketError::UnsupportedProvider {
                provider: other.to_string(),
                detail: "expected one of 'generic', 'aws', 'gcp', 'azure'".to_string(),
            }),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            BucketProvider::Generic => "generic",
            BucketProvider::Aws => "aws",
        }
    }
}

/// How requests are signed.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum BucketCredentials {
    /// Unsigned requests: a public bucket (a Bucket without `spec.secretRef`).
    #[default]
    Anonymous,
    /// The `accesskey` and `secretkey` of the secret.
    Static { access_key: String, secret_key: String },
}

// Secrets never reach logs or Debug output.
impl std::fmt::Debug for BucketCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BucketCredentials::Anonymous => f.write_str("Anonymous"),
            BucketCredentials::Static { access_key, .. } => {
                write!(f, "Static {{ access_key: {access_key:?}, secret_key: *** }}")
            }
        }
    }
}

impl BucketCredentials {
    /// Reads the (already base64-decoded) data of `spec.secretRef` as source-controller does for the generic
    /// and aws providers: both `accesskey` and `secretkey` are required.
    pub fn from_secret_data(data: &BTreeMap<String, Vec<u8>>) -> Result<BucketCredentials, BucketError> {
        let text = |key: &str| -> Result<String, BucketError> {
            let bytes = data.get(key).ok_or_else(|| BucketError::InvalidSecret {
                detail: format!("missing key '{key}' (an S3 Bucket secret needs 'accesskey' and 'secretkey')"),
            })?;
            let text = String::from_utf8(bytes.clone())
                .map_err(|_| BucketError::InvalidSecret { detail: format!("'{key}' is not UTF-8 text") })?;
            // Secrets written with `echo` carry a trailing newline that is never part of a key.
            Ok(text.trim_end_matches(['\r', '\n']).to_string())
        };
        Ok(BucketCredentials::Static { access_key: text("accesskey")?, secret_key: text("secretkey")? })
    }
}

/// One fetch to perform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketRequest {
    pub provider: BucketProvider,
    /// `spec.endpoint`: `host[:port]`, without a scheme.
    pub endpoint: String,
    /// `spec.bucketName`.
    pub bucket_name: String,
    /// `spec.prefix`: a plain string prefix of the keys (not a directory: `app` also lists `apps/...`).
    pub prefix: Option<String>,
    /// `spec.region`, [`DEFAULT_REGION`] when empty.
    pub region: String,
    /// `spec.insecure`: plain HTTP instead of HTTPS.
    pub insecure: bool,
    pub credentials: BucketCredentials,
    /// `spec.timeout`, applied to the listing and to the download separately, as source-controller does.
    pub timeout: Duration,
    /// `spec.ignore`.
    pub ignore: Option<String>,
}

impl BucketRequest {
    /// The request for `spec`, with the data of its `secretRef` (when it has one) and its timeout already parsed
    /// (the reconciler owns duration parsing). Fails on what no retry can fix: an unsupported provider, an endpoint
    /// that is not `host[:port]`, an empty bucket name, and on an unusable secret.
    pub fn from_spec(
        spec: &BucketSpec,
        secret_data: Option<&BTreeMap<String, Vec<u8>>>,
        timeout: Duration,
    ) -> Result<BucketRequest, BucketError> {
        let provider = BucketProvider::parse(spec.provider.as_deref())?;
        let endpoint = spec.endpoint.clone().unwrap_or_default();
        validate_endpoint(&endpoint)?;
        let bucket_name = spec.bucket_name.clone().unwrap_or_default();
        if bucket_name.trim().is_empty() {
            return Err(BucketError::InvalidSpec { detail: "spec.bucketName is empty".to_string() });
        }
        let credentials = match secret_data {
            Some(data) => BucketCredentials::from_secret_data(data)?,
            None => BucketCredentials::Anonymous,
        };
        if provider == BucketProvider::Aws && credentials == BucketCredentials::Anonymous {
            // Without a secret, source-controller uses the pod's AWS identity (IRSA, EC2 metadata); this engine
            // deliberately reads credentials from the secret only.
            return Err(BucketError::UnsupportedProvider {
                provider: "aws".to_string(),
                detail: "without spec.secretRef it needs workload identity, which fluxtui's engine does not use; \
                         set spec.secretRef to a secret with 'accesskey' and 'secretkey'"
                    .to_string(),
            });
        }
        let region = spec.region.as_deref().map(str::trim).filter(|r| !r.is_empty()).unwrap_or(DEFAULT_REGION);
        Ok(BucketRequest {
            provider,
            endpoint,
            bucket_name,
            prefix: spec.prefix.clone().filter(|p| !p.is_empty()),
            region: region.to_string(),
            insecure: spec.insecure.unwrap_or(false),
            credentials,
            timeout,
            ignore: spec.ignore.clone(),
        })
    }

    /// The endpoint as a URL: `http://` when insecure, else `https://`.
    pub fn endpoint_url(&self) -> String {
        let scheme = if self.insecure { "http" } else { "https" };
        format!("{scheme}://{}", self.endpoint)
    }
}

/// Accepts `host[:port]` (a name, an IPv4 address or a bracketed IPv6 address) and nothing else: a scheme, a
/// path or credentials in the endpoint are configuration mistakes to report, not to guess around.
pub fn validate_endpoint(endpoint: &str) -> Result<(), BucketError> {
    let invalid =
        |detail: &str| BucketError::InvalidEndpoint { endpoint: endpoint.to_string(), detail: detail.to_string() };
    if endpoint.trim().is_empty() {
        return Err(invalid("the endpoint is empty"));
    }
    if endpoint.contains("://") {
        return Err(invalid("give host[:port] without a scheme; spec.insecure chooses http or https"));
    }
    if endpoint.contains(['/', '?', '#', '@']) || endpoint.chars().any(char::is_whitespace) {
        return Err(invalid("expected host[:port], without a path, query or credentials"));
    }
    let (host, port) = if let Some(rest) = endpoint.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or_else(|| invalid("unclosed '[' in an IPv6 address"))?;
        let port = match after {
            "" => None,
            after => Some(after.strip_prefix(':').ok_or_else(|| invalid("expected ':' after the IPv6 address"))?),
        };
        (host, port)
    } else {
        match endpoint.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (endpoint, None),
        }
    };
    if host.is_empty() || host.contains(':') && !endpoint.starts_with('[') {
        return Err(invalid("expected host[:port]"));
    }
    if let Some(port) = port
        && port.parse::<u16>().map_or(true, |p| p == 0)
    {
        return Err(invalid(&format!("'{port}' is not a port number")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(endpoint: &str) -> BucketSpec {
        BucketSpec {
            endpoint: Some(endpoint.to_string()),
            bucket_name: Some("config".to_string()),
            ..BucketSpec::default()
        }
    }

    fn secret(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.as_bytes().to_vec())).collect()
    }

    #[test]
    fn endpoints_are_host_and_port_only() {
        for good in ["minio.example.com", "127.0.0.1:9000", "[::1]:9000", "[::1]", "s3.amazonaws.com"] {
            validate_endpoint(good).unwrap_or_else(|e| panic!("{good}: {e}"));
        }
        for bad in ["", "https://minio:9000", "minio:9000/bucket", "user@minio", "minio:x", "minio:0", "::1:9000"] {
            let error = validate_endpoint(bad).expect_err(bad);
            assert!(error.is_terminal(), "{bad}");
            assert_eq!(error.reason(), "URLInvalid");
        }
    }

    #[test]
    fn the_request_takes_defaults_from_source_controller() {
        let request = BucketRequest::from_spec(&spec("minio:9000"), None, DEFAULT_TIMEOUT).unwrap();
        assert_eq!(request.provider, BucketProvider::Generic);
        assert_eq!(request.region, "us-east-1");
        assert_eq!(request.credentials, BucketCredentials::Anonymous);
        assert_eq!(request.endpoint_url(), "https://minio:9000");
        let insecure = BucketSpec { insecure: Some(true), region: Some("eu-west-1".into()), ..spec("minio:9000") };
        let request = BucketRequest::from_spec(&insecure, None, DEFAULT_TIMEOUT).unwrap();
        assert_eq!(request.endpoint_url(), "http://minio:9000");
        assert_eq!(request.region, "eu-west-1");
    }

    #[test]
    fn a_secret_needs_both_keys() {
        let error = BucketCredentials::from_secret_data(&secret(&[("secretkey", "s")])).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid secret data: missing key 'accesskey' (an S3 Bucket secret needs 'accesskey' and 'secretkey')"
        );
        assert_eq!(error.reason(), "AuthenticationFailed");
        let credentials = BucketCredentials::from_secret_data(&secret(&[("accesskey", "a\n"), ("secretkey", "s")]));
        let credentials = credentials.unwrap();
        assert_eq!(credentials, BucketCredentials::Static { access_key: "a".into(), secret_key: "s".into() });
        assert!(!format!("{credentials:?}").contains("\"s\""), "the secret key stays out of Debug");
    }

    #[test]
    fn gcp_and_azure_fail_early_naming_the_provider() {
        for provider in ["gcp", "azure", "oracle"] {
            let spec = BucketSpec { provider: Some(provider.to_string()), ..spec("storage.googleapis.com") };
            let error = BucketRequest::from_spec(&spec, None, DEFAULT_TIMEOUT).unwrap_err();
            assert!(error.to_string().contains(&format!("'{provider}'")), "{error}");
            assert_eq!(error.reason(), "InvalidProviderConfiguration");
            assert!(error.is_terminal());
        }
        let aws = BucketSpec { provider: Some("aws".into()), ..spec("s3.amazonaws.com") };
        let error = BucketRequest::from_spec(&aws, None, DEFAULT_TIMEOUT).unwrap_err();
        assert!(error.to_string().contains("secretRef"), "{error}");
        let keys = secret(&[("accesskey", "a"), ("secretkey", "s")]);
        let request = BucketRequest::from_spec(&aws, Some(&keys), DEFAULT_TIMEOUT).unwrap();
        assert_eq!(request.provider, BucketProvider::Aws);
    }
}
