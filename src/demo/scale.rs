//! Many Flux objects at once, for the benchmarks and the 10,000-row snapshots: the demo fleet's shapes
//! repeated over namespaces, with a realistic mix of ready, failing, progressing and suspended objects.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::objects::flux_objects;

/// `count` objects (exactly), cycling through the demo objects, renamed `<name>-<n>` in namespaces
/// `tenant-<n % 50>`.
pub fn scaled_objects(count: usize, now: DateTime<Utc>) -> Vec<Value> {
    let templates = flux_objects(now);
    (0..count)
        .map(|index| {
            let mut object = templates[index % templates.len()].clone();
            let copy = index / templates.len();
            let metadata = &mut object["metadata"];
            let name = metadata["name"].as_str().unwrap_or("object").to_string();
            metadata["name"] = Value::String(format!("{name}-{copy:05}"));
            metadata["namespace"] = Value::String(format!("tenant-{:02}", copy % 50));
            metadata["uid"] = Value::String(format!("00000000-0000-4000-8000-{index:012}"));
            object
        })
        .collect()
}
