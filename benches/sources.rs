//! Source reconciler benchmark (issue 5): the embedded engine against the sandbox and one local Git server.
//!
//! `cargo bench --bench sources` (release build). The sandbox runs in this process; the engine runs as the real
//! `fluxtui controller` binary (`CARGO_BIN_EXE_fluxtui`), so its memory is measured alone (VmHWM from /proc).
//!
//! 1. `SOURCES_COUNT` (100) GitRepositories, all on one repository served by `git daemon` on loopback, created at
//!    once: time from the first create until every one shows Ready=True with an artifact, and the engine's peak
//!    RSS, at 4 (the default) and 10 concurrent reconciles.
//! 2. One large repository (`LARGE_FILES` files over `LARGE_COMMITS` commits): the engine's checkout (shallow,
//!    git2) against `git clone --depth 1` of the same URL, `CLONE_RUNS` runs each, into fresh directories.
//!
//! Nothing here asserts a time; every wait has a deadline and fails loudly. Results go to BENCHMARKS.md by hand.

use std::process::Command;
use std::time::{Duration, Instant};

#[path = "support/engine_process.rs"]
mod engine_process;

use engine_process::{memory_kib, start_engine};
use fluxtui::api::FluxKind;
use fluxtui::cluster::{ConnectOptions, connect};
use fluxtui::controllers::git_repository::{CheckoutRequest, GitAuth, GitReference, checkout_blocking};
use fluxtui_testkit::{GitDaemon, GitRepos, TestCluster};
use kube::api::{Api, DynamicObject, ListParams, PostParams};
use serde_json::json;

const SOURCES_COUNT: usize = 100;
const LARGE_FILES: usize = 10_000;
const LARGE_COMMITS: usize = 5;
const CLONE_RUNS: usize = 3;
const DEADLINE: Duration = Duration::from_secs(300);

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    runtime.block_on(run());
}

async fn run() {
    let repos = GitRepos::new();
    let fleet = repos.create("fleet");
    let files: Vec<(String, String)> = (0..200)
        .map(|i| {
            (
                format!("apps/app-{i:03}/deployment.yaml"),
                format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n"),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
    fleet.commit(&refs, "the fleet");
    fleet.push();
    let large = repos.create("large");
    for commit in 0..LARGE_COMMITS {
        let files: Vec<(String, String)> = (0..LARGE_FILES)
            .map(|i| {
                (
                    format!("dir-{:02}/file-{i:05}.yaml", i % 50),
                    format!("commit: {commit}\nfile: {i}\n{}\n", "x".repeat(2_000)),
                )
            })
            .collect();
        let refs: Vec<(&str, &str)> = files.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
        large.commit(&refs, &format!("commit {commit}"));
    }
    large.push();
    let daemon = GitDaemon::start(&repos);

    for concurrency in [4u16, 10] {
        reconcile_many(&daemon.url(&fleet), concurrency).await;
    }
    clone_large(&daemon.url(&large));
}

async fn reconcile_many(url: &str, concurrency: u16) {
    let cluster = TestCluster::start().await;
    let options = ConnectOptions { kubeconfig: Some(cluster.kubeconfig_path().to_path_buf()), context: None };
    let client = connect(&options).await.expect("connect").client().clone();
    fluxtui::cli::controller::install_crds(&client).await.expect("install the CRDs");
    let storage = cluster.dir().join("engine");
    let engine = start_engine(cluster.kubeconfig_path(), &storage, concurrency);

    let resource = FluxKind::GitRepository.api_resource("v1");
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &resource);
    let started = Instant::now();
    let creates = (0..SOURCES_COUNT).map(|i| {
        let api = api.clone();
        let object: DynamicObject = serde_json::from_value(json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
            "metadata": {"name": format!("fleet-{i:03}"), "namespace": "default"},
            "spec": {"interval": "10m", "url": url, "ref": {"branch": "main"}}
        }))
        .expect("a GitRepository");
        async move { api.create(&PostParams::default(), &object).await.expect("create") }
    });
    futures::future::join_all(creates).await;
    let created = started.elapsed();
    loop {
        let list = api.list(&ListParams::default()).await.expect("list");
        let ready = list
            .items
            .iter()
            .filter(|o| {
                o.data["status"]["conditions"]
                    .as_array()
                    .is_some_and(|c| c.iter().any(|c| c["type"] == "Ready" && c["status"] == "True"))
            })
            .count();
        if ready == SOURCES_COUNT {
            break;
        }
        assert!(started.elapsed() < DEADLINE, "only {ready} of {SOURCES_COUNT} Ready after {DEADLINE:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let all_ready = started.elapsed();
    let (rss, hwm) = memory_kib(engine.id());
    println!(
        "{SOURCES_COUNT} GitRepositories, concurrency {concurrency}: created in {:.0} ms, all Ready in {:.2} s; engine RSS {} MiB, peak {} MiB",
        created.as_secs_f64() * 1000.0,
        all_ready.as_secs_f64(),
        rss / 1024,
        hwm / 1024
    );
    drop(engine);
}

fn clone_large(url: &str) {
    let work = tempfile::tempdir().expect("a temp dir");
    let mut ours = Vec::new();
    let mut git = Vec::new();
    for run in 0..CLONE_RUNS {
        let dir = work.path().join(format!("ours-{run}"));
        let request = CheckoutRequest {
            url: url.to_string(),
            reference: GitReference { branch: Some("main".into()), ..GitReference::default() },
            auth: GitAuth::None,
            workdir: dir,
            timeout: Duration::from_secs(300),
        };
        let started = Instant::now();
        let checkout = checkout_blocking(&request).expect("checkout");
        ours.push(started.elapsed());
        assert!(checkout.shallow);

        let dir = work.path().join(format!("git-{run}"));
        let started = Instant::now();
        let status = Command::new("git")
            .args(["clone", "--quiet", "--depth", "1", "--branch", "main", url])
            .arg(&dir)
            .status()
            .expect("run git clone");
        git.push(started.elapsed());
        assert!(status.success());
    }
    ours.sort();
    git.sort();
    let median = |v: &[Duration]| v[v.len() / 2].as_secs_f64() * 1000.0;
    println!(
        "clone of {LARGE_FILES} files x {LARGE_COMMITS} commits, depth 1: fluxtui checkout median {:.0} ms, git clone --depth 1 median {:.0} ms (runs: {:?} / {:?})",
        median(&ours),
        median(&git),
        ours.iter().map(|d| d.as_millis()).collect::<Vec<_>>(),
        git.iter().map(|d| d.as_millis()).collect::<Vec<_>>()
    );
}
