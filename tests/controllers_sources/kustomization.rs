//! Kustomization: the reconciler end to end, from a Git commit to applied objects and Flux's status — deploy,
//! update, prune, dependsOn ordering, and bad input (invalid YAML, a missing path, a strict substitution) that
//! fails with Flux's reason while the last applied revision stays in the cluster.

use fluxtui::api::FluxKind;
use fluxtui_testkit::{GitDaemon, GitRepos};
use serde_json::Value;

use crate::support::{EngineCluster, assert_kstatus, condition, events_of, kustomization_yaml, ready_is};

const APP: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\ndata:\n  env: ${env:=dev}\n";

fn deployment(replicas: u32) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: default\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: nginx:1\n"
    )
}

fn git_repository(url: &str) -> String {
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: app\n  namespace: default\nspec:\n  url: {url}\n  interval: 1s\n  ref:\n    branch: main\n"
    )
}

fn kustomization(name: &str, path: &str, extra: &str) -> String {
    kustomization_yaml(name, path, "1s", extra)
}

async fn live(env: &EngineCluster, api_version: &str, kind: &str, plural: &str, name: &str) -> Option<Value> {
    env.live(api_version, kind, plural, "default", name).await
}

fn applied(object: &Value) -> String {
    object["status"]["lastAppliedRevision"].as_str().unwrap_or_default().to_string()
}

fn ready_reason(object: &Value) -> String {
    condition(object, "Ready").and_then(|c| c["reason"].as_str()).unwrap_or_default().to_string()
}

fn ready_message(object: &Value) -> String {
    condition(object, "Ready").and_then(|c| c["message"].as_str()).unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kustomization_deploys_updates_prunes_and_keeps_the_last_revision_on_bad_input() {
    let env = EngineCluster::start().await;
    let repos = GitRepos::new();
    let repo = repos.create("app");
    let first = repo.commit(&[("deploy/settings.yaml", APP), ("deploy/web.yaml", &deployment(1))], "first");
    repo.push();
    let daemon = GitDaemon::start(&repos);
    env.apply("repo", &git_repository(&daemon.url(&repo)));
    let substitute = "  postBuild:\n    substitute:\n      env: prod\n";
    env.apply("ks", &kustomization("app", "./deploy", substitute));

    // Deploy: Ready with Flux's message, the objects applied with the owner labels, the inventory in apply order.
    let first_revision = format!("main@sha1:{first}");
    let object = env.wait_for(FluxKind::Kustomization, "app", "Ready=True", |o| ready_is(o, "True")).await;
    assert_kstatus(&object);
    assert_eq!(ready_reason(&object), "ReconciliationSucceeded");
    assert_eq!(ready_message(&object), format!("Applied revision: {first_revision}"));
    assert_eq!(applied(&object), first_revision);
    assert_eq!(object["status"]["lastAttemptedRevision"], first_revision.as_str());
    assert_eq!(object["metadata"]["finalizers"][0], "finalizers.fluxcd.io");
    let ids: Vec<&str> = object["status"]["inventory"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["default_settings__ConfigMap", "default_web_apps_Deployment"]);
    let history = object["status"]["history"].as_array().expect("history");
    assert_eq!(history[0]["lastReconciledStatus"], "ReconciliationSucceeded");
    assert!(history[0]["digest"].as_str().unwrap().starts_with("sha256:"));
    let settings = live(&env, "v1", "ConfigMap", "configmaps", "settings").await.expect("ConfigMap applied");
    assert_eq!(settings["data"]["env"], "prod", "postBuild substitution");
    assert_eq!(settings["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/name"], "app");
    let events = events_of(&env.client, "app").await;
    let finished = events.iter().find(|e| e["reason"] == "ReconciliationSucceeded").expect("a success event");
    assert_eq!(finished["source"]["component"], "kustomize-controller");
    assert!(finished["message"].as_str().unwrap().starts_with("Reconciliation finished in "));
    assert_eq!(finished["metadata"]["annotations"]["kustomize.toolkit.fluxcd.io/revision"], first_revision.as_str());

    // Update: a new commit changing the replicas is applied.
    let second = repo.commit(&[("deploy/web.yaml", &deployment(2))], "scale");
    repo.push();
    let object = env
        .wait_for(FluxKind::Kustomization, "app", "the second revision", |o| {
            applied(o) == format!("main@sha1:{second}")
        })
        .await;
    assert_kstatus(&object);
    let web = live(&env, "apps/v1", "Deployment", "deployments", "web").await.expect("Deployment");
    assert_eq!(web["spec"]["replicas"], 2);

    // Prune: the ConfigMap's file leaves Git, the ConfigMap leaves the cluster and the inventory.
    std::fs::remove_file(repo.work_dir().join("deploy/settings.yaml")).expect("remove the file");
    let third = repo.commit(&[], "remove settings");
    repo.push();
    let third_revision = format!("main@sha1:{third}");
    let object = env.wait_for(FluxKind::Kustomization, "app", "the prune", |o| applied(o) == third_revision).await;
    assert_kstatus(&object);
    assert_eq!(object["status"]["inventory"]["entries"].as_array().unwrap().len(), 1);
    assert!(live(&env, "v1", "ConfigMap", "configmaps", "settings").await.is_none(), "pruned");

    // Invalid YAML: BuildFailed naming the file; the last applied revision stays, and so do its objects.
    let bad = repo.commit(&[("deploy/broken.yaml", "a: [1\n")], "broken");
    repo.push();
    let object = env
        .wait_for(FluxKind::Kustomization, "app", "BuildFailed", |o| {
            ready_is(o, "False")
                && ready_reason(o) == "BuildFailed"
                && o["status"]["lastAttemptedRevision"] == format!("main@sha1:{bad}").as_str()
        })
        .await;
    assert_kstatus(&object);
    assert!(
        ready_message(&object).contains("failed to decode Kubernetes YAML from deploy/broken.yaml"),
        "{}",
        ready_message(&object)
    );
    assert_eq!(applied(&object), third_revision);
    assert!(live(&env, "apps/v1", "Deployment", "deployments", "web").await.is_some());

    // A strict substitution of an undefined variable: BuildFailed with Flux's envsubst message.
    std::fs::remove_file(repo.work_dir().join("deploy/broken.yaml")).expect("remove the file");
    let strict = repo.commit(&[("deploy/extra.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: default\ndata:\n  x: ${undefined_var}\n")], "strict");
    repo.push();
    let object = env
        .wait_for(FluxKind::Kustomization, "app", "the strict failure", |o| {
            ready_reason(o) == "BuildFailed"
                && o["status"]["lastAttemptedRevision"] == format!("main@sha1:{strict}").as_str()
        })
        .await;
    assert_kstatus(&object);
    assert_eq!(
        ready_message(&object),
        "post build failed for 'extra': variable substitution failed: variable not set (strict mode): \"undefined_var\""
    );
    assert_eq!(applied(&object), third_revision);
    assert!(live(&env, "v1", "ConfigMap", "configmaps", "extra").await.is_none());

    // A missing path: ArtifactFailed.
    env.apply("ks", &kustomization("app", "./nope", substitute));
    let object = env
        .wait_for(FluxKind::Kustomization, "app", "ArtifactFailed", |o| {
            ready_is(o, "False") && ready_reason(o) == "ArtifactFailed"
        })
        .await;
    assert_kstatus(&object);
    assert_eq!(ready_message(&object), "kustomization path not found: stat ./nope: no such file or directory");
    assert_eq!(applied(&object), third_revision);
    assert!(live(&env, "apps/v1", "Deployment", "deployments", "web").await.is_some());
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn depends_on_orders_infrastructure_before_apps() {
    let env = EngineCluster::start().await;
    let repos = GitRepos::new();
    let repo = repos.create("app");
    let infra = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: infra\n  namespace: default\n";
    let apps = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: apps\n  namespace: default\n";
    let commit = repo.commit(&[("infra/cm.yaml", infra), ("apps/cm.yaml", apps)], "first");
    repo.push();
    let daemon = GitDaemon::start(&repos);
    env.apply("repo", &git_repository(&daemon.url(&repo)));
    env.apply("apps", &kustomization("apps", "./apps", "  dependsOn:\n  - name: infra\n"));

    let object = env
        .wait_for(FluxKind::Kustomization, "apps", "DependencyNotReady", |o| ready_reason(o) == "DependencyNotReady")
        .await;
    assert_kstatus(&object);
    assert!(
        ready_message(&object).starts_with("unable to get 'default/infra' dependency"),
        "{}",
        ready_message(&object)
    );
    assert!(live(&env, "v1", "ConfigMap", "configmaps", "apps").await.is_none(), "apps waits for infra");
    let events = events_of(&env.client, "apps").await;
    assert!(events.iter().any(|e| e["message"] == "Dependencies do not meet ready condition, retrying in 30s"));

    env.apply("infra", &kustomization("infra", "./infra", ""));
    let infra_object = env.wait_for(FluxKind::Kustomization, "infra", "Ready=True", |o| ready_is(o, "True")).await;
    assert_kstatus(&infra_object);
    // The dependent retries after the dependency requeue (30s); a requested reconcile brings it forward.
    env.cluster.kubectl_success(&[
        "annotate",
        "--overwrite",
        "kustomization/apps",
        "reconcile.fluxcd.io/requestedAt=now",
    ]);
    let object = env.wait_for(FluxKind::Kustomization, "apps", "Ready=True", |o| ready_is(o, "True")).await;
    assert_kstatus(&object);
    assert_eq!(applied(&object), format!("main@sha1:{commit}"));
    assert_eq!(object["status"]["lastHandledReconcileAt"], "now");
    assert!(live(&env, "v1", "ConfigMap", "configmaps", "apps").await.is_some());
    env.stop().await;
}
