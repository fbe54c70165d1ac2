//! Two Outlook quirks, on hand-written Outlook-style fixtures (tests/calendar/fixtures/roomcal/)
//! with the expected occurrences worked out by hand:
//! - a quoted `TZID` parameter with a comma names the VTIMEZONE whose `TZID:` value writes
//!   the comma escaped (`\,`); both sides are unescaped before they are matched;
//! - an all-day series whose UNTIL is a UTC time at local midnight of its last day keeps that
//!   day: for a DATE DTSTART, UNTIL counts as the date it falls on in the series' zone (the
//!   calendar's X-WR-TIMEZONE, else the room's zone, where the all-day dates are placed).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use roomcal::calendar::{parse_feed, Feed};

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("instant")
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn fixture_text(name: &str) -> String {
    let path = crate::calendar::engine_common::fixtures_dir()
        .join("roomcal")
        .join(name);
    std::fs::read_to_string(path).expect("fixture")
}

fn feed(text: &str) -> Feed {
    parse_feed(text.as_bytes(), None).expect("a calendar")
}

/// The first days of the all-day occurrences of `summary` in the first quarter of 2025.
fn all_day_starts(feed: &Feed, summary: &str, room_zone: Tz) -> Vec<NaiveDate> {
    feed.expand(utc(2025, 1, 1, 0, 0), utc(2025, 4, 1, 0, 0), room_zone)
        .iter()
        .filter(|o| o.summary.as_deref() == Some(summary))
        .map(|o| o.start_date.expect("an all-day occurrence"))
        .collect()
}

#[test]
fn a_quoted_tzid_with_a_comma_finds_the_vtimezone_that_escapes_the_comma() {
    let feed = feed(&fixture_text("outlook_quoted_tzid_comma.ics"));
    let occs = feed.expand(
        utc(2025, 1, 1, 0, 0),
        utc(2025, 4, 1, 0, 0),
        chrono_tz::Europe::Berlin,
    );
    let spans: Vec<_> = occs.iter().map(|o| (o.start, o.end)).collect();
    // Mondays 09:00–09:30 in the zone's rules: -08:00 until the second Sunday of March
    // (9 March 2025), -07:00 after it; UNTIL=20250317T160000Z is the 17 March instance.
    let winter = |d: u32, m: u32| (utc(2025, m, d, 17, 0), utc(2025, m, d, 17, 30));
    let summer = |d: u32| (utc(2025, 3, d, 16, 0), utc(2025, 3, d, 16, 30));
    assert_eq!(
        spans,
        [
            winter(6, 1),
            winter(13, 1),
            winter(20, 1),
            winter(27, 1),
            winter(3, 2),
            winter(10, 2),
            winter(17, 2),
            winter(24, 2),
            winter(3, 3),
            summer(10),
            summer(17),
        ]
    );
    assert!(occs.iter().all(|o| !o.floating), "read as floating");
}

#[test]
fn an_all_day_series_keeps_its_last_day_when_until_is_utc_at_local_midnight() {
    let text = fixture_text("outlook_allday_until_midnight.ics");
    let with_x_wr = feed(&text);
    // UNTIL=20250109T230000Z is midnight of Friday 10 January in Europe/Berlin (the
    // calendar's X-WR-TIMEZONE): Monday 6 to Friday 10 January, five days.
    let week = [
        day(2025, 1, 6),
        day(2025, 1, 7),
        day(2025, 1, 8),
        day(2025, 1, 9),
        day(2025, 1, 10),
    ];
    // UNTIL=20250127T230000Z is midnight of Tuesday 28 January: four Tuesdays.
    let tuesdays = [
        day(2025, 1, 7),
        day(2025, 1, 14),
        day(2025, 1, 21),
        day(2025, 1, 28),
    ];
    for room_zone in [chrono_tz::Europe::Berlin, chrono_tz::UTC] {
        assert_eq!(all_day_starts(&with_x_wr, "Messeaufbau", room_zone), week);
        assert_eq!(all_day_starts(&with_x_wr, "Inventur", room_zone), tuesdays);
    }
}

#[test]
fn without_x_wr_timezone_an_all_day_until_is_read_in_the_rooms_zone() {
    let text = fixture_text("outlook_allday_until_midnight.ics")
        .replace("X-WR-TIMEZONE:Europe/Berlin\r\n", "");
    let without = feed(&text);
    assert_eq!(without.x_wr_timezone, None);
    let berlin = all_day_starts(&without, "Messeaufbau", chrono_tz::Europe::Berlin);
    assert_eq!(berlin.last(), Some(&day(2025, 1, 10)));
    assert_eq!(berlin.len(), 5);
    // In a UTC room the same UNTIL falls on 9 January: that is the last day there.
    let in_utc = all_day_starts(&without, "Messeaufbau", chrono_tz::UTC);
    assert_eq!(in_utc.last(), Some(&day(2025, 1, 9)));
    assert_eq!(in_utc.len(), 4);
}
