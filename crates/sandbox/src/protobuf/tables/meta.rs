//! Message schemas of meta/v1 (`k8s.io/apimachinery/pkg/apis/meta/v1`).
//!
//! Field numbers come from the group's `generated.proto`; JSON names, `omitempty` and pointer-ness from
//! the Go struct tags and field types. The notation is described in `schema.rs`.

pub(super) const META: &[&str] = &[
    "Condition: type=1:s! status=2:s! observedGeneration=3:i64 lastTransitionTime=4:Time reason=5:s! message=6:s!",
    "DeleteOptions: gracePeriodSeconds=1:i64* preconditions=2:Preconditions* orphanDependents=3:b* \
        propagationPolicy=4:s* dryRun=5:[s] ignoreStoreReadErrorWithClusterBreakingPotential=6:b*",
    "LabelSelector: matchLabels=1:{s:s} matchExpressions=2:[LabelSelectorRequirement]",
    "FieldSelectorRequirement: key=1:s! operator=2:s! values=3:[s]",
    "LabelSelectorRequirement: key=1:s! operator=2:s! values=3:[s]",
    "ListMeta: selfLink=1:s resourceVersion=2:s continue=3:s remainingItemCount=4:i64*",
    "ManagedFieldsEntry: manager=1:s operation=2:s apiVersion=3:s time=4:Time* fieldsType=6:s fieldsV1=7:FieldsV1* \
        subresource=8:s",
    "ObjectMeta: name=1:s generateName=2:s namespace=3:s selfLink=4:s uid=5:s resourceVersion=6:s generation=7:i64 \
        creationTimestamp=8:Time deletionTimestamp=9:Time* deletionGracePeriodSeconds=10:i64* labels=11:{s:s} \
        annotations=12:{s:s} ownerReferences=13:[OwnerReference] finalizers=14:[s] \
        managedFields=17:[ManagedFieldsEntry]",
    "OwnerReference: kind=1:s! name=3:s! uid=4:s! apiVersion=5:s! controller=6:b* blockOwnerDeletion=7:b*",
    "Preconditions: uid=1:s* resourceVersion=2:s*",
    "Status: metadata=1:ListMeta status=2:s message=3:s reason=4:s details=5:StatusDetails* code=6:i32",
    "StatusCause: reason=1:s message=2:s field=3:s",
    "StatusDetails: name=1:s group=2:s kind=3:s causes=4:[StatusCause] retryAfterSeconds=5:i32 uid=6:s",
];
