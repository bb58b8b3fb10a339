//! The object one reconcile works on, as every reconciler begins with it: its name and namespace, the key and
//! log scope its messages carry, the API to write it through, its finalizer, and its status as read.

use kube::api::{Api, ObjectMeta};
use serde_json::{Value, json};

use super::context::Context;
use super::driver::{EngineError, object_key};
use super::logs::LogScope;
use super::patch::set_finalizer;
use super::source::log_scope;
use crate::api::FluxKind;
use crate::api::object::AnyFluxObject;

pub struct Subject {
    pub name: String,
    pub namespace: String,
    /// `kind/namespace/name`, for errors.
    pub key: String,
    pub scope: LogScope,
    pub api: Api<AnyFluxObject>,
}

impl Subject {
    pub fn new(ctx: &Context, kind: FluxKind, object: &AnyFluxObject) -> Result<Subject, EngineError> {
        let meta = object.metadata();
        let namespace = meta.namespace.clone().unwrap_or_default();
        let api = ctx.api(kind, &namespace).ok_or(EngineError::NotServed { kind: kind.name() })?;
        Ok(Subject {
            name: meta.name.clone().unwrap_or_default(),
            namespace,
            key: object_key(kind, object),
            scope: log_scope(kind, object),
            api,
        })
    }

    /// Adds (`present`) or removes `finalizer`, writing only when that changes the list.
    pub async fn set_finalizer(
        &self,
        meta: &ObjectMeta,
        finalizer: &str,
        present: bool,
        manager: &'static str,
    ) -> Result<(), EngineError> {
        if has_finalizer(meta, finalizer) == present {
            return Ok(());
        }
        set_finalizer(&self.api, meta, finalizer, present, manager)
            .await
            .map_err(|source| EngineError::Finalizer { object: self.key.clone(), source })
    }
}

pub fn has_finalizer(meta: &ObjectMeta, finalizer: &str) -> bool {
    meta.finalizers.iter().flatten().any(|f| f == finalizer)
}

/// The object's status as read (`{}` when it has none): the base a status writer patches from.
pub fn status_before(object: &AnyFluxObject) -> Value {
    object.to_value().get("status").cloned().filter(Value::is_object).unwrap_or_else(|| json!({}))
}
