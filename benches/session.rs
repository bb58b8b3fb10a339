//! Session benchmark (issue 3): fluxtui with 10,000 Flux objects in the sandbox.
//!
//! `cargo bench --bench session` (release build). Cargo builds the `fluxtui` binary with the bench (the release
//! profile, `CARGO_BIN_EXE_fluxtui`); the bench runs `fluxtui sandbox` from it as a subprocess (so the client's
//! memory is counted alone), creates the CRDs, 50 namespaces and `SESSION_OBJECTS` (10,000) objects from
//! `fluxtui::demo::scaled_objects` over HTTP with concurrent clients, then measures:
//!
//! 1. start to first full frame of the real binary in tmux (120x40), polling `tmux capture-pane` every 10 ms
//!    until the title shows the full count, over `SESSION_RUNS` (5) runs; and the VmRSS/VmHWM of that process;
//! 2. the same start-up through the library, without a terminal, split into connect, list + decode until every
//!    kind is synced, rows, first draw; and the list split again into fetching the pages and decoding them;
//! 3. frame render time of a 10k-row table on a TestBackend, at the top and scrolled to the middle, and the
//!    update step after one kind's store changed (rows rebuilt, filtered, sorted);
//! 4. live heap bytes per object in the stores, the rows and the table (a counting allocator).
//!
//! `SESSION_HOLD=<seconds>` only seeds the sandbox, prints its kubeconfig and keeps it up that long, to point
//! another client at the same objects. Needs tmux on PATH. Nothing here asserts a time; every wait has a
//! deadline and fails loudly. Results go to BENCHMARKS.md by hand.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use std::sync::Arc;

use chrono::Utc;
use fluxtui::api::{AnyFluxObject, FluxKind};
use fluxtui::app::config::ConfigDirs;
use fluxtui::app::pane::Pane;
use fluxtui::app::state::AppState;
use fluxtui::app::theme::load_theme;
use fluxtui::app::update;
use fluxtui::cluster::seed::create_with_status;
use fluxtui::cluster::{ClusterEvent, ConnectOptions, ConnectionState, FluxStores, KindState, Session, connect};
use fluxtui::model::{Column, Row, overview};
use kube::api::ListParams;
use kube::core::ObjectList;
use kube::core::request::Request;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::{Value, json};
use unicode_width::UnicodeWidthStr;

/// Counts live heap bytes, to weigh the stores, rows and table per object.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size as isize - layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live_bytes() -> isize {
    LIVE.load(Ordering::Relaxed)
}

/// How long any one wait (the sandbox, a frame, a sync) may take before the run fails.
const WAIT_LIMIT: Duration = Duration::from_secs(120);
const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn us(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

fn percentile(samples: &[Duration], p: f64) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn summary(samples: &[Duration]) -> String {
    format!(
        "min {} median {} max {}",
        ms(percentile(samples, 0.0)),
        ms(percentile(samples, 0.5)),
        ms(percentile(samples, 1.0))
    )
}

/// VmRSS and VmHWM of a process, in MiB.
fn memory_mib(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| -> f64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The binary cargo built along with this bench, with the same (release) profile.
fn release_binary() -> PathBuf {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_fluxtui"));
    assert!(binary.exists(), "no binary at {}", binary.display());
    binary
}

/// `fluxtui sandbox` in its own process, killed on drop.
struct SandboxProcess {
    child: Child,
    kubeconfig: PathBuf,
}

impl SandboxProcess {
    fn start(binary: &Path, dir: &Path) -> SandboxProcess {
        let kubeconfig = dir.join("kubeconfig");
        let mut child = Command::new(binary)
            .args(["sandbox", "--pod-ready-delay", "0", "--write-kubeconfig"])
            .arg(&kubeconfig)
            .env("XDG_STATE_HOME", dir.join("sandbox-state"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn fluxtui sandbox");
        // The sandbox prints one line once it serves and the kubeconfig is written; the rest is drained.
        let stdout = child.stdout.take().expect("piped stdout");
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = ready_tx.send(lines.next().and_then(Result::ok));
            for _ in lines {}
        });
        let line = ready_rx.recv_timeout(WAIT_LIMIT).ok().flatten().expect("the sandbox did not start");
        assert!(kubeconfig.exists(), "the sandbox said {line:?} but wrote no kubeconfig");
        SandboxProcess { child, kubeconfig }
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime")
}

async fn client(kubeconfig: &Path) -> kube::Client {
    let options = ConnectOptions { kubeconfig: Some(kubeconfig.to_path_buf()), context: None };
    connect(&options).await.expect("connect to the sandbox").client().clone()
}

/// CRDs, namespaces and the objects with their status, created by `concurrency` clients at once.
async fn seed(kubeconfig: &Path, objects: &[Value], concurrency: usize) {
    let client = client(kubeconfig).await;
    create_with_status(&client, &fluxtui::api::crd::custom_resource_definitions()).await.expect("CRDs");
    let mut namespaces: Vec<Value> = (0..50)
        .map(|n| json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": format!("tenant-{n:02}")}}))
        .collect();
    namespaces.extend(fluxtui::demo::namespaces());
    create_with_status(&client, &namespaces).await.expect("namespaces");
    create_with_status(&client, &fluxtui::demo::controller_deployments()).await.expect("controllers");
    let chunk = objects.len().div_ceil(concurrency).max(1);
    let tasks: Vec<_> = objects
        .chunks(chunk)
        .map(|part| {
            let (client, part) = (client.clone(), part.to_vec());
            tokio::spawn(async move { create_with_status(&client, &part).await })
        })
        .collect();
    for task in tasks {
        task.await.expect("seed task").expect("create objects");
    }
}

fn state_from(stores: FluxStores) -> (AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (theme, error) = load_theme("default", &ConfigDirs::at(dir.path()));
    assert!(error.is_none(), "{error:?}");
    let mut state = AppState::new(stores, theme, Utc::now());
    update::on_resize(&mut state, WIDTH, HEIGHT);
    (state, dir)
}

fn title_count(state: &AppState) -> usize {
    state.current_table().map(|table| table.rows.len()).unwrap_or(0)
}

/// One start-up through the library: connect, session, every kind synced, rows, first draw.
async fn library_startup(kubeconfig: &Path, count: usize) -> [Duration; 4] {
    let started = Instant::now();
    let options = ConnectOptions { kubeconfig: Some(kubeconfig.to_path_buf()), context: None };
    let connection = connect(&options).await.expect("connect");
    let connected = started.elapsed();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let session = Session::start(connection, None, tx);
    let (mut state, _dir) = state_from(session.stores());
    // A watch says Synced, then StoreChanged: done when every kind has said both (or is not installed).
    let mut changed = std::collections::BTreeSet::new();
    let done = |state: &AppState, changed: &std::collections::BTreeSet<FluxKind>| {
        state.kind_states.iter().all(|(kind, s)| match s {
            KindState::Synced { .. } => changed.contains(kind),
            KindState::NotInstalled => true,
            _ => false,
        })
    };
    tokio::time::timeout(WAIT_LIMIT, async {
        while !done(&state, &changed) {
            let event = rx.recv().await.expect("session events");
            if let ClusterEvent::StoreChanged(kind) = &event
                && matches!(state.kind_states.get(kind), Some(KindState::Synced { .. }))
            {
                changed.insert(*kind);
            }
            update::on_cluster_event(&mut state, event);
        }
    })
    .await
    .expect("every kind synced in time");
    let listed = started.elapsed();
    update::refresh_stale_kinds(&mut state);
    let rows = started.elapsed();
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("terminal");
    terminal.draw(|frame| fluxtui::views::draw(frame, &state)).expect("draw");
    let drawn = started.elapsed();
    assert_eq!(title_count(&state), count, "the library start-up saw every object");
    drop(session);
    [connected, listed - connected, rows - listed, drawn - rows]
}

/// Every kind's list fetched as raw pages of 500 (what the watcher asks for), then decoded: where list time goes.
async fn list_split(kubeconfig: &Path, versions: &[(FluxKind, String)]) -> (Duration, Duration, usize) {
    let client = client(kubeconfig).await;
    let mut pages = Vec::new();
    let fetch_started = Instant::now();
    for (kind, version) in versions {
        let resource = kind.api_resource(version);
        let url = format!("/apis/{}/{}/{}", resource.group, resource.version, resource.plural);
        let mut token: Option<String> = None;
        loop {
            let mut params = ListParams::default().limit(500);
            if let Some(token) = &token {
                params = params.continue_token(token);
            }
            let request = Request::new(&url).list(&params).expect("list request");
            let text = client.request_text(request).await.expect("list");
            let page: Value = serde_json::from_str(&text).expect("json");
            token = page["metadata"]["continue"].as_str().filter(|t| !t.is_empty()).map(String::from);
            pages.push(text);
            if token.is_none() {
                break;
            }
        }
    }
    let fetched = fetch_started.elapsed();
    // The fetch above parsed each page once to find its continue token; only the decode below is timed.
    let bytes = pages.iter().map(String::len).sum();
    let decode_started = Instant::now();
    let mut objects = 0;
    for page in &pages {
        let list: ObjectList<AnyFluxObject> = serde_json::from_str(page).expect("decode");
        objects += list.items.len();
    }
    let decoded = decode_started.elapsed();
    assert!(objects > 0);
    (fetched, decoded, bytes)
}

/// A tmux server on its own socket, killed on drop.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start() -> Tmux {
        let tmux = Tmux { socket: format!("fluxtui-bench-{}", std::process::id()) };
        // A session that keeps the server up, so each run only opens a window.
        tmux.run(&["-f", "/dev/null", "new-session", "-d", "-s", "keep", "-x", "120", "-y", "40"]);
        tmux
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("tmux");
        command.arg("-L").arg(&self.socket).args(args);
        command
    }

    fn run(&self, args: &[&str]) -> String {
        let output = self.command(args).output().expect("run tmux");
        assert!(output.status.success(), "tmux {args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.command(&["kill-server"]).output();
    }
}

struct TuiRun {
    first_paint: Duration,
    full_frame: Duration,
    at_frame: (f64, f64),
    settled: (f64, f64),
    screen: String,
}

/// Starts `command` in a 120x40 tmux window and polls the screen every 10 ms until it contains `marker`.
fn tui_run(tmux: &Tmux, name: &str, command: &str, marker: &str) -> TuiRun {
    let started = Instant::now();
    tmux.run(&["new-session", "-d", "-s", name, "-x", "120", "-y", "40", command]);
    let pid: u32 =
        tmux.run(&["display-message", "-p", "-t", name, "#{pane_pid}"]).trim().parse().expect("the pane's pid");
    let mut first_paint = None;
    let (full_frame, screen) = loop {
        let screen = tmux.run(&["capture-pane", "-p", "-t", name]);
        let now = started.elapsed();
        if first_paint.is_none() && !screen.trim().is_empty() {
            first_paint = Some(now);
        }
        if screen.contains(marker) {
            break (now, screen);
        }
        assert!(now < WAIT_LIMIT, "no {marker:?} on screen after {now:?}; the screen:\n{screen}");
        std::thread::sleep(Duration::from_millis(10));
    };
    let at_frame = memory_mib(pid);
    std::thread::sleep(Duration::from_secs(2));
    let settled = memory_mib(pid);
    let _ = tmux.command(&["send-keys", "-t", name, "C-c"]).output();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = tmux.command(&["kill-session", "-t", name]).output();
    TuiRun { first_paint: first_paint.unwrap_or(full_frame), full_frame, at_frame, settled, screen }
}

fn terminal_startup(binary: &Path, kubeconfig: &Path, dir: &Path, count: usize, runs: usize) {
    let tmux = Tmux::start();
    let home = dir.join("client-home");
    let command = format!(
        "exec env XDG_CONFIG_HOME={home}/config XDG_STATE_HOME={home}/state XDG_DATA_HOME={home}/data \
         XDG_CACHE_HOME={home}/cache {binary} --kubeconfig {kubeconfig}",
        home = home.display(),
        binary = binary.display(),
        kubeconfig = kubeconfig.display()
    );
    let marker = format!("All(all)[{count}]");
    let results: Vec<TuiRun> = (0..runs).map(|run| tui_run(&tmux, &format!("run{run}"), &command, &marker)).collect();
    for (run, result) in results.iter().enumerate() {
        println!(
            "  run {run}: first paint {}, full frame {}; at the full frame VmRSS {:.1} MiB VmHWM {:.1} MiB; \
             2 s later VmRSS {:.1} MiB VmHWM {:.1} MiB",
            ms(result.first_paint),
            ms(result.full_frame),
            result.at_frame.0,
            result.at_frame.1,
            result.settled.0,
            result.settled.1
        );
    }
    let full: Vec<Duration> = results.iter().map(|r| r.full_frame).collect();
    let paint: Vec<Duration> = results.iter().map(|r| r.first_paint).collect();
    let median_mib = |values: Vec<f64>| {
        let mut values = values;
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let rss = median_mib(results.iter().map(|r| r.settled.0).collect());
    let hwm = median_mib(results.iter().map(|r| r.settled.1).collect());
    println!("start to full frame ({runs} runs): {}", summary(&full));
    println!("start to first paint ({runs} runs): {}", summary(&paint));
    println!(
        "fluxtui RSS with {count} objects, 2 s after the full frame: median VmRSS {:.1} MiB, median VmHWM {:.1} MiB",
        rss, hwm
    );
    println!("the full frame of the last run:\n{}", results.last().map(|r| r.screen.as_str()).unwrap_or(""));
}

/// Draw and update timings on a state built from the objects, as the UI tests build it.
fn frame_and_update(objects: &[Value], iterations: usize) {
    let before = live_bytes();
    let parsed: Vec<AnyFluxObject> = objects.iter().cloned().map(AnyFluxObject::from_value).collect();
    let stores = FluxStores::from_objects(parsed);
    let stored = live_bytes() - before;
    let (mut state, _dir) = state_from(stores);
    update::on_cluster_event(&mut state, ClusterEvent::Connection(ConnectionState::Connected));
    for kind in FluxKind::ALL {
        update::on_cluster_event(
            &mut state,
            ClusterEvent::KindStateChanged(kind, KindState::Synced { version: "v1".into() }),
        );
        update::on_cluster_event(&mut state, ClusterEvent::StoreChanged(kind));
    }
    let before_rows = live_bytes();
    let rows_started = Instant::now();
    update::refresh_stale_kinds(&mut state);
    let rows_time = rows_started.elapsed();
    let with_rows = live_bytes() - before_rows;
    let count = objects.len();
    assert_eq!(title_count(&state), count);
    let per = |bytes: isize| bytes as f64 / count as f64;
    println!(
        "heap: stores {:.1} MiB ({:.0} B/object), rows + table + overview {:.1} MiB ({:.0} B/object)",
        stored as f64 / 1048576.0,
        per(stored),
        with_rows as f64 / 1048576.0,
        per(with_rows)
    );
    println!("first refresh of every kind ({count} rows built, filtered, sorted): {}", ms(rows_time));

    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("terminal");
    let mut time_draws = |state: &AppState, label: &str| {
        for _ in 0..iterations / 10 {
            terminal.draw(|frame| fluxtui::views::draw(frame, state)).expect("draw");
        }
        let samples: Vec<Duration> = (0..iterations)
            .map(|_| {
                let t = Instant::now();
                terminal.draw(|frame| fluxtui::views::draw(frame, state)).expect("draw");
                t.elapsed()
            })
            .collect();
        println!(
            "draw {label} ({iterations} frames, {WIDTH}x{HEIGHT}): median {} p99 {} max {}",
            us(percentile(&samples, 0.5)),
            us(percentile(&samples, 0.99)),
            us(percentile(&samples, 1.0))
        );
    };
    time_draws(&state, &format!("top of {count} rows"));
    if let Some(table) = state.current_table_mut() {
        table.select(count / 2);
    }
    update::keep_selection_visible(&mut state);
    let offset = state.current_table().map(|t| t.offset).unwrap_or(0);
    time_draws(&state, &format!("middle of {count} rows (offset {offset})"));

    // The work of one burst of watch events on one kind: that kind's rows rebuilt, then the All table refiltered
    // and resorted (every kind's rows) and the overview recounted.
    let mut by_kind: Vec<(FluxKind, usize)> =
        FluxKind::ALL.iter().map(|&kind| (kind, state.stores.objects(kind).len())).collect();
    by_kind.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
    let (kind, kind_count) = by_kind[0];
    let updates = (iterations / 10).max(20);
    let time_updates = |state: &mut AppState| -> Vec<Duration> {
        (0..updates)
            .map(|_| {
                let t = Instant::now();
                update::on_cluster_event(state, ClusterEvent::StoreChanged(kind));
                update::refresh_stale_kinds(state);
                t.elapsed()
            })
            .collect()
    };
    let samples = time_updates(&mut state);
    println!(
        "update after one {} changed ({kind_count} {} rows rebuilt, {count}-row All table refiltered and \
         resorted; {updates} runs): median {} p99 {}",
        kind.name(),
        kind.name(),
        ms(percentile(&samples, 0.5)),
        ms(percentile(&samples, 0.99))
    );
    // The same work in its parts, to see which one costs.
    let median_of = |f: &mut dyn FnMut()| -> Duration {
        let samples: Vec<Duration> = (0..updates)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect();
        percentile(&samples, 0.5)
    };
    let objects_of_kind = state.stores.objects(kind);
    let rows_of_kind = median_of(&mut || {
        let rows: Vec<Arc<Row>> = objects_of_kind.iter().cloned().map(|o| Arc::new(Row::new(kind, o))).collect();
        std::hint::black_box(rows);
    });
    let all_rows: Vec<Arc<Row>> = state.rows_for(Pane::All, 0);
    let sort = state.current_table().map(|t| t.sort).expect("a table");
    let sort_only = median_of(&mut || {
        let mut rows = all_rows.clone();
        rows.sort_by(|a, b| sort.compare(a, b));
        std::hint::black_box(rows);
    });
    let now = state.now;
    let widths_only = median_of(&mut || {
        for column in [Column::Namespace, Column::Kind, Column::Name, Column::Revision] {
            std::hint::black_box(all_rows.iter().map(|row| row.cell(column, now).width()).max());
        }
    });
    let table_only = median_of(&mut || state.refresh_table(Pane::All, 0));
    let overview_only = median_of(&mut || {
        std::hint::black_box(overview(state.rows_by_kind.values().flatten().map(|row| row.as_ref())));
    });
    println!(
        "  its parts (medians): {kind_count} rows built {}; All table refresh {} (of which sort {}, widths {}); \
         overview {}",
        ms(rows_of_kind),
        ms(table_only),
        ms(sort_only),
        ms(widths_only),
        ms(overview_only)
    );
    let every_object: Vec<(FluxKind, Arc<AnyFluxObject>)> =
        FluxKind::ALL.iter().flat_map(|&kind| state.stores.objects(kind).into_iter().map(move |o| (kind, o))).collect();
    let every_row = median_of(&mut || {
        let rows: Vec<Arc<Row>> = every_object.iter().map(|(kind, o)| Arc::new(Row::new(*kind, o.clone()))).collect();
        std::hint::black_box(rows);
    });
    println!("  all {count} rows built once, nothing else: {}", ms(every_row));
    let kinds_line: Vec<String> = by_kind.iter().map(|(kind, n)| format!("{} {n}", kind.name())).collect();
    println!("objects per kind: {}", kinds_line.join(", "));
}

fn main() {
    // `cargo test --benches` runs this without `--bench`: the suite does not pay for a 10k-object run.
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("session bench: skipped (run `cargo bench --bench session`)");
        return;
    }
    let count = env_number("SESSION_OBJECTS", 10_000);
    let runs = env_number("SESSION_RUNS", 5);
    let iterations = env_number("SESSION_FRAMES", 2_000);
    let binary = release_binary();
    let dir = tempfile::tempdir().expect("temp dir");
    let sandbox = SandboxProcess::start(&binary, dir.path());
    let objects = fluxtui::demo::scaled_objects(count, Utc::now());
    let rt = runtime();
    let seeding = Instant::now();
    rt.block_on(seed(&sandbox.kubeconfig, &objects, 16));
    let seeded = seeding.elapsed();
    let (sandbox_rss, _) = memory_mib(sandbox.child.id());
    println!(
        "seeded {count} objects (create + status) in {:.1} s ({:.0} objects/s); sandbox process VmRSS {:.0} MiB",
        seeded.as_secs_f64(),
        count as f64 / seeded.as_secs_f64(),
        sandbox_rss
    );
    if let Ok(hold) = std::env::var("SESSION_HOLD") {
        let seconds: u64 = hold.parse().unwrap_or(600);
        println!("holding the sandbox for {seconds} s: KUBECONFIG={}", sandbox.kubeconfig.display());
        std::thread::sleep(Duration::from_secs(seconds));
        return;
    }

    println!("\n== 1. start to first full frame: {} in tmux {WIDTH}x{HEIGHT}", binary.display());
    terminal_startup(&binary, &sandbox.kubeconfig, dir.path(), count, runs);

    println!("\n== 2. the same start-up through the library, without a terminal ({runs} runs)");
    let mut splits: Vec<[Duration; 4]> = Vec::new();
    for _ in 0..runs {
        splits.push(rt.block_on(library_startup(&sandbox.kubeconfig, count)));
    }
    let column = |i: usize| splits.iter().map(|s| s[i]).collect::<Vec<_>>();
    let totals: Vec<Duration> = splits.iter().map(|s| s.iter().sum()).collect();
    println!("  connect (kubeconfig, client): {}", summary(&column(0)));
    println!("  session until every kind synced (discovery, list, decode, store): {}", summary(&column(1)));
    println!("  rows (refresh_stale_kinds): {}", summary(&column(2)));
    println!("  first draw: {}", summary(&column(3)));
    println!("  total: {}", summary(&totals));
    let versions: Vec<(FluxKind, String)> =
        FluxKind::ALL.iter().map(|&kind| (kind, kind.versions()[0].to_string())).collect();
    let (fetched, decoded, bytes) = rt.block_on(list_split(&sandbox.kubeconfig, &versions));
    println!(
        "  list split, sequential pages of 500 over every kind: fetch {} ({:.1} MiB of JSON), decode into \
         AnyFluxObject {}",
        ms(fetched),
        bytes as f64 / 1048576.0,
        ms(decoded)
    );

    println!("\n== 3. frames and updates with {count} rows (TestBackend, no terminal I/O)");
    frame_and_update(&objects, iterations);
    drop(sandbox);
}
