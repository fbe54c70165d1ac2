//! The domain: validated values parsed once at the edge ([`names`]), the records the
//! store keeps ([`records`]), and how the pure rules see those records (`convert.rs`).
//! It sits above the pure calendar and lifecycle rules and below the store.

pub mod access;
mod columns;
mod convert;
pub mod names;
pub mod records;
pub mod webhooks;

pub use access::{EmailDomains, Knock, KnockState, RoomAccess};
pub use columns::ClosedBecause;
pub use names::{check_new_password, DisplayName, Email, RoomName};
pub use records::{
    CalendarEvent, CallRoom, Meeting, MeetingKind, PresenceRecord, Room, RoomCalendar, User,
    UserCredentials,
};
pub use webhooks::{AttemptRecord, DeliveryState, WebhookDelivery, WebhookEndpoint};
