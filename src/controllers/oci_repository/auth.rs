//! Registry credentials for an OCIRepository, read from its `spec.secretRef` data: a
//! `kubernetes.io/dockerconfigjson` pull secret (the `.dockerconfigjson` key, whose `auths` map registry hosts to
//! `auth` = base64 of `user:password`, or to `username` and `password`), or plain `username` and `password`
//! keys.

use std::collections::BTreeMap;

use base64::Engine;
use serde::Deserialize;

use super::error::OciError;

/// The key of a `kubernetes.io/dockerconfigjson` secret.
pub const DOCKER_CONFIG_JSON_KEY: &str = ".dockerconfigjson";

/// Docker Hub answers under several names; a pull secret may use any of them.
const DOCKER_HUB_ALIASES: &[&str] = &["docker.io", "index.docker.io", "registry-1.docker.io"];

#[derive(Clone, Default, PartialEq, Eq)]
pub enum OciAuth {
    /// Anonymous access.
    #[default]
    Anonymous,
    /// HTTP basic auth (the registry's Basic challenge, or the token endpoint of a Bearer one).
    Basic { username: String, password: String },
}

// Secrets never reach logs or Debug output.
impl std::fmt::Debug for OciAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OciAuth::Anonymous => f.write_str("Anonymous"),
            OciAuth::Basic { username, .. } => write!(f, "Basic {{ username: {username:?}, password: *** }}"),
        }
    }
}

#[derive(Deserialize)]
struct DockerConfig {
    #[serde(default)]
    auths: BTreeMap<String, DockerAuthEntry>,
}

#[derive(Deserialize)]
struct DockerAuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default, rename = "identitytoken")]
    identity_token: Option<String>,
}

impl OciAuth {
    /// Reads the secret's (already base64-decoded) data for the registry `registry` (`host[:port]`). A pull secret
    /// without an entry for the registry means anonymous access, as a Docker keychain does.
    pub fn from_secret_data(registry: &str, data: &BTreeMap<String, Vec<u8>>) -> Result<OciAuth, OciError> {
        let text = |key: &str| -> Result<Option<String>, OciError> {
            data.get(key)
                .map(|bytes| {
                    String::from_utf8(bytes.clone())
                        .map_err(|_| OciError::InvalidSecret { detail: format!("'{key}' is not UTF-8 text") })
                })
                .transpose()
        };
        if let Some(config) = text(DOCKER_CONFIG_JSON_KEY)? {
            return from_docker_config(registry, &config);
        }
        match (text("username")?, text("password")?) {
            (Some(username), Some(password)) => Ok(OciAuth::Basic { username, password }),
            (Some(_), None) => {
                Err(OciError::InvalidSecret { detail: "'username' is set but 'password' is missing".into() })
            }
            (None, Some(_)) => {
                Err(OciError::InvalidSecret { detail: "'password' is set but 'username' is missing".into() })
            }
            (None, None) => Err(OciError::InvalidSecret {
                detail: format!("the secret has neither '{DOCKER_CONFIG_JSON_KEY}' nor 'username' and 'password'"),
            }),
        }
    }

    pub(crate) fn to_registry_auth(&self) -> oci_client::secrets::RegistryAuth {
        match self {
            OciAuth::Anonymous => oci_client::secrets::RegistryAuth::Anonymous,
            OciAuth::Basic { username, password } => {
                oci_client::secrets::RegistryAuth::Basic(username.clone(), password.clone())
            }
        }
    }
}

fn from_docker_config(registry: &str, json: &str) -> Result<OciAuth, OciError> {
    let invalid = |detail: String| OciError::InvalidSecret { detail };
    let config: DockerConfig = serde_json::from_str(json)
        .map_err(|e| invalid(format!("'{DOCKER_CONFIG_JSON_KEY}' is not a Docker config: {e}")))?;
    let wanted = registry.to_ascii_lowercase();
    let Some((key, entry)) = config.auths.iter().find(|(key, _)| same_registry(&registry_of_key(key), &wanted)) else {
        return Ok(OciAuth::Anonymous);
    };
    if let Some(encoded) = entry.auth.as_deref().filter(|auth| !auth.is_empty()) {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .map_err(|e| invalid(format!("the 'auth' of '{key}' is not base64: {e}")))?;
        let decoded = String::from_utf8(decoded).map_err(|_| invalid(format!("the 'auth' of '{key}' is not text")))?;
        let (username, password) = decoded
            .split_once(':')
            .ok_or_else(|| invalid(format!("the 'auth' of '{key}' is not 'username:password'")))?;
        return Ok(OciAuth::Basic { username: username.to_string(), password: password.to_string() });
    }
    match (&entry.username, &entry.password) {
        (Some(username), Some(password)) => {
            Ok(OciAuth::Basic { username: username.clone(), password: password.clone() })
        }
        _ if entry.identity_token.is_some() => {
            Err(invalid(format!("the entry for '{key}' has only an identity token, which is not supported")))
        }
        _ => Err(invalid(format!("the entry for '{key}' has neither 'auth' nor 'username' and 'password'"))),
    }
}

/// `https://index.docker.io/v1/` -> `index.docker.io`: keys may carry a scheme and a path.
fn registry_of_key(key: &str) -> String {
    let rest = key.split_once("://").map_or(key, |(_, rest)| rest);
    rest.split('/').next().unwrap_or(rest).to_ascii_lowercase()
}

fn same_registry(a: &str, b: &str) -> bool {
    a == b || (DOCKER_HUB_ALIASES.contains(&a) && DOCKER_HUB_ALIASES.contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.as_bytes().to_vec())).collect()
    }

    fn basic(username: &str, password: &str) -> OciAuth {
        OciAuth::Basic { username: username.into(), password: password.into() }
    }

    #[test]
    fn pull_secrets_are_matched_by_registry_host() {
        let auth = base64::engine::general_purpose::STANDARD.encode("flux:pa:ss");
        let json = format!(
            r#"{{"auths":{{"https://registry.local:5000/v1/":{{"auth":"{auth}"}},
                "other.io":{{"username":"u","password":"p"}},"https://index.docker.io/v1/":{{"auth":"{auth}"}}}}}}"#
        );
        let secret = data(&[(DOCKER_CONFIG_JSON_KEY, &json)]);
        assert_eq!(OciAuth::from_secret_data("registry.local:5000", &secret).unwrap(), basic("flux", "pa:ss"));
        assert_eq!(OciAuth::from_secret_data("OTHER.io", &secret).unwrap(), basic("u", "p"));
        assert_eq!(OciAuth::from_secret_data("docker.io", &secret).unwrap(), basic("flux", "pa:ss"));
        assert_eq!(OciAuth::from_secret_data("registry.local", &secret).unwrap(), OciAuth::Anonymous);
    }

    #[test]
    fn plain_keys_and_broken_secrets() {
        let plain = OciAuth::from_secret_data("h", &data(&[("username", "u"), ("password", "p")])).unwrap();
        assert_eq!(plain, basic("u", "p"));
        assert!(!format!("{plain:?}").contains("\"p\""), "Debug must not show the password");
        let half = OciAuth::from_secret_data("h", &data(&[("username", "u")])).unwrap_err();
        assert_eq!(half.reason(), "AuthenticationFailed");
        let not_json = OciAuth::from_secret_data("h", &data(&[(DOCKER_CONFIG_JSON_KEY, "{")])).unwrap_err();
        assert!(not_json.to_string().contains("is not a Docker config"), "{not_json}");
        let bad_auth = data(&[(DOCKER_CONFIG_JSON_KEY, r#"{"auths":{"h":{"auth":"bm9jb2xvbg=="}}}"#)]);
        let bad_auth = OciAuth::from_secret_data("h", &bad_auth).unwrap_err();
        assert!(bad_auth.to_string().contains("is not 'username:password'"), "{bad_auth}");
        assert!(OciAuth::from_secret_data("h", &data(&[])).is_err());
    }
}
