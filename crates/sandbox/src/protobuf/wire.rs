//! The protobuf wire format, reading side only: tags, varints, fixed-width and length-delimited values.
//!
//! Kubernetes objects use nothing beyond proto2 basics (no groups, no zigzag), so this reader is small.

use super::ProtobufError;

/// One field value as it sits on the wire, before the schema gives it a meaning.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum WireValue<'a> {
    Varint(u64),
    Fixed64(u64),
    Fixed32(u32),
    Bytes(&'a [u8]),
}

impl WireValue<'_> {
    /// The wire type number, for error messages.
    pub(super) fn wire_type(&self) -> u8 {
        match self {
            WireValue::Varint(_) => 0,
            WireValue::Fixed64(_) => 1,
            WireValue::Bytes(_) => 2,
            WireValue::Fixed32(_) => 5,
        }
    }
}

/// Walks the fields of one message buffer.
pub(super) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    pub(super) fn at_end(&self) -> bool {
        self.pos >= self.buf.len()
    }

    /// The next `(field number, value)`, or `None` at the end of the buffer.
    pub(super) fn next_field(&mut self) -> Result<Option<(u32, WireValue<'a>)>, ProtobufError> {
        if self.at_end() {
            return Ok(None);
        }
        let key = self.varint()?;
        let number = key >> 3;
        if number == 0 || number > u64::from(u32::MAX >> 3) {
            return Err(ProtobufError::Malformed(format!("invalid field number {number}")));
        }
        // The range check above makes this conversion lossless.
        let number = number as u32;
        let value = match key & 7 {
            0 => WireValue::Varint(self.varint()?),
            1 => WireValue::Fixed64(u64::from_le_bytes(self.fixed::<8>()?)),
            2 => {
                let len = self.varint()?;
                let len = usize::try_from(len)
                    .map_err(|_| ProtobufError::Malformed(format!("length {len} does not fit in memory")))?;
                WireValue::Bytes(self.take(len)?)
            }
            5 => WireValue::Fixed32(u32::from_le_bytes(self.fixed::<4>()?)),
            other => {
                return Err(ProtobufError::Malformed(format!(
                    "unsupported wire type {other} for field {number} (groups are not used by Kubernetes)"
                )));
            }
        };
        Ok(Some((number, value)))
    }

    /// A base-128 varint of at most 10 bytes.
    pub(super) fn varint(&mut self) -> Result<u64, ProtobufError> {
        let mut result: u64 = 0;
        for shift in (0..70).step_by(7) {
            let Some(&byte) = self.buf.get(self.pos) else {
                return Err(ProtobufError::Malformed("truncated varint".into()));
            };
            self.pos += 1;
            if shift == 63 && byte > 1 {
                return Err(ProtobufError::Malformed("varint overflows 64 bits".into()));
            }
            result |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(result);
            }
        }
        Err(ProtobufError::Malformed("varint longer than 10 bytes".into()))
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], ProtobufError> {
        let end =
            self.pos.checked_add(len).filter(|end| *end <= self.buf.len()).ok_or_else(|| {
                ProtobufError::Malformed(format!("length-delimited field of {len} bytes is truncated"))
            })?;
        let slice = &self.buf[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    fn fixed<const N: usize>(&mut self) -> Result<[u8; N], ProtobufError> {
        let bytes = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_wire_type() {
        // field 1 varint 150, field 2 bytes "hi", field 3 fixed64 1, field 4 fixed32 2
        let buf = [0x08, 0x96, 0x01, 0x12, 0x02, b'h', b'i', 0x19, 1, 0, 0, 0, 0, 0, 0, 0, 0x25, 2, 0, 0, 0];
        let mut reader = Reader::new(&buf);
        assert_eq!(reader.next_field().unwrap(), Some((1, WireValue::Varint(150))));
        assert_eq!(reader.next_field().unwrap(), Some((2, WireValue::Bytes(b"hi"))));
        assert_eq!(reader.next_field().unwrap(), Some((3, WireValue::Fixed64(1))));
        assert_eq!(reader.next_field().unwrap(), Some((4, WireValue::Fixed32(2))));
        assert_eq!(reader.next_field().unwrap(), None);
    }

    #[test]
    fn negative_int32_is_a_ten_byte_varint() {
        let buf = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(Reader::new(&buf).varint().unwrap() as i64, -1);
    }

    #[test]
    fn rejects_truncation_and_overflow() {
        assert!(Reader::new(&[0x12, 0x05, b'a']).next_field().is_err());
        assert!(Reader::new(&[0x80]).varint().is_err());
        assert!(Reader::new(&[0xff; 11]).varint().is_err());
        assert!(Reader::new(&[0x0b]).next_field().is_err(), "group start wire type");
    }
}
