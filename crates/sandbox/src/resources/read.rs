//! get, list and the scale subresource.

use super::selector::{FieldSelector, LabelSelector, supported_fields};
use super::{ApiState, Target};
use crate::error::ApiError;
use crate::registry::ResourceInfo;
use crate::store::StoredObject;
use base64::Engine;
use serde_json::{Value, json};

pub use super::conversion::as_version;
use std::sync::Arc;

/// Query options of a list (and of a watch, which filters the same way).
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    pub labels: LabelSelector,
    pub fields: FieldSelector,
    pub limit: Option<usize>,
    pub continue_token: Option<String>,
}

impl ListOptions {
    pub fn parse(
        info: &ResourceInfo,
        label_selector: Option<&str>,
        field_selector: Option<&str>,
        limit: Option<&str>,
        continue_token: Option<&str>,
    ) -> Result<Self, ApiError> {
        let labels = LabelSelector::parse(label_selector.unwrap_or_default())?;
        let fields =
            FieldSelector::parse(field_selector.unwrap_or_default(), supported_fields(&info.group, &info.plural))?;
        let limit = match limit {
            None | Some("") => None,
            Some(text) => match text.parse::<i64>() {
                Ok(n) if n > 0 => Some(n as usize),
                Ok(_) => None,
                Err(_) => return Err(ApiError::bad_request(format!("limit: invalid value {text:?}"))),
            },
        };
        Ok(ListOptions {
            labels,
            fields,
            limit,
            continue_token: continue_token.filter(|t| !t.is_empty()).map(str::to_string),
        })
    }

    pub fn matches(&self, object: &StoredObject) -> bool {
        if !self.labels.matches(&object.labels) {
            return false;
        }
        if self.fields.is_empty() {
            return true;
        }
        let parsed = self.fields.needs_object().then(|| object.value());
        self.fields.matches(&object.namespace, &object.name, parsed.as_ref())
    }
}

/// One page of a list.
pub struct ListResult {
    pub items: Vec<Arc<StoredObject>>,
    pub resource_version: u64,
    pub continue_token: Option<String>,
    pub remaining: Option<usize>,
}

impl ApiState {
    pub fn get(&self, target: &Target) -> Result<Value, ApiError> {
        let info = &target.info;
        let object = self
            .store
            .get(&target.gr(), &target.namespace, &target.name)
            .ok_or_else(|| ApiError::not_found(&info.group, &info.plural, &target.name))?;
        let value = as_version(object.value(), info);
        match target.subresource.as_deref() {
            Some("scale") => scale_of(info, &value),
            _ => Ok(value),
        }
    }

    /// Lists one page. `namespace` empty means all namespaces.
    pub fn list(&self, info: &ResourceInfo, namespace: &str, options: &ListOptions) -> Result<ListResult, ApiError> {
        let after = match &options.continue_token {
            Some(token) => Some(decode_continue(token)?),
            None => None,
        };
        let namespace = (!namespace.is_empty()).then_some(namespace);
        let (candidates, resource_version) = match &after {
            None => self.store.list(&info.group_resource(), namespace),
            Some((rv, key)) => {
                let items = self.store.list_at(&info.group_resource(), namespace, key, *rv).map_err(|_| {
                    ApiError::gone(
                        "The provided continue parameter is too old to display a consistent list result. \
                         You can start a new list without the continue parameter.",
                    )
                })?;
                (items, *rv)
            }
        };
        let mut items = Vec::new();
        let mut matched_after_limit = 0;
        let mut last_key = None;
        for object in candidates {
            if !options.matches(&object) {
                continue;
            }
            if options.limit.is_some_and(|limit| items.len() >= limit) {
                matched_after_limit += 1;
                continue;
            }
            last_key = Some((object.namespace.clone(), object.name.clone()));
            items.push(object);
        }
        let continue_token = match (matched_after_limit, last_key) {
            (n, Some(key)) if n > 0 => Some(encode_continue(resource_version, &key)),
            _ => None,
        };
        let remaining = (matched_after_limit > 0).then_some(matched_after_limit);
        Ok(ListResult { items, resource_version, continue_token, remaining })
    }
}

/// The JSON of a list response, written straight from the stored bytes when no version
/// conversion is needed (the common case: lists are the hot path of every informer).
pub fn list_json(info: &ResourceInfo, result: &ListResult) -> Vec<u8> {
    let mut metadata = json!({"resourceVersion": result.resource_version.to_string()});
    if let Some(token) = &result.continue_token {
        metadata["continue"] = Value::String(token.clone());
    }
    if let Some(remaining) = result.remaining {
        metadata["remainingItemCount"] = Value::from(remaining);
    }
    let head = json!({"kind": info.list_kind, "apiVersion": info.api_version(), "metadata": metadata});
    let head = head.to_string();
    let mut out = Vec::with_capacity(head.len() + result.items.iter().map(|o| o.raw.len() + 1).sum::<usize>() + 16);
    out.extend_from_slice(&head.as_bytes()[..head.len() - 1]);
    out.extend_from_slice(b",\"items\":[");
    let api_version = info.api_version();
    for (i, object) in result.items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if stored_api_version_is(&object.raw, &api_version) {
            out.extend_from_slice(&object.raw);
        } else {
            let converted = as_version(object.value(), info);
            out.extend_from_slice(converted.to_string().as_bytes());
        }
    }
    out.extend_from_slice(b"]}");
    out
}

/// Cheap check on the raw bytes: serde_json writes apiVersion as the first key of objects we store.
fn stored_api_version_is(raw: &[u8], api_version: &str) -> bool {
    let prefix = format!("{{\"apiVersion\":\"{api_version}\"");
    raw.starts_with(prefix.as_bytes())
}

fn encode_continue(resource_version: u64, key: &(String, String)) -> String {
    let token = json!({"rv": resource_version, "ns": key.0, "name": key.1});
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(token.to_string())
}

fn decode_continue(token: &str) -> Result<(u64, (String, String)), ApiError> {
    let invalid = || ApiError::bad_request("continue key is not valid: incorrect encoded start resourceVersion");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    let rv = value.get("rv").and_then(Value::as_u64).ok_or_else(invalid)?;
    let ns = value.get("ns").and_then(Value::as_str).ok_or_else(invalid)?.to_string();
    let name = value.get("name").and_then(Value::as_str).ok_or_else(invalid)?.to_string();
    Ok((rv, (ns, name)))
}

fn path_pointer(path: &str) -> String {
    path.replace('.', "/")
}

/// The `autoscaling/v1` Scale of a scalable object.
pub fn scale_of(info: &ResourceInfo, object: &Value) -> Result<Value, ApiError> {
    let scale = info.scale_subresource.as_ref().ok_or_else(ApiError::not_served)?;
    let spec_replicas = object.pointer(&path_pointer(&scale.spec_replicas_path)).and_then(Value::as_i64).unwrap_or(1);
    let status_replicas =
        object.pointer(&path_pointer(&scale.status_replicas_path)).and_then(Value::as_i64).unwrap_or(0);
    let selector = scale
        .label_selector_path
        .as_deref()
        .and_then(|path| object.pointer(&path_pointer(path)))
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| selector_string(object.pointer("/spec/selector")));
    let meta = object.get("metadata").cloned().unwrap_or(Value::Null);
    Ok(json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": meta.get("name"),
            "namespace": meta.get("namespace"),
            "uid": meta.get("uid"),
            "resourceVersion": meta.get("resourceVersion"),
            "creationTimestamp": meta.get("creationTimestamp"),
        },
        "spec": {"replicas": spec_replicas},
        "status": {"replicas": status_replicas, "selector": selector},
    }))
}

/// Writes a Scale's `spec.replicas` back into the object it scales.
pub fn apply_scale(info: &ResourceInfo, object: &Value, scale: &Value) -> Result<Value, ApiError> {
    let path =
        info.scale_subresource.as_ref().map(|s| s.spec_replicas_path.clone()).ok_or_else(ApiError::not_served)?;
    let replicas = scale.pointer("/spec/replicas").and_then(Value::as_i64).ok_or_else(|| {
        ApiError::invalid(
            "autoscaling",
            "Scale",
            "",
            vec![crate::error::Cause::new("FieldValueRequired", "spec.replicas", "Required value")],
        )
    })?;
    let mut next = object.clone();
    let mut current = &mut next;
    let parts: Vec<&str> = path.trim_start_matches('.').split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        if i == parts.len() - 1 {
            current[*part] = Value::from(replicas);
        } else {
            if !current.get(*part).is_some_and(Value::is_object) {
                current[*part] = json!({});
            }
            current = &mut current[*part];
        }
    }
    if let Some(rv) = scale.pointer("/metadata/resourceVersion") {
        next["metadata"]["resourceVersion"] = rv.clone();
    }
    Ok(next)
}

/// A label selector object (`matchLabels` + `matchExpressions`) as the Scale subresource's
/// `status.selector` carries it: `app=web,env in (dev,prod)`, `""` when absent or empty.
pub fn selector_string(selector: Option<&Value>) -> String {
    selector.map(|s| LabelSelector::from_object(s).to_string()).unwrap_or_default()
}

#[cfg(test)]
mod selector_tests {
    use super::*;

    #[test]
    fn scale_selectors_include_expressions_sorted_by_key() {
        let selector = json!({"matchLabels": {"tier": "web", "app": "x"},
                              "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "dev"]}]});
        assert_eq!(selector_string(Some(&selector)), "app=x,env in (dev,prod),tier=web");
        assert_eq!(selector_string(Some(&json!({}))), "");
        assert_eq!(selector_string(None), "");
    }
}
