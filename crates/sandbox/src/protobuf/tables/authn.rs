//! Message schemas of authentication.k8s.io/v1.
//!
//! Field numbers come from the group's `generated.proto`; JSON names, `omitempty` and pointer-ness from
//! the Go struct tags and field types. The notation is described in `schema.rs`.

pub(super) const AUTHN: &[&str] = &[
    "BoundObjectReference: kind=1:s apiVersion=2:s name=3:s uid=4:s",
    "TokenRequest: metadata=1:meta.ObjectMeta spec=2:TokenRequestSpec status=3:TokenRequestStatus",
    "TokenRequestSpec: audiences=1:[s]! boundObjectRef=3:BoundObjectReference*! expirationSeconds=4:i64*!",
    "TokenRequestStatus: token=1:s! expirationTimestamp=2:meta.Time",
];
