//! The five phases of the GitOps loop on the sandbox with the engine, as a user lives them: bootstrap (only a
//! GitRepository and a root Kustomization are applied by hand; the root applies the app's Kustomization from
//! Git), deploy a commit (objects created and healthy), update (an image tag change rolls the Deployment), drift
//! (`kubectl scale` undone by the next reconcile) and prune (a file removed from Git deletes its object unless
//! it opts out). Then bad input at the reconciler: an unknown kind and a crash-looping image each end in
//! Ready=False with Flux's reason, without touching the cluster's last good state or the other Kustomization.

use fluxtui::api::FluxKind;
use fluxtui_testkit::{GitDaemon, GitRepos, TestRepo};
use serde_json::Value;

use crate::support::{EngineCluster, assert_kstatus, condition, events_of, ready_is};

const DEPLOYMENT: (&str, &str, &str) = ("apps/v1", "Deployment", "deployments");
const CONFIG_MAP: (&str, &str, &str) = ("v1", "ConfigMap", "configmaps");

/// The root Kustomization's directory: the app's Kustomization, as a fleet repository keeps it.
const APP_KUSTOMIZATION: &str = "apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: app
  namespace: default
spec:
  interval: 1s
  retryInterval: 1s
  timeout: 20s
  path: ./apps/web
  prune: true
  wait: true
  sourceRef:
    kind: GitRepository
    name: fleet
";

fn web(image: &str, extra_spec: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 3
{extra_spec}  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: {image}
"
    )
}

const SERVICE: &str = "apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
spec:
  selector:
    app: web
  ports:
  - port: 80
";

fn config_map(name: &str, annotations: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: default\n{annotations}data:\n  k: v\n"
    )
}

fn applied(object: &Value) -> String {
    object["status"]["lastAppliedRevision"].as_str().unwrap_or_default().to_string()
}

fn attempted(object: &Value) -> String {
    object["status"]["lastAttemptedRevision"].as_str().unwrap_or_default().to_string()
}

fn ready(object: &Value) -> (String, String) {
    let ready = condition(object, "Ready");
    let text = |key: &str| ready.and_then(|c| c[key].as_str()).unwrap_or_default().to_string();
    (text("reason"), text("message"))
}

fn revision(commit: &str) -> String {
    format!("main@sha1:{commit}")
}

fn push(repo: &TestRepo, files: &[(&str, &str)], removed: &[&str], message: &str) -> String {
    for path in removed {
        std::fs::remove_file(repo.work_dir().join(path)).expect("remove a file from the work tree");
    }
    let commit = repo.commit(files, message);
    repo.push();
    commit
}

fn image_of(deployment: &Value) -> &str {
    deployment["spec"]["template"]["spec"]["containers"][0]["image"].as_str().unwrap_or_default()
}

/// The rollout finished: the controller saw the spec, every replica runs the new template and is ready.
fn rolled_out(deployment: &Value, replicas: i64) -> bool {
    let status = &deployment["status"];
    status["observedGeneration"] == deployment["metadata"]["generation"]
        && status["updatedReplicas"] == replicas
        && status["readyReplicas"] == replicas
        && status["replicas"] == replicas
}

/// Waits until the app Kustomization's events satisfy `holds` (they are recorded as the reconcile goes on).
async fn wait_events(env: &EngineCluster, what: &str, holds: impl Fn(&[Value]) -> bool) {
    let started = std::time::Instant::now();
    while started.elapsed() < crate::support::DEADLINE {
        if holds(&events_of(&env.client, "app").await) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{what}: no such event; events: {:#?}", events_of(&env.client, "app").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_five_gitops_phases_then_bad_input_at_the_reconciler() {
    let env = EngineCluster::start().await;
    let repos = GitRepos::new();
    let repo = repos.create("fleet");
    let first = repo.commit(
        &[
            ("clusters/sandbox/app.yaml", APP_KUSTOMIZATION),
            ("apps/web/deployment.yaml", &web("nginx:1.25", "")),
            ("apps/web/service.yaml", SERVICE),
            ("apps/web/dropped.yaml", &config_map("dropped", "")),
            (
                "apps/web/kept.yaml",
                &config_map("kept", "  annotations:\n    kustomize.toolkit.fluxcd.io/prune: disabled\n"),
            ),
        ],
        "first",
    );
    repo.push();
    let daemon = GitDaemon::start(&repos);

    // Bootstrap: by hand only the GitRepository and the root Kustomization; the app's Kustomization comes from Git.
    env.apply(
        "bootstrap",
        &format!(
            "apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: fleet
  namespace: default
spec:
  url: {}
  interval: 1s
  ref:
    branch: main
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: fleet
  namespace: default
spec:
  interval: 1s
  path: ./clusters/sandbox
  prune: true
  sourceRef:
    kind: GitRepository
    name: fleet
",
            daemon.url(&repo)
        ),
    );
    let root = env.wait_for(FluxKind::Kustomization, "fleet", "the root Ready", |o| ready_is(o, "True")).await;
    assert_kstatus(&root);
    assert_eq!(applied(&root), revision(&first));
    let app =
        env.get(FluxKind::Kustomization, "default", "app").await.expect("the root applied the app's Kustomization");
    assert_eq!(app["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/name"], "fleet");
    assert_eq!(app["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/namespace"], "default");

    // Deploy: the app's objects are created, and Ready waits for the Deployment's rollout (wait: true).
    let app = env.wait_for(FluxKind::Kustomization, "app", "the app Ready", |o| ready_is(o, "True")).await;
    assert_kstatus(&app);
    assert_eq!(ready(&app), ("ReconciliationSucceeded".into(), format!("Applied revision: {}", revision(&first))));
    assert_eq!(condition(&app, "Healthy").expect("Healthy")["status"], "True");
    let deployment = env.live(DEPLOYMENT.0, DEPLOYMENT.1, DEPLOYMENT.2, "default", "web").await.expect("web");
    assert!(rolled_out(&deployment, 3), "healthy means rolled out: {}", deployment["status"]);
    assert!(env.live("v1", "Service", "services", "default", "web").await.is_some());
    let ids: Vec<String> = app["status"]["inventory"]["entries"]
        .as_array()
        .expect("inventory")
        .iter()
        .map(|e| e["id"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        ids,
        [
            "default_dropped__ConfigMap",
            "default_kept__ConfigMap",
            "default_web__Service",
            "default_web_apps_Deployment"
        ]
    );

    // Update: a new image tag rolls the Deployment to a new ReplicaSet.
    let second = push(&repo, &[("apps/web/deployment.yaml", &web("nginx:1.26", ""))], &[], "nginx 1.26");
    let app = env
        .wait_for(FluxKind::Kustomization, "app", "the new image applied and healthy", |o| {
            applied(o) == revision(&second) && ready_is(o, "True")
        })
        .await;
    assert_kstatus(&app);
    let deployment = env.live(DEPLOYMENT.0, DEPLOYMENT.1, DEPLOYMENT.2, "default", "web").await.expect("web");
    assert_eq!(image_of(&deployment), "nginx:1.26");
    assert!(rolled_out(&deployment, 3), "rolled out: {}", deployment["status"]);
    let replica_sets = env.cluster.kubectl_success(&["get", "replicasets", "-l", "app=web", "-o", "json"]);
    let replica_sets: Value = serde_json::from_str(&replica_sets).expect("ReplicaSets as JSON");
    let by_image: Vec<(String, i64)> = replica_sets["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|rs| (image_of(rs).to_string(), rs["spec"]["replicas"].as_i64().unwrap_or_default()))
        .collect();
    assert!(by_image.contains(&("nginx:1.26".to_string(), 3)), "{by_image:?}");
    assert!(by_image.contains(&("nginx:1.25".to_string(), 0)), "the old ReplicaSet is scaled down: {by_image:?}");

    // Drift: a manual scale is undone by the next reconcile, which says so in its event.
    let configured =
        |e: &Value| e["message"].as_str().unwrap_or_default().contains("Deployment/default/web configured");
    let count =
        |events: &[Value]| -> i64 { events.iter().filter(|e| configured(e)).filter_map(|e| e["count"].as_i64()).sum() };
    let before = count(&events_of(&env.client, "app").await);
    env.cluster.kubectl_success(&["scale", "deployment/web", "--replicas=5"]);
    env.wait_live(DEPLOYMENT, "default", "web", "replicas back to 3", |d| d["spec"]["replicas"] == 3).await;
    wait_events(&env, "the correcting reconcile reports the Deployment as configured", |events| count(events) > before)
        .await;

    // Prune: both ConfigMaps leave Git; the one that opts out stays in the cluster, out of the inventory.
    let third = push(&repo, &[], &["apps/web/dropped.yaml", "apps/web/kept.yaml"], "remove the ConfigMaps from Git");
    let app = env.wait_for(FluxKind::Kustomization, "app", "the prune", |o| applied(o) == revision(&third)).await;
    assert_kstatus(&app);
    assert!(env.live(CONFIG_MAP.0, CONFIG_MAP.1, CONFIG_MAP.2, "default", "dropped").await.is_none(), "pruned");
    let kept = env.live(CONFIG_MAP.0, CONFIG_MAP.1, CONFIG_MAP.2, "default", "kept").await;
    assert!(kept.is_some(), "prune: disabled keeps the object");
    assert_eq!(app["status"]["inventory"]["entries"].as_array().expect("inventory").len(), 2);
    let deleted = events_of(&env.client, "app")
        .await
        .into_iter()
        .any(|e| e["message"].as_str().unwrap_or_default().contains("ConfigMap/default/dropped deleted"));
    assert!(deleted, "the prune is reported in an event");

    // An unknown kind: the dry-run of its stage fails, so nothing of the commit is applied (not even the
    // ConfigMap it brings along), and the last applied revision stays.
    let unknown = push(
        &repo,
        &[
            (
                "apps/web/widget.yaml",
                "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: default\n",
            ),
            ("apps/web/new.yaml", &config_map("new", "")),
        ],
        &[],
        "an unknown kind",
    );
    let app = env
        .wait_for(FluxKind::Kustomization, "app", "the unknown kind's failure", |o| {
            attempted(o) == revision(&unknown) && ready_is(o, "False")
        })
        .await;
    assert_kstatus(&app);
    let (reason, message) = ready(&app);
    assert_eq!(reason, "ReconciliationFailed");
    assert_eq!(
        message,
        "Widget/default/w dry-run failed: no matches for kind \"Widget\" in version \"example.com/v1\""
    );
    assert_eq!(applied(&app), revision(&third));
    assert!(env.live(CONFIG_MAP.0, CONFIG_MAP.1, CONFIG_MAP.2, "default", "new").await.is_none());
    let root = env.get(FluxKind::Kustomization, "default", "fleet").await.expect("root");
    assert!(ready_is(&root, "True"), "the other Kustomization is not affected");

    // A crash-looping image: applied, then the health check fails early once the rollout stalls.
    let crashing = push(
        &repo,
        &[("apps/web/deployment.yaml", &web("registry.example/web-fail:2", "  progressDeadlineSeconds: 2\n"))],
        &["apps/web/widget.yaml", "apps/web/new.yaml"],
        "a crash-looping image",
    );
    let app = env
        .wait_for(FluxKind::Kustomization, "app", "the failed health check", |o| {
            attempted(o) == revision(&crashing) && ready(o).0 == "HealthCheckFailed"
        })
        .await;
    assert_kstatus(&app);
    let (_, message) = ready(&app);
    assert!(message.starts_with("health check failed after "), "{message}");
    assert!(message.ends_with("[Deployment/default/web status: 'Failed']"), "{message}");
    assert_eq!(condition(&app, "Healthy").expect("Healthy")["status"], "False");
    assert_eq!(applied(&app), revision(&third), "an unhealthy revision is not the last applied one");
    let root = env.get(FluxKind::Kustomization, "default", "fleet").await.expect("root");
    assert!(ready_is(&root, "True"), "the other Kustomization is not affected");

    // Recovery: a good image again, and everything is Ready at the newest commit.
    let fixed = push(&repo, &[("apps/web/deployment.yaml", &web("nginx:1.27", ""))], &[], "a good image");
    let app = env
        .wait_for(FluxKind::Kustomization, "app", "recovery", |o| applied(o) == revision(&fixed) && ready_is(o, "True"))
        .await;
    assert_kstatus(&app);
    env.stop().await;
}
