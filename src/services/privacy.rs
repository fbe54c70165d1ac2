//! Who sees what: the one place that decides what of a room's meetings a viewer is shown.
//! Every page, server function and `/v1` route asks here; none decides on its own.
//!
//! - **The room's owner and its co-owners** see everything: the event's details and the names of the
//!   people in a call, as far ahead as the sync window reaches.
//! - **Everyone else** (signed in or not) sees, for meetings and occurrences that start
//!   before `now + guest horizon` (`--guest-horizon`, [`DEFAULT_GUEST_HORIZON`]): the
//!   title as the event's privacy class allows ("Private meeting"), the times and the
//!   head count — never names. Occurrences further ahead are not listed for them at all,
//!   and one asked for by id (its waiting page) is titled [`BEYOND_HORIZON_TITLE`].
//!
//! The published `calendar.ics` is a subscription and keeps its own window, with the same
//! title rule ([`visible_details`]).

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::domain::{CalendarEvent, Room, User};
use crate::lifecycle::{public_view, PrivacyClass};

/// How far ahead non-owners see a room's occurrences by default: the upcoming window, so
/// they see exactly what they can join early and nothing of the days ahead.
pub const DEFAULT_GUEST_HORIZON: Duration = Duration::minutes(30);

/// The title a non-owner sees for an occurrence beyond the guest horizon (opened by id).
pub const BEYOND_HORIZON_TITLE: &str = "Upcoming meeting";

/// Who a room belongs to: the one place an account is compared with a room's owner.
impl Room {
    /// Whether `user_id` is the room's owner itself (who alone deletes it and names
    /// co-owners).
    pub fn is_owned_by(&self, user_id: Uuid) -> bool {
        self.owner_id == user_id
    }

    /// Whether `user_id` hosts the room: its owner or one of its co-owners.
    pub fn is_hosted_by(&self, user_id: Uuid) -> bool {
        self.is_owned_by(user_id) || self.co_owners.contains(&user_id)
    }
}

/// Who is looking at a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The room's owner or one of its co-owners (who see what the owner sees).
    Owner,
    /// Anyone else, signed in or not.
    Guest,
}

impl Audience {
    /// The audience `viewer` belongs to for `room`: its owner and co-owners are
    /// [`Audience::Owner`], everyone else [`Audience::Guest`].
    pub fn of(viewer: Option<&User>, room: &Room) -> Self {
        match viewer {
            Some(user) if room.is_hosted_by(user.id) => Audience::Owner,
            _ => Audience::Guest,
        }
    }

    /// Whether this is the room's owner or a co-owner.
    pub fn is_owner(self) -> bool {
        self == Audience::Owner
    }

    /// Whether this audience sees the names of the people in a call (the owner only;
    /// everyone else gets the count).
    pub fn sees_names(self) -> bool {
        self.is_owner()
    }

    /// How far ahead of `now` this audience sees occurrences: `None` for the owner (the
    /// whole sync window), `now + horizon` for everyone else.
    pub fn visible_until(self, horizon: Duration, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Audience::Owner => None,
            Audience::Guest => Some(now + horizon),
        }
    }

    /// Whether this audience sees something that starts at `start` at all.
    pub fn sees_start(self, start: DateTime<Utc>, horizon: Duration, now: DateTime<Utc>) -> bool {
        self.visible_until(horizon, now)
            .is_none_or(|end| start < end)
    }

    /// How far ahead a list asked to reach `asked` ahead may reach for this audience.
    pub fn clamp_ahead(self, asked: Duration, horizon: Duration) -> Duration {
        match self {
            Audience::Owner => asked,
            Audience::Guest => asked.min(horizon),
        }
    }
}

/// The calendar details of a meeting or occurrence as `audience` may see them: the owner
/// everything, others only what the event's privacy class allows.
pub fn visible_details(metadata: &serde_json::Value, audience: Audience) -> serde_json::Value {
    if audience.is_owner() {
        return metadata.clone();
    }
    let class = PrivacyClass::parse(metadata.get("privacy_class").and_then(|c| c.as_str()));
    public_view(metadata, class)
}

/// The details of an occurrence for `audience` at `now`: as [`visible_details`] within
/// the guest horizon; beyond it a non-owner learns only that something is planned.
pub fn occurrence_details(
    event: &CalendarEvent,
    audience: Audience,
    horizon: Duration,
    now: DateTime<Utc>,
) -> serde_json::Value {
    if !audience.sees_start(event.start_time, horizon, now) {
        return serde_json::json!({ "title": BEYOND_HORIZON_TITLE });
    }
    visible_details(&event.metadata(), audience)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(minutes: i64) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_750_000_000, 0).unwrap_or_default()
            + Duration::minutes(minutes)
    }

    #[test]
    fn guests_see_only_what_starts_before_the_horizon_and_owners_see_everything() {
        let horizon = Duration::minutes(30);
        let now = t(0);
        assert!(Audience::Guest.sees_start(t(29), horizon, now));
        assert!(!Audience::Guest.sees_start(t(30), horizon, now));
        assert!(!Audience::Guest.sees_start(t(60 * 24), horizon, now));
        assert!(Audience::Owner.sees_start(t(60 * 24), horizon, now));
    }

    #[test]
    fn a_guest_asking_further_ahead_is_held_to_the_horizon() {
        let horizon = Duration::minutes(30);
        assert_eq!(
            Audience::Guest.clamp_ahead(Duration::minutes(120), horizon),
            horizon
        );
        assert_eq!(
            Audience::Guest.clamp_ahead(Duration::minutes(10), horizon),
            Duration::minutes(10)
        );
        assert_eq!(
            Audience::Owner.clamp_ahead(Duration::minutes(120), horizon),
            Duration::minutes(120)
        );
    }

    #[test]
    fn only_the_owner_sees_names() {
        assert!(Audience::Owner.sees_names());
        assert!(!Audience::Guest.sees_names());
    }
}
