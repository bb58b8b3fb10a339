//! Credentials for a GitRepository, read from its `spec.secretRef` data as source-controller reads them:
//! `username`+`password` or `bearerToken` for http(s), `identity` (+ optional `password` passphrase) and
//! `known_hosts` for ssh.

use std::collections::BTreeMap;

use base64::Engine;

use super::error::CheckoutError;

#[derive(Clone, Default, PartialEq, Eq)]
pub enum GitAuth {
    /// Anonymous access.
    #[default]
    None,
    /// HTTP basic auth.
    Basic { username: String, password: String },
    /// `Authorization: Bearer <token>`.
    Bearer { token: String },
    /// An SSH private key (PEM/OpenSSH text), its passphrase and the accepted host keys.
    Ssh { identity: String, passphrase: Option<String>, known_hosts: String },
}

// Secrets never reach logs or Debug output.
impl std::fmt::Debug for GitAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GitAuth::None => f.write_str("None"),
            GitAuth::Basic { username, .. } => write!(f, "Basic {{ username: {username:?}, password: *** }}"),
            GitAuth::Bearer { .. } => f.write_str("Bearer { token: *** }"),
            GitAuth::Ssh { .. } => f.write_str("Ssh { identity: *** }"),
        }
    }
}

impl GitAuth {
    /// Reads the secret's (already base64-decoded) data for a repository at `url`. An ssh URL needs
    /// `identity` and `known_hosts`; an http(s) URL uses `bearerToken`, else `username` and `password`.
    pub fn from_secret_data(url: &str, data: &BTreeMap<String, Vec<u8>>) -> Result<GitAuth, CheckoutError> {
        let text = |key: &str| -> Result<Option<String>, CheckoutError> {
            data.get(key)
                .map(|bytes| {
                    String::from_utf8(bytes.clone())
                        .map_err(|_| CheckoutError::InvalidSecret { detail: format!("'{key}' is not UTF-8 text") })
                })
                .transpose()
        };
        if url.starts_with("ssh://") {
            let identity = text("identity")?
                .ok_or_else(|| CheckoutError::InvalidSecret { detail: "'identity' is missing".to_string() })?;
            let known_hosts = text("known_hosts")?
                .ok_or_else(|| CheckoutError::InvalidSecret { detail: "'known_hosts' is missing".to_string() })?;
            return Ok(GitAuth::Ssh { identity, passphrase: text("password")?, known_hosts });
        }
        if let Some(token) = text("bearerToken")? {
            return Ok(GitAuth::Bearer { token });
        }
        match (text("username")?, text("password")?) {
            (Some(username), Some(password)) => Ok(GitAuth::Basic { username, password }),
            (None, None) => Ok(GitAuth::None),
            (Some(_), None) => {
                Err(CheckoutError::InvalidSecret { detail: "'username' is set but 'password' is missing".into() })
            }
            (None, Some(_)) => {
                Err(CheckoutError::InvalidSecret { detail: "'password' is set but 'username' is missing".into() })
            }
        }
    }
}

/// Whether `known_hosts` (OpenSSH format, plain host names; hashed `|1|` entries are not read) lists `key` (the
/// raw host key blob the server presented) for `host` on `port`.
pub fn known_hosts_accepts(known_hosts: &str, host: &str, port: u16, key: &[u8]) -> bool {
    let wanted = if port == 22 { host.to_string() } else { format!("[{host}]:{port}") };
    known_hosts.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#')).any(|line| {
        let mut fields = line.split_whitespace();
        let (Some(hosts), Some(_key_type), Some(encoded)) = (fields.next(), fields.next(), fields.next()) else {
            return false;
        };
        let host_matches = hosts.split(',').any(|candidate| candidate == wanted);
        host_matches && base64::engine::general_purpose::STANDARD.decode(encoded).is_ok_and(|blob| blob == key)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.as_bytes().to_vec())).collect()
    }

    #[test]
    fn http_secrets_give_basic_or_bearer_auth() {
        let basic = GitAuth::from_secret_data("https://h/r", &data(&[("username", "u"), ("password", "p")])).unwrap();
        assert_eq!(basic, GitAuth::Basic { username: "u".into(), password: "p".into() });
        let bearer = GitAuth::from_secret_data("https://h/r", &data(&[("bearerToken", "t")])).unwrap();
        assert_eq!(bearer, GitAuth::Bearer { token: "t".into() });
        let half = GitAuth::from_secret_data("https://h/r", &data(&[("username", "u")])).unwrap_err();
        assert_eq!(half.to_string(), "invalid auth secret: 'username' is set but 'password' is missing");
        assert!(!format!("{basic:?}").contains("\"p\""), "Debug must not show the password");
    }

    #[test]
    fn ssh_secrets_need_identity_and_known_hosts() {
        let missing = GitAuth::from_secret_data("ssh://git@h/r", &data(&[("identity", "k")])).unwrap_err();
        assert_eq!(missing.reason(), "AuthenticationFailed");
        assert!(missing.to_string().contains("'known_hosts' is missing"));
        let ssh = GitAuth::from_secret_data("ssh://git@h/r", &data(&[("identity", "k"), ("known_hosts", "h")]));
        assert!(matches!(ssh, Ok(GitAuth::Ssh { .. })));
    }

    #[test]
    fn known_hosts_match_host_port_and_key() {
        let key = b"not a real key blob";
        let encoded = base64::engine::general_purpose::STANDARD.encode(key);
        let file = format!("# comment\ngithub.com,other ssh-ed25519 {encoded}\n[git.local]:2222 ssh-rsa {encoded}\n");
        assert!(known_hosts_accepts(&file, "github.com", 22, key));
        assert!(known_hosts_accepts(&file, "other", 22, key));
        assert!(known_hosts_accepts(&file, "git.local", 2222, key));
        assert!(!known_hosts_accepts(&file, "git.local", 22, key));
        assert!(!known_hosts_accepts(&file, "github.com", 22, b"another key"));
        assert!(!known_hosts_accepts(&file, "unknown.example", 22, key));
    }
}
