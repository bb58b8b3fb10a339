//! The embedded Flux engine: reconcilers for the Flux kinds, running against any API server, the embedded
//! sandbox included.
//!
//! - [`names`]: Flux's condition types, reasons, annotations, finalizer and field managers, spelled once.
//! - [`conditions`]: the only code that knows how Ready is derived (begin, summarize, the kstatus check).
//! - [`runtime`]: the engine itself ([`runtime::Engine`]): context, the kube-rs `Controller` per kind
//!   (`driver`), the status writer and finalizer (`patch`), the event recorder, JSON logs in Flux's format,
//!   backoff, leader election on a Lease, the ownership rules, and the reconcile all source kinds share
//!   (`source`).
//! - [`storage`]: artifact storage with its HTTP server; [`artifact_fetch`]: an artifact for a consumer outside the
//!   engine that stored it (the diff), from local storage, over HTTP or through the API server's service proxy.
//! - one module per kind: [`git_repository`] (checkout, ignore rules, the reconciler's stages),
//!   [`helm_repository`] (index fetch and chart lookup), [`helm_chart`] (chart pull, packaging from a
//!   directory, values files), [`bucket`] (S3 listing, the etag revision, the download); [`semver_range`]
//!   (Masterminds ranges) is shared by Git, OCI and Helm; [`semver_tags`] picks the highest tag in a range;
//!   [`oci_repository`] (the pull from a registry: refs, auth, layers); [`artifact_generator`] (source-watcher's
//!   ExternalArtifacts composed from other sources' files); [`kustomization`] (the Kustomization reconciler: build,
//!   apply, inventory, prune, health, dependsOn).
//!
//! The engine never uses [`crate::app`] or [`crate::views`]: the TUI and the engine share only the layers
//! below them.

pub mod artifact_fetch;
pub mod artifact_generator;
pub mod bucket;
pub mod conditions;
pub mod git_repository;
pub mod helm_chart;
pub mod helm_repository;
pub mod kustomization;
pub mod names;
pub mod oci_repository;
pub mod runtime;
pub mod semver_range;
pub mod semver_tags;
pub mod storage;
pub mod tls;

use std::sync::Arc;

use crate::api::FluxKind;
use runtime::context::Context;
use runtime::driver::KindRunner;

/// Every controller name the engine records events as.
pub const CONTROLLER_NAMES: [&str; 7] = [
    names::controller::SOURCE_CONTROLLER,
    names::controller::KUSTOMIZE_CONTROLLER,
    names::controller::HELM_CONTROLLER,
    names::controller::NOTIFICATION_CONTROLLER,
    names::controller::IMAGE_REFLECTOR_CONTROLLER,
    names::controller::IMAGE_AUTOMATION_CONTROLLER,
    names::controller::SOURCE_WATCHER,
];

/// The kinds the engine reconciles today.
pub const IMPLEMENTED_KINDS: [FluxKind; 7] = [
    FluxKind::GitRepository,
    FluxKind::OciRepository,
    FluxKind::HelmRepository,
    FluxKind::HelmChart,
    FluxKind::Bucket,
    FluxKind::ArtifactGenerator,
    FluxKind::Kustomization,
];

/// The runner of `kind`, or `None` for a kind the engine does not reconcile.
pub fn runner_for(kind: FluxKind, ctx: &Arc<Context>) -> Option<KindRunner> {
    match kind {
        FluxKind::GitRepository => Some(KindRunner {
            kind,
            reconcile: runtime::source::reconcile::<git_repository::reconcile::GitRepositoryKind>,
            triggers: Vec::new(),
        }),
        FluxKind::OciRepository => Some(KindRunner {
            kind,
            reconcile: runtime::source::reconcile::<oci_repository::reconcile::OciRepositoryKind>,
            triggers: Vec::new(),
        }),
        FluxKind::Bucket => Some(KindRunner {
            kind,
            reconcile: runtime::source::reconcile::<bucket::reconcile::BucketKind>,
            triggers: Vec::new(),
        }),
        FluxKind::HelmRepository => Some(KindRunner {
            kind,
            reconcile: runtime::source::reconcile::<helm_repository::reconcile::HelmRepositoryKind>,
            triggers: Vec::new(),
        }),
        FluxKind::HelmChart => Some(KindRunner {
            kind,
            reconcile: runtime::source::reconcile::<helm_chart::reconcile::HelmChartKind>,
            triggers: helm_chart::watches::source_triggers(ctx),
        }),
        FluxKind::ArtifactGenerator => Some(artifact_generator::runner(ctx)),
        FluxKind::Kustomization => Some(KindRunner {
            kind,
            reconcile: kustomization::reconcile::reconcile,
            triggers: kustomization::watches::source_triggers(ctx),
        }),
        _ => None,
    }
}
