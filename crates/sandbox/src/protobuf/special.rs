//! apimachinery types whose JSON form differs from their proto fields: times, durations, quantities,
//! int-or-strings and embedded raw JSON. Each follows the Go type's own `MarshalJSON`.

use super::ProtobufError;
use super::schema::Special;
use super::wire::{Reader, WireValue};
use chrono::DateTime;
use serde_json::Value;

/// The JSON form of a special message from its proto bytes (an absent field decodes from `&[]`).
pub(super) fn decode(special: Special, buf: &[u8], depth: usize) -> Result<Value, ProtobufError> {
    match special {
        Special::Time => time(buf, false),
        Special::MicroTime => time(buf, true),
        Special::Duration => {
            let nanos = int_field(buf, "meta.Duration", 1)?;
            Ok(Value::String(go_duration(nanos)))
        }
        Special::Quantity => {
            // A zero Quantity marshals as "0". A present one is passed through as sent: clients marshal
            // the canonical form (Quantity.String()), which is what the server's JSON shows.
            let text = string_field(buf, "resource.Quantity", 1)?;
            Ok(Value::String(if text.is_empty() { "0".to_string() } else { text }))
        }
        Special::IntOrString => int_or_string(buf),
        Special::FieldsV1 => raw_json(single_bytes(buf, "meta.FieldsV1", 1)?, "meta.FieldsV1", depth),
        Special::RawExtension => raw_json(single_bytes(buf, "runtime.RawExtension", 1)?, "runtime.RawExtension", depth),
    }
}

/// `metav1.Time` (whole seconds: its proto Unmarshal drops nanos) or `metav1.MicroTime`; the zero time is
/// written as an empty message and marshals as `null`.
fn time(buf: &[u8], micro: bool) -> Result<Value, ProtobufError> {
    let name = if micro { "meta.MicroTime" } else { "meta.Time" };
    if buf.is_empty() {
        return Ok(Value::Null);
    }
    let (mut seconds, mut nanos) = (0i64, 0i64);
    let mut reader = Reader::new(buf);
    while let Some((number, value)) = reader.next_field()? {
        match (number, value) {
            (1, WireValue::Varint(v)) => seconds = v as i64,
            // int32 on the wire: sign-extended to 64 bits, so truncation restores it.
            (2, WireValue::Varint(v)) => nanos = i64::from(v as i32),
            (number, value) => return Err(ProtobufError::unknown_field(name, number, value)),
        }
    }
    let nanos = if micro { nanos } else { 0 };
    let stamp = DateTime::from_timestamp(seconds, 0)
        .and_then(|t| t.checked_add_signed(chrono::Duration::nanoseconds(nanos)))
        .filter(|t| (0..=9999).contains(&chrono::Datelike::year(t)))
        .ok_or_else(|| ProtobufError::Malformed(format!("{name} {seconds}s {nanos}ns is out of range")))?;
    let text =
        if micro { stamp.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string() } else { crate::resources::rfc3339(stamp) };
    Ok(Value::String(text))
}

fn int_or_string(buf: &[u8]) -> Result<Value, ProtobufError> {
    let (mut kind, mut int_val, mut str_val) = (0i64, 0i32, String::new());
    let mut reader = Reader::new(buf);
    while let Some((number, value)) = reader.next_field()? {
        match (number, value) {
            (1, WireValue::Varint(v)) => kind = v as i64,
            (2, WireValue::Varint(v)) => int_val = v as i32,
            (3, WireValue::Bytes(b)) => str_val = super::text(b),
            (number, value) => return Err(ProtobufError::unknown_field("intstr.IntOrString", number, value)),
        }
    }
    match kind {
        0 => Ok(Value::from(int_val)),
        1 => Ok(Value::String(str_val)),
        other => Err(ProtobufError::Malformed(format!("impossible IntOrString.Type {other}"))),
    }
}

/// Embedded JSON (`RawExtension.raw`, `FieldsV1.Raw`); a nested protobuf object is decoded in turn.
fn raw_json(raw: Option<&[u8]>, name: &str, depth: usize) -> Result<Value, ProtobufError> {
    match raw {
        None | Some([]) => Ok(Value::Null),
        Some(raw) if raw.starts_with(super::MAGIC) => super::decode_nested(raw, depth),
        Some(raw) => {
            serde_json::from_slice(raw).map_err(|e| ProtobufError::Malformed(format!("{name} does not hold JSON: {e}")))
        }
    }
}

fn single_bytes<'a>(buf: &'a [u8], name: &str, field: u32) -> Result<Option<&'a [u8]>, ProtobufError> {
    let mut found = None;
    let mut reader = Reader::new(buf);
    while let Some((number, value)) = reader.next_field()? {
        match value {
            WireValue::Bytes(b) if number == field => found = Some(b),
            value => return Err(ProtobufError::unknown_field(name, number, value)),
        }
    }
    Ok(found)
}

fn string_field(buf: &[u8], name: &str, field: u32) -> Result<String, ProtobufError> {
    Ok(single_bytes(buf, name, field)?.map(super::text).unwrap_or_default())
}

fn int_field(buf: &[u8], name: &str, field: u32) -> Result<i64, ProtobufError> {
    let mut found = 0;
    let mut reader = Reader::new(buf);
    while let Some((number, value)) = reader.next_field()? {
        match value {
            WireValue::Varint(v) if number == field => found = v as i64,
            value => return Err(ProtobufError::unknown_field(name, number, value)),
        }
    }
    Ok(found)
}

/// Go's `time.Duration.String()`: `1h2m3.5s`, `1.5ms`, `0s`.
pub(super) fn go_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".to_string();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let u = nanos.unsigned_abs();
    if u < 1_000_000_000 {
        let (precision, unit) = match u {
            0..1_000 => (0, "ns"),
            1_000..1_000_000 => (3, "µs"),
            _ => (6, "ms"),
        };
        let (whole, fraction) = split_fraction(u, precision);
        return format!("{sign}{whole}{fraction}{unit}");
    }
    let (seconds, fraction) = split_fraction(u, 9);
    let (minutes, seconds) = (seconds / 60, seconds % 60);
    let (hours, minutes) = (minutes / 60, minutes % 60);
    match (hours, minutes) {
        (0, 0) => format!("{sign}{seconds}{fraction}s"),
        (0, _) => format!("{sign}{minutes}m{seconds}{fraction}s"),
        _ => format!("{sign}{hours}h{minutes}m{seconds}{fraction}s"),
    }
}

/// Splits `value` into its whole part and `.ddd` fraction of `precision` digits without trailing zeros.
fn split_fraction(value: u64, precision: u32) -> (u64, String) {
    let scale = 10u64.pow(precision);
    let rest = value % scale;
    if rest == 0 {
        return (value / scale, String::new());
    }
    let digits = format!("{rest:0width$}", width = precision as usize);
    (value / scale, format!(".{}", digits.trim_end_matches('0')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn durations_print_like_go() {
        assert_eq!(go_duration(0), "0s");
        assert_eq!(go_duration(100), "100ns");
        assert_eq!(go_duration(1_500), "1.5µs");
        assert_eq!(go_duration(1_500_000), "1.5ms");
        assert_eq!(go_duration(1_000_000_000), "1s");
        assert_eq!(go_duration(60_000_000_000), "1m0s");
        assert_eq!(go_duration(3_723_500_000_000), "1h2m3.5s");
        assert_eq!(go_duration(-90_000_000_000), "-1m30s");
    }

    fn push_varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    #[test]
    fn times_follow_the_go_marshallers() {
        assert_eq!(time(&[], false).unwrap(), Value::Null);
        // seconds 1700000000, nanos 123456789
        let mut buf = vec![0x08];
        push_varint(&mut buf, 1_700_000_000);
        buf.push(0x10);
        push_varint(&mut buf, 123_456_789);
        assert_eq!(time(&buf, false).unwrap(), json!("2023-11-14T22:13:20Z"));
        assert_eq!(time(&buf, true).unwrap(), json!("2023-11-14T22:13:20.123456Z"));
    }

    #[test]
    fn int_or_string_and_quantity() {
        assert_eq!(int_or_string(&[0x08, 0x00, 0x10, 0x50]).unwrap(), json!(80));
        assert_eq!(int_or_string(&[0x08, 0x01, 0x1a, 0x04, b'h', b't', b't', b'p']).unwrap(), json!("http"));
        assert!(int_or_string(&[0x08, 0x02]).is_err());
        assert_eq!(decode(Special::Quantity, &[], 0).unwrap(), json!("0"));
        assert_eq!(decode(Special::Quantity, &[0x0a, 0x03, b'1', b'0', b'm'], 0).unwrap(), json!("10m"));
    }

    #[test]
    fn raw_extension_holds_json() {
        let buf = [&[0x0a, 0x07][..], br#"{"a":1}"#].concat();
        assert_eq!(decode(Special::RawExtension, &buf, 0).unwrap(), json!({"a": 1}));
        assert_eq!(decode(Special::RawExtension, &[], 0).unwrap(), Value::Null);
        assert!(decode(Special::FieldsV1, &[0x12, 0x00], 0).is_err(), "unknown field 2");
    }
}
