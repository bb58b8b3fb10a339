//! Pure projections from Flux objects to what people see: rows, readiness, filters, describe and YAML text,
//! the overview. No ratatui and no I/O, so the headless commands reuse them.

pub mod cel;
pub mod deletion;
pub mod depgraph;
pub mod describe;
pub mod duration;
pub mod events;
pub mod filter;
pub mod go_duration;
pub mod helm_release;
pub mod live_object;
pub mod logs;
pub mod overview;
pub mod readiness;
pub mod reconcile_source;
pub mod revision;
pub mod row;
pub mod secrets;
pub mod selector;
pub mod sort;
pub mod text;
pub mod trace;
pub mod tree;
pub mod workload;
pub mod yaml;

pub use describe::{condition_class, describe};
pub use duration::{age, human_duration, parse_time};
pub use filter::{Filter, FilterError};
pub use overview::{ATTENTION_CAP, KindCounts, Overview, overview};
pub use readiness::Readiness;
pub use revision::{FLUX_DIGEST_LEN, SHORT_DIGEST_LEN, abbreviate_digests};
pub use row::{Column, ObjectKey, Row};
pub use secrets::{MASK, Masking, is_secret_key};
pub use selector::{LabelSelector, Requirement, SelectorError};
pub use sort::{SortSpec, natural_cmp, sort_rows, sorted_filtered_indices};
pub use text::{StyledLine, StyledSpan, TextClass};
pub use yaml::{yaml_lines, yaml_text};
