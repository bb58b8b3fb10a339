//! `fluxtui sandbox --state-dir`: every acknowledged write survives kill -9.

use fluxtui_testkit::{SandboxProcess, fluxtui_binary, http_request, try_raw_request};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request that may fail at the transport level (the server is being killed), returning
/// the status and body only when a whole answer arrived.
fn try_request(url: &str, method: &str, path: &str, body: Option<&str>) -> Option<(u16, String)> {
    let headers = [("Content-Type", "application/json")];
    let response =
        try_raw_request(url, method, path, &headers, body.map(str::as_bytes), Duration::from_secs(5)).ok()?;
    // A body cut off by the kill is not an acknowledgement.
    serde_json::from_str::<Value>(&response.body).ok()?;
    Some((response.status, response.body))
}

#[derive(Default)]
struct Acknowledged {
    /// (name, uid, resourceVersion) of every 201 Created.
    created: Vec<(String, String, u64)>,
    /// Names whose delete was answered 200.
    deleted: Vec<String>,
    /// Names whose delete got no answer: the kill may have come before or after it was made
    /// durable, so either outcome is correct.
    unsettled: Vec<String>,
}

#[test]
fn acknowledged_writes_survive_kill_9_and_watches_resume() {
    let state = tempfile::tempdir().expect("state dir");
    let state_arg = state.path().to_str().expect("utf-8 path").to_string();
    let mut first = SandboxProcess::start(fluxtui_binary!(), &["--state-dir", &state_arg]);
    let url = first.url();
    let acked = Arc::new(Mutex::new(Acknowledged::default()));
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            let (url, acked) = (url.clone(), acked.clone());
            std::thread::spawn(move || {
                for i in 0.. {
                    let name = format!("w{writer}-{i}");
                    let body = format!(r#"{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"{name}"}},"data":{{"i":"{i}"}}}}"#);
                    let Some((201, text)) = try_request(&url, "POST", "/api/v1/namespaces/default/configmaps", Some(&body)) else {
                        return;
                    };
                    let object: Value = serde_json::from_str(&text).expect("JSON");
                    let uid = object["metadata"]["uid"].as_str().expect("uid").to_string();
                    let rv = object["metadata"]["resourceVersion"].as_str().and_then(|r| r.parse().ok()).expect("rv");
                    acked.lock().expect("lock").created.push((name.clone(), uid, rv));
                    if i % 5 == 4 {
                        let path = format!("/api/v1/namespaces/default/configmaps/{name}");
                        match try_request(&url, "DELETE", &path, None) {
                            Some((200, _)) => acked.lock().expect("lock").deleted.push(name),
                            Some(_) => {}
                            None => {
                                acked.lock().expect("lock").unsettled.push(name);
                                return;
                            }
                        }
                    }
                }
            })
        })
        .collect();
    // Let the load run, then kill the server in the middle of it.
    let deadline = Instant::now() + Duration::from_secs(10);
    while acked.lock().expect("lock").created.len() < 200 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    first.kill_hard();
    for writer in writers {
        writer.join().expect("writer thread");
    }
    let acked = Arc::try_unwrap(acked).ok().expect("writers done").into_inner().expect("lock");
    assert!(acked.created.len() >= 50, "too little load to test anything: {}", acked.created.len());

    let second = SandboxProcess::start(fluxtui_binary!(), &["--state-dir", &state_arg]);
    let url = second.url();
    let listed = http_request(&url, "GET", "/api/v1/namespaces/default/configmaps", None, None);
    let list: Value = serde_json::from_str(&listed.body).expect("list JSON");
    let items = list["items"].as_array().expect("items");
    let find = |name: &str| items.iter().find(|o| o["metadata"]["name"] == name);
    let mut max_rv = 0;
    for (name, uid, rv) in &acked.created {
        max_rv = max_rv.max(*rv);
        if acked.unsettled.contains(name) {
            continue;
        }
        if acked.deleted.contains(name) {
            assert!(find(name).is_none(), "{name} was deleted (acknowledged) but came back");
        } else {
            let object = find(name).unwrap_or_else(|| panic!("{name} was acknowledged but is lost"));
            assert_eq!(object["metadata"]["uid"].as_str(), Some(uid.as_str()), "{name} changed uid");
        }
    }
    let list_rv: u64 = list["metadata"]["resourceVersion"].as_str().and_then(|r| r.parse().ok()).expect("list rv");
    assert!(list_rv >= max_rv, "resourceVersion went back: {list_rv} < {max_rv}");
    // A new write continues the counter.
    let created = http_request(
        &url,
        "POST",
        "/api/v1/namespaces/default/configmaps",
        None,
        Some(r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"after-restart"}}"#),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let object: Value = serde_json::from_str(&created.body).expect("JSON");
    let rv: u64 = object["metadata"]["resourceVersion"].as_str().and_then(|r| r.parse().ok()).expect("rv");
    assert!(rv > list_rv);
    // A watch from the restart's resourceVersion resumes (it is not too old).
    let watch = http_request(
        &url,
        "GET",
        &format!("/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={list_rv}&timeoutSeconds=1"),
        None,
        None,
    );
    assert!(watch.body.contains("after-restart") && !watch.body.contains("\"code\":410"), "{}", watch.body);
}
