//! `dependsOn[].readyExpr`: the CEL expression Flux evaluates, with the variables `self` (the object that depends)
//! and `dep` (the dependency), to decide whether a dependency is ready (kustomize-controller and helm-controller).
//! The same compiled expressions serve a Kustomization's `healthCheckExprs`, evaluated with the object's
//! top-level fields as variables ([`ReadyExpr::evaluate_fields`]).
//!
//! The expressions are compiled with the `cel` crate (the cel-rust interpreter, which has the macros Flux users
//! write: `has`, `all`, `exists`, `exists_one`, `map`, `filter`). Objects go in as JSON, numbers as CEL `int` where
//! they are whole (Kubernetes' unstructured objects hold `int64`), so `dep.status.observedGeneration ==
//! dep.metadata.generation` and `dep.metadata.generation == 2` both compare as in Flux.
//!
//! Flux tells two failures apart, and so does this module:
//! - an expression that does not compile is a configuration error: the dependent is marked Stalled with reason
//!   `InvalidCELExpression` and not retried (`failed to evaluate dependency <name>: <error>`);
//! - an evaluation error (a missing field, a type mismatch, a result that is not a bool) is a transient failure:
//!   `DependencyNotReady`, retried every `--requeue-dependency`.
//!
//! cel-go type-checks at compile time what cel-rust only finds while evaluating: an undeclared variable (other
//! than `self` and `dep`) is reported as invalid when evaluation reaches it. A function this build does not have
//! (`timestamp`, `duration`, Kubernetes' libraries) may well exist in Flux's environment, so it is reported as
//! unsupported here rather than as an error of the expression.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

use cel::objects::{Key, Map};
use cel::{Context, ExecutionError, Program, Value as CelValue};
use serde_json::Value;

/// One `readyExpr`, compiled once: the program, or why it does not compile.
#[derive(Clone)]
pub struct ReadyExpr {
    text: Arc<str>,
    compiled: Result<Arc<Program>, Arc<str>>,
}

impl fmt::Debug for ReadyExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadyExpr").field("text", &self.text).field("compiles", &self.compiled.is_ok()).finish()
    }
}

/// Two expressions are the same when their text is: the program follows from it.
impl PartialEq for ReadyExpr {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for ReadyExpr {}

/// Why a `readyExpr` did not say true or false.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExprFailure {
    /// The expression is not valid CEL (or names something that does not exist): Flux stalls the dependent with
    /// reason `InvalidCELExpression` and does not retry until the spec changes.
    Invalid(String),
    /// The expression is valid but failed on these objects (a missing field, a type mismatch, not a bool): Flux
    /// reports `DependencyNotReady` and retries.
    Evaluation(String),
    /// The expression calls a function fluxtui's CEL does not have: whether it holds is unknown here.
    Unsupported(String),
}

impl ReadyExpr {
    /// Compiles `text` (use [`ReadyExprCache`] to compile each distinct expression once).
    pub fn compile(text: &str) -> ReadyExpr {
        let compiled =
            Program::compile(text).map(Arc::new).map_err(|errors| Arc::from(one_line(&errors.to_string()).as_str()));
        ReadyExpr { text: Arc::from(text), compiled }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The compile error, if the expression is not valid CEL.
    pub fn compile_error(&self) -> Option<&str> {
        self.compiled.as_ref().err().map(|error| &**error)
    }

    /// Evaluates the expression with `self` and `dep` bound to these objects (as the API server returns them).
    pub fn evaluate(&self, self_object: &Value, dep: &Value) -> Result<bool, ExprFailure> {
        self.evaluate_with([("self", self_object), ("dep", dep)])
    }

    /// Evaluates the expression with each top-level field of `object` bound as a variable (`metadata`, `spec`,
    /// `status`, ...): how Flux evaluates `healthCheckExprs`, whose expressions read `status.conditions`.
    pub fn evaluate_fields(&self, object: &Value) -> Result<bool, ExprFailure> {
        let fields = object.as_object().into_iter().flatten().map(|(name, value)| (name.as_str(), value));
        self.evaluate_with(fields)
    }

    /// Evaluates the expression with these variables; the result must be a bool.
    pub fn evaluate_with<'a>(
        &self,
        variables: impl IntoIterator<Item = (&'a str, &'a Value)>,
    ) -> Result<bool, ExprFailure> {
        let program = self.compiled.as_ref().map_err(|error| ExprFailure::Invalid(error.to_string()))?;
        let mut context = Context::default();
        for (name, value) in variables {
            context.add_variable_from_value(name.to_string(), json_to_cel(value));
        }
        match program.execute(&context) {
            Ok(CelValue::Bool(ready)) => Ok(ready),
            Ok(other) => Err(ExprFailure::Evaluation(format!("the result is {}, not a bool", other.type_of()))),
            Err(ExecutionError::UndeclaredReference(name)) => {
                if program.references().has_function(name.as_str()) {
                    Err(ExprFailure::Unsupported(format!("function '{name}' is not supported by fluxtui")))
                } else {
                    Err(ExprFailure::Invalid(format!("undeclared reference to '{name}'")))
                }
            }
            Err(error) => Err(ExprFailure::Evaluation(describe_error(&error))),
        }
    }
}

/// The compiled expressions of a graph, by text, kept across rebuilds so an expression compiles once while it
/// is in use. Only the expressions of the latest build are kept, so memory follows the cluster.
#[derive(Debug, Clone, Default)]
pub struct ReadyExprCache {
    compiled: HashMap<Arc<str>, ReadyExpr>,
    used: HashSet<Arc<str>>,
}

impl ReadyExprCache {
    /// The compiled expression for `text`, compiling it the first time.
    pub fn get(&mut self, text: &str) -> ReadyExpr {
        let expr = match self.compiled.get(text) {
            Some(expr) => expr.clone(),
            None => {
                let expr = ReadyExpr::compile(text);
                self.compiled.insert(Arc::clone(&expr.text), expr.clone());
                expr
            }
        };
        self.used.insert(Arc::clone(&expr.text));
        expr
    }

    /// Adds an expression compiled elsewhere (a graph narrowed from a bigger one reuses its programs).
    pub fn insert(&mut self, expr: ReadyExpr) {
        self.compiled.insert(Arc::clone(&expr.text), expr);
    }

    /// Drops the expressions not asked for since the last call: call once per rebuild, after it.
    pub fn forget_unused(&mut self) {
        let used = std::mem::take(&mut self.used);
        self.compiled.retain(|text, _| used.contains(text));
    }

    pub fn len(&self) -> usize {
        self.compiled.len()
    }

    pub fn is_empty(&self) -> bool {
        self.compiled.is_empty()
    }
}

/// A JSON value as CEL sees an unstructured Kubernetes object: whole numbers are `int` (`uint` only beyond
/// `i64`), other numbers `double`.
pub fn json_to_cel(value: &Value) -> CelValue {
    match value {
        Value::Null => CelValue::Null,
        Value::Bool(value) => CelValue::Bool(*value),
        Value::Number(number) => match (number.as_i64(), number.as_u64()) {
            (Some(int), _) => CelValue::Int(int),
            (None, Some(uint)) => CelValue::UInt(uint),
            _ => CelValue::Float(number.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(text) => CelValue::String(Arc::new(text.clone())),
        Value::Array(items) => CelValue::List(Arc::new(items.iter().map(json_to_cel).collect())),
        Value::Object(fields) => {
            let map: HashMap<Key, CelValue> =
                fields.iter().map(|(name, value)| (Key::String(Arc::new(name.clone())), json_to_cel(value))).collect();
            CelValue::Map(Map { map: Arc::new(map) })
        }
    }
}

/// An evaluation error in words, as cel-go would phrase the common ones.
fn describe_error(error: &ExecutionError) -> String {
    match error {
        ExecutionError::NoSuchKey(key) => format!("no such key: {key}"),
        other => one_line(&other.to_string()),
    }
}

/// Error text on one line: the parser's messages carry the source and a caret line, which a status line cannot
/// show.
fn one_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().trim().to_string()
}

#[cfg(test)]
#[path = "cel_tests.rs"]
mod tests;
