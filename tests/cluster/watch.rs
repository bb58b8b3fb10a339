//! The kinds' watches: objects in the stores, StoreChanged events, stripping, namespaces and access errors.

use fluxtui::api::FluxKind;
use fluxtui::cluster::{ClusterEvent, ConnectionState, KindState};
use fluxtui_testkit::{TestCluster, http_request};

use crate::support::{Watched, apply, git_repository, install_crds};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_written_with_kubectl_reach_the_store_stripped() {
    let cluster = TestCluster::start().await;
    install_crds(&cluster, &[(FluxKind::GitRepository, &["v1"])]);
    cluster.kubectl_success(&["create", "namespace", "apps"]);
    apply(&cluster, "first", &git_repository("first", "default", "v1", "https://example.com/first"));
    let mut watched = Watched::on(&cluster, None).await;
    watched.wait_for_state(FluxKind::GitRepository, KindState::Synced { version: "v1".into() }).await;
    watched.wait_for_store(FluxKind::GitRepository, "the listed object", |names| names == ["default/first"]).await;
    watched
        .wait_until("the namespaces", |watched| {
            watched.namespaces().is_some_and(|names| names.iter().any(|name| name == "apps"))
        })
        .await;

    apply(&cluster, "second", &git_repository("second", "apps", "v1", "https://example.com/second"));
    watched
        .wait_for_store(FluxKind::GitRepository, "the created object", |names| {
            names == ["apps/second", "default/first"]
        })
        .await;

    // kubectl apply wrote managed fields and the last-applied annotation; neither is kept.
    let stores = watched.session.stores();
    for object in stores.objects(FluxKind::GitRepository) {
        let value = object.to_value();
        assert!(value["metadata"].get("managedFields").is_none(), "managed fields kept: {value:#}");
        let annotations = value["metadata"].get("annotations");
        assert!(
            annotations.is_none_or(|a| a.get("kubectl.kubernetes.io/last-applied-configuration").is_none()),
            "last-applied annotation kept: {value:#}"
        );
    }

    apply(&cluster, "second", &git_repository("second", "apps", "v1", "https://example.com/changed"));
    let url_of_second = || {
        stores
            .objects(FluxKind::GitRepository)
            .iter()
            .find(|object| object.metadata().name.as_deref() == Some("second"))
            .map(|object| object.to_value()["spec"]["url"].clone())
    };
    watched.wait_until("the modification", |_| url_of_second() == Some("https://example.com/changed".into())).await;

    cluster.kubectl_success(&["delete", "gitrepository", "first", "-n", "default"]);
    watched.wait_for_store(FluxKind::GitRepository, "the deletion", |names| names == ["apps/second"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_restricted_to_a_namespace_sees_only_that_namespace() {
    let cluster = TestCluster::start().await;
    install_crds(&cluster, &[(FluxKind::GitRepository, &["v1"])]);
    cluster.kubectl_success(&["create", "namespace", "apps"]);
    apply(&cluster, "outside", &git_repository("outside", "default", "v1", "https://example.com/outside"));
    apply(&cluster, "inside", &git_repository("inside", "apps", "v1", "https://example.com/inside"));
    let mut watched = Watched::on(&cluster, Some("apps")).await;
    watched.wait_for_state(FluxKind::GitRepository, KindState::Synced { version: "v1".into() }).await;
    watched.wait_for_store(FluxKind::GitRepository, "the namespace's object", |names| names == ["apps/inside"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forbidden_kind_is_no_access_and_the_session_stays_connected() {
    let cluster = TestCluster::start().await;
    install_crds(&cluster, &[(FluxKind::Alert, &["v1beta3"]), (FluxKind::Provider, &["v1beta3"])]);
    let set = http_request(
        cluster.url(),
        "POST",
        "/sandbox/faults",
        None,
        Some(r#"{"forbiddenResources":["alerts.notification.toolkit.fluxcd.io"]}"#),
    );
    assert_eq!(set.status, 200, "{}", set.body);
    let mut watched = Watched::on(&cluster, None).await;
    watched
        .wait_until("Alert NoAccess", |watched| {
            matches!(watched.kind_state(FluxKind::Alert), Some(KindState::NoAccess(_)))
        })
        .await;
    let Some(KindState::NoAccess(message)) = watched.kind_state(FluxKind::Alert) else { unreachable!() };
    assert!(message.contains("cannot list resource \"alerts\""), "{message}");
    watched.wait_for_state(FluxKind::Provider, KindState::Synced { version: "v1beta3".into() }).await;
    watched.wait_for_connection(|state| *state == ConnectionState::Connected).await;
    assert!(
        !watched
            .seen
            .iter()
            .any(|event| matches!(event, ClusterEvent::Connection(ConnectionState::Disconnected { .. }))),
        "a 403 is not a lost connection: {:#?}",
        watched.seen
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_info_reports_the_flux_controllers_and_the_flux_version() {
    let cluster = TestCluster::start().await;
    let manifest = r#"apiVersion: v1
kind: Namespace
metadata:
  name: flux-system
  labels:
    app.kubernetes.io/part-of: flux
    app.kubernetes.io/version: v2.9.1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: source-controller
  namespace: flux-system
  labels:
    app.kubernetes.io/part-of: flux
spec:
  replicas: 1
  selector:
    matchLabels:
      app: source-controller
  template:
    metadata:
      labels:
        app: source-controller
    spec:
      containers:
      - name: manager
        image: ghcr.io/fluxcd/source-controller:v1.7.0
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: unrelated
  namespace: default
spec:
  selector:
    matchLabels:
      app: unrelated
  template:
    metadata:
      labels:
        app: unrelated
    spec:
      containers:
      - name: app
        image: example.com/unrelated:1
"#;
    apply(&cluster, "flux", manifest);
    let mut watched = Watched::on(&cluster, None).await;
    // The simulated rollout makes the replica Ready shortly after the Deployment is created.
    watched
        .wait_until("a ready source-controller", |watched| {
            watched.info().is_some_and(|info| {
                info.controllers.len() == 1 && info.controllers[0].ready_replicas == 1 && info.server_version.is_some()
            })
        })
        .await;
    let info = watched.info().expect("waited for the info").clone();
    assert_eq!(info.flux_version.as_deref(), Some("v2.9.1"));
    let controller = &info.controllers[0];
    assert_eq!(
        (controller.namespace.as_str(), controller.name.as_str(), controller.desired_replicas),
        ("flux-system", "source-controller", 1)
    );
    assert_eq!(controller.image, "ghcr.io/fluxcd/source-controller:v1.7.0");
    assert!(
        !watched.seen.iter().any(
            |event| matches!(event, ClusterEvent::Info(info) if info.controllers.iter().any(|c| c.name == "unrelated"))
        ),
        "a Deployment that is not part of Flux was reported"
    );
}
