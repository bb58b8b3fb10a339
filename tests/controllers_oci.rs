//! The OCIRepository pull engine against a real registry on loopback (Debian's `docker-registry`, from the
//! testkit), anonymous and behind basic auth. Artifacts are pushed as `flux push artifact` pushes them (Flux's
//! config and content media types, the OCI annotations), with oci-client; the registry's own `Location` answer is
//! the oracle for manifest digests.

#[path = "support/oci_artifacts.rs"]
mod oci_artifacts;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use base64::Engine;
use fluxtui::controllers::oci_repository::auth::DOCKER_CONFIG_JSON_KEY;
use fluxtui::controllers::oci_repository::{
    LayerOperation, LayerSelector, OciAuth, OciError, OciPull, OciReference, OciRequest, PulledContent, pull,
    resolve_revision,
};
use fluxtui_testkit::Registry;
use oci_artifacts::{FLUX_CONTENT, VALUES, annotations, content, push};
use oci_client::client::ImageLayer;
use oci_client::secrets::RegistryAuth;

const USER: &str = "flux";
const PASSWORD: &str = "s3cret";

fn request(url: String, reference: OciReference) -> OciRequest {
    OciRequest { insecure: true, reference, ..OciRequest::new(url) }
}

fn tag(tag: &str) -> OciReference {
    OciReference { tag: Some(tag.to_string()), ..OciReference::default() }
}

fn semver(range: &str, filter: Option<&str>) -> OciReference {
    OciReference { semver: Some(range.into()), semver_filter: filter.map(str::to_string), ..OciReference::default() }
}

fn read(pull: &OciPull, path: &str) -> String {
    let PulledContent::Directory(dir) = &pull.content else { panic!("expected a directory: {pull:?}") };
    std::fs::read_to_string(dir.join(path)).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

async fn pull_into(request: &OciRequest, dir: &Path) -> OciPull {
    pull(request, dir).await.unwrap_or_else(|e| panic!("pull {:?}: {e}", request.reference))
}

async fn pull_error(request: &OciRequest) -> OciError {
    let dir = tempfile::tempdir().unwrap();
    pull(request, dir.path()).await.expect_err("the pull should fail")
}

#[tokio::test]
async fn tags_semver_ranges_and_digests_give_flux_revisions() {
    let registry = Registry::start();
    let anonymous = RegistryAuth::Anonymous;
    let files = |replicas: &str| {
        let yaml = format!("replicas: {replicas}\n");
        content(&[("deploy/app.yaml", &yaml), ("README.md", "# app\n"), ("docs/logo.png", "png")])
    };
    let v1_0 = push(&registry, &anonymous, "app", &["1.0.0"], &[files("1")]).await;
    let v1_1 = push(&registry, &anonymous, "app", &["1.1.0", "latest"], &[files("2")]).await;
    let rc = push(&registry, &anonymous, "app", &["2.0.0-rc.1"], &[files("3")]).await;
    let url = registry.url("app");
    let work = tempfile::tempdir().unwrap();

    let latest = pull_into(&request(url.clone(), OciReference::default()), &work.path().join("latest")).await;
    assert_eq!(latest.revision, format!("latest@{v1_1}"));
    assert_eq!(latest.tag.as_deref(), Some("latest"));
    assert_eq!(latest.digest, v1_1);
    assert_eq!(read(&latest, "deploy/app.yaml"), "replicas: 2\n");
    assert_eq!(latest.metadata, annotations("main@sha1:1.1.0"), "the manifest annotations are the metadata");
    assert_eq!(latest.layer.media_type, FLUX_CONTENT);

    let by_tag = pull_into(&request(url.clone(), tag("1.0.0")), &work.path().join("tag")).await;
    assert_eq!(by_tag.revision, format!("1.0.0@{v1_0}"));
    assert_eq!(read(&by_tag, "deploy/app.yaml"), "replicas: 1\n");
    assert_eq!(read(&by_tag, "README.md"), "# app\n");
    let PulledContent::Directory(dir) = &by_tag.content else { unreachable!() };
    assert!(!dir.join("docs/logo.png").exists(), "the default ignore rules apply without spec.ignore");

    let cases = [
        (semver(">=1.0.0", None), format!("1.1.0@{v1_1}")),
        (semver("1.0.x", None), format!("1.0.0@{v1_0}")),
        (semver(">=1.0.0", Some(r"^1\.0\.")), format!("1.0.0@{v1_0}")),
        (semver(">=2.0.0-rc.0", None), format!("2.0.0-rc.1@{rc}")),
        // semver wins over tag, digest over both.
        (OciReference { tag: Some("1.0.0".into()), ..semver("2.0.0-rc.1", None) }, format!("2.0.0-rc.1@{rc}")),
        (OciReference { digest: Some(v1_0.clone()), ..semver(">=1.0.0", None) }, v1_0.clone()),
    ];
    for (index, (reference, revision)) in cases.into_iter().enumerate() {
        let request = request(url.clone(), reference);
        let resolved = resolve_revision(&request).await.unwrap_or_else(|e| panic!("{:?}: {e}", request.reference));
        assert_eq!(resolved.revision, revision, "{:?}", request.reference);
        let pulled = pull_into(&request, &work.path().join(format!("case-{index}"))).await;
        assert_eq!(pulled.revision, revision, "resolve and pull agree");
    }

    let by_digest = pull_into(
        &request(url.clone(), OciReference { digest: Some(v1_0.clone()), ..Default::default() }),
        &work.path().join("digest"),
    )
    .await;
    assert_eq!(by_digest.revision, v1_0, "a digest reference's revision is the digest alone");
    assert_eq!(by_digest.tag, None);
    assert_eq!(read(&by_digest, "deploy/app.yaml"), "replicas: 1\n");

    let ignored = OciRequest { ignore: Some("README.md\n".into()), ..request(url.clone(), tag("1.0.0")) };
    let ignored = pull_into(&ignored, &work.path().join("tag")).await;
    let PulledContent::Directory(dir) = &ignored.content else { unreachable!() };
    assert!(!dir.join("README.md").exists(), "spec.ignore applies");
    assert!(dir.join("docs/logo.png").exists(), "spec.ignore replaces the default rules");
    let mut entries: Vec<_> =
        std::fs::read_dir(work.path().join("tag")).unwrap().map(|e| e.unwrap().file_name()).collect();
    entries.sort();
    assert_eq!(entries, ["content"], "the directory holds only this pull's content, no download left behind");
}

#[tokio::test]
async fn the_layer_selector_extracts_or_copies_one_layer() {
    let registry = Registry::start();
    let anonymous = RegistryAuth::Anonymous;
    let values = "replicaCount: 3\n";
    let layers =
        [ImageLayer::new(values.as_bytes().to_vec(), VALUES.to_string(), None), content(&[("app.yaml", "a\n")])];
    let digest = push(&registry, &anonymous, "multi", &["latest"], &layers).await;
    let url = registry.url("multi");
    let work = tempfile::tempdir().unwrap();
    let selected = |media_type: &str, operation| OciRequest {
        layer_selector: Some(LayerSelector { media_type: Some(media_type.to_string()), operation }),
        ..request(url.clone(), OciReference::default())
    };

    let copied = pull_into(&selected(VALUES, LayerOperation::Copy), &work.path().join("copy")).await;
    let hex = digest.strip_prefix("sha256:").unwrap();
    assert_eq!(copied.content, PulledContent::File(work.path().join("copy").join(format!("{hex}.tgz"))));
    assert_eq!(std::fs::read_to_string(copied.content.path()).unwrap(), values, "copied byte for byte");
    assert_eq!(copied.layer.media_type, VALUES);

    let extracted = pull_into(&selected(FLUX_CONTENT, LayerOperation::Extract), &work.path().join("extract")).await;
    assert_eq!(read(&extracted, "app.yaml"), "a\n");

    let missing = pull_error(&selected("application/x-nothing", LayerOperation::Extract)).await;
    assert!(matches!(missing, OciError::LayerNotFound { .. }), "{missing}");
    assert_eq!(missing.reason(), "OCIArtifactLayerOperationFailed");

    // Without a selector the first layer is extracted, and here it is YAML, not a tarball.
    let first = pull_error(&request(url.clone(), OciReference::default())).await;
    assert!(matches!(first, OciError::LayerOperation { .. }), "{first}");

    let corrupt = ImageLayer::new(b"this is not gzip".to_vec(), FLUX_CONTENT.to_string(), None);
    push(&registry, &anonymous, "corrupt", &["latest"], &[corrupt]).await;
    let error = pull_error(&request(registry.url("corrupt"), OciReference::default())).await;
    assert_eq!(error.reason(), "OCIArtifactLayerOperationFailed");
    assert!(error.to_string().starts_with("failed to extract layer contents from artifact:"), "{error}");
    assert!(!error.is_terminal());
}

#[tokio::test]
async fn basic_auth_takes_a_pull_secret_and_refuses_wrong_credentials() {
    let registry = Registry::start_with_basic_auth(USER, PASSWORD);
    let basic = RegistryAuth::Basic(USER.to_string(), PASSWORD.to_string());
    let digest = push(&registry, &basic, "private", &["1.0.0"], &[content(&[("a.yaml", "a\n")])]).await;
    let url = registry.url("private");

    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    let config = format!(r#"{{"auths":{{"{}":{{"auth":"{encoded}"}}}}}}"#, registry.host());
    let secret = BTreeMap::from([(DOCKER_CONFIG_JSON_KEY.to_string(), config.into_bytes())]);
    let auth = OciAuth::from_secret_data(&registry.host(), &secret).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pulled = pull_into(&OciRequest { auth, ..request(url.clone(), semver("1.x", None)) }, dir.path()).await;
    assert_eq!(pulled.revision, format!("1.0.0@{digest}"));

    let wrong = OciAuth::Basic { username: USER.to_string(), password: "wrong".to_string() };
    for (auth, says) in [(wrong, "refused the credentials of 'flux'"), (OciAuth::Anonymous, "none are configured")] {
        for reference in [tag("1.0.0"), semver("1.x", None)] {
            let error = pull_error(&OciRequest { auth: auth.clone(), ..request(url.clone(), reference) }).await;
            assert!(matches!(error, OciError::AuthenticationFailed { .. }), "{error}");
            assert_eq!(error.reason(), "AuthenticationFailed");
            assert!(error.to_string().contains(says), "{error}");
        }
    }
}

#[tokio::test]
async fn missing_artifacts_and_bad_specs_are_told_apart() {
    let registry = Registry::start();
    push(&registry, &RegistryAuth::Anonymous, "app", &["1.0.0"], &[content(&[("a.yaml", "a\n")])]).await;
    let url = registry.url("app");

    let unknown_tag = pull_error(&request(url.clone(), tag("9.9.9"))).await;
    assert!(matches!(unknown_tag, OciError::ArtifactNotFound { .. }), "{unknown_tag}");
    assert_eq!(unknown_tag.reason(), "OCIArtifactPullFailed");
    assert!(unknown_tag.to_string().contains("app:9.9.9"), "{unknown_tag}");

    let unknown_repository = pull_error(&request(registry.url("nothing/here"), tag("1.0.0"))).await;
    assert!(matches!(unknown_repository, OciError::ArtifactNotFound { .. }), "{unknown_repository}");
    let unknown_for_semver = pull_error(&request(registry.url("nothing/here"), semver("*", None))).await;
    assert!(matches!(unknown_for_semver, OciError::ArtifactNotFound { .. }), "{unknown_for_semver}");

    let absent = format!("sha256:{}", "0".repeat(64));
    let unknown_digest =
        pull_error(&request(url.clone(), OciReference { digest: Some(absent), ..Default::default() })).await;
    assert!(matches!(unknown_digest, OciError::ArtifactNotFound { .. }), "{unknown_digest}");

    let no_match = pull_error(&request(url.clone(), semver(">=5.0.0", None))).await;
    assert_eq!(
        no_match.to_string(),
        format!("failed to determine the artifact tag for '{url}': no match found for semver: >=5.0.0")
    );
    assert!(!no_match.is_terminal());
    let filtered_out = pull_error(&request(url.clone(), semver("*", Some("^v")))).await;
    assert!(matches!(filtered_out, OciError::NoSemverMatch { .. }), "{filtered_out}");

    for (reference, variant) in [
        (semver("not a range", None), "InvalidSemver"),
        (semver("*", Some("([")), "InvalidSemverFilter"),
        (tag("-bad"), "InvalidReference"),
        (OciReference { digest: Some("sha256:short".into()), ..Default::default() }, "InvalidReference"),
    ] {
        let error = pull_error(&request(url.clone(), reference)).await;
        assert!(format!("{error:?}").starts_with(variant), "{error:?}");
        assert!(error.is_terminal(), "{error}");
    }
    let bad_url = pull_error(&request("https://127.0.0.1/app".to_string(), OciReference::default())).await;
    assert_eq!(bad_url.reason(), "URLInvalid");
    assert!(bad_url.is_terminal());
}

#[tokio::test]
async fn unreachable_and_silent_registries_fail_as_pulls() {
    // A port nobody listens on: bound, read and released.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let refused = pull_error(&request(format!("oci://127.0.0.1:{port}/app"), OciReference::default())).await;
    assert!(matches!(refused, OciError::Unreachable { .. }), "{refused}");
    assert_eq!(refused.reason(), "OCIArtifactPullFailed");
    assert!(!refused.is_terminal());

    // A listener that never answers: the pull gives up after spec.timeout.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("oci://{}/app", silent.local_addr().unwrap());
    let slow = OciRequest { timeout: Duration::from_secs(1), ..request(url, OciReference::default()) };
    let timed_out = pull_error(&slow).await;
    assert!(matches!(timed_out, OciError::Timeout { .. }), "{timed_out}");
    assert_eq!(timed_out.reason(), "OCIArtifactPullFailed");

    // HTTPS (insecure unset) against a plain HTTP registry.
    let registry = Registry::start();
    let https = OciRequest { insecure: false, ..request(registry.url("app"), OciReference::default()) };
    let error = pull_error(&https).await;
    assert_eq!(error.reason(), "OCIArtifactPullFailed", "{error}");
}
