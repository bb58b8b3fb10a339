//! HelmRepository (type `default`): the index side of the Helm sources. [`fetch`] downloads `index.yaml` and
//! names the artifact as source-controller does; [`index`] loads an index and looks chart versions up in it;
//! [`http`] is the HTTP client both this and the HelmChart pull use (basic auth, deadline, size cap).
//! [`reconcile`] is the reconciler: it reads the object and its secret, calls these, and stores
//! [`FetchedIndex::json`] with the storage; the shared source reconcile writes the status.
//!
//! `type: oci` repositories have no artifact (SEMANTICS §3): the reconciler only strips what an earlier type
//! left (finalizer, status, stored artifacts).

pub mod error;
pub mod fetch;
pub mod http;
pub mod index;
pub mod reconcile;

pub use error::IndexError;
pub use fetch::{DEFAULT_MAX_INDEX_SIZE, FetchedIndex, IndexRequest, fetch_index, index_url, normalize_url};
pub use http::{GetError, GetRequest, HelmAuth, HelmClient, InvalidSecret};
pub use index::{ChartLookupError, ChartVersion, HelmIndex, IndexParseError};
