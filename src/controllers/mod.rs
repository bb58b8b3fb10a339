//! The embedded Flux engine: reconcilers for the Flux kinds, running against any API server, the embedded
//! sandbox included.
//!
//! The engine is being built from the bottom up. What exists: [`storage`], the artifact storage with its HTTP
//! server; the first stage of [`git_repository`]: the checkout (refs, auth, revisions) and the ignore rules; the
//! first stage of [`oci_repository`]: the pull from a registry (refs, auth, layers); and [`semver_tags`], the
//! semver ranges both follow tags with.
//! Still to come: the shared runtime (context, leader election, metrics, the event recorder and the status
//! writer), `conditions` (the only code that knows how Ready is derived), the reconcilers, and then one module
//! per kind (`kustomization`, `helm_release`, ...). A kind with several stages becomes a directory with
//! its reconcile entry, a watches module and one module per stage.
//!
//! The engine never uses [`crate::app`] or [`crate::views`]: the TUI and the engine share only the cluster
//! stores below them.

pub mod git_repository;
pub mod oci_repository;
pub mod semver_tags;
pub mod storage;
