//! The write actions in the UI: marks and bulk writes, the delete confirmation, toasts, the action log, and what
//! is refused before anything is sent. The writes themselves are the loop's (tests/e2e/actions.rs).

use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use fluxtui::api::{AnyFluxObject, FluxKind};
use fluxtui::app::action::Action;
use fluxtui::app::keymap::KeyOutcome;
use fluxtui::app::operations::{Severity, Step};
use fluxtui::app::update::{self, Effect, Write};
use fluxtui::cluster::{ClusterEvent, FluxStores};
use fluxtui::model::ObjectKey;

use super::harness::{Harness, fixed_now};

const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];

fn snapshot(name: &str, harness: &mut Harness) {
    let text = harness.render();
    insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name.to_string(), text);
    });
}

/// Snapshots at both sizes, the harness built afresh for each.
fn snapshot_sizes(name: &str, setup: impl Fn(&mut Harness)) {
    for (width, height) in SIZES {
        let mut harness = Harness::demo();
        harness.resize(width, height);
        setup(&mut harness);
        snapshot(&format!("{name}_{width}x{height}"), &mut harness);
    }
}

fn command(harness: &mut Harness, line: &str) {
    harness.press(":");
    harness.type_text(line);
    harness.press("enter");
}

/// The Kustomizations table filtered to one name.
fn kustomization(harness: &mut Harness, name: &str) {
    command(harness, "ks");
    // ctrl-u clears a filter left from before.
    harness.press("/ ctrl-u");
    harness.type_text(name);
    harness.press("enter");
}

fn writes(harness: &Harness) -> Vec<Write> {
    harness
        .effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::Write(write) => Some(write.clone()),
            _ => None,
        })
        .collect()
}

/// What the loop reports once a reconcile request is written.
fn requested(harness: &mut Harness, write: &Write, stamp: &str) {
    let step = Step::WaitingForController {
        requested_at: Some(stamp.to_string()),
        generation: None,
        since: harness.state.now,
        note: None,
    };
    update::write_progressed(&mut harness.state, write.operation, write.target.key(), step);
}

const STAMP: &str = "2026-11-24T12:00:01.000000000Z";

#[test]
fn delete_asks_first_and_explains_what_prune_deletes() {
    snapshot_sizes("delete_kustomization", |harness| {
        kustomization(harness, "infra-controllers");
        harness.press("ctrl-k");
    });
    let mut harness = Harness::demo();
    kustomization(&mut harness, "infra-controllers");
    harness.press("ctrl-k");
    let dialog = harness.state.dialog.clone().expect("a confirmation");
    assert_eq!(dialog.title, "Delete Kustomization flux-system/infra-controllers?");
    assert_eq!(
        dialog.lines,
        ["Prune deletes the 3 objects in its inventory: 1 HelmRelease, 1 HelmRepository, 1 Namespace."]
    );
    assert!(writes(&harness).is_empty(), "nothing is sent before the answer");
    // n cancels, and nothing is sent.
    harness.press("n");
    assert!(harness.state.dialog.is_none() && writes(&harness).is_empty());
    // y confirms: one delete.
    harness.press("ctrl-k y");
    let sent = writes(&harness);
    assert_eq!(sent.len(), 1);
    assert_eq!((sent[0].action, sent[0].target.name.as_str()), (Action::Delete, "infra-controllers"));
    // Keys of the keymap do nothing while the dialog is up; esc cancels.
    harness.press("ctrl-k j s esc");
    assert!(harness.state.dialog.is_none());
    assert_eq!(writes(&harness).len(), 1);
}

#[test]
fn delete_of_a_suspended_kustomization_or_a_helm_release_says_what_stays() {
    let mut harness = Harness::demo();
    kustomization(&mut harness, "monitoring");
    harness.press("ctrl-k");
    let lines = harness.state.dialog.clone().expect("a confirmation").lines;
    assert!(lines[0].starts_with("It is suspended: kustomize-controller deletes nothing"), "{lines:?}");

    snapshot_sizes("delete_helmrelease", |harness| {
        command(harness, "hr");
        harness.press("/");
        harness.type_text("podinfo");
        harness.press("enter ctrl-k");
    });
    let mut harness = Harness::demo();
    command(&mut harness, "hr");
    harness.press("/");
    harness.type_text("kube-prometheus-stack");
    harness.press("enter ctrl-k");
    let lines = harness.state.dialog.clone().expect("a confirmation").lines;
    assert!(lines[0].starts_with("It is suspended: helm-controller skips the uninstall"), "{lines:?}");
}

#[test]
fn marked_rows_show_and_bulk_delete_lists_them() {
    snapshot_sizes("marked_rows", |harness| {
        command(harness, "ks");
        harness.press("space space j space");
    });
    snapshot_sizes("delete_bulk", |harness| {
        command(harness, "ks");
        harness.press("space space space ctrl-k");
    });
}

#[test]
fn marks_survive_sort_and_filter_drop_with_their_object_and_clear() {
    let mut harness = Harness::demo();
    command(&mut harness, "ks");
    harness.press("space space");
    let marked: Vec<ObjectKey> = harness.state.marks.iter().cloned().collect();
    assert_eq!(marked.len(), 2);
    harness.press("N N");
    harness.press("/");
    harness.type_text("team");
    harness.press("enter");
    assert_eq!(harness.state.marks.iter().cloned().collect::<Vec<_>>(), marked, "sorting and filtering keep marks");
    // A suspend acts on the marked objects, even those the filter hides, in one operation.
    harness.press("s");
    let sent = writes(&harness);
    assert_eq!(sent.len(), 2);
    assert!(sent.iter().all(|write| write.action == Action::Suspend && write.operation == sent[0].operation));
    let mut names: Vec<&str> = sent.iter().map(|write| write.target.name.as_str()).collect();
    names.sort();
    let mut expected: Vec<&str> = marked.iter().map(|key| key.name.as_str()).collect();
    expected.sort();
    assert_eq!(names, expected);

    // A deleted object loses its mark.
    let gone = marked[0].name.clone();
    let objects: Vec<AnyFluxObject> = fluxtui::demo::flux_objects(fixed_now())
        .into_iter()
        .filter(|object| !(object["kind"] == "Kustomization" && object["metadata"]["name"] == gone.as_str()))
        .map(AnyFluxObject::from_value)
        .collect();
    harness.state.stores = FluxStores::from_objects(objects);
    harness.cluster(ClusterEvent::StoreChanged(FluxKind::Kustomization));
    harness.settle();
    assert_eq!(harness.state.marks.len(), 1);
    harness.press("ctrl-x");
    assert!(harness.state.marks.is_empty());

    // A new session (another context) clears marks and stops following its pending reconciles.
    harness.press("space r");
    assert!(!harness.state.marks.is_empty() && harness.state.operations.has_unfinished());
    let write = writes(&harness).pop().expect("a reconcile");
    requested(&mut harness, &write, STAMP);
    update::session_replaced(&mut harness.state);
    assert!(harness.state.marks.is_empty());
    assert!(!harness.state.operations.has_unfinished());
    let toast = &harness.state.operations.toasts(harness.state.now)[0];
    assert!(toast.text.contains("no longer followed"), "{toast:?}");
}

#[test]
fn toasts_show_progress_then_the_outcome() {
    // Progress: a reconcile waiting for its controller, 12 seconds in.
    let progress = |harness: &mut Harness| {
        kustomization(harness, "infra-controllers");
        harness.press("r");
        let write = writes(harness).pop().expect("a reconcile");
        requested(harness, &write, STAMP);
        harness.state.now += Duration::seconds(12);
    };
    snapshot_sizes("toast_progress", progress);
    snapshot_sizes("toast_success", |harness| {
        progress(harness);
        harness.change_kustomization("infra-controllers", |object| {
            object["status"]["lastHandledReconcileAt"] = STAMP.into();
        });
    });
    snapshot_sizes("toast_failure", |harness| {
        kustomization(harness, "infra-configs");
        harness.press("r");
        let write = writes(harness).pop().expect("a reconcile");
        requested(harness, &write, STAMP);
        harness.change_kustomization("infra-configs", |object| {
            object["status"]["lastHandledReconcileAt"] = STAMP.into();
        });
    });
    snapshot_sizes("toast_timeout", |harness| {
        progress(harness);
        harness.state.now += harness.state.reconcile_timeout;
        update::check_reconciles(&mut harness.state);
    });
    snapshot_sizes("toast_bulk", |harness| {
        command(harness, "ks");
        harness.press("space space space s");
        let sent = writes(harness);
        for (index, write) in sent.iter().enumerate() {
            let step = if index == 1 {
                Step::Failed(format!("your credentials may not patch kustomizations in {}", write.target.namespace))
            } else {
                Step::Succeeded(format!("suspended {}", write.target.name))
            };
            update::write_progressed(&mut harness.state, write.operation, write.target.key(), step);
        }
    });
}

#[test]
fn toasts_expire_errors_later_and_avoid_the_selected_row() {
    let mut harness = Harness::demo();
    harness.resize(80, 24);
    kustomization(&mut harness, "infra-controllers");
    harness.press("u");
    let write = writes(&harness).pop().expect("a resume");
    update::write_progressed(&mut harness.state, write.operation, write.target.key(), Step::Succeeded("ok".into()));
    assert!(harness.render().contains("✓ ok"));
    harness.state.now += Duration::seconds(30);
    assert!(!harness.render().contains("✓ ok"), "a success toast expires");

    // With the selection on the last rows, the toast goes to the top of the table.
    command(&mut harness, "all");
    harness.press("G u");
    let write = writes(&harness).pop().expect("a resume");
    update::write_progressed(&mut harness.state, write.operation, write.target.key(), Step::Failed("boom".into()));
    let screen = harness.render();
    let lines: Vec<&str> = screen.lines().collect();
    let toast_line = lines.iter().position(|line| line.contains("✗ boom")).expect("the toast");
    let selected = fluxtui::app::layout::areas(&harness.state).body.y as usize
        + harness.state.current_table().map(|table| table.selected - table.offset).unwrap_or(0);
    assert_ne!(toast_line, selected, "the toast covers the selected row:\n{screen}");
    assert!(toast_line < selected, "the toast should have moved up:\n{screen}");
}

#[test]
fn the_action_log_lists_every_action_newest_first() {
    snapshot_sizes("action_log", |harness| {
        kustomization(harness, "infra-controllers");
        harness.press("s");
        let write = writes(harness).pop().expect("a suspend");
        let step = Step::Succeeded("suspended Kustomization flux-system/infra-controllers".into());
        update::write_progressed(&mut harness.state, write.operation, write.target.key(), step);
        harness.state.now += Duration::seconds(3);
        harness.press("r");
        let write = writes(harness).pop().expect("a reconcile");
        requested(harness, &write, STAMP);
        harness.state.now += Duration::seconds(2);
        // A HelmRelease flag on a Kustomization is refused without a write.
        harness.press("alt-r");
        harness.press("a");
    });
    let mut harness = Harness::demo();
    command(&mut harness, "actions");
    assert!(harness.render().contains("No actions yet in this session"));
}

#[test]
fn refusals_come_before_any_write() {
    // --force and --reset are HelmRelease flags.
    let mut harness = Harness::demo();
    kustomization(&mut harness, "apps");
    harness.press("alt-r");
    assert!(writes(&harness).is_empty());
    let toast = &harness.state.operations.toasts(harness.state.now)[0];
    assert_eq!(toast.severity, Severity::Failure);
    assert!(toast.text.contains("only HelmReleases have --force and --reset"), "{toast:?}");

    // A suspended object is not reconciled, as `flux reconcile` refuses it.
    kustomization(&mut harness, "monitoring");
    harness.press("r");
    assert!(writes(&harness).is_empty());
    assert!(harness.state.operations.toasts(harness.state.now)[0].text.contains("resource is suspended"));

    // Read-only refuses delete without asking.
    let mut read_only = Harness::demo();
    read_only.state.readonly = true;
    read_only.press("ctrl-k");
    assert!(read_only.state.dialog.is_none() && writes(&read_only).is_empty());
}

#[test]
fn reconcile_with_source_force_and_reset_name_what_they_write() {
    let mut harness = Harness::demo();
    kustomization(&mut harness, "apps");
    harness.press("ctrl-r");
    let write = writes(&harness).pop().expect("a reconcile with source");
    assert_eq!(write.action, Action::ReconcileWithSource);
    let source = write.sources.first().cloned().expect("a source");
    assert_eq!(
        (source.kind, source.namespace.as_str(), source.name.as_str()),
        (FluxKind::GitRepository, "flux-system", "flux-system")
    );

    command(&mut harness, "hr");
    harness.press("/");
    harness.type_text("podinfo");
    harness.press("enter alt-r alt-R");
    let actions: Vec<Action> = writes(&harness).iter().map(|write| write.action).collect();
    assert_eq!(actions[actions.len() - 2..], [Action::ReconcileForce, Action::ReconcileReset]);
    command(&mut harness, "reconcile --with-source");
    let write = writes(&harness).pop().expect("a reconcile with source");
    // The HelmChart's own HelmRepository first, then the chart, as `flux reconcile hr --with-source`.
    let chain: Vec<(FluxKind, String)> =
        write.sources.iter().map(|source| (source.kind, source.name.clone())).collect();
    assert_eq!(
        chain,
        [(FluxKind::HelmRepository, "podinfo".to_string()), (FluxKind::HelmChart, "podinfo-podinfo".to_string())]
    );
}

#[test]
fn alt_shift_r_as_terminals_report_it_is_reconcile_reset() {
    let mut harness = Harness::demo();
    // crossterm reports Alt+Shift+r as an uppercase R with both modifiers.
    let event = KeyEvent::new(KeyCode::Char('R'), KeyModifiers::ALT | KeyModifiers::SHIFT);
    assert_eq!(harness.keymap.resolve(event), KeyOutcome::Action(Action::ReconcileReset));
}

#[test]
fn resume_waits_for_the_new_generation_to_be_reconciled() {
    let mut harness = Harness::demo();
    kustomization(&mut harness, "monitoring");
    harness.press("u");
    let write = writes(&harness).pop().expect("a resume");
    assert_eq!(write.action, Action::Resume);
    // The patch is made: as `flux resume`, the outcome waits for the controller.
    let waiting =
        Step::WaitingForController { requested_at: None, generation: Some(7), since: harness.state.now, note: None };
    update::write_progressed(&mut harness.state, write.operation, write.target.key(), waiting);
    harness.change_kustomization("monitoring", |object| {
        object["spec"]["suspend"] = false.into();
        object["metadata"]["generation"] = 7.into();
        object["status"]["observedGeneration"] = 6.into();
    });
    let toast = harness.state.operations.toasts(harness.state.now)[0].clone();
    assert!(toast.text.starts_with("resuming Kustomization flux-system/monitoring"), "{toast:?}");
    // The controller observed the resumed spec and the object is ready.
    harness.change_kustomization("monitoring", |object| {
        object["spec"]["suspend"] = false.into();
        object["metadata"]["generation"] = 7.into();
        object["status"]["observedGeneration"] = 7.into();
    });
    let toast = harness.state.operations.toasts(harness.state.now)[0].clone();
    assert!(toast.text.contains("monitoring reconciled"), "{toast:?}");
}
