//! GitRepository: the Git side of the source reconciler. [`checkout`] clones or fetches a reference into a
//! working directory and returns the revision Flux would record; [`ignore`] decides which files of the
//! checkout go into the artifact. Nothing here knows about the API server: the reconciler (a later part)
//! reads the object and its secret, calls these, and writes the status.

pub mod auth;
pub mod checkout;
pub mod error;
pub mod ignore;
pub mod reconcile;

pub use auth::GitAuth;
pub use checkout::{Checkout, CheckoutRequest, CommitInfo, GitReference, Signature, checkout, checkout_blocking};
pub use error::CheckoutError;
pub use ignore::SourceIgnore;
