use super::*;
use crate::config::SandboxConfig;
use crate::resources::{ApiState, Target, WriteOptions};
use serde_json::{Value, json};

/// A sandbox state with the namespace `team`.
fn state() -> Arc<ApiState> {
    let state = ApiState::open(SandboxConfig::default()).expect("open");
    let namespaces = state.resource("", "v1", "namespaces").expect("served");
    let body = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}});
    state.create(&Target::new(namespaces, "", "team"), body, &WriteOptions::manager("test")).expect("namespace");
    state
}

fn create(state: &ApiState, plural: &str, object: Value) {
    let info = state.resource("rbac.authorization.k8s.io", "v1", plural).expect("served");
    let namespace = object["metadata"]["namespace"].as_str().unwrap_or_default().to_string();
    let name = object["metadata"]["name"].as_str().expect("name").to_string();
    state.create(&Target::new(info, &namespace, &name), object, &WriteOptions::manager("test")).expect("create");
}

fn service_account(namespace: &str, name: &str) -> UserInfo {
    UserInfo {
        name: format!("system:serviceaccount:{namespace}:{name}"),
        groups: vec![
            "system:serviceaccounts".into(),
            format!("system:serviceaccounts:{namespace}"),
            "system:authenticated".into(),
        ],
        ..UserInfo::default()
    }
}

fn user(name: &str, groups: &[&str]) -> UserInfo {
    UserInfo { name: name.into(), groups: groups.iter().map(|g| g.to_string()).collect(), ..UserInfo::default() }
}

fn bind_admin(state: &ApiState, namespace: &str, account: &str) {
    create(
        state,
        "rolebindings",
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "deployer-admin", "namespace": namespace},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"},
            "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": namespace}]}),
    );
}

#[test]
fn a_service_account_bound_to_admin_writes_its_namespace_only() {
    let state = state();
    bind_admin(&state, "team", "deployer");
    let authorizer = Authorizer::default();
    let deployer = service_account("team", "deployer");
    let patch = |namespace: &str| Attributes::resource("patch", "apps", "deployments", namespace, "web");
    assert_eq!(authorizer.authorize(&state.store, &deployer, &patch("team")), Ok(()));
    // admin reaches view's rules through edit: two levels of aggregation.
    let logs = Attributes::resource("get", "", "pods", "team", "web-1").with_subresource("log");
    assert_eq!(authorizer.authorize(&state.store, &deployer, &logs), Ok(()));
    let err = authorizer.authorize(&state.store, &deployer, &patch("other")).expect_err("another namespace");
    assert_eq!(
        err.message,
        "deployments.apps \"web\" is forbidden: User \"system:serviceaccount:team:deployer\" cannot patch resource \
         \"deployments\" in API group \"apps\" in the namespace \"other\""
    );
    assert_eq!((err.code, err.reason.as_str()), (403, "Forbidden"));
    assert_eq!(err.details.name.as_deref(), Some("web"));
    assert_eq!(err.details.group.as_deref(), Some("apps"));
    assert_eq!(err.details.kind.as_deref(), Some("deployments"));
    // A list across namespaces is a cluster-scope request, which no RoleBinding grants.
    let list_all = Attributes::resource("list", "", "configmaps", "", "");
    let err = authorizer.authorize(&state.store, &deployer, &list_all).expect_err("cluster scope");
    assert_eq!(
        err.message,
        "configmaps is forbidden: User \"system:serviceaccount:team:deployer\" cannot list resource \"configmaps\" \
         in API group \"\" at the cluster scope"
    );
    assert_eq!(err.details.group, None, "an empty group is left out of the Status, as metav1 omits it");
    // Namespaces and CRDs are not the namespace admin's.
    let namespaces = Attributes::resource("create", "", "namespaces", "", "");
    assert!(authorizer.authorize(&state.store, &deployer, &namespaces).is_err());
}

#[test]
fn rules_match_verbs_groups_resources_names_and_subresources() {
    let rule: PolicyRule = serde_json::from_value(json!({
        "verbs": ["get", "update"], "apiGroups": ["apps"], "resources": ["deployments", "*/scale"],
        "resourceNames": ["web"]}))
    .expect("rule");
    let request = |verb: &str, resource: &str, sub: &str, name: &str| {
        Attributes::resource(verb, "apps", resource, "team", name).with_subresource(sub)
    };
    assert!(rule.allows(&request("get", "deployments", "", "web")));
    assert!(!rule.allows(&request("get", "deployments", "", "api")), "resourceNames restrict");
    assert!(!rule.allows(&request("delete", "deployments", "", "web")), "verbs restrict");
    assert!(!rule.allows(&request("get", "deployments", "status", "web")), "a subresource is its own resource");
    assert!(rule.allows(&request("update", "statefulsets", "scale", "web")), "*/scale matches any resource's scale");
    assert!(!rule.allows(&Attributes::resource("get", "", "deployments", "team", "web")), "groups restrict");
    let any: PolicyRule =
        serde_json::from_value(json!({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]})).expect("rule");
    assert!(any.allows(&request("deletecollection", "replicasets", "", "")));
    assert!(!any.allows(&Attributes::non_resource("get", "/version")), "resource rules grant no paths");
    let paths: PolicyRule =
        serde_json::from_value(json!({"verbs": ["get"], "nonResourceURLs": ["/apis/*", "/version"]})).expect("rule");
    assert!(paths.allows(&Attributes::non_resource("get", "/apis/apps/v1")));
    assert!(paths.allows(&Attributes::non_resource("get", "/version")));
    assert!(!paths.allows(&Attributes::non_resource("get", "/metrics")));
    assert!(!paths.allows(&Attributes::non_resource("post", "/version")));
}

#[test]
fn subjects_users_groups_and_cluster_role_bindings() {
    let state = state();
    create(
        &state,
        "roles",
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": "cm-reader", "namespace": "team"},
            "rules": [{"verbs": ["get", "list"], "apiGroups": [""], "resources": ["configmaps"]}]}),
    );
    create(
        &state,
        "rolebindings",
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "readers", "namespace": "team"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "cm-reader"},
            "subjects": [{"kind": "User", "name": "jane"}, {"kind": "Group", "name": "auditors"},
                {"kind": "ServiceAccount", "name": "bot"}]}),
    );
    create(
        &state,
        "clusterrolebindings",
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": "ops-view"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
            "subjects": [{"kind": "Group", "name": "ops"}]}),
    );
    let authorizer = Authorizer::default();
    let read = |namespace: &str| Attributes::resource("get", "", "configmaps", namespace, "settings");
    let allowed = |who: &UserInfo, request: &Attributes| authorizer.authorize(&state.store, who, request).is_ok();
    assert!(allowed(&user("jane", &[]), &read("team")));
    assert_eq!(
        authorizer.policy(&state.store).authorize(&service_account("team", "bot"), &read("team")),
        Ok("RBAC: allowed by RoleBinding \"readers/team\" of Role \"cm-reader\" to ServiceAccount \"bot/team\"".into())
    );
    assert!(!allowed(&user("jane", &[]), &read("default")));
    assert!(allowed(&user("bob", &["auditors"]), &read("team")));
    // A ServiceAccount subject without a namespace is the binding's namespace's account.
    assert!(allowed(&service_account("team", "bot"), &read("team")));
    assert!(!allowed(&service_account("other", "bot"), &read("team")));
    assert!(allowed(&user("ann", &["ops"]), &read("default")), "a ClusterRoleBinding grants every namespace");
    assert!(allowed(&user("ann", &["ops"]), &Attributes::resource("list", "apps", "deployments", "", "")));
    assert!(!allowed(&user("ann", &["ops"]), &Attributes::resource("delete", "", "configmaps", "team", "x")));
    // Bootstrap: cluster-admin for system:masters, discovery and self-reviews for everyone authenticated.
    assert!(allowed(&user("root", &["system:masters"]), &Attributes::resource("create", "", "namespaces", "", "")));
    assert!(allowed(&user("nobody", &["system:authenticated"]), &Attributes::non_resource("get", "/apis/apps/v1")));
    assert!(!allowed(&user("nobody", &[]), &Attributes::non_resource("get", "/apis/apps/v1")));
    let review = Attributes::resource("create", "authorization.k8s.io", "selfsubjectaccessreviews", "", "");
    assert!(allowed(&user("nobody", &["system:authenticated"]), &review));
}

#[test]
fn a_binding_to_a_missing_role_says_so_in_the_reason() {
    let state = state();
    create(
        &state,
        "rolebindings",
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "dangling", "namespace": "team"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "gone"},
            "subjects": [{"kind": "User", "name": "jane"}]}),
    );
    let request = Attributes::resource("create", "", "configmaps", "team", "");
    let err = Authorizer::default().authorize(&state.store, &user("jane", &[]), &request).expect_err("no role");
    assert_eq!(
        err.message,
        "configmaps is forbidden: User \"jane\" cannot create resource \"configmaps\" in API group \"\" in the \
         namespace \"team\": RBAC: role.rbac.authorization.k8s.io \"gone\" not found"
    );
}

#[test]
fn aggregated_cluster_roles_follow_their_selectors_and_the_cache_follows_the_store() {
    let state = state();
    let authorizer = Authorizer::default();
    create(
        &state,
        "clusterroles",
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "monitoring"},
            "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"example.com/aggregate-to-monitoring": "true"}}]}}),
    );
    create(
        &state,
        "clusterrolebindings",
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": "monitoring"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "monitoring"},
            "subjects": [{"kind": "User", "name": "prom"}]}),
    );
    let prom = user("prom", &[]);
    let list_pods = Attributes::resource("list", "", "pods", "", "");
    let first = authorizer.policy(&state.store);
    assert_eq!(first.authorize(&prom, &list_pods), Err(String::new()), "nothing aggregated yet");
    assert!(Arc::ptr_eq(&first, &authorizer.policy(&state.store)), "an unchanged store reuses the policy");
    create(
        &state,
        "clusterroles",
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": "pod-lister", "labels": {"example.com/aggregate-to-monitoring": "true"}},
            "rules": [{"verbs": ["list"], "apiGroups": [""], "resources": ["pods"]}]}),
    );
    assert_eq!(authorizer.authorize(&state.store, &prom, &list_pods), Ok(()));
    let (rules, error) = authorizer.policy(&state.store).rules_for(&prom, "default");
    assert_eq!(error, "");
    assert!(rules.iter().any(|r| r.resources == ["pods"] && r.verbs == ["list"]), "{rules:?}");
}

#[test]
fn non_resource_forbidden_message() {
    let err = forbidden("jane", &Attributes::non_resource("get", "/metrics"), "");
    assert_eq!(err.message, "forbidden: User \"jane\" cannot get path \"/metrics\"");
}
