//! ICS out: a room's schedule as a calendar people subscribe to, and single meetings as
//! "add to calendar" files. Written with the `icalendar` crate, which owns escaping,
//! line folding at 75 octets and CRLF line ends. Pure: what to write is decided by the
//! caller ([`crate::services::room_feed`]), including what each viewer may see.

use chrono::{DateTime, Duration, TimeZone, Utc};
use icalendar::{Calendar, Component, Event, EventLike};
use sha2::{Digest, Sha256};

/// An .ics body with what HTTP needs to serve it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsFile {
    /// The calendar text (CRLF, folded).
    pub body: String,
    /// A strong ETag of the body, quoted, for conditional GET.
    pub etag: String,
    /// A file name for downloads.
    pub filename: String,
}

impl IcsFile {
    /// The file `filename` holding `body`, with its ETag.
    pub fn new(body: String, filename: String) -> Self {
        let digest: String = Sha256::digest(body.as_bytes())
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect();
        IcsFile {
            etag: format!("\"{digest}\""),
            body,
            filename,
        }
    }
}

/// One VEVENT of a room feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEvent {
    /// Stable across feed versions: the occurrence's or meeting's id, `@` the site's host.
    pub uid: String,
    /// The title this viewer may see ("Private meeting" for private events seen by others).
    pub title: String,
    /// Start (written in UTC).
    pub start: DateTime<Utc>,
    /// End (written in UTC).
    pub end: DateTime<Utc>,
    /// The meeting's (or waiting) page: written as URL and as LOCATION, where calendar
    /// apps make it clickable.
    pub page_url: String,
    /// When roomcal last saw it change: LAST-MODIFIED and DTSTAMP, and the source of
    /// SEQUENCE, so all three move when the meeting changes and only then.
    pub changed_at: DateTime<Utc>,
    /// Owner feeds only: the details the owner sees on the room page, as text.
    pub description: Option<String>,
}

/// SEQUENCE for a change at `changed_at`: minutes since 2020, so it grows with every change
/// and never moves without one (a plain revision counter would need a column for each
/// meeting; this needs none and orders the same).
pub fn sequence_of(changed_at: DateTime<Utc>) -> u32 {
    let epoch = Utc
        .with_ymd_and_hms(2020, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(changed_at);
    u32::try_from((changed_at - epoch).num_minutes().max(0)).unwrap_or(u32::MAX)
}

/// The calendar named `name` holding `events`. Its text depends only on its inputs (no
/// "now" inside), so an unchanged schedule gives the same bytes and ETag.
pub fn write_calendar(name: &str, events: &[FeedEvent]) -> String {
    let mut calendar = Calendar::new();
    calendar.name(name);
    // Calendar apps poll a subscription at the interval it suggests.
    calendar.ttl(&Duration::minutes(15));
    for event in events {
        calendar.push(vevent(event));
    }
    calendar.done().to_string()
}

fn vevent(e: &FeedEvent) -> Event {
    let mut event = Event::new();
    event
        .uid(&e.uid)
        .summary(&e.title)
        .starts(e.start)
        .ends(e.end)
        .url(&e.page_url)
        .location(&e.page_url)
        .timestamp(e.changed_at)
        .last_modified(e.changed_at)
        .sequence(sequence_of(e.changed_at));
    if let Some(description) = &e.description {
        event.description(description);
    }
    event.done()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, h, m, 0)
            .single()
            .expect("instant")
    }

    fn event(title: &str) -> FeedEvent {
        FeedEvent {
            uid: "a1@rooms.example".into(),
            title: title.into(),
            start: at(10, 0),
            end: at(10, 30),
            page_url: "https://rooms.example/room/standup/a1".into(),
            changed_at: at(9, 0),
            description: None,
        }
    }

    #[test]
    fn a_feed_is_crlf_folded_and_the_same_bytes_for_the_same_schedule() {
        let title = "Sprint-Planung für das Q3-Release — Ärger mit Übergrößen 🚀 ".repeat(4);
        let text = write_calendar("standup", &[event(&title)]);
        assert_eq!(text, write_calendar("standup", &[event(&title)]));
        assert!(text.contains("DTSTART:20260302T100000Z\r\n"));
        assert!(text.contains("UID:a1@rooms.example\r\n"));
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
            assert!(!line.contains('\n'));
        }
        let feed = crate::calendar::parse_feed(text.as_bytes(), None).expect("readable");
        assert_eq!(feed.events[0].summary.as_deref(), Some(title.as_str()));
    }

    #[test]
    fn sequence_grows_with_each_change() {
        assert!(sequence_of(at(9, 1)) > sequence_of(at(9, 0)));
        assert_eq!(sequence_of(at(9, 0)), sequence_of(at(9, 0)));
    }
}
