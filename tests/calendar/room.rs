//! Which events belong to a room.

use chrono::{TimeZone, Utc};
use roomcal::calendar::{parse_feed, Occurrence, RoomMatcher};

fn with(prop: &str) -> Occurrence {
    let text = format!(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART:20240401T100000Z\r\n{prop}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    let feed = parse_feed(text.as_bytes(), None).unwrap();
    let from = Utc.with_ymd_and_hms(2024, 4, 1, 0, 0, 0).unwrap();
    feed.expand(from, from + chrono::Duration::days(1), chrono_tz::UTC)
        .remove(0)
}

fn matcher(room: &str) -> RoomMatcher {
    RoomMatcher::new(
        &[
            "https://Rooms.Example.com/".to_owned(),
            "http://localhost:3000".to_owned(),
        ],
        room,
    )
}

#[test]
fn the_room_url_matches_in_location_description_url_and_conference_properties() {
    let m = matcher("standup");
    for prop in [
        "LOCATION:https://rooms.example.com/room/standup",
        "DESCRIPTION:Room: https://rooms.example.com/room/standup\\nBring coffee",
        "URL:https://rooms.example.com/room/standup",
        "CONFERENCE;VALUE=URI:https://rooms.example.com/room/standup",
        "X-GOOGLE-CONFERENCE:https://rooms.example.com/room/standup",
    ] {
        assert!(m.matches(&with(prop)), "{prop}");
    }
}

#[test]
fn scheme_host_case_slash_query_fragment_brackets_and_punctuation_do_not_matter() {
    let m = matcher("standup");
    for prop in [
        "LOCATION:HTTP://ROOMS.EXAMPLE.COM/room/standup/",
        "LOCATION:https://rooms.example.com/room/standup?x=1",
        "LOCATION:https://rooms.example.com/room/standup#top",
        "LOCATION:<https://rooms.example.com/room/standup>",
        "DESCRIPTION:see (https://rooms.example.com/room/standup).",
        "LOCATION:rooms.example.com/room/standup",
        "LOCATION:http://localhost:3000/room/standup",
    ] {
        assert!(m.matches(&with(prop)), "{prop}");
    }
}

#[test]
fn the_room_name_must_end_at_a_segment_boundary() {
    let m = matcher("max");
    assert!(m.matches(&with("LOCATION:https://rooms.example.com/room/max")));
    for prop in [
        "LOCATION:https://rooms.example.com/room/max-team",
        "LOCATION:https://rooms.example.com/room/maxwell",
        "LOCATION:https://other.example.com/room/max",
        "LOCATION:https://evilrooms.example.com/room/max",
        "LOCATION:https://rooms.example.com/rooms/max",
        "LOCATION:Room max",
    ] {
        assert!(!m.matches(&with(prop)), "{prop}");
    }
}

#[test]
fn a_matcher_can_be_built_from_a_full_room_url() {
    let m = RoomMatcher::from_room_url("https://rooms.example.com/room/standup/").unwrap();
    assert!(m.matches(&with("LOCATION:http://ROOMS.example.com/room/standup")));
    assert!(!m.matches(&with("LOCATION:http://rooms.example.com/room/standup-2")));
    assert!(RoomMatcher::from_room_url("https://rooms.example.com/").is_none());
}
