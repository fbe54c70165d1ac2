//! ICS out read back: what roomcal writes is read by its own engine and by the reference
//! oracle with the same occurrences. The fixture `roomcal/written_room_feed.ics` is the
//! writer's output for the fixed schedule below, and its oracle golden file is listed in
//! `golden/manifest.json`, so `golden.rs` compares the engine and the oracle on it; this
//! test keeps the fixture equal to what the writer produces today.

use chrono::{DateTime, TimeZone, Utc};
use roomcal::calendar::parse_feed;
use roomcal::ics_out::{write_calendar, FeedEvent};

fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, d, h, m, 0)
        .single()
        .expect("instant")
}

/// A fixed schedule: plain, long and non-ASCII, private, and a detailed owner entry.
fn schedule() -> Vec<FeedEvent> {
    let event = |id: &str, title: &str, start, end, description: Option<&str>| FeedEvent {
        uid: format!("{id}@rooms.example"),
        title: title.into(),
        start,
        end,
        page_url: format!("https://rooms.example/room/standup/event/{id}"),
        changed_at: at(1, 8, 0),
        description: description.map(str::to_string),
    };
    vec![
        event("a1", "Weekly sync", at(2, 10, 0), at(2, 10, 30), None),
        event(
            "b2",
            "Sprint-Planung für Q3 — Überblick, Prioritäten und Risiken; Ärger mit Größen 🚀 (lang, sehr lang)",
            at(2, 11, 0),
            at(2, 12, 0),
            None,
        ),
        event("c3", "Private meeting", at(3, 9, 0), at(3, 9, 45), None),
        event(
            "d4",
            "Board review",
            at(3, 14, 0),
            at(3, 15, 30),
            Some("Agenda: budget, hiring; C:\\share\\board\nLocation: Building 7, room 3\n\nAttendees: Ann <ann@example.com> (accepted)"),
        ),
    ]
}

fn fixture_path() -> std::path::PathBuf {
    crate::calendar::engine_common::fixtures_dir().join("roomcal/written_room_feed.ics")
}

#[test]
fn the_committed_written_feed_is_what_roomcal_writes_today() {
    let written = write_calendar("standup · roomcal", &schedule());
    if std::env::var_os("ROOMCAL_WRITE_FIXTURE").is_some() {
        std::fs::write(fixture_path(), &written).expect("write fixture");
    }
    let committed = std::fs::read_to_string(fixture_path()).expect("fixture");
    assert_eq!(
        written, committed,
        "regenerate with ROOMCAL_WRITE_FIXTURE=1, then the golden file"
    );
}

#[test]
fn roomcal_reads_back_every_event_as_written_titles_and_descriptions_included() {
    let written = write_calendar("standup · roomcal", &schedule());
    let feed = parse_feed(written.as_bytes(), None).expect("readable");
    assert!(feed.warnings.is_empty(), "{:?}", feed.warnings);
    let occurrences = feed.expand(at(1, 0, 0), at(5, 0, 0), chrono_tz::UTC);
    let read: Vec<_> = occurrences
        .iter()
        .map(|o| {
            (
                o.uid.clone(),
                o.start,
                o.end,
                o.summary.clone(),
                o.description.clone(),
            )
        })
        .collect();
    let expected: Vec<_> = schedule()
        .into_iter()
        .map(|e| (e.uid, e.start, e.end, Some(e.title), e.description))
        .collect();
    assert_eq!(read, expected);
    for o in &occurrences {
        assert!(o
            .url
            .as_deref()
            .is_some_and(|u| u.ends_with(o.uid.trim_end_matches("@rooms.example"))));
    }
}
