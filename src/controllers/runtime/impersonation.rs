//! Clients that act as a ServiceAccount, as kustomize-controller's impersonator builds them for
//! `spec.serviceAccountName` (and its `--default-service-account`): the engine's own client with an
//! `Impersonate-User: system:serviceaccount:<namespace>:<name>` header on every request, so the API server
//! authorizes the apply, health checks and prune as that account. One client per account, kept for the life of
//! the engine.

use std::collections::HashMap;
use std::sync::Mutex;

use hyper::header::{HeaderName, HeaderValue};
use kube::Client;
use kube::client::Body;

const IMPERSONATE_USER: HeaderName = HeaderName::from_static("impersonate-user");

/// The user name of a ServiceAccount, as the API server authenticates it.
pub fn service_account_user(namespace: &str, name: &str) -> String {
    format!("system:serviceaccount:{namespace}:{name}")
}

/// Why no client could be built for an account.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid service account name '{user}': not usable as an impersonation header")]
pub struct ImpersonationError {
    pub user: String,
}

/// The impersonating clients built so far, by (namespace, ServiceAccount name).
#[derive(Default)]
pub struct ImpersonatedClients {
    clients: Mutex<HashMap<(String, String), Client>>,
}

impl ImpersonatedClients {
    /// The client acting as `namespace/name`, built on `base` the first time it is asked for. Must run inside the
    /// tokio runtime (a kube client spawns its request buffer).
    pub fn client(&self, base: &Client, namespace: &str, name: &str) -> Result<Client, ImpersonationError> {
        let key = (namespace.to_string(), name.to_string());
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(client) = clients.get(&key) {
            return Ok(client.clone());
        }
        let client = impersonating(base.clone(), &service_account_user(namespace, name))?;
        clients.insert(key, client.clone());
        Ok(client)
    }
}

/// `base` with the impersonation header added to each request; authentication, TLS and the server address stay
/// `base`'s, so no kubeconfig is read again.
fn impersonating(base: Client, user: &str) -> Result<Client, ImpersonationError> {
    let header = HeaderValue::from_str(user).map_err(|_| ImpersonationError { user: user.to_string() })?;
    let namespace = base.default_namespace().to_string();
    let service = tower::service_fn(move |mut request: hyper::Request<Body>| {
        let base = base.clone();
        request.headers_mut().insert(IMPERSONATE_USER, header.clone());
        async move { base.send(request).await }
    });
    Ok(Client::new(service, namespace))
}
