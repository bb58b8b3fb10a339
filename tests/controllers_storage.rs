//! The artifact storage and its HTTP server, against real readers: GNU tar and Python's tarfile read the
//! archives, curl downloads them, and the digest is recomputed from the bytes that came over the wire.

#[path = "controllers_storage/archive.rs"]
mod archive;
#[path = "controllers_storage/extract.rs"]
mod extract;
#[path = "controllers_storage/http.rs"]
mod http;
#[path = "controllers_storage/lifecycle.rs"]
mod lifecycle;
#[path = "controllers_storage/support.rs"]
mod support;
