//! RBAC pre-checks: before a write, a SelfSubjectAccessReview asks the API server whether the user's credentials
//! may make it (as `kubectl auth can-i` does), so a forbidden write is refused with a clear message instead of
//! being sent. Answers are cached for the session (one connection), since RBAC rarely changes under a user.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use k8s_openapi::api::authorization::v1::{ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec};
use kube::Client;
use kube::api::{Api, PostParams};

use crate::api::FluxKind;

/// One question: may I `verb` `resource`.`group` in `namespace`?
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccessQuestion {
    pub verb: &'static str,
    pub kind: FluxKind,
    pub namespace: String,
}

impl AccessQuestion {
    /// The refusal users read: "your credentials may not patch kustomizations in flux-system".
    pub fn refusal(&self) -> String {
        format!(
            "your credentials may not {} {} in {} (RBAC: {}.{})",
            self.verb,
            self.kind.plural(),
            self.namespace,
            self.kind.plural(),
            self.kind.group()
        )
    }
}

/// The answers of one session. Cloning shares the cache.
#[derive(Debug, Clone, Default)]
pub struct AccessCache {
    answers: Arc<Mutex<HashMap<AccessQuestion, bool>>>,
}

impl AccessCache {
    /// Whether the write is allowed. A review that cannot be made (an old server, a proxy that refuses it) is
    /// not a refusal: the write is sent, and its own 403, if any, is reported.
    pub async fn allowed(&self, client: Client, question: &AccessQuestion) -> bool {
        if let Some(answer) = self.lock().get(question) {
            return *answer;
        }
        let review = SelfSubjectAccessReview {
            spec: SelfSubjectAccessReviewSpec {
                resource_attributes: Some(ResourceAttributes {
                    verb: Some(question.verb.to_string()),
                    group: Some(question.kind.group().to_string()),
                    resource: Some(question.kind.plural().to_string()),
                    namespace: Some(question.namespace.clone()),
                    ..ResourceAttributes::default()
                }),
                ..SelfSubjectAccessReviewSpec::default()
            },
            ..SelfSubjectAccessReview::default()
        };
        let answer = match Api::<SelfSubjectAccessReview>::all(client).create(&PostParams::default(), &review).await {
            Ok(review) => review.status.map(|status| status.allowed).unwrap_or(true),
            Err(error) => {
                tracing::warn!(%error, "cannot ask a SelfSubjectAccessReview; sending the write unchecked");
                return true;
            }
        };
        self.lock().insert(question.clone(), answer);
        answer
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<AccessQuestion, bool>> {
        // A panic while holding the lock cannot leave the map half-written: inserts are single calls.
        self.answers.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
