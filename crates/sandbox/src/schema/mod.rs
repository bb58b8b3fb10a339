//! Pure, I/O-free schema machinery of the sandbox API server: OpenAPI v2/v3 documents.

pub mod openapi;
