//! The live streams behind the events and logs views, against the sandbox: an object's events with the object's
//! presence (a kind the app does not store), and one pod's log followed through `LogTarget::Pod`.

use std::time::Duration;

use fluxtui::api::references::ObjectReference;
use fluxtui::cluster::connect;
use fluxtui::cluster::events::{EventsUpdate, ObjectPresence};
use fluxtui::cluster::live::{LiveStreams, LiveUpdate};
use fluxtui::cluster::logs::{LogBatch, LogTarget};
use fluxtui::model::events::EventTarget;
use fluxtui_sandbox::SandboxConfig;
use fluxtui_testkit::TestCluster;
use tokio::sync::mpsc::Receiver;

use crate::support::{DEADLINE, apply, options};

async fn next_events(updates: &mut Receiver<LiveUpdate>, done: impl Fn(&EventsUpdate) -> bool) -> EventsUpdate {
    let wait = async {
        while let Some(update) = updates.recv().await {
            if let LiveUpdate::Events(update) = update
                && done(&update)
            {
                return update;
            }
        }
        panic!("the stream ended");
    };
    tokio::time::timeout(DEADLINE, wait).await.expect("the awaited events update")
}

async fn next_lines(updates: &mut Receiver<LiveUpdate>, done: impl Fn(&LogBatch) -> bool) -> LogBatch {
    let wait = async {
        while let Some(update) = updates.recv().await {
            if let LiveUpdate::Logs(batch) = update
                && done(&batch)
            {
                return batch;
            }
        }
        panic!("the stream ended");
    };
    tokio::time::timeout(DEADLINE, wait).await.expect("the awaited log batch")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_objects_events_and_its_presence_are_watched() {
    let cluster = TestCluster::start().await;
    let client = connect(&options(cluster.kubeconfig_path(), None)).await.expect("connect").client().clone();
    apply(&cluster, "cm", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\n");
    let (mut streams, mut updates) = LiveStreams::new();
    let target = EventTarget::Object(ObjectReference {
        kind: "ConfigMap".into(),
        name: "settings".into(),
        namespace: "default".into(),
        api_version: Some("v1".into()),
    });
    streams.watch_events(client, 7, target);
    next_events(&mut updates, |update| matches!(update.object, Some(ObjectPresence::Exists { .. }))).await;

    let event = |name: &str, object: &str| {
        format!(
            "apiVersion: v1\nkind: Event\nmetadata:\n  name: {name}\n  namespace: default\ninvolvedObject:\n  \
             apiVersion: v1\n  kind: ConfigMap\n  name: {object}\n  namespace: default\ntype: Warning\n\
             reason: Checked\nmessage: e2e {name}\nsource:\n  component: kustomize-controller\n"
        )
    };
    apply(&cluster, "other-event", &event("other.1", "another"));
    apply(&cluster, "event", &event("settings.1", "settings"));
    let update = next_events(&mut updates, |update| update.rows.as_ref().is_some_and(|rows| !rows.is_empty())).await;
    let rows = update.rows.expect("rows");
    assert_eq!(update.stream, 7);
    assert_eq!(rows.len(), 1, "only the object's events: {rows:?}");
    assert_eq!((rows[0].reason.as_str(), rows[0].source.as_str()), ("Checked", "kustomize-controller"));

    cluster.kubectl_success(&["delete", "configmap", "settings", "-n", "default"]);
    next_events(&mut updates, |update| update.object == Some(ObjectPresence::Gone)).await;

    // Dropping the stream (its view closed) ends the watch.
    streams.retain(|_| false);
    assert!(streams.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_pods_log_is_followed() {
    let config = SandboxConfig { pod_ready_delay: Duration::from_millis(50), ..SandboxConfig::default() };
    let cluster = TestCluster::start_with(config).await;
    let client = connect(&options(cluster.kubeconfig_path(), None)).await.expect("connect").client().clone();
    let script = r#"{"level":"error","ts":"{{ts}}","msg":"scripted","controllerKind":"Kustomization","name":"apps","namespace":"flux-system"}"#;
    apply(
        &cluster,
        "pod",
        &format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: talker\n  namespace: default\n  annotations:\n    \
             {}: '{script}'\nspec:\n  containers:\n  - name: app\n    image: example.com/app:1\n",
            fluxtui_sandbox::LOG_SCRIPT_ANNOTATION
        ),
    );
    let (mut streams, mut updates) = LiveStreams::new();
    let target = LogTarget::Pod { namespace: "default".into(), name: "talker".into(), container: None };
    streams.follow_logs(client, 3, target, 100);
    let batch = next_lines(&mut updates, |batch| !batch.lines.is_empty()).await;
    let line = &batch.lines[0];
    assert_eq!((batch.stream, line.source.as_ref(), line.message.as_str()), (3, "talker", "scripted"));
    assert!(line.json && line.time.is_some());
    // Lines keep coming while the container prints (one every two seconds).
    next_lines(&mut updates, |batch| !batch.lines.is_empty()).await;
}
