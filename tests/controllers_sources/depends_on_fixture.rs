//! dependsOn ordering on a real fleet repository: ../shared/fixtures/flux2-kustomize-helm-example served by a git
//! daemon, its production cluster objects (the ArtifactGenerator splitting the monorepo into ExternalArtifacts,
//! and the Kustomizations infra-controllers -> infra-configs -> apps) applied as they are in the fixture. The
//! engine runs Git, ArtifactGenerator and Kustomization; what the rest of Flux would do (helm-controller
//! installing cert-manager's and envoy's CRDs and making the HelmReleases Ready, source-controller fetching charts
//! from quay.io and docker.io, which this machine cannot reach) is played by [`stand_in`], so the order in which
//! the engine applies the three layers is what the test observes.

use std::path::Path;
use std::time::{Duration, Instant};

use fluxtui::api::FluxKind;
use fluxtui_testkit::{GitDaemon, GitRepos, shared_dir};
use kube::Client;
use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams};
use serde_json::{Value, json};

use crate::support::{EngineCluster, assert_kstatus, condition, ready_is};

/// Every file of the fixture, relative paths and contents (the fixture's own `.git`, if any, left out).
fn fixture_files(root: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("read the fixture") {
            let path = entry.expect("fixture entry").path();
            if path.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                let relative = path.strip_prefix(root).expect("under the root").to_string_lossy().to_string();
                files.push((relative, text));
            }
        }
    }
    files.sort();
    files
}

/// The CRDs cert-manager's and envoy-gateway's charts install, reduced to what the API server needs to serve
/// the kinds infra-configs applies.
fn chart_crds() -> String {
    let crd = |group: &str, kind: &str, plural: &str, scope: &str| {
        format!(
            "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: {plural}.{group}
spec:
  group: {group}
  scope: {scope}
  names:
    kind: {kind}
    plural: {plural}
    singular: {singular}
    listKind: {kind}List
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
",
            singular = kind.to_ascii_lowercase()
        )
    };
    [
        crd("cert-manager.io", "ClusterIssuer", "clusterissuers", "Cluster"),
        crd("gateway.networking.k8s.io", "GatewayClass", "gatewayclasses", "Cluster"),
        crd("gateway.networking.k8s.io", "Gateway", "gateways", "Namespaced"),
    ]
    .join("---\n")
}

/// How long the stand-in takes to "install" a release.
const INSTALL_TIME: Duration = Duration::from_secs(3);

/// Plays helm-controller and source-controller for HelmReleases and chart sources: a new object is first
/// Reconciling (Ready Unknown), and Ready at its generation [`INSTALL_TIME`] later.
async fn stand_in(client: Client) {
    let kinds = [FluxKind::HelmRelease, FluxKind::OciRepository, FluxKind::HelmRepository];
    let mut first_seen = std::collections::HashMap::new();
    loop {
        for kind in kinds {
            let resource = kind.api_resource(kind.versions()[0]);
            let api: Api<DynamicObject> = Api::all_with(client.clone(), &resource);
            let Ok(list) = api.list(&ListParams::default()).await else { continue };
            for object in list.items {
                let value = serde_json::to_value(&object).unwrap_or_default();
                let (Some(name), Some(namespace)) = (object.metadata.name, object.metadata.namespace) else { continue };
                if ready_is(&value, "True") {
                    continue;
                }
                let seen = *first_seen.entry((kind, namespace.clone(), name.clone())).or_insert_with(Instant::now);
                let generation = object.metadata.generation.unwrap_or(1);
                let conditions = if seen.elapsed() < INSTALL_TIME {
                    json!([{"type": "Reconciling", "status": "True", "reason": "Progressing",
                        "message": "Running 'install' action", "observedGeneration": generation,
                        "lastTransitionTime": "2026-01-01T00:00:00Z"},
                        {"type": "Ready", "status": "Unknown", "reason": "Progressing",
                        "message": "Running 'install' action", "observedGeneration": generation,
                        "lastTransitionTime": "2026-01-01T00:00:00Z"}])
                } else {
                    json!([{"type": "Ready", "status": "True", "reason": "InstallSucceeded",
                        "message": "installed by the stand-in", "observedGeneration": generation,
                        "lastTransitionTime": "2026-01-01T00:00:00Z"}])
                };
                let status = json!({"status": {"observedGeneration": generation, "conditions": conditions}});
                let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), &namespace, &resource);
                let _ = api.patch_status(&name, &PatchParams::default(), &Patch::Merge(&status)).await;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn reason(object: &Value) -> String {
    condition(object, "Ready").and_then(|c| c["reason"].as_str()).unwrap_or_default().to_string()
}

fn ready_since(object: &Value) -> String {
    condition(object, "Ready").and_then(|c| c["lastTransitionTime"].as_str()).unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_flux2_kustomize_helm_example_applies_infrastructure_before_apps() {
    let Some(shared) = shared_dir() else {
        println!("../shared is absent: skipped");
        return;
    };
    let fixture = shared.join("fixtures/flux2-kustomize-helm-example");
    let mut env = EngineCluster::without_engine().await;
    let mut config = env.config();
    config.kinds = vec![FluxKind::GitRepository, FluxKind::ArtifactGenerator, FluxKind::Kustomization];
    config.requeue_dependency = Duration::from_secs(1);
    env.start_engine(config).await;

    let repos = GitRepos::new();
    let repo = repos.create("fleet");
    let files = fixture_files(&fixture);
    let files: Vec<(&str, &str)> = files.iter().map(|(path, text)| (path.as_str(), text.as_str())).collect();
    let commit = repo.commit(&files, "the fixture");
    repo.push();
    let daemon = GitDaemon::start(&repos);
    env.cluster.kubectl_success(&["create", "namespace", "flux-system"]);
    env.apply(
        "flux-system",
        &format!(
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  url: {}\n  interval: 1m\n  ref:\n    branch: main\n",
            daemon.url(&repo)
        ),
    );
    env.apply("chart-crds", &chart_crds());
    let installer = tokio::spawn(stand_in(env.client.clone()));
    for file in ["artifacts.yaml", "infrastructure.yaml", "apps.yaml"] {
        let path = fixture.join("clusters/production").join(file);
        env.cluster.kubectl_success(&["apply", "-f", path.to_str().expect("utf-8 path")]);
    }

    // The controllers layer is applied and waits for its HelmReleases; the two later layers wait for it.
    let ks = |name: &'static str, what: &'static str, holds: fn(&Value) -> bool| {
        env.wait_for_in(FluxKind::Kustomization, "flux-system", name, what, holds)
    };
    let cert_manager = ("helm.toolkit.fluxcd.io/v2", "HelmRelease", "helmreleases");
    env.wait_live(cert_manager, "cert-manager", "cert-manager", "infra-controllers applied", |_| true).await;
    ks("infra-configs", "waiting on infra-controllers", |o| reason(o) == "DependencyNotReady").await;
    let apps = ks("apps", "waiting on infra-configs", |o| reason(o) == "DependencyNotReady").await;
    assert_kstatus(&apps);
    let message = condition(&apps, "Ready").and_then(|c| c["message"].as_str()).unwrap_or_default().to_string();
    assert_eq!(message, "dependency 'flux-system/infra-configs' is not ready");
    assert!(env.live("cert-manager.io/v1", "ClusterIssuer", "clusterissuers", "", "letsencrypt").await.is_none());
    assert!(env.live("v1", "Namespace", "namespaces", "", "podinfo").await.is_none());
    let controllers = env.get(FluxKind::Kustomization, "flux-system", "infra-controllers").await.expect("exists");
    assert!(!ready_is(&controllers, "True"), "its HelmReleases are not installed yet");

    // The charts get installed: each layer follows the one it depends on.
    let controllers = ks("infra-controllers", "Ready", |o| ready_is(o, "True")).await;
    let configs = ks("infra-configs", "Ready", |o| ready_is(o, "True")).await;
    let apps = ks("apps", "Ready", |o| ready_is(o, "True")).await;
    installer.abort();
    for object in [&controllers, &configs, &apps] {
        assert_kstatus(object);
        // The ExternalArtifact's revision, whose origin is the fixture's commit.
        let source = object["spec"]["sourceRef"]["name"].as_str().unwrap_or_default();
        let artifact = env.get(FluxKind::ExternalArtifact, "flux-system", source).await.expect("the ExternalArtifact");
        assert_eq!(object["status"]["lastAppliedRevision"], artifact["status"]["artifact"]["revision"]);
        let origin = artifact["status"]["artifact"]["metadata"]["org.opencontainers.image.revision"].as_str();
        assert_eq!(origin, Some(format!("main@sha1:{commit}").as_str()), "{}", artifact["status"]["artifact"]);
    }
    assert!(ready_since(&controllers) <= ready_since(&configs) && ready_since(&configs) <= ready_since(&apps));
    // infra-configs' own patch (the production ACME server) reached the ClusterIssuer.
    let issuer = env.live("cert-manager.io/v1", "ClusterIssuer", "clusterissuers", "", "letsencrypt").await;
    let issuer = issuer.expect("infra-configs applied the ClusterIssuer");
    assert_eq!(issuer["spec"]["acme"]["server"], "https://acme-v02.api.letsencrypt.org/directory");
    let podinfo = ("helm.toolkit.fluxcd.io/v2", "HelmRelease", "helmreleases");
    let release = env.live(podinfo.0, podinfo.1, podinfo.2, "podinfo", "podinfo").await.expect("apps applied podinfo");
    assert_eq!(release["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/name"], "apps");
    env.stop().await;
}
