//! The event recorder: core/v1 Events as Flux's controllers record them (SEMANTICS.md §6).
//!
//! `source.component` and `reportingController` are the controller's name (`source-controller`), the reason is
//! Flux's, and the event's metadata (`<group>/revision`, `<group>/digest`, and the object's
//! `event.toolkit.fluxcd.io/*` annotations) rides as annotations on the Event, as Flux's recorder attaches it.
//! A repeat of the same event on the same object within the correlation window bumps `count` and
//! `lastTimestamp` of the first Event instead of creating another, like client-go's correlator, so an
//! object failing every minute does not fill the namespace with Events.
//!
//! Recording never fails a reconcile: a failure to write an Event is logged and dropped.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::Utc;
use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta, Time};
use kube::Client;
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::json;

use super::logs::EngineLog;

/// Repeats older than this start a new Event (client-go's correlator keeps ten minutes).
const CORRELATION_WINDOW: Duration = Duration::from_secs(600);

/// How many distinct events the correlator remembers before it forgets the oldest half.
const CORRELATION_CAPACITY: usize = 4096;

/// `Normal` or `Warning`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    Normal,
    Warning,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Normal => "Normal",
            EventType::Warning => "Warning",
        }
    }
}

/// The object an event is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InvolvedObject {
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub resource_version: String,
}

/// One event to record.
#[derive(Debug, Clone)]
pub struct EventRecord {
    pub object: InvolvedObject,
    pub type_: EventType,
    pub reason: String,
    pub message: String,
    /// Flux's event metadata, keys already prefixed with the object's group.
    pub metadata: BTreeMap<String, String>,
}

struct Correlated {
    name: String,
    count: i32,
    last: Instant,
}

/// Records Events for one controller name.
pub struct EventRecorder {
    client: Client,
    controller: &'static str,
    instance: String,
    log: EngineLog,
    seen: Mutex<HashMap<(String, String, EventType, String), Correlated>>,
}

impl EventRecorder {
    pub fn new(client: Client, controller: &'static str, instance: String, log: EngineLog) -> EventRecorder {
        EventRecorder { client, controller, instance, log, seen: Mutex::new(HashMap::new()) }
    }

    /// Records `event`, or bumps the count of its earlier copy.
    pub async fn record(&self, event: EventRecord) {
        let key = (event.object.uid.clone(), event.reason.clone(), event.type_, event.message.clone());
        let repeat = {
            let mut seen = self.seen.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            match seen.get_mut(&key) {
                Some(earlier) if earlier.last.elapsed() < CORRELATION_WINDOW => {
                    earlier.count += 1;
                    earlier.last = Instant::now();
                    Some((earlier.name.clone(), earlier.count))
                }
                _ => None,
            }
        };
        let api: Api<Event> = Api::namespaced(self.client.clone(), &event.object.namespace);
        let now = k8s_openapi::jiff::Timestamp::now();
        if let Some((name, count)) = repeat {
            let patch = json!({"count": count, "lastTimestamp": Time(now)});
            match api.patch(&name, &PatchParams::default(), &Patch::Merge(&patch)).await {
                Ok(_) => return,
                // The Event was deleted (or expired): record it afresh below.
                Err(kube::Error::Api(status)) if status.code == 404 => {}
                Err(err) => {
                    self.log.error_for(&event.object, "unable to update event", &err.to_string());
                    return;
                }
            }
        }
        let name = format!("{}.{:x}", event.object.name, Utc::now().timestamp_nanos_opt().unwrap_or_default());
        let body = Event {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                namespace: Some(event.object.namespace.clone()),
                annotations: (!event.metadata.is_empty()).then(|| event.metadata.clone()),
                ..ObjectMeta::default()
            },
            involved_object: ObjectReference {
                api_version: Some(event.object.api_version.clone()),
                kind: Some(event.object.kind.clone()),
                name: Some(event.object.name.clone()),
                namespace: Some(event.object.namespace.clone()),
                uid: Some(event.object.uid.clone()).filter(|uid| !uid.is_empty()),
                resource_version: Some(event.object.resource_version.clone()).filter(|rv| !rv.is_empty()),
                ..ObjectReference::default()
            },
            reason: Some(event.reason.clone()),
            message: Some(event.message.clone()),
            type_: Some(event.type_.as_str().to_string()),
            source: Some(EventSource { component: Some(self.controller.to_string()), host: None }),
            reporting_component: Some(self.controller.to_string()),
            reporting_instance: Some(self.instance.clone()),
            count: Some(1),
            first_timestamp: Some(Time(now)),
            last_timestamp: Some(Time(now)),
            event_time: Some(MicroTime(now)),
            ..Event::default()
        };
        match api.create(&PostParams::default(), &body).await {
            Ok(_) => {
                let mut seen = self.seen.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                if seen.len() >= CORRELATION_CAPACITY {
                    let mut ages: Vec<Instant> = seen.values().map(|c| c.last).collect();
                    ages.sort();
                    let cutoff = ages[ages.len() / 2];
                    seen.retain(|_, c| c.last > cutoff);
                }
                seen.insert(key, Correlated { name, count: 1, last: Instant::now() });
            }
            // A namespace being deleted refuses new Events; nothing to tell anyone.
            Err(err) => self.log.error_for(&event.object, "unable to record event", &err.to_string()),
        }
    }
}
