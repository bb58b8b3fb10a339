//! Drives the app as a user would, without a terminal: state built from the demo fleet through the app's own
//! stores, keys resolved by the default keymap, frames drawn on ratatui's TestBackend.

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use fluxtui::api::{AnyFluxObject, FluxKind};
use fluxtui::app::config::ConfigDirs;
use fluxtui::app::keymap::{Key, Keymap, load_keymap};
use fluxtui::app::state::{AppState, Location};
use fluxtui::app::theme::{Theme, load_theme};
use fluxtui::app::update;
use fluxtui::cluster::{ClusterEvent, ClusterInfo, ConnectionState, ControllerHealth, FluxStores, KindState};
use fluxtui::demo;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

/// The instant every snapshot is taken at, so ages never change.
pub fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).single().expect("a valid date")
}

/// A config dir with nothing in it: built-in themes and keymaps only.
pub fn empty_dirs() -> (tempfile::TempDir, ConfigDirs) {
    let dir = tempfile::tempdir().expect("temp dir");
    let dirs = ConfigDirs::at(dir.path());
    (dir, dirs)
}

pub struct Harness {
    pub state: AppState,
    pub keymap: Keymap,
    /// Every effect the update step asked the event loop for, in order.
    pub effects: Vec<update::Effect>,
    _dir: tempfile::TempDir,
}

impl Harness {
    /// The demo fleet, every kind synced, connected, with the Flux controllers healthy.
    pub fn demo() -> Harness {
        let objects = demo::flux_objects(fixed_now());
        Harness::with_objects(objects.into_iter().map(AnyFluxObject::from_value).collect())
    }

    pub fn with_objects(objects: Vec<AnyFluxObject>) -> Harness {
        Harness::with_theme(objects, "default")
    }

    pub fn with_theme(objects: Vec<AnyFluxObject>, theme: &str) -> Harness {
        let (dir, dirs) = empty_dirs();
        let (theme, error) = load_theme(theme, &dirs);
        assert!(error.is_none(), "{error:?}");
        let (keymap, error) = load_keymap("default", &dirs);
        assert!(error.is_none(), "{error:?}");
        let mut state = AppState::new(FluxStores::from_objects(objects), theme, fixed_now());
        state.bindings = keymap.bindings();
        state.theme_names = fluxtui::app::theme::theme_names(&dirs);
        state.contexts = vec!["demo".to_string(), "kind-staging".to_string(), "prod-eu-west-1".to_string()];
        state.location = Location {
            context: "demo".to_string(),
            cluster_url: "http://127.0.0.1:6443".to_string(),
            watch_namespace: None,
        };
        let mut harness = Harness { state, keymap, effects: Vec::new(), _dir: dir };
        harness.cluster(ClusterEvent::Connection(ConnectionState::Connected));
        harness.cluster(ClusterEvent::Info(ClusterInfo {
            server_version: Some("v1.33.0".to_string()),
            flux_version: Some("v2.9.0".to_string()),
            controllers: ["source-controller", "kustomize-controller", "helm-controller", "notification-controller"]
                .into_iter()
                .map(|name| ControllerHealth {
                    name: name.to_string(),
                    namespace: "flux-system".to_string(),
                    ready_replicas: 1,
                    desired_replicas: 1,
                    image: format!("ghcr.io/fluxcd/{name}:v1.9.0"),
                })
                .collect(),
        }));
        harness.cluster(ClusterEvent::NamespacesChanged(Arc::new(
            ["apps", "flux-system", "ingress-nginx", "monitoring", "podinfo", "team-a", "team-b"]
                .into_iter()
                .map(String::from)
                .collect(),
        )));
        for kind in FluxKind::ALL {
            harness.cluster(ClusterEvent::KindStateChanged(kind, KindState::Synced { version: "v1".to_string() }));
            harness.cluster(ClusterEvent::StoreChanged(kind));
        }
        harness.settle();
        harness
    }

    pub fn cluster(&mut self, event: ClusterEvent) {
        update::on_cluster_event(&mut self.state, event);
    }

    /// Applies what the event loop applies before a frame.
    /// The demo fleet with one Kustomization changed, delivered as a watch would deliver it.
    pub fn change_kustomization(&mut self, name: &str, change: impl Fn(&mut serde_json::Value)) {
        let objects: Vec<AnyFluxObject> = fluxtui::demo::flux_objects(fixed_now())
            .into_iter()
            .map(|mut object| {
                if object["kind"] == "Kustomization" && object["metadata"]["name"] == name {
                    change(&mut object);
                }
                AnyFluxObject::from_value(object)
            })
            .collect();
        self.state.stores = FluxStores::from_objects(objects);
        self.cluster(ClusterEvent::StoreChanged(FluxKind::Kustomization));
        self.settle();
    }

    pub fn settle(&mut self) {
        update::refresh_stale_kinds(&mut self.state);
    }

    /// Presses keys, written as in keymap files and separated by spaces: `j j d`, `ctrl-d`, `enter`.
    /// While the filter or command line is open, keys go to it as text, like in the real loop.
    pub fn press(&mut self, keys: &str) {
        for key in keys.split(' ').filter(|key| !key.is_empty()) {
            let event = parse_key(key);
            self.press_event(event);
        }
    }

    pub fn press_event(&mut self, event: KeyEvent) {
        let effects = update::on_key(&mut self.state, &mut self.keymap, event);
        for effect in effects {
            self.effects.push(effect.clone());
            // Themes load from the built-in set here, as the event loop would load them.
            if let update::Effect::PreviewTheme(name) | update::Effect::SaveTheme(name) = effect {
                let (theme, error) = load_theme(&name, &ConfigDirs::none());
                assert!(error.is_none(), "{error:?}");
                self.state.theme = theme;
            }
        }
        self.settle();
    }

    /// Types text into the open filter or command line.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.press_event(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        update::on_resize(&mut self.state, width, height);
    }

    /// Draws one frame at the state's size.
    pub fn buffer(&mut self) -> Buffer {
        let (width, height) = self.state.size;
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
        self.settle();
        terminal.draw(|frame| fluxtui::views::draw(frame, &self.state)).expect("draw");
        terminal.backend().buffer().clone()
    }

    /// The frame as text, one line per row, trailing spaces kept so columns line up in the snapshot.
    pub fn render(&mut self) -> String {
        buffer_text(&self.buffer())
    }

    pub fn theme(&self) -> &Theme {
        &self.state.theme
    }
}

pub fn buffer_text(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut skip = 0;
        for x in 0..area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let cell = &buffer[(x, y)];
            let symbol = cell.symbol();
            out.push_str(symbol);
            skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
        }
        out.push('\n');
    }
    out
}

/// Parses a key as keymap files write it, with the keymap's own parser.
pub fn parse_key(key: &str) -> KeyEvent {
    let key = Key::parse(key).unwrap_or_else(|err| panic!("a test presses {key:?}: {err}"));
    KeyEvent::new(key.code, key.modifiers)
}
