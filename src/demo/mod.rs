//! The demo cluster's content: Flux objects as a real fleet has them (modelled on a platform team's
//! fleet repository with infrastructure, apps and tenants), with the statuses Flux's controllers would have
//! written, so every view has something true to show before the embedded controllers run them for real.
//!
//! The same objects feed the UI snapshots, and [`scaled_objects`] generates thousands for the benchmarks.

mod controller_logs;
mod dependencies;
mod objects;
pub mod repository;
mod scale;

pub use controller_logs::log_script;
pub use dependencies::dependency_fleet;

pub use objects::{controller_deployments, flux_objects, namespaces};
pub use scale::scaled_objects;
