//! Flux API types: one module per API group, plus the shared meta types.
//!
//! Every type keeps unknown fields (`extra`) and accepts every version Flux has served for its kind, so one
//! Rust type reads a v2.9 cluster and a v2.6 cluster alike.

pub mod helm;
pub mod image;
pub mod kind;
pub mod kustomize;
pub mod meta;
pub mod notification;
pub mod object;
pub mod source;

pub use kind::{FluxKind, KindFamily};
pub use meta::Condition;
pub use object::{AnyFluxObject, FluxObject, UnparsedObject};
