//! The event loop: terminal input, cluster events and task results go through the update step; the screen is
//! drawn only when something visible changed, at most once per frame budget.

use std::collections::BTreeSet;
use std::io::{self, IsTerminal, Stdout};
use std::time::Duration;

use chrono::Utc;
use color_eyre::eyre::WrapErr;
use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior};

use super::action::Action;
use super::config::{Config, ConfigDirs, FavoriteRef};
use super::keymap::{Keymap, load_keymap};
use super::state::{AppState, Location, Screen};
use super::terminal::TerminalGuard;
use super::theme::{load_theme, theme_names};
use super::update::{self, Effect, Write};
use crate::api::FluxKind;
use crate::cluster::{self, ClusterEvent, ConnectOptions, Connection, Session, writes};
use crate::model::ObjectKey;

/// How the user started the session.
#[derive(Debug, Clone, Default)]
pub struct SessionOptions {
    pub kubeconfig: Option<std::path::PathBuf>,
    pub context: Option<String>,
    /// `-n`: show and watch only this namespace.
    pub namespace: Option<String>,
    /// `-A`: show every namespace even if the config names one.
    pub all_namespaces: bool,
    pub theme: Option<String>,
    pub keymap: Option<String>,
    pub readonly: bool,
}

/// Results of work the loop started in the background.
enum TaskResult {
    Connected(Result<Connection, cluster::ClusterError>, Option<String>),
    /// The config file was written (or not: the message says what was being saved and why it failed).
    Saved(Result<(), String>),
    /// A write to the cluster finished: what happened, in words for the flash line.
    Written(Result<String, String>),
    /// A reconcile request was written: wait for its controller.
    ReconcileRequested(ObjectKey, String),
    /// A logs view's lines were saved: where, or why not.
    LogsSaved(Result<std::path::PathBuf, String>),
}

/// Everything the loop owns besides the state.
struct Runtime {
    dirs: ConfigDirs,
    config: Config,
    keymap: Keymap,
    options: SessionOptions,
    session: Session,
    /// The connection the session watches through, for the writes.
    connection: Connection,
    /// The receiver of a session started since the loop last looked: the loop swaps it in, so no event of a
    /// replaced session (a late `Info` of the old context, say) ever reaches the state.
    next_cluster_rx: Option<mpsc::UnboundedReceiver<ClusterEvent>>,
    task_tx: mpsc::UnboundedSender<TaskResult>,
    /// Saves run on the blocking pool and share one temporary file name, so one runs at a time; the mutex holds
    /// the number of the newest save written, so an older save that gets the lock late is skipped.
    saving: std::sync::Arc<std::sync::Mutex<u64>>,
    /// Numbers the saves in the order they were asked for.
    saves_requested: u64,
    /// The events watches and log followers of the open events and logs views.
    live: cluster::live::LiveStreams,
}

/// Runs the terminal UI until the user quits.
pub async fn run(options: SessionOptions) -> color_eyre::Result<()> {
    let dirs = ConfigDirs::discover();
    let (config, config_error) = Config::load(&dirs);
    let theme_name = options.theme.clone().or_else(|| config.theme.clone()).unwrap_or_else(|| "default".to_string());
    let (theme, theme_error) = load_theme(&theme_name, &dirs);
    let keymap_name = options.keymap.clone().or_else(|| config.keymap.clone()).unwrap_or_else(|| "default".to_string());
    let (keymap, keymap_error) = load_keymap(&keymap_name, &dirs);

    // A missing kubeconfig or context is reported before the terminal is taken over.
    let connect_options = ConnectOptions { kubeconfig: options.kubeconfig.clone(), context: options.context.clone() };
    let connection = cluster::connect(&connect_options).await?;
    let contexts = cluster::contexts(&connect_options).map(|contexts| contexts.into_iter().map(|c| c.name).collect());

    let namespace =
        if options.all_namespaces { None } else { options.namespace.clone().or_else(|| config.namespace.clone()) };
    let (cluster_tx, mut cluster_rx) = mpsc::unbounded_channel();
    let (task_tx, mut task_rx) = mpsc::unbounded_channel();
    let watch_namespace = options.namespace.clone();
    let location = location_of(&connection, watch_namespace.clone());
    let session = Session::start(connection.clone(), watch_namespace, cluster_tx);

    let mut state = AppState::new(session.stores(), theme, Utc::now());
    state.location = location;
    state.namespace = namespace;
    state.contexts = contexts.unwrap_or_default();
    state.theme_names = theme_names(&dirs);
    state.bindings = keymap.bindings();
    state.readonly = options.readonly || config.readonly;
    state.favorites = favorites_for(&config, &state.location.context);
    for error in [config_error.map(|e| e.to_string()), theme_error.map(|e| e.to_string())]
        .into_iter()
        .chain([keymap_error.map(|e| e.to_string())])
        .flatten()
    {
        tracing::warn!(%error, "falling back to defaults");
        state.flash_error(error);
    }
    state.refresh_current_table();

    state.log_line_limit = config.log_line_limit.max(1);
    state.flux_namespace = config.flux_namespace.clone();
    let frame_budget = Duration::from_millis(config.frame_budget_ms.max(1));
    let saving = std::sync::Arc::default();
    let (live, mut live_rx) = cluster::live::LiveStreams::new();
    let mut runtime = Runtime {
        dirs,
        config,
        keymap,
        options,
        session,
        connection,
        next_cluster_rx: None,
        task_tx,
        saving,
        saves_requested: 0,
        live,
    };

    // Without a terminal, raw mode fails with a bare OS error; say what is missing instead.
    if !io::stdin().is_terminal() || !io::stdout().is_terminal() {
        color_eyre::eyre::bail!(
            "fluxtui needs a terminal: its input and output must be a TTY (run it in a terminal, or in tmux for scripts)"
        );
    }
    let _guard = TerminalGuard::enter().wrap_err("cannot take over the terminal")?;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    let size = terminal.size()?;
    update::on_resize(&mut state, size.width, size.height);

    let mut input = EventStream::new();
    // Relative times ("5m") age on screen; one tick a second marks the screen dirty only if it shows them.
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    clock.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut last_draw: Option<Instant> = None;

    loop {
        if state.dirty {
            let due = last_draw.map(|at| at + frame_budget).unwrap_or_else(Instant::now);
            if Instant::now() >= due {
                draw(&mut terminal, &mut state)?;
                last_draw = Some(Instant::now());
            }
        }
        let next_frame = last_draw.map(|at| at + frame_budget).unwrap_or_else(Instant::now);
        let effects = tokio::select! {
            event = input.next() => match event {
                Some(Ok(event)) => on_terminal_event(&mut state, &mut runtime.keymap, event),
                Some(Err(err)) => return Err(err.into()),
                None => break,
            },
            Some(event) = cluster_rx.recv() => {
                update::on_cluster_event(&mut state, event);
                // Drain what else is pending: a burst of watch events costs one recompute per kind.
                while let Ok(event) = cluster_rx.try_recv() {
                    update::on_cluster_event(&mut state, event);
                }
                Vec::new()
            },
            Some(result) = task_rx.recv() => on_task_result(&mut state, &mut runtime, result),
            Some(live_update) = live_rx.recv() => {
                update::on_live_update(&mut state, live_update);
                // Drain a little more, bounded so keys still get their turn during a log burst.
                for _ in 0..cluster::live::LIVE_CHANNEL_CAPACITY {
                    let Ok(live_update) = live_rx.try_recv() else { break };
                    update::on_live_update(&mut state, live_update);
                }
                Vec::new()
            },
            _ = clock.tick() => {
                state.now = Utc::now();
                if !state.reconciles.is_empty() {
                    update::check_reconciles(&mut state);
                }
                if shows_times(&state) {
                    state.dirty = true;
                }
                Vec::new()
            },
            _ = tokio::time::sleep_until(next_frame), if state.dirty => Vec::new(),
        };
        for effect in effects {
            run_effect(&mut state, &mut runtime, effect);
        }
        if !runtime.live.is_empty() {
            runtime.live.retain(|stream| update::stream_is_open(&state, stream));
        }
        if let Some(receiver) = runtime.next_cluster_rx.take() {
            cluster_rx = receiver;
        }
        if state.quit {
            break;
        }
    }
    runtime.session.shutdown();
    Ok(())
}

fn draw(terminal: &mut Terminal<CrosstermBackend<Stdout>>, state: &mut AppState) -> io::Result<()> {
    update::refresh_stale_kinds(state);
    state.dirty = false;
    terminal.draw(|frame| crate::views::draw(frame, state))?;
    Ok(())
}

fn shows_times(state: &AppState) -> bool {
    matches!(state.screen(), Screen::Table { .. } | Screen::Describe(_) | Screen::Events(_))
}

fn on_terminal_event(state: &mut AppState, keymap: &mut Keymap, event: Event) -> Vec<Effect> {
    match event {
        Event::Key(key) => update::on_key(state, keymap, key),
        Event::Mouse(mouse) => update::on_mouse(state, mouse),
        Event::Resize(width, height) => {
            update::on_resize(state, width, height);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn run_effect(state: &mut AppState, runtime: &mut Runtime, effect: Effect) {
    match effect {
        Effect::SwitchContext(context) => {
            state.flash_info(format!("connecting to {context}…"));
            let options = ConnectOptions { kubeconfig: runtime.options.kubeconfig.clone(), context: Some(context) };
            let task_tx = runtime.task_tx.clone();
            let namespace = runtime.options.namespace.clone();
            tokio::spawn(async move {
                let result = cluster::connect(&options).await;
                let _ = task_tx.send(TaskResult::Connected(result, namespace));
            });
        }
        Effect::WatchNamespace(namespace) => {
            // Same context, other scope: the connection stays, the watches start again.
            let connection = runtime.connection.clone();
            start_session(state, runtime, connection, namespace);
        }
        Effect::PreviewTheme(name) => {
            let (theme, error) = load_theme(&name, &runtime.dirs);
            state.theme = theme;
            if let Some(error) = error {
                state.flash_error(error.to_string());
            }
            state.dirty = true;
        }
        Effect::SaveTheme(name) => {
            let (theme, error) = load_theme(&name, &runtime.dirs);
            state.theme = theme;
            state.dirty = true;
            match error {
                Some(error) => state.flash_error(error.to_string()),
                None => {
                    runtime.config.theme = Some(name.clone());
                    save_config(runtime, &format!("theme {name}"));
                }
            }
        }
        Effect::Write(write) => {
            let client = runtime.connection.client().clone();
            let task_tx = runtime.task_tx.clone();
            tokio::spawn(async move {
                let _ = task_tx.send(run_write(client, write).await);
            });
        }
        Effect::WatchEvents { stream, target } => {
            runtime.live.watch_events(runtime.connection.client().clone(), stream, target);
        }
        Effect::FollowLogs { stream, target, limit } => {
            runtime.live.follow_logs(runtime.connection.client().clone(), stream, target, limit);
        }
        Effect::SaveLogs { label, lines } => {
            let task_tx = runtime.task_tx.clone();
            tokio::task::spawn_blocking(move || {
                let _ = task_tx.send(TaskResult::LogsSaved(super::saved_logs::save_log_lines(&label, &lines)));
            });
        }
        Effect::SaveFavorites => {
            let context = state.location.context.clone();
            runtime.config.favorites.retain(|favorite| favorite.context.as_deref() != Some(context.as_str()));
            runtime.config.favorites.extend(state.favorites.iter().map(|key| FavoriteRef {
                kind: key.kind.name().to_string(),
                namespace: Some(key.namespace.clone()),
                name: key.name.clone(),
                context: Some(context.clone()),
            }));
            save_config(runtime, "favorites");
        }
    }
}

/// Writes the config file off the UI thread (it is written atomically, with an fsync), reporting a failure back.
fn save_config(runtime: &mut Runtime, what: &str) {
    runtime.saves_requested += 1;
    let number = runtime.saves_requested;
    let (config, dirs, what, task_tx) =
        (runtime.config.clone(), runtime.dirs.clone(), what.to_string(), runtime.task_tx.clone());
    let saving = std::sync::Arc::clone(&runtime.saving);
    tokio::task::spawn_blocking(move || {
        let mut newest_written = saving.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if *newest_written > number {
            return;
        }
        let result = config.save(&dirs).map_err(|err| format!("could not save {what}: {err}"));
        *newest_written = number;
        let _ = task_tx.send(TaskResult::Saved(result));
    });
}

fn on_task_result(state: &mut AppState, runtime: &mut Runtime, result: TaskResult) -> Vec<Effect> {
    match result {
        TaskResult::Connected(Ok(connection), namespace) => {
            let context = connection.context_name().to_string();
            start_session(state, runtime, connection, namespace);
            state.flash_info(format!("context {context}"));
        }
        TaskResult::Connected(Err(err), _) => state.flash_error(format!("cannot connect: {err}")),
        TaskResult::Written(Ok(message)) => state.flash_info(message),
        TaskResult::ReconcileRequested(key, requested_at) => update::reconcile_requested(state, key, requested_at),
        TaskResult::Written(Err(message)) => state.flash_error(message),
        TaskResult::Saved(Ok(())) => {}
        TaskResult::Saved(Err(message)) => state.flash_error(message),
        TaskResult::LogsSaved(Ok(path)) => state.flash_info(format!("logs saved to {}", path.display())),
        TaskResult::LogsSaved(Err(message)) => state.flash_error(message),
    }
    Vec::new()
}

/// Replaces the session (another context, or another watch scope): the old watches stop, and everything the
/// state knew of the cluster is forgotten until the new watches report.
fn start_session(state: &mut AppState, runtime: &mut Runtime, connection: Connection, namespace: Option<String>) {
    let location = location_of(&connection, namespace.clone());
    runtime.session.shutdown();
    let (cluster_tx, cluster_rx) = mpsc::unbounded_channel();
    runtime.session = Session::start(connection.clone(), namespace, cluster_tx);
    // Events and logs views watch the old context: they close with it.
    update::close_live_screens(state);
    runtime.live.clear();
    runtime.next_cluster_rx = Some(cluster_rx);
    runtime.connection = connection;
    state.stores = runtime.session.stores();
    state.rows_by_kind.clear();
    state.tables.clear();
    state.reconciles.clear();
    state.kind_states = FluxKind::ALL.into_iter().map(|kind| (kind, cluster::KindState::Discovering)).collect();
    state.connection = cluster::ConnectionState::Connecting;
    state.info = Default::default();
    state.favorites = favorites_for(&runtime.config, &location.context);
    state.location = location;
    state.refresh_current_table();
}

fn location_of(connection: &Connection, watch_namespace: Option<String>) -> Location {
    Location {
        context: connection.context_name().to_string(),
        cluster_url: connection.cluster_url().to_string(),
        watch_namespace,
    }
}

fn favorites_for(config: &Config, context: &str) -> BTreeSet<ObjectKey> {
    config
        .favorites
        .iter()
        .filter(|favorite| favorite.context.as_deref() == Some(context))
        .filter_map(|favorite| {
            Some(ObjectKey {
                kind: FluxKind::from_name(&favorite.kind)?,
                namespace: favorite.namespace.clone().unwrap_or_default(),
                name: favorite.name.clone(),
            })
        })
        .collect()
}

/// Makes one write and says what happened; a reconcile request is then waited on.
async fn run_write(client: kube::Client, write: Write) -> TaskResult {
    let target = &write.target;
    let object = format!("{} {}/{}", target.kind, target.namespace, target.name);
    let result = match write.action {
        Action::Suspend => writes::set_suspended(client, target, true).await.map(|()| format!("suspended {object}")),
        Action::Resume => writes::set_suspended(client, target, false).await.map(|()| format!("resumed {object}")),
        Action::Reconcile => match writes::request_reconcile(client, target, Utc::now()).await {
            Ok(requested_at) => {
                let key =
                    ObjectKey { kind: target.kind, namespace: target.namespace.clone(), name: target.name.clone() };
                return TaskResult::ReconcileRequested(key, requested_at);
            }
            Err(err) => Err(err),
        },
        other => return TaskResult::Written(Err(format!("{} does not write", other.name()))),
    };
    TaskResult::Written(result.map_err(|err| err.to_string()))
}
