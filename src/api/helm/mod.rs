//! The `helm.toolkit.fluxcd.io` kinds.
//!
//! One module per kind; every type is re-exported here, so `crate::api::helm::<Type>` names any of them.

pub mod helm_release;

pub use helm_release::*;
