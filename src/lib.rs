//! roomcal core: everything the server knows about rooms, accounts, meetings and calendars,
//! with no web framework in sight. The `app` (Leptos pages) and `server` (axum, CLI) crates
//! are thin shells over the functions here.
//!
//! - [`domain`]: validated value types (room names, emails, passwords) and records.
//! - [`store`]: the [`store::Store`] trait with SQLite and PostgreSQL implementations.
//! - [`accounts`], [`rooms`]: the use cases pages and the API call.
//! - [`platform`]: video platforms that create the call room of a meeting.
//! - [`limits`]: per-client and per-account limits that answer 429.
//! - [`clock`]: the only place that reads the time; rules take `now` as an argument.

pub mod accounts;
pub mod calendar;
pub mod clock;
pub mod core;
pub mod domain;
pub mod error;
pub mod ics_out;
pub mod joining;
pub mod lifecycle;
pub mod lifecycle_step;
pub mod limits;
pub mod participants;
pub mod platform;
pub mod room_calendar;
pub mod room_feed;
pub mod room_meetings;
pub mod rooms;
pub mod secret;
pub mod store;
pub mod sync;

pub use crate::core::{Core, CoreSettings};
pub use crate::error::CoreError;
