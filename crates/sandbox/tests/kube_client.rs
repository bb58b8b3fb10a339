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
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// An in-memory sandbox with the default configuration, and a kube-rs client for it.
async fn start() -> (Sandbox, Client) {
    start_with(SandboxConfig::default()).await
}

/// A sandbox with the given configuration, and a kube-rs client for it carrying `config.token`.
async fn start_with(config: SandboxConfig) -> (Sandbox, Client) {
    let token = config.token.clone();
    let sandbox = Sandbox::start(config).await.expect("sandbox starts");
    let client = client_with(&sandbox, token.as_deref()).await;
    (sandbox, client)
}

/// A kube-rs client for the sandbox, through the kubeconfig it writes, carrying `token`.
async fn client_with(sandbox: &Sandbox, token: Option<&str>) -> Client {
    let kubeconfig = Kubeconfig::from_yaml(&sandbox.kubeconfig_yaml(token)).expect("kubeconfig parses");
    let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default()).await.expect("config");
    Client::try_from(config).expect("client")
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

/// Starts a watcher on namespaces, expires every resourceVersion once its first listing is done, and returns
/// once the watcher has listed again (panicking if it does not within 15 s), with the stream for more.
async fn watcher_relisted_after_an_expiry(
    sandbox: &Sandbox,
    client: Client,
) -> impl futures::Stream<Item = Result<watcher::Event<Namespace>, watcher::Error>> + Unpin + use<> {
    let api: Api<Namespace> = Api::all(client);
    let mut events = watcher(api, watcher::Config::default()).boxed();
    let mut inits = 0;
    let mut expired = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while inits < 2 {
        match tokio::time::timeout_at(deadline, events.next()).await {
            Ok(Some(Ok(watcher::Event::Init))) => inits += 1,
            Ok(Some(Ok(watcher::Event::InitDone))) if !expired => {
                // Forget the history and end the stream: the watch that follows the listing (open already or
                // not yet) gets 410 Gone, whose answer is a relist.
                sandbox.expire_resource_versions().expect("expire");
                expired = true;
            }
            Ok(Some(_)) => {}
            Ok(None) => panic!("the watcher's stream ended after {inits} listings"),
            Err(_) => panic!("no relist within 15 s of the expiry ({inits} listings)"),
        }
    }
    events
}

#[tokio::test]
async fn expired_resource_versions_make_the_watcher_relist() {
    let (sandbox, client) = start().await;
    let _relisted = watcher_relisted_after_an_expiry(&sandbox, client).await;
    sandbox.shutdown().await;
}

#[tokio::test]
async fn an_expiry_costs_exactly_one_relist() {
    let (sandbox, client) = start().await;
    let mut events = watcher_relisted_after_an_expiry(&sandbox, client).await;
    // Exactly one relist: once relisted, the watcher stays on its new watch, with no further listing.
    let quiet = tokio::time::Instant::now() + Duration::from_secs(2);
    while let Ok(event) = tokio::time::timeout_at(quiet, events.next()).await {
        match event {
            Some(Ok(watcher::Event::Init)) => panic!("a 410 Gone must lead to exactly one relist, got a third"),
            Some(_) => {}
            None => panic!("the watcher's stream ended after the relist"),
        }
    }
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

#[tokio::test]
async fn tokens_separate_full_read_only_and_anonymous_callers() {
    let config = SandboxConfig {
        token: Some("full-secret".into()),
        read_only_token: Some("reader-secret".into()),
        ..SandboxConfig::default()
    };
    let (sandbox, full) = start_with(config).await;
    let full: Api<ConfigMap> = Api::namespaced(full, "default");
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

#[tokio::test]
async fn server_side_apply_conflicts_unless_forced() {
    let (sandbox, client) = start().await;
    let api: Api<ConfigMap> = Api::namespaced(client, "default");
    let first = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared"}, "data": {"owner": "alice", "a": "1"}});
    api.patch("shared", &PatchParams::apply("alice"), &Patch::Apply(&first)).await.expect("alice applies");
    let second =
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared"}, "data": {"owner": "bob"}});
    match api.patch("shared", &PatchParams::apply("bob"), &Patch::Apply(&second)).await {
        Err(kube::Error::Api(status)) => {
            assert_eq!(status.code, 409);
            assert!(status.message.contains("conflict with \"alice\""), "{}", status.message);
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    let forced = api.patch("shared", &PatchParams::apply("bob").force(), &Patch::Apply(&second)).await.expect("forced");
    assert_eq!(forced.data.as_ref().and_then(|d| d.get("owner")).map(String::as_str), Some("bob"));
    let managers: Vec<String> =
        forced.metadata.managed_fields.unwrap_or_default().into_iter().filter_map(|m| m.manager).collect();
    assert!(managers.contains(&"alice".to_string()) && managers.contains(&"bob".to_string()), "{managers:?}");
    // Alice re-applies without "a": the field she alone owned goes away.
    let shrunk = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared"}, "data": {}});
    let after = api.patch("shared", &PatchParams::apply("alice"), &Patch::Apply(&shrunk)).await.expect("re-apply");
    let data = after.data.unwrap_or_default();
    assert!(!data.contains_key("a") && data.get("owner").map(String::as_str) == Some("bob"), "{data:?}");
    // A dry run shows the result without writing it.
    let dry = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared"}, "data": {"dry": "yes"}});
    api.patch("shared", &PatchParams::apply("carol").dry_run(), &Patch::Apply(&dry)).await.expect("dry run");
    assert!(!api.get("shared").await.expect("get").data.unwrap_or_default().contains_key("dry"));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn pod_logs_follow_as_the_container_writes() {
    use futures::AsyncBufReadExt;
    use k8s_openapi::api::core::v1::Pod;
    use kube::api::LogParams;
    let config = SandboxConfig { pod_ready_delay: Duration::from_millis(50), ..SandboxConfig::default() };
    let (sandbox, client) = start_with(config).await;
    let pods: Api<Pod> = Api::namespaced(client, "default");
    let pod: Pod = serde_json::from_value(json!({"metadata": {"name": "talker"}, "spec": {"containers": [{"name": "app", "image": "ghcr.io/stefanprodan/podinfo:6.7.0"}]}}))
        .expect("valid Pod");
    pods.create(&PostParams::default(), &pod).await.expect("create pod");
    kube::runtime::wait::await_condition(pods.clone(), "talker", kube::runtime::conditions::is_pod_running())
        .await
        .expect("pod runs");
    let mut lines = pods
        .log_stream("talker", &LogParams { follow: true, ..LogParams::default() })
        .await
        .expect("log stream")
        .lines();
    let first = tokio::time::timeout(Duration::from_secs(10), lines.try_next()).await.expect("a line").expect("read");
    assert!(first.is_some_and(|l| l.contains("starting app")));
    // Following: a line written after the request arrives on the same stream.
    let later =
        tokio::time::timeout(Duration::from_secs(10), lines.try_next()).await.expect("a later line").expect("read");
    assert!(later.is_some());
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_log_script_and_appended_lines_reach_readers_and_followers() {
    use futures::AsyncBufReadExt;
    use k8s_openapi::api::core::v1::Pod;
    use kube::api::LogParams;
    let config = SandboxConfig { pod_ready_delay: Duration::from_millis(50), ..SandboxConfig::default() };
    let (sandbox, client) = start_with(config).await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    let script = "{\"level\":\"info\",\"ts\":\"{{ts}}\",\"msg\":\"first\"}\nsecond";
    let pod: Pod = serde_json::from_value(json!({
        "metadata": {"name": "scripted", "annotations": {fluxtui_sandbox::LOG_SCRIPT_ANNOTATION: script}},
        "spec": {"containers": [{"name": "app", "image": "ghcr.io/stefanprodan/podinfo:6.7.0"}]},
    }))
    .expect("valid Pod");
    pods.create(&PostParams::default(), &pod).await.expect("create pod");
    kube::runtime::wait::await_condition(pods.clone(), "scripted", kube::runtime::conditions::is_pod_running())
        .await
        .expect("pod runs");
    let logs = pods.logs("scripted", &LogParams::default()).await.expect("logs");
    let first = logs.lines().next().expect("a line");
    assert!(first.starts_with("{\"level\":\"info\",\"ts\":\"20") && first.ends_with("\"msg\":\"first\"}"), "{first}");

    let mut lines = pods
        .log_stream("scripted", &LogParams { follow: true, timestamps: true, ..LogParams::default() })
        .await
        .expect("log stream")
        .lines();
    let _backlog = tokio::time::timeout(Duration::from_secs(10), lines.try_next()).await.expect("backlog");
    let append = |body: serde_json::Value| {
        let request = axum::http::Request::post("/sandbox/logs/default/scripted/app")
            .body(serde_json::to_vec(&body).expect("json"))
            .expect("request");
        let client = client.clone();
        async move { client.request_text(request).await.expect("append") }
    };
    let answer = append(json!({"lines": ["appended \u{1b}[31mred\u{1b}[0m", "last"], "repeat": 3})).await;
    assert!(answer.contains("\"appended\":6") && answer.contains("\"followers\":1"), "{answer}");
    let mut seen = Vec::new();
    while seen.iter().filter(|line: &&String| line.contains("last")).count() < 3 {
        let line =
            tokio::time::timeout(Duration::from_secs(10), lines.try_next()).await.expect("a line").expect("read");
        seen.push(line.expect("open stream"));
    }
    let appended: Vec<&String> =
        seen.iter().filter(|line| line.contains("appended") || line.contains("last")).collect();
    assert_eq!(appended.len(), 6, "{seen:?}");
    // With timestamps=true each appended line carries the kubelet's timestamp.
    assert!(appended.iter().all(|line| line.starts_with("20") && line.contains("Z ")), "{appended:?}");
    // A later read sees the appended lines too.
    let logs = pods.logs("scripted", &LogParams::default()).await.expect("logs");
    assert_eq!(logs.lines().filter(|line| *line == "last").count(), 3, "{logs}");
    sandbox.shutdown().await;
}

/// One valid object of each Flux kind, built for these tests (the fields each CRD requires).
fn flux_objects() -> Vec<(&'static str, &'static str, &'static str, &'static str, serde_json::Value)> {
    vec![
        (
            "source.toolkit.fluxcd.io",
            "v1",
            "GitRepository",
            "gitrepositories",
            json!({"interval": "1m", "url": "https://github.com/stefanprodan/podinfo"}),
        ),
        (
            "source.toolkit.fluxcd.io",
            "v1",
            "HelmRepository",
            "helmrepositories",
            json!({"interval": "1m", "url": "https://stefanprodan.github.io/podinfo"}),
        ),
        (
            "source.toolkit.fluxcd.io",
            "v1",
            "HelmChart",
            "helmcharts",
            json!({"chart": "podinfo", "interval": "1m", "sourceRef": {"kind": "HelmRepository", "name": "podinfo"}}),
        ),
        (
            "source.toolkit.fluxcd.io",
            "v1",
            "OCIRepository",
            "ocirepositories",
            json!({"interval": "1m", "url": "oci://ghcr.io/stefanprodan/manifests/podinfo"}),
        ),
        (
            "source.toolkit.fluxcd.io",
            "v1",
            "Bucket",
            "buckets",
            json!({"bucketName": "podinfo", "endpoint": "minio.example.com", "interval": "1m"}),
        ),
        ("source.toolkit.fluxcd.io", "v1", "ExternalArtifact", "externalartifacts", json!({})),
        (
            "source.extensions.fluxcd.io",
            "v1beta1",
            "ArtifactGenerator",
            "artifactgenerators",
            json!({"sources": [{"alias": "repo", "kind": "GitRepository", "name": "podinfo"}], "artifacts": [{"name": "podinfo", "copy": [{"from": "@repo/deploy/**", "to": "@artifact/"}]}]}),
        ),
        (
            "kustomize.toolkit.fluxcd.io",
            "v1",
            "Kustomization",
            "kustomizations",
            json!({"interval": "10m", "prune": true, "sourceRef": {"kind": "GitRepository", "name": "podinfo"}}),
        ),
        (
            "helm.toolkit.fluxcd.io",
            "v2",
            "HelmRelease",
            "helmreleases",
            json!({"interval": "10m", "chart": {"spec": {"chart": "podinfo", "sourceRef": {"kind": "HelmRepository", "name": "podinfo"}}}}),
        ),
        ("notification.toolkit.fluxcd.io", "v1beta3", "Provider", "providers", json!({"type": "slack"})),
        (
            "notification.toolkit.fluxcd.io",
            "v1beta3",
            "Alert",
            "alerts",
            json!({"providerRef": {"name": "slack"}, "eventSources": [{"kind": "Kustomization", "name": "*"}]}),
        ),
        (
            "notification.toolkit.fluxcd.io",
            "v1",
            "Receiver",
            "receivers",
            json!({"type": "github", "resources": [{"kind": "GitRepository", "name": "podinfo"}], "secretRef": {"name": "webhook-token"}}),
        ),
        (
            "image.toolkit.fluxcd.io",
            "v1",
            "ImageRepository",
            "imagerepositories",
            json!({"image": "ghcr.io/stefanprodan/podinfo", "interval": "5m"}),
        ),
        (
            "image.toolkit.fluxcd.io",
            "v1",
            "ImagePolicy",
            "imagepolicies",
            json!({"imageRepositoryRef": {"name": "podinfo"}, "policy": {"semver": {"range": "6.x"}}}),
        ),
        (
            "image.toolkit.fluxcd.io",
            "v1",
            "ImageUpdateAutomation",
            "imageupdateautomations",
            json!({"interval": "30m", "sourceRef": {"kind": "GitRepository", "name": "podinfo"}, "git": {"commit": {"author": {"name": "fluxbot", "email": "fluxbot@example.com"}}}}),
        ),
    ]
}

/// Installs every Flux CRD of the shared reference data through kube-rs; `None` when it is absent.
async fn install_flux_crds(client: &Client) -> Option<()> {
    use kube::api::{ApiResource, DynamicObject, GroupVersionKind};
    let Some(shared) = fluxtui_testkit::shared_dir() else {
        eprintln!("skipping: ../shared is absent (set FLUXTUI_SHARED to use another directory)");
        return None;
    };
    let crds = shared.join("flux/crds");
    let crd_api: Api<DynamicObject> = Api::all_with(
        client.clone(),
        &ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk("apiextensions.k8s.io", "v1", "CustomResourceDefinition"),
            "customresourcedefinitions",
        ),
    );
    let files = std::fs::read_dir(&crds).expect("read CRDs").flatten();
    for entry in files.filter(|e| e.path().extension().is_some_and(|x| x == "yaml")) {
        let text = std::fs::read_to_string(entry.path()).expect("read CRD");
        let crd: serde_json::Value = serde_saphyr::from_str(&text).expect("CRD YAML");
        let name = crd["metadata"]["name"].as_str().expect("name").to_string();
        crd_api.patch(&name, &PatchParams::apply("test").force(), &Patch::Apply(&crd)).await.expect("install CRD");
    }
    Some(())
}

#[tokio::test]
async fn shared_dynamic_crud_on_a_flux_kind_with_its_status_subresource() {
    use kube::api::{ApiResource, DynamicObject, GroupVersionKind};
    let (sandbox, client) = start().await;
    if install_flux_crds(&client).await.is_none() {
        return;
    }
    let resource = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("source.toolkit.fluxcd.io", "v1", "GitRepository"),
        "gitrepositories",
    );
    let api: Api<DynamicObject> = Api::namespaced_with(client, "default", &resource);
    let object: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": "podinfo"},
        "spec": {"interval": "1m", "url": "https://github.com/stefanprodan/podinfo", "ref": {"branch": "master"}}
    }))
    .expect("valid object");
    let created = api.create(&PostParams::default(), &object).await.expect("create");
    // The CRD's schema defaults apply on the way in.
    assert_eq!(created.data["spec"]["timeout"], json!("60s"));
    let status = json!({"status": {"observedGeneration": 1, "conditions": [{"type": "Ready", "status": "True", "reason": "Succeeded", "message": "stored artifact", "lastTransitionTime": "2026-11-24T10:00:00Z", "observedGeneration": 1}]}});
    let with_status =
        api.patch_status("podinfo", &PatchParams::default(), &Patch::Merge(&status)).await.expect("status");
    assert_eq!(with_status.data["status"]["conditions"][0]["reason"], json!("Succeeded"));
    assert_eq!(with_status.metadata.generation, Some(1), "a status write is not a spec change");
    // The main resource cannot change status; a spec change bumps generation.
    let mut replaced = with_status.clone();
    replaced.data["spec"]["interval"] = json!("5m");
    replaced.data["status"] = json!({"observedGeneration": 99});
    let replaced = api.replace("podinfo", &PostParams::default(), &replaced).await.expect("replace");
    assert_eq!(replaced.metadata.generation, Some(2));
    assert_eq!(replaced.data["status"]["observedGeneration"], json!(1));
    let invalid: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": "broken"}, "spec": {"interval": 5}
    }))
    .expect("object");
    match api.create(&PostParams::default(), &invalid).await {
        Err(kube::Error::Api(status)) => {
            assert_eq!(status.code, 422);
            assert!(status.message.contains("spec.url: Required value"), "{}", status.message);
        }
        other => panic!("expected 422, got {other:?}"),
    }
    // Custom resources take JSON, merge and apply patches, but not strategic merge.
    match api.patch("podinfo", &PatchParams::default(), &Patch::Strategic(json!({"spec": {"suspend": true}}))).await {
        Err(kube::Error::Api(status)) => assert_eq!(status.code, 415, "{}", status.message),
        other => panic!("expected 415 for a strategic merge patch, got {other:?}"),
    }
    assert_eq!(api.list(&ListParams::default()).await.expect("list").items.len(), 1);
    api.delete("podinfo", &DeleteParams::default()).await.expect("delete");
    assert!(api.get_opt("podinfo").await.expect("get").is_none());
    sandbox.shutdown().await;
}

#[tokio::test]
async fn shared_reflectors_for_every_flux_kind_fill_and_stay_quiet() {
    use kube::api::{ApiResource, DynamicObject, GroupVersionKind};
    use kube::runtime::{WatchStreamExt, reflector};
    let (sandbox, client) = start().await;
    if install_flux_crds(&client).await.is_none() {
        return;
    }
    let mut readers = Vec::new();
    let errors = Arc::new(AtomicUsize::new(0));
    for (group, version, kind, plural, spec) in flux_objects() {
        let resource = ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural);
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &resource);
        let object =
            json!({"apiVersion": resource.api_version, "kind": kind, "metadata": {"name": "podinfo"}, "spec": spec});
        api.patch("podinfo", &PatchParams::apply("test"), &Patch::Apply(&object))
            .await
            .unwrap_or_else(|e| panic!("create {kind}: {e}"));
        let writer = reflector::store::Writer::new(resource.clone());
        let reader = writer.as_reader();
        let (errors, listings) = (errors.clone(), Arc::new(AtomicUsize::new(0)));
        let stream = {
            let listings = listings.clone();
            watcher(api, watcher::Config::default().any_semantic())
                .default_backoff()
                // Every listing, the first included, starts with Init: counted before the reflector takes it.
                .inspect_ok(move |event| {
                    if matches!(event, watcher::Event::Init) {
                        listings.fetch_add(1, Ordering::Relaxed);
                    }
                })
                .reflect(writer)
                .touched_objects()
        };
        tokio::spawn(async move {
            let mut stream = Box::pin(stream);
            while let Some(item) = stream.next().await {
                if item.is_err() {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        readers.push((kind, reader, listings));
    }
    for (kind, reader, _) in &readers {
        tokio::time::timeout(Duration::from_secs(10), reader.wait_until_ready()).await.expect("ready").expect("store");
        assert_eq!(reader.state().len(), 1, "{kind} store");
    }
    // Steady state: nothing changes, and no watcher errors or relists for a while.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(errors.load(Ordering::Relaxed), 0, "watch errors in a steady state");
    for (kind, _, listings) in &readers {
        assert_eq!(listings.load(Ordering::Relaxed), 1, "{kind}: listed more than once in a steady state");
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn filtered_watches_see_objects_leave_and_enter_their_selection() {
    let (sandbox, client) = start().await;
    let api: Api<ConfigMap> = Api::namespaced(client, "default");
    let mut events = watcher(api.clone(), watcher::Config::default().labels("app=demo")).boxed();
    loop {
        match tokio::time::timeout(Duration::from_secs(5), events.try_next()).await {
            Ok(Ok(Some(watcher::Event::InitDone))) => break,
            Ok(Ok(Some(_))) => continue,
            other => panic!("watcher did not initialise: {other:?}"),
        }
    }
    api.create(&PostParams::default(), &config_map("mover", "1")).await.expect("create");
    assert_eq!(next_apply(&mut events).await.metadata.name.as_deref(), Some("mover"));
    let relabel = |app: &str| Patch::Merge(json!({"metadata": {"labels": {"app": app}}}));
    api.patch("mover", &PatchParams::default(), &relabel("other")).await.expect("relabel out");
    let left = match tokio::time::timeout(Duration::from_secs(5), events.try_next()).await {
        Ok(Ok(Some(watcher::Event::Delete(object)))) => object,
        other => panic!("expected a delete when the object left the selection, got {other:?}"),
    };
    assert_eq!(left.metadata.name.as_deref(), Some("mover"));
    api.patch("mover", &PatchParams::default(), &relabel("demo")).await.expect("relabel in");
    assert_eq!(next_apply(&mut events).await.metadata.name.as_deref(), Some("mover"));
    sandbox.shutdown().await;
}
