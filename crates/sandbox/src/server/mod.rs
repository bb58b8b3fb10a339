//! The HTTP front: one axum fallback handler that routes Kubernetes paths, checks tokens and
//! faults, and hands resource requests to the handlers.

mod access;
mod authorize;
mod discovery;
mod guard;
mod handlers;
mod http;
mod impersonation;
mod logs;
mod openapi;
mod route;
mod tls;
mod watch;

pub use guard::FaultSettings;
pub use logs::{LOG_SCRIPT_ANNOTATION, TAP_HISTORY};

use crate::config::SandboxConfig;
use crate::error::ApiError;
use crate::resources::ApiState;
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::response::Response;
use guard::{Caller, Faults};
use http::{error_response, json_response, json_value};
use route::Route;
use serde_json::json;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

/// State shared by every request.
pub struct Shared {
    pub state: Arc<ApiState>,
    pub faults: Faults,
    /// Flips once on shutdown so that open watch and log streams end.
    pub shutdown: tokio::sync::watch::Sender<bool>,
    pub addr: SocketAddr,
    pub openapi: openapi::Cache,
    /// Lines appended to containers' logs (`/sandbox/logs/...`).
    pub log_taps: logs::Taps,
    /// RBAC for impersonated identities, with the policy cached until an RBAC object changes.
    pub authorizer: crate::rbac::Authorizer,
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("cannot open the sandbox state")]
    State(#[from] ApiError),
    // The OS error is the source, shown once by whoever prints the chain.
    #[error("cannot listen on {addr}")]
    Listen { addr: SocketAddr, source: std::io::Error },
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
}

/// A running sandbox API server.
pub struct Sandbox {
    shared: Arc<Shared>,
    /// The CA clients must trust, when serving HTTPS.
    ca_pem: Option<String>,
    server: tokio::task::JoinHandle<()>,
    background: Vec<tokio::task::JoinHandle<()>>,
}

impl Sandbox {
    /// Opens the state, binds the listener and serves; returns once requests can be answered.
    pub async fn start(config: SandboxConfig) -> Result<Sandbox, SandboxError> {
        let listen = config.listen;
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|source| SandboxError::Listen { addr: listen, source })?;
        let addr = listener.local_addr().map_err(|source| SandboxError::Listen { addr: listen, source })?;
        let tls = if config.tls { Some(tls::load_or_create(config.state_dir.as_deref(), addr.ip())?) } else { None };
        let state = tokio::task::spawn_blocking(move || ApiState::open(config))
            .await
            .map_err(|e| ApiError::internal(e.to_string()))??;
        let (shutdown, _) = tokio::sync::watch::channel(false);
        let shared = Arc::new(Shared {
            state,
            faults: Faults::default(),
            shutdown,
            addr,
            openapi: openapi::Cache::default(),
            log_taps: logs::Taps::default(),
            authorizer: crate::rbac::Authorizer::default(),
        });
        let background = crate::workloads::spawn(shared.state.clone(), shared.shutdown.subscribe());
        let app = Router::new().fallback(dispatch).with_state(shared.clone());
        let mut stop = shared.shutdown.subscribe();
        let ca_pem = tls.as_ref().map(|t| t.ca_pem.clone());
        let server = match tls {
            Some(tls) => tokio::spawn(tls::serve(listener, tls.server_config, app, stop)),
            None => tokio::spawn(async move {
                let graceful = async move {
                    let _ = stop.wait_for(|stopped| *stopped).await;
                };
                if let Err(err) = axum::serve(listener, app).with_graceful_shutdown(graceful).await {
                    tracing::error!(%err, "sandbox server stopped");
                }
            }),
        };
        tracing::info!(%addr, tls = ca_pem.is_some(), "sandbox serving");
        Ok(Sandbox { shared, ca_pem, server, background })
    }

    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    pub fn url(&self) -> String {
        let scheme = if self.ca_pem.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.shared.addr)
    }

    /// The PEM of the CA that signed the serving certificate, when serving HTTPS.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The state, for in-process users (tests, the embedded engine).
    pub fn state(&self) -> Arc<ApiState> {
        self.shared.state.clone()
    }

    /// Switches fault injection on or off.
    pub fn set_faults(&self, settings: FaultSettings) {
        self.shared.faults.set(settings);
    }

    /// Ends every open watch stream, as a flaky network or an API server restart would.
    pub fn drop_watches(&self) {
        self.shared.faults.drop_watches();
    }

    /// Forgets the watch history: every watch resumed from an old resourceVersion gets 410 Gone.
    pub fn expire_resource_versions(&self) -> Result<(), ApiError> {
        self.shared.state.store.expire_history()?;
        self.shared.faults.drop_watches();
        Ok(())
    }

    /// A kubeconfig whose cluster, user and context are all named `fluxtui-sandbox`.
    pub fn kubeconfig_yaml(&self, token: Option<&str>) -> String {
        kubeconfig_yaml(&self.url(), self.ca_pem.as_deref(), token)
    }

    /// Writes the kubeconfig atomically (temp file, fsync, rename) so scripts can wait for it.
    pub fn write_kubeconfig(&self, path: &Path, token: Option<&str>) -> std::io::Result<()> {
        use std::io::Write;
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let tmp = dir.join(format!(
            ".{}.tmp-{}",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("kubeconfig"),
            std::process::id()
        ));
        {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(self.kubeconfig_yaml(token).as_bytes())?;
            file.sync_all()?;
        }
        std::fs::rename(&tmp, path)
    }

    /// Stops accepting requests, ends open streams and waits for background work to finish.
    pub async fn shutdown(self) {
        self.shared.shutdown.send_replace(true);
        let _ = self.server.await;
        for task in self.background {
            let _ = task.await;
        }
    }
}

fn kubeconfig_yaml(server: &str, ca_pem: Option<&str>, token: Option<&str>) -> String {
    use base64::Engine;
    let ca = ca_pem
        .map(|pem| {
            format!("    certificate-authority-data: {}\n", base64::engine::general_purpose::STANDARD.encode(pem))
        })
        .unwrap_or_default();
    let user = match token {
        Some(token) => format!("    token: {token}\n"),
        None => "    {}\n".to_string(),
    };
    let user = if token.is_some() { format!("  user:\n{user}") } else { "  user: {}\n".to_string() };
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: fluxtui-sandbox\n  cluster:\n    server: {server}\n{ca}contexts:\n- name: fluxtui-sandbox\n  context:\n    cluster: fluxtui-sandbox\n    user: fluxtui-sandbox\n    namespace: default\ncurrent-context: fluxtui-sandbox\nusers:\n- name: fluxtui-sandbox\n{user}preferences: {{}}\n"
    )
}

async fn dispatch(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Some(route) = route::parse(parts.uri.path()) else {
        return error_response(&ApiError::not_served());
    };
    if route == Route::Health {
        return json_response(200, b"ok".to_vec(), "text/plain; charset=utf-8");
    }
    let caller = match guard::authenticate(
        &parts.headers,
        shared.state.config.token.as_deref(),
        shared.state.config.read_only_token.as_deref(),
    ) {
        Ok(caller) => caller,
        Err(err) => return error_response(&err),
    };
    let identity = match impersonation::identity(&parts.headers, caller, parts.uri.path()) {
        Ok(identity) => identity,
        Err(err) => return error_response(&err),
    };
    if let Route::Admin(action) = &route {
        return admin(&shared, &identity, &parts.method, action, body).await;
    }
    let (latency, injected) = shared.faults.next();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if let Some(err) = injected {
        return error_response(&err);
    }
    let query = http::parse_query(parts.uri.query());
    let request = authorize::attributes(&route, &parts.method, parts.uri.path(), &query);
    if let Err(err) = authorize::authorize(&shared, &identity, request.clone()).await {
        return error_response(&err);
    }
    let accept = http::header_str(&parts.headers, header::ACCEPT).to_string();
    let registry = shared.state.registry();
    let result = match route {
        Route::Version => Ok(json_value(200, &discovery::version())),
        Route::CoreVersions | Route::Groups => {
            let core = route == Route::CoreVersions;
            match discovery::aggregated_format(&accept) {
                Some(content_type) => Ok(json_response(
                    200,
                    discovery::aggregated(&registry, core, content_type).to_string().into_bytes(),
                    content_type,
                )),
                None if core => Ok(json_value(200, &discovery::core_versions(&shared.addr.to_string()))),
                None => Ok(json_value(200, &discovery::groups(&registry))),
            }
        }
        Route::Group(group) => {
            discovery::group(&registry, &group).map(|g| json_value(200, &g)).ok_or_else(ApiError::not_served)
        }
        Route::ResourceList { group, version } => discovery::resource_list(&registry, &group, &version)
            .map(|l| json_value(200, &l))
            .ok_or_else(ApiError::not_served),
        Route::OpenApiV2 | Route::OpenApiV3Index | Route::OpenApiV3 { .. } => {
            shared.openapi.serve(&registry, &route, &parts.headers).ok_or_else(ApiError::not_served)
        }
        Route::Resource(path) if path.group == "authorization.k8s.io" => {
            // Reviews are questions, not writes: the read-only caller may ask them too.
            match (parts.method == Method::POST, axum::body::to_bytes(body, 64 * 1024).await) {
                (false, _) => Err(ApiError::method_not_allowed("reviews are only created")),
                (true, Err(_)) => Err(ApiError::too_large(64 * 1024)),
                (true, Ok(bytes)) => {
                    let content_type = http::header_str(&parts.headers, header::CONTENT_TYPE).to_string();
                    let shared = shared.clone();
                    // An impersonated identity's answer reads the RBAC objects under the store's lock.
                    tokio::task::spawn_blocking(move || {
                        let policy = || shared.authorizer.policy(&shared.state.store);
                        http::decode_body(&bytes, &content_type)
                            .and_then(|review| access::review(&path.resource, &identity, policy, &review))
                            .map(|answer| json_value(201, &answer))
                    })
                    .await
                    .unwrap_or_else(|e| Err(ApiError::internal(format!("review failed: {e}"))))
                }
            }
        }
        Route::Resource(path) => {
            let user = match &identity {
                impersonation::Identity::Caller(caller) => impersonation::caller_name(*caller),
                impersonation::Identity::Impersonated(user) => user.name.as_str(),
            };
            if let Some(forbidden) = shared.faults.forbidden_resource(user, &request) {
                Err(forbidden)
            } else if identity == impersonation::Identity::Caller(Caller::ReadOnly) && guard::is_write(&parts.method) {
                Err(crate::rbac::forbidden(user, &request, ""))
            } else {
                match axum::body::to_bytes(body, shared.state.config.max_body_bytes).await {
                    Err(_) => Err(ApiError::too_large(shared.state.config.max_body_bytes)),
                    Ok(bytes) => {
                        let request = handlers::ResourceRequest {
                            method: parts.method.clone(),
                            path,
                            query,
                            headers: parts.headers.clone(),
                            body: bytes,
                        };
                        handlers::serve(shared.clone(), request).await
                    }
                }
            }
        }
        Route::Health | Route::Admin(_) => Err(ApiError::not_served()),
    };
    result.unwrap_or_else(handlers::failed)
}

/// `/sandbox/...`: the documented test hooks (fault injection). Admin token only, not impersonating.
async fn admin(
    shared: &Shared,
    identity: &impersonation::Identity,
    method: &Method,
    action: &str,
    body: Body,
) -> Response {
    if !identity.is_admin() {
        return error_response(&ApiError::forbidden("the sandbox admin endpoints need the full-access token"));
    }
    match (method, action) {
        (&Method::GET, "faults") => json_value(200, &json!(shared.faults.settings())),
        (&Method::POST, "faults") | (&Method::PUT, "faults") => {
            let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
                return error_response(&ApiError::too_large(64 * 1024));
            };
            match serde_json::from_slice::<FaultSettings>(&bytes) {
                Ok(settings) => {
                    shared.faults.set(settings.clone());
                    json_value(200, &json!(settings))
                }
                Err(e) => error_response(&ApiError::bad_request(format!("invalid fault settings: {e}"))),
            }
        }
        (&Method::POST, "drop-watches") => {
            shared.faults.drop_watches();
            json_value(200, &json!({"droppedWatches": true}))
        }
        (&Method::POST, "expire-resource-versions") => {
            if let Err(err) = shared.state.store.expire_history() {
                return error_response(&err.into());
            }
            shared.faults.drop_watches();
            json_value(200, &json!({"expired": true}))
        }
        (&Method::POST, action) if action.starts_with("logs/") => {
            let Ok(bytes) = axum::body::to_bytes(body, 16 * 1024 * 1024).await else {
                return error_response(&ApiError::too_large(16 * 1024 * 1024));
            };
            match logs::append(shared, &action["logs/".len()..], &bytes) {
                Ok(answer) => json_value(200, &answer),
                Err(err) => error_response(&err),
            }
        }
        _ => error_response(&ApiError::not_served()),
    }
}
