//! The `source.toolkit.fluxcd.io` kinds, plus ArtifactGenerator from `source.extensions.fluxcd.io`.
//!
//! One module per kind; every type is re-exported here, so `crate::api::source::<Type>` names any of them.

pub mod artifact_generator;
pub mod bucket;
pub mod external_artifact;
pub mod git_repository;
pub mod helm_chart;
pub mod helm_repository;
pub mod oci_repository;

pub use artifact_generator::*;
pub use bucket::*;
pub use external_artifact::*;
pub use git_repository::*;
pub use helm_chart::*;
pub use helm_repository::*;
pub use oci_repository::*;
