//! The name reference fix-up: after a level renamed objects (prefix, suffix, namespace), the fields that named
//! them (`configMapRef`, volumes, `serviceAccountName`, `roleRef`, RoleBinding subjects, ...) follow. A field's
//! old value is matched against every name the candidate has had, then narrowed as kustomize does: same
//! namespace as the referrer, then same prefixes and suffixes.

use serde_json::Value;

use super::config::TransformerConfig;
use super::specs::{NameReference, name_references};
use crate::fieldspec::apply_path;
use crate::resource::{Gvk, ResId, Resource};

/// What the fix-up needs to know about a candidate referral.
struct Candidate {
    gvk: Gvk,
    ids: Vec<ResId>,
    id: ResId,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
}

/// kustomize's name references with the configured ones added.
fn with_config(config: &TransformerConfig) -> Vec<NameReference> {
    let mut references = name_references();
    for extra in &config.name_reference {
        let fields = extra.fields.iter().map(|f| (f.kind.as_deref().unwrap_or("").to_string(), f.path.to_string()));
        match references.iter_mut().find(|r| r.kind == extra.kind && (extra.group.is_empty() || r.group == extra.group))
        {
            Some(existing) => existing.fields.extend(fields),
            None => references.push(NameReference {
                group: extra.group.clone(),
                kind: extra.kind.clone(),
                fields: fields.collect(),
            }),
        }
    }
    references
}

pub fn fix(resources: &mut [Resource], config: &TransformerConfig) -> Result<(), String> {
    let candidates: Vec<Candidate> = resources
        .iter()
        .map(|r| Candidate {
            gvk: r.gvk(),
            ids: r.all_ids().collect(),
            id: r.id(),
            prefixes: r.prefixes.clone(),
            suffixes: r.suffixes.clone(),
        })
        .collect();
    for reference in with_config(config) {
        let referrals: Vec<&Candidate> = candidates
            .iter()
            .filter(|c| c.gvk.kind == reference.kind && (reference.group.is_empty() || c.gvk.group == reference.group))
            .collect();
        if referrals.is_empty() {
            continue;
        }
        for r in resources.iter_mut() {
            let referrer = Referrer {
                id: r.id(),
                prefixes: r.prefixes.clone(),
                suffixes: r.suffixes.clone(),
                role_ref: role_ref(&r.value),
            };
            for (kind, path) in &reference.fields {
                if !kind.is_empty() && referrer.id.gvk.kind != *kind {
                    continue;
                }
                apply_path(path, &mut r.value, &mut |node| update(node, &reference, &referrals, &referrer))
                    .map_err(|e| format!("{}: {}: {e}", referrer.id, path))?;
            }
        }
    }
    Ok(())
}

struct Referrer {
    id: ResId,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
    role_ref: Option<(String, String)>,
}

fn role_ref(value: &Value) -> Option<(String, String)> {
    let kind = value.pointer("/roleRef/kind")?.as_str()?;
    let group = value.pointer("/roleRef/apiGroup").and_then(Value::as_str).unwrap_or("");
    Some((group.to_string(), kind.to_string()))
}

fn update(
    node: &mut Value,
    reference: &NameReference,
    referrals: &[&Candidate],
    referrer: &Referrer,
) -> Result<(), String> {
    match node {
        Value::String(old) => {
            if let Some(found) = select(old, referrals.to_vec(), reference, referrer)? {
                *old = found.id.name.clone();
            }
        }
        Value::Array(items) => {
            for item in items.iter_mut() {
                update(item, reference, referrals, referrer)?;
            }
        }
        Value::Object(map) => {
            // A subject or a service: a name with an optional namespace (and, for subjects, a kind).
            if let Some(kind) = map.get("kind").and_then(Value::as_str)
                && kind != reference.kind
            {
                return Ok(());
            }
            let Some(old) = map.get("name").and_then(Value::as_str).map(str::to_string) else { return Ok(()) };
            let pool: Vec<&Candidate> = match map.get("namespace").and_then(Value::as_str) {
                None => referrals.to_vec(),
                Some(ns) => referrals
                    .iter()
                    .copied()
                    .filter(|c| c.ids.iter().any(|id| same_namespace(&id.namespace, ns)))
                    .collect(),
            };
            if let Some(found) = select(&old, pool, reference, referrer)? {
                map.insert("name".into(), Value::String(found.id.name.clone()));
                if !found.id.namespace.is_empty() {
                    map.insert("namespace".into(), Value::String(found.id.namespace.clone()));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

fn same_namespace(a: &str, b: &str) -> bool {
    let norm = |s: &str| if s.is_empty() { "default".to_string() } else { s.to_string() };
    norm(a) == norm(b)
}

fn select<'a>(
    old: &str,
    pool: Vec<&'a Candidate>,
    reference: &NameReference,
    referrer: &Referrer,
) -> Result<Option<&'a Candidate>, String> {
    let mut found: Vec<&Candidate> = pool.into_iter().filter(|c| c.ids.iter().any(|id| id.name == old)).collect();
    if let Some((group, kind)) = &referrer.role_ref
        && matches!(reference.kind.as_str(), "Role" | "ClusterRole")
    {
        found.retain(|c| c.gvk.kind == *kind && c.gvk.group == *group);
    }
    if !referrer.id.gvk.is_cluster_scoped() {
        found.retain(|c| {
            c.gvk.is_cluster_scoped()
                || c.gvk.kind == "ServiceAccount"
                || c.id.effective_namespace() == referrer.id.effective_namespace()
        });
    }
    if found.len() <= 1 {
        return Ok(found.pop());
    }
    let same_affixes: Vec<&Candidate> =
        found.iter().copied().filter(|c| c.prefixes == referrer.prefixes && c.suffixes == referrer.suffixes).collect();
    if same_affixes.len() == 1 {
        return Ok(same_affixes.first().copied());
    }
    if found.iter().all(|c| c.id.name == found[0].id.name) {
        return Ok(found.first().copied());
    }
    let ids: Vec<String> = found.iter().map(|c| c.id.to_string()).collect();
    Err(format!("found multiple possible referrals for `{old}`: {}", ids.join(", ")))
}
