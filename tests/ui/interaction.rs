//! Behaviour driven by keys, mouse and watch events: selection, sorting, filtering, namespaces, favorites,
//! command history, styles of status cells.

use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use fluxtui::api::{AnyFluxObject, FluxKind};
use fluxtui::app::action::Action;
use fluxtui::app::layout::areas;
use fluxtui::app::state::Screen;
use fluxtui::app::update::{self, Effect};
use fluxtui::cluster::{ClusterEvent, FluxStores};
use fluxtui::model::{Column, Readiness};

use super::harness::{Harness, fixed_now};

fn selected_name(harness: &Harness) -> String {
    harness
        .state
        .current_table()
        .and_then(|table| table.selected_row())
        .map(|row| row.key.name.clone())
        .unwrap_or_default()
}

fn names(harness: &Harness) -> Vec<String> {
    harness
        .state
        .current_table()
        .map(|table| table.rows.iter().map(|row| row.key.name.clone()).collect())
        .unwrap_or_default()
}

#[test]
fn the_selection_follows_its_object_when_the_store_changes() {
    let mut harness = Harness::demo();
    harness.press("j j j");
    let before = selected_name(&harness);
    // A new object that sorts first arrives through the store, as a watch event would bring it.
    let mut objects: Vec<AnyFluxObject> =
        fluxtui::demo::flux_objects(fixed_now()).into_iter().map(AnyFluxObject::from_value).collect();
    let mut first = fluxtui::demo::flux_objects(fixed_now())[0].clone();
    first["metadata"]["name"] = "aaa-first".into();
    first["metadata"]["namespace"] = "aaa".into();
    objects.push(AnyFluxObject::from_value(first));
    harness.state.stores = FluxStores::from_objects(objects);
    harness.cluster(ClusterEvent::StoreChanged(FluxKind::GitRepository));
    harness.settle();
    assert_eq!(selected_name(&harness), before);
    assert!(names(&harness).contains(&"aaa-first".to_string()));
}

#[test]
fn sorting_by_a_column_twice_reverses_it() {
    let mut harness = Harness::demo();
    // Name, ascending, is the default order; N reverses it, N again restores it.
    let ascending = names(&harness);
    let mut sorted = ascending.clone();
    sorted.sort();
    assert_eq!(ascending.first(), sorted.first());
    harness.press("N");
    let descending = names(&harness);
    assert_eq!(descending.first(), sorted.last());
    harness.press("N");
    assert_eq!(names(&harness), ascending);
    assert_eq!(harness.state.current_table().map(|table| table.sort.column), Some(Column::Name));
}

#[test]
fn failures_sort_first_by_readiness() {
    let mut harness = Harness::demo();
    harness.press("R");
    let table = harness.state.current_table().expect("a table");
    assert_eq!(table.rows[0].readiness, Readiness::Failed);
}

#[test]
fn status_cells_are_coloured_by_the_theme() {
    let mut harness = Harness::demo();
    harness.resize(120, 40);
    harness.press("R");
    // Move the selection off the first (failing) row so its colours are the status colours.
    harness.press("G");
    let buffer = harness.buffer();
    let text = super::harness::buffer_text(&buffer);
    let row = text.lines().position(|line| line.contains("team-b-apps")).expect("the failing git repository row");
    let titles = text.lines().find(|line| line.contains("READY")).expect("the column titles");
    let x = titles[..titles.find("READY").expect("READY")].chars().count() as u16;
    assert!(
        text.lines().nth(row).is_some_and(|line| line
            .chars()
            .skip(x as usize)
            .collect::<String>()
            .starts_with("False"))
    );
    let cell = &buffer[(x, row as u16)];
    assert_eq!(cell.fg, harness.theme().failed.fg.unwrap_or_default(), "READY=False is drawn in the failed style");
}

#[test]
fn filters_invert_and_select_labels() {
    let mut harness = Harness::demo();
    let total = names(&harness).len();
    harness.press("/");
    harness.type_text("podinfo");
    harness.press("enter");
    let matching = names(&harness);
    assert!(!matching.is_empty() && matching.len() < total);
    assert!(matching.iter().all(|name| name.contains("podinfo")) || matching.len() < total);
    harness.press("/");
    harness.press("ctrl-u");
    harness.type_text("!podinfo");
    harness.press("enter");
    assert_eq!(names(&harness).len() + matching.len(), total);
    harness.press("/");
    harness.press("ctrl-u");
    harness.type_text("-l kustomize.toolkit.fluxcd.io/name=flux-system");
    harness.press("enter");
    assert_eq!(names(&harness).len(), total);
    harness.press("esc");
    assert_eq!(names(&harness).len(), total, "Esc at the root clears the filter");
}

#[test]
fn a_bad_filter_says_what_is_wrong() {
    let mut harness = Harness::demo();
    harness.press("/");
    harness.type_text("-l =broken");
    harness.press("enter");
    let flash = harness.state.flash.clone().expect("an error message");
    assert!(flash.is_error && flash.text.contains("filter"), "{flash:?}");
}

#[test]
fn namespace_switch_and_all_namespaces() {
    let mut harness = Harness::demo();
    let total = names(&harness).len();
    harness.press(":");
    harness.type_text("ns podinfo");
    harness.press("enter");
    assert_eq!(harness.state.namespace.as_deref(), Some("podinfo"));
    let in_namespace = names(&harness);
    assert!(!in_namespace.is_empty() && in_namespace.len() < total);
    assert!(!harness.state.current_table().expect("table").columns.contains(&Column::Namespace));
    harness.press("0");
    assert_eq!(harness.state.namespace, None);
    assert_eq!(names(&harness).len(), total);
}

#[test]
fn views_stack_as_breadcrumbs_and_esc_goes_back() {
    let mut harness = Harness::demo();
    harness.press("d");
    assert!(matches!(harness.state.screen(), Screen::Describe(_)));
    harness.press("y");
    assert!(matches!(harness.state.screen(), Screen::Yaml(_)));
    assert_eq!(harness.state.stack.len(), 2, "d then y replaces the detail view instead of stacking");
    harness.press("esc");
    assert!(matches!(harness.state.screen(), Screen::Table { .. }));
}

#[test]
fn command_history_and_completion() {
    let mut harness = Harness::demo();
    for command in ["ks", "hr"] {
        harness.press(":");
        harness.type_text(command);
        harness.press("enter");
    }
    harness.press(":");
    harness.press("up");
    assert_eq!(harness.state.input.text, "hr");
    harness.press("up");
    assert_eq!(harness.state.input.text, "ks");
    harness.press("ctrl-u");
    harness.type_text("ns flux-sy");
    harness.press("tab");
    assert_eq!(harness.state.input.text, "ns flux-system ");
}

#[test]
fn favorites_are_marked_and_saved() {
    let mut harness = Harness::demo();
    let name = selected_name(&harness);
    let effects = update::apply(&mut harness.state, fluxtui::app::action::Action::ToggleFavorite);
    assert_eq!(effects, vec![Effect::SaveFavorites]);
    assert!(harness.state.favorites.iter().any(|key| key.name == name));
}

#[test]
fn the_mouse_selects_opens_scrolls_and_sorts() {
    let mut harness = Harness::demo();
    harness.resize(120, 40);
    let layout = areas(&harness.state);
    let click = |column, row| MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    update::on_mouse(&mut harness.state, click(layout.body.x + 2, layout.body.y + 3));
    assert_eq!(harness.state.current_table().map(|table| table.selected), Some(3));
    update::on_mouse(&mut harness.state, click(layout.body.x + 2, layout.body.y + 3));
    assert!(matches!(harness.state.screen(), Screen::Describe(_)), "a second click opens the row");
    harness.press("esc");
    let scroll = MouseEvent { kind: MouseEventKind::ScrollDown, column: 5, row: 10, modifiers: KeyModifiers::NONE };
    update::on_mouse(&mut harness.state, scroll);
    assert_eq!(harness.state.current_table().map(|table| table.selected), Some(4));
    let titles = layout.column_titles.expect("column titles");
    update::on_mouse(&mut harness.state, click(titles.x, titles.y));
    assert_eq!(harness.state.current_table().map(|table| table.sort.column), Some(Column::Namespace));
}

#[test]
fn a_deleted_object_keeps_its_detail_view_marked_deleted() {
    let mut harness = Harness::demo();
    harness.press("d");
    harness.state.stores = FluxStores::from_objects(Vec::new());
    for kind in FluxKind::ALL {
        harness.cluster(ClusterEvent::StoreChanged(kind));
    }
    harness.settle();
    let Screen::Describe(detail) = harness.state.screen() else { panic!("describe is still open") };
    assert!(detail.gone);
    assert!(!detail.lines.is_empty());
}

#[test]
fn the_overview_opens_the_objects_that_need_attention() {
    let mut harness = Harness::demo();
    harness.press("1");
    assert!(matches!(harness.state.screen(), Screen::Overview { .. }));
    let second = harness.state.overview.failing[1].key.clone();
    harness.press("j d");
    let Screen::Describe(detail) = harness.state.screen() else { panic!("describe did not open") };
    assert_eq!(detail.key, second);
    harness.press("esc");
    assert!(matches!(harness.state.screen(), Screen::Overview { selected: 1 }));
}

#[test]
fn the_theme_picker_previews_live_and_esc_restores() {
    let mut harness = Harness::demo();
    let original = harness.theme().clone();
    harness.press("T j");
    let previewed = harness.theme().name.clone();
    assert_ne!(previewed, original.name, "moving in the picker previews the next theme");
    harness.press("esc");
    assert_eq!(harness.theme(), &original, "Esc restores the theme in force");
    harness.press("T j enter");
    assert_eq!(harness.theme().name, previewed);
    assert_eq!(harness.effects.last(), Some(&Effect::SaveTheme(previewed)), "Enter keeps it in the config");
}

#[test]
fn switching_context_asks_the_loop_to_connect_and_unknown_contexts_are_refused() {
    let mut harness = Harness::demo();
    harness.press(":");
    harness.type_text("ctx kind-staging");
    harness.press("enter");
    assert_eq!(harness.effects.last(), Some(&Effect::SwitchContext("kind-staging".to_string())));
    harness.press(":");
    harness.type_text("ctx nowhere");
    harness.press("enter");
    assert!(harness.state.flash.as_ref().is_some_and(|flash| flash.is_error && flash.text.contains("nowhere")));
}

#[test]
fn a_chord_in_progress_shows_in_the_footer() {
    let (_dir, dirs) = super::harness::empty_dirs();
    let mut harness = Harness::demo();
    harness.keymap = fluxtui::app::keymap::load_keymap("vim", &dirs).0;
    harness.press("G g");
    assert_eq!(harness.state.pending_keys.as_deref(), Some("g"));
    assert!(harness.render().lines().last().is_some_and(|footer| footer.contains("g …")));
    harness.press("g");
    assert_eq!(harness.state.pending_keys, None);
    assert_eq!(harness.state.current_table().map(|table| table.selected), Some(0), "g g went to the top");
}

#[test]
fn writes_go_to_the_loop_with_the_served_version_and_read_only_refuses_them() {
    let mut harness = Harness::demo();
    let name = selected_name(&harness);
    harness.press("s");
    let Some(Effect::Write(write)) = harness.effects.last().cloned() else { panic!("no write: {:?}", harness.effects) };
    assert_eq!(write.action, fluxtui::app::action::Action::Suspend);
    assert_eq!((write.target.name.as_str(), write.target.version.as_str()), (name.as_str(), "v1"));
    harness.press("u r");
    let actions: Vec<_> = harness
        .effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::Write(write) => Some(write.action.name()),
            _ => None,
        })
        .collect();
    assert_eq!(actions, ["suspend", "resume", "reconcile"]);

    let mut read_only = Harness::demo();
    read_only.state.readonly = true;
    read_only.press("s");
    assert!(read_only.effects.is_empty(), "a write in read-only mode: {:?}", read_only.effects);
    let toasts = read_only.state.operations.toasts(read_only.state.now);
    assert!(toasts.first().is_some_and(|toast| toast.text.contains("read-only")), "{toasts:?}");
    read_only.press("?");
    let help = read_only.render();
    assert!(!help.contains("Suspend the selected object"), "read-only help lists a write:\n{help}");
}

#[test]
fn a_reconcile_request_reports_its_outcome_or_its_timeout() {
    use fluxtui::app::operations::{Severity, Step};
    use fluxtui::model::ObjectKey;
    let key =
        |name: &str| ObjectKey { kind: FluxKind::Kustomization, namespace: "flux-system".into(), name: name.into() };
    let stamp = "2026-11-24T12:00:01.000000000Z";
    let waiting = |harness: &Harness| Step::WaitingForController {
        requested_at: Some(stamp.to_string()),
        generation: None,
        since: harness.state.now,
        note: None,
    };
    let last_toast = |harness: &Harness| harness.state.operations.toasts(harness.state.now)[0].clone();

    let mut harness = Harness::demo();
    let id = harness.state.operations.start(Action::Reconcile, vec![key("flux-system")], harness.state.now);
    let step = waiting(&harness);
    update::write_progressed(&mut harness.state, id, key("flux-system"), step);
    assert!(last_toast(&harness).text.starts_with("reconciling Kustomization flux-system/flux-system… 0s"));
    harness.change_kustomization("flux-system", |_| {});
    assert!(harness.state.operations.has_unfinished(), "not handled yet: still waiting");
    harness.change_kustomization("flux-system", |object| {
        object["status"]["lastHandledReconcileAt"] = stamp.into();
    });
    let toast = last_toast(&harness);
    assert_eq!(toast.severity, Severity::Success);
    assert!(toast.text.starts_with("Kustomization flux-system/flux-system reconciled: Applied revision"), "{toast:?}");
    assert!(!harness.state.operations.has_unfinished());

    let id = harness.state.operations.start(Action::Reconcile, vec![key("infra-configs")], harness.state.now);
    let step = waiting(&harness);
    update::write_progressed(&mut harness.state, id, key("infra-configs"), step);
    harness.change_kustomization("infra-configs", |object| {
        object["status"]["lastHandledReconcileAt"] = stamp.into();
    });
    let toast = last_toast(&harness);
    assert!(toast.severity == Severity::Failure && toast.text.contains("reconciliation failed: health check failed"));

    let team = ObjectKey { kind: FluxKind::Kustomization, namespace: "team-a".into(), name: "team-a".into() };
    let id = harness.state.operations.start(Action::Reconcile, vec![team.clone()], harness.state.now);
    let step = waiting(&harness);
    update::write_progressed(&mut harness.state, id, team, step);
    harness.state.now = harness.state.now + harness.state.reconcile_timeout + chrono::Duration::seconds(1);
    update::check_reconciles(&mut harness.state);
    let toast = last_toast(&harness);
    assert!(toast.severity == Severity::Failure && toast.text.contains("not reconciled within 5m"), "{toast:?}");
}
