//! The output order. kustomize's legacy order (kubectl's default): some kinds first (Namespaces, CRDs, RBAC,
//! ConfigMaps, Services, workloads...), webhooks last, the rest in between; ties by group/version/kind, then
//! namespace and name. The top kustomization's `sortOptions` choose `legacy` (with its own first and last kinds)
//! or `fifo` (the accumulation order) and win over `--reorder`.

use serde::Deserialize;
use serde_json::Value;

use crate::options::Reorder;
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

fn kind_rank<S: AsRef<str>>(kind: &str, first: &[S], last: &[S]) -> i64 {
    if let Some(i) = first.iter().position(|k| k.as_ref() == kind) {
        return i as i64 - first.len() as i64;
    }
    if let Some(i) = last.iter().position(|k| k.as_ref() == kind) {
        return i as i64 + 1;
    }
    0
}

/// Sorts resources into the legacy order (stable, as resources are unique by id).
pub fn legacy_sort(resources: &mut [Resource]) {
    legacy_sort_with(resources, FIRST, LAST);
}

fn legacy_sort_with<S: AsRef<str>>(resources: &mut [Resource], first: &[S], last: &[S]) {
    // Kind rank, then group/version/kind, then effective namespace and name; computed once per resource.
    resources.sort_by_cached_key(|r| {
        let id = r.id();
        (
            kind_rank(&id.gvk.kind, first, last),
            id.gvk.sort_string(),
            id.effective_namespace().to_string(),
            id.name.clone(),
        )
    });
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SortOptions {
    #[serde(default)]
    order: String,
    #[serde(default)]
    legacy_sort_options: Option<LegacySortOptions>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LegacySortOptions {
    #[serde(default)]
    order_first: Vec<String>,
    #[serde(default)]
    order_last: Vec<String>,
}

/// Puts the build's resources in output order: the top kustomization's `sortOptions` when set, else `reorder`.
pub fn sort(resources: &mut [Resource], sort_options: Option<&Value>, reorder: Reorder) -> Result<(), String> {
    let Some(value) = sort_options.filter(|v| !v.is_null()) else {
        if reorder != Reorder::None {
            legacy_sort(resources);
        }
        return Ok(());
    };
    let options: SortOptions = serde_json::from_value(value.clone()).map_err(|e| format!("sortOptions: {e}"))?;
    match (options.order.as_str(), options.legacy_sort_options) {
        ("fifo", None) => Ok(()),
        ("fifo", Some(_)) => Err("sortOptions: legacySortOptions can only be set when order is legacy".into()),
        ("legacy", None) => {
            legacy_sort(resources);
            Ok(())
        }
        ("legacy", Some(legacy)) => {
            legacy_sort_with(resources, &legacy.order_first, &legacy.order_last);
            Ok(())
        }
        _ => Err("the field 'sortOptions.order' must be one of [fifo, legacy]".into()),
    }
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

    #[test]
    fn sort_options_choose_the_order() {
        let mut rs = vec![res("v1", "Service", "s"), res("v1", "ConfigMap", "c"), res("apps/v1", "Deployment", "d")];
        let options = json!({"order": "legacy", "legacySortOptions": {"orderFirst": ["Deployment"]}});
        sort(&mut rs, Some(&options), Reorder::Unspecified).unwrap();
        let names: Vec<&str> = rs.iter().map(Resource::name).collect();
        assert_eq!(names, ["d", "c", "s"]);
        sort(&mut rs, Some(&json!({"order": "fifo"})), Reorder::Legacy).unwrap();
        let names: Vec<&str> = rs.iter().map(Resource::name).collect();
        assert_eq!(names, ["d", "c", "s"]);
        assert!(sort(&mut rs, Some(&json!({"legacySortOptions": {}})), Reorder::Unspecified).is_err());
    }
}
