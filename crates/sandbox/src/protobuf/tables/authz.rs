//! Message schemas of authorization.k8s.io/v1: the self-reviews `kubectl auth can-i` sends.
//!
//! Field numbers come from the group's `generated.proto`; JSON names, `omitempty` and pointer-ness from
//! the Go struct tags and field types. The notation is described in `schema.rs`.

pub(super) const AUTHZ: &[&str] = &[
    "FieldSelectorAttributes: rawSelector=1:s requirements=2:[meta.FieldSelectorRequirement]",
    "LabelSelectorAttributes: rawSelector=1:s requirements=2:[meta.LabelSelectorRequirement]",
    "NonResourceAttributes: path=1:s verb=2:s",
    "NonResourceRule: verbs=1:[s]! nonResourceURLs=2:[s]",
    "ResourceAttributes: namespace=1:s verb=2:s group=3:s version=4:s resource=5:s subresource=6:s name=7:s \
        fieldSelector=8:FieldSelectorAttributes* labelSelector=9:LabelSelectorAttributes*",
    "ResourceRule: verbs=1:[s]! apiGroups=2:[s] resources=3:[s] resourceNames=4:[s]",
    "SelfSubjectAccessReview: metadata=1:meta.ObjectMeta spec=2:SelfSubjectAccessReviewSpec \
        status=3:SubjectAccessReviewStatus",
    "SelfSubjectAccessReviewSpec: resourceAttributes=1:ResourceAttributes* \
        nonResourceAttributes=2:NonResourceAttributes*",
    "SelfSubjectRulesReview: metadata=1:meta.ObjectMeta spec=2:SelfSubjectRulesReviewSpec \
        status=3:SubjectRulesReviewStatus",
    "SelfSubjectRulesReviewSpec: namespace=1:s",
    "SubjectAccessReviewStatus: allowed=1:b! denied=4:b reason=2:s evaluationError=3:s",
    "SubjectRulesReviewStatus: resourceRules=1:[ResourceRule]! nonResourceRules=2:[NonResourceRule]! \
        incomplete=3:b! evaluationError=4:s",
];
