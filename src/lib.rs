//! roomcal core: everything the server knows about rooms, accounts, meetings and calendars,
//! with no web framework in sight. The `app` (Leptos pages) and `server` (axum, CLI) crates
//! are thin shells over the functions here.
//!
//! The layers, each importing only those above it in this list:
//!
//! 1. Pure, no I/O: [`calendar`] (the ICS engine), [`lifecycle`] (meeting rules as
//!    functions of state and `now`), [`ics_out`] (writes iCalendar), [`clock`], [`secret`].
//! 2. [`domain`]: validated values and the records the store keeps.
//! 3. [`platform`]: video platforms that create the call room of a meeting.
//! 4. [`store`]: the [`store::Store`] trait with SQLite and PostgreSQL implementations.
//! 5. [`events`]: the room event bus (in-process, or across instances on PostgreSQL).
//! 6. [`sync`]: fetches each room's feed and keeps its stored occurrences in step.
//! 7. [`services`]: the use cases the pages, the API and the workers call, on the [`Core`]
//!    handle, with their error [`CoreError`].
//!
//! `tests/architecture.rs` checks that no import points back up this list.

#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod calendar;
pub mod clock;
pub mod domain;
pub mod events;
pub mod ics_out;
pub mod lifecycle;
pub mod platform;
pub mod secret;
pub mod services;
pub mod store;
pub mod sync;
pub mod webhooks;

pub use crate::services::{Core, CoreError, CoreSettings};
