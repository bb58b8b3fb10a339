//! What wakes a Kustomization besides its own changes (kustomize-controller's watches on its source kinds with
//! the artifact revision predicate): a source whose artifact revision changed reconciles the Kustomizations that
//! name it in `spec.sourceRef` (cross-namespace references included) and have not yet attempted that revision,
//! or are not Ready (SEMANTICS.md §2.1).
//!
//! As for the HelmChart controller: one watch per source kind the cluster serves, and a reflector over the
//! Kustomizations for the map from a source to its consumers; the store's watch rides in the trigger stream. The
//! same store maps the ConfigMaps and Secrets of [`super::config_watches`] to the Kustomizations using them.

use std::sync::Arc;

use futures::StreamExt;
use futures::stream;

use super::config_watches::config_triggers;
use super::inputs::{SOURCE_KINDS, artifact_of, source_key};
use crate::api::FluxKind;
use crate::api::object::AnyFluxObject;
use crate::controllers::runtime::context::Context;
use crate::controllers::runtime::triggers::{Trigger, references, source_changes, watched_store};

/// The trigger streams of the Kustomization controller: empty when the cluster does not serve Kustomization.
pub fn source_triggers(ctx: &Context) -> Vec<Trigger> {
    let Some(resource) = ctx.api_resource(FluxKind::Kustomization) else { return Vec::new() };
    let (store, feed) = watched_store(ctx, &resource);
    let mut streams = vec![feed];
    let (users, kustomizations) = (store.clone(), resource.clone());
    streams.extend(source_changes(ctx, &SOURCE_KINDS, revision_of, move |kind, source| {
        references(&kustomizations, consumers(&users.state(), kind, source))
    }));
    streams.extend(config_triggers(ctx, &store, &resource));
    vec![stream::select_all(streams).boxed()]
}

/// What a source's watch events are compared on: its artifact revision.
fn revision_of(source: &AnyFluxObject) -> Option<String> {
    artifact_of(source).and_then(|a| a.revision)
}

/// The Kustomizations (namespace, name) using `source` of `kind` that have not attempted its revision or are not
/// Ready.
pub fn consumers(objects: &[Arc<AnyFluxObject>], kind: FluxKind, source: &AnyFluxObject) -> Vec<(String, String)> {
    let Some(revision) = artifact_of(source).and_then(|a| a.revision) else { return Vec::new() };
    objects
        .iter()
        .filter_map(|object| match object.as_ref() {
            AnyFluxObject::Kustomization(ks) => Some(ks),
            _ => None,
        })
        .filter(|ks| {
            let (source_kind, namespace, name) = source_key(ks);
            let status = ks.status.clone().unwrap_or_default();
            let ready = status.conditions.iter().flatten().any(|c| c.type_ == "Ready" && c.status == "True");
            source_kind == kind.name()
                && namespace == source.namespace()
                && name == source.name()
                && (status.last_attempted_revision.as_deref() != Some(revision.as_str()) || !ready)
        })
        .map(|ks| (ks.metadata.namespace.clone().unwrap_or_default(), ks.metadata.name.clone().unwrap_or_default()))
        .collect()
}

#[cfg(test)]
mod tests {
    use kube::runtime::watcher;
    use serde_json::json;

    use super::*;
    use crate::controllers::runtime::seen_revisions::SeenRevisions;

    fn ks(name: &str, namespace: &str, source_namespace: Option<&str>, attempted: Option<&str>) -> Arc<AnyFluxObject> {
        let mut reference = json!({"kind": "GitRepository", "name": "repo"});
        if let Some(ns) = source_namespace {
            reference["namespace"] = json!(ns);
        }
        Arc::new(AnyFluxObject::from_value(json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"sourceRef": reference, "interval": "1m", "prune": true},
            "status": {"lastAttemptedRevision": attempted,
                "conditions": [{"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded"}]},
        })))
    }

    #[test]
    fn a_new_revision_wakes_the_kustomizations_using_the_source() {
        let source = AnyFluxObject::from_value(json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
            "metadata": {"name": "repo", "namespace": "flux-system"}, "spec": {"url": "https://x"},
            "status": {"artifact": {"revision": "main@sha1:b", "path": "p", "url": "u"}},
        }));
        let objects = vec![
            ks("behind", "flux-system", None, Some("main@sha1:a")),
            ks("current", "flux-system", None, Some("main@sha1:b")),
            ks("cross", "apps", Some("flux-system"), None),
            ks("elsewhere", "apps", None, None),
        ];
        let woken = consumers(&objects, FluxKind::GitRepository, &source);
        assert_eq!(
            woken,
            [("flux-system".to_string(), "behind".to_string()), ("apps".to_string(), "cross".to_string())]
        );
        let mut seen = SeenRevisions::default();
        assert!(seen.changed(watcher::Event::Apply(source.clone()), revision_of).is_some());
        assert!(seen.changed(watcher::Event::Apply(source), revision_of).is_none());
    }
}
