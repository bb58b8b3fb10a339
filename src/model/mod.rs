//! Pure projections from Flux objects to what people see: rows, readiness, filters, describe and YAML text,
//! the overview. No ratatui and no I/O, so the headless commands reuse them.

pub mod readiness;
pub mod row;
pub mod text;

pub use readiness::Readiness;
pub use row::{Column, ObjectKey, Row};
pub use text::{StyledLine, StyledSpan, TextClass};
