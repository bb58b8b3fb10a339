//! Message schemas of policy/v1.
//!
//! Field numbers come from the group's `generated.proto`; JSON names, `omitempty` and pointer-ness from
//! the Go struct tags and field types. The notation is described in `schema.rs`.

pub(super) const POLICY: &[&str] = &[
    "Eviction: metadata=1:meta.ObjectMeta deleteOptions=2:meta.DeleteOptions*",
    "PodDisruptionBudget: metadata=1:meta.ObjectMeta spec=2:PodDisruptionBudgetSpec \
        status=3:PodDisruptionBudgetStatus",
    "PodDisruptionBudgetSpec: minAvailable=1:intstr.IntOrString* selector=2:meta.LabelSelector* \
        maxUnavailable=3:intstr.IntOrString* unhealthyPodEvictionPolicy=4:s*",
    "PodDisruptionBudgetStatus: observedGeneration=1:i64 disruptedPods=2:{s:meta.Time} disruptionsAllowed=3:i32! \
        currentHealthy=4:i32! desiredHealthy=5:i32! expectedPods=6:i32! conditions=7:[meta.Condition]",
];
