//! People on the wire: who is in a call (names for the owner, a count for everyone
//! else), and who a calendar event names (the owner's view).

use serde::{Deserialize, Serialize};

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

/// An invited person's answer (iCalendar PARTSTAT).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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

/// A calendar event's details, for the room's owner.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EventDetails {
    /// DESCRIPTION, as plain text.
    pub description: Option<String>,
    /// LOCATION.
    pub location: Option<String>,
    /// ORGANIZER.
    pub organizer: Option<PersonDto>,
    /// ATTENDEEs with their answers, in the feed's order.
    pub attendees: Vec<PersonDto>,
    /// Video-call links found in the event.
    pub conference_links: Vec<String>,
}

/// Who of the invited came, for the room's owner.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AttendanceDto {
    /// Invited and in the call.
    pub invited_here: Vec<String>,
    /// Invited, not in the call.
    pub invited_absent: Vec<String>,
    /// In the call, not invited.
    pub here_not_invited: Vec<String>,
}
