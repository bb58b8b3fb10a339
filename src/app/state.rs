//! The application state: everything the views draw, changed only by the update step.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::action::Action;
use super::pane::{Pane, columns};
use super::table::TableView;
use super::theme::Theme;
use crate::api::FluxKind;
use crate::cluster::{ClusterInfo, ConnectionState, FluxStores, KindState};
use crate::model::{ObjectKey, Overview, Row, StyledLine};

/// What fills the screen below the header. The stack of screens is the breadcrumb trail.
#[derive(Debug, Clone)]
pub enum Screen {
    /// `selected` indexes the objects that need attention, which Enter, `d` and `y` open.
    Overview {
        selected: usize,
    },
    Table {
        pane: Pane,
        tab: usize,
    },
    Describe(Box<Detail>),
    Yaml(Box<Detail>),
    Help {
        scroll: usize,
    },
    Picker(Picker),
    /// Every action of the session, newest first.
    ActionLog {
        scroll: usize,
    },
    /// `flux tree` of a Kustomization or HelmRelease.
    Tree(Box<super::insight::TreeView>),
    /// `flux trace` of an object.
    Trace(Box<super::insight::TextPane>),
    /// A HelmRelease's history and values.
    HelmDetails(Box<super::insight::TextPane>),
    /// What reconciling a Kustomization would change now.
    Diff(Box<super::insight::TextPane>),
    /// A workload's pods.
    Pods(Box<super::insight::PodsView>),
    /// Describe or YAML of a live object that is not a Flux object (a tree node, a pod).
    LiveObject(Box<super::insight::TextPane>),
    /// The dependsOn graph (`D`, `:graph`).
    Graph(Box<crate::app::update::GraphView>),
    /// Kubernetes events of one object or of every Flux object, live.
    Events(Box<crate::app::update::events::EventsView>),
    /// Live logs of the Flux controllers (optionally about one object) or of one pod.
    Logs(Box<crate::app::update::logs::LogView>),
}

impl Screen {
    /// The breadcrumb's text.
    pub fn crumb(&self) -> String {
        match self {
            Screen::Overview { .. } => "overview".to_string(),
            Screen::Table { pane, tab } => match pane.tabs().get(*tab).copied().flatten() {
                Some(kind) => kind.name().to_lowercase(),
                None => pane.title().to_lowercase(),
            },
            Screen::Describe(detail) => format!("describe {}", detail.key.name),
            Screen::Yaml(detail) => format!("yaml {}", detail.key.name),
            Screen::Help { .. } => "help".to_string(),
            Screen::Picker(picker) => picker.purpose.title().to_lowercase(),
            Screen::ActionLog { .. } => "actions".to_string(),
            Screen::Tree(view) => format!("tree {}", view.root.name),
            Screen::Trace(pane) | Screen::HelmDetails(pane) | Screen::Diff(pane) | Screen::LiveObject(pane) => {
                pane.title.clone()
            }
            Screen::Pods(view) => format!("pods {}", view.owner.name),
            Screen::Graph(view) => match &view.focus {
                Some(key) => format!("graph {}", key.name),
                None => "graph".to_string(),
            },
            Screen::Events(view) => view.crumb(),
            Screen::Logs(view) => view.crumb(),
        }
    }
}

/// A text view of one object (describe or YAML).
#[derive(Debug, Clone)]
pub struct Detail {
    pub key: ObjectKey,
    pub lines: Vec<StyledLine>,
    pub scroll: usize,
    pub horizontal_scroll: usize,
    pub wrap: bool,
    /// Secret values shown in clear.
    pub reveal: bool,
    /// The object was deleted while the view was open; the last known text stays.
    pub gone: bool,
}

impl Detail {
    pub fn new(key: ObjectKey) -> Detail {
        Detail { key, lines: Vec::new(), scroll: 0, horizontal_scroll: 0, wrap: false, reveal: false, gone: false }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickerPurpose {
    Theme,
    Context,
    Namespace,
}

impl PickerPurpose {
    pub fn title(self) -> &'static str {
        match self {
            PickerPurpose::Theme => "Themes",
            PickerPurpose::Context => "Contexts",
            PickerPurpose::Namespace => "Namespaces",
        }
    }
}

/// A list to choose one item from. The theme picker previews the selected theme live.
#[derive(Debug, Clone)]
pub struct Picker {
    pub purpose: PickerPurpose,
    pub items: Vec<String>,
    pub selected: usize,
    pub offset: usize,
    /// The theme in force when the picker opened, restored when it is cancelled.
    pub original_theme: Option<Box<Theme>>,
}

/// What the keyboard is doing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Mode {
    #[default]
    Normal,
    /// Typing a filter after `/`.
    Filter,
    /// Typing a command after `:`.
    Command,
}

/// A line being typed (filter or command), with the cursor as a char index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    pub text: String,
    pub cursor: usize,
}

impl LineInput {
    pub fn insert(&mut self, c: char) {
        let byte = self.byte_index();
        self.text.insert(byte, c);
        self.cursor += 1;
    }

    pub fn backspace(&mut self) {
        if self.cursor == 0 {
            return;
        }
        self.cursor -= 1;
        let byte = self.byte_index();
        self.text.remove(byte);
    }

    pub fn delete(&mut self) {
        if self.cursor < self.text.chars().count() {
            let byte = self.byte_index();
            self.text.remove(byte);
        }
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.text.chars().count());
    }

    pub fn set(&mut self, text: &str) {
        self.text = text.to_string();
        self.cursor = text.chars().count();
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    fn byte_index(&self) -> usize {
        self.text.char_indices().nth(self.cursor).map(|(index, _)| index).unwrap_or(self.text.len())
    }
}

/// A one-line message under the table (a command's error, a theme that failed to load...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub text: String,
    pub is_error: bool,
}

/// Where the app is connected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    pub context: String,
    pub cluster_url: String,
    /// The namespace the watchers are limited to (`-n`), if any.
    pub watch_namespace: Option<String>,
}

/// The whole state of a session.
#[derive(Debug)]
pub struct AppState {
    pub stores: FluxStores,
    /// Rows per kind, recomputed from the store when the kind changes.
    pub rows_by_kind: HashMap<FluxKind, Vec<Arc<Row>>>,
    /// Kinds whose store changed since their rows were last computed.
    pub stale_kinds: BTreeSet<FluxKind>,
    pub kind_states: HashMap<FluxKind, KindState>,
    pub connection: ConnectionState,
    pub info: ClusterInfo,
    /// Counts and failures for the overview, recomputed with the rows.
    pub overview: Overview,
    pub namespaces: Arc<Vec<String>>,
    pub contexts: Vec<String>,
    pub location: Location,
    /// The namespace the rows are limited to; `None` shows every namespace.
    pub namespace: Option<String>,
    pub stack: Vec<Screen>,
    /// Each pane and tab keeps its own sort, filter and selection.
    pub tables: HashMap<(Pane, usize), TableView>,
    pub mode: Mode,
    pub input: LineInput,
    pub command_history: Vec<String>,
    /// Where Up/Down in the command line is in the history.
    pub history_position: Option<usize>,
    pub theme: Theme,
    pub theme_names: Vec<String>,
    /// Every action with its keys, from the active keymap, for help and hints.
    pub bindings: Vec<(Action, Vec<String>)>,
    pub favorites: BTreeSet<ObjectKey>,
    pub readonly: bool,
    /// The embedded engine's state, when the session runs one (`--controller`, the demo).
    pub engine: Option<super::engine::EngineStatus>,
    pub flash: Option<Flash>,
    /// The start of a chord typed so far (`g` of `g g`), shown in the footer until the chord completes.
    pub pending_keys: Option<String>,
    /// Every write of the session and its progress: the action log and the toasts.
    pub operations: crate::app::operations::Operations,
    /// Objects marked with `toggle-mark`: writes act on them instead of the selected row.
    pub marks: BTreeSet<ObjectKey>,
    /// A confirmation waiting for y/enter or n/esc (delete).
    pub dialog: Option<crate::app::update::Confirmation>,
    /// How long a reconcile may take before it is reported as timed out.
    pub reconcile_timeout: chrono::Duration,
    /// Numbers the reads of the insight screens, so a late result never lands on a newer screen.
    pub insight_requests: u64,
    /// Numbers the live streams (events watches, log followers) of the screens, so the loop can tell which run.
    pub live_streams_started: u64,
    /// How many lines a logs view keeps (`log-line-limit` in the config).
    pub log_line_limit: usize,
    /// Where the Flux controllers run (`flux-namespace` in the config).
    pub flux_namespace: String,
    /// The controllers' `AdditiveCELDependencyCheck` feature gate (`additive-cel-dependency-check` in the
    /// config): whether a `readyExpr` adds to the built-in dependency rule rather than replacing it.
    pub additive_cel_dependency_check: bool,
    /// The terminal size (columns, rows).
    pub size: (u16, u16),
    pub now: DateTime<Utc>,
    /// Something visible changed since the last frame.
    pub dirty: bool,
    pub quit: bool,
}

impl AppState {
    pub fn new(stores: FluxStores, theme: Theme, now: DateTime<Utc>) -> AppState {
        AppState {
            stores,
            rows_by_kind: HashMap::new(),
            stale_kinds: BTreeSet::new(),
            kind_states: FluxKind::ALL.into_iter().map(|kind| (kind, KindState::Discovering)).collect(),
            connection: ConnectionState::Connecting,
            info: ClusterInfo::default(),
            overview: Overview::default(),
            namespaces: Arc::new(Vec::new()),
            contexts: Vec::new(),
            location: Location::default(),
            namespace: None,
            stack: vec![Screen::Table { pane: Pane::All, tab: 0 }],
            tables: HashMap::new(),
            mode: Mode::Normal,
            input: LineInput::default(),
            command_history: Vec::new(),
            history_position: None,
            theme,
            theme_names: Vec::new(),
            bindings: Vec::new(),
            favorites: BTreeSet::new(),
            readonly: false,
            engine: None,
            flash: None,
            pending_keys: None,
            operations: Default::default(),
            marks: BTreeSet::new(),
            dialog: None,
            reconcile_timeout: crate::app::operations::DEFAULT_RECONCILE_TIMEOUT,
            insight_requests: 0,
            live_streams_started: 0,
            log_line_limit: crate::model::logs::DEFAULT_LINE_LIMIT,
            flux_namespace: crate::app::config::DEFAULT_FLUX_NAMESPACE.to_string(),
            additive_cel_dependency_check: false,
            size: (120, 40),
            now,
            dirty: true,
            quit: false,
        }
    }

    pub fn screen(&self) -> &Screen {
        // The stack is never empty: `pop_screen` keeps the last one.
        self.stack.last().unwrap_or(&Screen::Overview { selected: 0 })
    }

    pub fn screen_mut(&mut self) -> Option<&mut Screen> {
        self.stack.last_mut()
    }

    /// The pane and tab of the table on screen, or of the table under the open detail view.
    pub fn current_table_key(&self) -> Option<(Pane, usize)> {
        self.stack.iter().rev().find_map(|screen| match screen {
            Screen::Table { pane, tab } => Some((*pane, *tab)),
            _ => None,
        })
    }

    pub fn current_table(&self) -> Option<&TableView> {
        self.current_table_key().and_then(|key| self.tables.get(&key))
    }

    pub fn current_table_mut(&mut self) -> Option<&mut TableView> {
        let key = self.current_table_key()?;
        self.tables.get_mut(&key)
    }

    /// The kinds a pane's tab shows.
    pub fn tab_kinds(pane: Pane, tab: usize) -> Vec<FluxKind> {
        match pane.tabs().get(tab).copied().flatten() {
            Some(kind) => vec![kind],
            None => pane.kinds().to_vec(),
        }
    }

    /// Every row a pane's tab shows before filtering: its kinds, in the chosen namespace, and for the
    /// favorites pane only favorites.
    pub fn rows_for(&self, pane: Pane, tab: usize) -> Vec<Arc<Row>> {
        let mut rows = Vec::new();
        for kind in Self::tab_kinds(pane, tab) {
            let Some(kind_rows) = self.rows_by_kind.get(&kind) else { continue };
            rows.extend(
                kind_rows
                    .iter()
                    .filter(|row| self.namespace.as_deref().is_none_or(|namespace| row.key.namespace == namespace))
                    .filter(|row| pane != Pane::Favorites || self.favorites.contains(&row.key))
                    .cloned(),
            );
        }
        rows
    }

    /// Recomputes the table of a pane's tab from the rows (after a store change, a namespace switch...).
    pub fn refresh_table(&mut self, pane: Pane, tab: usize) {
        let rows = self.rows_for(pane, tab);
        let kinds = Self::tab_kinds(pane, tab);
        let wanted_columns = columns(&kinds, self.namespace.is_none());
        let now = self.now;
        let table = self.tables.entry((pane, tab)).or_insert_with(|| TableView::new(wanted_columns.clone()));
        table.columns = wanted_columns;
        table.set_rows(rows, now);
        self.dirty = true;
    }

    pub fn refresh_current_table(&mut self) {
        if let Some((pane, tab)) = self.current_table_key() {
            self.refresh_table(pane, tab);
        }
    }

    /// The object a detail view shows, from the store.
    pub fn find_row(&self, key: &ObjectKey) -> Option<&Arc<Row>> {
        self.rows_by_kind.get(&key.kind)?.iter().find(|row| row.key == *key)
    }

    pub fn flash_error(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash { text: text.into(), is_error: true });
        self.dirty = true;
    }

    pub fn flash_info(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash { text: text.into(), is_error: false });
        self.dirty = true;
    }

    /// The keys bound to an action, for hints ("d" or "d, enter").
    pub fn keys_for(&self, action: Action) -> Option<&[String]> {
        self.bindings.iter().find(|(bound, _)| *bound == action).map(|(_, keys)| keys.as_slice())
    }
}
