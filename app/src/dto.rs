//! Data shared by pages, server functions and the `/v1` API. Only what a viewer may see
//! ever goes into these: filtering happens on the server before a DTO is built.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A signed-in user as shown to themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserDto {
    /// Stable identifier.
    pub id: String,
    /// Email (lower-cased).
    pub email: String,
    /// Display name.
    pub name: String,
}

/// A room as listed on "my rooms".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoomSummaryDto {
    /// Stable identifier.
    pub id: String,
    /// The slug in `/room/<name>`.
    pub name: String,
    /// Full public URL of the room page.
    pub url: String,
}

/// A room page's content for one viewer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoomDto {
    /// Stable identifier.
    pub id: String,
    /// The slug in `/room/<name>`.
    pub name: String,
    /// Full public URL of the room page.
    pub url: String,
    /// Whether the viewer owns the room.
    pub is_owner: bool,
    /// Whether the viewer is signed in (only signed-in people start meetings).
    pub viewer_signed_in: bool,
    /// Meetings open now, earliest first.
    pub active_meetings: Vec<MeetingDto>,
    /// Calendar occurrences coming up (no meeting yet), soonest first.
    pub upcoming: Vec<UpcomingDto>,
}

/// A calendar occurrence that has no meeting yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UpcomingDto {
    /// The stored occurrence's id.
    pub event_id: String,
    /// Title as the viewer may see it ("Private meeting" for private events seen by others).
    pub title: Option<String>,
    /// Start (RFC 3339, UTC).
    pub start_time: String,
    /// End (RFC 3339, UTC).
    pub end_time: String,
    /// All-day events are listed but never become meetings.
    pub all_day: bool,
    /// What opening it now does.
    pub join: JoinDto,
    /// The waiting page: `/room/<name>/event/<id>`.
    pub page_path: String,
}

/// What opening a meeting or an occurrence now does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum JoinStatus {
    /// Go in now: `meeting_path` is the meeting page.
    Join,
    /// Wait on the waiting page until `starts_at`.
    Waiting,
    /// Too early even to wait; come back nearer `starts_at`.
    TooEarly,
    /// It is over (`message` says so).
    Ended,
    /// It cannot be joined (`message` says why).
    Unavailable,
}

/// Where a meeting came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MeetingKindDto {
    /// Started by hand.
    Unscheduled,
    /// Made from a calendar occurrence.
    Calendar,
}

/// The answer to "can I join this now?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct JoinDto {
    /// What opening it now does.
    pub status: JoinStatus,
    /// For `join`: the meeting page.
    pub meeting_path: Option<String>,
    /// For `waiting` and `too_early`: the start (RFC 3339, UTC).
    pub starts_at: Option<String>,
    /// For `waiting` from the join use case: the server's clock (RFC 3339, UTC), so a
    /// countdown is right even when the browser's clock is off.
    #[serde(default)]
    pub server_now: Option<String>,
    /// For `ended` and `unavailable`: what to tell the person.
    pub message: Option<String>,
    /// For `waiting` from the join use case: the title as the viewer may see it.
    #[serde(default)]
    pub title: Option<String>,
}

/// A meeting as shown in a room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MeetingDto {
    /// Stable identifier.
    pub id: String,
    /// The room it belongs to.
    pub room_name: String,
    /// Where it came from.
    pub kind: MeetingKindDto,
    /// Start instant (RFC 3339, UTC).
    pub start_time: String,
    /// Latest end instant (RFC 3339, UTC).
    pub end_time: String,
    /// Whether it can be joined.
    pub is_active: bool,
    /// Video platform name.
    pub platform: String,
    /// The call URL participants open (empty in room listings: the call is reached
    /// through the meeting's page, on time).
    pub participant_url: String,
    /// roomcal's page for the meeting: `/room/<name>/<id>`.
    pub page_path: String,
    /// Title as the viewer may see it.
    pub title: Option<String>,
    /// Calendar details as the viewer may see them (owners: all; others: per privacy class).
    pub details: Option<serde_json::Value>,
    /// How many people are in the call now (names are for its participants and the owner).
    pub participants_now: i32,
}

/// Someone in a meeting's call right now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ParticipantDto {
    /// The name shown to others ("Guest" for people who are not signed in).
    pub display_name: String,
    /// Whether they are signed in (guests are not).
    pub signed_in: bool,
}

/// Who is in a call, as a meeting page is told: names for the room's owner, the count for
/// everyone else (decided on the server).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HereNowDto {
    /// How many people are in the call.
    pub count: usize,
    /// The room's owner only: who they are.
    pub names: Option<Vec<ParticipantDto>>,
}

/// A room's calendar settings and sync state, for its owner (the URL only masked).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CalendarStatusDto {
    /// Room name.
    pub room_name: String,
    /// Whether syncing is on.
    pub enabled: bool,
    /// The feed URL with its secret parts hidden.
    pub masked_url: Option<String>,
    /// Minutes between fetches.
    pub interval_minutes: i32,
    /// Last successful sync (RFC 3339).
    pub last_sync: Option<String>,
    /// Next scheduled sync (RFC 3339).
    pub next_sync: Option<String>,
    /// Last attempt's error.
    pub last_error: Option<String>,
    /// Stored occurrences not ended yet.
    pub upcoming_occurrences: usize,
    /// Last attempt's outcome (counts, warnings).
    pub last_outcome: Option<serde_json::Value>,
    /// Meetings the video platform failed to create (retried every tick).
    pub meeting_errors: Vec<String>,
    /// The room's address, which events put in their location or description.
    #[serde(default)]
    pub room_url: String,
    /// The server's clock when it answered (RFC 3339), for "in 4 min".
    #[serde(default)]
    pub server_now: String,
    /// The owner's own feed of this room's schedule with every detail (a secret address).
    #[serde(default)]
    pub private_feed_url: Option<String>,
}

/// An error for pages and API clients: a message, and per-field messages for forms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AppError {
    /// HTTP status the error maps to.
    pub status: u16,
    /// Machine-readable kind (`validation`, `conflict`, `not_found`, …).
    pub code: String,
    /// What happened and what to do, for a person.
    pub message: String,
    /// Field name → message, for form inputs.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
    /// Seconds to wait before retrying (429 answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}

impl AppError {
    /// The message for one form field, if any.
    pub fn field(&self, name: &str) -> Option<String> {
        self.fields.get(name).cloned()
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        AppError {
            status: 500,
            code: "request_failed".into(),
            message: format!("the request failed: {value}"),
            fields: BTreeMap::new(),
            retry_after_secs: None,
        }
    }
}

/// Which part of a room's board a card sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardKind {
    /// A meeting open now (or opening for a start moments ahead).
    Active,
    /// An occurrence starting within the upcoming window.
    Upcoming,
    /// Later in the sync window (owners only).
    Later,
}

/// An invited person's answer (iCalendar PARTSTAT).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rsvp {
    /// ACCEPTED.
    Accepted,
    /// TENTATIVE.
    Tentative,
    /// DECLINED.
    Declined,
    /// NEEDS-ACTION, DELEGATED or nothing.
    NoAnswer,
}

impl Rsvp {
    /// Reads a PARTSTAT value.
    pub fn parse(partstat: Option<&str>) -> Self {
        match partstat.map(str::to_ascii_uppercase).as_deref() {
            Some("ACCEPTED") => Rsvp::Accepted,
            Some("TENTATIVE") => Rsvp::Tentative,
            Some("DECLINED") => Rsvp::Declined,
            _ => Rsvp::NoAnswer,
        }
    }

    /// How the answer reads on a page.
    pub fn label(self) -> &'static str {
        match self {
            Rsvp::Accepted => "accepted",
            Rsvp::Tentative => "tentative",
            Rsvp::Declined => "declined",
            Rsvp::NoAnswer => "no answer",
        }
    }
}

/// A person named by a calendar event (organizer or attendee).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonDto {
    /// Display name, if the feed gives one.
    pub name: Option<String>,
    /// Email address, if the feed gives one.
    pub email: Option<String>,
    /// The answer to the invitation (attendees).
    pub rsvp: Rsvp,
}

impl PersonDto {
    /// The name, else the email, else "someone".
    pub fn label(&self) -> String {
        self.name
            .clone()
            .or_else(|| self.email.clone())
            .unwrap_or_else(|| "someone".into())
    }
}

/// What only the room's owner sees on a card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostDetailsDto {
    /// DESCRIPTION, as plain text.
    pub description: Option<String>,
    /// LOCATION.
    pub location: Option<String>,
    /// ORGANIZER.
    pub organizer: Option<PersonDto>,
    /// ATTENDEEs with their answers, in the feed's order.
    pub attendees: Vec<PersonDto>,
    /// Names of the people in the call now.
    pub present: Vec<String>,
}

/// One card of a room's board, as this viewer may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingCardDto {
    /// Active, upcoming or later.
    pub kind: CardKind,
    /// The meeting's id (active) or the occurrence's id.
    pub id: String,
    /// Title as this viewer may see it ("Private meeting").
    pub title: String,
    /// Scheduled start (RFC 3339).
    pub start: String,
    /// Scheduled end (RFC 3339).
    pub end: String,
    /// People in the call now.
    pub participants_now: usize,
    /// Active meetings: when it started (RFC 3339).
    pub started_at: Option<String>,
    /// The page to open: the meeting, or the waiting page before the start.
    pub page_path: String,
    /// Whether `page_path` is the meeting itself (else the waiting page).
    pub join_now: bool,
    /// Owners only.
    pub host: Option<HostDetailsDto>,
}

/// What "Test connection" found, without saving anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedTestDto {
    /// VEVENTs in the calendar.
    pub events_in_feed: usize,
    /// Occurrences in the sync window that name this room.
    pub events_matching: usize,
    /// The next of them: title and start (RFC 3339).
    pub next: Option<(String, String)>,
    /// What the parser skipped, in plain words (at most 20).
    pub warnings: Vec<String>,
}

/// The owner's view of one meeting: its calendar details, and who of the invited came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingHostDto {
    /// Scheduled start (RFC 3339).
    pub start: String,
    /// Scheduled end (RFC 3339).
    pub end: String,
    /// Description, organizer, attendees and who is in the call.
    pub details: HostDetailsDto,
    /// Invited and in the call.
    pub invited_here: Vec<String>,
    /// Invited, not in the call.
    pub invited_absent: Vec<String>,
    /// In the call, not invited.
    pub here_not_invited: Vec<String>,
}

/// A room's board: its cards and the server's clock, polled by the room page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomBoardDto {
    /// The server's clock when it answered (RFC 3339).
    pub server_now: String,
    /// Active, then upcoming, then (owners) later cards, each by start.
    pub cards: Vec<MeetingCardDto>,
}

#[cfg(feature = "ssr")]
pub mod convert {
    //! Domain → DTO conversions and error mapping, server side only.
    use super::*;
    use roomcal::domain::{Meeting, MeetingKind, Room, User};
    use roomcal::services::rooms::RoomView;
    use roomcal::{Core, CoreError};

    impl From<&User> for UserDto {
        fn from(u: &User) -> Self {
            UserDto {
                id: u.id.to_string(),
                email: u.email.to_string(),
                name: u.display_name.to_string(),
            }
        }
    }

    /// A room as listed for its owner.
    pub fn room_summary(core: &Core, room: &Room) -> RoomSummaryDto {
        RoomSummaryDto {
            id: room.id.to_string(),
            name: room.name.to_string(),
            url: core.room_url(&room.name),
        }
    }

    /// A meeting of room `room_name`, as a viewer (owner or not) may see it.
    pub fn meeting(room_name: &str, m: &Meeting, viewer_is_owner: bool) -> MeetingDto {
        let details = m
            .calendar_metadata
            .as_ref()
            .map(|meta| roomcal::services::privacy::visible_details(&meta.0, viewer_is_owner));
        let title = details
            .as_ref()
            .and_then(|d| d.get("title"))
            .and_then(|t| t.as_str())
            .map(str::to_string);
        MeetingDto {
            title,
            details,
            id: m.id.to_string(),
            room_name: room_name.to_string(),
            kind: match m.kind() {
                MeetingKind::Unscheduled => MeetingKindDto::Unscheduled,
                MeetingKind::Calendar => MeetingKindDto::Calendar,
            },
            start_time: m.start_time.to_rfc3339(),
            end_time: m.end_time.to_rfc3339(),
            is_active: m.is_active,
            platform: m.platform.clone(),
            participant_url: m.participant_url.clone(),
            page_path: format!("/room/{room_name}/{}", m.id),
            participants_now: m.participants_now,
        }
    }

    /// The people in a call.
    pub fn participants(
        list: &[roomcal::services::participants::Participant],
    ) -> Vec<ParticipantDto> {
        list.iter()
            .map(|p| ParticipantDto {
                display_name: p.display_name.clone(),
                signed_in: p.signed_in,
            })
            .collect()
    }

    /// Who is in a call, for a meeting page.
    pub fn here_now(here: &roomcal::services::participants::HereNow) -> HereNowDto {
        use roomcal::services::participants::HereNow;
        HereNowDto {
            count: here.count(),
            names: match here {
                HereNow::Names(list) => Some(participants(list)),
                HereNow::Count(_) => None,
            },
        }
    }

    /// A calendar status for its owner.
    pub fn calendar_status(
        core: &Core,
        room_name: &str,
        s: &roomcal::services::room_calendar::CalendarStatus,
        private_feed_url: Option<String>,
    ) -> CalendarStatusDto {
        CalendarStatusDto {
            room_url: core.room_url(room_name),
            server_now: core.clock.now().to_rfc3339(),
            room_name: room_name.to_string(),
            enabled: s.enabled,
            masked_url: s.masked_url.clone(),
            interval_minutes: s.interval_minutes,
            last_sync: s.last_sync.map(|t| t.to_rfc3339()),
            next_sync: s.next_sync.map(|t| t.to_rfc3339()),
            last_error: s.last_error.clone(),
            upcoming_occurrences: s.upcoming_occurrences,
            last_outcome: s.last_outcome.clone(),
            meeting_errors: s.meeting_errors.clone(),
            private_feed_url,
        }
    }

    /// A room page for a viewer.
    pub fn room(core: &Core, view: &RoomView, viewer_signed_in: bool) -> RoomDto {
        RoomDto {
            id: view.room.id.to_string(),
            name: view.room.name.to_string(),
            url: core.room_url(&view.room.name),
            is_owner: view.viewer_is_owner,
            viewer_signed_in,
            active_meetings: view
                .active_meetings
                .iter()
                .map(|m| MeetingDto {
                    // The call is reached through the page that leads in on time; a list
                    // of call URLs would let anyone in early.
                    participant_url: String::new(),
                    page_path: roomcal::services::room_meetings::page_path(
                        &view.room.name,
                        m,
                        core.clock.now(),
                    ),
                    ..meeting(&view.room.name, m, view.viewer_is_owner)
                })
                .collect(),
            upcoming: view
                .upcoming
                .iter()
                .map(|e| upcoming(core, &view.room.name, e, view.viewer_is_owner))
                .collect(),
        }
    }

    /// An upcoming occurrence for a viewer.
    pub fn upcoming(
        core: &Core,
        room_name: &str,
        e: &roomcal::domain::CalendarEvent,
        viewer_is_owner: bool,
    ) -> UpcomingDto {
        use roomcal::services::privacy::{occurrence_details, Audience};
        let audience = if viewer_is_owner {
            Audience::Owner
        } else {
            Audience::Guest
        };
        let details =
            occurrence_details(e, audience, core.settings.guest_horizon, core.clock.now());
        let answer = roomcal::lifecycle::join_decision(
            roomcal::lifecycle::JoinTarget::Occurrence(&roomcal::lifecycle::Occurrence::from(e)),
            &core.settings.lifecycle,
            core.clock.now(),
        );
        UpcomingDto {
            event_id: e.id.to_string(),
            title: details
                .get("title")
                .and_then(|t| t.as_str())
                .map(str::to_string),
            start_time: e.start_time.to_rfc3339(),
            end_time: e.end_time.to_rfc3339(),
            all_day: e.all_day,
            join: join(room_name, &answer),
            page_path: format!("/room/{room_name}/event/{}", e.id),
        }
    }

    /// A join answer for the pages and the API.
    pub fn join(room_name: &str, answer: &roomcal::lifecycle::JoinAnswer) -> JoinDto {
        use roomcal::lifecycle::JoinAnswer;
        let (status, meeting_path, starts_at, message) = match answer {
            JoinAnswer::Join { meeting_id } => (
                JoinStatus::Join,
                Some(format!("/room/{room_name}/{meeting_id}")),
                None,
                None,
            ),
            JoinAnswer::Waiting { starts_at } => (
                JoinStatus::Waiting,
                None,
                Some(starts_at.to_rfc3339()),
                None,
            ),
            JoinAnswer::TooEarly { starts_at } => (
                JoinStatus::TooEarly,
                None,
                Some(starts_at.to_rfc3339()),
                None,
            ),
            JoinAnswer::Ended { message } => (JoinStatus::Ended, None, None, Some(message.clone())),
            JoinAnswer::Unavailable { message } => {
                (JoinStatus::Unavailable, None, None, Some(message.clone()))
            }
        };
        JoinDto {
            status,
            meeting_path,
            starts_at,
            server_now: None,
            message,
            title: None,
        }
    }

    /// The one way to join's answer, for the waiting page.
    pub fn join_outcome(outcome: &roomcal::services::room_meetings::JoinOutcome) -> JoinDto {
        use roomcal::services::room_meetings::JoinOutcome;
        match outcome {
            JoinOutcome::Join { page_path, .. } => JoinDto {
                status: JoinStatus::Join,
                meeting_path: Some(page_path.clone()),
                starts_at: None,
                server_now: None,
                message: None,
                title: None,
            },
            JoinOutcome::Waiting {
                starts_at,
                server_now,
                title,
                ..
            } => JoinDto {
                status: JoinStatus::Waiting,
                meeting_path: None,
                starts_at: Some(starts_at.to_rfc3339()),
                server_now: Some(server_now.to_rfc3339()),
                message: None,
                title: Some(title.clone()),
            },
        }
    }

    /// The owner's view of a meeting's calendar details (the metadata JSON).
    pub fn host_details(details: &serde_json::Value, present: Vec<String>) -> HostDetailsDto {
        let person = |v: &serde_json::Value| PersonDto {
            name: v.get("name").and_then(|n| n.as_str()).map(str::to_string),
            email: v.get("email").and_then(|n| n.as_str()).map(str::to_string),
            rsvp: Rsvp::parse(v.get("partstat").and_then(|p| p.as_str())),
        };
        let text = |key: &str| {
            details
                .get(key)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        HostDetailsDto {
            description: text("description"),
            location: text("location"),
            organizer: details
                .get("organizer")
                .filter(|o| o.is_object())
                .map(person),
            attendees: details
                .get("attendees")
                .and_then(|a| a.as_array())
                .map(|list| list.iter().map(person).collect())
                .unwrap_or_default(),
            present,
        }
    }

    /// A card of the room board from the core's list item.
    pub fn card(item: roomcal::services::room_meetings::ListedMeeting) -> MeetingCardDto {
        use roomcal::services::room_meetings::{JoinHint, ListedKind};
        let present: Vec<String> = item
            .present
            .as_ref()
            .map(|list| list.iter().map(|p| p.display_name.clone()).collect())
            .unwrap_or_default();
        let host = item
            .details
            .as_ref()
            .map(|details| host_details(details, present));
        let (page_path, join_now) = match item.join {
            JoinHint::JoinNow { page_path } => (page_path, true),
            JoinHint::WaitUntil { page_path, .. } => (page_path, false),
        };
        MeetingCardDto {
            kind: match item.kind {
                ListedKind::Active => CardKind::Active,
                ListedKind::Upcoming => CardKind::Upcoming,
                ListedKind::Later => CardKind::Later,
            },
            id: item.id.to_string(),
            title: item.title,
            start: item.start.to_rfc3339(),
            end: item.end.to_rfc3339(),
            participants_now: item.participants_now,
            started_at: item.started_at.map(|t| t.to_rfc3339()),
            page_path,
            join_now,
            host,
        }
    }

    impl From<CoreError> for AppError {
        fn from(err: CoreError) -> Self {
            let (code, fields) = match &err {
                CoreError::Validation { fields } => ("validation", fields.clone()),
                CoreError::Taken { field, message } => (
                    "conflict",
                    BTreeMap::from([(field.clone(), message.clone())]),
                ),
                CoreError::NotFound(_) => ("not_found", Default::default()),
                CoreError::Unauthenticated => ("unauthenticated", Default::default()),
                CoreError::BadCredentials => ("bad_credentials", Default::default()),
                CoreError::Forbidden(_) => ("forbidden", Default::default()),
                CoreError::Gone(_) => ("gone", Default::default()),
                CoreError::Platform(_) => ("platform", Default::default()),
                CoreError::TooManyRequests { .. } => ("too_many_requests", Default::default()),
                CoreError::Store(_) | CoreError::Internal(_) => {
                    // Details go to the log, never to the client.
                    tracing::error!(error = ?err, "internal error");
                    ("internal", Default::default())
                }
            };
            let message = match &err {
                CoreError::Taken { message, .. } => message.clone(),
                CoreError::Validation { fields } if fields.len() == 1 => fields
                    .iter()
                    .map(|(f, m)| format!("{f}: {m}"))
                    .collect::<String>(),
                _ => err.to_string(),
            };
            let retry_after_secs = match &err {
                CoreError::TooManyRequests {
                    retry_after_secs, ..
                } => Some(*retry_after_secs),
                _ => None,
            };
            AppError {
                status: err.http_status(),
                code: code.into(),
                message,
                fields,
                retry_after_secs,
            }
        }
    }
}
