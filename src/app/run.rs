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

use super::config::{Config, ConfigDirs, FavoriteRef};
use super::editor::{EditorOutcome, edit_text};
use super::keymap::{Keymap, load_keymap};
use super::state::{AppState, Location, Screen};
use super::terminal::TerminalGuard;
use super::theme::{load_theme, theme_names};
use super::update::{self, Effect};
use crate::api::FluxKind;
use crate::cluster::{self, ClusterEvent, ConnectOptions, Connection, Session};
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
    /// `--reconcile-timeout`: how long a reconcile may take before it is reported as timed out.
    pub reconcile_timeout: Option<Duration>,
    /// `--controller` (and the demo): run the embedded engine against the session's first context.
    pub engine: Option<crate::controllers::runtime::EngineConfig>,
}

/// Results of work the loop started in the background.
enum TaskResult {
    /// The embedded engine started, stopped or failed.
    Engine(super::engine::EngineStatus),
    Connected(Result<Connection, cluster::ClusterError>, Option<String>),
    /// The config file was written (or not: the message says what was being saved and why it failed).
    Saved(Result<(), String>),
    /// A write made progress (the operation, its target, the report).
    Wrote(u64, ObjectKey, super::writer::WriteReport),
    /// A read for the tree, trace, HelmRelease detail or pods screens finished.
    Insight(super::insight::InsightResult),
    /// The object to edit was read from the API server (or could not be).
    EditFetched(update::EditRequest, Result<cluster::edit::EditableObject, String>),
    /// An edit was applied or refused: the outcome in words.
    Edited(update::EditRequest, Result<String, String>),
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
    /// The RBAC answers of the session's connection.
    access: crate::cluster::access::AccessCache,
    /// The kubeconfig user of the context, named in recorded events.
    user: Option<String>,
    /// Reads of arbitrary objects for the insight screens, with the kinds discovery resolved, per context.
    insight: Option<(String, super::insight_tasks::InsightRunner)>,
    /// An object fetched for editing: the loop suspends the terminal and runs the editor on it.
    pending_editor: Option<(update::EditRequest, cluster::edit::EditableObject)>,
    /// The events watches and log followers of the open events and logs views.
    live: cluster::live::LiveStreams,
    /// The embedded engine, when the session runs one.
    engine: Option<super::engine::EmbeddedEngine>,
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
    let user = context_user(&connect_options, connection.context_name());

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
    let (reconcile_timeout, timeout_error) = reconcile_timeout(&options, &config);
    state.reconcile_timeout = reconcile_timeout;
    if let Some(error) = timeout_error {
        state.flash_error(error);
    }
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
    state.additive_cel_dependency_check = config.additive_cel_dependency_check;
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
        access: Default::default(),
        user,
        insight: None,
        pending_editor: None,
        live,
        engine: None,
    };
    if let Some(config) = runtime.options.engine.clone() {
        let task_tx = runtime.task_tx.clone();
        state.engine = Some(super::engine::EngineStatus::Starting);
        runtime.engine =
            Some(super::engine::EmbeddedEngine::start(runtime.connection.client().clone(), config, move |status| {
                let _ = task_tx.send(TaskResult::Engine(status));
            }));
    }

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
                update::refresh_insight(&mut state)
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
                if state.operations.has_unfinished() {
                    update::check_reconciles(&mut state);
                }
                // Toasts count their seconds up and expire on this clock.
                if shows_times(&state) || state.operations.has_toasts(state.now) {
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
        if let Some((request, object)) = runtime.pending_editor.take() {
            // crossterm's reader thread would take the editor's keys: stop it, hand the terminal over, and start
            // reading again afterwards (keys typed meanwhile went to the editor, not to us).
            drop(input);
            let outcome = run_editor(&request, &object, &mut terminal).await;
            input = EventStream::new();
            // The terminal may have been resized while the editor had it.
            if let Ok(size) = terminal.size() {
                update::on_resize(&mut state, size.width, size.height);
            }
            handle_editor_outcome(&mut state, &runtime, request, object, outcome);
        }
        if state.quit {
            break;
        }
    }
    runtime.session.shutdown();
    if let Some(engine) = runtime.engine.take() {
        engine.stop().await;
    }
    Ok(())
}

fn draw(terminal: &mut Terminal<CrosstermBackend<Stdout>>, state: &mut AppState) -> io::Result<()> {
    update::refresh_stale_kinds(state);
    state.dirty = false;
    terminal.draw(|frame| crate::views::draw(frame, state))?;
    Ok(())
}

fn shows_times(state: &AppState) -> bool {
    matches!(state.screen(), Screen::Table { .. } | Screen::Describe(_) | Screen::Events(_) | Screen::Pods(_))
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
            let access = runtime.access.clone();
            let settings = super::writer::WriteSettings {
                reconcile_timeout: state.reconcile_timeout.to_std().unwrap_or(Duration::from_secs(300)),
                record_events: runtime.config.record_events,
                user: runtime.user.clone(),
            };
            let (operation, key) = (write.operation, write.target.key());
            tokio::spawn(super::writer::run_write(client, access, settings, write, move |report| {
                let _ = task_tx.send(TaskResult::Wrote(operation, key.clone(), report));
            }));
        }
        Effect::Insight(request) => {
            // One discovery cache per connection: a context switch starts a new one.
            let context = runtime.connection.context_name().to_string();
            if runtime.insight.as_ref().is_none_or(|(known, _)| *known != context) {
                let client = runtime.connection.client().clone();
                let runner =
                    super::insight_tasks::InsightRunner::new(client).with_engine(runtime.options.engine.as_ref());
                runtime.insight = Some((context, runner));
            }
            if let Some((_, runner)) = &runtime.insight {
                let task_tx = runtime.task_tx.clone();
                runner.start(request, move |result| {
                    let _ = task_tx.send(TaskResult::Insight(result));
                });
            }
        }
        Effect::Edit(request) => {
            let client = runtime.connection.client().clone();
            let access = runtime.access.clone();
            let task_tx = runtime.task_tx.clone();
            tokio::spawn(async move {
                // Asked before the editor opens, so nobody edits an object they may not change.
                let allowed =
                    super::writer::check_access(&client, &access, super::action::Action::Edit, &request.target).await;
                let fetched = match allowed {
                    Ok(()) => {
                        cluster::edit::fetch_for_edit(client, &request.target).await.map_err(|err| err.to_string())
                    }
                    Err(refusal) => Err(refusal),
                };
                let _ = task_tx.send(TaskResult::EditFetched(request, fetched));
            });
        }
        Effect::WatchEvents { stream, target } => {
            runtime.live.watch_events(runtime.connection.client().clone(), stream, target);
        }
        Effect::FollowLogs { stream, target, limit } => {
            let relay = match (&runtime.engine, &target) {
                // The engine's own lines join the controllers' logs, as if it were one more controller pod.
                (Some(engine), cluster::logs::LogTarget::Controllers { .. }) => Some(super::engine::relay_engine_logs(
                    engine.hub().clone(),
                    target.clone(),
                    stream,
                    limit,
                    runtime.live.sender(),
                )),
                _ => None,
            };
            runtime.live.follow_logs(runtime.connection.client().clone(), stream, target, limit);
            if let Some(relay) = relay {
                runtime.live.attach(stream, relay);
            }
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
        TaskResult::Wrote(operation, key, super::writer::WriteReport::Step(step)) => {
            update::write_progressed(state, operation, key, step)
        }
        TaskResult::Wrote(_, _, super::writer::WriteReport::EventNotRecorded(message)) => state.flash_error(message),
        TaskResult::EditFetched(request, Ok(object)) => runtime.pending_editor = Some((request, object)),
        TaskResult::EditFetched(request, Err(message)) => update::edit_finished(state, &request, Err(message)),
        TaskResult::Edited(request, outcome) => update::edit_finished(state, &request, outcome),
        TaskResult::Saved(Ok(())) => {}
        TaskResult::Saved(Err(message)) => state.flash_error(message),
        TaskResult::Insight(result) => return update::on_insight_result(state, result),
        TaskResult::Engine(status) => {
            if let super::engine::EngineStatus::Failed(reason) = &status {
                state.flash_error(format!("embedded engine stopped: {reason}"));
            }
            state.engine = Some(status);
            state.dirty = true;
        }
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
    update::session_replaced(state);
    runtime.access = Default::default();
    runtime.user = context_user(
        &ConnectOptions { kubeconfig: runtime.options.kubeconfig.clone(), context: None },
        runtime.connection.context_name(),
    );
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

/// The user the context names in the kubeconfig, if any.
fn context_user(options: &ConnectOptions, context: &str) -> Option<String> {
    cluster::contexts(options).ok()?.into_iter().find(|info| info.name == context)?.user
}

/// The reconcile timeout: `--reconcile-timeout`, else the config's `reconcile-timeout`, else 5m; a config value
/// that cannot be read falls back to 5m with the error.
fn reconcile_timeout(options: &SessionOptions, config: &Config) -> (chrono::Duration, Option<String>) {
    let default = super::operations::DEFAULT_RECONCILE_TIMEOUT;
    let chosen = match (options.reconcile_timeout, config.reconcile_timeout.as_deref()) {
        (Some(timeout), _) => timeout,
        (None, Some(text)) => match crate::cli::duration::parse_duration(text) {
            Ok(timeout) => timeout,
            Err(err) => return (default, Some(format!("config reconcile-timeout {text:?}: {err}; using 5m"))),
        },
        (None, None) => return (default, None),
    };
    (chrono::Duration::from_std(chosen).unwrap_or(default), None)
}

/// Suspends the terminal, lets the user edit the object, and takes the terminal back whatever happened.
async fn run_editor(
    request: &update::EditRequest,
    object: &cluster::edit::EditableObject,
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
) -> EditorOutcome {
    let target = &request.target;
    let suspended = super::terminal::suspend();
    let outcome = match suspended {
        Err(err) => EditorOutcome::Failed(format!("cannot hand the terminal to the editor: {err}")),
        Ok(()) => {
            let header = format!(
                "Editing {} {}/{}. Saving applies it with server-side apply (field manager fluxtui, forced);\n\
                 saving it unchanged cancels. status and server-owned metadata are not shown.\n",
                target.kind, target.namespace, target.name
            );
            let stem = format!("{}-{}-{}", target.kind.name().to_lowercase(), target.namespace, target.name);
            edit_text(&object.text, &stem, &header, |text| cluster::edit::parse_edited(text, target)).await
        }
    };
    if let Err(err) = super::terminal::resume() {
        tracing::error!(%err, "cannot take the terminal back after the editor");
    }
    // The editor painted over the screen: the next frame redraws every cell.
    let _ = terminal.clear();
    outcome
}

/// Reports a cancelled or failed edit, or applies the edited object on a task.
fn handle_editor_outcome(
    state: &mut AppState,
    runtime: &Runtime,
    request: update::EditRequest,
    object: cluster::edit::EditableObject,
    outcome: EditorOutcome,
) {
    state.dirty = true;
    let target = request.target.clone();
    let what = format!("{} {}/{}", target.kind, target.namespace, target.name);
    match outcome {
        EditorOutcome::Unchanged { path } => {
            let _ = std::fs::remove_file(&path);
            update::edit_finished(state, &request, Ok(format!("edit cancelled: {what} unchanged")));
        }
        EditorOutcome::Abandoned { path, error } => update::edit_finished(
            state,
            &request,
            Err(format!("edit cancelled: {error} (your text is kept in {})", path.display())),
        ),
        EditorOutcome::Failed(message) => {
            update::edit_finished(state, &request, Err(format!("edit of {what} failed: {message}")))
        }
        EditorOutcome::Edited { value, path } => {
            let client = runtime.connection.client().clone();
            let task_tx = runtime.task_tx.clone();
            // With `record-events`, the edit is recorded on the object as the other writes are.
            let event_author = runtime.config.record_events.then(|| runtime.user.clone());
            tokio::spawn(async move {
                let result = cluster::edit::apply_edit(client.clone(), &target, value, &object.resource_version).await;
                let message = match result {
                    Ok(()) => {
                        let _ = std::fs::remove_file(&path);
                        let mut message = format!("applied {what} (server-side apply, field manager fluxtui)");
                        if let Some(user) = event_author {
                            let who = user.map(|user| format!(" by kubeconfig user {user}")).unwrap_or_default();
                            let note = format!("edit applied{who} with fluxtui");
                            if let Err(err) = cluster::writes::record_event(client, &target, "EditApplied", &note).await
                            {
                                message.push_str(&format!("; the event was not recorded: {err}"));
                            }
                        }
                        Ok(message)
                    }
                    Err(err) => Err(format!("{err} (your text is kept in {})", path.display())),
                };
                let _ = task_tx.send(TaskResult::Edited(request, message));
            });
        }
    }
}
