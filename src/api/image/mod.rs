//! The `image.toolkit.fluxcd.io` kinds.
//!
//! One module per kind; every type is re-exported here, so `crate::api::image::<Type>` names any of them.

pub mod image_policy;
pub mod image_repository;
pub mod image_update_automation;

pub use image_policy::*;
pub use image_repository::*;
pub use image_update_automation::*;
