//! Sets of field paths, as structured-merge-diff models them, and their `FieldsV1` encoding.
//!
//! A [`FieldSet`] is a tree: each node is reached by a [`PathElement`] and is either a *member*
//! of the set (the path itself is owned), a parent of members, or both. `FieldsV1` writes a
//! member leaf as `{}` and a member with children as `{".": {}, ...children}`.

use serde_json::{Map, Value};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// One step of a field path.
#[derive(Debug, Clone)]
pub enum PathElement {
    /// A struct field or a map key: `f:<name>`.
    Field(String),
    /// An item of an associative list, by its key fields (sorted by name): `k:{"name":"nginx"}`.
    Key(Vec<(String, Value)>),
    /// An item of a set list, by value: `v:"foo"`.
    Value(Value),
    /// A list position: `i:3`. Only decoded; this server never produces it.
    Index(usize),
}

impl PathElement {
    fn rank(&self) -> u8 {
        match self {
            PathElement::Field(_) => 0,
            PathElement::Key(_) => 1,
            PathElement::Value(_) => 2,
            PathElement::Index(_) => 3,
        }
    }

    /// The `FieldsV1` object key for this element.
    pub fn encode(&self) -> String {
        match self {
            PathElement::Field(name) => format!("f:{name}"),
            PathElement::Key(fields) => {
                let object: Map<String, Value> = fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                format!("k:{}", Value::Object(object))
            }
            PathElement::Value(value) => format!("v:{value}"),
            PathElement::Index(index) => format!("i:{index}"),
        }
    }

    fn decode(key: &str) -> Result<PathElement, FieldSetError> {
        let bad = || FieldSetError(format!("unknown path element {key:?}"));
        let (prefix, rest) = key.split_at_checked(2).ok_or_else(bad)?;
        match prefix {
            "f:" => Ok(PathElement::Field(rest.to_string())),
            "k:" => match serde_json::from_str::<Value>(rest) {
                Ok(Value::Object(object)) => {
                    let mut fields: Vec<(String, Value)> = object.into_iter().collect();
                    fields.sort_by(|a, b| a.0.cmp(&b.0));
                    Ok(PathElement::Key(fields))
                }
                _ => Err(bad()),
            },
            "v:" => serde_json::from_str(rest).map(PathElement::Value).map_err(|_| bad()),
            "i:" => rest.parse().map(PathElement::Index).map_err(|_| bad()),
            _ => Err(bad()),
        }
    }
}

/// How structured-merge-diff renders a path element in messages: `.spec`, `[name="nginx"]`, `[=value]`, `[3]`.
impl std::fmt::Display for PathElement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PathElement::Field(name) => write!(f, ".{name}"),
            PathElement::Key(fields) => {
                let parts: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
                write!(f, "[{}]", parts.join(","))
            }
            PathElement::Value(value) => write!(f, "[={value}]"),
            PathElement::Index(index) => write!(f, "[{index}]"),
        }
    }
}

/// `.spec.template.spec.containers[name="nginx"].image`
pub fn path_string(path: &[PathElement]) -> String {
    path.iter().map(ToString::to_string).collect()
}

/// A total order on JSON values, so set items and keys sort deterministically.
pub fn cmp_values(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            Value::Array(_) => 4,
            Value::Object(_) => 5,
        }
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => x.as_f64().unwrap_or(0.0).total_cmp(&y.as_f64().unwrap_or(0.0)),
        },
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Array(x), Value::Array(y)) => {
            for (l, r) in x.iter().zip(y) {
                let ord = cmp_values(l, r);
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Object(x), Value::Object(y)) => {
            let mut xs: Vec<_> = x.iter().collect();
            let mut ys: Vec<_> = y.iter().collect();
            xs.sort_by(|l, r| l.0.cmp(r.0));
            ys.sort_by(|l, r| l.0.cmp(r.0));
            for ((lk, lv), (rk, rv)) in xs.iter().zip(&ys) {
                let ord = lk.cmp(rk).then_with(|| cmp_values(lv, rv));
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            xs.len().cmp(&ys.len())
        }
        _ => rank(a).cmp(&rank(b)),
    }
}

impl Ord for PathElement {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (PathElement::Field(a), PathElement::Field(b)) => a.cmp(b),
            (PathElement::Key(a), PathElement::Key(b)) => {
                for ((ak, av), (bk, bv)) in a.iter().zip(b) {
                    let ord = ak.cmp(bk).then_with(|| cmp_values(av, bv));
                    if ord != Ordering::Equal {
                        return ord;
                    }
                }
                a.len().cmp(&b.len())
            }
            (PathElement::Value(a), PathElement::Value(b)) => cmp_values(a, b),
            (PathElement::Index(a), PathElement::Index(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for PathElement {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for PathElement {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for PathElement {}

/// A malformed `fieldsV1` document.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid fieldsV1: {0}")]
pub struct FieldSetError(pub String);

/// A set of field paths (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSet {
    member: bool,
    children: BTreeMap<PathElement, FieldSet>,
}

impl FieldSet {
    pub fn new() -> Self {
        FieldSet::default()
    }

    /// No member anywhere. (The root's own membership is meaningless and ignored.)
    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }

    /// Is this node itself a member (when reached as a child)?
    pub fn is_member(&self) -> bool {
        self.member
    }

    pub fn child(&self, element: &PathElement) -> Option<&FieldSet> {
        self.children.get(element)
    }

    /// Adds `path` as a member; the empty path (the object itself) is never a member.
    pub fn insert(&mut self, path: &[PathElement]) {
        let Some((first, rest)) = path.split_first() else { return };
        let child = self.children.entry(first.clone()).or_default();
        if rest.is_empty() {
            child.member = true;
        } else {
            child.insert(rest);
        }
    }

    /// The node at `path`, member or not.
    #[cfg(test)]
    pub fn node(&self, path: &[PathElement]) -> Option<&FieldSet> {
        match path.split_first() {
            None => Some(self),
            Some((first, rest)) => self.children.get(first)?.node(rest),
        }
    }

    #[cfg(test)]
    pub fn has_member(&self, path: &[PathElement]) -> bool {
        !path.is_empty() && self.node(path).is_some_and(|n| n.member)
    }

    /// Removes `path` and everything under it.
    pub fn remove_subtree(&mut self, path: &[PathElement]) {
        let Some((first, rest)) = path.split_first() else {
            self.children.clear();
            return;
        };
        if rest.is_empty() {
            self.children.remove(first);
        } else if let Some(child) = self.children.get_mut(first) {
            child.remove_subtree(rest);
            if !child.member && child.children.is_empty() {
                self.children.remove(first);
            }
        }
    }

    #[cfg(test)]
    pub fn union(&self, other: &FieldSet) -> FieldSet {
        let mut out = self.clone();
        out.union_with(other);
        out
    }

    /// Adds every member of `other` to `self`, copying only the subtrees `self` lacks.
    pub fn union_with(&mut self, other: &FieldSet) {
        self.member |= other.member;
        for (element, theirs) in &other.children {
            match self.children.get_mut(element) {
                Some(ours) => ours.union_with(theirs),
                None => {
                    self.children.insert(element.clone(), theirs.clone());
                }
            }
        }
    }

    /// Members of `self` that are not members of `other` (per path, not per subtree).
    pub fn difference(&self, other: &FieldSet) -> FieldSet {
        let mut out = FieldSet { member: self.member && !other.member, children: BTreeMap::new() };
        for (element, ours) in &self.children {
            let child = match other.children.get(element) {
                Some(theirs) => ours.difference(theirs),
                None => ours.clone(),
            };
            if child.member || !child.children.is_empty() {
                out.children.insert(element.clone(), child);
            }
        }
        out
    }

    pub fn intersection(&self, other: &FieldSet) -> FieldSet {
        let mut out = FieldSet { member: self.member && other.member, children: BTreeMap::new() };
        for (element, ours) in &self.children {
            if let Some(theirs) = other.children.get(element) {
                let child = ours.intersection(theirs);
                if child.member || !child.children.is_empty() {
                    out.children.insert(element.clone(), child);
                }
            }
        }
        out
    }

    /// Marks every named field that has members below it as a member itself, as the apply
    /// pruning step does, so that a field the applier stops applying is removed as a whole.
    pub fn ensure_named_fields_are_members(&self) -> FieldSet {
        let mut out = self.clone();
        fn walk(node: &mut FieldSet) {
            for (element, child) in node.children.iter_mut() {
                if matches!(element, PathElement::Field(_)) && !child.children.is_empty() {
                    child.member = true;
                }
                walk(child);
            }
        }
        walk(&mut out);
        out
    }

    /// Every member path, in set order.
    pub fn members(&self) -> Vec<Vec<PathElement>> {
        let mut out = Vec::new();
        fn walk(node: &FieldSet, prefix: &mut Vec<PathElement>, out: &mut Vec<Vec<PathElement>>) {
            for (element, child) in &node.children {
                prefix.push(element.clone());
                if child.member {
                    out.push(prefix.clone());
                }
                walk(child, prefix, out);
                prefix.pop();
            }
        }
        walk(self, &mut Vec::new(), &mut out);
        out
    }

    /// The `fieldsV1` JSON object.
    pub fn to_fields_v1(&self) -> Value {
        let mut object = Map::new();
        if self.member && !self.children.is_empty() {
            object.insert(".".to_string(), Value::Object(Map::new()));
        }
        for (element, child) in &self.children {
            object.insert(element.encode(), child.to_fields_v1());
        }
        Value::Object(object)
    }

    pub fn from_fields_v1(value: &Value) -> Result<FieldSet, FieldSetError> {
        let Value::Object(object) = value else {
            return Err(FieldSetError("expected an object".to_string()));
        };
        let mut set = FieldSet::new();
        for (key, child) in object {
            if key == "." {
                set.member = true;
                continue;
            }
            let element = PathElement::decode(key)?;
            let mut child_set = FieldSet::from_fields_v1(child)?;
            // `{}` is a member leaf.
            if child_set.children.is_empty() {
                child_set.member = true;
            }
            set.children.insert(element, child_set);
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn f(name: &str) -> PathElement {
        PathElement::Field(name.to_string())
    }

    #[test]
    fn fields_v1_round_trips_with_the_real_encoding() {
        let encoded = json!({
            "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
            "f:spec": {
                "f:replicas": {},
                "f:template": {"f:spec": {"f:containers": {
                    "k:{\"name\":\"nginx\"}": {".": {}, "f:image": {}, "f:name": {},
                        "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}}}
                }}}
            },
            "f:metadata2": {"f:finalizers": {"v:\"a\"": {}, "v:\"b\"": {}}}
        });
        let set = FieldSet::from_fields_v1(&encoded).expect("decodes");
        assert!(set.has_member(&[f("spec"), f("replicas")]));
        assert!(set.has_member(&[f("metadata"), f("labels")]));
        assert!(!set.has_member(&[f("spec")]));
        let key = PathElement::Key(vec![("name".into(), json!("nginx"))]);
        assert!(set.has_member(&[f("spec"), f("template"), f("spec"), f("containers"), key.clone(), f("image")]));
        let round = set.to_fields_v1();
        assert_eq!(FieldSet::from_fields_v1(&round).expect("decodes"), set);
        // Children sort as the real server emits them: "." first, then field names, then keys.
        let text = serde_json::to_string(&round).expect("serializes");
        assert!(text.starts_with(r#"{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:metadata2""#), "{text}");
        let ports_key = PathElement::Key(vec![("containerPort".into(), json!(80)), ("protocol".into(), json!("TCP"))]);
        assert_eq!(ports_key.encode(), r#"k:{"containerPort":80,"protocol":"TCP"}"#);
        assert_eq!(
            path_string(&[f("spec"), f("containers"), key, f("image")]),
            r#".spec.containers[name="nginx"].image"#
        );
    }

    #[test]
    fn set_operations_work_per_member() {
        let mut a = FieldSet::new();
        a.insert(&[f("spec"), f("replicas")]);
        a.insert(&[f("spec"), f("paused")]);
        a.insert(&[f("spec")]);
        let mut b = FieldSet::new();
        b.insert(&[f("spec"), f("replicas")]);
        let diff = a.difference(&b);
        assert_eq!(diff.members(), vec![vec![f("spec")], vec![f("spec"), f("paused")]]);
        let inter = a.intersection(&b);
        assert_eq!(inter.members(), vec![vec![f("spec"), f("replicas")]]);
        assert_eq!(b.union(&diff), a);
        let mut grown = b.clone();
        grown.union_with(&diff);
        assert_eq!(grown, a);
        grown.union_with(&a);
        assert_eq!(grown, a);
        assert!(a.difference(&a).is_empty());
        let mut c = a.clone();
        c.remove_subtree(&[f("spec")]);
        assert!(c.is_empty());
    }

    #[test]
    fn malformed_fields_v1_is_an_error() {
        assert!(FieldSet::from_fields_v1(&json!({"x:foo": {}})).is_err());
        assert!(FieldSet::from_fields_v1(&json!({"k:notjson": {}})).is_err());
        assert!(FieldSet::from_fields_v1(&json!([])).is_err());
    }
}
