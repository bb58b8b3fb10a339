//! Helm's release storage as the helm-controller leaves it: a Secret `sh.helm.release.v1.<release>.v<N>` in the
//! storage namespace, whose `release` key holds base64 text of the gzipped JSON release (on top of the base64
//! every Secret value carries). Decoding gives the manifest (the release's objects) and the values applied.

use std::io::Read;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use super::objects::{Lookup, ObjectAccess};
use crate::api::references::ObjectReference;

/// What a Helm release holds that fluxtui shows.
#[derive(Debug, Clone, PartialEq)]
pub struct HelmReleaseData {
    pub name: String,
    pub namespace: String,
    pub version: i64,
    pub status: String,
    pub chart_name: String,
    pub chart_version: String,
    pub app_version: String,
    /// The user-supplied values merged by the helm-controller (`config`): what was applied on top of the chart.
    pub config: Value,
    /// The rendered manifest, YAML documents.
    pub manifest: String,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum HelmStorageError {
    #[error("the release Secret has no `release` key")]
    MissingRelease,
    #[error("the release Secret is not valid base64: {0}")]
    Base64(String),
    #[error("the release is not valid gzip: {0}")]
    Gzip(String),
    #[error("the release is not valid JSON: {0}")]
    Json(String),
    #[error("release {0} not found in namespace {1}")]
    NotFound(String, String),
    #[error("cannot read release {0}: {1}")]
    Unreadable(String, String),
}

/// Decodes a release Secret (as JSON from the API, where `data` values are base64).
pub fn decode_release_secret(secret: &Value) -> Result<HelmReleaseData, HelmStorageError> {
    let encoded = secret.pointer("/data/release").and_then(Value::as_str).ok_or(HelmStorageError::MissingRelease)?;
    let helm_text = STANDARD.decode(encoded.trim()).map_err(|err| HelmStorageError::Base64(err.to_string()))?;
    let helm_text: Vec<u8> = helm_text.into_iter().filter(|b| !b.is_ascii_whitespace()).collect();
    let compressed = STANDARD.decode(&helm_text).map_err(|err| HelmStorageError::Base64(err.to_string()))?;
    // Helm compresses releases, but reads uncompressed ones too (the gzip magic decides).
    let json = if compressed.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(compressed.as_slice())
            .read_to_end(&mut out)
            .map_err(|err| HelmStorageError::Gzip(err.to_string()))?;
        out
    } else {
        compressed
    };
    let release: Value = serde_json::from_slice(&json).map_err(|err| HelmStorageError::Json(err.to_string()))?;
    let text = |pointer: &str| release.pointer(pointer).and_then(Value::as_str).unwrap_or("").to_string();
    Ok(HelmReleaseData {
        name: text("/name"),
        namespace: text("/namespace"),
        version: release.get("version").and_then(Value::as_i64).unwrap_or(0),
        status: text("/info/status"),
        chart_name: text("/chart/metadata/name"),
        chart_version: text("/chart/metadata/version"),
        app_version: text("/chart/metadata/appVersion"),
        config: release.get("config").cloned().unwrap_or(Value::Null),
        manifest: text("/manifest"),
    })
}

/// The objects of a manifest: each YAML document's apiVersion, kind, name and namespace (namespaced or not is
/// for discovery to say; the caller clears the namespace of cluster-scoped kinds). Documents that are not
/// objects (comments only, empty) are skipped; unreadable ones are returned as errors.
pub fn manifest_objects(manifest: &str, release_namespace: &str) -> Vec<Result<ObjectReference, String>> {
    let mut documents = vec![String::new()];
    for line in manifest.lines() {
        if line.trim_end() == "---" {
            documents.push(String::new());
        } else if let Some(current) = documents.last_mut() {
            current.push_str(line);
            current.push('\n');
        }
    }
    documents
        .iter()
        .filter(|document| document.lines().any(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#')))
        .map(|document| {
            let value: Value =
                serde_saphyr::from_str(document).map_err(|err| format!("unreadable manifest document: {err}"))?;
            let text = |pointer: &str| value.pointer(pointer).and_then(Value::as_str).unwrap_or("").to_string();
            let (kind, name) = (text("/kind"), text("/metadata/name"));
            if kind.is_empty() || name.is_empty() {
                return Err("a manifest document without kind or metadata.name".to_string());
            }
            let namespace = Some(text("/metadata/namespace")).filter(|ns| !ns.is_empty());
            Ok(ObjectReference {
                kind,
                name,
                namespace: namespace.unwrap_or_else(|| release_namespace.to_string()),
                api_version: Some(text("/apiVersion")),
            })
        })
        .collect()
}

/// Where a HelmRelease's Helm release is stored: (storage namespace, release name, version if known).
pub fn release_location(helm_release: &Value) -> (String, String, Option<i64>) {
    let text = |pointer: &str| helm_release.pointer(pointer).and_then(Value::as_str).filter(|s| !s.is_empty());
    let own_namespace = text("/metadata/namespace").unwrap_or("default");
    let name = text("/metadata/name").unwrap_or("");
    let storage_namespace =
        text("/status/storageNamespace").or(text("/spec/storageNamespace")).unwrap_or(own_namespace);
    let latest = helm_release.pointer("/status/history/0");
    let release_name = latest
        .and_then(|snapshot| snapshot.get("name")?.as_str())
        .map(str::to_string)
        .or_else(|| text("/spec/releaseName").map(str::to_string))
        .unwrap_or_else(|| default_release_name(text("/spec/targetNamespace"), name));
    let version = latest
        .and_then(|snapshot| snapshot.get("version")?.as_i64())
        .or_else(|| helm_release.pointer("/status/lastReleaseRevision").and_then(Value::as_i64));
    (storage_namespace.to_string(), release_name, version)
}

/// helm-controller's default release name: `[<targetNamespace>-]<name>`, shortened past Helm's 53 characters.
fn default_release_name(target_namespace: Option<&str>, name: &str) -> String {
    let full = match target_namespace {
        Some(target) => format!("{target}-{name}"),
        None => name.to_string(),
    };
    if full.len() <= 53 {
        return full;
    }
    use sha2::Digest;
    let digest: String = sha2::Sha256::digest(full.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect();
    let prefix: String = full.chars().take(40).collect();
    format!("{prefix}-{}", &digest[..12])
}

/// Reads and decodes the current release of a HelmRelease. Without a known version, the newest stored
/// release (by Helm's `version` label) is taken.
pub async fn fetch_release(access: &ObjectAccess, helm_release: &Value) -> Result<HelmReleaseData, HelmStorageError> {
    let (namespace, release, version) = release_location(helm_release);
    let version = match version {
        Some(version) => version,
        None => {
            let selector = format!("owner=helm,name={release}");
            let secrets = access
                .list("v1", "Secret", &namespace, Some(&selector))
                .await
                .map_err(|lookup| HelmStorageError::Unreadable(release.clone(), describe_lookup(&lookup)))?;
            secrets
                .iter()
                .filter_map(|secret| secret.pointer("/metadata/labels/version")?.as_str()?.parse::<i64>().ok())
                .max()
                .ok_or_else(|| HelmStorageError::NotFound(release.clone(), namespace.clone()))?
        }
    };
    let secret_name = format!("sh.helm.release.v1.{release}.v{version}");
    let reference = ObjectReference {
        kind: "Secret".to_string(),
        name: secret_name.clone(),
        namespace: namespace.clone(),
        api_version: Some("v1".to_string()),
    };
    match access.get(&reference).await {
        Lookup::Found(secret) => decode_release_secret(&secret),
        Lookup::NotFound => Err(HelmStorageError::NotFound(secret_name, namespace)),
        other => Err(HelmStorageError::Unreadable(secret_name, describe_lookup(&other))),
    }
}

/// A failed lookup in words.
pub fn describe_lookup(lookup: &Lookup) -> String {
    match lookup {
        Lookup::Found(_) => "found".to_string(),
        Lookup::NotFound => "not found".to_string(),
        Lookup::Forbidden(message) => format!("forbidden: {message}"),
        Lookup::UnknownKind(message) | Lookup::Failed(message) => message.clone(),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use serde_json::json;

    use super::*;

    fn secret_for(release: &Value) -> Value {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(release.to_string().as_bytes()).unwrap();
        let helm_text = STANDARD.encode(gz.finish().unwrap());
        json!({"apiVersion": "v1", "kind": "Secret", "data": {"release": STANDARD.encode(helm_text)}})
    }

    #[test]
    fn a_release_secret_decodes_to_manifest_and_values() {
        let release = json!({
            "name": "podinfo", "namespace": "apps", "version": 3,
            "info": {"status": "deployed"},
            "chart": {"metadata": {"name": "podinfo", "version": "6.5.0", "appVersion": "6.5.0"}},
            "config": {"replicaCount": 2},
            "manifest": "---\n# Source: podinfo/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: podinfo\n---\n# Source: x\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: podinfo\n  namespace: other\n"
        });
        let data = decode_release_secret(&secret_for(&release)).unwrap();
        assert_eq!((data.version, data.status.as_str(), data.chart_version.as_str()), (3, "deployed", "6.5.0"));
        assert_eq!(data.config, json!({"replicaCount": 2}));
        let objects: Vec<_> = manifest_objects(&data.manifest, "apps").into_iter().map(Result::unwrap).collect();
        assert_eq!(objects.len(), 2);
        assert_eq!((objects[0].kind.as_str(), objects[0].namespace.as_str()), ("Service", "apps"));
        assert_eq!((objects[1].api_version.as_deref(), objects[1].namespace.as_str()), (Some("apps/v1"), "other"));
    }

    #[test]
    fn corrupt_secrets_are_errors_not_panics() {
        assert_eq!(decode_release_secret(&json!({"data": {}})), Err(HelmStorageError::MissingRelease));
        let not_base64 = json!({"data": {"release": "%%%"}});
        assert!(matches!(decode_release_secret(&not_base64), Err(HelmStorageError::Base64(_))));
        let not_gzip = json!({"data": {"release": STANDARD.encode(STANDARD.encode([0x1f, 0x8b, 1, 2]))}});
        assert!(matches!(decode_release_secret(&not_gzip), Err(HelmStorageError::Gzip(_))));
    }

    #[test]
    fn release_names_follow_the_helm_controller() {
        let hr =
            json!({"metadata": {"name": "podinfo", "namespace": "flux-system"}, "spec": {"targetNamespace": "apps"}});
        assert_eq!(release_location(&hr), ("flux-system".to_string(), "apps-podinfo".to_string(), None));
        let hr = json!({"metadata": {"name": "podinfo", "namespace": "apps"}, "status": {"storageNamespace": "store",
            "history": [{"name": "custom", "version": 4}]}});
        assert_eq!(release_location(&hr), ("store".to_string(), "custom".to_string(), Some(4)));
        let long = default_release_name(Some("a-very-long-target-namespace-name"), "and-a-very-long-release-name");
        assert_eq!(long.len(), 53);
    }
}
