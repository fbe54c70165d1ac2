//! Property tests: window additivity, ordering, and robustness on hostile input.

use std::collections::BTreeSet;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use roomcal::calendar::{parse_feed, Feed, Occurrence};

type Key = (String, Option<DateTime<Utc>>, DateTime<Utc>);

fn key(o: &Occurrence) -> Key {
    (o.uid.clone(), o.recurrence_id, o.start)
}

fn sort_key(o: &Occurrence) -> (DateTime<Utc>, String, Option<DateTime<Utc>>) {
    (o.start, o.uid.clone(), o.recurrence_id)
}

/// Sorted by (start, uid, recurrence_id) and without duplicates.
fn assert_sorted_and_unique(occs: &[Occurrence]) {
    for pair in occs.windows(2) {
        assert!(
            sort_key(&pair[0]) <= sort_key(&pair[1]),
            "not sorted: {:?} {:?}",
            key(&pair[0]),
            key(&pair[1])
        );
    }
    let keys: BTreeSet<Key> = occs.iter().map(key).collect();
    assert_eq!(keys.len(), occs.len(), "duplicates");
}

/// [a, c) == [a, b) ∪ [b, c) as sets of occurrences.
fn assert_additive(
    feed: &Feed,
    a: DateTime<Utc>,
    b: DateTime<Utc>,
    c: DateTime<Utc>,
    tz: chrono_tz::Tz,
) {
    let whole = feed.expand(a, c, tz);
    assert_sorted_and_unique(&whole);
    let mut parts: BTreeSet<Key> = feed.expand(a, b, tz).iter().map(key).collect();
    parts.extend(feed.expand(b, c, tz).iter().map(key));
    let whole: BTreeSet<Key> = whole.iter().map(key).collect();
    assert_eq!(whole, parts, "split at {b}");
}

const ZONES: [&str; 5] = [
    "",
    ";TZID=Europe/Berlin",
    ";TZID=America/New_York",
    ";TZID=W. Europe Standard Time",
    "Z",
];
const RULES: [&str; 8] = [
    "",
    "RRULE:FREQ=DAILY;COUNT=40\r\n",
    "RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR\r\n",
    "RRULE:FREQ=WEEKLY;INTERVAL=2;UNTIL=20250301T000000Z\r\n",
    "RRULE:FREQ=MONTHLY;BYDAY=-1FR\r\n",
    "RRULE:FREQ=MONTHLY;BYMONTHDAY=31;COUNT=10\r\n",
    "RRULE:FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SU\r\n",
    "RRULE:FREQ=HOURLY;INTERVAL=7;COUNT=50\r\n",
];

/// One generated series: start offset (hours from 2024-01-01), zone, rule,
/// length (minutes), all-day flag, exdate index, override index and shift.
type Spec = (u32, usize, usize, u32, bool, u8, u8, i32);

fn render(specs: &[Spec]) -> String {
    let base = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let mut text = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
    for (i, &(hours, zone, rule, minutes, all_day, exdate, over, shift)) in specs.iter().enumerate()
    {
        let start = base + Duration::hours(i64::from(hours));
        let fmt = |t: DateTime<Utc>| t.format("%Y%m%dT%H%M%S").to_string();
        let zone = ZONES[zone % ZONES.len()];
        let (dtstart, dtend) = if all_day {
            (
                format!("DTSTART;VALUE=DATE:{}", start.format("%Y%m%d")),
                format!(
                    "DTEND;VALUE=DATE:{}",
                    (start + Duration::days(1 + i64::from(minutes % 3))).format("%Y%m%d")
                ),
            )
        } else if zone == "Z" {
            (
                format!("DTSTART:{}Z", fmt(start)),
                format!("DURATION:PT{minutes}M"),
            )
        } else {
            (
                format!("DTSTART{zone}:{}", fmt(start)),
                format!(
                    "DTEND{zone}:{}",
                    fmt(start + Duration::minutes(i64::from(minutes)))
                ),
            )
        };
        let rule = RULES[rule % RULES.len()];
        text.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:s{i}\r\n{dtstart}\r\n{dtend}\r\n{rule}"
        ));
        // The second instance of a daily rule is a plausible EXDATE / override target.
        let second = start + Duration::days(i64::from(exdate % 5));
        let second_text = if all_day {
            format!(";VALUE=DATE:{}", second.format("%Y%m%d"))
        } else if zone == "Z" {
            format!(":{}Z", fmt(second))
        } else {
            format!("{zone}:{}", fmt(second))
        };
        if !rule.is_empty() && exdate % 2 == 0 {
            text.push_str(&format!("EXDATE{second_text}\r\n"));
        }
        text.push_str("END:VEVENT\r\n");
        if !rule.is_empty() && over % 3 == 0 {
            let moved = second + Duration::hours(i64::from(shift));
            text.push_str(&format!(
                "BEGIN:VEVENT\r\nUID:s{i}\r\nRECURRENCE-ID{second_text}\r\nDTSTART:{}Z\r\nDURATION:PT30M\r\nSUMMARY:moved\r\nEND:VEVENT\r\n",
                fmt(moved)
            ));
        }
    }
    text.push_str("END:VCALENDAR\r\n");
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn expanding_a_window_equals_expanding_its_two_halves(
        specs in proptest::collection::vec((0u32..8000, 0usize..5, 0usize..8, 0u32..600, any::<bool>(), any::<u8>(), any::<u8>(), -48i32..48), 1..6),
        a in 0i64..9000, len in 1i64..3000, cut in 0.0f64..1.0,
        tz in prop::sample::select(vec![chrono_tz::UTC, chrono_tz::Europe::Berlin, chrono_tz::Pacific::Auckland]),
    ) {
        let text = render(&specs);
        let feed = parse_feed(text.as_bytes(), None).unwrap();
        let base = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let from = base + Duration::hours(a);
        let to = from + Duration::hours(len);
        let b = from + Duration::minutes(((len * 60) as f64 * cut) as i64);
        assert_additive(&feed, from, b, to, tz);
    }

    #[test]
    fn arbitrary_bytes_never_panic_or_hang(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let started = Instant::now();
        if let Ok(feed) = parse_feed(&bytes, None) {
            let from = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
            let _ = feed.expand(from, from + Duration::days(30), chrono_tz::Europe::Berlin);
        }
        prop_assert!(started.elapsed() < StdDuration::from_secs(10));
    }

    #[test]
    fn mutated_real_fixtures_never_panic_or_hang(
        index in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0usize..6, any::<u8>()), 1..12),
    ) {
        const INSERTS: [&str; 6] = [
            "\r\nRRULE:FREQ=SECONDLY\r\n", "\r\nBEGIN:VEVENT\r\n", "\r\nEND:VCALENDAR\r\n",
            "\r\nRECURRENCE-ID;RANGE=THISANDFUTURE:19700101T000000Z\r\n", "\r\n ", ";TZID=\"",
        ];
        let files = crate::calendar::engine_common::all_fixtures();
        let mut bytes = std::fs::read(index.get(&files)).unwrap();
        for (at, kind, byte) in edits {
            if bytes.is_empty() { break; }
            let at = at.index(bytes.len());
            match kind {
                0 => bytes[at] = byte,
                1 => bytes.truncate(at),
                2 => { bytes.remove(at); }
                _ => {
                    let insert = INSERTS[usize::from(byte) % INSERTS.len()].as_bytes();
                    bytes.splice(at..at, insert.iter().copied());
                }
            }
        }
        let started = Instant::now();
        if let Ok(feed) = parse_feed(&bytes, None) {
            let from = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
            let occs = feed.expand(from, from + Duration::days(7), chrono_tz::Europe::Berlin);
            assert_sorted_and_unique(&occs);
        }
        prop_assert!(started.elapsed() < StdDuration::from_secs(10));
    }
}

#[test]
fn every_golden_fixture_is_additive_across_a_split_of_its_window() {
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(crate::calendar::engine_common::golden_dir().join("manifest.json")).unwrap(),
    )
    .unwrap();
    for entry in manifest
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e.get("golden").is_some())
    {
        let tz: chrono_tz::Tz = entry["tz"].as_str().unwrap().parse().unwrap();
        let parse =
            |k: &str| roomcal::calendar::parse_instant(entry[k].as_str().unwrap(), tz).unwrap();
        let (a, c) = (parse("from"), parse("to"));
        let bytes = std::fs::read(
            crate::calendar::engine_common::fixtures_dir().join(entry["file"].as_str().unwrap()),
        )
        .unwrap();
        let feed = parse_feed(&bytes, None).unwrap();
        for fraction in [3, 7] {
            let b = a + (c - a) * fraction / 10;
            assert_additive(&feed, a, b, c, tz);
        }
    }
}

#[test]
fn every_fixture_parses_and_expands_without_panicking() {
    for path in crate::calendar::engine_common::all_fixtures() {
        let bytes = std::fs::read(&path).unwrap();
        for charset in [None, Some("utf-8"), Some("windows-1252")] {
            if let Ok(feed) = parse_feed(&bytes, charset) {
                for tz in [
                    chrono_tz::UTC,
                    chrono_tz::Pacific::Kiritimati,
                    chrono_tz::America::St_Johns,
                ] {
                    let from = Utc.with_ymd_and_hms(1990, 1, 1, 0, 0, 0).unwrap();
                    let occs = feed.expand(from, from + Duration::days(365 * 50), tz);
                    assert_sorted_and_unique(&occs);
                    assert!(
                        occs.iter().all(|o| o.end >= o.start || o.floating),
                        "{}",
                        path.display()
                    );
                }
            }
        }
    }
}

#[test]
fn extreme_windows_do_not_panic() {
    let text = render(&[
        (10, 1, 1, 30, false, 0, 0, 5),
        (20, 4, 7, 30, true, 1, 3, -5),
        (30, 2, 2, 90, false, 2, 0, 30),
    ]);
    let feed = parse_feed(text.as_bytes(), None).unwrap();
    let (min, max) = (DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC);
    for (from, to) in [(min, max), (max, min), (min, min), (max, max)] {
        let occs = feed.expand(from, to, chrono_tz::Pacific::Kiritimati);
        assert_sorted_and_unique(&occs);
    }
}

/// Lines a hostile or broken producer might emit, in any order.
const VOCABULARY: [&str; 28] = [
    "BEGIN:VCALENDAR",
    "END:VCALENDAR",
    "BEGIN:VEVENT",
    "END:VEVENT",
    "BEGIN:VTIMEZONE",
    "END:VTIMEZONE",
    "BEGIN:STANDARD",
    "END:STANDARD",
    "BEGIN:DAYLIGHT",
    "END:DAYLIGHT",
    "TZID:Custom",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:-0230",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "UID:a",
    "UID:b",
    "DTSTART;TZID=Custom:2024{M}{D}T0{H}3000",
    "DTSTART:2024{M}{D}T1{H}0000Z",
    "DTSTART;VALUE=DATE:2024{M}{D}",
    "DTEND:2024{M}{D}T0{H}0000",
    "DURATION:-PT{H}H",
    "RRULE:FREQ=SECONDLY;INTERVAL={H}",
    "RRULE:FREQ=MONTHLY;BYDAY={H}FR,-{H}MO;BYSETPOS=-{H}",
    "RRULE:FREQ=WEEKLY;UNTIL=2024{M}{D};COUNT={H}",
    "EXDATE;VALUE=DATE:2024{M}{D},2024{D}{M}",
    "RECURRENCE-ID;RANGE=THISANDFUTURE:2024{M}{D}T1{H}0000Z",
    "RDATE;VALUE=PERIOD:2024{M}{D}T000000Z/PT{H}H",
    "X-WR-TIMEZONE:Europe/Berlin",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_sequences_of_plausible_lines_never_panic_or_hang(
        lines in proptest::collection::vec((any::<prop::sample::Index>(), 1u8..13, 1u8..29, 0u8..10), 0..60),
    ) {
        let mut text = String::new();
        for (index, month, day, hour) in lines {
            let line = index.get(&VOCABULARY)
                .replace("{M}", &format!("{month:02}"))
                .replace("{D}", &format!("{day:02}"))
                .replace("{H}", &hour.to_string());
            text.push_str(&line);
            text.push_str("\r\n");
        }
        let started = Instant::now();
        if let Ok(feed) = parse_feed(text.as_bytes(), None) {
            let from = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
            for days in [1, 40] {
                let occs = feed.expand(from, from + Duration::days(days), chrono_tz::America::Sao_Paulo);
                assert_sorted_and_unique(&occs);
            }
        }
        prop_assert!(started.elapsed() < StdDuration::from_secs(10));
    }
}
