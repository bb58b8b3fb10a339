//! The demo's own Git repository: example manifests bundled in the binary (an app, its infrastructure, a
//! dependsOn chain of Kustomizations and one failing workload), committed into a local repository that the
//! embedded engine fetches over `file://`. Two commits, tagged `v1.0.0` and `v1.1.0`, so the semver source
//! has something to choose from; the user may commit more and watch the engine pick them up.

use std::path::Path;

use serde_json::{Value, json};

use crate::controllers::names::annotation::SHARDING_KEY;

/// The shard the demo's engine owns: only objects with this `sharding.fluxcd.io/key` are reconciled, so the
/// seeded fleet (statuses written once, as a real Flux would have) stays as it is.
pub const DEMO_SHARD: &str = "fluxtui-demo";

/// The manifests, by path in the repository.
pub const FILES: &[(&str, &str)] = &[
    ("clusters/demo/infrastructure.yaml", include_str!("repository/clusters/demo/infrastructure.yaml")),
    ("clusters/demo/apps.yaml", include_str!("repository/clusters/demo/apps.yaml")),
    ("infrastructure/kustomization.yaml", include_str!("repository/infrastructure/kustomization.yaml")),
    ("infrastructure/namespace.yaml", include_str!("repository/infrastructure/namespace.yaml")),
    ("infrastructure/settings.yaml", include_str!("repository/infrastructure/settings.yaml")),
    ("apps/podinfo/kustomization.yaml", include_str!("repository/apps/podinfo/kustomization.yaml")),
    ("apps/podinfo/deployment.yaml", include_str!("repository/apps/podinfo/deployment.yaml")),
    ("apps/podinfo/service.yaml", include_str!("repository/apps/podinfo/service.yaml")),
    ("apps/broken/kustomization.yaml", include_str!("repository/apps/broken/kustomization.yaml")),
    ("apps/broken/deployment.yaml", include_str!("repository/apps/broken/deployment.yaml")),
];

/// Creates the repository in `dir` (replacing whatever was there) on branch `main`; returns the head commit.
pub fn create_repository(dir: &Path) -> Result<String, git2::Error> {
    let io = |err: std::io::Error| git2::Error::from_str(&format!("{}: {err}", dir.display()));
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(io)?;
    }
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut options = git2::RepositoryInitOptions::new();
    options.initial_head("main");
    let repo = git2::Repository::init_opts(dir, &options)?;
    let signature = git2::Signature::now("fluxtui demo", "demo@fluxtui.invalid")?;
    let first =
        commit_files(&repo, dir, FILES, "Add the demo fleet: infrastructure, podinfo and a failing app", &signature)?;
    tag(&repo, "v1.0.0", first, &signature)?;
    let scaled: Vec<(&str, String)> = vec![(
        "apps/podinfo/deployment.yaml",
        include_str!("repository/apps/podinfo/deployment.yaml").replace("replicas: 2", "replicas: 3"),
    )];
    let scaled: Vec<(&str, &str)> = scaled.iter().map(|(path, text)| (*path, text.as_str())).collect();
    let second = commit_files(&repo, dir, &scaled, "Scale podinfo to 3 replicas", &signature)?;
    tag(&repo, "v1.1.0", second, &signature)?;
    Ok(second.to_string())
}

fn commit_files(
    repo: &git2::Repository,
    dir: &Path,
    files: &[(&str, &str)],
    message: &str,
    signature: &git2::Signature<'_>,
) -> Result<git2::Oid, git2::Error> {
    let mut index = repo.index()?;
    for (path, text) in files {
        let full = dir.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).map_err(|err| git2::Error::from_str(&err.to_string()))?;
        }
        std::fs::write(&full, text).map_err(|err| git2::Error::from_str(&err.to_string()))?;
        index.add_path(Path::new(path))?;
    }
    index.write()?;
    let tree = repo.find_tree(index.write_tree()?)?;
    let parents: Vec<git2::Commit<'_>> = match repo.head() {
        Ok(head) => vec![head.peel_to_commit()?],
        Err(_) => Vec::new(),
    };
    let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
    repo.commit(Some("HEAD"), signature, signature, message, &tree, &parents)
}

fn tag(
    repo: &git2::Repository,
    name: &str,
    commit: git2::Oid,
    signature: &git2::Signature<'_>,
) -> Result<(), git2::Error> {
    let object = repo.find_object(commit, None)?;
    repo.tag(name, &object, signature, &format!("Release {name}"), false).map(|_| ())
}

/// What the demo's engine reconciles, all labelled with [`DEMO_SHARD`]: the fleet on `main`, the latest release
/// by semver, one source that fails (a branch that does not exist), the fleet's Kustomizations (the
/// infrastructure, then podinfo and a crash-looping app that depend on it; the last one fails its health check),
/// and an ArtifactGenerator that splits the fleet into an `infrastructure` and an `apps` ExternalArtifact, as
/// Flux's monorepo example does. The Kustomizations are those of `clusters/demo/` in the repository.
pub fn live_objects(repository_url: &str) -> Vec<Value> {
    let source = |name: &str, reference: Value| {
        json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "GitRepository",
            "metadata": {"name": name, "namespace": "flux-system", "labels": {SHARDING_KEY: DEMO_SHARD}},
            "spec": {"interval": "1m", "url": repository_url, "ref": reference, "timeout": "60s"}
        })
    };
    vec![
        source("demo-fleet", json!({"branch": "main"})),
        source("demo-fleet-release", json!({"semver": ">=1.0.0"})),
        source("demo-fleet-missing-branch", json!({"branch": "does-not-exist"})),
        // The bootstrap Kustomization, as `flux bootstrap` makes one: it applies the cluster's directory, whose
        // Kustomizations (see `git_kustomizations`) the engine then reconciles in their dependsOn order.
        json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": {"name": "demo-fleet", "namespace": "flux-system", "labels": {SHARDING_KEY: DEMO_SHARD}},
            "spec": {
                "interval": "10m",
                "sourceRef": {"kind": "GitRepository", "name": "demo-fleet"},
                "path": "./clusters/demo",
                "prune": true,
            }
        }),
        json!({
            "apiVersion": "source.extensions.fluxcd.io/v1beta1",
            "kind": "ArtifactGenerator",
            "metadata": {"name": "demo-fleet", "namespace": "flux-system", "labels": {SHARDING_KEY: DEMO_SHARD}},
            "spec": {
                "sources": [{"alias": "fleet", "kind": "GitRepository", "name": "demo-fleet"}],
                "artifacts": [
                    {"name": "demo-infrastructure", "originRevision": "@fleet",
                     "copy": [{"from": "@fleet/infrastructure/**", "to": "@artifact/"}]},
                    {"name": "demo-apps", "originRevision": "@fleet",
                     "copy": [{"from": "@fleet/apps/**", "to": "@artifact/"}]}
                ]
            }
        }),
    ]
}

/// The Kustomizations the repository's `clusters/demo/` holds, which the bootstrap Kustomization applies.
pub fn git_kustomizations() -> Vec<Value> {
    FILES
        .iter()
        .filter(|(path, _)| path.starts_with("clusters/demo/"))
        .flat_map(|(path, text)| {
            // Bundled in the binary and checked by a unit test: a parse error is a build mistake.
            fluxtui_kustomize::yaml::parse_documents(text).unwrap_or_else(|err| panic!("{path}: {err}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clusters_kustomizations_are_the_demo_engines_own() {
        let kustomizations = git_kustomizations();
        let names: Vec<&str> = kustomizations.iter().map(|k| k["metadata"]["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["demo-infrastructure", "demo-apps", "demo-broken"]);
        for kustomization in &kustomizations {
            assert_eq!(kustomization["kind"], "Kustomization");
            assert_eq!(kustomization["metadata"]["labels"][SHARDING_KEY], DEMO_SHARD, "the demo's engine owns it");
        }
    }

    #[test]
    fn the_repository_has_two_tagged_commits_on_main() {
        let dir = tempfile::tempdir().unwrap();
        let head = create_repository(dir.path()).unwrap();
        let repo = git2::Repository::open(dir.path()).unwrap();
        assert_eq!(repo.head().unwrap().shorthand().unwrap(), "main");
        assert_eq!(repo.head().unwrap().peel_to_commit().unwrap().id().to_string(), head);
        let tags = repo.tag_names(None).unwrap();
        assert_eq!(tags.iter().flatten().flatten().collect::<Vec<_>>(), vec!["v1.0.0", "v1.1.0"]);
        let deployment = std::fs::read_to_string(dir.path().join("apps/podinfo/deployment.yaml")).unwrap();
        assert!(deployment.contains("replicas: 3"));
        // Again in the same place: replaced, not appended to.
        create_repository(dir.path()).unwrap();
        assert_eq!(
            git2::Repository::open(dir.path())
                .unwrap()
                .revwalk()
                .map(|mut w| {
                    w.push_head().unwrap();
                    w.count()
                })
                .unwrap(),
            2
        );
    }
}
