//! The events view's state and its update step: opening it (on the selected object, on any object by reference,
//! or for every Flux object), taking the watch's snapshots, marking events whose object is gone, moving the
//! selection and the `/` filter.

use crate::api::FluxKind;
use crate::api::references::ObjectReference;
use crate::app::action::Action;
use crate::app::layout::body_height;
use crate::app::state::{AppState, Screen};
use crate::cluster::events::{EventsUpdate, ObjectPresence};
use crate::model::ObjectKey;
use crate::model::events::{EventRow, EventTarget, filter_rows};

use super::Effect;

/// An open events view.
#[derive(Debug, Clone)]
pub struct EventsView {
    /// The number of the watch feeding this view.
    pub stream: u64,
    pub target: EventTarget,
    /// Newest first, as the watch sent them, with `deleted` set from the stores.
    pub rows: Vec<EventRow>,
    /// The `/` filter and the rows it keeps (indices into `rows`).
    pub filter_text: String,
    pub visible: Vec<usize>,
    pub selected: usize,
    pub offset: usize,
    /// No snapshot yet.
    pub loading: bool,
    /// The watch is failing (it retries); the last rows stay.
    pub error: Option<String>,
    /// Whether the target object exists, for kinds outside the app's stores.
    pub presence: Option<ObjectPresence>,
}

impl EventsView {
    pub fn new(stream: u64, target: EventTarget) -> EventsView {
        EventsView {
            stream,
            target,
            rows: Vec::new(),
            filter_text: String::new(),
            visible: Vec::new(),
            selected: 0,
            offset: 0,
            loading: true,
            error: None,
            presence: None,
        }
    }

    pub fn crumb(&self) -> String {
        match &self.target {
            EventTarget::AllFlux { .. } => "events".to_string(),
            EventTarget::Object(object) => format!("events {}", object.name),
        }
    }

    /// The visible rows, in order.
    pub fn visible_rows(&self) -> impl Iterator<Item = &EventRow> {
        self.visible.iter().filter_map(|&index| self.rows.get(index))
    }

    fn refilter(&mut self) {
        self.visible = filter_rows(&self.rows, &self.filter_text);
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
    }
}

/// The reference the events of a Flux object are selected by.
pub fn reference_for(key: &ObjectKey, api_version: Option<String>) -> ObjectReference {
    ObjectReference {
        kind: key.kind.name().to_string(),
        name: key.name.clone(),
        namespace: key.namespace.clone(),
        api_version,
    }
}

/// `e`: the selected object's events, or every Flux object's when nothing is selected.
pub fn show_events(state: &mut AppState) -> Vec<Effect> {
    // A tree node, a pod, a traced object: any kind, not only Flux objects.
    if let Some(reference) = super::insight_selection(state) {
        return open_events(state, EventTarget::Object(reference));
    }
    match super::selected_row(state) {
        Some(row) => {
            let api_version = Some(row.object.api_version().to_string()).filter(|version| !version.is_empty());
            open_events(state, EventTarget::Object(reference_for(&row.key, api_version)))
        }
        None => open_events(state, EventTarget::AllFlux { namespace: state.namespace.clone() }),
    }
}

/// Opens an events view on any target (the tree and other views call this with any object's reference).
pub fn open_events(state: &mut AppState, target: EventTarget) -> Vec<Effect> {
    state.live_streams_started += 1;
    let stream = state.live_streams_started;
    state.stack.push(Screen::Events(Box::new(EventsView::new(stream, target.clone()))));
    state.dirty = true;
    vec![Effect::WatchEvents { stream, target }]
}

/// A snapshot (or a status) from the watch of an open view; one of a closed view is ignored.
pub fn on_events_update(state: &mut AppState, update: EventsUpdate) {
    let Some(view) = events_view_mut(state, update.stream) else { return };
    if let Some(rows) = update.rows {
        view.rows = rows;
        view.loading = false;
        view.error = None;
    }
    if let Some(error) = update.error {
        view.error = Some(error);
        view.loading = false;
    }
    if let Some(presence) = update.object {
        view.presence = Some(presence);
    }
    mark_deleted(state, update.stream);
    state.dirty = true;
}

/// Marks the events whose object is gone: Flux objects by the stores (a recreated object has another uid), other
/// kinds by the view's presence watch.
pub fn mark_deleted(state: &mut AppState, stream: u64) {
    let stores_synced =
        |kind: FluxKind| matches!(state.kind_states.get(&kind), Some(crate::cluster::KindState::Synced { .. }));
    let mut marks = Vec::new();
    let Some(view) = state.stack.iter().find_map(|screen| match screen {
        Screen::Events(view) if view.stream == stream => Some(view),
        _ => None,
    }) else {
        return;
    };
    for row in &view.rows {
        let deleted = match FluxKind::from_name(&row.object.kind) {
            Some(kind) if stores_synced(kind) => {
                let key = ObjectKey { kind, namespace: row.object.namespace.clone(), name: row.object.name.clone() };
                match state.find_row(&key) {
                    None => true,
                    Some(found) => match (&row.object_uid, found.object.metadata().uid.as_ref()) {
                        (Some(event_uid), Some(uid)) => event_uid != uid,
                        _ => false,
                    },
                }
            }
            Some(_) => false,
            None => match &view.presence {
                Some(ObjectPresence::Gone) if view.target.matches(row) => true,
                Some(ObjectPresence::Exists { uid: Some(uid) }) if view.target.matches(row) => {
                    row.object_uid.as_ref().is_some_and(|event_uid| event_uid != uid)
                }
                _ => false,
            },
        };
        marks.push(deleted);
    }
    if let Some(view) = events_view_mut(state, stream) {
        for (row, deleted) in view.rows.iter_mut().zip(marks) {
            row.deleted = deleted;
        }
        view.refilter();
    }
}

/// After the stores changed: the open events views' deleted marks follow.
pub fn refresh_deleted_marks(state: &mut AppState) {
    let streams: Vec<u64> = state
        .stack
        .iter()
        .filter_map(|screen| match screen {
            Screen::Events(view) => Some(view.stream),
            _ => None,
        })
        .collect();
    for stream in streams {
        mark_deleted(state, stream);
    }
}

fn events_view_mut(state: &mut AppState, stream: u64) -> Option<&mut EventsView> {
    state.stack.iter_mut().find_map(|screen| match screen {
        Screen::Events(view) if view.stream == stream => Some(view.as_mut()),
        _ => None,
    })
}

/// Actions on the events view; `None` when the action is not the view's (the caller handles it).
pub fn apply_in_events(state: &mut AppState, action: Action) -> Option<Vec<Effect>> {
    let page = body_height(state).saturating_sub(1).max(1);
    let at_root = state.stack.len() <= 1;
    let Some(Screen::Events(view)) = state.screen_mut() else { return None };
    let last = view.visible.len().saturating_sub(1);
    view.selected = match (action.moved(view.selected, last, page), action) {
        (Some(position), _) => position,
        (None, Action::StartFilter) => {
            let text = view.filter_text.clone();
            state.mode = crate::app::state::Mode::Filter;
            state.input.set(&text);
            return Some(Vec::new());
        }
        (None, Action::Open | Action::Describe | Action::ShowYaml) => {
            let row = view.visible.get(view.selected).and_then(|&index| view.rows.get(index)).cloned();
            return Some(open_event_object(state, row, action == Action::ShowYaml));
        }
        (None, Action::Back) if !view.filter_text.is_empty() && at_root => {
            view.filter_text.clear();
            view.refilter();
            return Some(Vec::new());
        }
        (None, _) => return None,
    };
    super::insight::keep_in_view(&mut view.offset, view.selected, page);
    Some(Vec::new())
}

/// Enter, `d` or `y` on an event: the describe or YAML of its object, when it is a Flux object the app has.
fn open_event_object(state: &mut AppState, row: Option<EventRow>, yaml: bool) -> Vec<Effect> {
    let Some(row) = row else { return Vec::new() };
    let Some(kind) = FluxKind::from_name(&row.object.kind) else {
        state.flash_error(format!("{} is not a Flux object: no describe view for it", row.object_label()));
        return Vec::new();
    };
    let key = ObjectKey { kind, namespace: row.object.namespace.clone(), name: row.object.name.clone() };
    if state.find_row(&key).is_none() {
        state.flash_error(format!("{} no longer exists", row.object_label()));
        return Vec::new();
    }
    let detail = Box::new(crate::app::state::Detail::new(key));
    state.stack.push(if yaml { Screen::Yaml(detail) } else { Screen::Describe(detail) });
    super::refresh_detail_text(state);
    Vec::new()
}

/// The `/` filter typed on the events view.
pub fn set_events_filter(state: &mut AppState, text: &str) -> bool {
    let Some(Screen::Events(view)) = state.screen_mut() else { return false };
    view.filter_text = text.to_string();
    view.selected = 0;
    view.offset = 0;
    view.refilter();
    state.dirty = true;
    true
}
