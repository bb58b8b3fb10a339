//! Why an object is not ready: Flux's rule for a dependency (kustomize-controller and helm-controller check the
//! same things), and the chain from a blocked object to the root cause, in words.
//!
//! A `dependsOn` entry with a `readyExpr` is decided as the controllers do: the expression is evaluated first
//! (`self` = the dependent, `dep` = the dependency, both as JSON); false or an error blocks. When it holds, the
//! dependency is ready, unless the `AdditiveCELDependencyCheck` feature gate is on, in which case the built-in rule
//! below must hold too.

use std::collections::HashMap;
use std::sync::Arc;

use super::DepGraph;
use super::GraphNode;
use crate::api::{AnyFluxObject, KindFamily};
use crate::model::cel::{ExprFailure, ReadyExpr};
use crate::model::readiness::Readiness;
use crate::model::row::Row;

/// Whether a dependency lets its dependent go ahead, by Flux's rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DependencyState {
    Ready,
    Missing,
    /// The dependency is suspended and not ready: it will not become ready until resumed.
    Suspended,
    /// The status is older than the spec: no conditions yet (`never`), or observedGeneration behind generation.
    NotReconciled {
        never: bool,
    },
    /// Ready is not True: the dependency's own message.
    NotReady(String),
    /// A Kustomization using the same source has not applied the source's current revision yet.
    RevisionBehind {
        applied: String,
        source: String,
    },
    /// The entry's `readyExpr` evaluated to false (Flux: "dependency '<ns>/<name>' is not ready according to
    /// readyExpr eval", reason `DependencyNotReady`, retried).
    ExprFalse {
        expr: String,
    },
    /// The entry's `readyExpr` failed. `invalid`: it does not compile, which Flux treats as a configuration
    /// error (the dependent is Stalled with reason `InvalidCELExpression` and not retried); otherwise it failed on
    /// these objects (`DependencyNotReady`, retried).
    ExprError {
        expr: String,
        error: String,
        invalid: bool,
    },
    /// The entry's `readyExpr` calls a function fluxtui's CEL lacks: fluxtui cannot tell whether it holds, and
    /// shows it in the chain rather than guessing.
    ExprUnsupported {
        expr: String,
        error: String,
    },
}

/// Source revisions by (kind name, namespace, name), for Flux's same-source rule.
pub type SourceRevisions = HashMap<(String, String, String), String>;

/// The source revisions in these rows (every kind with an artifact).
pub fn source_revisions<'a>(rows: impl IntoIterator<Item = &'a Arc<Row>>) -> SourceRevisions {
    rows.into_iter()
        .filter(|row| row.key.kind.family() == KindFamily::Source)
        .filter_map(|row| {
            let revision = row.object.revision()?.into_owned();
            Some(((row.key.kind.name().to_string(), row.key.namespace.clone(), row.key.name.clone()), revision))
        })
        .collect()
}

/// Decides whether `dependency` is ready for `dependent` to proceed, as kustomize-controller and helm-controller do.
/// With a `ready_expr`, the expression decides (and, when `additive_cel`, the built-in rule must hold as well).
/// The built-in rule: the dependency has conditions, is reconciled at its latest generation with Ready=True, and a
/// Kustomization that shares the dependent's source has applied that source's current revision.
pub fn dependency_state(
    dependent: &Row,
    dependency: Option<&Row>,
    ready_expr: Option<&ReadyExpr>,
    additive_cel: bool,
    sources: &SourceRevisions,
) -> DependencyState {
    let Some(dependency) = dependency else { return DependencyState::Missing };
    if let Some(expr) = ready_expr {
        let text = expr.text().to_string();
        match expr.evaluate(&dependent.object.to_value(), &dependency.object.to_value()) {
            Ok(true) => {}
            Ok(false) => return DependencyState::ExprFalse { expr: text },
            Err(ExprFailure::Invalid(error)) => return DependencyState::ExprError { expr: text, error, invalid: true },
            Err(ExprFailure::Evaluation(error)) => {
                return DependencyState::ExprError { expr: text, error, invalid: false };
            }
            Err(ExprFailure::Unsupported(error)) => return DependencyState::ExprUnsupported { expr: text, error },
        }
        if !additive_cel {
            return DependencyState::Ready;
        }
    }
    let object = dependency.object.as_ref();
    let stale = object.conditions().is_empty()
        || match (object.metadata().generation, object.observed_generation()) {
            (Some(generation), Some(observed)) => observed != generation,
            (Some(_), None) => true,
            _ => false,
        };
    let ready = object.condition("Ready").is_some_and(|condition| condition.status == "True");
    if stale || !ready {
        return if object.suspended() {
            DependencyState::Suspended
        } else if stale {
            DependencyState::NotReconciled { never: object.conditions().is_empty() }
        } else {
            DependencyState::NotReady(dependency.message.clone())
        };
    }
    if let (AnyFluxObject::Kustomization(_), AnyFluxObject::Kustomization(dependency_ks)) =
        (dependent.object.as_ref(), object)
        && let (Some(own), Some(theirs)) = (dependent.object.source_ref(), object.source_ref())
        && own == theirs
        && let Some(source) = sources.get(&(own.kind.clone(), own.namespace.clone(), own.name.clone()))
    {
        let applied =
            dependency_ks.status.as_ref().and_then(|status| status.last_applied_revision.clone()).unwrap_or_default();
        if applied != *source {
            return DependencyState::RevisionBehind { applied, source: source.clone() };
        }
    }
    DependencyState::Ready
}

impl DepGraph {
    /// The chain that keeps `node` from being ready, from `node` to the root cause: each step is a dependency
    /// that is not ready by Flux's rule. Empty when nothing blocks it (ready, or failing on its own).
    pub fn blocking_chain(&self, node: usize, sources: &SourceRevisions) -> Vec<(usize, DependencyState)> {
        let mut chain: Vec<(usize, DependencyState)> = Vec::new();
        let mut current = node;
        let mut seen = vec![current];
        while let Some(row) = self.nodes[current].row.as_deref() {
            let blocked = self.nodes[current].dependencies.iter().find_map(|dependency| {
                let target = &self.nodes[dependency.node];
                let expr = dependency.ready_expr.as_ref();
                let state = dependency_state(row, target.row.as_deref(), expr, self.additive_cel, sources);
                (state != DependencyState::Ready).then_some((dependency.node, state))
            });
            let Some((next, state)) = blocked else { break };
            let repeats = seen.contains(&next);
            chain.push((next, state));
            if repeats {
                break;
            }
            seen.push(next);
            current = next;
        }
        chain
    }

    /// The blocking chain in words: "apps waits for infra-configs, which waits for infra-controllers, which
    /// fails: <message>". `None` when the node is ready and nothing blocks it.
    pub fn explain(&self, node: usize, sources: &SourceRevisions) -> Option<String> {
        let subject = &self.nodes[node];
        let chain = self.blocking_chain(node, sources);
        let name = |index: usize| self.display_name(index, subject);
        let Some(row) = subject.row.as_deref() else {
            let count = subject.dependents.len();
            let who = if count == 1 { "1 object depends".to_string() } else { format!("{count} objects depend") };
            return Some(format!("{} does not exist; {who} on it", name(node)));
        };
        if chain.is_empty() {
            return match row.readiness {
                Readiness::Ready => None,
                Readiness::Suspended => Some(format!("{} is suspended", name(node))),
                Readiness::Failed => Some(format!("{} fails: {}", name(node), row.message)),
                Readiness::Reconciling | Readiness::Unknown => {
                    Some(format!("{} is not ready yet: {}", name(node), row.message))
                }
            };
        }
        let mut text = name(node);
        let last = chain.len() - 1;
        for (position, (dependency, state)) in chain.iter().enumerate() {
            let who = name(*dependency);
            if position == 0 {
                text.push_str(&format!(" waits for {who}"));
            } else {
                text.push_str(&format!(", which waits for {who}"));
            }
            if position == last {
                let reason = match state {
                    DependencyState::Missing => ", which does not exist".to_string(),
                    DependencyState::Suspended => ", which is suspended".to_string(),
                    DependencyState::NotReconciled { never: true } => ", which has not been reconciled yet".to_string(),
                    DependencyState::NotReconciled { never: false } => {
                        ", which has not been reconciled at its latest generation".to_string()
                    }
                    DependencyState::NotReady(message) if self.nodes[*dependency].in_cycle => {
                        format!(", which is in a dependency cycle: {message}")
                    }
                    DependencyState::NotReady(message) => {
                        let failed = self.nodes[*dependency].readiness() == Some(Readiness::Failed);
                        format!(", which {}: {message}", if failed { "fails" } else { "is not ready" })
                    }
                    DependencyState::RevisionBehind { applied, source } => {
                        format!(", which has applied {applied} but its source is at {source}")
                    }
                    DependencyState::ExprFalse { expr } => format!(": readyExpr `{expr}` is false"),
                    DependencyState::ExprError { expr, error, invalid: false } => {
                        format!(": readyExpr `{expr}` fails: {error}")
                    }
                    DependencyState::ExprUnsupported { expr, error } => {
                        format!(": readyExpr `{expr}` cannot be evaluated here ({error})")
                    }
                    DependencyState::ExprError { expr, error, invalid: true } => {
                        let waiting = if position == 0 { name(node) } else { name(chain[position - 1].0) };
                        format!(
                            ": readyExpr `{expr}` is invalid ({error}); Flux stalls {waiting} (InvalidCELExpression)"
                        )
                    }
                    DependencyState::Ready => String::new(),
                };
                text.push_str(&reason);
            }
        }
        Some(text)
    }

    /// A node's name as the explanations write it: the bare name when kind and namespace match the subject's.
    fn display_name(&self, node: usize, subject: &GraphNode) -> String {
        let key = &self.nodes[node].key;
        if key.kind == subject.key.kind && key.namespace == subject.key.namespace {
            key.name.clone()
        } else if key.kind == subject.key.kind {
            format!("{}/{}", key.namespace, key.name)
        } else {
            format!("{} {}/{}", key.kind, key.namespace, key.name)
        }
    }
}
