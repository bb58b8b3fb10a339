//! A HelmChart from a HelmRepository of `type: oci` (source-controller's `buildFromHelmRepository` with an
//! `OCIChartRepository`): the chart is the registry repository `<spec.url>/<spec.chart>`, its versions are that
//! repository's tags (Helm writes a version's `+` as `_` in a tag), and the package is the manifest's layer of
//! Helm's chart media type.
//!
//! The registry work is the OCIRepository's engine ([`crate::controllers::oci_repository`]): its client, its
//! credentials ([`OciAuth`], from the HelmRepository's `secretRef`: `username`/`password` or a
//! `.dockerconfigjson`), its tag listing and semver selection; the layer is taken with its `copy` operation and
//! then packaged as a chart downloaded from a chart repository is ([`super::pull::package_pulled`]).
//!
//! Failures read as Flux's: credentials the registry refuses are `AuthenticationFailed` (`failed to login to OCI
//! registry: ...`, retried); an unknown chart, no tag at all or no version in the range are
//! `InvalidChartReference` (stalled, as in Flux); a registry that cannot be reached or answers with an error is
//! `ChartPullError` and retried (Flux reports a failed tag listing as `InvalidChartReference` and stalls, which
//! would never retry a registry that is down for a moment).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use thiserror::Error;

use super::error::ChartBuildError;
use super::local::BuiltChart;
use super::pull::{DEFAULT_MAX_CHART_SIZE, PackageOptions, package_pulled};
use crate::api::source::helm_repository::HelmRepository;
use crate::controllers::conditions::Outcome;
use crate::controllers::helm_repository::reconcile::repository_timeout;
use crate::controllers::names::{condition, reason};
use crate::controllers::oci_repository::request::{LayerOperation, LayerSelector, OciReference};
use crate::controllers::oci_repository::{OciAuth, OciError, OciRequest, OciUrl, PulledContent, list_tags, pull};
use crate::controllers::runtime::context::Context;
use crate::controllers::semver_range::parse_version;
use crate::controllers::semver_tags::{SemverError, highest_matching_tag};

/// The media type of a Helm chart's package in an OCI artifact (`helm push`).
pub const CHART_LAYER_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

/// Why a chart could not come from an OCI registry.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OciChartError {
    /// The HelmRepository's `spec.url` is not `oci://<host>[:port]/<path>`.
    #[error("invalid Helm repository URL: {0}")]
    RepositoryUrl(OciError),
    /// The secret cannot be used, or the registry refused its credentials (or asked for some).
    #[error("failed to login to OCI registry: {0}")]
    Authentication(OciError),
    /// The engine cannot do what the spec asks for (a cloud provider's identity, signature verification).
    #[error("{message}")]
    Unsupported { reason: &'static str, message: String },
    #[error(transparent)]
    Build(#[from] ChartBuildError),
}

impl From<OciChartError> for Outcome {
    fn from(err: OciChartError) -> Outcome {
        let fetch_failed = |why: &str, terminal: bool, message: String| {
            Outcome::failed(Some(condition::FETCH_FAILED), why, message, terminal)
        };
        match err {
            OciChartError::RepositoryUrl(_) => fetch_failed(reason::URL_INVALID, true, err.to_string()),
            OciChartError::Authentication(_) => fetch_failed(reason::AUTHENTICATION_FAILED, false, err.to_string()),
            OciChartError::Unsupported { reason, message } => Outcome::failed(None, reason, message, true),
            OciChartError::Build(build) => build.into(),
        }
    }
}

/// What to look up and pull.
#[derive(Debug, Clone)]
pub struct OciChartRequest {
    /// `oci://<host>[:port]/<path>/<chart>`: the HelmRepository's `spec.url` and the HelmChart's `spec.chart`.
    pub reference: String,
    /// `spec.chart`.
    pub chart: String,
    /// `spec.version`: an exact version, a semver range, or empty or `*` for the latest stable version.
    pub version: String,
    pub auth: OciAuth,
    /// The HelmRepository's `spec.insecure`: plain HTTP.
    pub insecure: bool,
    /// The HelmRepository's `spec.timeout`.
    pub timeout: Duration,
}

/// The version picked in the registry, ready to pull.
#[derive(Debug, Clone)]
pub struct OciChartVersion {
    /// The chart's version: the tag with `_` read as `+`.
    pub version: String,
    /// The pull of that tag's chart layer.
    request: OciRequest,
}

/// The chart reference of `spec.chart` in the registry at `repository_url`, and the registry host.
pub fn chart_reference(repository_url: &str, chart: &str) -> Result<(String, String), OciChartError> {
    let registry = OciUrl::parse(repository_url).map_err(OciChartError::RepositoryUrl)?.registry;
    let reference = format!("{}/{}", repository_url.trim_end_matches('/'), chart.trim_matches('/'));
    OciUrl::parse(&reference).map_err(|err| tags_failed(chart, err))?;
    Ok((reference, registry))
}

/// The request a HelmChart at `chart` and `version` makes of the OCI HelmRepository `repository`: its URL, its
/// credentials (read from `spec.secretRef`), `spec.insecure` and `spec.timeout`.
pub async fn request_for(
    ctx: &Context,
    repository: &HelmRepository,
    chart: &str,
    version: &str,
) -> Result<OciChartRequest, OciChartError> {
    let spec = &repository.spec;
    match spec.provider.as_deref().map(str::trim).unwrap_or("") {
        "" | "generic" => {}
        provider => {
            return Err(OciChartError::Unsupported {
                reason: reason::AUTHENTICATION_FAILED,
                message: format!(
                    "unsupported provider '{provider}' on HelmRepository '{}': fluxtui's engine logs in to OCI \
                     registries only with spec.secretRef (provider 'generic')",
                    repository.metadata.name.as_deref().unwrap_or_default()
                ),
            });
        }
    }
    let (reference, registry) = chart_reference(spec.url.as_deref().unwrap_or_default(), chart)?;
    let auth = match spec.secret_ref.as_ref().and_then(|r| r.name.as_deref()) {
        Some(secret) => {
            let namespace = repository.metadata.namespace.as_deref().unwrap_or_default();
            // A missing secret may appear later: an authentication failure, retried.
            let data = ctx
                .secret_data(namespace, secret)
                .await
                .map_err(|err| OciChartError::Authentication(OciError::InvalidSecret { detail: err.to_string() }))?;
            secret_auth(&registry, &data)?
        }
        None => OciAuth::Anonymous,
    };
    Ok(OciChartRequest {
        reference,
        chart: chart.to_string(),
        version: version.to_string(),
        auth,
        insecure: spec.insecure.unwrap_or(false),
        timeout: repository_timeout(repository),
    })
}

/// The credentials in a HelmRepository's secret. Flux logs in only when the secret holds login data
/// (`username` and `password`, or `.dockerconfigjson`); a secret with TLS files alone means anonymous access.
fn secret_auth(registry: &str, data: &BTreeMap<String, Vec<u8>>) -> Result<OciAuth, OciChartError> {
    let login_keys = ["username", "password", crate::controllers::oci_repository::auth::DOCKER_CONFIG_JSON_KEY];
    if !login_keys.iter().any(|key| data.contains_key(*key)) {
        return Ok(OciAuth::Anonymous);
    }
    OciAuth::from_secret_data(registry, data).map_err(OciChartError::Authentication)
}

/// Lists the chart's tags and picks the version `request.version` asks for.
pub async fn resolve_oci_chart(request: &OciChartRequest) -> Result<OciChartVersion, OciChartError> {
    let pull_request = OciRequest {
        auth: request.auth.clone(),
        insecure: request.insecure,
        timeout: request.timeout,
        layer_selector: Some(LayerSelector {
            media_type: Some(CHART_LAYER_MEDIA_TYPE.to_string()),
            operation: LayerOperation::Copy,
        }),
        ..OciRequest::new(request.reference.clone())
    };
    let tags = list_tags(&pull_request).await.map_err(|err| tags_failed(&request.chart, err))?;
    let version = pick_version(&request.chart, tags.iter().map(String::as_str), &request.version)?;
    let tag = version.replace('+', "_");
    let reference = OciReference { tag: Some(tag), ..OciReference::default() };
    Ok(OciChartVersion { version, request: OciRequest { reference, ..pull_request } })
}

/// Helm's `getLastMatchingVersionOrConstraint` over the tags that are versions (`_` read as `+`): the exact
/// version when a tag is it, otherwise the highest version in the range (`*` when empty, which leaves out
/// prereleases).
pub fn pick_version<'a>(
    chart: &str,
    tags: impl Iterator<Item = &'a str>,
    version: &str,
) -> Result<String, ChartBuildError> {
    let invalid = |detail: String| {
        ChartBuildError::InvalidChartReference(format!("failed to get chart version for remote reference: {detail}"))
    };
    let versions: Vec<String> =
        tags.map(|tag| tag.replace('_', "+")).filter(|tag| parse_version(tag).is_some()).collect();
    if versions.is_empty() {
        return Err(invalid(format!("unable to locate any tags in provided repository: {chart}")));
    }
    let wanted = version.trim();
    if !wanted.is_empty()
        && let Some(exact) = versions.iter().find(|v| v.as_str() == wanted)
    {
        return Ok(exact.clone());
    }
    let range = if wanted.is_empty() { "*" } else { wanted };
    highest_matching_tag(range, versions.iter().map(String::as_str)).map_err(|err| match err {
        SemverError::InvalidRange { detail, .. } => invalid(format!("improper constraint: {range}: {detail}")),
        SemverError::NoMatch { .. } => {
            invalid(format!("could not locate a version matching provided version string {wanted}"))
        }
    })
}

/// Pulls the chart layer of `found` into `work` and packages it into `output` as `<name>-<version>.tgz`, the
/// version being `version` (the chart's, with Flux's build metadata when there is some).
pub async fn pull_oci_chart(
    found: &OciChartVersion,
    version: String,
    options: &PackageOptions<'_>,
    work: &Path,
    output: &Path,
) -> Result<BuiltChart, OciChartError> {
    let pulled = pull(&found.request, work).await.map_err(|err| match err {
        OciError::AuthenticationFailed { .. } | OciError::InvalidSecret { .. } => OciChartError::Authentication(err),
        other => download_failed(other.to_string()),
    })?;
    let file = match &pulled.content {
        PulledContent::File(file) => file.clone(),
        // The request asks for `copy`, which always writes a file.
        PulledContent::Directory(dir) => return Err(download_failed(format!("{} is not a file", dir.display()))),
    };
    let size = tokio::fs::metadata(&file).await.map_err(|e| download_failed(e.to_string()))?.len();
    if size > DEFAULT_MAX_CHART_SIZE {
        return Err(download_failed(format!(
            "the chart layer is {size} bytes, more than the {DEFAULT_MAX_CHART_SIZE} bytes a chart may have"
        )));
    }
    let bytes = tokio::fs::read(&file).await.map_err(|e| download_failed(e.to_string()))?;
    Ok(package_pulled(bytes, version, options, output).await?)
}

fn download_failed(detail: String) -> OciChartError {
    ChartBuildError::ChartPull(format!("failed to download chart for remote reference: {detail}")).into()
}

/// A failed tag listing as the user can act on it: credentials, an unknown chart, or a registry to retry.
fn tags_failed(chart: &str, err: OciError) -> OciChartError {
    let detail = format!("failed to get chart version for remote reference: failed to get tags for {chart}: {err}");
    match err {
        OciError::AuthenticationFailed { .. } | OciError::InvalidSecret { .. } => OciChartError::Authentication(err),
        OciError::ArtifactNotFound { .. } | OciError::InvalidUrl { .. } | OciError::InvalidReference { .. } => {
            ChartBuildError::InvalidChartReference(detail).into()
        }
        _ => ChartBuildError::ChartPull(detail).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAGS: [&str; 6] = ["6.0.0", "6.1.0", "6.1.1_build.2", "6.2.0-rc.1", "latest", "v7.0.0-beta"];

    fn pick(version: &str) -> Result<String, ChartBuildError> {
        pick_version("podinfo", TAGS.into_iter(), version)
    }

    #[test]
    fn versions_are_picked_as_helm_picks_them() {
        assert_eq!(pick("").unwrap(), "6.1.1+build.2", "latest stable, `_` read as `+`");
        assert_eq!(pick("*").unwrap(), "6.1.1+build.2");
        assert_eq!(pick("6.0.x").unwrap(), "6.0.0");
        assert_eq!(pick(">=6.0.0-0").unwrap(), "v7.0.0-beta", "a prerelease range takes prereleases");
        assert_eq!(pick("6.2.0-rc.1").unwrap(), "6.2.0-rc.1", "an exact version is used as is");
        assert_eq!(pick("6.1.1+build.2").unwrap(), "6.1.1+build.2");
    }

    #[test]
    fn no_version_is_an_invalid_chart_reference() {
        let none = pick(">=8.0.0").unwrap_err();
        assert_eq!(none.reason(), "InvalidChartReference");
        assert_eq!(
            none.to_string(),
            "invalid chart reference: failed to get chart version for remote reference: could not locate a \
             version matching provided version string >=8.0.0"
        );
        let bad = pick("not a range").unwrap_err();
        assert!(bad.to_string().contains("improper constraint: not a range"), "{bad}");
        let empty = pick_version("podinfo", ["latest"].into_iter(), "*").unwrap_err();
        assert!(empty.to_string().ends_with("unable to locate any tags in provided repository: podinfo"), "{empty}");
    }

    #[test]
    fn references_join_the_repository_and_the_chart() {
        let (reference, registry) = chart_reference("oci://127.0.0.1:5000/charts/", "podinfo").unwrap();
        assert_eq!((reference.as_str(), registry.as_str()), ("oci://127.0.0.1:5000/charts/podinfo", "127.0.0.1:5000"));
        let url = chart_reference("https://h/charts", "podinfo").unwrap_err();
        assert!(matches!(url, OciChartError::RepositoryUrl(_)), "{url}");
        let outcome = Outcome::from(url);
        assert!(matches!(outcome, Outcome::Failed { terminal: true, ref reason, .. } if reason == "URLInvalid"));
        let chart = chart_reference("oci://h/charts", "Podinfo").unwrap_err();
        assert!(matches!(chart, OciChartError::Build(ChartBuildError::InvalidChartReference(_))), "{chart}");
    }

    #[test]
    fn secrets_without_login_data_are_anonymous() {
        let data = |pairs: &[(&str, &str)]| -> BTreeMap<String, Vec<u8>> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.as_bytes().to_vec())).collect()
        };
        assert_eq!(secret_auth("h", &data(&[("ca.crt", "x")])).unwrap(), OciAuth::Anonymous);
        let basic = secret_auth("h", &data(&[("username", "u"), ("password", "p")])).unwrap();
        assert_eq!(basic, OciAuth::Basic { username: "u".into(), password: "p".into() });
        let half = secret_auth("h", &data(&[("username", "u")])).unwrap_err();
        let Outcome::Failed { reason, terminal, message, .. } = Outcome::from(half) else { panic!() };
        assert_eq!((reason.as_str(), terminal), ("AuthenticationFailed", false));
        assert!(message.starts_with("failed to login to OCI registry: invalid auth secret:"), "{message}");
    }
}
