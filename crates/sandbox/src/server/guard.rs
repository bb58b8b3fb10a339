//! Authentication (bearer tokens) and fault injection, applied before any request is served.

use crate::error::ApiError;
use crate::rbac::{Attributes, forbidden};
use axum::http::{HeaderMap, Method};
use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Admin,
    ReadOnly,
}

/// Checks the bearer token. With no token configured, everyone is admin.
pub fn authenticate(
    headers: &HeaderMap,
    token: Option<&str>,
    read_only_token: Option<&str>,
) -> Result<Caller, ApiError> {
    if token.is_none() && read_only_token.is_none() {
        return Ok(Caller::Admin);
    }
    let presented = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match presented {
        Some(p) if Some(p) == token => Ok(Caller::Admin),
        Some(p) if Some(p) == read_only_token => Ok(Caller::ReadOnly),
        _ => Err(ApiError::unauthorized()),
    }
}

pub fn is_write(method: &Method) -> bool {
    matches!(*method, Method::POST | Method::PUT | Method::PATCH | Method::DELETE)
}

/// Faults a test can switch on through `POST /sandbox/faults`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FaultSettings {
    /// Share of API requests (0.0..=1.0) answered with `errorCode` instead of being served.
    pub error_rate: f64,
    /// 500 (InternalError) or 429 (TooManyRequests, with Retry-After).
    pub error_code: u16,
    /// Added to every API request.
    pub latency_ms: u64,
    /// Resources (`plural.group`, or the plural alone for the core group: `alerts.notification.toolkit.fluxcd.io`,
    /// `configmaps`) every request on which is answered 403 Forbidden, as RBAC answers a user without access.
    /// Discovery still lists them, as it does for such a user.
    pub forbidden_resources: Vec<String>,
}

/// The live fault state. Watches end when `watch_generation` moves.
#[derive(Default)]
pub struct Faults {
    settings: Mutex<FaultSettings>,
    counter: AtomicU64,
    pub watch_generation: tokio::sync::watch::Sender<u64>,
}

impl Faults {
    pub fn settings(&self) -> FaultSettings {
        self.settings.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn set(&self, settings: FaultSettings) {
        *self.settings.lock().unwrap_or_else(|p| p.into_inner()) = settings;
    }

    /// Ends every open watch stream.
    pub fn drop_watches(&self) {
        self.watch_generation.send_modify(|g| *g += 1);
    }

    /// The 403 for `user`'s request on a resource listed in `forbiddenResources`, worded as RBAC words it.
    pub fn forbidden_resource(&self, user: &str, request: &Attributes) -> Option<ApiError> {
        let settings = self.settings.lock().unwrap_or_else(|p| p.into_inner());
        let qualified = if request.group.is_empty() {
            request.resource.clone()
        } else {
            format!("{}.{}", request.resource, request.group)
        };
        if !request.resource_request || !settings.forbidden_resources.contains(&qualified) {
            return None;
        }
        Some(forbidden(user, request, ""))
    }

    /// The latency to add and, for a share of requests, the error to answer with instead.
    /// Errors are spread evenly (every n-th request) so tests are deterministic.
    pub fn next(&self) -> (Duration, Option<ApiError>) {
        let settings = self.settings();
        let latency = Duration::from_millis(settings.latency_ms);
        if settings.error_rate <= 0.0 {
            return (latency, None);
        }
        let n = self.counter.fetch_add(1, Ordering::Relaxed) as f64;
        let fails = (((n + 1.0) * settings.error_rate).floor() - (n * settings.error_rate).floor()) >= 1.0;
        if !fails {
            return (latency, None);
        }
        let err = match settings.error_code {
            429 => {
                let mut err = ApiError::new(
                    429,
                    "TooManyRequests",
                    "the server has received too many requests and has asked us to try again later (injected fault)",
                );
                err.details.retry_after_seconds = Some(1);
                err
            }
            code => ApiError::new(
                if code == 0 { 500 } else { code },
                "InternalError",
                "an error on the server (\"injected fault\") has prevented the request from succeeding",
            ),
        };
        (latency, Some(err))
    }
}
