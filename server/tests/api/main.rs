//! API integration tests: the real application on port 0 with a fresh SQLite database.
//! All modules compile into one test binary.

// Tests may unwrap: a panic is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod account_management;
mod accounts;
mod behind_proxy;
mod calendar_settings;
mod cli;
mod co_owners;
mod crash;
mod dns;
mod events;
mod feed_server;
mod files;
mod flag_table;
mod helpers;
mod host_controls;
mod hostile_feeds;
mod hostile_provider;
mod ics_out;
mod instances;
mod knock;
mod knock_leaks;
mod lifecycle;
mod limits;
mod list_cache;
mod metrics;
mod oidc;
mod oidc_checks;
mod oidc_provider;
mod openapi;
mod pages;
mod privacy;
mod receiver;
mod reopen;
mod rooms;
mod shared_limits;
mod signups;
mod startup;
mod sync;
mod webhooks;
