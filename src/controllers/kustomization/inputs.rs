//! What a Kustomization reads before it builds (SEMANTICS.md §4 steps 2, 3 and 7): its source and the source's
//! artifact, its dependencies' readiness, and the postBuild variables from ConfigMaps and Secrets.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::Api;
use serde_json::Value;

use crate::api::FluxKind;
use crate::api::kustomize::kustomization::Kustomization;
use crate::api::meta::Artifact;
use crate::api::object::AnyFluxObject;
use crate::controllers::runtime::context::{Context, FluxReader, secret_data};
use crate::model::cel::{ExprFailure, ReadyExpr};

/// The kinds a Kustomization can take its manifests from.
pub const SOURCE_KINDS: [FluxKind; 4] =
    [FluxKind::GitRepository, FluxKind::OciRepository, FluxKind::Bucket, FluxKind::ExternalArtifact];

/// The source's `(kind, namespace, name)`: the namespace defaults to the Kustomization's.
pub fn source_key(ks: &Kustomization) -> (String, String, String) {
    let reference = ks.spec.source_ref.clone().unwrap_or_default();
    let own = ks.metadata.namespace.clone().unwrap_or_default();
    (
        reference.kind.unwrap_or_default(),
        reference.namespace.filter(|n| !n.is_empty()).unwrap_or(own),
        reference.name.unwrap_or_default(),
    )
}

/// The artifact in a source object's status, whatever its kind.
pub fn artifact_of(source: &AnyFluxObject) -> Option<Artifact> {
    source.to_value().pointer("/status/artifact").and_then(|a| serde_json::from_value(a.clone()).ok())
}

/// Why a source could not be used; both are `ArtifactFailed`.
pub enum SourceProblem {
    /// The object could not be read (or its kind is not a source): Flux's message, retried at retryInterval.
    Unavailable(String),
    /// The source has no artifact yet: retried after the dependency requeue.
    NoArtifact,
}

/// Reads the source object and its artifact.
pub async fn resolve_source<R: FluxReader + ?Sized>(
    reader: &R,
    ks: &Kustomization,
) -> Result<(AnyFluxObject, Artifact), SourceProblem> {
    let (kind_name, namespace, name) = source_key(ks);
    let kind = FluxKind::from_name(&kind_name)
        .filter(|k| SOURCE_KINDS.contains(k))
        .ok_or_else(|| SourceProblem::Unavailable(format!("source `{name}` kind '{kind_name}' not supported")))?;
    let unavailable =
        |detail: String| SourceProblem::Unavailable(format!("unable to get source '{namespace}/{name}': {detail}"));
    let api = reader
        .flux_api(kind, &namespace)
        .ok_or_else(|| unavailable(format!("{kind_name} is not served by the cluster")))?;
    let source = api.get(&name).await.map_err(|err| {
        unavailable(match err {
            kube::Error::Api(status) => status.message,
            other => other.to_string(),
        })
    })?;
    let artifact = artifact_of(&source).ok_or(SourceProblem::NoArtifact)?;
    Ok((source, artifact))
}

/// Why dependencies hold a Kustomization back.
pub enum DependencyProblem {
    /// Not ready yet (Flux's message): `DependencyNotReady`, retried.
    NotReady(String),
    /// A readyExpr that is not valid CEL: `InvalidCELExpression`, stalled.
    InvalidExpression(String),
}

/// Checks every `dependsOn` entry (Flux's `checkDependencies`): Ready at its generation and, when it uses the
/// same source, applied at the source's revision; a `readyExpr` replaces those checks.
pub async fn check_dependencies(
    ctx: &Context,
    ks: &Kustomization,
    self_value: &Value,
    source_revision: &str,
) -> Result<(), DependencyProblem> {
    let own_namespace = ks.metadata.namespace.clone().unwrap_or_default();
    let own_source = source_key(ks);
    for dependency in ks.spec.depends_on.iter().flatten() {
        let name = dependency.name.clone().unwrap_or_default();
        let namespace = dependency.namespace.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| own_namespace.clone());
        let dep_name = format!("{namespace}/{name}");
        let not_ready = || DependencyProblem::NotReady(format!("dependency '{dep_name}' is not ready"));
        let api = ctx
            .api(FluxKind::Kustomization, &namespace)
            .ok_or_else(|| DependencyProblem::NotReady("Kustomization is not served by the cluster".into()))?;
        let object = api.get(&name).await.map_err(|err| {
            let detail = match err {
                kube::Error::Api(status) => status.message,
                other => other.to_string(),
            };
            DependencyProblem::NotReady(format!("unable to get '{dep_name}' dependency: {detail}"))
        })?;
        let AnyFluxObject::Kustomization(dep) = &object else { return Err(not_ready()) };
        if let Some(expr) = dependency.ready_expr.as_deref().filter(|e| !e.trim().is_empty()) {
            match ReadyExpr::compile(expr).evaluate(self_value, &object.to_value()) {
                Ok(true) => continue,
                Ok(false) => return Err(not_ready()),
                Err(ExprFailure::Invalid(err)) => {
                    return Err(DependencyProblem::InvalidExpression(format!(
                        "failed to evaluate dependency {name}: {err}"
                    )));
                }
                Err(ExprFailure::Evaluation(err) | ExprFailure::Unsupported(err)) => {
                    return Err(DependencyProblem::NotReady(format!("dependency '{dep_name}' is not ready: {err}")));
                }
            }
        }
        let status = dep.status.clone().unwrap_or_default();
        let conditions = status.conditions.clone().unwrap_or_default();
        let ready = conditions.iter().any(|c| c.type_ == "Ready" && c.status == "True");
        if conditions.is_empty() || dep.metadata.generation != status.observed_generation || !ready {
            return Err(not_ready());
        }
        if source_key(dep) == own_source && status.last_applied_revision.as_deref() != Some(source_revision) {
            return Err(DependencyProblem::NotReady(format!("dependency '{dep_name}' revision is not up to date")));
        }
    }
    Ok(())
}

/// The postBuild variables: `substituteFrom` in order (later wins), then the inline `substitute` (newlines
/// removed, as Flux does). The error is the build failure's message.
pub async fn load_variables<R: FluxReader + ?Sized>(
    reader: &R,
    ks: &Kustomization,
) -> Result<BTreeMap<String, String>, String> {
    let mut vars = BTreeMap::new();
    let Some(post_build) = &ks.spec.post_build else { return Ok(vars) };
    let namespace = ks.metadata.namespace.clone().unwrap_or_default();
    for reference in post_build.substitute_from.iter().flatten() {
        let kind = reference.kind.clone().unwrap_or_default();
        let name = reference.name.clone().unwrap_or_default();
        let optional = reference.optional.unwrap_or(false);
        let failed = |detail: String| format!("substitute from '{kind}/{name}' failed: {detail}");
        match kind.as_str() {
            "ConfigMap" => {
                let api: Api<ConfigMap> = Api::namespaced(reader.client().clone(), &namespace);
                match api.get_opt(&name).await {
                    Ok(Some(map)) => vars.extend(map.data.unwrap_or_default()),
                    Ok(None) if optional => {}
                    Ok(None) => return Err(failed(format!("configmaps \"{name}\" not found"))),
                    Err(err) => return Err(failed(err.to_string())),
                }
            }
            "Secret" => match secret_data(reader.client(), &namespace, &name).await {
                Ok(data) => {
                    for (key, value) in data {
                        let value = String::from_utf8(value)
                            .map_err(|_| failed(format!("the value of '{key}' is not UTF-8")))?;
                        vars.insert(key, value);
                    }
                }
                Err(err) if optional && err.detail.ends_with("not found") => {}
                Err(err) => return Err(failed(err.detail)),
            },
            other => return Err(failed(format!("unsupported kind '{other}'"))),
        }
    }
    for (key, value) in post_build.substitute.iter().flatten() {
        vars.insert(key.clone(), value.replace('\n', ""));
    }
    Ok(vars)
}
