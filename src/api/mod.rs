//! Flux API types: one module per API group, plus the shared meta types.
//!
//! Every type keeps unknown fields (`extra`) and accepts every version Flux has served for its kind, so one
//! Rust type reads a v2.9 cluster and a v2.6 cluster alike. The field sets follow the CRD schemas of Flux v2.9
//! and of v2.6.4 (the last release serving every beta version), merged: a field only the legacy versions have is
//! documented as such, and every field is optional so that partial objects still parse.
//!
//! [`crd::custom_resource_definitions`] turns these types back into CRDs, for the sandbox and the demo.

pub mod crd;
pub mod helm;
pub mod image;
pub mod kind;
pub mod kustomize;
pub mod meta;
pub mod notification;
pub mod object;
pub mod references;
pub mod source;

pub use kind::{FluxKind, KindFamily};
pub use meta::{Artifact, Condition};
pub use object::{AnyFluxObject, FluxObject, FluxSpec, FluxStatus, UnparsedObject};
pub use references::ObjectReference;
