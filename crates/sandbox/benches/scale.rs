//! Scale harness for the sandbox (`cargo bench -p fluxtui-sandbox --bench scale`): objects stored
//! and memory, list latency, watch fan-out and write throughput, against an in-process server,
//! with loopback HTTP clients on threads of this same process. The objects of the store benchmark
//! and the fan-out's writes go in-process through `ApiState::create`; lists, watches and the
//! throughput writes go over HTTP. Sizes can be lowered with `SCALE_OBJECTS=10000` for a quick run.
//! Results go to BENCHMARKS.md by hand; nothing here asserts a time, but every wait has a deadline
//! and fails loudly when it passes.

use fluxtui_sandbox::resources::{Target, WriteOptions};
use fluxtui_sandbox::{Sandbox, SandboxConfig};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// A CRD shaped like Flux's GitRepository, written for this benchmark.
fn crd() -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "gitrepositories.bench.fluxtui.io"},
        "spec": {"group": "bench.fluxtui.io", "scope": "Namespaced",
            "names": {"kind": "GitRepository", "plural": "gitrepositories", "singular": "gitrepository", "listKind": "GitRepositoryList"},
            "versions": [{"name": "v1", "served": true, "storage": true, "subresources": {"status": {}},
                "additionalPrinterColumns": [
                    {"name": "URL", "type": "string", "jsonPath": ".spec.url"},
                    {"name": "Ready", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status"},
                    {"name": "Status", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].message"}],
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                    "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}}}]}
    })
}

/// About 1.5 KiB of JSON, like a reconciled Flux source with its status.
fn flux_object(namespace: &str, name: &str) -> Value {
    json!({
        "apiVersion": "bench.fluxtui.io/v1", "kind": "GitRepository",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app.kubernetes.io/part-of": "flux", "tenant": namespace},
            "annotations": {"reconcile.fluxcd.io/requestedAt": "2026-11-24T10:00:00Z"}},
        "spec": {"interval": "1m0s", "timeout": "60s", "url": format!("https://git.example.com/{namespace}/{name}.git"),
            "ref": {"branch": "main"}, "secretRef": {"name": "git-credentials"}, "ignore": "/*\n!/deploy\n"},
        "status": {"observedGeneration": 1, "conditions": [
            {"type": "Ready", "status": "True", "reason": "Succeeded", "observedGeneration": 1, "lastTransitionTime": "2026-11-24T10:00:00Z",
             "message": "stored artifact for revision 'main@sha1:5f2c1e9a0d3b4c6e8f7a9b1c2d3e4f5a6b7c8d9e'"},
            {"type": "ArtifactInStorage", "status": "True", "reason": "Succeeded", "observedGeneration": 1, "lastTransitionTime": "2026-11-24T10:00:00Z",
             "message": "stored artifact for revision 'main@sha1:5f2c1e9a0d3b4c6e8f7a9b1c2d3e4f5a6b7c8d9e'"}],
            "artifact": {"path": format!("gitrepository/{namespace}/{name}/5f2c1e9a.tar.gz"),
                "url": format!("http://source-controller.flux-system.svc.cluster.local./gitrepository/{namespace}/{name}/5f2c1e9a.tar.gz"),
                "revision": "main@sha1:5f2c1e9a0d3b4c6e8f7a9b1c2d3e4f5a6b7c8d9e",
                "digest": "sha256:2f6c1b0f3f6b6a1e1d0c9b8a7f6e5d4c3b2a19f8e7d6c5b4a3f2e1d0c9b8a7f6",
                "lastUpdateTime": "2026-11-24T10:00:00Z", "size": 48213}}
    })
}

/// How long any one wait of the harness (a response, a watcher, an event) may take before the run fails.
const WAIT_LIMIT: Duration = Duration::from_secs(60);

/// One GET, returning the size of the whole answer. The answer is read as raw bytes, not decoded, so the
/// measured time is the server's and the transfer's.
fn get(addr: &str, path: &str, accept: &str) -> usize {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(WAIT_LIMIT)).expect("read timeout");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: {accept}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("send");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read");
    answer.len()
}

fn post(stream: &mut BufReader<TcpStream>, addr: &str, path: &str, body: &str) -> u16 {
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.get_mut().write_all(request.as_bytes()).expect("send");
    let mut status_line = String::new();
    stream.read_line(&mut status_line).expect("status");
    let mut length = 0;
    loop {
        let mut line = String::new();
        stream.read_line(&mut line).expect("header");
        assert!(!line.is_empty(), "the server closed the connection in the middle of the headers");
        if line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).expect("body");
    status_line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

async fn objects_and_lists(total: usize) {
    let sandbox =
        Sandbox::start(SandboxConfig { simulate_workloads: false, ..SandboxConfig::default() }).await.expect("start");
    let state = sandbox.state();
    let before = rss_mib();
    let crds = state.resource("apiextensions.k8s.io", "v1", "customresourcedefinitions").expect("crds");
    state.create(&Target::new(crds, "", ""), crd(), &WriteOptions::manager("bench")).expect("crd");
    let namespaces = state.resource("", "v1", "namespaces").expect("namespaces");
    let repos = state.resource("bench.fluxtui.io", "v1", "gitrepositories").expect("served");
    let per_namespace = 10_000.min(total);
    let started = Instant::now();
    for n in 0..total {
        let ns = format!("tenant-{}", n / per_namespace);
        if n % per_namespace == 0 {
            let body = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
            state.create(&Target::new(namespaces.clone(), "", &ns), body, &WriteOptions::manager("bench")).expect("ns");
        }
        let name = format!("repo-{n}");
        let target = Target::new(repos.clone(), &ns, &name);
        state.create(&target, flux_object(&ns, &name), &WriteOptions::manager("bench")).expect("create");
    }
    let elapsed = started.elapsed();
    println!(
        "store: {total} Flux-sized objects in {:.1} s ({:.0} creates/s in-process), RSS {:.0} MiB (+{:.0} MiB)",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        rss_mib(),
        rss_mib() - before
    );
    let addr = sandbox.addr().to_string();
    let path = "/apis/bench.fluxtui.io/v1/namespaces/tenant-0/gitrepositories";
    for (label, accept) in [("JSON", "application/json"), ("Table", "application/json;as=Table;v=v1;g=meta.k8s.io")] {
        let addr = addr.clone();
        let (mut samples, bytes) = tokio::task::spawn_blocking(move || {
            get(&addr, path, accept);
            let mut samples = Vec::new();
            let mut bytes = 0;
            for _ in 0..20 {
                let t = Instant::now();
                bytes = get(&addr, path, accept);
                samples.push(t.elapsed());
            }
            (samples, bytes)
        })
        .await
        .expect("lists");
        println!(
            "list {per_namespace} objects as {label}: median {} p90 {} ({:.1} MiB)",
            ms(percentile(&mut samples, 0.5)),
            ms(percentile(&mut samples, 0.9)),
            bytes as f64 / 1024.0 / 1024.0
        );
    }
    sandbox.shutdown().await;
}

/// `watchers` watch streams over HTTP on one resource; `writes` creates made in-process (through
/// `ApiState::create`, not HTTP), each timed until every watcher has read its event.
async fn watch_fan_out(watchers: usize, writes: usize) {
    let sandbox =
        Sandbox::start(SandboxConfig { simulate_workloads: false, ..SandboxConfig::default() }).await.expect("start");
    let addr = sandbox.addr().to_string();
    let received = Arc::new(AtomicU64::new(0));
    // Each watcher says once its response headers are read: from then on its watch is open on the server.
    let (open_tx, mut open_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let mut threads = Vec::new();
    for _ in 0..watchers {
        let (addr, received, open_tx) = (addr.clone(), received.clone(), open_tx.clone());
        threads.push(std::thread::spawn(move || {
            let stream = TcpStream::connect(&addr).expect("connect");
            stream.set_read_timeout(Some(WAIT_LIMIT)).expect("read timeout");
            let mut reader = BufReader::new(stream);
            let request = format!(
                "GET /api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=60 HTTP/1.1\r\nHost: {addr}\r\n\r\n"
            );
            reader.get_mut().write_all(request.as_bytes()).expect("send");
            let mut status_line = String::new();
            reader.read_line(&mut status_line).expect("status line");
            assert!(status_line.starts_with("HTTP/1.1 200"), "the watch was answered {status_line:?}");
            loop {
                let mut header = String::new();
                reader.read_line(&mut header).expect("header");
                assert!(!header.is_empty(), "the server closed the watch in the middle of its headers");
                if header == "\r\n" {
                    break;
                }
            }
            open_tx.send(()).expect("the harness waits for every watcher");
            let mut seen = 0;
            for line in reader.lines() {
                let line = line.expect("read the watch stream");
                if line.contains("\"type\":\"ADDED\"") {
                    received.fetch_add(1, Ordering::Relaxed);
                    seen += 1;
                    if seen == writes {
                        return;
                    }
                }
            }
            panic!("the watch stream ended after {seen} of {writes} events");
        }));
    }
    drop(open_tx);
    let open_deadline = tokio::time::Instant::now() + WAIT_LIMIT;
    for open in 0..watchers {
        match tokio::time::timeout_at(open_deadline, open_rx.recv()).await {
            Ok(Some(())) => {}
            // Every sender is gone: a watcher thread panicked before its watch was open.
            Ok(None) => panic!("only {open} of {watchers} watches opened: a watcher thread failed"),
            Err(_) => panic!("only {open} of {watchers} watches opened within {WAIT_LIMIT:?}"),
        }
    }
    let state = sandbox.state();
    let cms = state.resource("", "v1", "configmaps").expect("configmaps");
    let started = Instant::now();
    let mut latencies = Vec::new();
    for i in 0..writes {
        let before = received.load(Ordering::Relaxed);
        let t = Instant::now();
        let name = format!("fan-{i}");
        let body =
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"i": i.to_string()}});
        state
            .create(&Target::new(cms.clone(), "default", &name), body, &WriteOptions::manager("bench"))
            .expect("create");
        let deadline = t + WAIT_LIMIT;
        loop {
            let delivered = received.load(Ordering::Relaxed) - before;
            if delivered >= watchers as u64 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "write {i}: {delivered} of {watchers} watchers had it after {WAIT_LIMIT:?}"
            );
            tokio::time::sleep(Duration::from_micros(50)).await;
        }
        latencies.push(t.elapsed());
    }
    let total = started.elapsed();
    println!(
        "watch fan-out: {writes} writes to {watchers} watchers: per write until all watchers have it median {} p99 {}; {:.0} events/s delivered",
        ms(percentile(&mut latencies, 0.5)),
        ms(percentile(&mut latencies, 0.99)),
        (writes * watchers) as f64 / total.as_secs_f64()
    );
    for thread in threads {
        thread.join().expect("a watcher thread panicked");
    }
    sandbox.shutdown().await;
}

async fn write_throughput(durable: bool, clients: usize, duration: Duration) {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = SandboxConfig {
        simulate_workloads: false,
        state_dir: durable.then(|| dir.path().to_path_buf()),
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(config).await.expect("start");
    let addr = sandbox.addr().to_string();
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + duration;
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let (addr, done) = (addr.clone(), done.clone());
            std::thread::spawn(move || {
                let stream = TcpStream::connect(&addr).expect("connect");
                stream.set_read_timeout(Some(WAIT_LIMIT)).expect("read timeout");
                let mut stream = BufReader::new(stream);
                let mut i = 0;
                while Instant::now() < deadline {
                    let body = format!(r#"{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"w-{c}-{i}"}},"data":{{"k":"v"}}}}"#);
                    assert_eq!(post(&mut stream, &addr, "/api/v1/namespaces/default/configmaps", &body), 201);
                    done.fetch_add(1, Ordering::Relaxed);
                    i += 1;
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("a writer thread panicked");
    }
    println!(
        "writes over HTTP, {clients} clients, {}: {:.0} creates/s",
        if durable { "--state-dir (fsync per write)" } else { "in memory" },
        done.load(Ordering::Relaxed) as f64 / duration.as_secs_f64()
    );
    sandbox.shutdown().await;
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let total = std::env::var("SCALE_OBJECTS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    objects_and_lists(total).await;
    watch_fan_out(100, 200).await;
    write_throughput(false, 8, Duration::from_secs(5)).await;
    write_throughput(true, 8, Duration::from_secs(5)).await;
}
