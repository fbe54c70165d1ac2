//! Outbound webhooks: what roomcal tells other systems, how it signs it, and when it tries
//! again.
//!
//! A room's owner adds endpoints ([`crate::domain::WebhookEndpoint`]); each change that an
//! endpoint subscribed to becomes a [`WebhookEvent`], which the store writes as one
//! delivery row per endpoint **in the same transaction as the change** (the outbox). The
//! delivery worker ([`crate::services::webhook_delivery`]) claims due rows with a lease,
//! sends them signed the Standard Webhooks way ([`sign`]), and reschedules failures with
//! [`retry::next_attempt`]. The parts here are pure; the HTTP client is [`crate::sync::webhook_sender`].

pub mod payload;
pub mod retry;
pub mod sign;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How many endpoints one room may have.
pub const MAX_ENDPOINTS_PER_ROOM: usize = 5;

/// The kinds of event an endpoint can subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum WebhookEventType {
    /// A meeting was made (a calendar one a minute before it starts, or an unscheduled one).
    #[serde(rename = "meeting.created")]
    MeetingCreated,
    /// The first person joined a meeting.
    #[serde(rename = "meeting.started")]
    MeetingStarted,
    /// A meeting closed (ended by its host, its rules or its calendar).
    #[serde(rename = "meeting.ended")]
    MeetingEnded,
    /// A host kept a meeting open longer.
    #[serde(rename = "meeting.extended")]
    MeetingExtended,
    /// The room's calendar failed to sync after syncing fine (once per failing streak).
    #[serde(rename = "calendar.sync_failed")]
    CalendarSyncFailed,
    /// The room's calendar synced again after failing.
    #[serde(rename = "calendar.sync_recovered")]
    CalendarSyncRecovered,
    /// Someone joined a meeting (opt-in; counts only unless the endpoint is the owner's).
    #[serde(rename = "participant.joined")]
    ParticipantJoined,
    /// Someone left a meeting (opt-in; counts only unless the endpoint is the owner's).
    #[serde(rename = "participant.left")]
    ParticipantLeft,
    /// "Send test event" on the settings page or `POST …/webhooks/{id}/test`.
    #[serde(rename = "webhook.test")]
    Test,
}

impl WebhookEventType {
    /// Every type an endpoint may subscribe to (the test event is sent on request only).
    pub const SUBSCRIBABLE: [Self; 8] = [
        Self::MeetingCreated,
        Self::MeetingStarted,
        Self::MeetingEnded,
        Self::MeetingExtended,
        Self::CalendarSyncFailed,
        Self::CalendarSyncRecovered,
        Self::ParticipantJoined,
        Self::ParticipantLeft,
    ];

    /// What an endpoint gets when it names no events: all but the opt-in participant ones.
    pub const DEFAULT: [Self; 6] = [
        Self::MeetingCreated,
        Self::MeetingStarted,
        Self::MeetingEnded,
        Self::MeetingExtended,
        Self::CalendarSyncFailed,
        Self::CalendarSyncRecovered,
    ];

    /// The wire name (`meeting.created`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MeetingCreated => "meeting.created",
            Self::MeetingStarted => "meeting.started",
            Self::MeetingEnded => "meeting.ended",
            Self::MeetingExtended => "meeting.extended",
            Self::CalendarSyncFailed => "calendar.sync_failed",
            Self::CalendarSyncRecovered => "calendar.sync_recovered",
            Self::ParticipantJoined => "participant.joined",
            Self::ParticipantLeft => "participant.left",
            Self::Test => "webhook.test",
        }
    }

    /// The type named `text`, if there is one.
    pub fn parse(text: &str) -> Option<Self> {
        Self::SUBSCRIBABLE
            .into_iter()
            .chain([Self::Test])
            .find(|t| t.as_str() == text)
    }
}

/// The set of event types one endpoint receives, stored as `' a b '` so a subscription
/// is one `LIKE '% type %'` away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventSelection(Vec<WebhookEventType>);

impl EventSelection {
    /// The types named in `names`, in the canonical order, or the field-level error for
    /// the first unknown one. An empty list means [`WebhookEventType::DEFAULT`].
    pub fn parse(names: &[String]) -> Result<Self, String> {
        if names.is_empty() {
            return Ok(Self(WebhookEventType::DEFAULT.to_vec()));
        }
        let mut picked = Vec::new();
        for name in names {
            match WebhookEventType::parse(name.trim()) {
                Some(t) if t != WebhookEventType::Test => picked.push(t),
                _ => {
                    let known: Vec<&str> = WebhookEventType::SUBSCRIBABLE
                        .iter()
                        .map(|t| t.as_str())
                        .collect();
                    return Err(format!(
                        "unknown event \"{name}\"; pick from {}",
                        known.join(", ")
                    ));
                }
            }
        }
        Ok(Self(
            WebhookEventType::SUBSCRIBABLE
                .into_iter()
                .filter(|t| picked.contains(t))
                .collect(),
        ))
    }

    /// The selection a stored column holds (unknown names, from a newer version, dropped).
    pub fn from_stored(text: &str) -> Self {
        Self(
            text.split_whitespace()
                .filter_map(WebhookEventType::parse)
                .collect(),
        )
    }

    /// The stored form: `' meeting.created meeting.ended '`.
    pub fn to_stored(&self) -> String {
        let mut text = String::from(" ");
        for t in &self.0 {
            text.push_str(t.as_str());
            text.push(' ');
        }
        text
    }

    /// The types, in the canonical order.
    pub fn types(&self) -> &[WebhookEventType] {
        &self.0
    }

    /// Whether `t` is selected.
    pub fn contains(&self, t: WebhookEventType) -> bool {
        self.0.contains(&t)
    }
}

/// One change to tell the room's endpoints of: written by the store, in the transaction
/// of the change, as one delivery per enabled endpoint subscribed to its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    /// The room whose endpoints hear of it.
    pub room_id: Uuid,
    /// The meeting concerned (deliveries about one meeting are sent in order).
    pub meeting_id: Option<Uuid>,
    /// What happened.
    pub kind: WebhookEventType,
    /// When it happened (the deliveries are due from then).
    pub at: chrono::DateTime<chrono::Utc>,
    /// The JSON body every endpoint gets.
    pub body: String,
    /// The body for endpoints marked as the owner's own system, when it says more
    /// (participant names).
    pub owner_body: Option<String>,
}

impl WebhookEvent {
    /// The body endpoint of kind `owners_system` gets.
    pub fn body_for(&self, owners_system: bool) -> &str {
        match (&self.owner_body, owners_system) {
            (Some(body), true) => body,
            _ => &self.body,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_reads_back_from_its_wire_name() {
        for t in WebhookEventType::SUBSCRIBABLE {
            assert_eq!(WebhookEventType::parse(t.as_str()), Some(t));
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{}\"", t.as_str()));
        }
        assert_eq!(WebhookEventType::parse("meeting.exploded"), None);
    }

    #[test]
    fn an_endpoint_naming_no_events_gets_all_but_the_participant_ones() {
        let picked = EventSelection::parse(&[]).unwrap();
        assert!(picked.contains(WebhookEventType::MeetingEnded));
        assert!(!picked.contains(WebhookEventType::ParticipantJoined));
    }

    #[test]
    fn an_unknown_event_name_is_refused_with_the_names_to_pick_from() {
        let err = EventSelection::parse(&["meeting.ended".into(), "meeting.exploded".into()])
            .unwrap_err();
        assert!(err.contains("meeting.exploded"), "{err}");
        assert!(err.contains("participant.joined"), "{err}");
        assert!(EventSelection::parse(&["webhook.test".into()]).is_err());
    }

    #[test]
    fn a_selection_survives_the_stored_form_in_canonical_order() {
        let picked = EventSelection::parse(&[
            "participant.left".into(),
            "meeting.created".into(),
            "meeting.created".into(),
        ])
        .unwrap();
        let stored = picked.to_stored();
        assert_eq!(stored, " meeting.created participant.left ");
        assert_eq!(EventSelection::from_stored(&stored), picked);
    }
}
