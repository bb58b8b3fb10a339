//! Kustomization `spec.serviceAccountName`: a tenant's Kustomization applies as its ServiceAccount, which the
//! sandbox authorizes with RBAC. What the account may do is deployed; a commit reaching outside the tenant's
//! namespace fails with the API server's Forbidden while the tenant's objects stay, a Kustomization applied
//! with the engine's own identity is unaffected, and deleting the Kustomization once its account is gone leaves
//! the objects.

use fluxtui::api::FluxKind;
use fluxtui_testkit::{GitDaemon, GitRepos};
use k8s_openapi::api::core::v1::{ConfigMap, Event};
use kube::api::Api;
use serde_json::Value;

use crate::support::{EngineCluster, assert_kstatus, condition, ready_is};

/// The tenant: its namespace, its ServiceAccount, and a RoleBinding of the `admin` ClusterRole in its namespace.
const TENANT: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: other\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: deployer\n  namespace: team\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: deployer-admin\n  namespace: team\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: admin\nsubjects:\n- kind: ServiceAccount\n  name: deployer\n  namespace: team\n";

fn config_map(namespace: &str, name: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: {namespace}\ndata:\n  a: \"1\"\n")
}

fn sources(url: &str) -> String {
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: app\n  namespace: team\nspec:\n  url: {url}\n  interval: 1s\n  ref:\n    branch: main\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: tenant\n  namespace: team\nspec:\n  interval: 1s\n  path: ./tenant\n  prune: true\n  serviceAccountName: deployer\n  sourceRef:\n    kind: GitRepository\n    name: app\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: platform\n  namespace: default\nspec:\n  interval: 1s\n  path: ./platform\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: app\n    namespace: team\n"
    )
}

fn ready_field(object: &Value, field: &str) -> String {
    condition(object, "Ready").and_then(|c| c[field].as_str()).unwrap_or_default().to_string()
}

async fn config_map_exists(env: &EngineCluster, namespace: &str, name: &str) -> bool {
    let api: Api<ConfigMap> = Api::namespaced(env.client.clone(), namespace);
    api.get_opt(name).await.expect("read").is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_kustomization_applies_as_its_service_account_and_is_refused_outside_its_namespace() {
    let env = EngineCluster::start().await;
    env.apply("tenant", TENANT);
    let repos = GitRepos::new();
    let repo = repos.create("app");
    let first = repo.commit(
        &[
            ("tenant/settings.yaml", &config_map("team", "settings")),
            ("platform/shared.yaml", &config_map("default", "shared")),
        ],
        "first",
    );
    repo.push();
    let daemon = GitDaemon::start(&repos);
    env.apply("sources", &sources(&daemon.url(&repo)));

    let first_revision = format!("main@sha1:{first}");
    let tenant =
        env.wait_for_in(FluxKind::Kustomization, "team", "tenant", "Ready=True", |o| ready_is(o, "True")).await;
    assert_kstatus(&tenant);
    assert_eq!(ready_field(&tenant, "message"), format!("Applied revision: {first_revision}"));
    assert!(config_map_exists(&env, "team", "settings").await);

    // A commit that reaches into another namespace: the account's dry-run is forbidden there.
    let second = repo.commit(&[("tenant/escape.yaml", &config_map("other", "escape"))], "escape");
    repo.push();
    let second_revision = format!("main@sha1:{second}");
    let tenant = env
        .wait_for_in(FluxKind::Kustomization, "team", "tenant", "the forbidden apply", |o| {
            ready_is(o, "False") && o["status"]["lastAttemptedRevision"] == second_revision.as_str()
        })
        .await;
    assert_kstatus(&tenant);
    assert_eq!(ready_field(&tenant, "reason"), "ReconciliationFailed");
    assert_eq!(
        ready_field(&tenant, "message"),
        "ConfigMap/other/escape dry-run failed (Forbidden): configmaps \"escape\" is forbidden: User \
         \"system:serviceaccount:team:deployer\" cannot patch resource \"configmaps\" in API group \"\" in the \
         namespace \"other\""
    );
    assert_eq!(tenant["status"]["lastAppliedRevision"], first_revision.as_str());
    assert!(config_map_exists(&env, "team", "settings").await, "the last applied objects stay");
    assert!(!config_map_exists(&env, "other", "escape").await);
    let entries = tenant["status"]["inventory"]["entries"].as_array().expect("inventory");
    assert_eq!(entries.len(), 1, "{entries:?}");

    // The engine's own identity still applies the platform Kustomization of the same source.
    let platform = env
        .wait_for(FluxKind::Kustomization, "platform", "the second revision", |o| {
            ready_is(o, "True") && o["status"]["lastAppliedRevision"] == second_revision.as_str()
        })
        .await;
    assert_kstatus(&platform);
    assert!(config_map_exists(&env, "default", "shared").await);

    // Dropping the escape heals the tenant.
    std::fs::remove_file(repo.work_dir().join("tenant/escape.yaml")).expect("remove the file");
    let third = repo.commit(&[], "back home");
    repo.push();
    let third_revision = format!("main@sha1:{third}");
    let tenant = env
        .wait_for_in(FluxKind::Kustomization, "team", "tenant", "the third revision", |o| {
            ready_is(o, "True") && o["status"]["lastAppliedRevision"] == third_revision.as_str()
        })
        .await;
    assert_kstatus(&tenant);

    // Deleted after its account is gone: nothing is pruned, and a Warning event lists what was left.
    env.cluster.kubectl_success(&["delete", "serviceaccount", "deployer", "-n", "team"]);
    env.cluster.kubectl_success(&["delete", "kustomization", "tenant", "-n", "team", "--timeout=30s"]);
    assert!(config_map_exists(&env, "team", "settings").await, "left in place");
    let events: Api<Event> = Api::namespaced(env.client.clone(), "team");
    let events = events.list(&Default::default()).await.expect("list events").items;
    let left = events
        .iter()
        .find(|e| e.message.as_deref().is_some_and(|m| m.starts_with("unable to prune objects")))
        .unwrap_or_else(|| panic!("no event about the objects left: {events:?}"));
    assert_eq!(left.type_.as_deref(), Some("Warning"));
    assert!(left.message.as_deref().is_some_and(|m| m.contains("ConfigMap/team/settings")), "{left:?}");
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_service_account_applies_kustomizations_that_name_none() {
    let mut env = EngineCluster::without_engine().await;
    let mut config = env.config();
    config.default_service_account = Some("deployer".into());
    env.start_engine(config).await;
    env.apply("tenant", TENANT);
    let repos = GitRepos::new();
    let repo = repos.create("app");
    repo.commit(
        &[
            ("tenant/settings.yaml", &config_map("team", "settings")),
            ("platform/shared.yaml", &config_map("default", "shared")),
        ],
        "first",
    );
    repo.push();
    let daemon = GitDaemon::start(&repos);
    // Without serviceAccountName, both act as `deployer` of their own namespace.
    env.apply("sources", &sources(&daemon.url(&repo)).replace("  serviceAccountName: deployer\n", ""));
    let tenant =
        env.wait_for_in(FluxKind::Kustomization, "team", "tenant", "Ready=True", |o| ready_is(o, "True")).await;
    assert_kstatus(&tenant);
    // `default` has no `deployer` bound to anything: its apply is forbidden.
    let platform =
        env.wait_for(FluxKind::Kustomization, "platform", "the forbidden apply", |o| ready_is(o, "False")).await;
    assert_kstatus(&platform);
    assert_eq!(ready_field(&platform, "reason"), "ReconciliationFailed");
    assert!(
        ready_field(&platform, "message").contains(
            "is forbidden: User \"system:serviceaccount:default:deployer\" cannot patch resource \"configmaps\""
        ),
        "{}",
        ready_field(&platform, "message")
    );
    assert!(!config_map_exists(&env, "default", "shared").await);
    env.stop().await;
}
