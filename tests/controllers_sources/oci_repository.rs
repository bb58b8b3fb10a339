//! OCIRepository: the reconciler end to end, from a registry on loopback (Debian's `docker-registry`, testkit) to a
//! stored artifact and Flux's status. Artifacts are pushed as `flux push artifact` pushes them; the registry's
//! `Location` answer is the oracle for manifest digests.

use base64::Engine;
use fluxtui::api::FluxKind;
use fluxtui_testkit::Registry;
use oci_client::client::ImageLayer;
use oci_client::secrets::RegistryAuth;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::git_repository::{reqwest_get, tar_listing};
use crate::oci_artifacts::{SOURCE, VALUES, annotations, content, push};
use crate::support::{EngineCluster, assert_kstatus, condition, events_of, ready_is};

fn oci_repository(name: &str, url: &str, extra_spec: &str) -> String {
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: {name}\n  namespace: \
         default\nspec:\n  url: {url}\n  insecure: true\n  interval: 1s\n{extra_spec}"
    )
}

fn revision(object: &Value) -> String {
    object["status"]["artifact"]["revision"].as_str().unwrap_or_default().to_string()
}

fn message(object: &Value) -> String {
    condition(object, "Ready").unwrap()["message"].as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn semver_selection_new_tags_and_the_copied_layer() {
    let env = EngineCluster::start().await;
    let registry = Registry::start();
    let anonymous = RegistryAuth::Anonymous;
    let files = |replicas: &str| content(&[("deploy/app.yaml", &format!("replicas: {replicas}\n")), ("logo.png", "x")]);
    push(&registry, &anonymous, "app", &["1.0.0"], &[files("1")]).await;
    let v1_1 = push(&registry, &anonymous, "app", &["1.1.0"], &[files("2")]).await;
    push(&registry, &anonymous, "app", &["2.0.0"], &[files("3")]).await;
    let url = registry.url("app");
    env.apply("app", &oci_repository("app", &url, "  ref:\n    semver: \"1.x\"\n"));

    let object = env.wait_for(FluxKind::OciRepository, "app", "Ready=True", |o| ready_is(o, "True")).await;
    assert_kstatus(&object);
    let expected = format!("1.1.0@{v1_1}");
    assert_eq!(revision(&object), expected, "the highest tag in the range");
    assert_eq!(message(&object), format!("stored artifact for revision '{expected}'"));
    assert_eq!(condition(&object, "ArtifactInStorage").unwrap()["status"], "True");
    let artifact = &object["status"]["artifact"];
    let hex = v1_1.strip_prefix("sha256:").unwrap();
    assert_eq!(artifact["path"], format!("ocirepository/default/app/{hex}.tar.gz"));
    assert_eq!(artifact["metadata"], json!(annotations("main@sha1:1.1.0")), "the manifest annotations");
    let artifact_url = artifact["url"].as_str().unwrap();
    assert_eq!(object["status"]["url"], artifact_url, "status.url is the download link of the artifact");
    assert!(object["status"].get("observedLayerSelector").is_none());
    assert!(object["status"].get("observedIgnore").is_none());
    let body = reqwest_get(artifact_url).await;
    assert_eq!(artifact["digest"], format!("sha256:{:x}", Sha256::digest(&body)));
    assert_eq!(tar_listing(&body), ["deploy/app.yaml"], "the default ignore rules dropped the image");

    let events = events_of(&env.client, "app").await;
    let new_artifact = events.iter().find(|e| e["reason"] == "NewArtifact").expect("a NewArtifact event");
    assert_eq!(
        new_artifact["message"],
        format!(
            "stored artifact with revision '{expected}' from '{url}', origin source '{SOURCE}', origin revision \
             'main@sha1:1.1.0'"
        )
    );
    assert_eq!(new_artifact["metadata"]["annotations"]["source.toolkit.fluxcd.io/revision"], expected);
    assert_eq!(new_artifact["metadata"]["annotations"]["source.toolkit.fluxcd.io/digest"], artifact["digest"]);

    // Nothing new upstream: the artifact stays as it was over several intervals.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let later = env.get(FluxKind::OciRepository, "default", "app").await.unwrap();
    assert_eq!(later["status"]["artifact"], object["status"]["artifact"]);

    // A newly pushed tag in the range is a new revision within the interval.
    let v1_2 = push(&registry, &anonymous, "app", &["1.2.0"], &[files("4")]).await;
    let object =
        env.wait_for(FluxKind::OciRepository, "app", "1.2.0", |o| revision(o) == format!("1.2.0@{v1_2}")).await;
    assert_kstatus(&object);
    let body = reqwest_get(object["status"]["artifact"]["url"].as_str().unwrap()).await;
    assert_eq!(object["status"]["artifact"]["digest"], format!("sha256:{:x}", Sha256::digest(&body)));

    // `copy` stores the selected layer's bytes as they are, under the same file name.
    let values = "replicaCount: 3\n";
    let layers = [ImageLayer::new(values.as_bytes().to_vec(), VALUES.to_string(), None), files("5")];
    let multi = push(&registry, &anonymous, "multi", &["latest"], &layers).await;
    let selector = format!("  layerSelector:\n    mediaType: {VALUES}\n    operation: copy\n  ignore: \"*.md\"\n");
    env.apply("values", &oci_repository("values", &registry.url("multi"), &selector));
    let copied = env.wait_for(FluxKind::OciRepository, "values", "Ready=True", |o| ready_is(o, "True")).await;
    assert_kstatus(&copied);
    assert_eq!(revision(&copied), format!("latest@{multi}"), "no ref means tag latest");
    let hex = multi.strip_prefix("sha256:").unwrap();
    assert_eq!(copied["status"]["artifact"]["path"], format!("ocirepository/default/values/{hex}.tar.gz"));
    let body = reqwest_get(copied["status"]["artifact"]["url"].as_str().unwrap()).await;
    assert_eq!(body, values.as_bytes(), "the layer byte for byte");
    assert_eq!(copied["status"]["artifact"]["digest"], format!("sha256:{:x}", Sha256::digest(&body)));
    assert_eq!(copied["status"]["observedLayerSelector"], json!({"mediaType": VALUES, "operation": "copy"}));
    assert_eq!(copied["status"]["observedIgnore"], "*.md");
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_show_flux_reasons_and_the_engine_keeps_serving_other_repositories() {
    const USER: &str = "flux";
    const PASSWORD: &str = "s3cret";
    let env = EngineCluster::start().await;
    let registry = Registry::start_with_basic_auth(USER, PASSWORD);
    let basic = RegistryAuth::Basic(USER.to_string(), PASSWORD.to_string());
    let digest = push(&registry, &basic, "private", &["1.0.0"], &[content(&[("a.yaml", "a: 1\n")])]).await;
    let url = registry.url("private");
    let pull_secret = |name: &str, password: &str| {
        let auth = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{password}"));
        let config = format!(r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#, registry.host());
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: default\ntype: \
             kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '{config}'\n"
        )
    };
    env.apply("right", &pull_secret("right", PASSWORD));
    env.apply("wrong", &pull_secret("wrong", "nope"));
    let spec = |secret: &str, reference: &str| format!("  secretRef:\n    name: {secret}\n  ref:\n    {reference}\n");
    env.apply("denied", &oci_repository("denied", &url, &spec("wrong", "tag: 1.0.0")));
    env.apply("no-secret", &oci_repository("no-secret", &url, &spec("absent", "tag: 1.0.0")));
    env.apply("unknown-tag", &oci_repository("unknown-tag", &url, &spec("right", "tag: 9.9.9")));
    env.apply("bad-semver", &oci_repository("bad-semver", &url, &spec("right", "semver: \">=x.y\"")));
    env.apply("allowed", &oci_repository("allowed", &url, &spec("right", "semver: \">=1.0.0\"")));

    let failed = |reason: &'static str| {
        move |o: &Value| ready_is(o, "False") && condition(o, "Ready").unwrap()["reason"] == reason
    };
    let denied =
        env.wait_for(FluxKind::OciRepository, "denied", "AuthenticationFailed", failed("AuthenticationFailed")).await;
    assert_kstatus(&denied);
    assert!(message(&denied).contains("refused the credentials of 'flux'"), "{}", message(&denied));
    let fetch = condition(&denied, "FetchFailed").expect("FetchFailed");
    assert_eq!((fetch["status"].as_str(), fetch["reason"].as_str()), (Some("True"), Some("AuthenticationFailed")));
    assert_eq!(condition(&denied, "Reconciling").unwrap()["reason"], "ProgressingWithRetry");
    assert!(denied["status"]["artifact"].is_null());

    let no_secret = env
        .wait_for(FluxKind::OciRepository, "no-secret", "AuthenticationFailed", failed("AuthenticationFailed"))
        .await;
    assert_kstatus(&no_secret);
    assert!(message(&no_secret).contains("secrets \"absent\" not found"), "{}", message(&no_secret));

    let unknown = env
        .wait_for(FluxKind::OciRepository, "unknown-tag", "OCIArtifactPullFailed", failed("OCIArtifactPullFailed"))
        .await;
    assert_kstatus(&unknown);
    assert!(message(&unknown).contains("private:9.9.9"), "{}", message(&unknown));

    // An invalid range is terminal: Stalled, no Reconciling, the generation observed.
    let stalled = env
        .wait_for(FluxKind::OciRepository, "bad-semver", "Stalled", |o| {
            condition(o, "Stalled").is_some_and(|c| c["status"] == "True" && c["reason"] == "ReadOperationFailed")
        })
        .await;
    assert_kstatus(&stalled);
    assert!(condition(&stalled, "Reconciling").is_none());
    assert_eq!(stalled["status"]["observedGeneration"], stalled["metadata"]["generation"]);
    assert!(message(&stalled).contains("invalid range '>=x.y'"), "{}", message(&stalled));

    let allowed = env.wait_for(FluxKind::OciRepository, "allowed", "Ready=True", |o| ready_is(o, "True")).await;
    assert_kstatus(&allowed);
    assert_eq!(revision(&allowed), format!("1.0.0@{digest}"));
    let events = events_of(&env.client, "denied").await;
    assert!(events.iter().any(|e| e["type"] == "Warning" && e["reason"] == "AuthenticationFailed"), "{events:?}");

    // Fixing the secret and asking for a reconcile (the backoff may be long by now) recovers the object.
    env.apply("wrong", &pull_secret("wrong", PASSWORD));
    env.cluster.kubectl_success(&[
        "annotate",
        "--overwrite",
        "ocirepository/denied",
        "reconcile.fluxcd.io/requestedAt=fixed",
    ]);
    let recovered = env.wait_for(FluxKind::OciRepository, "denied", "recovery", |o| ready_is(o, "True")).await;
    assert!(condition(&recovered, "FetchFailed").is_none());
    assert_kstatus(&recovered);
    env.stop().await;
}
