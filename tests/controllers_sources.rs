//! The engine's source reconcilers against the real sandbox over HTTP, with real servers on loopback (git
//! daemon, git http-backend behind basic auth, moto's S3, docker-registry, a Helm chart repository): statuses,
//! conditions, events and artifacts checked against Flux's semantics (../shared/flux/SEMANTICS.md), the
//! ExternalArtifacts ArtifactGenerators compose from them, and the runtime around them (leader election, the
//! ownership check, suspend, deletion, the JSON log).

#[path = "support/oci_artifacts.rs"]
mod oci_artifacts;
#[path = "controllers_sources/support.rs"]
mod support;

#[path = "controllers_sources/artifact_generator.rs"]
mod artifact_generator;
#[path = "controllers_sources/bucket.rs"]
mod bucket;
#[path = "controllers_sources/depends_on_fixture.rs"]
mod depends_on_fixture;
#[path = "controllers_sources/git_repository.rs"]
mod git_repository;
#[path = "controllers_sources/gitops_phases.rs"]
mod gitops_phases;
#[path = "controllers_sources/helm.rs"]
mod helm;
#[path = "controllers_sources/helm_oci.rs"]
mod helm_oci;
#[path = "controllers_sources/impersonation.rs"]
mod impersonation;
#[path = "controllers_sources/kustomization.rs"]
mod kustomization;
#[path = "controllers_sources/kustomization_config_watches.rs"]
mod kustomization_config_watches;
#[path = "controllers_sources/kustomization_diff.rs"]
mod kustomization_diff;
#[path = "controllers_sources/kustomization_field_managers.rs"]
mod kustomization_field_managers;
#[path = "controllers_sources/kustomization_health_exprs.rs"]
mod kustomization_health_exprs;
#[path = "controllers_sources/kustomization_ignore.rs"]
mod kustomization_ignore;
#[path = "controllers_sources/oci_repository.rs"]
mod oci_repository;
#[path = "controllers_sources/runtime.rs"]
mod runtime;
