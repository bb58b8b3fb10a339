use super::*;
use serde_json::json;

fn cm(ns: &str, name: &str, data: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"namespace": ns, "name": name, "uid": format!("uid-{name}")}, "data": {"k": data}})
}

fn gr() -> GroupResource {
    GroupResource::new("", "configmaps")
}

fn put(store: &Store, value: Value) -> Arc<StoredObject> {
    store.transact::<_, StoreError>(|txn| Ok(txn.put(&gr(), value))).expect("write")
}

#[test]
fn writes_get_increasing_resource_versions_and_list_in_order() {
    let store = Store::open(None, 100).expect("open");
    let a = put(&store, cm("b", "x", "1"));
    let b = put(&store, cm("a", "y", "1"));
    let c = put(&store, cm("a", "x", "1"));
    assert!(a.resource_version < b.resource_version && b.resource_version < c.resource_version);
    let (all, rv) = store.list(&gr(), None);
    assert_eq!(rv, c.resource_version);
    let names: Vec<_> = all.iter().map(|o| format!("{}/{}", o.namespace, o.name)).collect();
    assert_eq!(names, vec!["a/x", "a/y", "b/x"]);
    let (in_a, _) = store.list(&gr(), Some("a"));
    assert_eq!(in_a.len(), 2);
    let after = store.list_at(&gr(), None, &("a".into(), "x".into()), rv).expect("in history");
    assert_eq!(after.len(), 2);
    assert_eq!(
        store.get(&gr(), "a", "x").map(|o| o.value()["metadata"]["resourceVersion"].clone()),
        Some(json!(c.resource_version.to_string()))
    );
}

#[test]
fn a_failed_transaction_changes_nothing() {
    let store = Store::open(None, 100).expect("open");
    let result: Result<(), StoreError> = store.transact(|txn| {
        txn.put(&gr(), cm("a", "x", "1"));
        Err(StoreError::Corrupt("abort".into()))
    });
    assert!(result.is_err());
    assert!(store.get(&gr(), "a", "x").is_none());
    assert_eq!(store.resource_version(), 0);
}

#[test]
fn watches_resume_from_history_and_expire_past_it() {
    let store = Store::open(None, 3).expect("open");
    let first = put(&store, cm("a", "x", "1"));
    for i in 2..=5 {
        put(&store, cm("a", "x", &i.to_string()));
    }
    // History holds the last three events; resuming from the first write needs the 2nd, lost.
    assert!(store.subscribe(WatchStart::After(first.resource_version)).is_err());
    let resumed = store.subscribe(WatchStart::After(first.resource_version + 2)).expect("in history");
    assert_eq!(resumed.backlog.len(), 2);
    let before = store.resource_version();
    store.expire_history().expect("expire");
    assert!(store.subscribe(WatchStart::After(before)).is_err(), "everything before the expiry is too old");
    // What a relist now returns can be watched again, even with no write since.
    assert!(store.subscribe(WatchStart::After(store.resource_version())).is_ok());
}

#[tokio::test]
async fn subscribers_receive_commits_in_order() {
    let store = Store::open(None, 100).expect("open");
    let mut sub = store.subscribe(WatchStart::Now).expect("subscribe");
    put(&store, cm("a", "x", "1"));
    store
        .transact::<_, StoreError>(|txn| {
            txn.delete(&gr(), "a", "x");
            Ok(())
        })
        .expect("delete");
    let added = sub.receiver.recv().await.expect("event");
    let deleted = sub.receiver.recv().await.expect("event");
    assert_eq!(added.event_type, EventType::Added);
    assert_eq!(deleted.event_type, EventType::Deleted);
    assert!(deleted.object.resource_version > added.object.resource_version);
}

#[test]
fn state_survives_reopen_and_a_torn_last_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let last_rv;
    {
        let store = Store::open(Some(dir.path()), 100).expect("open");
        put(&store, cm("a", "x", "1"));
        put(&store, cm("a", "y", "1"));
        store
            .transact::<_, StoreError>(|txn| {
                txn.delete(&gr(), "a", "y");
                Ok(())
            })
            .expect("delete");
        last_rv = store.resource_version();
    }
    // A crash in the middle of an append leaves half a line behind.
    let log = dir.path().join("objects.log");
    let mut text = std::fs::read_to_string(&log).expect("log");
    text.push_str("{\"op\":\"put\",\"group\":\"\",\"reso");
    std::fs::write(&log, text).expect("write");
    let store = Store::open(Some(dir.path()), 100).expect("reopen");
    assert_eq!(store.resource_version(), last_rv, "the counter never goes back, even after a delete");
    assert_eq!(store.get(&gr(), "a", "x").map(|o| o.uid.clone()), Some("uid-x".to_string()));
    assert!(store.get(&gr(), "a", "y").is_none());
    let next = put(&store, cm("a", "z", "1"));
    assert_eq!(next.resource_version, last_rv + 1);
}
