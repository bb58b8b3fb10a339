//! What a source trigger last saw of each source (its artifact revision, or revision and digest), so that a
//! watch event wakes the source's consumers only when that value changed.
//!
//! The engine runs for as long as the cluster does: the map follows the watch, forgetting an object on its
//! delete event, and after a relist (a watch restart) keeping only the objects the listing had, since a delete
//! can be missed while the watch is down.

use std::collections::{HashMap, HashSet};

use kube::runtime::watcher;

use crate::api::object::AnyFluxObject;

/// The value last seen per source `(namespace, name)`.
#[derive(Debug)]
pub struct SeenRevisions<V> {
    seen: HashMap<(String, String), V>,
    /// The objects of the listing in progress, between `Init` and `InitDone`.
    listed: Option<HashSet<(String, String)>>,
}

impl<V> Default for SeenRevisions<V> {
    fn default() -> Self {
        SeenRevisions { seen: HashMap::new(), listed: None }
    }
}

impl<V: PartialEq> SeenRevisions<V> {
    /// The object of an `Apply` or `InitApply` event whose value (`value_of`) differs from the one last seen,
    /// remembering it. An object without a value wakes nothing and keeps what was seen before; a delete wakes
    /// nothing.
    pub fn changed(
        &mut self,
        event: watcher::Event<AnyFluxObject>,
        value_of: impl Fn(&AnyFluxObject) -> Option<V>,
    ) -> Option<AnyFluxObject> {
        match event {
            watcher::Event::Init => {
                self.listed = Some(HashSet::new());
                None
            }
            watcher::Event::InitApply(object) => {
                if let Some(listed) = &mut self.listed {
                    listed.insert(key_of(&object));
                }
                self.remember(object, value_of)
            }
            watcher::Event::InitDone => {
                if let Some(listed) = self.listed.take() {
                    self.seen.retain(|key, _| listed.contains(key));
                }
                None
            }
            watcher::Event::Apply(object) => self.remember(object, value_of),
            watcher::Event::Delete(object) => {
                self.seen.remove(&key_of(&object));
                None
            }
        }
    }

    fn remember(
        &mut self,
        object: AnyFluxObject,
        value_of: impl Fn(&AnyFluxObject) -> Option<V>,
    ) -> Option<AnyFluxObject> {
        let current = value_of(&object)?;
        let key = key_of(&object);
        let changed = self.seen.get(&key) != Some(&current);
        self.seen.insert(key, current);
        changed.then_some(object)
    }
}

fn key_of(object: &AnyFluxObject) -> (String, String) {
    (object.namespace().to_string(), object.name().to_string())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn git(name: &str, revision: Option<&str>) -> AnyFluxObject {
        let mut value = json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
            "metadata": {"name": name, "namespace": "default"}, "spec": {}
        });
        if let Some(revision) = revision {
            value["status"] = json!({"artifact": {"revision": revision}});
        }
        AnyFluxObject::from_value(value)
    }

    fn revision(object: &AnyFluxObject) -> Option<String> {
        object.to_value().pointer("/status/artifact/revision").and_then(|r| r.as_str()).map(str::to_string)
    }

    fn woke(seen: &mut SeenRevisions<String>, event: watcher::Event<AnyFluxObject>) -> bool {
        seen.changed(event, revision).is_some()
    }

    #[test]
    fn only_a_new_value_wakes() {
        let mut seen = SeenRevisions::default();
        assert!(!woke(&mut seen, watcher::Event::Apply(git("a", None))), "no artifact yet");
        assert!(woke(&mut seen, watcher::Event::Apply(git("a", Some("1")))));
        assert!(!woke(&mut seen, watcher::Event::Apply(git("a", Some("1")))));
        assert!(!woke(&mut seen, watcher::Event::Apply(git("a", None))), "an artifact gone keeps the last one");
        assert!(!woke(&mut seen, watcher::Event::Apply(git("a", Some("1")))));
        assert!(woke(&mut seen, watcher::Event::Apply(git("a", Some("2")))));
    }

    #[test]
    fn a_deleted_source_is_forgotten() {
        let mut seen = SeenRevisions::default();
        assert!(woke(&mut seen, watcher::Event::Apply(git("a", Some("1")))));
        assert!(woke(&mut seen, watcher::Event::Apply(git("b", Some("1")))));
        assert!(!woke(&mut seen, watcher::Event::Delete(git("a", Some("1")))), "a delete wakes nothing");
        assert_eq!(seen.seen.len(), 1);
        assert!(woke(&mut seen, watcher::Event::Apply(git("a", Some("1")))), "created again, it is new");
    }

    #[test]
    fn a_relist_forgets_what_it_no_longer_has() {
        let mut seen = SeenRevisions::default();
        for name in ["a", "b", "c"] {
            assert!(woke(&mut seen, watcher::Event::InitApply(git(name, Some("1")))));
        }
        // The watch restarts: `b` was deleted while it was down, `c` lost its artifact, `a` moved on.
        assert!(!woke(&mut seen, watcher::Event::Init));
        assert!(woke(&mut seen, watcher::Event::InitApply(git("a", Some("2")))));
        assert!(!woke(&mut seen, watcher::Event::InitApply(git("c", None))));
        assert!(!woke(&mut seen, watcher::Event::InitDone));
        assert_eq!(seen.seen.len(), 2, "b is forgotten, c keeps what it had");
        assert!(!woke(&mut seen, watcher::Event::Apply(git("c", Some("1")))));
        assert!(woke(&mut seen, watcher::Event::Apply(git("b", Some("1")))));
    }
}
