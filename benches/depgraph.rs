//! The dependency graph's layout time: `cargo bench --bench depgraph` (release build, no criterion).
//!
//! Builds `fluxtui::demo::dependency_fleet` (a binary tree of Kustomizations over ten namespaces with extra
//! cross-namespace edges) at 1,000 and 10,000 objects into rows, then times, over `RUNS` runs after one warm-up:
//! building and laying out the whole graph, focusing it on one deep node, explaining that node's blocking chain,
//! and drawing one 120x40 frame of the graph screen scrolled to the middle. Then the same fleet with a `readyExpr`
//! on every `dependsOn` entry (three distinct expressions): building with a cold and a warm compile cache, and
//! explaining the deepest node's chain, which evaluates the expressions. Prints median and max; nothing is
//! asserted. Results go to BENCHMARKS.md by hand.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use fluxtui::api::{AnyFluxObject, FluxKind};
use fluxtui::app::config::ConfigDirs;
use fluxtui::app::state::AppState;
use fluxtui::app::theme::load_theme;
use fluxtui::app::update;
use fluxtui::cluster::{ClusterEvent, FluxStores, KindState};
use fluxtui::model::Row;
use fluxtui::model::cel::ReadyExprCache;
use fluxtui::model::depgraph::{DepGraph, SourceRevisions};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const RUNS: usize = 20;

/// The expressions Flux users write most: the Ready condition, the generation, a label.
const READY_EXPRS: [&str; 3] = [
    "dep.status.conditions.filter(c, c.type == 'Ready').all(c, c.status == 'True')",
    "dep.metadata.generation == dep.status.observedGeneration",
    "!has(dep.metadata.labels) || !('skip' in dep.metadata.labels)",
];

/// The fleet with a readyExpr on every dependsOn entry, the expressions taken in turn.
fn with_ready_exprs(values: &[serde_json::Value]) -> Vec<Arc<Row>> {
    values
        .iter()
        .enumerate()
        .map(|(index, value)| {
            let mut value = value.clone();
            if let Some(entries) = value["spec"]["dependsOn"].as_array_mut() {
                for (position, entry) in entries.iter_mut().enumerate() {
                    entry["readyExpr"] = serde_json::json!(READY_EXPRS[(index + position) % READY_EXPRS.len()]);
                }
            }
            Arc::new(Row::new(FluxKind::Kustomization, Arc::new(AnyFluxObject::from_value(value))))
        })
        .collect()
}

fn time(label: &str, mut run: impl FnMut()) {
    run();
    let mut samples: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .collect();
    samples.sort();
    println!("{label:<48} median {:>10.3?}  max {:>10.3?}", samples[RUNS / 2], samples[RUNS - 1]);
}

fn main() {
    for count in [1_000, 10_000] {
        let now = Utc::now();
        let values = fluxtui::demo::dependency_fleet(count, now);
        let rows: Vec<Arc<Row>> = values
            .iter()
            .map(|value| {
                Arc::new(Row::new(FluxKind::Kustomization, Arc::new(AnyFluxObject::from_value(value.clone()))))
            })
            .collect();
        println!("{count} Kustomizations");
        time("  build + layout (every graph)", || {
            std::hint::black_box(DepGraph::build(&rows));
        });
        let graph = DepGraph::build(&rows);
        let deep = graph.nodes.iter().max_by_key(|node| node.layer).map(|node| node.key.clone()).expect("nodes");
        time("  focus on the deepest node", || {
            std::hint::black_box(graph.focused_on(&deep));
        });
        let node = graph.find(&deep).expect("the deep node");
        let sources = SourceRevisions::new();
        time("  explain its blocking chain", || {
            std::hint::black_box(graph.explain(node, &sources));
        });

        let expr_rows = with_ready_exprs(&values);
        time("  readyExpr everywhere: build, cold cache", || {
            std::hint::black_box(DepGraph::build_with(&expr_rows, &mut ReadyExprCache::default(), false));
        });
        let mut cache = ReadyExprCache::default();
        time("  readyExpr everywhere: build, warm cache", || {
            std::hint::black_box(DepGraph::build_with(&expr_rows, &mut cache, false));
        });
        let expr_graph = DepGraph::build_with(&expr_rows, &mut cache, false);
        let expr_node = expr_graph.find(&deep).expect("the deep node");
        time("  readyExpr everywhere: explain (evaluates)", || {
            std::hint::black_box(expr_graph.explain(expr_node, &sources));
        });

        let (theme, _) = load_theme("default", &ConfigDirs::none());
        let objects = values.into_iter().map(AnyFluxObject::from_value);
        let mut state = AppState::new(FluxStores::from_objects(objects), theme, now);
        update::on_cluster_event(
            &mut state,
            ClusterEvent::KindStateChanged(FluxKind::Kustomization, KindState::Synced { version: "v1".to_string() }),
        );
        update::on_cluster_event(&mut state, ClusterEvent::StoreChanged(FluxKind::Kustomization));
        update::refresh_stale_kinds(&mut state);
        update::show_dependency_graph(&mut state, true);
        for _ in 0..(count / 2 / 36) {
            update::apply(&mut state, fluxtui::app::action::Action::PageDown);
        }
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("test terminal");
        time("  draw one 120x40 frame (scrolled to the middle)", || {
            terminal.draw(|frame| fluxtui::views::draw(frame, &state)).expect("draw");
        });
        time("  rebuild after a Kustomization change", || {
            update::on_cluster_event(&mut state, ClusterEvent::StoreChanged(FluxKind::Kustomization));
            update::refresh_stale_kinds(&mut state);
        });
    }
}
