//! ArtifactGenerator (source-watcher): ExternalArtifacts composed from the artifacts of other sources.
//!
//! - [`reconcile`]: the entry (finalizer, suspend annotation, status, events, requeue);
//! - [`validation`]: the spec checks that stall a generator; [`sources`]: the sources observed and unpacked;
//!   [`drift`]: whether anything needs building;
//! - [`copy`] and [`merge`]: the copy operations and their strategies; [`build`]: one output artifact staged,
//!   hashed and stored;
//! - [`external_artifact`]: the ExternalArtifact objects written, found and deleted;
//! - [`watches`]: a source's new artifact wakes the generators that read it;
//! - [`error`]: the failures and their reasons.

pub mod build;
pub mod copy;
pub mod drift;
pub mod error;
pub mod external_artifact;
pub mod merge;
pub mod reconcile;
pub mod sources;
pub mod validation;
pub mod watches;

use std::sync::Arc;

use crate::api::FluxKind;
use crate::controllers::runtime::context::Context;
use crate::controllers::runtime::driver::KindRunner;

pub use error::GeneratorError;

/// The ArtifactGenerator runner: the reconcile and the source triggers.
pub fn runner(ctx: &Arc<Context>) -> KindRunner {
    KindRunner { kind: FluxKind::ArtifactGenerator, reconcile: reconcile::reconcile, triggers: watches::triggers(ctx) }
}
