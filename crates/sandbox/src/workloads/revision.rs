//! ControllerRevisions, the history StatefulSets and DaemonSets keep of their pod templates
//! (`kubectl rollout history` and `rollout undo` read them).

use super::client::{Api, CONTROLLER_MANAGER, gr, i, is_deleting, name, namespace, owner_ref, template_hash, uid};
use crate::error::ApiError;
use serde_json::{Value, json};

/// The hash of `owner`'s current template, whose ControllerRevision is `<owner>-<hash>`. Creates
/// that revision when missing and deletes unused old ones (not named in `in_use`) beyond
/// `spec.revisionHistoryLimit`.
pub(super) fn ensure(api: &Api, owner: &Value, kind: &str, in_use: &[String]) -> Result<String, ApiError> {
    let revisions = gr("apps", "controllerrevisions");
    let template = owner.pointer("/spec/template").cloned().unwrap_or_else(|| json!({}));
    let hash = template_hash(&template);
    let revision_name = format!("{}-{hash}", name(owner));
    let mut owned = api.owned(&revisions, namespace(owner), uid(owner));
    owned.sort_by_key(|r| i(r, "/revision").unwrap_or(0));
    if !owned.iter().any(|r| name(r) == revision_name) {
        let next = owned.last().and_then(|r| i(r, "/revision")).unwrap_or(0) + 1;
        let mut labels = owner.pointer("/spec/template/metadata/labels").cloned().unwrap_or_else(|| json!({}));
        labels["controller.kubernetes.io/hash"] = json!(hash);
        let body = json!({
            "apiVersion": "apps/v1",
            "kind": "ControllerRevision",
            "metadata": {
                "name": revision_name,
                "namespace": namespace(owner),
                "labels": labels,
                "ownerReferences": [owner_ref(owner, "apps/v1", kind)],
            },
            "data": {"spec": {"template": merge_replace(&template)}},
            "revision": next,
        });
        match api.create(&revisions, namespace(owner), body, CONTROLLER_MANAGER) {
            Ok(_) => {}
            Err(err) if err.code == 409 => {}
            Err(err) => return Err(err),
        }
    }
    let limit = i(owner, "/spec/revisionHistoryLimit").unwrap_or(10).max(0) as usize;
    let unused: Vec<&Value> = owned
        .iter()
        .filter(|r| name(r) != revision_name && !in_use.iter().any(|u| u == name(r)) && !is_deleting(r))
        .collect();
    for old in unused.iter().take(unused.len().saturating_sub(limit)) {
        api.delete(&revisions, namespace(old), name(old), Some(uid(old)), None)?;
    }
    Ok(hash)
}

/// The template as a strategic-merge patch that replaces the whole template, as stored in
/// ControllerRevision data by the real controllers.
fn merge_replace(template: &Value) -> Value {
    let mut patch = template.clone();
    if let Some(map) = patch.as_object_mut() {
        map.insert("$patch".into(), json!("replace"));
    }
    patch
}
