//! Serving the OpenAPI documents, built once per registry change: CRD schemas make them large,
//! and kubectl fetches them on every apply.

use super::http::json_response;
use super::route::Route;
use crate::registry::Registry;
use crate::schema::openapi::{OpenApiDocument, openapi_v2, openapi_v3_documents, openapi_v3_index};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
struct Built {
    /// The registry snapshot these documents describe (compared by pointer).
    registry: Arc<Registry>,
    v2: Arc<OpenApiDocument>,
    v3: Arc<BTreeMap<String, OpenApiDocument>>,
    v3_index: Arc<Vec<u8>>,
}

#[derive(Default)]
pub struct Cache(Mutex<Option<Built>>);

impl Cache {
    fn built(&self, registry: &Arc<Registry>) -> Built {
        let mut guard = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(built) = guard.as_ref().filter(|b| Arc::ptr_eq(&b.registry, registry)) {
            return built.clone();
        }
        let v3 = openapi_v3_documents(registry);
        let built = Built {
            registry: registry.clone(),
            v2: Arc::new(openapi_v2(registry)),
            v3_index: Arc::new(openapi_v3_index(&v3).to_string().into_bytes()),
            v3: Arc::new(v3),
        };
        *guard = Some(built.clone());
        built
    }

    /// The response for an OpenAPI route, or `None` for an unknown group version.
    pub fn serve(&self, registry: &Arc<Registry>, route: &Route, headers: &HeaderMap) -> Option<Response> {
        let built = self.built(registry);
        let document = match route {
            Route::OpenApiV3Index => {
                return Some(json_response(200, built.v3_index.as_ref().clone(), "application/json"));
            }
            Route::OpenApiV2 => built.v2.as_ref(),
            Route::OpenApiV3 { path } => built.v3.get(path)?,
            _ => return None,
        };
        let etag = format!("\"{}\"", document.hash);
        if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
            let mut response = Response::new(axum::body::Body::empty());
            *response.status_mut() = StatusCode::NOT_MODIFIED;
            return Some(response);
        }
        let mut response = json_response(200, document.document.to_string().into_bytes(), "application/json");
        if let Ok(value) = HeaderValue::from_str(&etag) {
            response.headers_mut().insert(header::ETAG, value);
        }
        Some(response)
    }
}
