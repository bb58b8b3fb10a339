//! kube-rs against the sandbox over HTTP: typed and dynamic CRUD, watches, reflectors, logs.

use fluxtui_sandbox::{Sandbox, SandboxConfig};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::runtime::watcher;
use kube::{Client, Config};
use serde_json::json;
use std::time::Duration;

async fn start() -> (Sandbox, Client) {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.expect("sandbox starts");
    let kubeconfig = Kubeconfig::from_yaml(&sandbox.kubeconfig_yaml(None)).expect("kubeconfig parses");
    let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default()).await.expect("config");
    let client = Client::try_from(config).expect("client");
    (sandbox, client)
}

fn config_map(name: &str, value: &str) -> ConfigMap {
    serde_json::from_value(json!({"metadata": {"name": name, "labels": {"app": "demo"}}, "data": {"key": value}}))
        .expect("valid ConfigMap")
}

#[tokio::test]
async fn typed_crud_with_optimistic_concurrency() {
    let (sandbox, client) = start().await;
    let api: Api<ConfigMap> = Api::namespaced(client, "default");
    let created = api.create(&PostParams::default(), &config_map("settings", "1")).await.expect("create");
    let rv = created.metadata.resource_version.clone().expect("resourceVersion");
    let mut changed = created.clone();
    changed.data = Some([("key".to_string(), "2".to_string())].into());
    let replaced = api.replace("settings", &PostParams::default(), &changed).await.expect("replace");
    assert_ne!(replaced.metadata.resource_version, Some(rv));
    // The first object's resourceVersion is now stale: a replace with it must conflict.
    match api.replace("settings", &PostParams::default(), &changed).await {
        Err(kube::Error::Api(status)) => assert_eq!(status.code, 409),
        other => panic!("expected a 409 conflict, got {other:?}"),
    }
    let listed = api.list(&ListParams::default().labels("app=demo")).await.expect("list");
    assert_eq!(listed.items.len(), 1);
    api.patch("settings", &PatchParams::default(), &Patch::Merge(json!({"data": {"other": "x"}})))
        .await
        .expect("merge patch");
    let fetched = api.get("settings").await.expect("get");
    assert_eq!(fetched.data.as_ref().and_then(|d| d.get("other")).map(String::as_str), Some("x"));
    api.delete("settings", &DeleteParams::default()).await.expect("delete");
    match api.get("settings").await {
        Err(kube::Error::Api(status)) => assert_eq!(status.code, 404),
        other => panic!("expected 404, got {other:?}"),
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn watcher_sees_every_change_and_survives_dropped_streams() {
    let (sandbox, client) = start().await;
    let api: Api<ConfigMap> = Api::namespaced(client, "default");
    let config = watcher::Config::default().labels("app=demo");
    let mut events = watcher(api.clone(), config).boxed();
    // The initial listing ends with InitDone.
    loop {
        match tokio::time::timeout(Duration::from_secs(5), events.try_next()).await {
            Ok(Ok(Some(watcher::Event::InitDone))) => break,
            Ok(Ok(Some(_))) => continue,
            other => panic!("watcher did not initialise: {other:?}"),
        }
    }
    api.create(&PostParams::default(), &config_map("a", "1")).await.expect("create");
    let applied = next_apply(&mut events).await;
    assert_eq!(applied.metadata.name.as_deref(), Some("a"));
    sandbox.drop_watches();
    api.create(&PostParams::default(), &config_map("b", "1")).await.expect("create");
    // After the stream ended, kube's watcher resumes from its last resourceVersion and gets "b".
    let resumed = next_apply(&mut events).await;
    assert_eq!(resumed.metadata.name.as_deref(), Some("b"));
    sandbox.shutdown().await;
}

async fn next_apply(
    events: &mut (impl futures::Stream<Item = Result<watcher::Event<ConfigMap>, watcher::Error>> + Unpin),
) -> ConfigMap {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), events.try_next()).await {
            Ok(Ok(Some(watcher::Event::Apply(object)))) => return object,
            Ok(Ok(Some(_))) => continue,
            // A dropped stream surfaces as a recoverable error; the watcher retries by itself.
            Ok(Err(_)) => continue,
            other => panic!("no event: {other:?}"),
        }
    }
}

#[tokio::test]
async fn expired_resource_versions_make_the_watcher_relist() {
    let (sandbox, client) = start().await;
    let api: Api<Namespace> = Api::all(client);
    let mut events = watcher(api, watcher::Config::default()).boxed();
    let mut inits = 0;
    let mut expired = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while inits < 2 && tokio::time::Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_secs(5), events.next()).await {
            Ok(Some(Ok(watcher::Event::Init))) => inits += 1,
            Ok(Some(Ok(watcher::Event::InitDone))) if !expired => {
                // The watch is open now: forget the history and end the stream, so that the
                // watcher's resume gets 410 Gone.
                tokio::time::sleep(Duration::from_millis(100)).await;
                sandbox.expire_resource_versions();
                expired = true;
            }
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break,
        }
    }
    assert_eq!(inits, 2, "a 410 Gone must lead to exactly one relist");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn deployments_round_trip_through_typed_clients() {
    let (sandbox, client) = start().await;
    let api: Api<Deployment> = Api::namespaced(client, "default");
    let deployment: Deployment = serde_json::from_value(json!({
        "metadata": {"name": "web"},
        "spec": {"selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}
    }))
    .expect("valid Deployment");
    let created = api.create(&PostParams::default(), &deployment).await.expect("create");
    assert_eq!(created.metadata.generation, Some(1));
    let scale = api.get_scale("web").await.expect("scale");
    assert_eq!(scale.metadata.name.as_deref(), Some("web"));
    api.patch_scale("web", &PatchParams::default(), &Patch::Merge(json!({"spec": {"replicas": 3}})))
        .await
        .expect("scale");
    let scaled = api.get("web").await.expect("get");
    assert_eq!(scaled.spec.and_then(|s| s.replicas), Some(3));
    assert_eq!(scaled.metadata.generation, Some(2));
    sandbox.shutdown().await;
}

async fn client_with(sandbox: &Sandbox, token: Option<&str>) -> Client {
    let kubeconfig = Kubeconfig::from_yaml(&sandbox.kubeconfig_yaml(token)).expect("kubeconfig parses");
    let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default()).await.expect("config");
    Client::try_from(config).expect("client")
}

#[tokio::test]
async fn tokens_separate_full_read_only_and_anonymous_callers() {
    let config = SandboxConfig {
        token: Some("full-secret".into()),
        read_only_token: Some("reader-secret".into()),
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(config).await.expect("sandbox starts");
    let full: Api<ConfigMap> = Api::namespaced(client_with(&sandbox, Some("full-secret")).await, "default");
    full.create(&PostParams::default(), &config_map("written", "1")).await.expect("full token writes");
    let reader: Api<ConfigMap> = Api::namespaced(client_with(&sandbox, Some("reader-secret")).await, "default");
    assert!(reader.get("written").await.is_ok(), "the read-only token reads");
    match reader.create(&PostParams::default(), &config_map("denied", "1")).await {
        Err(kube::Error::Api(status)) => assert_eq!((status.code, status.reason.as_str()), (403, "Forbidden")),
        other => panic!("expected 403, got {other:?}"),
    }
    let anonymous: Api<ConfigMap> = Api::namespaced(client_with(&sandbox, None).await, "default");
    match anonymous.list(&ListParams::default()).await {
        Err(kube::Error::Api(status)) => assert_eq!(status.code, 401),
        other => panic!("expected 401, got {other:?}"),
    }
    sandbox.shutdown().await;
}
