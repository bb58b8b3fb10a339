//! DELETE: finalizers, deletionTimestamp and the propagation policies the garbage collector follows.

use super::meta::{self, meta_mut};
use super::{ApiState, Target, crd_lifecycle};
use crate::error::ApiError;
use crate::store::Txn;
use serde_json::Value;

/// `propagationPolicy` of a delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Propagation {
    /// Delete the owner now; the garbage collector deletes dependents afterwards.
    #[default]
    Background,
    /// The owner waits (finalizer `foregroundDeletion`) until its blocking dependents are gone.
    Foreground,
    /// Dependents lose their owner reference and stay (finalizer `orphan`).
    Orphan,
}

#[derive(Debug, Clone, Default)]
pub struct DeleteOptions {
    pub dry_run: bool,
    pub propagation: Option<Propagation>,
    pub precondition_uid: Option<String>,
    pub precondition_resource_version: Option<String>,
}

impl DeleteOptions {
    /// Reads a `DeleteOptions` body (any of its fields may be absent) merged with query values.
    pub fn from_body(body: &Value) -> Result<Self, ApiError> {
        let propagation = match body.get("propagationPolicy").and_then(Value::as_str) {
            None => None,
            Some(text) => Some(Propagation::parse(text)?),
        };
        let dry_run = body.get("dryRun").and_then(Value::as_array).is_some_and(|v| v.iter().any(|d| d == "All"));
        let orphan = body.get("orphanDependents").and_then(Value::as_bool);
        Ok(DeleteOptions {
            dry_run,
            propagation: propagation.or(match orphan {
                Some(true) => Some(Propagation::Orphan),
                Some(false) => Some(Propagation::Background),
                None => None,
            }),
            precondition_uid: body.pointer("/preconditions/uid").and_then(Value::as_str).map(str::to_string),
            precondition_resource_version: body
                .pointer("/preconditions/resourceVersion")
                .and_then(Value::as_str)
                .map(str::to_string),
        })
    }
}

impl Propagation {
    pub fn parse(text: &str) -> Result<Self, ApiError> {
        match text {
            "Background" => Ok(Propagation::Background),
            "Foreground" => Ok(Propagation::Foreground),
            "Orphan" => Ok(Propagation::Orphan),
            other => Err(ApiError::bad_request(format!(
                "propagationPolicy: Unsupported value: \"{other}\": supported values: \"Foreground\", \"Background\", \"Orphan\""
            ))),
        }
    }
}

pub const FINALIZER_FOREGROUND: &str = "foregroundDeletion";
pub const FINALIZER_ORPHAN: &str = "orphan";

impl ApiState {
    /// Deletes an object. Returns the object as it is after the call: still present with a
    /// deletionTimestamp while finalizers are pending, or its last state when it is gone.
    pub fn delete(&self, target: &Target, options: &DeleteOptions) -> Result<Value, ApiError> {
        self.store.transact(|txn| self.delete_in(txn, target, options))
    }

    pub(super) fn delete_in(
        &self,
        txn: &mut Txn<'_>,
        target: &Target,
        options: &DeleteOptions,
    ) -> Result<Value, ApiError> {
        let info = &target.info;
        let Some(existing) = txn.get(&target.gr(), &target.namespace, &target.name) else {
            return Err(ApiError::not_found(&info.group, &info.plural, &target.name));
        };
        let mut object = existing.value();
        if let Some(uid) = &options.precondition_uid
            && uid != &existing.uid
        {
            return Err(ApiError::conflict(
                &info.group,
                &info.plural,
                &target.name,
                &format!("Precondition failed: UID in precondition: {uid}, UID in object meta: {}", existing.uid),
            ));
        }
        if let Some(rv) = &options.precondition_resource_version
            && rv != meta::meta_str(&object, "resourceVersion")
        {
            return Err(ApiError::conflict(
                &info.group,
                &info.plural,
                &target.name,
                &format!(
                    "Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {}",
                    meta::meta_str(&object, "resourceVersion")
                ),
            ));
        }
        let mut finalizers = meta::finalizers(&object);
        match options.propagation.unwrap_or_default() {
            Propagation::Foreground if !finalizers.iter().any(|f| f == FINALIZER_FOREGROUND) => {
                finalizers.push(FINALIZER_FOREGROUND.to_string())
            }
            Propagation::Orphan if !finalizers.iter().any(|f| f == FINALIZER_ORPHAN) => {
                finalizers.push(FINALIZER_ORPHAN.to_string())
            }
            _ => {}
        }
        // Namespaces finalize through spec.finalizers (the namespace controller empties it).
        let namespace_finalizers = info.group.is_empty()
            && info.plural == "namespaces"
            && object.pointer("/spec/finalizers").and_then(Value::as_array).is_some_and(|f| !f.is_empty());
        if finalizers.is_empty() && !namespace_finalizers {
            if options.dry_run {
                return Ok(object);
            }
            return self.remove(txn, target);
        }
        if meta::is_deleting(&object) && finalizers == meta::finalizers(&object) {
            return Ok(object);
        }
        let meta_map = meta_mut(&mut object);
        meta_map.insert("finalizers".into(), Value::from(finalizers));
        if !meta::is_deleting(&existing.value()) {
            meta_map.insert("deletionTimestamp".into(), Value::String(meta::now_rfc3339()));
            meta_map.insert("deletionGracePeriodSeconds".into(), Value::from(0));
            if let Some(generation) = meta_map.get("generation").and_then(Value::as_i64) {
                // The real server bumps generation when it sets deletionTimestamp.
                meta_map.insert("generation".into(), Value::from(generation + 1));
            }
        }
        if namespace_finalizers {
            object["status"] = serde_json::json!({"phase": "Terminating"});
        }
        if options.dry_run {
            return Ok(object);
        }
        self.commit(txn, target, object)
    }

    /// Removes the object from the store now, with the cascades that happen at once.
    pub(super) fn remove(&self, txn: &mut Txn<'_>, target: &Target) -> Result<Value, ApiError> {
        let removed = txn
            .delete(&target.gr(), &target.namespace, &target.name)
            .ok_or_else(|| ApiError::not_found(&target.info.group, &target.info.plural, &target.name))?;
        let value = removed.value();
        crd_lifecycle::after_delete(self, txn, target, &value);
        Ok(value)
    }

    /// DELETE on a collection: deletes every object the selectors match.
    pub fn delete_collection(
        &self,
        target: &Target,
        list: &super::ListOptions,
        options: &DeleteOptions,
    ) -> Result<Vec<Value>, ApiError> {
        let namespace = if target.namespace.is_empty() { None } else { Some(target.namespace.as_str()) };
        self.store.transact(|txn| {
            let mut deleted = Vec::new();
            for object in txn.list(&target.gr(), namespace) {
                if !list.matches(&object) {
                    continue;
                }
                let one = Target::new(target.info.clone(), &object.namespace, &object.name);
                deleted.push(self.delete_in(txn, &one, options)?);
            }
            Ok(deleted)
        })
    }
}
