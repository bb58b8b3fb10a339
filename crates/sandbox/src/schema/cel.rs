//! A deliberately small CEL interpreter for `x-kubernetes-validations` rules.
//!
//! It covers the expression shapes the Flux CRDs use: `self`, field selection, `has(...)`,
//! `!`, `&&`, `||`, comparisons (`==`, `!=`, `<`, `<=`, `>`, `>=`), `in`, string/int/bool/null
//! literals, list literals, parentheses, `size(x)` / `x.size()`, `x.all(v, e)`,
//! `x.exists(v, e)`, and the string functions `matches`, `startsWith`, `endsWith`, `contains`.
//!
//! Rules outside this subset are reported as [`CelError::Unsupported`] and *skipped* by the
//! validator (never guessed): notably transition rules using `oldSelf`, `messageExpression`,
//! ternaries, arithmetic, `quantity`/`url`/`format` libraries, `exists_one`, `map`/`filter`,
//! optional types (`?.`), and timestamp/duration functions. None of the Flux v2.9 CRDs in
//! `shared/flux/crds` needs them.

use super::validate::pattern_matches;
use serde_json::Value;
use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CelError {
    /// The rule uses CEL this interpreter does not implement; the rule is skipped.
    #[error("unsupported CEL: {0}")]
    Unsupported(String),
    /// A runtime error the real server reports too, such as a missing key.
    #[error("{0}")]
    Runtime(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Str(String),
    Int(i64),
    Float(f64),
    Op(&'static str),
}

fn tokenize(src: &str) -> Result<Vec<Token>, CelError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token::Ident(chars[start..i].iter().collect()));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            out.push(if text.contains('.') {
                Token::Float(text.parse().map_err(|_| CelError::Unsupported(format!("number {text}")))?)
            } else {
                Token::Int(text.parse().map_err(|_| CelError::Unsupported(format!("number {text}")))?)
            });
        } else if c == '\'' || c == '"' {
            let quote = c;
            i += 1;
            let mut s = String::new();
            while i < chars.len() && chars[i] != quote {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    i += 1;
                    s.push(match chars[i] {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                } else {
                    s.push(chars[i]);
                }
                i += 1;
            }
            if i >= chars.len() {
                return Err(CelError::Unsupported("unterminated string".into()));
            }
            i += 1;
            out.push(Token::Str(s));
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let op = ["&&", "||", "==", "!=", "<=", ">="].into_iter().find(|o| *o == two);
            if let Some(op) = op {
                out.push(Token::Op(op));
                i += 2;
            } else {
                let op = ["!", "<", ">", "(", ")", "[", "]", ".", ",", "-"]
                    .into_iter()
                    .find(|o| o.starts_with(c))
                    .ok_or_else(|| CelError::Unsupported(format!("character {c:?}")))?;
                out.push(Token::Op(op));
                i += 1;
            }
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Literal(Value),
    Ident(String),
    Select(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
    Has(Box<Expr>, String),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Compare(&'static str, Box<Expr>, Box<Expr>),
    List(Vec<Expr>),
    /// A global (`size(x)`) or receiver (`x.size()`) call; receiver first in args.
    Call(String, Vec<Expr>),
    /// `range.all(var, body)` / `range.exists(var, body)`.
    Comprehension {
        all: bool,
        range: Box<Expr>,
        var: String,
        body: Box<Expr>,
    },
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }
    fn eat(&mut self, op: &str) -> bool {
        if matches!(self.peek(), Some(Token::Op(o)) if *o == op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn expect(&mut self, op: &str) -> Result<(), CelError> {
        if self.eat(op) { Ok(()) } else { Err(CelError::Unsupported(format!("expected {op:?}"))) }
    }
    fn or(&mut self) -> Result<Expr, CelError> {
        let mut left = self.and()?;
        while self.eat("||") {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }
    fn and(&mut self) -> Result<Expr, CelError> {
        let mut left = self.relation()?;
        while self.eat("&&") {
            left = Expr::And(Box::new(left), Box::new(self.relation()?));
        }
        Ok(left)
    }
    fn relation(&mut self) -> Result<Expr, CelError> {
        let left = self.unary()?;
        for op in ["==", "!=", "<=", ">=", "<", ">"] {
            if self.eat(op) {
                return Ok(Expr::Compare(op, Box::new(left), Box::new(self.unary()?)));
            }
        }
        if matches!(self.peek(), Some(Token::Ident(i)) if i == "in") {
            self.pos += 1;
            return Ok(Expr::Compare("in", Box::new(left), Box::new(self.unary()?)));
        }
        if matches!(self.peek(), Some(Token::Ident(i)) if i == "?") {
            return Err(CelError::Unsupported("ternary".into()));
        }
        Ok(left)
    }
    fn unary(&mut self) -> Result<Expr, CelError> {
        if self.eat("!") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.eat("-") {
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        self.postfix()
    }
    fn args(&mut self) -> Result<Vec<Expr>, CelError> {
        let mut args = Vec::new();
        if self.eat(")") {
            return Ok(args);
        }
        loop {
            args.push(self.or()?);
            if self.eat(")") {
                return Ok(args);
            }
            self.expect(",")?;
        }
    }
    fn postfix(&mut self) -> Result<Expr, CelError> {
        let mut expr = self.primary()?;
        loop {
            if self.eat(".") {
                let Some(Token::Ident(name)) = self.peek().cloned() else {
                    return Err(CelError::Unsupported("expected a field name".into()));
                };
                self.pos += 1;
                if self.eat("(") {
                    let args = self.args()?;
                    expr = match (name.as_str(), args.as_slice()) {
                        ("all" | "exists", [Expr::Ident(var), body]) => Expr::Comprehension {
                            all: name == "all",
                            range: Box::new(expr),
                            var: var.clone(),
                            body: Box::new(body.clone()),
                        },
                        ("size" | "matches" | "startsWith" | "endsWith" | "contains", _) => {
                            Expr::Call(name, std::iter::once(expr).chain(args).collect())
                        }
                        _ => return Err(CelError::Unsupported(format!("method {name}"))),
                    };
                } else {
                    expr = Expr::Select(Box::new(expr), name);
                }
            } else if self.eat("[") {
                let index = self.or()?;
                self.expect("]")?;
                expr = Expr::Index(Box::new(expr), Box::new(index));
            } else {
                return Ok(expr);
            }
        }
    }
    fn primary(&mut self) -> Result<Expr, CelError> {
        let token = self.peek().cloned().ok_or_else(|| CelError::Unsupported("unexpected end".into()))?;
        self.pos += 1;
        match token {
            Token::Str(s) => Ok(Expr::Literal(Value::String(s))),
            Token::Int(i) => Ok(Expr::Literal(Value::from(i))),
            Token::Float(f) => Ok(Expr::Literal(Value::from(f))),
            Token::Op("(") => {
                let e = self.or()?;
                self.expect(")")?;
                Ok(e)
            }
            Token::Op("[") => {
                let mut items = Vec::new();
                if !self.eat("]") {
                    loop {
                        items.push(self.or()?);
                        if self.eat("]") {
                            break;
                        }
                        self.expect(",")?;
                    }
                }
                Ok(Expr::List(items))
            }
            Token::Ident(name) => match name.as_str() {
                "true" => Ok(Expr::Literal(Value::Bool(true))),
                "false" => Ok(Expr::Literal(Value::Bool(false))),
                "null" => Ok(Expr::Literal(Value::Null)),
                "oldSelf" => Err(CelError::Unsupported("transition rules (oldSelf)".into())),
                _ if self.eat("(") => {
                    let args = self.args()?;
                    match (name.as_str(), args.as_slice()) {
                        ("has", [Expr::Select(target, field)]) => Ok(Expr::Has(target.clone(), field.clone())),
                        ("size", [_]) => Ok(Expr::Call(name, args)),
                        _ => Err(CelError::Unsupported(format!("function {name}"))),
                    }
                }
                _ => Ok(Expr::Ident(name)),
            },
            Token::Op(op) => Err(CelError::Unsupported(format!("unexpected {op:?}"))),
        }
    }
}

/// A parsed rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Program(Expr);

impl Program {
    pub fn compile(rule: &str) -> Result<Self, CelError> {
        let mut parser = Parser { tokens: tokenize(rule)?, pos: 0 };
        let expr = parser.or()?;
        if parser.pos != parser.tokens.len() {
            return Err(CelError::Unsupported("trailing input".into()));
        }
        Ok(Program(expr))
    }

    /// Evaluates the rule with `self` bound to `value`; `Ok(true)` means the rule holds.
    pub fn eval(&self, value: &Value) -> Result<bool, CelError> {
        let scope = Scope { name: "self", value, parent: None };
        match eval(&self.0, &scope)?.as_ref() {
            Value::Bool(b) => Ok(*b),
            other => Err(CelError::Runtime(format!("rule evaluated to {other}, not a bool"))),
        }
    }
}

/// The variables in scope: `self`, then one frame per enclosing comprehension. Values are
/// borrowed, so binding `self` or a comprehension item copies nothing.
struct Scope<'v> {
    name: &'v str,
    value: &'v Value,
    parent: Option<&'v Scope<'v>>,
}

impl<'v> Scope<'v> {
    fn lookup(&self, name: &str) -> Option<&'v Value> {
        let mut frame = Some(self);
        while let Some(f) = frame {
            if f.name == name {
                return Some(f.value);
            }
            frame = f.parent;
        }
        None
    }
}

/// A part of a borrowed value stays borrowed; a part of a computed one is copied out.
fn part<'v>(whole: Cow<'v, Value>, pick: impl for<'a> Fn(&'a Value) -> Option<&'a Value>) -> Option<Cow<'v, Value>> {
    match whole {
        Cow::Borrowed(v) => pick(v).map(Cow::Borrowed),
        Cow::Owned(v) => pick(&v).cloned().map(Cow::Owned),
    }
}

fn eval<'v>(expr: &'v Expr, scope: &Scope<'v>) -> Result<Cow<'v, Value>, CelError> {
    let truth = |e: &'v Expr| -> Result<bool, CelError> {
        match eval(e, scope)?.as_ref() {
            Value::Bool(b) => Ok(*b),
            _ => Err(CelError::Runtime("no such overload".into())),
        }
    };
    let bool = |b: bool| Ok(Cow::Owned(Value::Bool(b)));
    match expr {
        Expr::Literal(v) => Ok(Cow::Borrowed(v)),
        Expr::Ident(name) => {
            scope.lookup(name).map(Cow::Borrowed).ok_or_else(|| CelError::Unsupported(format!("identifier {name}")))
        }
        Expr::Select(target, field) => {
            part(eval(target, scope)?, |v| v.as_object().and_then(|m| m.get(field.as_str())))
                .ok_or_else(|| CelError::Runtime(format!("no such key: {field}")))
        }
        Expr::Index(target, index) => {
            let index = eval(index, scope)?;
            let target = eval(target, scope)?;
            match (target.as_ref(), index.as_ref()) {
                (Value::Array(_), Value::Number(n)) => {
                    let at = n.as_u64().and_then(|i| usize::try_from(i).ok());
                    part(target, |v| v.as_array().and_then(|items| items.get(at?)))
                        .ok_or_else(|| CelError::Runtime("index out of bounds".into()))
                }
                (Value::Object(_), Value::String(k)) => {
                    part(target, |v| v.get(k.as_str())).ok_or_else(|| CelError::Runtime(format!("no such key: {k}")))
                }
                _ => Err(CelError::Runtime("no such overload".into())),
            }
        }
        Expr::Has(target, field) => match eval(target, scope)?.as_ref() {
            Value::Object(map) => bool(map.contains_key(field)),
            _ => Err(CelError::Runtime(format!("no such key: {field}"))),
        },
        Expr::Not(e) => bool(!truth(e)?),
        Expr::Neg(e) => match eval(e, scope)?.as_ref() {
            Value::Number(n) if n.is_i64() => Ok(Cow::Owned(Value::from(-n.as_i64().unwrap_or_default()))),
            Value::Number(n) => Ok(Cow::Owned(Value::from(-n.as_f64().unwrap_or_default()))),
            _ => Err(CelError::Runtime("no such overload".into())),
        },
        // CEL's logical operators absorb errors when the other side decides the result.
        Expr::And(a, b) => match (truth(a), truth(b)) {
            (Ok(false), _) | (_, Ok(false)) => bool(false),
            (Ok(true), Ok(true)) => bool(true),
            (Err(e), _) | (_, Err(e)) => Err(e),
        },
        Expr::Or(a, b) => match (truth(a), truth(b)) {
            (Ok(true), _) | (_, Ok(true)) => bool(true),
            (Ok(false), Ok(false)) => bool(false),
            (Err(e), _) | (_, Err(e)) => Err(e),
        },
        Expr::Compare(op, a, b) => {
            let (a, b) = (eval(a, scope)?, eval(b, scope)?);
            bool(compare(op, &a, &b)?)
        }
        Expr::List(items) => {
            let items = items.iter().map(|e| eval(e, scope).map(Cow::into_owned)).collect::<Result<_, _>>()?;
            Ok(Cow::Owned(Value::Array(items)))
        }
        Expr::Call(name, args) => {
            let args = args.iter().map(|e| eval(e, scope)).collect::<Result<Vec<_>, _>>()?;
            Ok(Cow::Owned(call(name, &args)?))
        }
        Expr::Comprehension { all, range, var, body } => {
            let range = eval(range, scope)?;
            let holds = |item: &Value| -> Result<bool, CelError> {
                let inner = Scope { name: var, value: item, parent: Some(scope) };
                match eval(body, &inner)?.as_ref() {
                    Value::Bool(b) => Ok(*b),
                    _ => Err(CelError::Runtime("no such overload".into())),
                }
            };
            // `all` stops at the first item that fails, `exists` at the first that holds.
            let decided = |item: &Value| holds(item).map(|h| h != *all);
            let mut stopped = false;
            match range.as_ref() {
                Value::Array(items) => {
                    for item in items {
                        if decided(item)? {
                            stopped = true;
                            break;
                        }
                    }
                }
                Value::Object(map) => {
                    for key in map.keys() {
                        if decided(&Value::String(key.clone()))? {
                            stopped = true;
                            break;
                        }
                    }
                }
                _ => return Err(CelError::Runtime("no such overload".into())),
            }
            bool(*all != stopped)
        }
    }
}

fn compare(op: &str, a: &Value, b: &Value) -> Result<bool, CelError> {
    if op == "in" {
        return match b {
            Value::Array(items) => Ok(items.iter().any(|i| values_equal(i, a))),
            Value::Object(map) => Ok(a.as_str().is_some_and(|k| map.contains_key(k))),
            _ => Err(CelError::Runtime("no such overload".into())),
        };
    }
    if op == "==" {
        return Ok(values_equal(a, b));
    }
    if op == "!=" {
        return Ok(!values_equal(a, b));
    }
    let ordering = match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64().partial_cmp(&y.as_f64()),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        _ => None,
    }
    .ok_or_else(|| CelError::Runtime("no such overload".into()))?;
    Ok(match op {
        "<" => ordering.is_lt(),
        "<=" => ordering.is_le(),
        ">" => ordering.is_gt(),
        _ => ordering.is_ge(),
    })
}

fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn call(name: &str, args: &[Cow<'_, Value>]) -> Result<Value, CelError> {
    let overload = || CelError::Runtime(format!("no such overload: {name}"));
    let args: Vec<&Value> = args.iter().map(AsRef::as_ref).collect();
    match (name, args.as_slice()) {
        ("size", [Value::String(s)]) => Ok(Value::from(s.chars().count())),
        ("size", [Value::Array(items)]) => Ok(Value::from(items.len())),
        ("size", [Value::Object(map)]) => Ok(Value::from(map.len())),
        ("matches", [Value::String(s), Value::String(re)]) => {
            // Compiled once per pattern and thread, like the schema's `pattern` keyword.
            let matched = pattern_matches(re, s).map_err(|e| CelError::Runtime(e.to_string()))?;
            Ok(Value::Bool(matched))
        }
        ("startsWith", [Value::String(s), Value::String(p)]) => Ok(Value::Bool(s.starts_with(p.as_str()))),
        ("endsWith", [Value::String(s), Value::String(p)]) => Ok(Value::Bool(s.ends_with(p.as_str()))),
        ("contains", [Value::String(s), Value::String(p)]) => Ok(Value::Bool(s.contains(p.as_str()))),
        _ => Err(overload()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(rule: &str, value: Value) -> Result<bool, CelError> {
        Program::compile(rule)?.eval(&value)
    }

    #[test]
    fn evaluates_the_flux_rule_shapes() {
        let rule = "(has(self.chart) && !has(self.chartRef)) || (!has(self.chart) && has(self.chartRef))";
        assert_eq!(check(rule, json!({"chart": {}})), Ok(true));
        assert_eq!(check(rule, json!({"chart": {}, "chartRef": {}})), Ok(false));
        assert_eq!(check(rule, json!({})), Ok(false));
        let rule = "self.type != 'generic-oidc' || (has(self.oidcProviders) && size(self.oidcProviders) > 0)";
        assert_eq!(check(rule, json!({"type": "generic-oidc", "oidcProviders": [1]})), Ok(true));
        assert_eq!(check(rule, json!({"type": "generic-oidc"})), Ok(false));
        let rule = r"has(self.pathPattern) && size(self.pathPattern) > 0 || self.artifacts.all(a, a.name.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'))";
        assert_eq!(check(rule, json!({"artifacts": [{"name": "ok"}, {"name": "also-ok"}]})), Ok(true));
        assert_eq!(check(rule, json!({"artifacts": [{"name": "Not_OK"}]})), Ok(false));
        assert_eq!(
            check(
                "!has(self.verify) || self.sourceRef.kind == 'HelmRepository'",
                json!({"verify": {}, "sourceRef": {"kind": "GitRepository"}})
            ),
            Ok(false)
        );
        assert_eq!(check("self.provider == 'aws'", json!({})), Err(CelError::Runtime("no such key: provider".into())));
        assert_eq!(check("self.x in ['a', 'b']", json!({"x": "b"})), Ok(true));
    }

    #[test]
    fn refuses_what_it_cannot_evaluate() {
        assert!(matches!(Program::compile("self.x == oldSelf.x"), Err(CelError::Unsupported(_))));
        assert!(matches!(Program::compile("self.x.map(y, y + 1)"), Err(CelError::Unsupported(_))));
        assert!(matches!(Program::compile("self.a ? 1 : 2"), Err(CelError::Unsupported(_))));
        assert!(matches!(
            Program::compile("quantity(self.q).isLessThan(quantity('1Gi'))"),
            Err(CelError::Unsupported(_))
        ));
    }
}
