//! Flux artifacts pushed to the test registry as `flux push artifact` pushes them (Flux's config and content
//! media types, the OCI annotations), with oci-client; shared by the OCI pull tests and the engine's
//! OCIRepository tests.

use std::collections::BTreeMap;

use fluxtui::controllers::oci_repository::install_crypto_provider;
use fluxtui_testkit::Registry;
use oci_client::client::{ClientConfig, ClientProtocol, Config, ImageLayer};
use oci_client::manifest::OciImageManifest;
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};

pub const FLUX_CONFIG: &str = "application/vnd.cncf.flux.config.v1+json";
pub const FLUX_CONTENT: &str = "application/vnd.cncf.flux.content.v1.tar+gzip";
/// A media type of our own, for a second layer the layer selector picks.
pub const VALUES: &str = "application/vnd.example.values.v1+yaml";
/// `org.opencontainers.image.source` of every pushed artifact.
pub const SOURCE: &str = "https://git.example/app";

pub use fluxtui_testkit::tar_gz;

/// A Flux content layer holding `files`.
pub fn content(files: &[(&str, &str)]) -> ImageLayer {
    ImageLayer::new(tar_gz(files), FLUX_CONTENT.to_string(), None)
}

/// The manifest annotations `flux push artifact --source --revision` writes.
pub fn annotations(revision: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("org.opencontainers.image.created".to_string(), "2026-01-02T03:04:05Z".to_string()),
        ("org.opencontainers.image.revision".to_string(), revision.to_string()),
        ("org.opencontainers.image.source".to_string(), SOURCE.to_string()),
    ])
}

/// Pushes `layers` under `tags` as one Flux artifact (origin revision `main@sha1:<first tag>`) and returns its
/// manifest digest, as the registry reports it in the `Location` of the manifest it stored.
pub async fn push(
    registry: &Registry,
    auth: &RegistryAuth,
    repository: &str,
    tags: &[&str],
    layers: &[ImageLayer],
) -> String {
    install_crypto_provider();
    let client = Client::new(ClientConfig { protocol: ClientProtocol::Http, ..ClientConfig::default() });
    let config = Config::new(b"{}".to_vec(), FLUX_CONFIG.to_string(), None);
    let manifest = OciImageManifest::build(layers, &config, Some(annotations(&format!("main@sha1:{}", tags[0]))));
    let mut digest = None;
    for tag in tags {
        let image = Reference::with_tag(registry.host(), repository.to_string(), tag.to_string());
        let pushed = client.push(&image, layers, config.clone(), auth, Some(manifest.clone())).await;
        let pushed = pushed.unwrap_or_else(|e| panic!("push {tag}: {e}\n{}", registry.log()));
        let location = pushed.manifest_url.rsplit('/').next().unwrap().to_string();
        assert!(location.starts_with("sha256:"), "{}", pushed.manifest_url);
        assert!(digest.as_ref().is_none_or(|d| d == &location), "one manifest under every tag");
        digest = Some(location);
    }
    digest.unwrap()
}
