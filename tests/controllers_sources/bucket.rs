//! Bucket: the reconciler end to end, from moto's S3 server (testkit) to a stored artifact and Flux's status.
//! Expected revisions come from the objects alone: S3's etag of a single-part upload is the MD5 of the content,
//! and Flux hashes the lines `"<key> <etag>\n"` sorted by key.

use std::time::Duration;

use fluxtui::api::FluxKind;
use fluxtui_testkit::S3Server;
use md5::Md5;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::git_repository::{reqwest_get, tar_listing};
use crate::support::{EngineCluster, assert_kstatus, condition, events_of, ready_is};

const BUCKET: &str = "flux-config";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn expected_revision(objects: &[(&str, &[u8])]) -> String {
    let mut lines: Vec<String> =
        objects.iter().map(|(key, content)| format!("{key} {}\n", hex(&Md5::digest(content)))).collect();
    lines.sort();
    format!("sha256:{}", hex(&Sha256::digest(lines.concat().as_bytes())))
}

fn bucket(name: &str, endpoint: &str, bucket_name: &str, extra_spec: &str) -> String {
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: Bucket\nmetadata:\n  name: {name}\n  namespace: default\n\
         spec:\n  endpoint: \"{endpoint}\"\n  bucketName: {bucket_name}\n  insecure: true\n  interval: 1s\n\
         {extra_spec}"
    )
}

fn secret(name: &str, access_key: &str, secret_key: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: default\nstringData:\n  \
         accesskey: {access_key}\n  secretkey: {secret_key}\n"
    )
}

fn with_secret(name: &str) -> String {
    format!("  secretRef:\n    name: {name}\n")
}

fn revision(object: &Value) -> String {
    object["status"]["artifact"]["revision"].as_str().unwrap_or_default().to_string()
}

const TREE: &[(&str, &[u8])] = &[
    ("apps/podinfo/deployment.yaml", b"kind: Deployment\n"),
    ("apps/podinfo/service.yaml", b"kind: Service\n"),
    ("infra/ingress.yaml", b"kind: HelmRelease\n"),
    ("README.md", b"# config\n"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bucket_becomes_ready_with_flux_status_events_and_a_served_artifact() {
    let env = EngineCluster::start().await;
    let s3 = S3Server::start();
    s3.create_bucket(BUCKET);
    s3.put_objects(BUCKET, TREE);
    env.apply("creds", &secret("creds", s3.access_key(), s3.secret_key()));
    let spec = format!("{}  ignore: \"*.md\"\n", with_secret("creds"));
    env.apply("config", &bucket("config", &s3.endpoint(), BUCKET, &spec));

    let object = env.wait_for(FluxKind::Bucket, "config", "Ready=True", |o| ready_is(o, "True")).await;
    assert_kstatus(&object);
    let kept: Vec<(&str, &[u8])> = TREE.iter().copied().filter(|(key, _)| !key.ends_with(".md")).collect();
    let expected = expected_revision(&kept);
    assert_eq!(revision(&object), expected);
    let ready = condition(&object, "Ready").unwrap();
    assert_eq!(ready["reason"], "Succeeded");
    assert_eq!(ready["message"], format!("stored artifact for revision '{expected}'"));
    assert_eq!(condition(&object, "ArtifactInStorage").unwrap()["status"], "True");
    assert!(condition(&object, "Reconciling").is_none());
    assert_eq!(object["status"]["observedIgnore"], "*.md");

    // The artifact: `<revision hex>.tar.gz` under the kind's directory, served with a matching digest.
    let artifact = &object["status"]["artifact"];
    let hex = expected.strip_prefix("sha256:").unwrap();
    assert_eq!(artifact["path"], format!("bucket/default/config/{hex}.tar.gz"));
    let url = artifact["url"].as_str().unwrap();
    assert_eq!(object["status"]["url"], url, "status.url is the download link of the artifact");
    let body = reqwest_get(url).await;
    assert_eq!(artifact["digest"], format!("sha256:{:x}", Sha256::digest(&body)));
    assert_eq!(artifact["size"].as_u64(), Some(body.len() as u64));
    assert_eq!(tar_listing(&body), ["apps/podinfo/deployment.yaml", "apps/podinfo/service.yaml", "infra/ingress.yaml"]);

    let events = events_of(&env.client, "config").await;
    let new_artifact = events.iter().find(|e| e["reason"] == "NewArtifact").expect("a NewArtifact event");
    assert_eq!(new_artifact["message"], format!("stored artifact with 3 fetched files from '{BUCKET}' bucket"));
    assert_eq!(new_artifact["metadata"]["annotations"]["source.toolkit.fluxcd.io/revision"], expected);
    assert_eq!(new_artifact["metadata"]["annotations"]["source.toolkit.fluxcd.io/digest"], artifact["digest"]);

    // Unchanged objects are not downloaded again: several intervals later the artifact is the same one.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let later = env.get(FluxKind::Bucket, "default", "config").await.unwrap();
    assert_eq!(later["status"]["artifact"], object["status"]["artifact"]);

    // A changed object is a new revision within the interval.
    s3.put_object(BUCKET, "infra/ingress.yaml", b"kind: HelmRelease\nspec: {}\n");
    let changed: Vec<(&str, &[u8])> =
        kept.iter()
            .map(|&(key, content)| {
                if key == "infra/ingress.yaml" { (key, &b"kind: HelmRelease\nspec: {}\n"[..]) } else { (key, content) }
            })
            .collect();
    let object = env
        .wait_for(FluxKind::Bucket, "config", "the new revision", |o| revision(o) == expected_revision(&changed))
        .await;
    assert_kstatus(&object);
    assert!(ready_is(&object, "True"));
    let body = reqwest_get(object["status"]["artifact"]["url"].as_str().unwrap()).await;
    assert_eq!(object["status"]["artifact"]["digest"], format!("sha256:{:x}", Sha256::digest(&body)));

    // Dropping spec.ignore rebuilds the artifact for the same objects and clears observedIgnore.
    env.apply("config", &bucket("config", &s3.endpoint(), BUCKET, &with_secret("creds")));
    let mut all = changed.clone();
    all.push(("README.md", b"# config\n"));
    let object = env
        .wait_for(FluxKind::Bucket, "config", "the artifact without ignore rules", |o| {
            ready_is(o, "True") && revision(o) == expected_revision(&all)
        })
        .await;
    assert_kstatus(&object);
    assert!(object["status"].get("observedIgnore").is_none(), "{}", object["status"]);

    // Deleting the Bucket removes its stored artifacts with it.
    let path = object["status"]["artifact"]["path"].as_str().unwrap();
    let stored = env.cluster.dir().join("engine/artifacts").join(path);
    assert!(stored.exists(), "{}", stored.display());
    env.cluster.kubectl_success(&["delete", "bucket/config", "--wait=true", "--timeout=30s"]);
    assert!(env.get(FluxKind::Bucket, "default", "config").await.is_none());
    assert!(!stored.exists(), "the artifact is removed with the object");
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_show_flux_reasons_and_the_engine_keeps_serving_other_buckets() {
    let env = EngineCluster::start().await;
    let s3 = S3Server::start();
    s3.create_bucket(BUCKET);
    s3.put_objects(BUCKET, &TREE[..1]);
    let endpoint = s3.endpoint();
    env.apply("right", &secret("right", s3.access_key(), s3.secret_key()));
    env.apply("wrong", &secret("wrong", s3.access_key(), "not-the-secret-key"));
    env.apply("denied", &bucket("denied", &endpoint, BUCKET, &with_secret("wrong")));
    env.apply("no-bucket", &bucket("no-bucket", &endpoint, "absent-bucket", &with_secret("right")));
    env.apply("no-secret", &bucket("no-secret", &endpoint, BUCKET, &with_secret("absent")));
    env.apply("bad-endpoint", &bucket("bad-endpoint", &format!("http://{endpoint}"), BUCKET, &with_secret("right")));
    env.apply("gcp", &bucket("gcp", &endpoint, BUCKET, &format!("  provider: gcp\n{}", with_secret("right"))));
    env.apply("allowed", &bucket("allowed", &endpoint, BUCKET, &with_secret("right")));

    let failed = |reason: &'static str| {
        move |o: &Value| ready_is(o, "False") && condition(o, "Ready").unwrap()["reason"] == reason
    };
    let message = |o: &Value| condition(o, "Ready").unwrap()["message"].as_str().unwrap().to_string();

    let denied =
        env.wait_for(FluxKind::Bucket, "denied", "BucketOperationFailed", failed("BucketOperationFailed")).await;
    assert_kstatus(&denied);
    assert!(message(&denied).contains("access denied to bucket 'flux-config'"), "{}", message(&denied));
    let fetch = condition(&denied, "FetchFailed").expect("FetchFailed");
    assert_eq!((fetch["status"].as_str(), fetch["reason"].as_str()), (Some("True"), Some("BucketOperationFailed")));
    assert_eq!(condition(&denied, "Reconciling").unwrap()["reason"], "ProgressingWithRetry");
    assert!(denied["status"]["artifact"].is_null());

    let missing =
        env.wait_for(FluxKind::Bucket, "no-bucket", "BucketOperationFailed", failed("BucketOperationFailed")).await;
    assert_kstatus(&missing);
    assert_eq!(message(&missing), "bucket 'absent-bucket' not found");

    let no_secret =
        env.wait_for(FluxKind::Bucket, "no-secret", "AuthenticationFailed", failed("AuthenticationFailed")).await;
    assert_kstatus(&no_secret);
    assert!(message(&no_secret).contains("secrets \"absent\" not found"), "{}", message(&no_secret));

    // Spec errors stall: Stalled with the reason, no Reconciling, the generation observed.
    for (name, reason, says) in [
        ("bad-endpoint", "URLInvalid", "invalid endpoint"),
        ("gcp", "InvalidProviderConfiguration", "unsupported bucket provider 'gcp'"),
    ] {
        let stalled = env
            .wait_for(FluxKind::Bucket, name, "Stalled", |o| {
                condition(o, "Stalled").is_some_and(|c| c["status"] == "True" && c["reason"] == reason)
            })
            .await;
        assert_kstatus(&stalled);
        assert!(condition(&stalled, "Reconciling").is_none());
        assert_eq!(stalled["status"]["observedGeneration"], stalled["metadata"]["generation"]);
        assert!(message(&stalled).contains(says), "{name}: {}", message(&stalled));
    }

    let allowed = env.wait_for(FluxKind::Bucket, "allowed", "Ready=True", |o| ready_is(o, "True")).await;
    assert_kstatus(&allowed);
    assert_eq!(revision(&allowed), expected_revision(&TREE[..1]));
    let events = events_of(&env.client, "denied").await;
    assert!(events.iter().any(|e| e["type"] == "Warning" && e["reason"] == "BucketOperationFailed"), "{events:?}");

    // Fixing the secret and asking for a reconcile (the backoff may be long by now) recovers the object.
    env.apply("wrong", &secret("wrong", s3.access_key(), s3.secret_key()));
    env.cluster.kubectl_success(&["annotate", "--overwrite", "bucket/denied", "reconcile.fluxcd.io/requestedAt=fixed"]);
    let recovered = env.wait_for(FluxKind::Bucket, "denied", "recovery", |o| ready_is(o, "True")).await;
    assert!(condition(&recovered, "FetchFailed").is_none());
    assert_kstatus(&recovered);
    env.stop().await;
}
