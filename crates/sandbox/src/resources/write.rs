//! Create, update and patch: one path for every write, so metadata, generation, status
//! isolation, managed fields, validation and dry runs behave the same whichever verb was used.

use super::meta::{self, meta_mut, meta_str};
use super::{ApiState, Target, admission, crd_lifecycle};
use crate::error::{ApiError, Cause};
use crate::patch::PatchType;
use crate::schema::{FieldValidation, reset_for_main, reset_for_status};
use crate::store::Txn;
use serde_json::Value;

/// The query options every write takes.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    pub dry_run: bool,
    /// Who makes the change, for `managedFields`.
    pub field_manager: String,
    pub field_validation: FieldValidation,
    /// Server-side apply only: take ownership of conflicting fields.
    pub force: bool,
    /// Set by server-side apply, which computes managedFields itself.
    pub(crate) managed_fields_done: bool,
}

impl WriteOptions {
    pub fn manager(name: &str) -> Self {
        WriteOptions { field_manager: name.to_string(), ..Default::default() }
    }
}

/// What a write produced.
#[derive(Debug, Clone)]
pub struct WriteOutcome {
    pub object: Value,
    pub created: bool,
    /// `Warning` headers to send (unknown fields under `fieldValidation=Warn`, ...).
    pub warnings: Vec<String>,
}

impl ApiState {
    /// POST: creates `body` in the target's namespace (the target's name is unused).
    pub fn create(&self, target: &Target, body: Value, options: &WriteOptions) -> Result<WriteOutcome, ApiError> {
        self.store.transact(|txn| self.create_in(txn, target, body, options))
    }

    pub(super) fn create_in(
        &self,
        txn: &mut Txn<'_>,
        target: &Target,
        mut body: Value,
        options: &WriteOptions,
    ) -> Result<WriteOutcome, ApiError> {
        let info = &target.info;
        check_type_meta(&body, info)?;
        let meta_map = meta_mut(&mut body);
        if meta_map.get("resourceVersion").and_then(Value::as_str).is_some_and(|rv| !rv.is_empty()) {
            return Err(ApiError::internal("resourceVersion should not be set on objects to be created"));
        }
        let body_ns = meta_map.get("namespace").and_then(Value::as_str).unwrap_or_default().to_string();
        if info.namespaced {
            if !body_ns.is_empty() && body_ns != target.namespace {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
            meta_map.insert("namespace".into(), Value::String(target.namespace.clone()));
        } else {
            meta_map.remove("namespace");
        }
        let name = meta_map.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
        let name = if name.is_empty() {
            match meta_map.get("generateName").and_then(Value::as_str) {
                Some(prefix) if !prefix.is_empty() => format!("{prefix}{}", meta::random_suffix()),
                _ => {
                    return Err(ApiError::invalid(
                        &info.group,
                        &info.kind,
                        "",
                        vec![Cause::new(
                            "FieldValueRequired",
                            "metadata.name",
                            "Required value: name or generateName is required",
                        )],
                    ));
                }
            }
        } else {
            name
        };
        meta_map.insert("name".into(), Value::String(name.clone()));
        meta_map.insert("uid".into(), Value::String(uuid::Uuid::new_v4().to_string()));
        meta_map.insert("creationTimestamp".into(), Value::String(meta::now_rfc3339()));
        for transient in ["deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"] {
            meta_map.remove(transient);
        }
        if info.has_spec_generation {
            meta_map.insert("generation".into(), Value::from(1));
        } else {
            meta_map.remove("generation");
        }
        if info.status_subresource {
            // Status is the controllers' to write; a create starts without it.
            reset_for_main(None, &mut body);
        }
        let target = Target::new(info.clone(), &target.namespace, &name);
        if info.namespaced {
            admission::check_namespace_accepts_writes(txn, &target.namespace)?;
        }
        if txn.get(&target.gr(), &target.namespace, &name).is_some() {
            return Err(ApiError::already_exists(&info.group, &info.plural, &name));
        }
        let mut warnings = Vec::new();
        admission::admit(txn, &target, None, &mut body, options, &mut warnings)?;
        if !options.managed_fields_done {
            super::patching::record_update(None, &mut body, info, &options.field_manager, None);
        }
        let stored = if options.dry_run { body } else { self.commit(txn, &target, body)? };
        Ok(WriteOutcome { object: stored, created: true, warnings })
    }

    /// PUT: replaces the object (or its status / scale) with `body`.
    pub fn update(&self, target: &Target, body: Value, options: &WriteOptions) -> Result<WriteOutcome, ApiError> {
        let outcome = self.store.transact(|txn| {
            let Some(existing) = txn.get(&target.gr(), &target.namespace, &target.name) else {
                return Err(ApiError::not_found(&target.info.group, &target.info.plural, &target.name));
            };
            let old = existing.value();
            let body = if target.subresource.as_deref() == Some("scale") {
                super::read::apply_scale(&target.info, &old, &body)?
            } else {
                check_type_meta(&body, &target.info)?;
                body
            };
            self.update_in(txn, target, old, body, options)
        })?;
        scale_view(target, outcome)
    }

    /// PATCH: applies a patch of the given type; server-side apply may create the object.
    pub fn patch(
        &self,
        target: &Target,
        patch_type: PatchType,
        patch: &[u8],
        options: &WriteOptions,
    ) -> Result<WriteOutcome, ApiError> {
        let outcome = self.store.transact(|txn| {
            let existing = txn.get(&target.gr(), &target.namespace, &target.name).map(|o| o.value());
            let creates = existing.is_none() && patch_type == PatchType::Apply && target.subresource.is_none();
            if existing.is_none() && !creates {
                return Err(ApiError::not_found(&target.info.group, &target.info.plural, &target.name));
            }
            let scale = target.subresource.as_deref() == Some("scale");
            let scale_base = match (&existing, scale) {
                (Some(old), true) => Some(super::read::scale_of(&target.info, old)?),
                _ => None,
            };
            let patched = super::patching::patched(
                scale_base.as_ref().or(existing.as_ref()),
                patch_type,
                patch,
                target,
                options,
            )?;
            // Server-side apply computed managedFields itself; every other patch is recorded as an update.
            let options = WriteOptions { managed_fields_done: patch_type == PatchType::Apply, ..options.clone() };
            match existing {
                None => {
                    let mut object = patched;
                    meta_mut(&mut object).insert("name".into(), Value::String(target.name.clone()));
                    self.create_in(txn, target, object, &options)
                }
                Some(old) => {
                    let body = if scale { super::read::apply_scale(&target.info, &old, &patched)? } else { patched };
                    // A resourceVersion inside the patch is a precondition; without one the patch
                    // applies to whatever is current, which under the store lock is `old`.
                    self.update_in(txn, target, old, body, &options)
                }
            }
        })?;
        scale_view(target, outcome)
    }

    /// The shared update path: `old` is the stored object, `body` the requested new state.
    pub(super) fn update_in(
        &self,
        txn: &mut Txn<'_>,
        target: &Target,
        old: Value,
        mut body: Value,
        options: &WriteOptions,
    ) -> Result<WriteOutcome, ApiError> {
        let info = &target.info;
        let requested_rv = meta_str(&body, "resourceVersion").to_string();
        let current_rv = meta_str(&old, "resourceVersion").to_string();
        if !requested_rv.is_empty() && requested_rv != current_rv {
            return Err(ApiError::conflict(
                &info.group,
                &info.plural,
                &target.name,
                "the object has been modified; please apply your changes to the latest version and try again",
            ));
        }
        let body_name = meta_str(&body, "name");
        if !body_name.is_empty() && body_name != target.name {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({body_name}) does not match the name on the URL ({})",
                target.name
            )));
        }
        let body_uid = meta_str(&body, "uid");
        if !body_uid.is_empty() && body_uid != meta_str(&old, "uid") {
            return Err(ApiError::conflict(
                &info.group,
                &info.plural,
                &target.name,
                "Precondition failed: UID in precondition does not match the UID of the object",
            ));
        }
        match target.subresource.as_deref() {
            Some("status") => reset_for_status(&old, &mut body),
            _ if info.status_subresource => reset_for_main(Some(&old), &mut body),
            _ => {}
        }
        // Fields the client cannot change.
        let old_meta = meta::meta(&old).cloned().unwrap_or_default();
        let new_meta = meta_mut(&mut body);
        for key in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "namespace", "name"]
        {
            match old_meta.get(key) {
                Some(value) => new_meta.insert(key.into(), value.clone()),
                None => new_meta.remove(key),
            };
        }
        new_meta.remove("selfLink");
        if meta::is_deleting(&old) {
            let old_finalizers = meta::finalizers(&old);
            if meta::finalizers(&body).iter().any(|f| !old_finalizers.contains(f)) {
                return Err(ApiError::invalid(
                    &info.group,
                    &info.kind,
                    &target.name,
                    vec![Cause::new(
                        "FieldValueForbidden",
                        "metadata.finalizers",
                        "Forbidden: no new finalizers can be added if the object is being deleted",
                    )],
                ));
            }
        }
        if info.has_spec_generation {
            let generation = old_meta.get("generation").and_then(Value::as_i64).unwrap_or(1);
            let next = if meta::spec_part(&old) != meta::spec_part(&body) { generation + 1 } else { generation };
            meta_mut(&mut body).insert("generation".into(), Value::from(next));
        }
        let mut warnings = Vec::new();
        admission::admit(txn, target, Some(&old), &mut body, options, &mut warnings)?;
        if !options.managed_fields_done {
            super::patching::record_update(
                Some(&old),
                &mut body,
                info,
                &options.field_manager,
                target.subresource.as_deref(),
            );
        }
        meta_mut(&mut body).insert("resourceVersion".into(), Value::String(current_rv));
        if body == old {
            // A no-op write does not bump the resourceVersion or wake watchers.
            return Ok(WriteOutcome { object: old, created: false, warnings });
        }
        if options.dry_run {
            return Ok(WriteOutcome { object: body, created: false, warnings });
        }
        // The last finalizer leaving a deleting object completes its deletion.
        if meta::is_deleting(&body) && meta::finalizers(&body).is_empty() && !has_namespace_finalizers(target, &body) {
            let object = self.remove(txn, target)?;
            return Ok(WriteOutcome { object, created: false, warnings });
        }
        let stored = self.commit(txn, target, body)?;
        Ok(WriteOutcome { object: stored, created: false, warnings })
    }

    /// Stores an object and runs the hooks that follow a committed write (CRDs become served).
    pub(super) fn commit(&self, txn: &mut Txn<'_>, target: &Target, body: Value) -> Result<Value, ApiError> {
        let stored = txn.put(&target.gr(), super::read::as_version(body, &target.info));
        let value = stored.value();
        crd_lifecycle::after_write(self, target, &value);
        Ok(value)
    }
}

/// Writes through the scale subresource answer with the Scale, not the scaled object.
fn scale_view(target: &Target, mut outcome: WriteOutcome) -> Result<WriteOutcome, ApiError> {
    if target.subresource.as_deref() == Some("scale") {
        outcome.object = super::read::scale_of(&target.info, &outcome.object)?;
    }
    Ok(outcome)
}

/// A namespace stays until the namespace controller has emptied it and cleared `spec.finalizers`.
fn has_namespace_finalizers(target: &Target, body: &Value) -> bool {
    target.info.group.is_empty()
        && target.info.plural == "namespaces"
        && body.pointer("/spec/finalizers").and_then(Value::as_array).is_some_and(|f| !f.is_empty())
}

/// The body's apiVersion and kind must name the URL's resource (empty is allowed and filled in).
fn check_type_meta(body: &Value, info: &crate::registry::ResourceInfo) -> Result<(), ApiError> {
    if !body.is_object() {
        return Err(ApiError::bad_request("the body of the request must be a JSON or YAML object"));
    }
    let api_version = body.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
    let kind = body.get("kind").and_then(Value::as_str).unwrap_or_default();
    if !api_version.is_empty() && api_version != info.api_version() {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({api_version}) does not match the expected API version ({})",
            info.api_version()
        )));
    }
    if !kind.is_empty() && kind != info.kind {
        return Err(ApiError::bad_request(format!(
            "the kind in the data ({kind}) does not match the expected kind ({})",
            info.kind
        )));
    }
    Ok(())
}
