//! kustomize's legacy output order (`--reorder legacy`, kubectl's default): some kinds first (Namespaces,
//! CRDs, RBAC, ConfigMaps, Services, workloads...), webhooks last, the rest in between; ties by
//! group/version/kind, then namespace and name.

use crate::resource::Resource;

const FIRST: &[&str] = &[
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];

const LAST: &[&str] = &["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

fn kind_rank(kind: &str) -> i64 {
    if let Some(i) = FIRST.iter().position(|k| *k == kind) {
        return i as i64 - FIRST.len() as i64;
    }
    if let Some(i) = LAST.iter().position(|k| *k == kind) {
        return i as i64 + 1;
    }
    0
}

/// Sorts resources into the legacy order (stable, as resources are unique by id).
pub fn legacy_sort(resources: &mut [Resource]) {
    // Kind rank, then group/version/kind, then effective namespace and name; computed once per resource.
    resources.sort_by_cached_key(|r| {
        let id = r.id();
        (kind_rank(&id.gvk.kind), id.gvk.sort_string(), id.effective_namespace().to_string(), id.name.clone())
    });
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn res(api_version: &str, kind: &str, name: &str) -> Resource {
        Resource::new(json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": name}})).unwrap()
    }

    #[test]
    fn namespaces_first_webhooks_last() {
        let mut rs = vec![
            res("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "w"),
            res("example.com/v1", "Foo", "f"),
            res("apps/v1", "Deployment", "b"),
            res("apps/v1", "Deployment", "a"),
            res("v1", "Namespace", "ns"),
            res("v1", "Service", "s"),
        ];
        legacy_sort(&mut rs);
        let names: Vec<&str> = rs.iter().map(Resource::name).collect();
        assert_eq!(names, ["ns", "s", "a", "b", "f", "w"]);
    }
}
