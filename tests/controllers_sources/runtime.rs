//! The runtime around the reconcilers: leader election on a Lease, the refusal to fight running Flux
//! controllers, and the engine's JSON log.

use std::time::Duration;

use fluxtui::controllers::runtime::leader::{Attempt, LeaseConfig, try_acquire};
use fluxtui::controllers::runtime::logs::EngineLog;
use fluxtui::controllers::runtime::{Engine, EngineStartError};
use fluxtui_testkit::{GitDaemon, GitRepos};
use serde_json::Value;

use crate::support::{EngineCluster, ready_is};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_engine_holds_the_lease_and_another_takes_over_only_after_it_expires_or_is_released() {
    let env = EngineCluster::without_engine().await;
    let mut first = LeaseConfig::new("default", "fluxtui-controller", "first");
    first.duration = Duration::from_secs(2);
    let mut second = LeaseConfig::new("default", "fluxtui-controller", "second");
    second.duration = Duration::from_secs(2);
    assert_eq!(try_acquire(&env.client, &first).await.unwrap(), Attempt::Held);
    assert_eq!(try_acquire(&env.client, &second).await.unwrap(), Attempt::HeldBy("first".into()));
    // The holder renews.
    assert_eq!(try_acquire(&env.client, &first).await.unwrap(), Attempt::Held);
    // Unrenewed past its duration, the lease goes to the other candidate, and the transition is counted.
    tokio::time::sleep(Duration::from_millis(2300)).await;
    assert_eq!(try_acquire(&env.client, &second).await.unwrap(), Attempt::Held);
    let lease = env.cluster.kubectl_success(&["get", "lease", "fluxtui-controller", "-o", "json"]);
    let lease: Value = serde_json::from_str(&lease).unwrap();
    assert_eq!(lease["spec"]["holderIdentity"], "second");
    assert_eq!(lease["spec"]["leaseTransitions"], 1);
    assert_eq!(try_acquire(&env.client, &first).await.unwrap(), Attempt::HeldBy("second".into()));
    // A released lease is free at once.
    fluxtui::controllers::runtime::leader::release(&env.client, &second).await;
    assert_eq!(try_acquire(&env.client, &first).await.unwrap(), Attempt::Held);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_engine_waits_for_the_lease_and_takes_over_when_the_first_stops() {
    let mut env = EngineCluster::without_engine().await;
    let mut config = env.config();
    config.lease = Some(LeaseConfig::new("default", "fluxtui-controller", "engine-a"));
    env.start_engine(config).await;
    let repos = GitRepos::new();
    let repo = repos.create("app");
    repo.commit(&[("a.yaml", "a: 1\n")], "one");
    repo.push();
    let daemon = GitDaemon::start(&repos);
    let yaml = format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: app\n  namespace: default\nspec:\n  url: {}\n  interval: 1m\n  ref:\n    branch: main\n",
        daemon.url(&repo)
    );
    env.apply("app", &yaml);
    env.wait_for(fluxtui::api::FluxKind::GitRepository, "app", "Ready", |o| ready_is(o, "True")).await;

    // A second engine blocks in start-up while the first holds the lease.
    let mut second = env.config();
    second.storage_dir = env.cluster.dir().join("engine-b");
    second.lease = Some(LeaseConfig::new("default", "fluxtui-controller", "engine-b"));
    let client = env.client.clone();
    let waiting = tokio::spawn(async move { Engine::start(client, second, EngineLog::new(|_| {})).await });
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(!waiting.is_finished(), "the second engine must wait for the lease");
    // The first stops and releases it: the second starts.
    env.engine.take().unwrap().stop().await;
    let engine = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("the second engine takes the released lease")
        .unwrap()
        .expect("the second engine starts");
    let lease =
        env.cluster.kubectl_success(&["get", "lease", "fluxtui-controller", "-o", "jsonpath={.spec.holderIdentity}"]);
    assert_eq!(lease, "engine-b");
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_refuses_to_start_where_flux_controllers_run() {
    let env = EngineCluster::without_engine().await;
    env.apply(
        "flux",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: flux-system\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: source-controller\n  namespace: flux-system\n  labels:\n    app.kubernetes.io/part-of: flux\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: source-controller\n  template:\n    metadata:\n      labels:\n        app: source-controller\n    spec:\n      containers:\n      - name: manager\n        image: ghcr.io/fluxcd/source-controller:v1.9.0\n",
    );
    // The simulated kubelet makes the pod ready; then the engine refuses.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let ready = env.cluster.kubectl_success(&[
            "get",
            "deployment",
            "source-controller",
            "-n",
            "flux-system",
            "-o",
            "jsonpath={.status.readyReplicas}",
        ]);
        if ready.trim() == "1" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the deployment never became ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let err = match Engine::start(env.client.clone(), env.config(), EngineLog::new(|_| {})).await {
        Err(err) => err,
        Ok(_) => panic!("the engine started next to a running source-controller"),
    };
    assert!(matches!(err, EngineStartError::Refused(_)), "{err}");
    assert!(err.to_string().contains("flux-system/source-controller"), "{err}");
    // Sharded, alongside Flux, it starts.
    let mut config = env.config();
    config.alongside_flux = true;
    config.shard = Some("dev".into());
    let engine =
        Engine::start(env.client.clone(), config, EngineLog::new(|_| {})).await.expect("a sharded engine starts");
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_is_json_in_flux_shape() {
    let env = EngineCluster::start().await;
    let repos = GitRepos::new();
    let repo = repos.create("app");
    repo.commit(&[("a.yaml", "a: 1\n")], "logged");
    repo.push();
    let daemon = GitDaemon::start(&repos);
    env.apply(
        "app",
        &format!(
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: app\n  namespace: default\nspec:\n  url: {}\n  interval: 1m\n  ref:\n    branch: main\n",
            daemon.url(&repo)
        ),
    );
    env.wait_for(fluxtui::api::FluxKind::GitRepository, "app", "Ready", |o| ready_is(o, "True")).await;
    let lines = env.logs.lock().unwrap().clone();
    let parsed: Vec<Value> = lines.iter().map(|l| serde_json::from_str(l).expect("every line is JSON")).collect();
    let stored = parsed
        .iter()
        .find(|l| l["msg"] == "stored artifact for commit 'logged'")
        .unwrap_or_else(|| panic!("no NewArtifact line in {lines:?}"));
    assert_eq!(stored["level"], "info");
    assert_eq!(stored["controllerKind"], "GitRepository");
    assert_eq!(stored["controllerGroup"], "source.toolkit.fluxcd.io");
    assert_eq!(stored["name"], "app");
    assert_eq!(stored["namespace"], "default");
    assert!(stored["reconcileID"].as_str().is_some_and(|id| !id.is_empty()));
    env.stop().await;
}
