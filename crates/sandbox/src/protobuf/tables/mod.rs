//! Schema tables, one file per API group (core/v1 in two), in the notation of `schema.rs`.
//!
//! They hold every message reachable from the kinds kubectl's typed clients send (the `create`
//! generators, `run`, `create token`, eviction, delete options), so a body never meets a message the
//! decoder does not know.

mod apps;
mod authn;
mod authz;
mod batch;
mod core;
mod core_pod;
mod meta;
mod networking;
mod policy;
mod rbac;
mod scheduling;

/// Package short name and its tables; message references use these short names (`meta.ObjectMeta`).
pub(super) const PACKAGES: &[(&str, &[&[&str]])] = &[
    ("core", &[core::CORE, core_pod::CORE_POD]),
    ("apps", &[apps::APPS]),
    ("batch", &[batch::BATCH]),
    ("rbac", &[rbac::RBAC]),
    ("networking", &[networking::NETWORKING]),
    ("policy", &[policy::POLICY]),
    ("scheduling", &[scheduling::SCHEDULING]),
    ("authn", &[authn::AUTHN]),
    ("authz", &[authz::AUTHZ]),
    ("meta", &[meta::META]),
];
