//! What wakes a generator besides its own changes: a new artifact on one of its sources (source-watcher's
//! watches on GitRepository, OCIRepository, Bucket, HelmChart and ExternalArtifact with an artifact-changed
//! predicate, mapped to the generators that list the source).
//!
//! The map from a source to its generators reads a store of the generators kept by a watch of their own; that
//! watch rides in the first trigger stream, so the controller polling the triggers keeps the store current.

use std::sync::Arc;

use kube::core::ApiResource;
use kube::runtime::reflector::{ObjectRef, Store};

use super::sources::{SOURCE_KINDS, artifact_key};
use crate::api::FluxKind;
use crate::api::object::AnyFluxObject;
use crate::controllers::runtime::context::Context;
use crate::controllers::runtime::triggers::{Trigger, source_changes, watched_store};

/// The trigger streams of the ArtifactGenerator runner: one per source kind the cluster serves.
pub fn triggers(ctx: &Arc<Context>) -> Vec<Trigger> {
    let Some(generators) = ctx.api_resource(FluxKind::ArtifactGenerator) else { return Vec::new() };
    let (store, feed) = watched_store(ctx, &generators);
    let mut streams = vec![feed];
    streams.extend(source_changes(ctx, &SOURCE_KINDS, artifact_of, move |kind, source| {
        consumers_of(&store, &generators, kind, source)
    }));
    streams
}

/// What a source's watch events are compared on: its artifact's revision and digest.
fn artifact_of(source: &AnyFluxObject) -> Option<(String, String)> {
    artifact_key(&source.to_value())
}

/// The generators in `store` that list `source` (of `kind`) among their sources.
fn consumers_of(
    store: &Store<AnyFluxObject>,
    generators: &ApiResource,
    kind: FluxKind,
    source: &AnyFluxObject,
) -> Vec<ObjectRef<AnyFluxObject>> {
    store
        .state()
        .iter()
        .filter_map(|object| match object.as_ref() {
            AnyFluxObject::ArtifactGenerator(generator) => Some(generator),
            _ => None,
        })
        .filter(|generator| {
            let own_namespace = generator.metadata.namespace.as_deref().unwrap_or_default();
            generator.spec.sources.iter().flatten().any(|reference| {
                let namespace = reference.namespace.as_deref().filter(|n| !n.is_empty()).unwrap_or(own_namespace);
                reference.kind.as_deref() == Some(kind.name())
                    && reference.name.as_deref() == Some(source.name())
                    && namespace == source.namespace()
            })
        })
        .map(|generator| {
            ObjectRef::new_with(generator.metadata.name.as_deref().unwrap_or_default(), generators.clone())
                .within(generator.metadata.namespace.as_deref().unwrap_or_default())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use kube::runtime::{reflector, watcher};
    use serde_json::json;

    use super::*;
    use crate::controllers::runtime::seen_revisions::SeenRevisions;

    fn object(value: serde_json::Value) -> AnyFluxObject {
        AnyFluxObject::from_value(value)
    }

    fn git(revision: Option<&str>) -> AnyFluxObject {
        let mut value = json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
            "metadata": {"name": "repo", "namespace": "default"}, "spec": {}
        });
        if let Some(revision) = revision {
            value["status"] = json!({"artifact": {"revision": revision, "digest": format!("sha256:{revision}")}});
        }
        object(value)
    }

    #[test]
    fn only_a_new_artifact_counts_as_a_change() {
        let mut seen = SeenRevisions::default();
        let mut changed = |source| seen.changed(watcher::Event::Apply(source), artifact_of).is_some();
        assert!(!changed(git(None)));
        assert!(changed(git(Some("a"))));
        assert!(!changed(git(Some("a"))));
        assert!(changed(git(Some("b"))));
    }

    #[test]
    fn generators_listing_the_source_are_its_consumers() {
        let resource = FluxKind::ArtifactGenerator.api_resource("v1beta1");
        let writer = reflector::store::Writer::new(resource.clone());
        let store = writer.as_reader();
        let mut writer = writer;
        let generator = |name: &str, namespace: &str, source_ns: Option<&str>, kind: &str| {
            let mut source = json!({"alias": "a", "kind": kind, "name": "repo"});
            if let Some(ns) = source_ns {
                source["namespace"] = json!(ns);
            }
            object(json!({
                "apiVersion": "source.extensions.fluxcd.io/v1beta1", "kind": "ArtifactGenerator",
                "metadata": {"name": name, "namespace": namespace},
                "spec": {"sources": [source], "artifacts": []}
            }))
        };
        for g in [
            generator("same-ns", "default", None, "GitRepository"),
            generator("cross-ns", "apps", Some("default"), "GitRepository"),
            generator("other-ns", "apps", None, "GitRepository"),
            generator("other-kind", "default", None, "OCIRepository"),
        ] {
            writer.apply_watcher_event(&watcher::Event::Apply(g));
        }
        let mut names: Vec<String> = consumers_of(&store, &resource, FluxKind::GitRepository, &git(Some("a")))
            .into_iter()
            .map(|r| format!("{}/{}", r.namespace.unwrap_or_default(), r.name))
            .collect();
        names.sort();
        assert_eq!(names, ["apps/cross-ns", "default/same-ns"]);
    }
}
