//! The HTTP side of a Helm repository: GET one URL with optional basic auth, a deadline and a size cap, as
//! Helm's HTTP getter does for `index.yaml` and chart packages.
//!
//! - Credentials come from the HelmRepository's `spec.secretRef` (`username` and `password`) and are sent only to
//!   the repository's own scheme, host and port, unless `passCredentials` is set (Helm's rule, which keeps a
//!   chart URL on another host from receiving the repository's password).
//! - Redirects are followed (up to 10, as Go's client does); credentials never follow one to another host.
//! - The client is hyper-util's with rustls and the system's root certificates.

use crate::cluster::error_chain;
use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::{Request, StatusCode, Uri, header};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use url::Url;

/// How many redirects one request follows, as Go's `http.Client`.
const MAX_REDIRECTS: usize = 10;

/// Basic auth for a Helm repository.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum HelmAuth {
    #[default]
    None,
    Basic {
        username: String,
        password: String,
    },
}

// Secrets never reach logs or Debug output.
impl std::fmt::Debug for HelmAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HelmAuth::None => f.write_str("None"),
            HelmAuth::Basic { username, .. } => write!(f, "Basic {{ username: {username:?}, password: *** }}"),
        }
    }
}

/// The secret's data cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid auth secret: {detail}")]
pub struct InvalidSecret {
    pub detail: String,
}

impl HelmAuth {
    /// Reads `username` and `password` from a secret's (already base64-decoded) data; either both or neither.
    /// TLS keys (`certFile`, `caFile`, ...) are not read here.
    pub fn from_secret_data(data: &BTreeMap<String, Vec<u8>>) -> Result<HelmAuth, InvalidSecret> {
        let text = |key: &str| -> Result<Option<String>, InvalidSecret> {
            data.get(key)
                .map(|bytes| {
                    String::from_utf8(bytes.clone())
                        .map_err(|_| InvalidSecret { detail: format!("'{key}' is not UTF-8 text") })
                })
                .transpose()
        };
        match (text("username")?, text("password")?) {
            (Some(username), Some(password)) => Ok(HelmAuth::Basic { username, password }),
            (None, None) => Ok(HelmAuth::None),
            (Some(_), None) => Err(InvalidSecret { detail: "'username' is set but 'password' is missing".into() }),
            (None, Some(_)) => Err(InvalidSecret { detail: "'password' is set but 'username' is missing".into() }),
        }
    }
}

/// Why a GET failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GetError {
    /// The server answered with a status other than 2xx (Helm's wording: `failed to fetch <url> : 404 Not Found`).
    #[error("failed to fetch {url} : {status}")]
    Status { url: String, status: HttpStatus },
    /// No answer: DNS, a refused connection, a TLS failure, a connection cut off.
    #[error("failed to fetch {url}: {detail}")]
    Unreachable { url: String, detail: String },
    #[error("failed to fetch {url}: no answer within {timeout:?}")]
    Timeout { url: String, timeout: Duration },
    #[error("failed to fetch {url}: the response exceeds the maximum size of {max_size} bytes")]
    TooLarge { url: String, max_size: u64 },
    #[error("failed to fetch {url}: too many redirects")]
    TooManyRedirects { url: String },
}

/// A status code with its reason phrase, printed as Go prints `resp.Status` (`401 Unauthorized`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpStatus(pub u16);

impl std::fmt::Display for HttpStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let reason = StatusCode::from_u16(self.0).ok().and_then(|code| code.canonical_reason()).unwrap_or("");
        write!(f, "{} {reason}", self.0)
    }
}

impl GetError {
    /// Whether the server refused the credentials (or asked for some).
    pub fn is_auth_failure(&self) -> bool {
        matches!(self, GetError::Status { status: HttpStatus(401 | 403), .. })
    }
}

/// One GET.
#[derive(Debug, Clone)]
pub struct GetRequest<'a> {
    pub url: &'a Url,
    pub auth: &'a HelmAuth,
    /// The repository URL the credentials belong to: they are sent only to its scheme, host and port.
    pub auth_origin: &'a Url,
    /// `passCredentials`: send the credentials to any host.
    pub pass_credentials: bool,
    /// The deadline for the whole request, redirects and body included.
    pub timeout: Duration,
    /// The largest body accepted.
    pub max_size: u64,
}

/// The HTTP(S) client; cheap to clone, and meant to be shared (it pools connections).
#[derive(Clone)]
pub struct HelmClient {
    client: Client<HttpsConnector<HttpConnector>, Empty<Bytes>>,
}

impl std::fmt::Debug for HelmClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HelmClient")
    }
}

impl HelmClient {
    /// A client trusting the system's root certificates. A machine without any still gets a client: plain
    /// http works, and https fails per request with a certificate error the user can read.
    pub fn new() -> HelmClient {
        use hyper_rustls::ConfigBuilderExt;
        let config = match tls_config_builder().with_native_roots() {
            Ok(builder) => builder.with_no_client_auth(),
            Err(_) => tls_config_builder().with_root_certificates(rustls::RootCertStore::empty()).with_no_client_auth(),
        };
        let connector =
            hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(config).https_or_http().enable_http1().build();
        HelmClient { client: Client::builder(TokioExecutor::new()).build(connector) }
    }

    /// GETs `request.url` and returns the body.
    pub async fn get(&self, request: &GetRequest<'_>) -> Result<Vec<u8>, GetError> {
        let url = request.url.to_string();
        tokio::time::timeout(request.timeout, self.get_following_redirects(request))
            .await
            .map_err(|_| GetError::Timeout { url, timeout: request.timeout })?
    }

    async fn get_following_redirects(&self, request: &GetRequest<'_>) -> Result<Vec<u8>, GetError> {
        let mut current = request.url.clone();
        for _ in 0..=MAX_REDIRECTS {
            let unreachable =
                |detail: String| GetError::Unreachable { url: current.to_string(), detail: detail.clone() };
            let uri: Uri =
                current.as_str().parse().map_err(|e: hyper::http::uri::InvalidUri| unreachable(e.to_string()))?;
            let mut builder =
                Request::get(uri).header(header::USER_AGENT, concat!("fluxtui/", env!("CARGO_PKG_VERSION")));
            if let HelmAuth::Basic { username, password } = request.auth
                && (request.pass_credentials || same_origin(request.auth_origin, &current))
            {
                let token = base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
                builder = builder.header(header::AUTHORIZATION, format!("Basic {token}"));
            }
            let http_request = builder.body(Empty::new()).map_err(|e| unreachable(e.to_string()))?;
            let response = self.client.request(http_request).await.map_err(|e| unreachable(error_chain(&e)))?;
            let status = response.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                let location = response
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|value| value.to_str().ok())
                    .ok_or_else(|| unreachable(format!("redirect {status} without a Location")))?;
                current = current.join(location).map_err(|e| unreachable(format!("bad redirect Location: {e}")))?;
                continue;
            }
            if !status.is_success() {
                return Err(GetError::Status { url: current.to_string(), status: HttpStatus(status.as_u16()) });
            }
            return read_body(response.into_body(), &current, request.max_size).await;
        }
        Err(GetError::TooManyRedirects { url: request.url.to_string() })
    }
}

impl Default for HelmClient {
    fn default() -> Self {
        HelmClient::new()
    }
}

/// A TLS configuration with ring as the provider, named rather than taken from the process default, so that
/// another crate enabling a second provider cannot make the choice ambiguous.
fn tls_config_builder() -> rustls::ConfigBuilder<rustls::ClientConfig, rustls::WantsVerifier> {
    rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        // Cannot fail: ring's provider implements the cipher suites of both TLS versions rustls enables by default.
        .expect("ring supports rustls' default protocol versions")
}

/// Reads the body frame by frame, failing as soon as it passes `max_size`.
async fn read_body(mut body: hyper::body::Incoming, url: &Url, max_size: u64) -> Result<Vec<u8>, GetError> {
    let mut bytes = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| GetError::Unreachable { url: url.to_string(), detail: error_chain(&e) })?;
        if let Some(data) = frame.data_ref() {
            if (bytes.len() + data.len()) as u64 > max_size {
                return Err(GetError::TooLarge { url: url.to_string(), max_size });
            }
            bytes.extend_from_slice(data);
        }
    }
    Ok(bytes)
}

/// Helm's rule for sending credentials: the same scheme and the same host and port.
fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme() && a.host_str() == b.host_str() && a.port_or_known_default() == b.port_or_known_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.as_bytes().to_vec())).collect()
    }

    #[test]
    fn secrets_give_both_halves_or_none() {
        let basic = HelmAuth::from_secret_data(&data(&[("username", "u"), ("password", "p")])).unwrap();
        assert_eq!(basic, HelmAuth::Basic { username: "u".into(), password: "p".into() });
        assert_eq!(HelmAuth::from_secret_data(&data(&[("caFile", "x")])).unwrap(), HelmAuth::None);
        let half = HelmAuth::from_secret_data(&data(&[("password", "p")])).unwrap_err();
        assert_eq!(half.to_string(), "invalid auth secret: 'password' is set but 'username' is missing");
        assert!(!format!("{basic:?}").contains("\"p\""), "Debug must not show the password");
    }

    #[test]
    fn credentials_stay_on_their_origin() {
        let repo = Url::parse("https://charts.example.com/stable/").unwrap();
        assert!(same_origin(&repo, &Url::parse("https://charts.example.com:443/x.tgz").unwrap()));
        assert!(!same_origin(&repo, &Url::parse("http://charts.example.com/x.tgz").unwrap()));
        assert!(!same_origin(&repo, &Url::parse("https://cdn.example.com/x.tgz").unwrap()));
        assert!(!same_origin(&repo, &Url::parse("https://charts.example.com:8443/x.tgz").unwrap()));
    }

    #[test]
    fn statuses_print_as_go_does() {
        let error = GetError::Status { url: "http://h/index.yaml".into(), status: HttpStatus(401) };
        assert_eq!(error.to_string(), "failed to fetch http://h/index.yaml : 401 Unauthorized");
        assert!(error.is_auth_failure());
    }
}
