//! The real kubectl against the sandbox: everything a platform engineer types on a small cluster.

use fluxtui_testkit::{TestCluster, raw_request, shared_dir};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// Every Flux object in a fixture repository: files with Flux kinds, minus kustomize patches
/// (files without `metadata.namespace`... are still objects; patches are `*-values.yaml` and
/// files named in `patches:`, which carry no `spec.interval`).
fn flux_manifests(root: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                let is_flux = text.contains("toolkit.fluxcd.io/") || text.contains("source.extensions.fluxcd.io/");
                if is_flux && text.contains("interval:") && !text.contains("kustomize.config.k8s.io") {
                    found.push(path);
                }
            }
        }
    }
    found.sort();
    found
}

#[tokio::test]
async fn shared_flux_crds_and_fixture_objects_apply_server_side_and_list_with_printer_columns() {
    let Some(shared) = shared_dir() else {
        eprintln!("skipping: ../shared is absent (set FLUXTUI_SHARED to use another directory)");
        return;
    };
    let cluster = TestCluster::start().await;
    let version = cluster.kubectl_success(&["version"]);
    assert!(version.contains("Server Version: v1.32"), "{version}");
    let crds = shared.join("flux/crds");
    cluster.kubectl_success(&["apply", "--server-side", "-f", crds.to_str().expect("utf-8 path")]);
    let listed = cluster.kubectl_success(&["get", "crds"]);
    for name in [
        "gitrepositories.source.toolkit.fluxcd.io",
        "kustomizations.kustomize.toolkit.fluxcd.io",
        "helmreleases.helm.toolkit.fluxcd.io",
    ] {
        assert!(listed.contains(name), "{name} missing from:\n{listed}");
    }
    let fixture = shared.join("fixtures/flux2-kustomize-helm-example");
    let manifests = flux_manifests(&fixture);
    assert!(manifests.len() >= 5, "expected Flux manifests in {}", fixture.display());
    for manifest in &manifests {
        // Create the namespaces the fixture expects before its objects.
        let text = std::fs::read_to_string(manifest).expect("read manifest");
        for line in text.lines().filter_map(|l| l.trim().strip_prefix("namespace: ")) {
            let ns = line.trim();
            let exists = cluster.kubectl(&["get", "ns", ns]).status.success();
            if !exists {
                cluster.kubectl_success(&["create", "ns", ns]);
            }
        }
        cluster.kubectl_success(&["apply", "--server-side", "-f", manifest.to_str().expect("utf-8 path")]);
    }
    let table = cluster.kubectl_success(&[
        "get",
        "gitrepositories,kustomizations,helmreleases,helmrepositories,ocirepositories",
        "-A",
    ]);
    assert!(table.contains("READY") && table.contains("STATUS"), "printer columns missing:\n{table}");
    assert!(table.contains("kustomization.kustomize.toolkit.fluxcd.io/apps"), "{table}");
    assert!(table.contains("helmrelease.helm.toolkit.fluxcd.io/podinfo"), "{table}");
    // Defaults from the CRD schema were applied on the way in: the fixture's HelmRelease names no chart version
    // and no reconcile strategy, and the HelmRelease v2 schema defaults both.
    let hr = json(&cluster.kubectl_success(&["get", "helmrelease", "podinfo", "-n", "podinfo", "-o", "json"]));
    assert_eq!(hr["metadata"]["generation"], 1);
    assert_eq!(hr["spec"]["chart"]["spec"]["version"], "*", "{hr}");
    assert_eq!(hr["spec"]["chart"]["spec"]["reconcileStrategy"], "ChartVersion", "{hr}");
}

#[tokio::test]
async fn configmaps_through_client_side_apply_every_patch_type_selectors_and_diff() {
    let cluster = TestCluster::start().await;
    let dir = cluster.dir().to_path_buf();
    let manifest = dir.join("cm.yaml");
    std::fs::write(
        &manifest,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\n  labels: {app: web, tier: front}\ndata:\n  mode: blue\n",
    )
    .expect("write manifest");
    let path = manifest.to_str().expect("utf-8 path");
    cluster.kubectl_success(&["apply", "-f", path]);
    let applied = json(&cluster.kubectl_success(&["get", "cm", "settings", "-o", "json"]));
    let last_applied = applied["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
        .as_str()
        .expect("client-side apply records last-applied");
    assert!(last_applied.contains("\"mode\":\"blue\""));
    // Re-applying a changed file patches through the last-applied annotation.
    std::fs::write(&manifest, std::fs::read_to_string(&manifest).expect("read").replace("blue", "green"))
        .expect("write");
    assert!(cluster.kubectl_success(&["apply", "-f", path]).contains("configured"));
    cluster.kubectl_success(&["patch", "cm", "settings", "-p", r#"{"data":{"strategic":"1"}}"#]);
    cluster.kubectl_success(&["patch", "cm", "settings", "--type", "merge", "-p", r#"{"data":{"merge":"2"}}"#]);
    cluster.kubectl_success(&[
        "patch",
        "cm",
        "settings",
        "--type",
        "json",
        "-p",
        r#"[{"op":"add","path":"/data/json","value":"3"}]"#,
    ]);
    let data = json(&cluster.kubectl_success(&["get", "cm", "settings", "-o", "jsonpath={.data}"]));
    assert_eq!(data, serde_json::json!({"mode": "green", "strategic": "1", "merge": "2", "json": "3"}));
    cluster.kubectl_success(&["create", "configmap", "other", "--from-literal=a=b"]);
    let by_label = cluster.kubectl_success(&["get", "cm", "-l", "app=web,tier in (front)", "-o", "name"]);
    assert_eq!(by_label.trim(), "configmap/settings");
    let by_field = cluster.kubectl_success(&["get", "cm", "--field-selector", "metadata.name!=settings", "-o", "name"]);
    assert!(by_field.contains("configmap/other") && !by_field.contains("settings"), "{by_field}");
    // kubectl diff exits 0 when the server-side dry run changes nothing and 1 when it does. The
    // fields are owned by kubectl-client-side-apply: applying the same values is no conflict, new
    // values conflict (as on a real cluster) unless the diff forces.
    let same = cluster.kubectl(&["diff", "--server-side", "-f", path]);
    assert_eq!(same.status.code(), Some(0), "{same:?}");
    std::fs::write(&manifest, std::fs::read_to_string(&manifest).expect("read").replace("green", "red"))
        .expect("write");
    let conflict = cluster.kubectl(&["diff", "--server-side", "-f", path]);
    assert!(String::from_utf8_lossy(&conflict.stderr).contains("conflict"), "{conflict:?}");
    let diff = cluster.kubectl(&["diff", "--server-side", "--force-conflicts", "-f", path]);
    assert_eq!(diff.status.code(), Some(1), "{}", String::from_utf8_lossy(&diff.stderr));
    let shown = String::from_utf8_lossy(&diff.stdout);
    assert!(shown.contains("-  mode: green") && shown.contains("+  mode: red"), "{shown}");
    let unchanged = json(&cluster.kubectl_success(&["get", "cm", "settings", "-o", "json"]));
    assert_eq!(unchanged["data"]["mode"], "green", "a dry run must not write");
}

#[tokio::test]
async fn get_watch_streams_changes_as_they_happen() {
    let cluster = TestCluster::start().await;
    // The object exists before the watch starts, so its ADDED line (from kubectl's initial list) tells when the
    // list is done: kubectl watches from that list's resourceVersion, so no change made after it can be missed.
    cluster.kubectl_success(&["create", "configmap", "watched", "--from-literal=a=1"]);
    let mut watch = cluster
        .kubectl_command(&["get", "configmaps", "-w", "--output-watch-events"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start kubectl get -w");
    let stdout = watch.stdout.take().expect("piped stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    let mut next_line = |deadline: Instant| -> Option<String> {
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match rx.recv_timeout(left) {
                Ok(line) if line.contains("watched") => {
                    lines.push(line.clone());
                    return Some(line);
                }
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        None
    };
    let added = next_line(Instant::now() + Duration::from_secs(30));
    assert!(added.as_deref().is_some_and(|line| line.starts_with("ADDED")), "no ADDED line: {added:?}");
    cluster.kubectl_success(&["label", "configmap", "watched", "seen=yes"]);
    cluster.kubectl_success(&["delete", "configmap", "watched"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while next_line(deadline).is_some_and(|line| !line.starts_with("DELETED")) {}
    let _ = watch.kill();
    let _ = watch.wait();
    let events: Vec<&str> = lines.iter().filter_map(|line| line.split_whitespace().next()).collect();
    assert_eq!(events, ["ADDED", "MODIFIED", "DELETED"], "watch output: {lines:?}");
}

#[tokio::test]
async fn delete_waits_for_finalizers_and_completes_when_they_are_removed() {
    let cluster = TestCluster::start().await;
    let manifest = cluster.dir().join("held.yaml");
    std::fs::write(
        &manifest,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  finalizers: [example.com/hold]\n",
    )
    .expect("write");
    cluster.kubectl_success(&["create", "-f", manifest.to_str().expect("utf-8 path")]);
    cluster.kubectl_success(&["delete", "configmap", "held", "--wait=false"]);
    let pending = json(&cluster.kubectl_success(&["get", "configmap", "held", "-o", "json"]));
    assert!(pending["metadata"]["deletionTimestamp"].is_string(), "{pending}");
    cluster.kubectl_success(&[
        "patch",
        "configmap",
        "held",
        "--type",
        "merge",
        "-p",
        r#"{"metadata":{"finalizers":null}}"#,
    ]);
    let gone = cluster.kubectl(&["get", "configmap", "held"]);
    assert!(!gone.status.success());
    assert!(String::from_utf8_lossy(&gone.stderr).contains("NotFound"), "{}", String::from_utf8_lossy(&gone.stderr));
}

#[tokio::test]
async fn bad_input_gets_kubernetes_status_errors() {
    let cluster = TestCluster::start().await;
    let url = cluster.url();
    let post = |path: &str, content_type: &str, body: &[u8]| {
        raw_request(url, "POST", path, &[("Content-Type", content_type)], Some(body))
    };
    let deep_json = format!(
        r#"{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"d"}},"data":{}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    )
    .into_bytes();
    let deep_yaml = format!("a: {}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes();
    // Each level repeats the one before nine times: 9^9 nodes if expanded.
    let mut alias_bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for (name, previous) in
        ["b", "c", "d", "e", "f", "g", "h", "i"].iter().zip(["a", "b", "c", "d", "e", "f", "g", "h"])
    {
        alias_bomb.push_str(&format!("{name}: &{name} [{}]\n", vec![format!("*{previous}"); 9].join(", ")));
    }
    let cases: Vec<(&str, fluxtui_testkit::HttpResponse, u16, &str)> = vec![
        (
            "malformed JSON",
            post("/api/v1/namespaces/default/configmaps", "application/json", b"{\"kind\": "),
            400,
            "BadRequest",
        ),
        (
            "malformed YAML",
            post("/api/v1/namespaces/default/configmaps", "application/yaml", b"kind: [unclosed"),
            400,
            "BadRequest",
        ),
        (
            "unknown kind",
            post("/apis/example.com/v1/namespaces/default/widgets", "application/json", b"{}"),
            404,
            "NotFound",
        ),
        (
            "wrong apiVersion",
            post(
                "/api/v1/namespaces/default/configmaps",
                "application/json",
                br#"{"apiVersion":"apps/v1","kind":"ConfigMap","metadata":{"name":"x"}}"#,
            ),
            400,
            "BadRequest",
        ),
        (
            "invalid name",
            post(
                "/api/v1/namespaces/default/configmaps",
                "application/json",
                br#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Not_Valid"}}"#,
            ),
            422,
            "Invalid",
        ),
        (
            "oversize body",
            post("/api/v1/namespaces/default/configmaps", "application/json", &vec![b' '; 4 * 1024 * 1024]),
            413,
            "RequestEntityTooLarge",
        ),
        (
            "unknown media type",
            post("/api/v1/namespaces/default/configmaps", "text/csv", b"a,b"),
            415,
            "UnsupportedMediaType",
        ),
        (
            "JSON nested past any sane depth",
            post("/api/v1/namespaces/default/configmaps", "application/json", &deep_json),
            400,
            "BadRequest",
        ),
        (
            "YAML nested past any sane depth",
            post("/api/v1/namespaces/default/configmaps", "application/yaml", &deep_yaml),
            400,
            "BadRequest",
        ),
        (
            "a YAML alias bomb in server-side apply",
            raw_request(
                url,
                "PATCH",
                "/api/v1/namespaces/default/configmaps/x?fieldManager=t",
                &[("Content-Type", "application/apply-patch+yaml")],
                Some(alias_bomb.as_bytes()),
            ),
            400,
            "BadRequest",
        ),
        (
            "protobuf garbage",
            post(
                "/api/v1/namespaces/default/configmaps",
                "application/vnd.kubernetes.protobuf",
                b"k8s\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
            ),
            400,
            "BadRequest",
        ),
    ];
    for (what, response, code, reason) in cases {
        assert_eq!(response.status, code, "{what}: {}", response.body);
        assert!(
            response.body.contains("\"kind\":\"Status\"") && response.body.contains(reason),
            "{what}: {}",
            response.body
        );
    }
    // The server is still fine afterwards.
    cluster.kubectl_success(&["get", "ns"]);
}

#[tokio::test]
async fn deployments_scale_roll_out_log_and_leave_events() {
    let cluster = TestCluster::start().await;
    cluster.kubectl_success(&["create", "deployment", "web", "--image=nginx:1.27", "--replicas=1"]);
    cluster.kubectl_success(&["rollout", "status", "deployment/web", "--timeout=60s"]);
    cluster.kubectl_success(&["scale", "deployment/web", "--replicas=3"]);
    cluster.kubectl_success(&["rollout", "status", "deployment/web", "--timeout=60s"]);
    let pods = cluster.kubectl_success(&["get", "pods", "-l", "app=web"]);
    assert_eq!(pods.lines().filter(|l| l.contains("Running") && l.contains("1/1")).count(), 3, "{pods}");
    // A new image rolls out through a new ReplicaSet.
    cluster.kubectl_success(&["set", "image", "deployment/web", "nginx=nginx:1.28"]);
    cluster.kubectl_success(&["rollout", "status", "deployment/web", "--timeout=60s"]);
    let replica_sets = json(&cluster.kubectl_success(&["get", "rs", "-l", "app=web", "-o", "json"]));
    let items = replica_sets["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "old and new ReplicaSets");
    let logs = cluster.kubectl_success(&["logs", "deploy/web"]);
    assert!(logs.contains("starting nginx"), "{logs}");
    let events = cluster.kubectl_success(&["get", "events"]);
    assert!(events.contains("ScalingReplicaSet") && events.contains("SuccessfulCreate"), "{events}");
    // `kubectl events` reads events.k8s.io/v1, the same events in their newer shape.
    let newer = cluster.kubectl_success(&["events", "--for", "deployment/web"]);
    assert!(newer.contains("ScalingReplicaSet") && newer.contains("Scaled up replica set"), "{newer}");
    let described = cluster.kubectl_success(&["describe", "deployment", "web"]);
    assert!(described.contains("NewReplicaSetAvailable"), "{described}");
}

#[tokio::test]
async fn a_failing_image_crash_loops_and_rollout_status_reports_it() {
    let cluster = TestCluster::start().await;
    cluster.kubectl_success(&["create", "deployment", "broken", "--image=example.com/fail:1"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let pods = cluster.kubectl_success(&["get", "pods", "-l", "app=broken"]);
        if pods.contains("CrashLoopBackOff") {
            break;
        }
        assert!(Instant::now() < deadline, "no CrashLoopBackOff:\n{pods}");
        std::thread::sleep(Duration::from_millis(250));
    }
    let status = cluster.kubectl(&["rollout", "status", "deployment/broken", "--timeout=2s"]);
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(!status.status.success(), "a crash-looping rollout must not report success");
    // Failing for the right reason: the rollout did not complete in time (not, say, a connection error).
    assert!(stderr.contains("timed out waiting for the condition"), "unexpected failure:\n{stderr}");
}

#[tokio::test]
async fn deleting_a_namespace_removes_its_content_then_itself() {
    let cluster = TestCluster::start().await;
    cluster.kubectl_success(&["create", "namespace", "doomed"]);
    cluster.kubectl_success(&["create", "configmap", "c", "-n", "doomed", "--from-literal=a=b"]);
    cluster.kubectl_success(&["create", "deployment", "d", "-n", "doomed", "--image=nginx:1.27"]);
    // kubectl waits for the namespace to be gone.
    cluster.kubectl_success(&["delete", "namespace", "doomed", "--timeout=60s"]);
    let gone = cluster.kubectl(&["get", "namespace", "doomed"]);
    assert!(!gone.status.success());
    let leftovers = cluster.kubectl_success(&["get", "all,cm", "-n", "doomed", "-o", "name"]);
    assert!(leftovers.trim().is_empty(), "{leftovers}");
}

#[tokio::test]
async fn impersonated_service_accounts_get_what_their_role_bindings_grant() {
    let cluster = TestCluster::start().await;
    cluster.kubectl_success(&["create", "namespace", "team"]);
    cluster.kubectl_success(&["create", "namespace", "other"]);
    cluster.kubectl_success(&["create", "serviceaccount", "deployer", "-n", "team"]);
    cluster.kubectl_success(&[
        "create",
        "rolebinding",
        "deployer-admin",
        "--clusterrole=admin",
        "--serviceaccount=team:deployer",
        "-n",
        "team",
    ]);
    // The default roles every cluster has are there to bind to.
    let roles = cluster.kubectl_success(&["get", "clusterroles", "-o", "name"]);
    for role in ["cluster-admin", "admin", "edit", "view"] {
        assert!(roles.lines().any(|l| l == format!("clusterrole.rbac.authorization.k8s.io/{role}")), "{roles}");
    }
    let as_deployer = "--as=system:serviceaccount:team:deployer";
    let can_i =
        |namespace: &str| cluster.kubectl(&[as_deployer, "auth", "can-i", "create", "deployments", "-n", namespace]);
    let yes = can_i("team");
    assert_eq!(String::from_utf8_lossy(&yes.stdout).trim(), "yes");
    let no = can_i("other");
    assert!(!no.status.success());
    assert_eq!(String::from_utf8_lossy(&no.stdout).trim(), "no");
    let rules = cluster.kubectl_success(&[as_deployer, "auth", "can-i", "--list", "-n", "team"]);
    assert!(rules.lines().any(|l| l.starts_with("deployments.apps ")), "{rules}");

    cluster.kubectl_success(&[as_deployer, "create", "configmap", "settings", "-n", "team", "--from-literal=a=1"]);
    assert!(cluster.kubectl_success(&[as_deployer, "get", "configmaps", "-n", "team"]).contains("settings"));
    let denied = cluster.kubectl(&[as_deployer, "get", "configmaps", "-n", "other"]);
    assert!(!denied.status.success());
    assert_eq!(
        String::from_utf8_lossy(&denied.stderr).trim(),
        "Error from server (Forbidden): configmaps is forbidden: User \"system:serviceaccount:team:deployer\" cannot \
         list resource \"configmaps\" in API group \"\" in the namespace \"other\""
    );
    let denied = cluster.kubectl(&[as_deployer, "delete", "namespace", "team"]);
    assert!(
        String::from_utf8_lossy(&denied.stderr).contains(
            "namespaces \"team\" is forbidden: User \"system:serviceaccount:team:deployer\" cannot delete resource \
             \"namespaces\" in API group \"\" in the namespace \"team\""
        ),
        "{}",
        String::from_utf8_lossy(&denied.stderr)
    );
}
