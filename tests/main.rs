//! The core's integration tests, one binary (one link of sqlx and tokio): the calendar
//! engine, the store contract and retention on both databases, the lifecycle step and its
//! races, the limits, the Whereby client, and the layer rule of the source tree.

// Tests may unwrap: a panic is a failed test with its message.
#![allow(clippy::unwrap_used)]

#[macro_use]
mod common;

mod architecture;
mod calendar;
mod data_files;
mod lifecycle_race;
mod lifecycle_step;
mod limits;
mod migrations_match;
mod store_co_owners;
mod store_contract;
mod store_host_controls;
mod store_knocks;
mod store_limits;
mod store_retention;
mod store_webhooks;
mod whereby;
