//! The generator's inputs: each `spec.sources[]` entry resolved to its object's artifact ([`observe`]), the digest
//! of what was observed ([`sources_digest`], source-watcher's `HashObservedSources`, so a new source revision
//! shows as drift), and each artifact unpacked from storage under its alias ([`fetch`]).
//!
//! A HelmChart's artifact is a packaged chart (`.tgz`); like source-watcher's fetcher, which untars every
//! artifact, it is unpacked, so its files sit under `<chart name>/` in the alias's directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::api::FluxKind;
use crate::api::meta::Artifact;
use crate::api::source::artifact_generator::ArtifactGenerator;
use crate::controllers::names::annotation;
use crate::controllers::runtime::context::Context;
use crate::controllers::storage::{DEFAULT_MAX_UNPACKED_SIZE, Storage};

/// The kinds a generator may read from.
pub const SOURCE_KINDS: [FluxKind; 5] = [
    FluxKind::Bucket,
    FluxKind::GitRepository,
    FluxKind::OciRepository,
    FluxKind::HelmChart,
    FluxKind::ExternalArtifact,
];

/// One source as observed at the start of a reconcile.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedSource {
    pub digest: String,
    pub revision: String,
    /// `org.opencontainers.image.revision` of the source's artifact metadata, when it has one.
    pub origin_revision: Option<String>,
    pub url: String,
    pub artifact: Artifact,
}

/// The kind named in a source reference, if a generator may read from it.
pub fn source_kind(name: &str) -> Option<FluxKind> {
    FluxKind::from_name(name).filter(|kind| SOURCE_KINDS.contains(kind))
}

/// Reads every source's artifact, by alias. The error is the message after `get sources failed: `.
pub async fn observe(ctx: &Context, generator: &ArtifactGenerator) -> Result<BTreeMap<String, ObservedSource>, String> {
    let own_namespace = generator.metadata.namespace.clone().unwrap_or_default();
    let mut observed = BTreeMap::new();
    for source in generator.spec.sources.iter().flatten() {
        let alias = source.alias.clone().unwrap_or_default();
        let name = source.name.clone().unwrap_or_default();
        let kind_name = source.kind.clone().unwrap_or_default();
        let namespace = source.namespace.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| own_namespace.clone());
        let Some(kind) = source_kind(&kind_name) else {
            return Err(format!("source `{name}` kind '{kind_name}' not supported"));
        };
        let api = ctx.api(kind, &namespace).ok_or_else(|| format!("{kind_name} is not served by the cluster"))?;
        let object = match api.get(&name).await {
            Ok(object) => object,
            // As the API server words it: `gitrepositories.source.toolkit.fluxcd.io "x" not found`.
            Err(kube::Error::Api(status)) if status.code == 404 => return Err(status.message),
            Err(err) => return Err(format!("unable to get source '{namespace}/{name}': {err}")),
        };
        let artifact: Option<Artifact> = object
            .to_value()
            .pointer("/status/artifact")
            .filter(|a| a.is_object())
            .and_then(|a| serde_json::from_value(a.clone()).ok());
        let Some(artifact) = artifact else {
            return Err(format!("source '{kind_name}/{namespace}/{name}' is not ready"));
        };
        let origin_revision =
            artifact.metadata.as_ref().and_then(|m| m.get(annotation::OCI_REVISION)).filter(|r| !r.is_empty()).cloned();
        observed.insert(
            alias,
            ObservedSource {
                digest: artifact.digest.clone().unwrap_or_default(),
                revision: artifact.revision.clone().unwrap_or_default(),
                origin_revision,
                url: artifact.url.clone().unwrap_or_default(),
                artifact,
            },
        );
    }
    Ok(observed)
}

/// `sha256:<hex>` over the sorted `alias=[digest=…,revision=…,url=…]` parts joined by `|`, as source-watcher's
/// `HashObservedSources` computes `status.observedSourcesDigest`.
pub fn sources_digest(sources: &BTreeMap<String, ObservedSource>) -> String {
    let mut parts: Vec<String> = sources
        .iter()
        .map(|(alias, s)| format!("{alias}=[digest={},revision={},url={}]", s.digest, s.revision, s.url))
        .collect();
    parts.sort();
    format!("sha256:{:x}", Sha256::digest(parts.join("|").as_bytes()))
}

/// Unpacks every source's artifact into `<workspace>/<alias>`, verifying its digest first; returns the
/// directories by alias. The error is the message after `fetch sources failed: `.
pub fn fetch(
    storage: &Storage,
    sources: &BTreeMap<String, ObservedSource>,
    workspace: &Path,
) -> Result<BTreeMap<String, PathBuf>, String> {
    let mut directories = BTreeMap::new();
    for (alias, source) in sources {
        let directory = workspace.join("sources").join(alias);
        storage
            .unpack_verified(&source.artifact, &directory, DEFAULT_MAX_UNPACKED_SIZE)
            .map_err(|err| format!("failed to fetch artifact of '{alias}' from {}: {err}", source.url))?;
        directories.insert(alias.clone(), directory);
    }
    Ok(directories)
}

/// The revision of `@alias` (an output's `revision` or `originRevision`), if the alias is a source.
pub fn alias_of(reference: &str) -> &str {
    reference.strip_prefix('@').unwrap_or(reference)
}

/// Reads the artifact of a source object as JSON (used by the watches to compare revisions).
pub fn artifact_key(object: &Value) -> Option<(String, String)> {
    let artifact = object.pointer("/status/artifact")?;
    Some((
        artifact.get("revision").and_then(Value::as_str).unwrap_or_default().to_string(),
        artifact.get("digest").and_then(Value::as_str).unwrap_or_default().to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(digest: &str, revision: &str, url: &str) -> ObservedSource {
        ObservedSource {
            digest: digest.into(),
            revision: revision.into(),
            origin_revision: None,
            url: url.into(),
            artifact: Artifact::default(),
        }
    }

    #[test]
    fn the_sources_digest_is_source_watchers() {
        let mut sources = BTreeMap::new();
        sources.insert("repo".to_string(), source("sha256:aa", "main@sha1:bb", "http://h/x.tar.gz"));
        let expected = format!(
            "sha256:{:x}",
            Sha256::digest(b"repo=[digest=sha256:aa,revision=main@sha1:bb,url=http://h/x.tar.gz]")
        );
        assert_eq!(sources_digest(&sources), expected);
        sources.insert("other".to_string(), source("sha256:cc", "v1", "http://h/y.tar.gz"));
        assert_ne!(sources_digest(&sources), expected);
    }

    #[test]
    fn only_source_kinds_are_accepted() {
        assert_eq!(source_kind("GitRepository"), Some(FluxKind::GitRepository));
        assert_eq!(source_kind("HelmChart"), Some(FluxKind::HelmChart));
        assert_eq!(source_kind("HelmRepository"), None);
        assert_eq!(source_kind("Kustomization"), None);
    }
}
