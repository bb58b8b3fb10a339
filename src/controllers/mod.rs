//! The embedded Flux engine: reconcilers for the Flux kinds, running against any API server, the embedded
//! sandbox included.
//!
//! Nothing lives here yet: the engine arrives in a later release. When it does, this module holds the shared
//! runtime first (context, leader election, metrics, the event recorder and the status writer), `conditions`
//! (the only code that knows how Ready is derived), artifact storage with its HTTP server, and then one module
//! per kind (`git_repository`, `kustomization`, `helm_release`, ...). A kind with several stages becomes a
//! directory with its reconcile entry, a watches module and one module per stage.
//!
//! The engine never uses [`crate::app`] or [`crate::views`]: the TUI and the engine share only the cluster
//! stores below them.
pub mod git_repository;
