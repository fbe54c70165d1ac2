//! Server functions: thin shells that find the signed-in user, call a core use case and
//! convert its answer ([`crate::dto::convert`]) or its error. The rules live in the
//! `roomcal` core crate. One module per part of the product; [`ssr`] holds the request
//! helpers they share.

mod account_settings;
mod accounts;
mod calendar;
mod co_owners;
mod host;
mod knocks;
mod meetings;
mod rooms;
#[cfg(feature = "ssr")]
pub mod ssr;
mod webhooks;

pub use account_settings::*;
pub use accounts::*;
pub use calendar::*;
pub use co_owners::*;
pub use host::*;
pub use knocks::*;
pub use meetings::*;
pub use rooms::*;
pub use webhooks::*;
