//! The engine's Prometheus metrics, named as Flux's controllers name them (SEMANTICS.md §10):
//! `gotk_reconcile_duration_seconds{kind,name,namespace}` (10 exponential buckets from 10ms to 1800s) and
//! controller-runtime's `controller_runtime_reconcile_total{controller,result}` and
//! `controller_runtime_reconcile_errors_total{controller}`. Served as text on `/metrics` when the engine is given
//! a metrics address.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use tokio::task::JoinHandle;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ObjectLabels {
    kind: String,
    name: String,
    namespace: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabels {
    controller: String,
    result: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ControllerLabels {
    controller: String,
}

/// Flux's buckets: 10 exponential from 10ms to 1800s (10ms * f^9 = 1800s).
fn duration_histogram() -> Histogram {
    let factor = (1800.0f64 / 0.01).powf(1.0 / 9.0);
    Histogram::new(exponential_buckets(0.01, factor, 10))
}

/// The engine's metrics; cheap to share.
pub struct Metrics {
    registry: Registry,
    durations: Family<ObjectLabels, Histogram, fn() -> Histogram>,
    reconciles: Family<ResultLabels, Counter>,
    errors: Family<ControllerLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let durations =
            Family::<ObjectLabels, Histogram>::new_with_constructor(duration_histogram as fn() -> Histogram);
        let reconciles = Family::<ResultLabels, Counter>::default();
        let errors = Family::<ControllerLabels, Counter>::default();
        let mut registry = Registry::default();
        registry.register(
            "gotk_reconcile_duration_seconds",
            "The duration in seconds of a GitOps Toolkit resource reconciliation",
            durations.clone(),
        );
        registry.register(
            "controller_runtime_reconcile",
            "Total number of reconciliations per controller",
            reconciles.clone(),
        );
        registry.register(
            "controller_runtime_reconcile_errors",
            "Total number of reconciliation errors per controller",
            errors.clone(),
        );
        Metrics { registry, durations, reconciles, errors }
    }

    /// Records one reconcile of `kind` `namespace/name` that took `took`; `failed` is a reconcile error (not a
    /// stage failure written to the status, which ends the reconcile normally).
    pub fn observe(&self, kind: &str, namespace: &str, name: &str, took: Duration, failed: bool) {
        let labels = ObjectLabels { kind: kind.to_string(), name: name.to_string(), namespace: namespace.to_string() };
        self.durations.get_or_create(&labels).observe(took.as_secs_f64());
        let controller = kind.to_lowercase();
        let result = if failed { "error" } else { "success" };
        self.reconciles
            .get_or_create(&ResultLabels { controller: controller.clone(), result: result.to_string() })
            .inc();
        if failed {
            self.errors.get_or_create(&ControllerLabels { controller }).inc();
        }
    }

    /// The OpenMetrics text of every metric.
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        text
    }
}

/// The `/metrics` endpoint.
pub struct MetricsServer {
    address: SocketAddr,
    task: JoinHandle<()>,
}

impl MetricsServer {
    pub async fn start(metrics: Arc<Metrics>, address: SocketAddr) -> std::io::Result<MetricsServer> {
        let listener = tokio::net::TcpListener::bind(address).await?;
        let address = listener.local_addr()?;
        let app = Router::new().route("/metrics", get(serve)).with_state(metrics);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(MetricsServer { address, task })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }
}

impl Drop for MetricsServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(State(metrics): State<Arc<Metrics>>) -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], metrics.render())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconciles_are_counted_and_timed_with_flux_names() {
        let metrics = Metrics::new();
        metrics.observe("GitRepository", "flux-system", "podinfo", Duration::from_millis(250), false);
        metrics.observe("GitRepository", "flux-system", "podinfo", Duration::from_millis(50), true);
        let text = metrics.render();
        assert!(text.contains("gotk_reconcile_duration_seconds_count{kind=\"GitRepository\",name=\"podinfo\",namespace=\"flux-system\"} 2"), "{text}");
        assert!(
            text.contains("controller_runtime_reconcile_total{controller=\"gitrepository\",result=\"success\"} 1"),
            "{text}"
        );
        assert!(text.contains("controller_runtime_reconcile_errors_total{controller=\"gitrepository\"} 1"), "{text}");
        assert!(text.contains("le=\"1800.0") || text.contains("le=\"1799.99"), "{text}");
    }
}
