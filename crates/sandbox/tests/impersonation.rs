//! Impersonation and RBAC over HTTP with kube-rs: a client whose kubeconfig user impersonates a ServiceAccount
//! gets what the RoleBindings grant it and kube-apiserver's 403 for the rest; the read-only token may not
//! impersonate at all.

use fluxtui_sandbox::{Sandbox, SandboxConfig};
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec, SelfSubjectRulesReview,
    SelfSubjectRulesReviewSpec,
};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, ServiceAccount};
use k8s_openapi::api::rbac::v1::RoleBinding;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use serde_json::json;

const FULL: &str = "full-secret";
const READER: &str = "reader-secret";

async fn start() -> Sandbox {
    let config =
        SandboxConfig { token: Some(FULL.into()), read_only_token: Some(READER.into()), ..SandboxConfig::default() };
    Sandbox::start(config).await.expect("sandbox starts")
}

/// A kube-rs client carrying `token`, impersonating `user` (with `groups`) when given.
async fn client(sandbox: &Sandbox, token: &str, user: Option<&str>, groups: &[&str]) -> Client {
    let kubeconfig = Kubeconfig::from_yaml(&sandbox.kubeconfig_yaml(Some(token))).expect("kubeconfig parses");
    let mut config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default()).await.expect("config");
    config.auth_info.impersonate = user.map(str::to_string);
    if !groups.is_empty() {
        config.auth_info.impersonate_groups = Some(groups.iter().map(|g| g.to_string()).collect());
    }
    Client::try_from(config).expect("client")
}

fn object<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("valid object")
}

/// Namespaces `team` and `other`, and the ServiceAccount `team/deployer` bound to the `admin` ClusterRole in
/// `team`.
async fn tenant(admin: &Client) {
    let namespaces: Api<Namespace> = Api::all(admin.clone());
    for name in ["team", "other"] {
        namespaces.create(&PostParams::default(), &object(json!({"metadata": {"name": name}}))).await.expect("ns");
    }
    let accounts: Api<ServiceAccount> = Api::namespaced(admin.clone(), "team");
    accounts.create(&PostParams::default(), &object(json!({"metadata": {"name": "deployer"}}))).await.expect("sa");
    let bindings: Api<RoleBinding> = Api::namespaced(admin.clone(), "team");
    let binding = object(json!({
        "metadata": {"name": "deployer-admin"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"},
        "subjects": [{"kind": "ServiceAccount", "name": "deployer", "namespace": "team"}]}));
    bindings.create(&PostParams::default(), &binding).await.expect("binding");
}

fn status_of<T: std::fmt::Debug>(result: kube::Result<T>) -> kube::core::Status {
    match result {
        Err(kube::Error::Api(status)) => *status,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn an_impersonated_service_account_gets_what_rbac_grants() {
    let sandbox = start().await;
    let admin = client(&sandbox, FULL, None, &[]).await;
    tenant(&admin).await;
    let deployer = client(&sandbox, FULL, Some("system:serviceaccount:team:deployer"), &[]).await;
    let apply = |name: &str| {
        object::<ConfigMap>(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"a": "1"}}),
        )
    };
    let in_team: Api<ConfigMap> = Api::namespaced(deployer.clone(), "team");
    in_team.patch("web", &PatchParams::apply("deployer"), &Patch::Apply(apply("web"))).await.expect("applies in team");
    let listed = in_team.list(&ListParams::default()).await.expect("lists in team");
    assert!(listed.items.iter().any(|c| c.metadata.name.as_deref() == Some("web")));

    let in_other: Api<ConfigMap> = Api::namespaced(deployer.clone(), "other");
    let status = status_of(in_other.patch("web", &PatchParams::apply("deployer"), &Patch::Apply(apply("web"))).await);
    assert_eq!((status.code, status.reason.as_str()), (403, "Forbidden"));
    assert_eq!(
        status.message,
        "configmaps \"web\" is forbidden: User \"system:serviceaccount:team:deployer\" cannot patch resource \
         \"configmaps\" in API group \"\" in the namespace \"other\""
    );
    let details = status.details.expect("details");
    assert_eq!((details.name.as_str(), details.kind.as_str()), ("web", "configmaps"));
    let everywhere: Api<ConfigMap> = Api::all(deployer.clone());
    let status = status_of(everywhere.list(&ListParams::default()).await);
    assert!(
        status.message.ends_with("cannot list resource \"configmaps\" in API group \"\" at the cluster scope"),
        "{}",
        status.message
    );

    // Self-reviews answer for the impersonated identity.
    let reviews: Api<SelfSubjectAccessReview> = Api::all(deployer.clone());
    let ask = |namespace: &str| SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                namespace: Some(namespace.into()),
                verb: Some("create".into()),
                group: Some("apps".into()),
                resource: Some("deployments".into()),
                ..ResourceAttributes::default()
            }),
            ..SelfSubjectAccessReviewSpec::default()
        },
        ..SelfSubjectAccessReview::default()
    };
    let yes = reviews.create(&PostParams::default(), &ask("team")).await.expect("review").status.expect("status");
    assert!(yes.allowed);
    assert_eq!(
        yes.reason.as_deref(),
        Some(
            "RBAC: allowed by RoleBinding \"deployer-admin/team\" of ClusterRole \"admin\" to ServiceAccount \"deployer/team\""
        )
    );
    let no = reviews.create(&PostParams::default(), &ask("other")).await.expect("review").status.expect("status");
    assert!(!no.allowed);
    let rules: Api<SelfSubjectRulesReview> = Api::all(deployer);
    let review = SelfSubjectRulesReview {
        spec: SelfSubjectRulesReviewSpec { namespace: Some("team".into()) },
        ..SelfSubjectRulesReview::default()
    };
    let status = rules.create(&PostParams::default(), &review).await.expect("rules review").status.expect("status");
    assert!(
        status.resource_rules.iter().any(|r| r.api_groups.as_deref() == Some(&["apps".to_string()][..])
            && r.resources.as_ref().is_some_and(|res| res.contains(&"deployments".to_string()))
            && r.verbs.contains(&"create".to_string())),
        "{:?}",
        status.resource_rules
    );
    assert!(
        status
            .non_resource_rules
            .iter()
            .any(|r| r.non_resource_urls.as_ref().is_some_and(|u| u.contains(&"/api".into())))
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn groups_grant_through_bindings_and_only_the_admin_token_impersonates() {
    let sandbox = start().await;
    let admin = client(&sandbox, FULL, None, &[]).await;
    tenant(&admin).await;
    // system:masters is bound to cluster-admin, as on every cluster.
    let master = client(&sandbox, FULL, Some("root"), &["system:masters"]).await;
    let namespaces: Api<Namespace> = Api::all(master);
    namespaces
        .create(&PostParams::default(), &object(json!({"metadata": {"name": "made-by-root"}})))
        .await
        .expect("create");
    // A user with no bindings only discovers and reviews itself.
    let nobody = client(&sandbox, FULL, Some("jane"), &[]).await;
    let status = status_of(Api::<Namespace>::all(nobody).list(&ListParams::default()).await);
    assert_eq!(
        status.message,
        "namespaces is forbidden: User \"jane\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope"
    );
    // The read-only token may not impersonate.
    let reader = client(&sandbox, READER, Some("jane"), &[]).await;
    let status = status_of(Api::<ConfigMap>::namespaced(reader, "team").list(&ListParams::default()).await);
    assert_eq!(
        status.message,
        "users \"jane\" is forbidden: User \"sandbox:read-only\" cannot impersonate resource \"users\" in API group \"\" \
         at the cluster scope"
    );
    sandbox.shutdown().await;
}
