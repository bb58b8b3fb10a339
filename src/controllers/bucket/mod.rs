//! Bucket: the fetch stage of the source reconciler for S3-compatible buckets (providers `generic` and `aws`).
//! [`request`] turns the spec and its secret into a [`BucketRequest`]; [`fetch`] lists the bucket, keeps what
//! the ignore rules keep ([`index`]: the revision Flux computes from the etags) and downloads it into a
//! directory for the artifact storage. [`reconcile`] is the reconciler's part: it reads the object and its
//! secret, skips the download when the listing's revision is already stored, archives the download, and hands
//! the status to the shared source reconcile.
//!
//! Known limits: `gcp` and `azure` fail with a terminal error, as do `aws` without a secret (no workload
//! identity), `spec.sts`, `certSecretRef` and `proxySecretRef` are not read yet, and a childless folder marker
//! (`dir/`) is fetched as an empty file `dir` because the S3 client drops the trailing slash.

pub mod error;
pub mod fetch;
pub mod index;
pub mod reconcile;
pub mod request;

pub use error::BucketError;
pub use fetch::{BucketClient, BucketFetch, CONCURRENT_DOWNLOADS, fetch, fetch_index};
pub use index::{BucketIndex, ListedObject};
pub use request::{BucketCredentials, BucketProvider, BucketRequest, DEFAULT_REGION, DEFAULT_TIMEOUT};
