//! The sandbox's fault injection, driven through its documented admin endpoints.

use fluxtui_testkit::{TestCluster, http_request};
use std::time::{Duration, Instant};

#[tokio::test]
async fn injected_errors_hit_the_configured_share_with_retry_after_and_latency_is_added() {
    let cluster = TestCluster::start().await;
    let url = cluster.url();
    let set = http_request(url, "POST", "/sandbox/faults", None, Some(r#"{"errorRate":0.25,"errorCode":429}"#));
    assert_eq!(set.status, 200, "{}", set.body);
    let answers: Vec<_> = (0..20).map(|_| http_request(url, "GET", "/api/v1/namespaces", None, None)).collect();
    let throttled: Vec<_> = answers.iter().filter(|a| a.status == 429).collect();
    assert_eq!(throttled.len(), 5, "a quarter of 20 requests, spread evenly");
    assert!(
        throttled
            .iter()
            .all(|a| a.body.contains("\"reason\":\"TooManyRequests\"") && a.body.contains("retryAfterSeconds"))
    );
    assert!(answers.iter().all(|a| a.status == 200 || a.status == 429));

    let set = http_request(url, "POST", "/sandbox/faults", None, Some(r#"{"errorRate":1.0,"errorCode":500}"#));
    assert_eq!(set.status, 200);
    let failed = http_request(url, "GET", "/api/v1/namespaces", None, None);
    assert_eq!(failed.status, 500);
    assert!(failed.body.contains("InternalError"), "{}", failed.body);
    // Health checks and the admin endpoint itself are never failed, so a test can always switch faults off.
    assert_eq!(http_request(url, "GET", "/readyz", None, None).status, 200);

    let set = http_request(url, "POST", "/sandbox/faults", None, Some(r#"{"latencyMs":300}"#));
    assert_eq!(set.status, 200);
    let started = Instant::now();
    assert_eq!(http_request(url, "GET", "/api/v1/namespaces", None, None).status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300), "the configured latency was not added");
    let current = http_request(url, "GET", "/sandbox/faults", None, None);
    assert!(current.body.contains("\"latencyMs\":300"), "{}", current.body);

    assert_eq!(http_request(url, "POST", "/sandbox/faults", None, Some("{}")).status, 200);
    assert_eq!(http_request(url, "GET", "/api/v1/namespaces", None, None).status, 200);
    // Expiring resourceVersions makes a resumed watch answer 410 Gone inside the stream.
    let listed = http_request(url, "GET", "/api/v1/namespaces", None, None);
    let rv = serde_json::from_str::<serde_json::Value>(listed.body.trim())
        .ok()
        .and_then(|v| v["metadata"]["resourceVersion"].as_str().map(str::to_string));
    let expired = http_request(url, "POST", "/sandbox/expire-resource-versions", None, None);
    assert_eq!(expired.status, 200);
    let rv = rv.expect("the list carries its resourceVersion");
    let watch = http_request(url, "GET", &format!("/api/v1/namespaces?watch=1&resourceVersion={rv}"), None, None);
    assert!(watch.body.contains("\"code\":410"), "{}", watch.body);
}
