//! The use cases: what pages, the API and the background workers ask the core to do. Each
//! takes the [`Core`] handle, reads the clock once at the edge, and calls the pure rules of
//! [`crate::lifecycle`] and [`crate::calendar`], the [`crate::store`] and [`crate::sync`].
//!
//! Within this layer the look-ups come first ([`room_lookup`]), then what builds on them;
//! no file here imports one that imports it back.

pub mod access;
pub mod account_settings;
pub mod accounts;
pub mod co_owners;
mod core;
mod error;
pub mod host_controls;
pub mod joining;
pub mod knocking;
pub mod lifecycle_step;
pub mod limits;
pub mod listing_cache;
pub mod oidc;
pub mod participants;
pub mod presence;
pub mod privacy;
pub mod retention;
pub mod room_access;
pub mod room_calendar;
pub mod room_events;
pub mod room_feed;
pub mod room_lookup;
pub mod room_meetings;
pub mod rooms;
pub mod session_cookie;
pub mod webhook_delivery;
pub mod webhook_events;
pub mod webhooks;

pub use self::core::{Core, CoreSettings, DEFAULT_RETENTION};
pub use error::CoreError;
