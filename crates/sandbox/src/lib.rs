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
pub mod protobuf;
pub mod registry;
pub mod store;

pub use config::SandboxConfig;
pub use error::{ApiError, Cause};
pub mod resources;

/// The Kubernetes version the sandbox reports (kubectl's skew policy is checked against it).
pub const KUBERNETES_VERSION: &str = "v1.32.0";
pub mod server;
pub mod workloads;

pub use server::{FaultSettings, Sandbox, SandboxError};
