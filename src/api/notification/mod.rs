//! The `notification.toolkit.fluxcd.io` kinds.
//!
//! One module per kind; every type is re-exported here, so `crate::api::notification::<Type>` names any of them.

pub mod alert;
pub mod provider;
pub mod receiver;

pub use alert::*;
pub use provider::*;
pub use receiver::*;
