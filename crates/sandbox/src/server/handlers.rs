//! Serving one resource request: get, list, watch, create, update, patch, delete.

use super::Shared;
use super::http::{self, Query, decode_body, error_response, flag, json_response, json_value, with_warnings};
use super::route::ResourcePath;
use crate::error::ApiError;
use crate::resources::{
    DeleteOptions, FieldValidation, ListOptions, PatchType, Propagation, Target, WriteOptions, WriteOutcome,
    as_version, list_json,
};
use axum::http::{HeaderMap, Method, header};
use axum::response::Response;
use serde_json::Value;
use std::sync::Arc;

/// Everything about one resource request, parsed.
pub struct ResourceRequest {
    pub method: Method,
    pub path: ResourcePath,
    pub query: Query,
    pub headers: HeaderMap,
    pub body: bytes::Bytes,
}

/// Serves a resource request. Watches and log streams are async; everything else (store
/// transactions that may fsync, list serialization, Table rendering of thousands of rows) is
/// synchronous work that runs on the blocking pool, so it never stalls the runtime's workers and
/// the watch streams they drive.
pub async fn serve(shared: Arc<Shared>, request: ResourceRequest) -> Result<Response, ApiError> {
    let streams = request.method == Method::GET
        && ((request.path.name.is_empty() && (request.path.legacy_watch || flag(&request.query, "watch")))
            || request.path.subresource.as_deref() == Some("log"));
    if streams {
        return serve_stream(shared, request).await;
    }
    tokio::task::spawn_blocking(move || serve_blocking(&shared, &request))
        .await
        .map_err(|e| ApiError::internal(format!("request handler failed: {e}")))?
}

/// Resolves the resource and subresource a request names, as the target of the request.
fn target_of(shared: &Shared, path: &ResourcePath) -> Result<Target, ApiError> {
    let info = shared.state.resource(&path.group, &path.version, &path.resource)?;
    if info.namespaced && path.namespace.is_empty() && !path.name.is_empty() {
        return Err(ApiError::not_served());
    }
    if !info.namespaced && !path.namespace.is_empty() {
        return Err(ApiError::not_served());
    }
    let subresource = path.subresource.as_deref();
    let valid_subresource = match subresource {
        None => true,
        Some("status") => info.status_subresource,
        Some("scale") => info.scale_subresource.is_some(),
        Some("log") => info.log_subresource,
        Some("finalize") => info.group.is_empty() && info.plural == "namespaces",
        Some(_) => false,
    };
    if !valid_subresource {
        return Err(ApiError::not_served());
    }
    Ok(Target::new(info, &path.namespace, &path.name).with_subresource(subresource))
}

async fn serve_stream(shared: Arc<Shared>, request: ResourceRequest) -> Result<Response, ApiError> {
    let target = target_of(&shared, &request.path)?;
    let query = &request.query;
    if target.subresource.as_deref() == Some("log") {
        return super::logs::serve(shared.clone(), &target, query).await;
    }
    let list = list_options(&target.info, query)?;
    super::watch::serve(shared.clone(), target.info.clone(), request.path.namespace.clone(), list, query).await
}

fn serve_blocking(shared: &Shared, request: &ResourceRequest) -> Result<Response, ApiError> {
    let state = &shared.state;
    let path = &request.path;
    let target = target_of(shared, path)?;
    let info = target.info.clone();
    let subresource = target.subresource.as_deref();
    let query = &request.query;
    let accept = http::header_str(&request.headers, header::ACCEPT);
    match (&request.method, path.name.is_empty()) {
        (&Method::GET, true) => {
            let list = list_options(&info, query)?;
            let result = state.list(&info, &path.namespace, &list)?;
            if http::wants_table(accept) {
                let include = include_object(query)?;
                // Only a full object in a row shows the apiVersion; the cells never read it.
                let objects = result.items.iter().map(|o| {
                    if include == crate::table::IncludeObject::Object {
                        as_version(o.value(), &info)
                    } else {
                        o.value()
                    }
                });
                let table = crate::table::to_table(
                    &info,
                    objects,
                    include,
                    &result.resource_version.to_string(),
                    result.continue_token.as_deref(),
                );
                return Ok(json_value(200, &table));
            }
            Ok(json_response(200, list_json(&info, &result), "application/json"))
        }
        (&Method::GET, false) => {
            let object = state.get(&target)?;
            if http::wants_table(accept) && subresource.is_none() {
                let rv = object.pointer("/metadata/resourceVersion").and_then(Value::as_str).unwrap_or_default();
                let table = crate::table::to_table(&info, [object.clone()], include_object(query)?, rv, None);
                return Ok(json_value(200, &table));
            }
            Ok(json_value(200, &object))
        }
        (&Method::POST, true) => {
            let body = decode_body(&request.body, http::header_str(&request.headers, header::CONTENT_TYPE))?;
            let options = write_options(request, false)?;
            let outcome = state.create(&target, body, &options)?;
            Ok(written(outcome, if options.dry_run { 200 } else { 201 }))
        }
        (&Method::PUT, false) => {
            let body = decode_body(&request.body, http::header_str(&request.headers, header::CONTENT_TYPE))?;
            let options = write_options(request, false)?;
            let outcome = state.update(&target, body, &options)?;
            Ok(written(outcome, 200))
        }
        (&Method::PATCH, false) => {
            let content_type = http::header_str(&request.headers, header::CONTENT_TYPE);
            // Strategic merge is refused for custom resources (415), as on the real server.
            let patch_type = crate::patch::check_patch_type(&info, content_type)?;
            if patch_type == PatchType::Apply && query.get("fieldManager").is_none_or(|m| m.is_empty()) {
                return Err(ApiError::bad_request(
                    "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
                ));
            }
            let options = write_options(request, patch_type == PatchType::Apply)?;
            let outcome = state.patch(&target, patch_type, &request.body, &options)?;
            let code = if outcome.created && !options.dry_run { 201 } else { 200 };
            Ok(written(outcome, code))
        }
        (&Method::DELETE, false) => {
            let options = delete_options(request)?;
            let object = state.delete(&target, &options)?;
            Ok(json_value(200, &as_version(object, &info)))
        }
        (&Method::DELETE, true) => {
            let list = list_options(&info, query)?;
            let options = delete_options(request)?;
            let deleted = state.delete_collection(&target, &list, &options)?;
            let items: Vec<Value> = deleted.into_iter().map(|o| as_version(o, &info)).collect();
            let body = serde_json::json!({"kind": info.list_kind, "apiVersion": info.api_version(), "metadata": {}, "items": items});
            Ok(json_value(200, &body))
        }
        _ => Err(ApiError::method_not_allowed(format!(
            "the server does not allow this method on the requested resource ({} {})",
            request.method, info.plural
        ))),
    }
}

fn include_object(query: &Query) -> Result<crate::table::IncludeObject, ApiError> {
    crate::table::IncludeObject::from_query(query.get("includeObject").map(String::as_str))
        .map_err(ApiError::bad_request)
}

fn written(outcome: WriteOutcome, code: u16) -> Response {
    with_warnings(json_value(code, &outcome.object), &outcome.warnings)
}

fn list_options(info: &crate::registry::ResourceInfo, query: &Query) -> Result<ListOptions, ApiError> {
    ListOptions::parse(
        info,
        query.get("labelSelector").map(String::as_str),
        query.get("fieldSelector").map(String::as_str),
        query.get("limit").map(String::as_str),
        query.get("continue").map(String::as_str),
    )
}

/// The field manager a write without `fieldManager` is recorded under: the user agent's
/// program name, as the real server derives it.
fn default_manager(headers: &HeaderMap) -> String {
    let agent = http::header_str(headers, header::USER_AGENT);
    let name = agent.split('/').next().unwrap_or_default().trim();
    if name.is_empty() { "unknown".to_string() } else { name.chars().take(128).collect() }
}

fn write_options(request: &ResourceRequest, apply: bool) -> Result<WriteOptions, ApiError> {
    let query = &request.query;
    let dry_run = match query.get("dryRun").map(String::as_str) {
        None | Some("") => false,
        Some("All") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "dryRun: Unsupported value: \"{other}\": supported values: \"All\""
            )));
        }
    };
    let force = flag(query, "force");
    if force && !apply {
        return Err(ApiError::bad_request("force: Invalid value: true: may not be specified for non-apply patch"));
    }
    Ok(WriteOptions {
        dry_run,
        field_manager: query.get("fieldManager").cloned().unwrap_or_else(|| default_manager(&request.headers)),
        field_validation: FieldValidation::from_query(query.get("fieldValidation").map(String::as_str))
            .map_err(ApiError::bad_request)?,
        force,
        ..WriteOptions::default()
    })
}

fn delete_options(request: &ResourceRequest) -> Result<DeleteOptions, ApiError> {
    let mut options = if request.body.is_empty() {
        DeleteOptions::default()
    } else {
        let content_type = http::header_str(&request.headers, header::CONTENT_TYPE);
        DeleteOptions::from_body(&decode_body(&request.body, content_type)?)?
    };
    if let Some(policy) = request.query.get("propagationPolicy") {
        options.propagation = Some(Propagation::parse(policy)?);
    }
    if request.query.get("dryRun").is_some_and(|d| d == "All") {
        options.dry_run = true;
    }
    Ok(options)
}

/// Any failure as a Status response.
pub fn failed(err: ApiError) -> Response {
    error_response(&err)
}
