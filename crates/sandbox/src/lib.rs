//! # fluxtui-sandbox
//!
//! An embedded Kubernetes API server, faithful enough that kubectl, helm and kube-rs accept it:
//! discovery, CRUD with Kubernetes semantics, watches, every patch type including server-side
//! apply, CRDs served the moment they are created, OpenAPI, tables, and a small workload
//! simulation so that health checks mean something.
//!
//! It is fluxtui's embedded default cluster (`fluxtui sandbox`, `fluxtui demo`) and the backbone
//! of the project's tests.

pub mod config;
pub mod error;
pub mod patch;
pub mod protobuf;
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
pub use server::{FaultSettings, Sandbox, SandboxError};

/// The Kubernetes version the sandbox reports (kubectl's skew policy is checked against it).
pub const KUBERNETES_VERSION: &str = "v1.32.0";
