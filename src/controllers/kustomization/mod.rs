//! Kustomization: kustomize-controller's reconcile ([`reconcile`]) and its stages (SEMANTICS.md §4):
//!
//! - [`inputs`]: the source and its artifact, `dependsOn`, the postBuild variables;
//! - [`build`]: the artifact unpacked, `spec.path`, the generated kustomization and the spec's overrides, the
//!   kustomize build, postBuild substitution ([`substitute`]) and commonMetadata;
//! - [`watches`]: a source's new artifact revision wakes the Kustomizations using it, and so does a change to a
//!   watched ConfigMap or Secret they substitute from ([`config_watches`]);
//! - [`apply`]: staged server-side apply with field manager `kustomize-controller`, dry-run first, Flux's
//!   per-object actions and change-set lines, the `spec.ignore` paths left alone ([`ignore`]), fields of
//!   `kubectl` taken over first ([`field_managers`]);
//! - [`diff`]: what a reconcile would change now, without writing (`flux diff kustomization`), with
//!   [`diff_text`] (noise removed, secrets masked, a unified diff per object);
//! - [`inventory`]: `status.inventory` entries, parsed back, and the stale set;
//! - [`prune`]: deletion of stale objects this Kustomization still owns;
//! - [`health`]: kstatus per object and the wait for a set of objects, with [`health_exprs`] (`healthCheckExprs`);
//! - [`object`]: what they share (object identity, policies from labels/annotations, kind order, discovery).

pub mod apply;
pub mod build;
pub mod config_watches;
pub mod diff;
pub mod diff_text;
pub mod field_managers;
pub mod health;
pub mod health_exprs;
pub mod ignore;
pub mod inputs;
pub mod inventory;
pub mod object;
pub mod prune;
pub mod reconcile;
pub mod substitute;
pub mod watches;

pub use apply::{Action, ApplyError, ApplyOptions, Change, ChangeSet, apply_all};
pub use diff::{DiffError, DiffOptions, Drift, KustomizationDiff, ObjectDrift, diff_kustomization};
pub use health::{Health, Status, WaitOptions, compute, compute_with, wait_for_health};
pub use health_exprs::HealthExprs;
pub use inventory::{InventoryEntry, entry_of, inventory_of, parse_entry, stale};
pub use object::{ObjectId, Resolver, SsaPolicy};
pub use prune::{PruneResult, prune};
