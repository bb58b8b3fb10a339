//! The diff screen of a Kustomization (`i`, `:diff`): computing, the drift with its summary, secrets masked until
//! revealed, coloured additions and removals, a recompute, an error, and a kind that has no diff. The diff itself
//! is the engine's (tested against the sandbox in tests/controllers_sources/kustomization_diff.rs); here its
//! result comes back through `update::on_insight_result` as the event loop would deliver it.

use std::sync::Arc;

use fluxtui::app::insight::{InsightRequest, InsightResult};
use fluxtui::app::update::{self, Effect};
use fluxtui::controllers::kustomization::{Drift, KustomizationDiff, ObjectDrift, ObjectId};
use serde_json::{Value, json};

use super::harness::Harness;

fn snapshot(name: &str, harness: &mut Harness) {
    let text = harness.render();
    insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

fn object(api_version: &str, kind: &str, name: &str, drift: Drift, message: &str) -> ObjectDrift {
    let id = ObjectId::of(&json!({"apiVersion": api_version, "kind": kind,
        "metadata": {"name": name, "namespace": "podinfo"}}))
    .expect("an id");
    ObjectDrift { id, drift, live: None, merged: None, message: message.to_string() }
}

fn drifted(api_version: &str, kind: &str, name: &str, live: Value, merged: Value) -> ObjectDrift {
    ObjectDrift { live: Some(live), merged: Some(merged), ..object(api_version, kind, name, Drift::Drifted, "") }
}

fn deployment(replicas: u32) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "podinfo", "namespace": "podinfo"},
        "spec": {"replicas": replicas, "template": {"spec": {"containers": [{"name": "podinfod", "image": "ghcr.io/stefanprodan/podinfo:6.5.0"}]}}}})
}

fn secret(token: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "podinfo-auth", "namespace": "podinfo"},
        "data": {"token": token, "user": "YWRtaW4="}})
}

fn the_diff() -> KustomizationDiff {
    KustomizationDiff {
        built_from: "main@sha1:5b2c1d9e".to_string(),
        objects: vec![
            object("v1", "ConfigMap", "podinfo-env", Drift::Unchanged, ""),
            drifted("v1", "Secret", "podinfo-auth", secret("b2xkLXRva2Vu"), secret("bmV3LXRva2Vu")),
            drifted("apps/v1", "Deployment", "podinfo", deployment(5), deployment(3)),
            object("v1", "Service", "podinfo-canary", Drift::Created, ""),
            object("v1", "ConfigMap", "podinfo-legacy", Drift::Pruned, ""),
            object("v1", "ConfigMap", "podinfo-manual", Drift::Skipped, "ssa: Ignore"),
        ],
    }
}

/// Opens the diff of the first Kustomization and returns its request number.
fn open(harness: &mut Harness) -> u64 {
    harness.press("4 i");
    match &harness.effects[..] {
        [Effect::Insight(InsightRequest::Diff { request, name, namespace })] => {
            assert!(!name.is_empty() && !namespace.is_empty());
            *request
        }
        other => panic!("expected one diff request, got {other:?}"),
    }
}

fn answer(harness: &mut Harness, request: u64, result: Result<KustomizationDiff, String>) {
    let effects =
        update::on_insight_result(&mut harness.state, InsightResult::Diff { request, result: result.map(Arc::new) });
    assert!(effects.is_empty());
}

#[test]
fn i_on_a_kustomization_shows_its_drift_with_secrets_masked_until_revealed() {
    let mut harness = Harness::demo();
    let request = open(&mut harness);
    snapshot("diff_computing", &mut harness);
    answer(&mut harness, request, Ok(the_diff()));
    let text = harness.render();
    assert!(text.contains("1 drifted") || text.contains("2 drifted, 1 created, 1 pruned"), "{text}");
    assert!(!text.contains("bmV3LXRva2Vu") && !text.contains("b2xkLXRva2Vu"), "a secret leaked:\n{text}");
    assert!(text.contains("[secrets masked]"), "{text}");
    snapshot("diff_120x40", &mut harness);

    // Additions and removals take the theme's colours.
    let buffer = harness.buffer();
    let theme = harness.theme().clone();
    let style_of = |needle: &str| {
        let text = fluxtui_text(&buffer);
        let (row, line) = text
            .lines()
            .enumerate()
            .find(|(_, line)| line.contains(needle))
            .unwrap_or_else(|| panic!("{needle} not on screen:\n{text}"));
        // Columns count characters: the frame's and the mask's are one cell each but several bytes.
        let column = line[..line.find(needle).unwrap_or(0)].chars().count();
        buffer[(column as u16, row as u16)].style()
    };
    assert_eq!(style_of("+  replicas: 3").fg, theme.ready.fg);
    assert_eq!(style_of("-  replicas: 5").fg, theme.failed.fg);

    harness.press("x");
    let text = harness.render();
    assert!(text.contains("+  token: bmV3LXRva2Vu") && text.contains("[secrets shown]"), "{text}");
    harness.resize(80, 24);
    snapshot("diff_revealed_80x24", &mut harness);

    // The diff key again computes it anew; the old result goes.
    harness.effects.clear();
    harness.press("i");
    assert!(
        matches!(&harness.effects[..], [Effect::Insight(InsightRequest::Diff { request: next, .. })] if *next > request)
    );
    assert!(harness.render().contains("computing the diff"));
}

#[test]
fn a_failed_diff_says_why_and_other_kinds_have_none() {
    let mut harness = Harness::demo();
    let request = open(&mut harness);
    answer(&mut harness, request, Err("the source has no artifact yet: GitRepository/flux-system/podinfo".into()));
    let text = harness.render();
    assert!(text.contains("the source has no artifact yet: GitRepository/flux-system/podinfo"), "{text}");
    let mut harness = Harness::demo();
    harness.press("3 i");
    assert!(harness.effects.iter().all(|e| !matches!(e, Effect::Insight(InsightRequest::Diff { .. }))));
    assert!(harness.render().contains("the diff needs a Kustomization"));
    // `:diff` is the same as the key.
    let mut harness = Harness::demo();
    harness.press("4 :");
    harness.type_text("diff");
    harness.press("enter");
    assert!(matches!(&harness.effects[..], [Effect::Insight(InsightRequest::Diff { .. })]), "{:?}", harness.effects);
}

/// The buffer's text, one line per row (as the harness renders it).
fn fluxtui_text(buffer: &ratatui::buffer::Buffer) -> String {
    super::harness::buffer_text(buffer)
}
