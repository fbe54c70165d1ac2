//! Meeting lifecycle rules: when a calendar occurrence gets a meeting, how a meeting follows
//! its calendar, who is present, when a meeting closes, what someone opening a link is
//! told, and how much of it one scheduler tick does.
//!
//! Everything here is a pure function of its inputs: no database, no network, no clock.
//! Every rule takes `now` as an argument, so the scheduler, the pages and the tests all see
//! the same behaviour at the same instant, and every duration comes from
//! [`LifecycleSettings`].
//!
//! One module per concern:
//!
//! - [`model`]: settings and the plain inputs ([`Occurrence`], [`MeetingState`]);
//! - [`precreate`], [`duplicates`]: which occurrences get a meeting now, and which are
//!   copies of one event seen through several feeds;
//! - [`calendar_change`](mod@calendar_change): how a meeting follows edits to its occurrence;
//! - [`presence`]: heartbeats and leaves → who is present, when the last one left;
//!   [`pages`]: open meeting pages → the one head count (a person counts once);
//! - [`close`]: grace period, calendar overrun, unscheduled lifetime;
//! - [`join`]: join / wait / too early / ended; [`reopen`]: an ended meeting reopened;
//! - [`fair`], [`tick`]: bounded, fair work per scheduler tick;
//! - [`metadata`], [`redact`]: the `calendar_metadata` JSON and what non-owners see of it.

// Lifecycle rules run inside the scheduler loop: a panic would stop meetings from closing
// for every room, so fallible steps must be handled, never unwrapped.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![warn(missing_docs)]

pub mod calendar_change;
pub mod close;
pub mod duplicates;
pub mod fair;
pub mod join;
pub mod metadata;
pub mod model;
pub mod pages;
pub mod precreate;
pub mod presence;
pub mod redact;
pub mod reopen;
pub mod tick;

#[cfg(test)]
mod extended;
#[cfg(test)]
mod scenarios;
#[cfg(test)]
mod testkit;

pub use calendar_change::{calendar_change, CalendarChange, DeactivateReason};
pub use close::{close_decision, close_due_at, force_close_at, CloseReason};
pub use duplicates::are_aggregated_duplicates;
pub use fair::{pick_fair, DueAction};
pub use join::{
    join_decision, JoinAnswer, JoinTarget, MEETING_CANCELLED_MESSAGE, MEETING_ENDED_MESSAGE,
};
pub use metadata::{calendar_metadata, CalendarDetails, PrivacyClass, RecurrenceInfo};
pub use model::{
    unscheduled_meeting_end, LifecycleSettings, MeetingState, Occurrence, DEFAULT_CALENDAR_OVERRUN,
    DEFAULT_GRACE_PERIOD, DEFAULT_MAX_EXTEND_MINUTES, DEFAULT_PRECREATE_LEAD,
    DEFAULT_PRESENCE_TIMEOUT, DEFAULT_UNSCHEDULED_LIFETIME, DEFAULT_UPCOMING_WINDOW,
};
pub use pages::{head_count, pages_presence_update, present_pages, PageState};
pub use precreate::{is_due_for_precreation, occurrences_to_precreate, PrecreatePlan};
pub use presence::{
    apply_presence, participants_present, presence_summary, presence_update, ParticipantId,
    PresenceSignal, PresenceSummary, PresenceUpdate, SignalKind,
};
pub use redact::public_view;
pub use reopen::{reopen_decision, ReopenAnswer};
pub use tick::{due_actions, plan_tick, LifecycleAction};
