//! The wire: what pages, server functions and the `/v1` API send. Only what a viewer may
//! see ever goes into these — the server filters before one is built — and each idea has
//! one type, used by the API and the pages alike:
//!
//! - [`meeting`]: a room's meetings ([`MeetingItem`], with the owner's part
//!   [`OwnerView`]), a meeting with its call, the waiting page's answer;
//! - [`people`]: who is in a call, who an event names;
//! - [`room`], [`account`], [`calendar`]: rooms, accounts, a room's calendar;
//! - [`access`]: who may enter a room's calls, and knocks;
//! - [`webhooks`]: a room's webhook endpoints and their delivery logs;
//! - [`host`]: a running meeting's controls for its hosts, an ended meeting's page;
//! - [`error`]: the one error.
//!
//! Types only the `/v1` API sends live with it, in the server crate.

pub mod access;
pub mod account;
pub mod calendar;
#[cfg(feature = "ssr")]
pub mod convert;
pub mod error;
pub mod host;
pub mod meeting;
pub mod people;
pub mod room;
pub mod webhooks;

pub use access::{KnockDto, KnockStatusDto, RoomAccessDto};
pub use account::{SessionDto, SignInOptionsDto, UserDto};
pub use calendar::{CalendarStatusDto, FeedTestDto};
pub use error::AppError;
pub use host::{EndedMeetingDto, HostControlsDto, ReopenedDto};
pub use meeting::{
    ItemKind, ItemStatus, JoinAction, JoinDto, JoinHintDto, JoinStatus, MeetingCall, MeetingItem,
    OwnerView,
};
pub use people::{AttendanceDto, EventDetails, HereNowDto, ParticipantDto, PersonDto, Rsvp};
pub use room::{CoOwnerDto, RoomBoardDto, RoomDto, RoomSummaryDto};
pub use webhooks::{WebhookDeliveryDto, WebhookEndpointDto};
