//! The `calendar_metadata` JSON stored on a meeting, and the privacy class that governs who
//! may see it (the redaction itself is in [`super::redact`]).
//!
//! The shape is fixed — every key is always present, `null` or `[]` when unknown — so pages
//! and API clients can read it without probing, and so two syncs of the same event produce
//! byte-identical JSON (keys are sorted, lists keep the feed's order):
//!
//! ```json
//! {
//!   "version": 1,
//!   "title": "Standup" | null,
//!   "description": "..." | null,
//!   "location": "..." | null,
//!   "organizer": {"email": "...", "name": "...", ...} | null,
//!   "attendees": [{"email": "...", "name": "...", "partstat": "...", "role": "..."}],
//!   "conference_links": ["https://..."],
//!   "recurrence": {"rrule": "FREQ=..." | null, "recurrence_id": "2026-...Z" | null} | null,
//!   "privacy_class": "PUBLIC" | "PRIVATE" | "CONFIDENTIAL"
//! }
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The version written into every metadata object; bump it when the shape changes so
/// readers can tell old rows from new ones.
pub const METADATA_VERSION: u64 = 1;

/// The iCalendar CLASS of an event, ordered from least to most restricted.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PrivacyClass {
    /// The RFC 5545 default: anyone who can see the room may see the event's details
    /// (minus secrets).
    #[default]
    Public,
    /// Others see only that the room is busy, and when.
    Private,
    /// Treated like [`PrivacyClass::Private`] for display; kept apart so it round-trips.
    Confidential,
}

impl PrivacyClass {
    /// Reads a CLASS value. Absent means PUBLIC (the RFC 5545 default); unknown values
    /// (x-names, typos) mean PRIVATE, as RFC 5545 requires, so a feed's custom class can
    /// never leak details.
    pub fn parse(value: Option<&str>) -> Self {
        match value.map(|v| v.trim().to_ascii_uppercase()) {
            None => Self::Public,
            Some(v) if v.is_empty() || v == "PUBLIC" => Self::Public,
            Some(v) if v == "CONFIDENTIAL" => Self::Confidential,
            Some(_) => Self::Private,
        }
    }

    /// The CLASS value as written in the metadata.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "PUBLIC",
            Self::Private => "PRIVATE",
            Self::Confidential => "CONFIDENTIAL",
        }
    }

    /// Whether non-owners may see the real title (else "Private meeting").
    pub fn shows_details(self) -> bool {
        self == Self::Public
    }
}

/// How an occurrence relates to its series.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RecurrenceInfo {
    /// The series' RRULE value (without the `RRULE:` prefix), if it is recurring.
    pub rrule: Option<String>,
    /// This instance's RECURRENCE-ID, if it is an instance of a series.
    pub recurrence_id: Option<DateTime<Utc>>,
}

/// Everything that goes into a meeting's `calendar_metadata`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CalendarDetails {
    /// SUMMARY.
    pub title: Option<String>,
    /// DESCRIPTION.
    pub description: Option<String>,
    /// Attendees as stored on the event (a JSON array of person objects).
    pub attendees: Value,
    /// The organizer as stored on the event (a person object), if any.
    pub organizer: Option<Value>,
    /// LOCATION.
    pub location: Option<String>,
    /// Video-call links found in the event (conference properties, description, location).
    pub conference_links: Vec<String>,
    /// Series information, if the event recurs.
    pub recurrence: Option<RecurrenceInfo>,
    /// CLASS.
    pub privacy_class: PrivacyClass,
}

/// Builds the metadata JSON in the fixed shape described in the module docs.
///
/// Normalisation, so equal events give equal JSON: texts are trimmed and an empty text is
/// `null`; attendees that are not an array become an array (`null` → `[]`, one object →
/// `[object]`); a `null` organizer is `null`; conference links are trimmed, empty ones
/// dropped and repeats removed (first occurrence kept); a recurrence with neither rule nor
/// id is `null`.
pub fn calendar_metadata(details: &CalendarDetails) -> Value {
    let attendees = match &details.attendees {
        Value::Array(items) => Value::Array(items.clone()),
        Value::Null => Value::Array(Vec::new()),
        other => Value::Array(vec![other.clone()]),
    };
    let organizer = details.organizer.clone().unwrap_or(Value::Null);
    let mut links: Vec<String> = Vec::new();
    for link in details.conference_links.iter().map(|l| l.trim()) {
        if !link.is_empty() && !links.iter().any(|l| l == link) {
            links.push(link.to_string());
        }
    }
    let recurrence = details
        .recurrence
        .as_ref()
        .map(|r| RecurrenceInfo {
            rrule: clean(r.rrule.as_deref()),
            recurrence_id: r.recurrence_id,
        })
        .filter(|r| r.rrule.is_some() || r.recurrence_id.is_some())
        .map_or(
            Value::Null,
            |r| json!({ "rrule": r.rrule, "recurrence_id": r.recurrence_id }),
        );
    json!({
        "version": METADATA_VERSION,
        "title": clean(details.title.as_deref()),
        "description": clean(details.description.as_deref()),
        "location": clean(details.location.as_deref()),
        "organizer": organizer,
        "attendees": attendees,
        "conference_links": links,
        "recurrence": recurrence,
        "privacy_class": details.privacy_class.as_str(),
    })
}

/// Trimmed text, `None` when empty.
pub(crate) fn clean(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::testkit::at;

    #[test]
    fn privacy_classes_parse_like_rfc_5545_says() {
        let cases = [
            (None, PrivacyClass::Public),
            (Some(""), PrivacyClass::Public),
            (Some("PUBLIC"), PrivacyClass::Public),
            (Some(" public "), PrivacyClass::Public),
            (Some("PRIVATE"), PrivacyClass::Private),
            (Some("Confidential"), PrivacyClass::Confidential),
            (Some("X-SECRET"), PrivacyClass::Private),
        ];
        for (input, expected) in cases {
            assert_eq!(PrivacyClass::parse(input), expected, "{input:?}");
        }
        assert!(PrivacyClass::Public < PrivacyClass::Private);
        assert!(PrivacyClass::Private < PrivacyClass::Confidential);
    }

    #[test]
    fn full_details_give_the_documented_shape() {
        let details = CalendarDetails {
            title: Some(" Standup ".into()),
            description: Some("Daily sync".into()),
            attendees: json!([{"email": "ann@example.com", "name": "Ann", "partstat": "ACCEPTED", "role": null}]),
            organizer: Some(
                json!({"email": "bob@example.com", "name": "Bob", "partstat": "ACCEPTED", "role": null}),
            ),
            location: Some("Room 1".into()),
            conference_links: vec![
                "https://meet.example/abc".into(),
                " https://meet.example/abc ".into(),
                "".into(),
            ],
            recurrence: Some(RecurrenceInfo {
                rrule: Some("FREQ=DAILY".into()),
                recurrence_id: Some(at(10, 0, 0)),
            }),
            privacy_class: PrivacyClass::Public,
        };
        assert_eq!(
            calendar_metadata(&details),
            json!({
                "version": 1,
                "title": "Standup",
                "description": "Daily sync",
                "location": "Room 1",
                "organizer": {"email": "bob@example.com", "name": "Bob", "partstat": "ACCEPTED", "role": null},
                "attendees": [{"email": "ann@example.com", "name": "Ann", "partstat": "ACCEPTED", "role": null}],
                "conference_links": ["https://meet.example/abc"],
                "recurrence": {"rrule": "FREQ=DAILY", "recurrence_id": "2026-03-02T10:00:00Z"},
                "privacy_class": "PUBLIC"
            })
        );
    }

    #[test]
    fn empty_details_still_have_every_key() {
        let got = calendar_metadata(&CalendarDetails {
            recurrence: Some(RecurrenceInfo::default()),
            privacy_class: PrivacyClass::Confidential,
            ..CalendarDetails::default()
        });
        assert_eq!(
            got,
            json!({
                "version": 1, "title": null, "description": null, "location": null,
                "organizer": null, "attendees": [], "conference_links": [],
                "recurrence": null, "privacy_class": "CONFIDENTIAL"
            })
        );
    }

    #[test]
    fn a_single_attendee_object_becomes_a_list_and_output_is_stable() {
        let details = CalendarDetails {
            attendees: json!({"email": "a@b.c"}),
            ..CalendarDetails::default()
        };
        let a = calendar_metadata(&details);
        assert_eq!(a["attendees"], json!([{"email": "a@b.c"}]));
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&calendar_metadata(&details)).unwrap()
        );
    }
}
