//! The events view: the selected object's events and every Flux object's, newest first, warnings highlighted,
//! events of deleted objects marked, the `/` filter; fed through the app's own live-update path.

use fluxtui::api::FluxKind;
use fluxtui::app::state::Screen;
use fluxtui::app::update::{self, Effect};
use fluxtui::cluster::ClusterEvent;
use fluxtui::cluster::events::EventsUpdate;
use fluxtui::cluster::live::LiveUpdate;
use fluxtui::model::ObjectKey;
use fluxtui::model::events::{EventRow, EventTarget, sort_newest_first};
use serde_json::{Value, json};

use super::harness::{Harness, fixed_now};

fn snapshot(name: &str, text: String) {
    insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

/// An Event as the API serves it, `minutes_ago` last seen.
fn event(name: &str, object: (&str, &str, &str), kind: &str, reason: &str, message: &str, minutes_ago: i64) -> Value {
    let (object_kind, namespace, object_name) = object;
    let last = fixed_now() - chrono::Duration::minutes(minutes_ago);
    let first = last - chrono::Duration::minutes(30);
    json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": name, "namespace": namespace, "uid": format!("uid-{name}")},
        "involvedObject": {"kind": object_kind, "name": object_name, "namespace": namespace},
        "type": kind, "reason": reason, "message": message,
        "firstTimestamp": first.to_rfc3339(), "lastTimestamp": last.to_rfc3339(),
        "count": if minutes_ago < 5 { 4 } else { 1 },
        "source": {"component": match object_kind {
            "Kustomization" => "kustomize-controller",
            "HelmRelease" => "helm-controller",
            "GitRepository" => "source-controller",
            _ => "kubelet",
        }},
    })
}

fn fleet_events() -> Vec<Value> {
    vec![
        event(
            "apps.1",
            ("Kustomization", "flux-system", "apps"),
            "Normal",
            "Progressing",
            "Deployment/podinfo/podinfo configured",
            1,
        ),
        event(
            "apps.2",
            ("Kustomization", "flux-system", "apps"),
            "Warning",
            "HealthCheckFailed",
            "health check failed after 5m0s: timeout waiting for: [Deployment/podinfo/podinfo status: 'InProgress']",
            3,
        ),
        event(
            "apps.3",
            ("Kustomization", "flux-system", "apps"),
            "Normal",
            "ReconciliationSucceeded",
            "Reconciliation finished in 1.2s, next run in 10m0s",
            40,
        ),
        event(
            "podinfo.1",
            ("HelmRelease", "podinfo", "podinfo"),
            "Warning",
            "InstallFailed",
            "Helm install failed for release podinfo/podinfo with chart podinfo@6.7.0: context deadline exceeded",
            2,
        ),
        event(
            "flux-system.1",
            ("GitRepository", "flux-system", "flux-system"),
            "Normal",
            "NewArtifact",
            "stored artifact for commit 'Merge pull request #42'",
            7,
        ),
        event(
            "gone.1",
            ("Kustomization", "flux-system", "old-tenant"),
            "Normal",
            "Pruned",
            "Namespace/old-tenant deleted",
            12,
        ),
        event("pod.1", ("Pod", "apps", "web-0"), "Normal", "Pulled", "Container image pulled", 1),
    ]
}

/// Feeds the watch's snapshot for the open view, as the cluster layer would (its target selects the rows).
fn feed(harness: &mut Harness, events: &[Value]) {
    let Some(Screen::Events(view)) = harness.state.stack.last() else { panic!("no events view open") };
    let (stream, target) = (view.stream, view.target.clone());
    let mut rows: Vec<EventRow> =
        events.iter().filter_map(EventRow::from_value).filter(|row| target.matches(row)).collect();
    sort_newest_first(&mut rows);
    update::on_live_update(
        &mut harness.state,
        LiveUpdate::Events(EventsUpdate { stream, rows: Some(rows), error: None, object: None }),
    );
}

#[test]
fn e_opens_the_selected_objects_events_newest_first() {
    let mut harness = Harness::demo();
    harness.press("e");
    let Some(Effect::WatchEvents { target: EventTarget::Object(object), .. }) = harness.effects.last() else {
        panic!("no events watch asked for: {:?}", harness.effects);
    };
    assert_eq!(
        (object.kind.as_str(), object.namespace.as_str(), object.name.as_str()),
        ("Kustomization", "flux-system", "apps")
    );
    assert_eq!(object.api_version.as_deref(), Some("kustomize.toolkit.fluxcd.io/v1"));
    snapshot("events_loading", harness.render());
    feed(&mut harness, &fleet_events());
    let screen = harness.render();
    snapshot("events_object_120x40", screen.clone());
    let newest = screen.find("Progressing").expect("newest shown");
    let older = screen.find("HealthCheckFailed").expect("warning shown");
    assert!(newest < older, "newest first");
    harness.resize(80, 24);
    snapshot("events_object_80x24", harness.render());
}

#[test]
fn warnings_are_highlighted() {
    let mut harness = Harness::demo();
    harness.press("e");
    feed(&mut harness, &fleet_events());
    let buffer = harness.buffer();
    let row = (0..buffer.area.height)
        .find(|&y| {
            (0..buffer.area.width).map(|x| buffer[(x, y)].symbol()).collect::<String>().contains("HealthCheckFailed")
        })
        .expect("the warning row");
    // The TYPE cell of a warning takes the failed style; a normal row does not.
    let cell = &buffer[(1, row)];
    assert_eq!(cell.fg, harness.theme().failed.fg.expect("a failed colour"));
    let normal = (0..buffer.area.height)
        .find(|&y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
                .contains("ReconciliationSucceeded")
        })
        .expect("a normal row");
    assert_ne!(buffer[(1, normal)].fg, cell.fg);
}

#[test]
fn events_command_shows_every_flux_objects_events() {
    let mut harness = Harness::demo();
    harness.press(":");
    harness.type_text("events");
    harness.press("enter");
    assert!(matches!(
        harness.effects.last(),
        Some(Effect::WatchEvents { target: EventTarget::AllFlux { namespace: None }, .. })
    ));
    feed(&mut harness, &fleet_events());
    let screen = harness.render();
    assert!(!screen.contains("web-0"), "a kubelet event about a pod is not a Flux event:\n{screen}");
    assert!(
        screen.lines().any(|line| line.contains("Pruned") && line.contains("(deleted) Kustomization/")),
        "an event whose object is gone is marked:\n{screen}"
    );
    snapshot("events_all_flux_120x40", screen);
    harness.resize(80, 24);
    snapshot("events_all_flux_80x24", harness.render());

    harness.resize(120, 40);
    // Enter on an event opens its object's describe; Esc comes back to the events.
    harness.press("enter");
    assert!(harness.render().contains("Describe Kustomization/flux-system/apps"), "{}", harness.render());
    harness.press("esc");
    assert!(matches!(harness.state.stack.last(), Some(Screen::Events(_))));
    // An event whose object is gone says so.
    harness.press("j j j j enter");
    assert!(harness.render().contains("Kustomization/old-tenant no longer exists"), "{}", harness.render());

    // The filter keeps the matching events.
    harness.resize(120, 40);
    harness.press("/");
    harness.type_text("warning");
    harness.press("enter");
    let screen = harness.render();
    assert!(screen.contains("[2/6]"), "{screen}");
    assert!(!screen.contains("NewArtifact"), "{screen}");
    snapshot("events_filtered", screen);
}

#[test]
fn the_object_deleted_while_the_view_is_open_is_marked() {
    let mut harness = Harness::demo();
    harness.press("e");
    feed(&mut harness, &fleet_events());
    // The Kustomization goes from the store, as a watch delete does.
    let objects: Vec<_> = fluxtui::demo::flux_objects(fixed_now())
        .into_iter()
        .map(fluxtui::api::AnyFluxObject::from_value)
        .filter(|object| {
            !(object.name() == "apps"
                && object.namespace() == "flux-system"
                && object.kind() == Some(FluxKind::Kustomization))
        })
        .collect();
    harness.state.stores = fluxtui::cluster::FluxStores::from_objects(objects);
    harness.cluster(ClusterEvent::StoreChanged(FluxKind::Kustomization));
    harness.settle();
    let key = ObjectKey { kind: FluxKind::Kustomization, namespace: "flux-system".into(), name: "apps".into() };
    assert!(harness.state.find_row(&key).is_none());
    let screen = harness.render();
    assert!(screen.contains("(object deleted)"), "{screen}");
    assert!(screen.contains("(deleted) Kustomization/apps"), "{screen}");
    snapshot("events_deleted_object", screen);
    // Esc closes the view, and the loop will stop its watch.
    let stream = match harness.state.stack.last() {
        Some(Screen::Events(view)) => view.stream,
        _ => unreachable!(),
    };
    harness.press("esc");
    assert!(!update::stream_is_open(&harness.state, stream));
}
