//! Schema-driven decoding of one message into the JSON object Go's `encoding/json` would print for the
//! same Go struct.

use super::ProtobufError;
use super::schema::{Field, Scalar, Schema, Shape, Ty};
use super::special;
use super::wire::{Reader, WireValue};
use base64::Engine;
use serde_json::{Map, Value};

/// Deeper than any real object (the PodSpec family nests about a dozen levels); stops hostile input
/// from exhausting the stack through nested raw extensions.
pub(super) const MAX_DEPTH: usize = 64;

/// What the wire held for one field, gathered before the JSON is built.
enum Slot {
    Absent,
    /// A single value and whether it is the scalar zero value (`""`, `0`, `false`, empty bytes).
    One(Value, bool),
    List(Vec<Value>),
    Map(Map<String, Value>),
}

pub(super) fn message(
    schema: &Schema,
    index: usize,
    buf: &[u8],
    depth: usize,
) -> Result<Map<String, Value>, ProtobufError> {
    if depth > MAX_DEPTH {
        return Err(ProtobufError::Malformed(format!("objects nested deeper than {MAX_DEPTH} levels")));
    }
    let msg = &schema.messages[index];
    let mut slots: Vec<Slot> = msg.fields.iter().map(|_| Slot::Absent).collect();
    let mut reader = Reader::new(buf);
    while let Some((number, value)) = reader.next_field().map_err(|e| e.within(&msg.name))? {
        let Some(at) = msg.position(number) else {
            return Err(ProtobufError::unknown_field(&msg.name, number, value));
        };
        let field = &msg.fields[at];
        let ctx = Ctx { schema, message: &msg.name, field, depth };
        match field.shape {
            // Proto semantics would merge a repeated singular message; gogo never writes one twice, so
            // the last occurrence wins.
            Shape::Single => slots[at] = ctx.value(field.ty, value).map(|(v, zero)| Slot::One(v, zero))?,
            Shape::Repeated => {
                if !matches!(slots[at], Slot::List(_)) {
                    slots[at] = Slot::List(Vec::new());
                }
                if let Slot::List(list) = &mut slots[at] {
                    ctx.repeated(value, list)?;
                }
            }
            Shape::Map(key) => {
                if !matches!(slots[at], Slot::Map(_)) {
                    slots[at] = Slot::Map(Map::new());
                }
                if let Slot::Map(map) = &mut slots[at] {
                    let (k, v) = ctx.map_entry(key, value)?;
                    map.insert(k, v);
                }
            }
        }
    }
    let mut out = Map::new();
    for (field, slot) in msg.fields.iter().zip(slots) {
        let ctx = Ctx { schema, message: &msg.name, field, depth };
        if field.inline {
            // Embedded structs are values in Go, so their (possibly empty) fields are always merged.
            let inner = match slot {
                Slot::One(Value::Object(inner), _) => inner,
                _ => match field.ty {
                    Ty::Message(i) => message(schema, i, &[], depth + 1)?,
                    _ => Map::new(),
                },
            };
            out.extend(inner);
            continue;
        }
        let value = match slot {
            Slot::One(value, zero) => {
                let droppable = matches!(field.ty, Ty::Scalar(_)) && !field.pointer && !field.always;
                if zero && droppable {
                    continue;
                }
                value
            }
            Slot::List(list) => Value::Array(list),
            Slot::Map(map) => Value::Object(map),
            Slot::Absent => match ctx.absent()? {
                Some(value) => value,
                None => continue,
            },
        };
        out.insert(field.json.to_string(), value);
    }
    Ok(out)
}

struct Ctx<'a> {
    schema: &'a Schema,
    message: &'a str,
    field: &'a Field,
    depth: usize,
}

impl Ctx<'_> {
    fn wrong_wire(&self, value: WireValue<'_>) -> ProtobufError {
        ProtobufError::WireType {
            message: self.message.to_string(),
            field: self.field.json.to_string(),
            wire_type: value.wire_type(),
        }
    }

    /// One value of type `ty`, and whether it is a droppable scalar zero.
    fn value(&self, ty: Ty, value: WireValue<'_>) -> Result<(Value, bool), ProtobufError> {
        let decoded = match (ty, value) {
            (Ty::Scalar(Scalar::Str), WireValue::Bytes(b)) => {
                let text = super::text(b);
                let zero = text.is_empty();
                (Value::String(text), zero)
            }
            (Ty::Scalar(Scalar::Bytes), WireValue::Bytes(b)) => {
                (Value::String(base64::engine::general_purpose::STANDARD.encode(b)), b.is_empty())
            }
            (Ty::Scalar(Scalar::Bool), WireValue::Varint(v)) => (Value::Bool(v != 0), v == 0),
            // int32 travels sign-extended to 64 bits; truncating restores the value.
            (Ty::Scalar(Scalar::I32), WireValue::Varint(v)) => (Value::from(v as i32), v as i32 == 0),
            (Ty::Scalar(Scalar::I64), WireValue::Varint(v)) => (Value::from(v as i64), v == 0),
            (Ty::Scalar(Scalar::U32), WireValue::Varint(v)) => (Value::from(v as u32), v as u32 == 0),
            (Ty::Scalar(Scalar::U64), WireValue::Varint(v)) => (Value::from(v), v == 0),
            (Ty::Scalar(Scalar::F64), WireValue::Fixed64(bits)) => {
                let f = f64::from_bits(bits);
                let number = serde_json::Number::from_f64(f).ok_or_else(|| {
                    ProtobufError::Malformed(format!("{}.{} is not a finite number", self.message, self.field.json))
                })?;
                (Value::Number(number), f == 0.0)
            }
            (Ty::Message(i), WireValue::Bytes(b)) => {
                (Value::Object(message(self.schema, i, b, self.depth + 1)?), false)
            }
            (Ty::Special(s), WireValue::Bytes(b)) => (special::decode(s, b, self.depth + 1)?, false),
            (_, value) => return Err(self.wrong_wire(value)),
        };
        Ok(decoded)
    }

    /// Appends one occurrence of a repeated field; numeric scalars may come packed in one buffer.
    fn repeated(&self, value: WireValue<'_>, list: &mut Vec<Value>) -> Result<(), ProtobufError> {
        let packable = matches!(self.field.ty, Ty::Scalar(s) if !matches!(s, Scalar::Str | Scalar::Bytes));
        match value {
            WireValue::Bytes(packed) if packable && self.field.ty == Ty::Scalar(Scalar::F64) => {
                if packed.len() % 8 != 0 {
                    return Err(ProtobufError::Malformed(format!(
                        "packed doubles of {}.{} are truncated",
                        self.message, self.field.json
                    )));
                }
                for chunk in packed.chunks_exact(8) {
                    let mut bits = [0u8; 8];
                    bits.copy_from_slice(chunk);
                    list.push(self.value(self.field.ty, WireValue::Fixed64(u64::from_le_bytes(bits)))?.0);
                }
            }
            WireValue::Bytes(packed) if packable => {
                let mut reader = Reader::new(packed);
                while !reader.at_end() {
                    let element = WireValue::Varint(reader.varint().map_err(|e| e.within(self.message))?);
                    list.push(self.value(self.field.ty, element)?.0);
                }
            }
            value => list.push(self.value(self.field.ty, value)?.0),
        }
        Ok(())
    }

    /// One map entry message: key field 1, value field 2; a missing part is its type's zero value.
    fn map_entry(&self, key_ty: Scalar, value: WireValue<'_>) -> Result<(String, Value), ProtobufError> {
        let WireValue::Bytes(entry) = value else {
            return Err(self.wrong_wire(value));
        };
        let (mut key, mut val) = (None, None);
        let mut reader = Reader::new(entry);
        while let Some((number, part)) = reader.next_field().map_err(|e| e.within(self.message))? {
            match number {
                1 => key = Some(self.value(Ty::Scalar(key_ty), part)?.0),
                2 => val = Some(self.value(self.field.ty, part)?.0),
                number => {
                    return Err(ProtobufError::UnknownField {
                        message: format!("{}.{} map entry", self.message, self.field.json),
                        number,
                        wire_type: part.wire_type(),
                    });
                }
            }
        }
        // Go's JSON object keys are strings; numeric or boolean keys print as their text.
        let key = match key.unwrap_or_else(|| zero_scalar(key_ty)) {
            Value::String(text) => text,
            other => other.to_string(),
        };
        let val = match val {
            Some(v) => v,
            None => self.zero(self.field.ty)?,
        };
        Ok((key, val))
    }

    /// The JSON of a field the wire did not carry, or `None` to leave it out.
    fn absent(&self) -> Result<Option<Value>, ProtobufError> {
        let field = self.field;
        let value = match (field.shape, field.ty) {
            // Nil slices, maps, pointers and []byte: `null` without omitempty, left out with it.
            (Shape::Repeated | Shape::Map(_), _) | (Shape::Single, Ty::Scalar(Scalar::Bytes)) => {
                field.always.then_some(Value::Null)
            }
            _ if field.pointer => field.always.then_some(Value::Null),
            (Shape::Single, Ty::Scalar(s)) => field.always.then(|| zero_scalar(s)),
            // A non-pointer struct is always printed: its zero value is decoding an empty buffer.
            (Shape::Single, ty) => Some(self.zero(ty)?),
        };
        Ok(value)
    }

    fn zero(&self, ty: Ty) -> Result<Value, ProtobufError> {
        match ty {
            Ty::Scalar(s) => Ok(zero_scalar(s)),
            Ty::Message(i) => Ok(Value::Object(message(self.schema, i, &[], self.depth + 1)?)),
            Ty::Special(s) => special::decode(s, &[], self.depth + 1),
        }
    }
}

fn zero_scalar(scalar: Scalar) -> Value {
    match scalar {
        Scalar::Str | Scalar::Bytes => Value::String(String::new()),
        Scalar::Bool => Value::Bool(false),
        Scalar::I32 | Scalar::I64 | Scalar::U32 | Scalar::U64 => Value::from(0),
        Scalar::F64 => Value::from(0.0),
    }
}
