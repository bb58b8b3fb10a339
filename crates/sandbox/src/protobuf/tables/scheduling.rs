//! Message schemas of scheduling.k8s.io/v1.
//!
//! Field numbers come from the group's `generated.proto`; JSON names, `omitempty` and pointer-ness from
//! the Go struct tags and field types. The notation is described in `schema.rs`.

pub(super) const SCHEDULING: &[&str] =
    &["PriorityClass: metadata=1:meta.ObjectMeta value=2:i32! globalDefault=3:b description=4:s \
        preemptionPolicy=5:s*"];
