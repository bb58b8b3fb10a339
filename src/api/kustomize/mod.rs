//! The `kustomize.toolkit.fluxcd.io` kinds.
//!
//! One module per kind; every type is re-exported here, so `crate::api::kustomize::<Type>` names any of them.

pub mod kustomization;

pub use kustomization::*;
