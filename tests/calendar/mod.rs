//! Calendar engine tests: parsing, expansion, event data, room matching, golden outputs of
//! the reference oracle over real-world fixtures, and property/fuzz tests. Part of the one core test binary (`tests/main.rs`).

mod budget;
mod deliberate;
mod engine_common;
mod event_data;
mod expansion;
mod golden;
mod ics_out;
mod oracle_json;
mod outlook;
mod parsing;
mod properties;
mod room;
mod rrule_crate;
