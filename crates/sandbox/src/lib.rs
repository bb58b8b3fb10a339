// The crate's documentation is its README (which says what the sandbox serves, and whose example is compiled
// as a doctest through this attribute); the entry point is `Sandbox`.
#![doc = include_str!("../README.md")]

pub mod config;
pub mod error;
pub mod patch;
pub mod protobuf;
pub mod rbac;
pub mod registry;
pub mod resources;
pub mod schema;
pub mod server;
pub mod store;
pub mod table;
pub mod workloads;

#[cfg(test)]
mod test_support;

pub use config::SandboxConfig;
pub use error::{ApiError, Cause};
pub use server::{FaultSettings, LOG_SCRIPT_ANNOTATION, Sandbox, SandboxError, TAP_HISTORY};

/// The Kubernetes version the sandbox reports (kubectl's skew policy is checked against it).
pub const KUBERNETES_VERSION: &str = "v1.32.0";
