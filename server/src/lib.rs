//! The roomcal server: axum routes (pages, server functions, `/v1`), configuration and
//! startup. `main.rs` only parses the command line and calls in here, so integration tests
//! can run the real application on port 0.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod api;
pub mod config;
pub mod guard;
pub mod health;
pub mod http1;
pub mod ics_cli;
pub mod ics_routes;
pub mod metrics;
pub mod oidc_routes;
pub mod router;
pub mod serve;
pub mod state;
pub mod user_cli;
pub mod workers;
