//! A type view over an object, answering the questions patching asks at each path: is this
//! list atomic, a set, or a map keyed by some fields? Is this map atomic? Is this key a declared
//! struct field or a map entry? It is built from a CRD version's `openAPIV3Schema` or from the
//! built-in table in [`super::merge_keys`].

use super::merge_keys::{RootKind, Shape, SmpList, SsaList, Struct, field_shape};
use crate::registry::ResourceInfo;
use serde_json::Value;

/// One key field of an associative list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListKey {
    pub name: String,
    /// Used when an item omits the key.
    pub default: Option<Value>,
}

/// How server-side apply treats a list.
#[derive(Debug, Clone, PartialEq)]
pub enum ListSemantics {
    Atomic,
    Set,
    Map(Vec<ListKey>),
}

/// The type of the value at some path.
#[derive(Debug, Clone, Copy)]
pub enum TypeNode<'a> {
    /// A node of a CRD schema; `root` marks the top level, whose `metadata` is always ObjectMeta.
    Schema {
        node: &'a Value,
        root: bool,
    },
    Builtin(Shape),
    /// No schema (an `x-kubernetes-preserve-unknown-fields` subtree, or a CRD without one):
    /// maps are granular and every key is a map entry; lists are atomic.
    Untyped {
        root: bool,
    },
}

impl<'a> TypeNode<'a> {
    /// The type of a whole object of the resource `info` describes.
    pub fn root(info: &'a ResourceInfo) -> TypeNode<'a> {
        if info.is_builtin() {
            return TypeNode::Builtin(Shape::Struct(Struct::Root(RootKind::of(&info.kind))));
        }
        match &info.schema {
            Some(schema) => TypeNode::Schema { node: schema, root: true },
            None => TypeNode::Untyped { root: true },
        }
    }

    /// The type of `self[name]`, and whether `name` is a declared struct field (as opposed to a
    /// map entry, which structured-merge-diff always records as owned on its own).
    pub fn field(self, name: &str) -> (TypeNode<'a>, bool) {
        let object_meta = TypeNode::Builtin(Shape::Struct(Struct::ObjectMeta));
        match self {
            TypeNode::Schema { root: true, .. } | TypeNode::Untyped { root: true } if name == "metadata" => {
                (object_meta, true)
            }
            TypeNode::Schema { node, .. } => {
                if let Some(property) = node.get("properties").and_then(|p| p.get(name)) {
                    return (TypeNode::Schema { node: property, root: false }, true);
                }
                match node.get("additionalProperties") {
                    Some(additional @ Value::Object(_)) => (TypeNode::Schema { node: additional, root: false }, false),
                    _ => (TypeNode::Untyped { root: false }, false),
                }
            }
            TypeNode::Builtin(Shape::Struct(parent) | Shape::AtomicStruct(parent)) => {
                (TypeNode::Builtin(field_shape(parent, name)), true)
            }
            TypeNode::Builtin(Shape::Map { .. }) => (TypeNode::Builtin(Shape::Struct(Struct::Opaque)), false),
            TypeNode::Builtin(Shape::List { .. }) | TypeNode::Untyped { .. } => {
                (TypeNode::Untyped { root: false }, false)
            }
        }
    }

    /// The type of the items of a list.
    pub fn items(self) -> TypeNode<'a> {
        match self {
            TypeNode::Schema { node, .. } => match node.get("items") {
                Some(items @ Value::Object(_)) => TypeNode::Schema { node: items, root: false },
                _ => TypeNode::Untyped { root: false },
            },
            TypeNode::Builtin(Shape::List { item, .. }) => TypeNode::Builtin(item.item_shape()),
            TypeNode::Builtin(_) => TypeNode::Builtin(Shape::Struct(Struct::Opaque)),
            TypeNode::Untyped { .. } => TypeNode::Untyped { root: false },
        }
    }

    /// Server-side apply's view of a list at this node.
    pub fn list_semantics(self) -> ListSemantics {
        match self {
            TypeNode::Schema { node, .. } => match node.get("x-kubernetes-list-type").and_then(Value::as_str) {
                Some("set") => ListSemantics::Set,
                Some("map") => {
                    let keys = crate::schema::list_map_keys(node)
                        .map(|name| ListKey {
                            name: name.to_string(),
                            default: node
                                .get("items")
                                .and_then(|items| items.get("properties"))
                                .and_then(|properties| properties.get(name))
                                .and_then(|property| property.get("default"))
                                .cloned(),
                        })
                        .collect::<Vec<_>>();
                    if keys.is_empty() { ListSemantics::Atomic } else { ListSemantics::Map(keys) }
                }
                _ => ListSemantics::Atomic,
            },
            TypeNode::Builtin(Shape::List { ssa, .. }) => match ssa {
                SsaList::Atomic => ListSemantics::Atomic,
                SsaList::Set => ListSemantics::Set,
                SsaList::Map(keys) => ListSemantics::Map(
                    keys.iter()
                        .map(|k| ListKey { name: k.name.to_string(), default: k.default.map(Value::from) })
                        .collect(),
                ),
            },
            _ => ListSemantics::Atomic,
        }
    }

    /// Strategic merge patch's view of a list at this node (CRDs never get here: the server
    /// refuses strategic merge patches for them).
    pub fn smp_list(self) -> SmpList {
        match self {
            TypeNode::Builtin(Shape::List { smp, .. }) => smp,
            _ => SmpList::Replace,
        }
    }

    /// Is the map (or struct) here owned and replaced as a whole by server-side apply?
    pub fn is_atomic_map(self) -> bool {
        match self {
            TypeNode::Schema { node, .. } => {
                node.get("x-kubernetes-map-type").and_then(Value::as_str) == Some("atomic")
            }
            TypeNode::Builtin(shape) => matches!(shape, Shape::AtomicStruct(_) | Shape::Map { atomic: true }),
            TypeNode::Untyped { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn crd_schema_markers_are_read() {
        let schema = json!({
            "type": "object",
            "properties": {
                "spec": {"type": "object", "properties": {
                    "tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
                    "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["port", "protocol"],
                        "items": {"type": "object", "properties": {"port": {"type": "integer"}, "protocol": {"type": "string", "default": "TCP"}}}},
                    "args": {"type": "array", "items": {"type": "string"}},
                    "selector": {"type": "object", "x-kubernetes-map-type": "atomic"},
                    "values": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                    "env": {"type": "object", "additionalProperties": {"type": "string"}}
                }}
            }
        });
        let root = TypeNode::Schema { node: &schema, root: true };
        let (spec, declared) = root.field("spec");
        assert!(declared);
        assert_eq!(spec.field("tags").0.list_semantics(), ListSemantics::Set);
        assert_eq!(spec.field("args").0.list_semantics(), ListSemantics::Atomic);
        let ListSemantics::Map(keys) = spec.field("ports").0.list_semantics() else { panic!("map list") };
        assert_eq!(keys[1], ListKey { name: "protocol".into(), default: Some(json!("TCP")) });
        assert!(spec.field("selector").0.is_atomic_map());
        let (values, _) = spec.field("values");
        assert!(!values.is_atomic_map());
        assert!(matches!(values.field("anything"), (TypeNode::Untyped { .. }, false)));
        assert!(matches!(spec.field("env").0.field("HOME"), (TypeNode::Schema { .. }, false)));
        assert!(matches!(root.field("metadata").0.field("finalizers").0.list_semantics(), ListSemantics::Set));
    }
}
