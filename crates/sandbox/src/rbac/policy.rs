//! The RBAC objects of the store, read into the shape the authorizer walks: roles by name with aggregated
//! ClusterRoles resolved, and the bindings with their subjects.

use super::UserInfo;
use super::rule::{Attributes, PolicyRule};
use crate::registry::GroupResource;
use crate::resources::selector::LabelSelector;
use crate::store::{Store, StoredObject};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

pub const GROUP: &str = "rbac.authorization.k8s.io";
const RESOURCES: [&str; 4] = ["roles", "clusterroles", "rolebindings", "clusterrolebindings"];

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct RoleObject {
    metadata: Metadata,
    rules: Vec<PolicyRule>,
    aggregation_rule: Option<AggregationRule>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct AggregationRule {
    cluster_role_selectors: Vec<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Metadata {
    name: String,
    namespace: String,
    labels: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct BindingObject {
    metadata: Metadata,
    role_ref: RoleRef,
    subjects: Vec<Subject>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct RoleRef {
    kind: String,
    name: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct Subject {
    kind: String,
    name: String,
    namespace: String,
}

#[derive(Debug)]
struct Binding {
    name: String,
    /// Empty for a ClusterRoleBinding.
    namespace: String,
    role_ref: RoleRef,
    subjects: Vec<Subject>,
}

/// Which version of the RBAC objects a [`Policy`] was read from: their count and newest resourceVersion. Every
/// create or update raises the newest version, and a delete alone lowers the count, so equal keys mean the same
/// objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyKey {
    count: usize,
    newest: u64,
}

/// Every Role, ClusterRole and binding of the store at one moment.
#[derive(Debug, Default)]
pub struct Policy {
    roles: HashMap<(String, String), Vec<PolicyRule>>,
    /// Aggregated ClusterRoles hold the union of the rules of the roles their selectors match, as kube's
    /// aggregation controller would have written them.
    cluster_roles: HashMap<String, Vec<PolicyRule>>,
    cluster_role_bindings: Vec<Binding>,
    role_bindings: HashMap<String, Vec<Binding>>,
}

/// The RBAC objects of the store and the key of their version.
pub fn snapshot(store: &Store) -> (PolicyKey, [Vec<Arc<StoredObject>>; 4]) {
    let lists = RESOURCES.map(|resource| store.list(&GroupResource::new(GROUP, resource), None).0);
    let count = lists.iter().map(Vec::len).sum();
    let newest = lists.iter().flatten().map(|o| o.resource_version).max().unwrap_or_default();
    (PolicyKey { count, newest }, lists)
}

fn parse<T: for<'de> Deserialize<'de> + Default>(object: &StoredObject) -> T {
    // Objects reached the store through admission; one that still does not fit grants nothing.
    serde_json::from_slice(&object.raw).unwrap_or_default()
}

impl Policy {
    pub fn from_objects(
        [roles, cluster_roles, role_bindings, cluster_role_bindings]: &[Vec<Arc<StoredObject>>; 4],
    ) -> Policy {
        let roles = roles
            .iter()
            .map(|o| parse::<RoleObject>(o))
            .map(|r| ((r.metadata.namespace, r.metadata.name), r.rules))
            .collect();
        let cluster_roles = aggregate(cluster_roles.iter().map(|o| parse::<RoleObject>(o)).collect());
        let binding = |o: &Arc<StoredObject>| {
            let b = parse::<BindingObject>(o);
            Binding {
                name: b.metadata.name,
                namespace: b.metadata.namespace,
                role_ref: b.role_ref,
                subjects: b.subjects,
            }
        };
        let cluster_role_bindings = cluster_role_bindings.iter().map(binding).collect();
        let mut by_namespace: HashMap<String, Vec<Binding>> = HashMap::new();
        for b in role_bindings.iter().map(binding) {
            by_namespace.entry(b.namespace.clone()).or_default().push(b);
        }
        Policy { roles, cluster_roles, cluster_role_bindings, role_bindings: by_namespace }
    }

    /// Allows the request, saying which binding did (`RBAC: allowed by RoleBinding "b/ns" of ClusterRole "admin"
    /// to ServiceAccount "sa/ns"`), or says why not: the `RBAC: ...` reason (bindings naming missing roles), which
    /// is empty when nothing went wrong and simply no rule allowed it.
    pub fn authorize(&self, user: &UserInfo, request: &Attributes) -> Result<String, String> {
        let mut errors = Vec::new();
        let namespace = if request.resource_request { request.namespace.as_str() } else { "" };
        for (source, rules) in self.rule_sets(user, namespace, &mut errors) {
            if rules.iter().any(|rule| rule.allows(request)) {
                return Ok(format!("RBAC: allowed by {source}"));
            }
        }
        Err(reason(&errors))
    }

    /// Every rule that applies to `user` in `namespace` (cluster-wide ones included), and the `RBAC: ...`
    /// evaluation error when bindings name missing roles: what a SelfSubjectRulesReview answers.
    pub fn rules_for(&self, user: &UserInfo, namespace: &str) -> (Vec<PolicyRule>, String) {
        let mut errors = Vec::new();
        let mut rules = Vec::new();
        for (_, set) in self.rule_sets(user, namespace, &mut errors) {
            for rule in set {
                if !rules.contains(rule) {
                    rules.push(rule.clone());
                }
            }
        }
        (rules, reason(&errors))
    }

    /// The rules of the ClusterRoleBindings, then of the RoleBindings of `namespace`, that bind `user`, each with
    /// the description of its binding.
    fn rule_sets<'a>(
        &'a self,
        user: &UserInfo,
        namespace: &str,
        errors: &mut Vec<String>,
    ) -> Vec<(String, &'a [PolicyRule])> {
        let mut sets = Vec::new();
        let namespaced = if namespace.is_empty() { None } else { self.role_bindings.get(namespace) };
        for binding in self.cluster_role_bindings.iter().chain(namespaced.into_iter().flatten()) {
            let Some(subject) = binding.subjects.iter().find(|s| applies(s, user, &binding.namespace)) else {
                continue;
            };
            match self.role_rules(binding) {
                Ok(rules) => sets.push((describe(binding, subject), rules)),
                Err(err) => errors.push(err),
            }
        }
        sets
    }

    /// The rules a binding's roleRef grants (a ClusterRoleBinding may only name a ClusterRole).
    fn role_rules(&self, binding: &Binding) -> Result<&[PolicyRule], String> {
        let name = &binding.role_ref.name;
        match binding.role_ref.kind.as_str() {
            "ClusterRole" => self
                .cluster_roles
                .get(name)
                .map(Vec::as_slice)
                .ok_or_else(|| format!("clusterrole.{GROUP} \"{name}\" not found")),
            "Role" if !binding.namespace.is_empty() => self
                .roles
                .get(&(binding.namespace.clone(), name.clone()))
                .map(Vec::as_slice)
                .ok_or_else(|| format!("role.{GROUP} \"{name}\" not found")),
            kind => Err(format!("unsupported role reference kind: \"{kind}\"")),
        }
    }
}

/// kube's `appliesToUser`: a ServiceAccount subject of a RoleBinding defaults to the binding's namespace.
fn applies(subject: &Subject, user: &UserInfo, binding_namespace: &str) -> bool {
    match subject.kind.as_str() {
        "User" => subject.name == user.name,
        "Group" => user.groups.contains(&subject.name),
        "ServiceAccount" => {
            let namespace = if subject.namespace.is_empty() { binding_namespace } else { &subject.namespace };
            !namespace.is_empty() && user.name == format!("system:serviceaccount:{namespace}:{}", subject.name)
        }
        _ => false,
    }
}

/// kube's binding describers: `ClusterRoleBinding "name" of ClusterRole "role" to Group "g"`,
/// `RoleBinding "name/ns" of Role "role" to ServiceAccount "sa/ns"`.
fn describe(binding: &Binding, subject: &Subject) -> String {
    let who = match subject.kind.as_str() {
        "ServiceAccount" => {
            let namespace = if subject.namespace.is_empty() { &binding.namespace } else { &subject.namespace };
            format!("ServiceAccount \"{}/{namespace}\"", subject.name)
        }
        kind => format!("{kind} \"{}\"", subject.name),
    };
    let (kind, name) = if binding.namespace.is_empty() {
        ("ClusterRoleBinding", binding.name.clone())
    } else {
        ("RoleBinding", format!("{}/{}", binding.name, binding.namespace))
    };
    format!("{kind} \"{name}\" of {} \"{}\" to {who}", binding.role_ref.kind, binding.role_ref.name)
}

/// `RBAC: <error>` or `RBAC: [<error>, <error>]` (an aggregate of Go errors), empty without errors.
fn reason(errors: &[String]) -> String {
    match errors {
        [] => String::new(),
        [one] => format!("RBAC: {one}"),
        many => format!("RBAC: [{}]", many.join(", ")),
    }
}

/// ClusterRoles by name with aggregation resolved: an aggregated role holds the rules of every other ClusterRole
/// its selectors match, themselves resolved (admin aggregates edit, which aggregates view).
fn aggregate(roles: Vec<RoleObject>) -> HashMap<String, Vec<PolicyRule>> {
    let by_name: HashMap<&str, &RoleObject> = roles.iter().map(|r| (r.metadata.name.as_str(), r)).collect();
    let mut resolved = HashMap::new();
    for role in &roles {
        let rules = resolve(&by_name, role, &mut BTreeSet::new());
        resolved.insert(role.metadata.name.clone(), rules);
    }
    resolved
}

fn resolve<'a>(
    by_name: &HashMap<&'a str, &'a RoleObject>,
    role: &'a RoleObject,
    visiting: &mut BTreeSet<&'a str>,
) -> Vec<PolicyRule> {
    let Some(aggregation) = &role.aggregation_rule else { return role.rules.clone() };
    visiting.insert(role.metadata.name.as_str());
    let selectors: Vec<LabelSelector> =
        aggregation.cluster_role_selectors.iter().map(LabelSelector::from_object).collect();
    let mut names: Vec<&str> = by_name
        .iter()
        .filter(|(name, other)| {
            !visiting.contains(*name) && selectors.iter().any(|s| s.matches(&other.metadata.labels))
        })
        .map(|(name, _)| *name)
        .collect();
    // The controller visits roles in name order; the order only shows in a rules review.
    names.sort_unstable();
    let mut rules: Vec<PolicyRule> = Vec::new();
    for name in names {
        for rule in resolve(by_name, by_name[name], visiting) {
            if !rules.contains(&rule) {
                rules.push(rule);
            }
        }
    }
    visiting.remove(role.metadata.name.as_str());
    rules
}
