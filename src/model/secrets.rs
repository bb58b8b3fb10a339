//! Which values the describe and YAML views hide until the user asks to reveal them.
//!
//! Two rules: every value of a Secret's `data` and `stringData`, and any value whose key looks like it holds a
//! credential (`password`, `token`, `apiKey`, `identity`...), wherever it sits: HelmRelease values,
//! post-build substitutions, provider specs. References to secrets (`secretRef`, `secretName`,
//! `existingSecret`) name a Secret and stay visible, since they are what people debug.

/// What a masked value shows instead: fixed width, so the length of the secret does not leak.
pub const MASK: &str = "••••••••";

/// Whether the value at `path` (object keys from the top of the object; list items add no segment) looks
/// secret by its key alone.
///
/// Metadata is never masked: labels and annotations are public by design, and hiding
/// `event.toolkit.fluxcd.io/token` style keys would only confuse.
pub fn is_secret_key(path: &[&str]) -> bool {
    if path.first() == Some(&"metadata") {
        return false;
    }
    let Some(key) = path.last() else { return false };
    let key: String = key.chars().filter(|c| !matches!(c, '_' | '-' | '.')).flat_map(char::to_lowercase).collect();
    // Names of, and pointers to, secrets: `secretRef`, `certSecretRef`, `secretName`, `existingSecret`,
    // `tokenUrl`, `passwordFile` and the like.
    const REFERENCE_SUFFIXES: &[&str] =
        &["ref", "refs", "name", "names", "namespace", "selector", "path", "paths", "file", "url", "enabled"];
    if key.starts_with("existing") || REFERENCE_SUFFIXES.iter().any(|suffix| key.ends_with(suffix)) {
        return false;
    }
    const SECRET_WORDS: &[&str] =
        &["password", "passwd", "passphrase", "token", "secret", "apikey", "privatekey", "credential"];
    // Keys of Flux auth Secrets and Docker config that are secret under names that say nothing.
    const SECRET_KEYS: &[&str] =
        &["identity", "tlskey", "accountkey", "saskey", "dockerconfigjson", "dockercfg", "sshprivatekey", "auth"];
    SECRET_WORDS.iter().any(|word| key.contains(word)) || SECRET_KEYS.contains(&key.as_str())
}

/// The masking rule for one object: [`is_secret_key`], plus all data of a v1 Secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Masking {
    /// The object is a core Secret: everything under `data` and `stringData` is hidden.
    pub secret_object: bool,
    /// The user asked to see everything.
    pub reveal: bool,
}

impl Masking {
    pub fn for_object(value: &serde_json::Value, reveal: bool) -> Masking {
        let secret_object = value.get("kind").and_then(serde_json::Value::as_str) == Some("Secret")
            && value.get("apiVersion").and_then(serde_json::Value::as_str) == Some("v1");
        Masking { secret_object, reveal }
    }

    /// Whether the scalar at `path` is shown as [`MASK`].
    pub fn masks(&self, path: &[&str]) -> bool {
        if self.reveal {
            return false;
        }
        if self.secret_object {
            match path {
                ["data" | "stringData", _, ..] => return true,
                // `kubectl apply` keeps the whole Secret, data included, in this annotation.
                ["metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"] => return true,
                _ => {}
            }
        }
        is_secret_key(path)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn credentials_are_secret() {
        for path in [
            &["spec", "values", "redis", "password"][..],
            &["spec", "values", "auth", "adminPassword"],
            &["spec", "values", "oauth", "client_secret"],
            &["spec", "values", "grafana", "apiKey"],
            &["spec", "values", "api_key"],
            &["spec", "values", "github", "bearerToken"],
            &["spec", "postBuild", "substitute", "cluster_token"],
            &["data", "identity"],
            &["data", "githubAppPrivateKey"],
            &["data", "tls.key"],
            &["data", ".dockerconfigjson"],
            &["stringData", "secretkey"],
            &["spec", "values", "tokens"],
        ] {
            assert!(is_secret_key(path), "{path:?}");
        }
    }

    #[test]
    fn references_and_public_keys_are_not() {
        for path in [
            &["spec", "secretRef"][..],
            &["spec", "secretRef", "name"],
            &["spec", "verify", "secretRef", "name"],
            &["spec", "values", "secretName"],
            &["spec", "values", "existingSecret"],
            &["spec", "values", "auth", "existingSecretPasswordKey"],
            &["spec", "values", "passwordFile"],
            &["spec", "values", "tokenUrl"],
            &["spec", "certSecretRef"],
            &["data", "known_hosts"],
            &["data", "ca.crt"],
            &["data", "caFile"],
            &["data", "username"],
            &["metadata", "annotations", "event.toolkit.fluxcd.io/token"],
            &["spec", "interval"],
            &[],
        ] {
            assert!(!is_secret_key(path), "{path:?}");
        }
    }

    #[test]
    fn secret_objects_hide_all_data_unless_revealed() {
        let secret = json!({"apiVersion": "v1", "kind": "Secret", "data": {"username": "Z2l0"}});
        let masking = Masking::for_object(&secret, false);
        assert!(masking.masks(&["data", "username"]));
        assert!(masking.masks(&["stringData", "ca.crt"]));
        assert!(masking.masks(&["metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"]));
        assert!(!masking.masks(&["metadata", "name"]));
        assert!(!masking.masks(&["type"]));
        assert!(!Masking::for_object(&secret, true).masks(&["data", "username"]));
        let config_map = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"username": "git"}});
        assert!(!Masking::for_object(&config_map, false).masks(&["data", "username"]));
        assert!(Masking::for_object(&config_map, false).masks(&["data", "password"]));
    }
}
