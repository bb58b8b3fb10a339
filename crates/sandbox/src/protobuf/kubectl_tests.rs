//! End-to-end checks against real kubectl: every `create` generator and `run` sends protobuf, which a
//! recording proxy in front of a live sandbox captures. The decoded body must equal what
//! `--dry-run=client -o json` prints for the same command (the object kubectl would send), and, where the
//! sandbox serves the kind, the created object must be readable back with everything that was sent.

use super::decode;
use crate::{Sandbox, SandboxConfig};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One protobuf request body seen by the proxy.
#[derive(Debug, Clone)]
struct Recorded {
    request_line: String,
    content_type: String,
    body: Vec<u8>,
}

impl Recorded {
    fn is_protobuf(&self) -> bool {
        self.content_type.starts_with(super::MEDIA_TYPE)
    }
}

type Log = Arc<Mutex<Vec<Recorded>>>;

/// A byte-for-byte TCP proxy to `upstream` that also parses the client's HTTP/1.1 requests and keeps
/// every request that has a body.
async fn start_proxy(upstream: SocketAddr) -> (SocketAddr, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
    let addr = listener.local_addr().expect("proxy addr");
    let log: Log = Arc::default();
    let accept_log = log.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let log = accept_log.clone();
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(upstream).await else { return };
                let (mut client_read, mut client_write) = client.into_split();
                let (mut server_read, mut server_write) = server.into_split();
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
                });
                let mut pending = Vec::new();
                let mut chunk = vec![0u8; 16 * 1024];
                loop {
                    let n = match client_read.read(&mut chunk).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    if server_write.write_all(&chunk[..n]).await.is_err() {
                        break;
                    }
                    pending.extend_from_slice(&chunk[..n]);
                    while let Some(request) = take_request(&mut pending) {
                        log.lock().expect("log lock").push(request);
                    }
                }
            });
        }
    });
    (addr, log)
}

/// Removes one complete request from the front of `buf`; keeps only those with a body.
fn take_request(buf: &mut Vec<u8>) -> Option<Recorded> {
    loop {
        let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let request_line = lines.next().unwrap_or_default().to_string();
        let (mut length, mut content_type) = (0usize, String::new());
        for line in lines {
            let Some((name, value)) = line.split_once(':') else { continue };
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap_or(0),
                "content-type" => content_type = value.trim().to_string(),
                _ => {}
            }
        }
        let total = head_end + 4 + length;
        if buf.len() < total {
            return None;
        }
        let body = buf[head_end + 4..total].to_vec();
        buf.drain(..total);
        if !body.is_empty() {
            return Some(Recorded { request_line, content_type, body });
        }
    }
}

struct Kubectl {
    binary: PathBuf,
    kubeconfig: PathBuf,
    cache: PathBuf,
    server: String,
}

impl Kubectl {
    async fn run(&self, args: &[&str]) -> (bool, String, String) {
        let output = tokio::process::Command::new(&self.binary)
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--cache-dir")
            .arg(&self.cache)
            .args(["--server", &self.server])
            .args(args)
            .output()
            .await
            .expect("kubectl runs");
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (output.status.success(), text(&output.stdout), text(&output.stderr))
    }
}

fn find_kubectl() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join("kubectl")).find(|candidate| candidate.is_file())
}

/// Every leaf of `sent` is in `stored` with the same value (the server may add fields, never lose any).
fn assert_kept(sent: &Value, stored: &Value, path: &str) {
    match (sent, stored) {
        (Value::Object(sent), Value::Object(stored)) => {
            for (key, value) in sent {
                if value.is_null() || (value.as_object().is_some_and(|o| o.is_empty())) {
                    continue;
                }
                let next = stored.get(key).unwrap_or_else(|| panic!("{path}.{key} was lost: {stored:?}"));
                assert_kept(value, next, &format!("{path}.{key}"));
            }
        }
        (Value::Array(sent), Value::Array(stored)) => {
            assert_eq!(sent.len(), stored.len(), "{path} length");
            for (i, (a, b)) in sent.iter().zip(stored).enumerate() {
                assert_kept(a, b, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(sent, stored, "{path}"),
    }
}

/// `(kubectl args, resource to read back or "" when the sandbox does not serve the kind)`.
fn cases(dir: &Path) -> Vec<(Vec<String>, &'static str)> {
    let blob = dir.join("blob.bin");
    std::fs::write(&blob, [0xff, 0x00, 0xfe, 0x10]).expect("write blob");
    let blob_arg = format!("--from-file=blob.bin={}", blob.display());
    let plain: &[(&str, &str)] = &[
        ("create namespace team-a", "namespace/team-a"),
        ("create configmap app-config --from-literal=mode=fast --from-literal=level=3", "configmap/app-config"),
        ("create secret generic creds --from-literal=user=admin --from-literal=pass=s3cr=t", "secret/creds"),
        (
            "create secret docker-registry reg --docker-server=r.example.io --docker-username=u --docker-password=p",
            "secret/reg",
        ),
        ("create deployment web --image=nginx:1.27 --replicas=0 --port=80", "deployment/web"),
        ("create deployment multi --image=nginx --image=busybox", "deployment/multi"),
        ("create service clusterip web-svc --tcp=80:8080 --tcp=443:https", "service/web-svc"),
        ("create service nodeport np --tcp=80:80 --node-port=30080", "service/np"),
        ("create service externalname ext --external-name=example.com", "service/ext"),
        ("create serviceaccount robot", "serviceaccount/robot"),
        ("create job once --image=busybox -- echo hi", "job/once"),
        (
            "create cronjob nightly --image=busybox --schedule=*/5_*_*_*_* --restart=OnFailure -- date",
            "cronjob/nightly",
        ),
        ("create role reader --verb=get,list --resource=pods,deployments.apps --resource-name=a", "role/reader"),
        (
            "create rolebinding reader-bind --role=reader --user=alice --group=devs --serviceaccount=default:robot",
            "rolebinding/reader-bind",
        ),
        ("create clusterrole agg --aggregation-rule=rbac.example.com/aggregate=true", "clusterrole/agg"),
        ("create clusterrole viewer --verb=get --non-resource-url=/healthz", "clusterrole/viewer"),
        ("create clusterrolebinding crb --clusterrole=viewer --user=bob", "clusterrolebinding/crb"),
        (
            "create ingress web-ing --class=nginx --rule=foo.com/bar*=web-svc:80,tls=cert --annotation=a=b",
            "ingress/web-ing",
        ),
        ("create poddisruptionbudget pdb --selector=app=x --min-available=50%", "poddisruptionbudget/pdb"),
        ("create poddisruptionbudget pdb2 --selector=app=y --max-unavailable=1", "poddisruptionbudget/pdb2"),
        (
            "create priorityclass high --value=1000 --description=important --preemption-policy=Never",
            "priorityclass/high",
        ),
        ("create quota q --hard=cpu=1,memory=1G,pods=2 --scopes=BestEffort", "resourcequota/q"),
        ("run pod1 --image=nginx --env=A=1 --env=B=two --labels=app=x,tier=web --port=80 --restart=Never", "pod/pod1"),
        ("run pod2 --image=busybox --command -- sleep 3600", "pod/pod2"),
    ];
    let mut out: Vec<(Vec<String>, &'static str)> = plain
        .iter()
        // `_` stands for a space inside one argument (the cron schedule).
        .map(|(args, get)| (args.split(' ').map(|a| a.replace('_', " ")).collect(), *get))
        .collect();
    out.push((vec!["create".into(), "configmap".into(), "bin".into(), blob_arg], "configmap/bin"));
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_protobuf_bodies_decode_to_the_json_kubectl_would_send() {
    let Some(binary) = find_kubectl() else {
        eprintln!("skipping kubectl protobuf test: kubectl is not on PATH");
        return;
    };
    let config = SandboxConfig { simulate_workloads: false, ..SandboxConfig::default() };
    let sandbox = Sandbox::start(config).await.expect("sandbox starts");
    let (proxy, log) = start_proxy(sandbox.addr()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = dir.path().join("kubeconfig");
    sandbox.write_kubeconfig(&kubeconfig, None).expect("kubeconfig");
    let kubectl = Kubectl { binary, kubeconfig, cache: dir.path().join("cache"), server: format!("http://{proxy}") };

    let (mut checked, mut protobuf_posts) = (0, 0);
    for (args, resource) in cases(dir.path()) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let label = args.join(" ");
        // Flags go before a `--`, after which everything is the container's command.
        let split = args.iter().position(|a| *a == "--").unwrap_or(args.len());
        let mut dry = args[..split].to_vec();
        dry.extend(["--dry-run=client", "-o", "json"]);
        dry.extend(&args[split..]);
        let (ok, stdout, stderr) = kubectl.run(&dry).await;
        assert!(ok, "{label} --dry-run=client failed: {stderr}");
        let expected: Value =
            serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{label}: dry-run output {stdout:?}: {e}"));

        log.lock().expect("log lock").clear();
        let (ok, _, stderr) = kubectl.run(&args).await;
        let sent = log.lock().expect("log lock").clone();
        let post = sent
            .iter()
            .rev()
            .find(|r| r.request_line.starts_with("POST "))
            .unwrap_or_else(|| panic!("{label}: no POST was recorded (kubectl said: {stderr}); recorded {sent:?}"));
        let decoded = if post.is_protobuf() {
            protobuf_posts += 1;
            decode(&post.body).unwrap_or_else(|e| panic!("{label}: {e}"))
        } else {
            // `kubectl run` builds its pod through the unstructured helper, which sends JSON.
            serde_json::from_slice(&post.body).unwrap_or_else(|e| panic!("{label}: {e}"))
        };
        assert_eq!(decoded, expected, "{label}: decoded protobuf differs from kubectl's own JSON");

        if !resource.is_empty() {
            assert!(ok, "{label} failed against the sandbox: {stderr}");
            let (ok, stdout, stderr) = kubectl.run(&["get", resource, "-o", "json"]).await;
            assert!(ok, "get {resource}: {stderr}");
            let stored: Value = serde_json::from_str(&stdout).expect("get prints JSON");
            let mut sent_object = decoded.clone();
            // The server owns status (dropped on create when a status subresource exists).
            if let Some(object) = sent_object.as_object_mut() {
                object.remove("status");
            }
            assert_kept(&sent_object, &stored, resource);
        }
        checked += 1;
    }

    // `kubectl create token` posts an authentication.k8s.io TokenRequest; the sandbox need not serve it.
    log.lock().expect("log lock").clear();
    let _ = kubectl.run(&["create", "token", "robot", "--duration=10m"]).await;
    let sent = log.lock().expect("log lock").clone();
    let post = sent
        .iter()
        .find(|r| r.request_line.contains("/token") && r.is_protobuf())
        .expect("protobuf token request recorded");
    let decoded = decode(&post.body).expect("TokenRequest decodes");
    assert_eq!(decoded["kind"], json!("TokenRequest"));
    assert_eq!(decoded["spec"]["expirationSeconds"], json!(600));
    assert_eq!(decoded["spec"]["audiences"], Value::Null, "audiences has no omitempty");

    eprintln!("{checked} kubectl commands compared, {protobuf_posts} of them sent protobuf");
    assert!(protobuf_posts >= 20, "kubectl's generators send protobuf ({protobuf_posts})");
    sandbox.shutdown().await;
}
