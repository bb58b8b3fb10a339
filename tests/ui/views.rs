//! Snapshots of every view at 120x40 and 80x24, in the states users meet: realistic, empty, loading, not
//! installed, forbidden, disconnected, errors, and 10,000 rows.

use fluxtui::api::{AnyFluxObject, FluxKind};
use fluxtui::cluster::{ClusterEvent, ConnectionState, KindState};

use super::harness::{Harness, fixed_now};

const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];

/// Snapshots the harness at both sizes, named `<name>_<width>x<height>`.
fn snapshot_sizes(name: &str, setup: impl Fn() -> Harness) {
    for (width, height) in SIZES {
        let mut harness = setup();
        harness.resize(width, height);
        let text = harness.render();
        insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"), prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(format!("{name}_{width}x{height}"), text);
        });
    }
}

/// The demo fleet after pressing `keys` (with the terminal already at its final size).
fn demo_after(keys: &'static str) -> impl Fn() -> Harness {
    move || {
        let mut harness = Harness::demo();
        harness.press(keys);
        harness
    }
}

#[test]
fn all_objects_is_the_default_view() {
    snapshot_sizes("all", demo_after(""));
}

#[test]
fn overview() {
    snapshot_sizes("overview", || {
        let mut harness = Harness::demo();
        harness.press(":");
        harness.type_text("overview");
        harness.press("enter");
        harness
    });
}

fn command(line: &'static str) -> impl Fn() -> Harness {
    move || {
        let mut harness = Harness::demo();
        harness.press(":");
        harness.type_text(line);
        harness.press("enter");
        harness
    }
}

#[test]
fn sources_with_tabs() {
    snapshot_sizes("sources", command("sources"));
    snapshot_sizes("sources_git_tab", || {
        let mut harness = command("sources")();
        harness.press("tab");
        harness
    });
}

#[test]
fn kustomizations() {
    snapshot_sizes("kustomizations", command("ks"));
}

#[test]
fn helm_releases() {
    snapshot_sizes("helmreleases", command("hr"));
}

#[test]
fn notifications() {
    snapshot_sizes("notifications", command("notifications"));
}

#[test]
fn image_automation() {
    snapshot_sizes("images", command("images"));
}

#[test]
fn describe_a_failing_kustomization() {
    snapshot_sizes("describe_kustomization", || {
        let mut harness = command("ks")();
        harness.press("/");
        harness.type_text("infra-configs");
        harness.press("enter d");
        harness
    });
}

#[test]
fn yaml_masks_secrets_until_revealed() {
    let open = || {
        let mut harness = command("hr")();
        harness.press("/");
        harness.type_text("podinfo");
        harness.press("enter y");
        harness
    };
    snapshot_sizes("yaml_helmrelease_masked", open);
    snapshot_sizes("yaml_helmrelease_revealed", move || {
        let mut harness = open();
        harness.press("x");
        harness
    });
    let masked = open().render();
    assert!(!masked.contains("s3cr3t-redis-pass"), "the password shows before reveal:\n{masked}");
}

#[test]
fn help_follows_the_keymap() {
    snapshot_sizes("help", demo_after("?"));
}

#[test]
fn filter_and_command_lines() {
    snapshot_sizes("filter_typing", || {
        let mut harness = Harness::demo();
        harness.press("/");
        harness.type_text("fail");
        harness
    });
    snapshot_sizes("command_completion", || {
        let mut harness = Harness::demo();
        harness.press(":");
        harness.type_text("kustomizat");
        harness
    });
}

#[test]
fn pickers() {
    snapshot_sizes("theme_picker", command("theme"));
    snapshot_sizes("context_picker", command("ctx"));
    snapshot_sizes("namespace_picker", command("ns"));
}

#[test]
fn favorites() {
    snapshot_sizes("favorites", || {
        let mut harness = Harness::demo();
        harness.press("j f j j f");
        harness.press(":");
        harness.type_text("fav");
        harness.press("enter");
        harness
    });
}

#[test]
fn one_namespace() {
    snapshot_sizes("namespace_flux_system", command("ns flux-system"));
}

#[test]
fn empty_cluster_with_flux_installed() {
    snapshot_sizes("empty", || Harness::with_objects(Vec::new()));
}

#[test]
fn flux_not_installed() {
    snapshot_sizes("not_installed", || {
        let mut harness = Harness::with_objects(Vec::new());
        for kind in FluxKind::ALL {
            harness.cluster(ClusterEvent::KindStateChanged(kind, KindState::NotInstalled));
        }
        harness.cluster(ClusterEvent::Info(Default::default()));
        harness
    });
}

#[test]
fn forbidden_kinds() {
    snapshot_sizes("forbidden", || {
        let mut harness = command("notifications")();
        for kind in [FluxKind::Alert, FluxKind::Provider, FluxKind::Receiver] {
            let message = format!(
                "{} is forbidden: User \"dev\" cannot list resource \"{}\" in API group \"{}\" at the cluster scope",
                kind.plural(),
                kind.plural(),
                kind.group()
            );
            harness.cluster(ClusterEvent::KindStateChanged(kind, KindState::NoAccess(message)));
            harness.state.stores.remove(kind);
            harness.cluster(ClusterEvent::StoreChanged(kind));
        }
        harness
    });
    snapshot_sizes("forbidden_in_all", || {
        let mut harness = Harness::demo();
        harness.cluster(ClusterEvent::KindStateChanged(FluxKind::Alert, KindState::NoAccess("forbidden".to_string())));
        harness.cluster(ClusterEvent::KindStateChanged(FluxKind::Bucket, KindState::NotInstalled));
        harness
    });
}

#[test]
fn loading() {
    snapshot_sizes("loading", || {
        let mut harness = Harness::with_objects(Vec::new());
        for kind in FluxKind::ALL {
            harness.cluster(ClusterEvent::KindStateChanged(kind, KindState::Loading { version: "v1".to_string() }));
        }
        harness
    });
}

#[test]
fn disconnected_banner_and_error_flash() {
    snapshot_sizes("disconnected", || {
        let mut harness = Harness::demo();
        harness.cluster(ClusterEvent::Connection(ConnectionState::Disconnected {
            error: "error trying to connect: tcp connect error: Connection refused (os error 111)".to_string(),
        }));
        harness
    });
    snapshot_sizes("unknown_command", command("nope"));
}

#[test]
fn an_object_that_does_not_fit_its_types() {
    snapshot_sizes("unparsed", || {
        let mut objects: Vec<AnyFluxObject> =
            fluxtui::demo::flux_objects(fixed_now()).into_iter().map(AnyFluxObject::from_value).collect();
        objects.push(AnyFluxObject::from_value(serde_json::json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": {"name": "hand-written", "namespace": "flux-system", "creationTimestamp": "2026-11-24T11:00:00Z"},
            "spec": {"interval": 5, "prune": "yes"}
        })));
        let mut harness = Harness::with_objects(objects);
        harness.press(":");
        harness.type_text("ks");
        harness.press("enter");
        harness
    });
}

fn ten_thousand() -> Harness {
    let objects = fluxtui::demo::scaled_objects(10_000, fixed_now()).into_iter().map(AnyFluxObject::from_value);
    Harness::with_objects(objects.collect())
}

#[test]
fn ten_thousand_rows() {
    snapshot_sizes("10k_top", ten_thousand);
    snapshot_sizes("10k_scrolled", || {
        let mut harness = ten_thousand();
        harness.press("ctrl-f ctrl-f ctrl-f j j");
        harness
    });
    snapshot_sizes("10k_bottom", || {
        let mut harness = ten_thousand();
        harness.press("G");
        harness
    });
}

#[test]
fn every_shipped_theme_draws_the_main_table() {
    let (_dir, dirs) = super::harness::empty_dirs();
    for theme in fluxtui::app::theme::theme_names(&dirs) {
        let objects = fluxtui::demo::flux_objects(fixed_now()).into_iter().map(AnyFluxObject::from_value);
        let mut harness = Harness::with_theme(objects.collect(), &theme);
        harness.resize(120, 40);
        // The buffer's Debug output lists the style runs, so colours are part of this snapshot.
        let buffer = harness.buffer();
        insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"), prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(format!("theme_{theme}"), format!("{buffer:?}"));
        });
    }
}

#[test]
fn tiny_and_huge_terminals_draw_without_panicking() {
    for (width, height) in [(1, 1), (10, 3), (30, 8), (45, 15), (250, 70)] {
        for keys in ["", "d", "y", "?", "1", "3", "T", ": n s"] {
            let mut harness = Harness::demo();
            harness.resize(width, height);
            harness.press(keys);
            let text = harness.render();
            assert_eq!(text.lines().count(), height as usize, "{width}x{height} after {keys:?}");
        }
    }
}

#[test]
fn a_kind_whose_watch_fails() {
    snapshot_sizes("watch_failed", || {
        let mut harness = Harness::with_objects(Vec::new());
        harness.press(":");
        harness.type_text("hr");
        harness.press("enter");
        harness.cluster(ClusterEvent::KindStateChanged(
            FluxKind::HelmRelease,
            KindState::Failed("the server has received too many requests and has asked us to try again later".into()),
        ));
        harness
    });
}

#[test]
fn the_embedded_engine_in_the_header() {
    use fluxtui::app::engine::EngineStatus;
    snapshot_sizes("engine_running", || {
        let mut harness = Harness::demo();
        harness.state.engine = Some(EngineStatus::Running { kinds: 6 });
        harness
    });
    snapshot_sizes("engine_refused", || {
        let mut harness = Harness::demo();
        harness.state.engine = Some(EngineStatus::Failed(
            "Flux controllers are running in this cluster (flux-system/source-controller)".to_string(),
        ));
        harness
    });
    // A stopped engine is drawn in the warning style, a running one like the rest of the header.
    let mut harness = Harness::demo();
    harness.state.engine = Some(EngineStatus::Failed("lost".to_string()));
    harness.resize(120, 40);
    let buffer = harness.buffer();
    let row: String = (0..120).map(|x| buffer[(x, 2)].symbol().to_string()).collect();
    let at = row
        .find("Engine: stopped")
        .map(|at| at + "Engine: ".len())
        .expect("the engine's state on the third header line") as u16;
    assert_eq!(buffer[(at, 2)].style().fg, harness.theme().warning.fg);
}
