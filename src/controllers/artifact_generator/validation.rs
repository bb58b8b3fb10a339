//! The spec checks source-watcher makes before any work (`validateSpec`): a failure here cannot heal without a
//! spec change, so it stalls the generator with `ValidationFailed`.

use std::collections::BTreeSet;

use super::error::GeneratorError;
use super::sources::alias_of;
use crate::api::source::artifact_generator::ArtifactGeneratorSpec;

/// Checks alias and artifact name uniqueness and that every `revision: "@alias"` names a source.
pub fn validate(spec: &ArtifactGeneratorSpec) -> Result<(), GeneratorError> {
    if spec.path_pattern.as_deref().is_some_and(|p| !p.is_empty()) {
        return Err(GeneratorError::Validation(
            "spec.pathPattern is not supported by this engine: list the artifacts explicitly".to_string(),
        ));
    }
    let mut aliases = BTreeSet::new();
    for source in spec.sources.iter().flatten() {
        let alias = source.alias.as_deref().unwrap_or_default();
        if !aliases.insert(alias) {
            return Err(GeneratorError::Validation(format!("duplicate source alias '{alias}' found")));
        }
    }
    let mut names = BTreeSet::new();
    for artifact in spec.artifacts.iter().flatten() {
        let name = artifact.name.as_deref().unwrap_or_default();
        if !names.insert(name) {
            return Err(GeneratorError::Validation(format!("duplicate artifact name '{name}' found")));
        }
        if let Some(revision) = artifact.revision.as_deref().filter(|r| !r.is_empty())
            && !aliases.contains(alias_of(revision))
        {
            return Err(GeneratorError::Validation(format!(
                "artifact {name} revision source alias '{}' not found",
                alias_of(revision)
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::source::artifact_generator::{OutputArtifact, SourceReference};

    fn spec(aliases: &[&str], artifacts: &[(&str, Option<&str>)]) -> ArtifactGeneratorSpec {
        ArtifactGeneratorSpec {
            sources: Some(
                aliases.iter().map(|a| SourceReference { alias: Some(a.to_string()), ..Default::default() }).collect(),
            ),
            artifacts: Some(
                artifacts
                    .iter()
                    .map(|(name, revision)| OutputArtifact {
                        name: Some(name.to_string()),
                        revision: revision.map(str::to_string),
                        ..Default::default()
                    })
                    .collect(),
            ),
            ..Default::default()
        }
    }

    #[test]
    fn duplicates_and_unknown_revision_aliases_are_refused() {
        assert!(validate(&spec(&["a", "b"], &[("x", Some("@a")), ("y", None)])).is_ok());
        let err = |s: ArtifactGeneratorSpec| validate(&s).unwrap_err().to_string();
        assert_eq!(err(spec(&["a", "a"], &[])), "duplicate source alias 'a' found");
        assert_eq!(err(spec(&["a"], &[("x", None), ("x", None)])), "duplicate artifact name 'x' found");
        assert_eq!(err(spec(&["a"], &[("x", Some("@b"))])), "artifact x revision source alias 'b' not found");
    }
}
