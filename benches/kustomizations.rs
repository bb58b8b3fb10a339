//! Kustomization reconciler benchmark (issue 6): `KUSTOMIZATIONS` (1,000) Kustomizations of `OBJECTS` (10)
//! objects each, reconciled by the engine on the sandbox.
//!
//! `cargo bench --bench kustomizations` (release build). The sandbox runs in this process (its simulated
//! controllers too: every Deployment gets its ReplicaSet and pod); the engine is the real `fluxtui controller`
//! binary in its own process, so its memory is measured alone (VmRSS and VmHWM from /proc). One repository,
//! served by `git daemon` on loopback, holds one directory per Kustomization (no kustomization.yaml: the engine
//! generates it, as Flux does) with a Deployment, a Service, a ServiceAccount, a Secret and six ConfigMaps. One
//! GitRepository; the Kustomizations (interval 10m, prune on, no wait) are created at once once it is Ready, and
//! the time runs from the first create until every one shows Ready=True at its generation (polled every 100 ms).
//!
//! Nothing here asserts a time; every wait has a deadline and fails loudly. Results go to BENCHMARKS.md by hand.

#[path = "support/engine_process.rs"]
mod engine_process;

use std::time::{Duration, Instant};

use engine_process::{memory_kib, start_engine};
use fluxtui::api::FluxKind;
use fluxtui::cluster::{ConnectOptions, connect};
use fluxtui_testkit::{GitDaemon, GitRepos, TestCluster};
use kube::api::{Api, DynamicObject, ListParams, PostParams};
use serde_json::{Value, json};

/// `BENCH_KUSTOMIZATIONS` overrides it (a quick profile on fewer).
const KUSTOMIZATIONS: usize = 1_000;
const OBJECTS: usize = 10;
const DEADLINE: Duration = Duration::from_secs(600);

fn main() {
    let concurrency: u16 = setting("BENCH_CONCURRENCY").unwrap_or(4);
    let count: usize = setting("BENCH_KUSTOMIZATIONS").unwrap_or(KUSTOMIZATIONS);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    runtime.block_on(run(concurrency, count));
}

/// A number from the environment.
fn setting<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// The ten objects of app `i`.
fn app_files(i: usize) -> Vec<(String, String)> {
    let name = format!("app-{i:04}");
    let mut files = vec![
        (
            "deployment.yaml".to_string(),
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n      labels:\n        app: {name}\n    spec:\n      serviceAccountName: {name}\n      containers:\n      - name: app\n        image: nginx:1.27\n        envFrom:\n        - configMapRef:\n            name: {name}-0\n"
            ),
        ),
        (
            "service.yaml".to_string(),
            format!(
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  selector:\n    app: {name}\n  ports:\n  - port: 80\n"
            ),
        ),
        (
            "serviceaccount.yaml".to_string(),
            format!("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n"),
        ),
        (
            "secret.yaml".to_string(),
            format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\nstringData:\n  token: t-{i}\n"),
        ),
    ];
    for c in 0..OBJECTS - files.len() {
        files.push((
            format!("configmap-{c}.yaml"),
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-{c}\ndata:\n  key: value-{i}-{c}\n"),
        ));
    }
    files.into_iter().map(|(file, text)| (format!("apps/{name}/{file}"), text)).collect()
}

fn ready(object: &Value) -> bool {
    object["status"]["conditions"].as_array().is_some_and(|conditions| {
        conditions.iter().any(|c| {
            c["type"] == "Ready" && c["status"] == "True" && c["observedGeneration"] == object["metadata"]["generation"]
        })
    })
}

async fn wait_until(what: &str, started: Instant, mut done: impl AsyncFnMut() -> (usize, usize)) {
    loop {
        let (ready, total) = done().await;
        if ready == total {
            return;
        }
        assert!(started.elapsed() < DEADLINE, "{what}: only {ready} of {total} after {DEADLINE:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn run(concurrency: u16, count: usize) {
    let repos = GitRepos::new();
    let fleet = repos.create("fleet");
    let files: Vec<(String, String)> = (0..count).flat_map(app_files).collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
    fleet.commit(&refs, "the fleet");
    fleet.push();
    let daemon = GitDaemon::start(&repos);

    let cluster = TestCluster::start().await;
    let options = ConnectOptions { kubeconfig: Some(cluster.kubeconfig_path().to_path_buf()), context: None };
    let client = connect(&options).await.expect("connect").client().clone();
    fluxtui::cli::controller::install_crds(&client).await.expect("install the CRDs");
    let storage = cluster.dir().join("engine");
    let engine = start_engine(cluster.kubeconfig_path(), &storage, concurrency);

    let sources: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), "default", &FluxKind::GitRepository.api_resource("v1"));
    let source: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": "fleet", "namespace": "default"},
        "spec": {"interval": "10m", "url": daemon.url(&fleet), "ref": {"branch": "main"}}
    }))
    .expect("a GitRepository");
    let started = Instant::now();
    sources.create(&PostParams::default(), &source).await.expect("create the GitRepository");
    wait_until("the GitRepository", started, async || {
        let object = sources.get("fleet").await.expect("get");
        (usize::from(ready(&serde_json::to_value(object).expect("JSON"))), 1)
    })
    .await;
    let source_ready = started.elapsed();

    let api: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), "default", &FluxKind::Kustomization.api_resource("v1"));
    let started = Instant::now();
    let creates = (0..count).map(|i| {
        let api = api.clone();
        let object: DynamicObject = serde_json::from_value(json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": format!("app-{i:04}"), "namespace": "default"},
            "spec": {"interval": "10m", "path": format!("./apps/app-{i:04}"), "prune": true,
                "sourceRef": {"kind": "GitRepository", "name": "fleet"}}
        }))
        .expect("a Kustomization");
        async move { api.create(&PostParams::default(), &object).await.expect("create") }
    });
    futures::future::join_all(creates).await;
    let created = started.elapsed();
    wait_until("the Kustomizations", started, async || {
        let list = api.list(&ListParams::default()).await.expect("list");
        let values = list.items.into_iter().map(|o| serde_json::to_value(o).expect("JSON"));
        (values.filter(ready).count(), count)
    })
    .await;
    let all_ready = started.elapsed();
    let (rss, hwm) = memory_kib(engine.id());
    let inventory: usize = api
        .list(&ListParams::default())
        .await
        .expect("list")
        .items
        .iter()
        .map(|o| o.data["status"]["inventory"]["entries"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(inventory, count * OBJECTS, "every object is in an inventory");
    println!(
        "{count} Kustomizations x {OBJECTS} objects, concurrency {concurrency}: source Ready in {:.2} s; created in {:.0} ms, all Ready in {:.2} s; engine RSS {} MiB, peak {} MiB",
        source_ready.as_secs_f64(),
        created.as_secs_f64() * 1000.0,
        all_ready.as_secs_f64(),
        rss / 1024,
        hwm / 1024
    );
    drop(engine);
}
