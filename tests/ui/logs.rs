//! The logs view: Flux JSON lines parsed, plain lines with their colours, the object filter, follow and pause
//! with the new-line counter, the level filter, search and wrapping; fed through the app's own live-update path.

use std::sync::Arc;

use chrono::Duration;
use fluxtui::app::state::Screen;
use fluxtui::app::update::{self, Effect};
use fluxtui::cluster::live::LiveUpdate;
use fluxtui::cluster::logs::{LogBatch, LogFeed, LogStatus, LogTarget};
use fluxtui::model::logs::{LogFilter, LogLine, parse_line};

use super::harness::{Harness, fixed_now};

fn snapshot(name: &str, text: String) {
    insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

/// A kustomize-controller reconcile line about `name`, `seconds_ago` before the fixed time.
fn ks_line(name: &str, level: &str, message: &str, seconds_ago: i64) -> String {
    let ts = (fixed_now() - Duration::seconds(seconds_ago)).format("%Y-%m-%dT%H:%M:%S%.3fZ");
    format!(
        r#"{{"level":"{level}","ts":"{ts}","msg":"{message}","controller":"kustomization","controllerGroup":"kustomize.toolkit.fluxcd.io","controllerKind":"Kustomization","Kustomization":{{"name":"{name}","namespace":"flux-system"}},"namespace":"flux-system","name":"{name}","reconcileID":"5d1c","revision":"main@sha1:fb86e2c"}}"#
    )
}

fn hr_line(level: &str, message: &str, seconds_ago: i64) -> String {
    let ts = (fixed_now() - Duration::seconds(seconds_ago)).format("%Y-%m-%dT%H:%M:%S%.3fZ");
    format!(
        r#"{{"level":"{level}","ts":"{ts}","msg":"{message}","controllerKind":"HelmRelease","HelmRelease":{{"name":"podinfo","namespace":"podinfo"}},"namespace":"podinfo","name":"podinfo","error":"context deadline exceeded"}}"#
    )
}

/// The controllers' lines: several objects, levels and sources, and a plain line with colours.
fn controller_lines() -> Vec<(Arc<str>, String)> {
    let ks: Arc<str> = Arc::from("kustomize-controller");
    let hr: Arc<str> = Arc::from("helm-controller");
    let source: Arc<str> = Arc::from("source-controller");
    vec![
        (ks.clone(), ks_line("flux-system", "info", "server-side apply completed", 50)),
        (source.clone(), r#"{"level":"info","ts":"2026-11-24T11:59:15.000Z","msg":"artifact up-to-date with remote revision: 'main@sha1:fb86e2c'","controllerKind":"GitRepository","name":"flux-system","namespace":"flux-system"}"#.to_string()),
        (ks.clone(), ks_line("apps", "info", "Reconciliation finished in 1.2s, next run in 10m0s", 40)),
        (hr.clone(), hr_line("error", "Reconciler error", 30)),
        (ks.clone(), ks_line("apps", "debug", "dependencies are ready", 20)),
        (ks.clone(), ks_line("infra-configs", "error", "health check failed after 5m0s", 15)),
        (source.clone(), "\u{1b}[33mW1124 11:59:50\u{1b}[0m reflector.go:561] \u{1b}[1mwatch of *v1.Secret ended\u{1b}[0m".to_string()),
        (ks.clone(), ks_line("apps", "info", "server-side apply for cluster definitions completed", 5)),
    ]
}

/// The open view's stream and what it follows.
fn open_view(harness: &Harness) -> (u64, LogTarget) {
    match harness.state.stack.last() {
        Some(Screen::Logs(view)) => (view.stream, view.target.clone()),
        other => panic!("no logs view open: {other:?}"),
    }
}

/// Feeds lines as the followers would: parsed, filtered by the view's target, in one batch.
fn feed(harness: &mut Harness, lines: &[(Arc<str>, String)]) {
    let (stream, target) = open_view(harness);
    let filter = target.filter();
    let parsed: Vec<LogLine> = lines
        .iter()
        .map(|(source, raw)| parse_line(Arc::clone(source), raw, None))
        .filter(|line| filter.matches(line))
        .collect();
    let status = Some(LogStatus::Following(vec![
        "helm-controller-5c9d/manager".to_string(),
        "kustomize-controller-7b9c/manager".to_string(),
        "source-controller-6f4b/manager".to_string(),
    ]));
    update::on_live_update(
        &mut harness.state,
        LiveUpdate::Logs(LogBatch { stream, lines: parsed, skipped: 0, status }),
    );
}

fn command(harness: &mut Harness, line: &str) {
    harness.press(":");
    harness.type_text(line);
    harness.press("enter");
}

#[test]
fn logs_command_shows_every_controller_parsed() {
    let mut harness = Harness::demo();
    command(&mut harness, "logs");
    assert!(matches!(
        harness.effects.last(),
        Some(Effect::FollowLogs { target: LogTarget::Controllers { namespace, filter }, limit: 10_000, .. })
            if namespace == "flux-system" && filter.is_empty()
    ));
    snapshot("logs_waiting", harness.render());
    feed(&mut harness, &controller_lines());
    let screen = harness.render();
    assert!(!screen.contains("\u{1b}") && !screen.contains("[33m"), "escape codes printed raw:\n{screen}");
    assert!(screen.contains("W1124 11:59:50 reflector.go:561] watch of *v1.Secret ended"), "{screen}");
    snapshot("logs_all_120x40", screen);
    harness.resize(80, 24);
    snapshot("logs_all_80x24", harness.render());
}

#[test]
fn a_plain_lines_colours_are_rendered_not_printed() {
    let mut harness = Harness::demo();
    command(&mut harness, "logs");
    feed(&mut harness, &controller_lines());
    let buffer = harness.buffer();
    let text = super::harness::buffer_text(&buffer);
    let (row, line) = text.lines().enumerate().find(|(_, line)| line.contains("W1124")).expect("the plain line");
    let column = line.chars().position(|c| c == 'W').expect("W") as u16;
    assert_eq!(buffer[(column, row as u16)].fg, ratatui::style::Color::Yellow);
}

#[test]
fn l_on_an_object_shows_only_its_lines() {
    let mut harness = Harness::demo();
    // The first row is Kustomization flux-system/apps.
    harness.press("l");
    let (_, target) = open_view(&harness);
    assert_eq!(
        target.filter(),
        LogFilter {
            kind: Some("Kustomization".into()),
            name: Some("apps".into()),
            namespace: Some("flux-system".into())
        }
    );
    feed(&mut harness, &controller_lines());
    let screen = harness.render();
    assert!(screen.contains("Reconciliation finished"), "{screen}");
    assert!(!screen.contains("infra-configs") && !screen.contains("HelmRelease"), "{screen}");
    snapshot("logs_object", screen);
}

#[test]
fn a_paused_view_stays_put_and_counts_new_lines() {
    let mut harness = Harness::demo();
    command(&mut harness, "logs");
    // More lines than the screen holds, so new ones would scroll a following view.
    let older: Vec<(Arc<str>, String)> = (0..40)
        .map(|n| (Arc::from("kustomize-controller"), ks_line("apps", "info", &format!("older line {n}"), 600 - n)))
        .collect();
    feed(&mut harness, &older);
    feed(&mut harness, &controller_lines());
    harness.press("ctrl-s");
    let before = harness.render();
    let more: Vec<(Arc<str>, String)> = (0..30)
        .map(|n| (Arc::from("kustomize-controller"), ks_line("apps", "info", &format!("new line {n}"), -n)))
        .collect();
    feed(&mut harness, &more);
    let after = harness.render();
    assert!(after.contains("+30 new"), "{after}");
    assert!(!after.contains("new line 0"), "a paused view does not move:\n{after}");
    let body = |screen: &str| screen.lines().skip(5).take(32).map(str::to_string).collect::<Vec<_>>();
    assert_eq!(body(&before), body(&after));
    snapshot("logs_paused", after);
    // Resuming shows the newest lines and clears the counter.
    harness.press("ctrl-s");
    let resumed = harness.render();
    assert!(resumed.contains("new line 29") && resumed.contains("following"), "{resumed}");
    assert!(!resumed.contains("+30 new"));
}

#[test]
fn the_level_filter_cycles() {
    let mut harness = Harness::demo();
    command(&mut harness, "logs");
    feed(&mut harness, &controller_lines());
    harness.press("ctrl-l ctrl-l ctrl-l");
    let screen = harness.render();
    assert!(screen.contains("<level error>"), "{screen}");
    assert!(!screen.contains("Reconciliation finished") && screen.contains("health check failed"), "{screen}");
    snapshot("logs_level_error", screen);
    harness.press("ctrl-l");
    assert!(!harness.render().contains("<level"));
}

#[test]
fn search_highlights_and_jumps_between_matches() {
    let mut harness = Harness::demo();
    command(&mut harness, "logs");
    feed(&mut harness, &controller_lines());
    harness.press("/");
    harness.type_text("Apply");
    harness.press("enter");
    let buffer = harness.buffer();
    let text = super::harness::buffer_text(&buffer);
    assert!(text.contains("</apply> 2 matches"), "{text}");
    let (row, line) = text.lines().enumerate().find(|(_, line)| line.contains("server-side apply completed")).unwrap();
    let column = line.find("apply completed").map(|byte| line[..byte].chars().count()).unwrap() as u16;
    assert_eq!(buffer[(column, row as u16)].bg, harness.theme().selected.bg.unwrap_or_default());
    snapshot("logs_search", text);
    let first = match harness.state.stack.last() {
        Some(Screen::Logs(view)) => view.current_match,
        _ => None,
    };
    harness.press("tab");
    let second = match harness.state.stack.last() {
        Some(Screen::Logs(view)) => view.current_match,
        _ => None,
    };
    assert_ne!(first, second);
    harness.press("tab");
    let third = match harness.state.stack.last() {
        Some(Screen::Logs(view)) => view.current_match,
        _ => None,
    };
    assert_eq!(first, third, "the search wraps around");
}

#[test]
fn long_lines_wrap() {
    let mut harness = Harness::demo();
    command(&mut harness, "logs");
    feed(&mut harness, &controller_lines());
    harness.resize(80, 24);
    harness.press("w");
    let screen = harness.render();
    assert!(screen.contains("wrap"));
    snapshot("logs_wrapped", screen);
}

#[test]
fn a_burst_larger_than_the_limit_keeps_only_the_newest() {
    let mut harness = Harness::demo();
    harness.state.log_line_limit = 100;
    command(&mut harness, "logs");
    let (stream, target) = open_view(&harness);
    // A feed as the followers use, its batches received as the loop receives them.
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let mut feed = LogFeed::new(stream, target.filter(), 100, tx);
    let source: Arc<str> = Arc::from("kustomize-controller");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        for n in 0..5_000 {
            feed.push(&source, &ks_line("apps", "info", &format!("burst {n}"), 0), None);
            if feed.due() {
                feed.flush().await.unwrap();
                update::on_live_update(&mut harness.state, rx.recv().await.unwrap());
            }
        }
        feed.flush().await.unwrap();
        while let Ok(batch) = rx.try_recv() {
            update::on_live_update(&mut harness.state, batch);
        }
    });
    let Some(Screen::Logs(view)) = harness.state.stack.last() else { unreachable!() };
    assert_eq!(view.buffer.len(), 100);
    assert_eq!(view.buffer.lines().back().unwrap().message, "burst 4999");
    let screen = harness.render();
    assert!(screen.contains("4900 older lines dropped (limit 100)"), "{screen}");
}

#[test]
fn save_hands_the_lines_to_the_loop() {
    let mut harness = Harness::demo();
    command(&mut harness, "logs");
    harness.press("ctrl-w");
    assert!(harness.render().contains("no lines to save yet"));
    feed(&mut harness, &controller_lines());
    harness.press("ctrl-w");
    let Some(Effect::SaveLogs { lines, .. }) = harness.effects.last() else { panic!("{:?}", harness.effects.last()) };
    let text = update::logs::saved_text(lines);
    assert_eq!(text.lines().count(), 8);
    assert!(text.contains("Kustomization/flux-system/apps Reconciliation finished"), "{text}");
    assert!(!text.contains('\u{1b}'));
}
