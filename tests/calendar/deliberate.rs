//! What the engine gives on the fixtures where it deliberately differs from the oracle
//! (listed in `golden.rs`): the oracle drops these events, the engine keeps what it can.

use chrono::{DateTime, Datelike, TimeZone, Utc};
use roomcal::calendar::{parse_feed, Feed, Occurrence};

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("instant")
}

fn fixture(name: &str) -> Feed {
    let path = crate::calendar::engine_common::fixtures_dir()
        .join("python-icalendar")
        .join(name);
    let bytes = std::fs::read(&path).expect("fixture");
    parse_feed(&bytes, None).expect("a calendar")
}

fn expand(feed: &Feed, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Occurrence> {
    feed.expand(from, to, chrono_tz::Europe::Berlin)
}

fn warned_about(feed: &Feed, word: &str) -> bool {
    feed.warnings.iter().any(|w| w.reason.contains(word))
}

#[test]
fn an_overflowing_duration_is_skipped_with_a_warning_and_the_event_kept() {
    let feed = fixture("calendars__invalid_duration.ics");
    let occs = expand(&feed, utc(2024, 1, 1, 0, 0), utc(2026, 1, 1, 0, 0));
    assert_eq!(occs.len(), 1);
    assert_eq!(
        (occs[0].start, occs[0].end),
        (utc(2024, 1, 1, 0, 0), utc(2024, 1, 1, 0, 0))
    );
    assert!(warned_about(&feed, "DURATION"), "{:?}", feed.warnings);
}

#[test]
fn an_unknown_frequency_drops_the_rule_not_the_event() {
    let feed = fixture("calendars__issue_1081_invalid_rrule_freq.ics");
    let occs = expand(&feed, utc(2025, 1, 1, 0, 0), utc(2027, 1, 1, 0, 0));
    let starts: Vec<_> = occs.iter().map(|o| o.start).collect();
    assert_eq!(starts, [utc(2025, 1, 1, 10, 0)]);
    assert!(warned_about(&feed, "unknown FREQ"), "{:?}", feed.warnings);
}

#[test]
fn exchange_weekday_lists_with_spaces_are_expanded() {
    let feed = fixture("calendars__issue_165_missing_event.ics");
    let occs = expand(&feed, utc(2015, 7, 1, 0, 0), utc(2015, 8, 1, 0, 0));
    // Weekdays from Friday 3 July to Wednesday 22 July 2015, 10:00 in the custom zone
    // (+02:00 in summer), until 08:00Z on the 22nd inclusive.
    assert_eq!(occs.len(), 14);
    assert_eq!(occs[0].start, utc(2015, 7, 3, 8, 0));
    assert_eq!(occs[1].start, utc(2015, 7, 6, 8, 0));
    assert_eq!(occs[13].start, utc(2015, 7, 22, 8, 0));
    assert!(occs
        .iter()
        .all(|o| o.end - o.start == chrono::Duration::minutes(30)));
}

#[test]
fn non_gregorian_rules_keep_only_their_first_instance() {
    let feed = fixture("calendars__rfc_7529.ics");
    let occs = expand(&feed, utc(2012, 1, 1, 0, 0), utc(2016, 1, 1, 0, 0));
    for uid in ["4.3.1", "4.3.2", "4.3.3"] {
        let of_uid: Vec<_> = occs.iter().filter(|o| o.uid == uid).collect();
        assert_eq!(of_uid.len(), 1, "{uid}: {of_uid:?}");
    }
    for calendar in ["CHINESE", "ETHIOPIC", "HEBREW"] {
        assert!(
            warned_about(&feed, &format!("RSCALE={calendar}")),
            "{:?}",
            feed.warnings
        );
    }
}

#[test]
fn an_unreadable_rdate_entry_is_skipped_with_a_warning_and_the_series_kept() {
    // A VEVENT fragment: read wrapped in a VCALENDAR, as the golden test does.
    let bytes = std::fs::read(
        crate::calendar::engine_common::fixtures_dir()
            .join("python-icalendar/events__issue_464_invalid_rdate.ics"),
    )
    .expect("fixture");
    let mut body = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n".to_vec();
    body.extend_from_slice(&bytes);
    body.extend_from_slice(b"\r\nEND:VCALENDAR\r\n");
    let feed = parse_feed(&body, None).expect("a calendar");
    let occs = expand(&feed, utc(1996, 1, 1, 0, 0), utc(1998, 1, 1, 0, 0));
    let spans: Vec<_> = occs.iter().map(|o| (o.start, o.end)).collect();
    // DTSTART, and the first RDATE period; `199709T180000Z/PT5H30M` is no date.
    assert_eq!(
        spans,
        [
            (utc(1996, 12, 30, 2, 0), utc(1996, 12, 30, 6, 0)),
            (utc(1997, 1, 1, 18, 0), utc(1997, 1, 2, 7, 0)),
        ]
    );
    assert!(warned_about(&feed, "invalid RDATE"), "{:?}", feed.warnings);
}

#[test]
fn an_all_day_utc_until_counts_as_the_day_it_falls_on_in_the_rooms_zone() {
    let feed = fixture("calendars__parsing_error.ics");
    let occs = expand(&feed, utc(2008, 1, 1, 0, 0), utc(2010, 1, 1, 0, 0));
    let days: Vec<_> = occs
        .iter()
        .filter(|o| o.description.as_deref() == Some("Perfectly OK event"))
        .map(|o| o.start_date.expect("all-day"))
        .collect();
    // 3 to 24 March 2008 without the EXDATE of 11 March: UNTIL, 23:59:59 on the 23rd in
    // UTC, is 00:59:59 on the 24th in Berlin, where the dates are placed.
    let first = chrono::NaiveDate::from_ymd_opt(2008, 3, 3).expect("date");
    let expected: Vec<_> = (0..22)
        .map(|i| first + chrono::Duration::days(i))
        .filter(|d| d.day() != 11)
        .collect();
    assert_eq!(days, expected);
}
