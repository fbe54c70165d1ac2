//! Input decoding and isolation of malformed pieces.

use chrono::{DateTime, TimeZone, Utc};
use roomcal::calendar::{parse_feed, FeedError, Occurrence};

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

fn event(body: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:e1\r\nDTSTART:20240401T100000Z\r\nDTEND:20240401T110000Z\r\n{body}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn occurrences(bytes: &[u8], charset: Option<&str>) -> Vec<Occurrence> {
    parse_feed(bytes, charset).expect("a calendar").expand(
        utc(2024, 1, 1, 0, 0),
        utc(2025, 1, 1, 0, 0),
        chrono_tz::UTC,
    )
}

fn summary(bytes: &[u8], charset: Option<&str>) -> String {
    occurrences(bytes, charset)[0]
        .summary
        .clone()
        .expect("summary")
}

#[test]
fn a_utf8_bom_is_ignored() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(event("SUMMARY:x\r\n").as_bytes());
    assert_eq!(occurrences(&bytes, None).len(), 1);
}

#[test]
fn the_content_type_charset_is_honoured() {
    let bytes = event("SUMMARY:Caf\u{e9}\r\n").replace('\u{e9}', "\u{1}");
    let latin1: Vec<u8> = bytes
        .bytes()
        .map(|b| if b == 1 { 0xE9 } else { b })
        .collect();
    assert_eq!(summary(&latin1, Some("iso-8859-1")), "Caf\u{e9}");
}

#[test]
fn utf16_with_a_bom_is_decoded() {
    let mut bytes = vec![0xFE, 0xFF];
    for unit in event("SUMMARY:\u{fc}ber\r\n").encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    assert_eq!(summary(&bytes, None), "\u{fc}ber");
}

#[test]
fn invalid_utf8_falls_back_to_a_single_byte_charset() {
    let text = event("SUMMARY:Caf\u{1}\r\n");
    let bytes: Vec<u8> = text
        .bytes()
        .map(|b| if b == 1 { 0xE9 } else { b })
        .collect();
    assert_eq!(summary(&bytes, None), "Caf\u{e9}");
}

#[test]
fn nul_bytes_are_ignored() {
    let bytes = event("SUMMARY:a\0b\r\n").replace("UID", "\0UID");
    assert_eq!(summary(bytes.as_bytes(), None), "ab");
}

#[test]
fn crlf_lf_and_lone_cr_line_endings_are_all_accepted() {
    for ending in ["\r\n", "\n", "\r"] {
        let bytes = event("SUMMARY:x\r\n").replace("\r\n", ending);
        assert_eq!(occurrences(bytes.as_bytes(), None).len(), 1, "{ending:?}");
    }
}

#[test]
fn a_fold_that_splits_a_multi_byte_character_is_healed() {
    let mut body = b"SUMMARY:Caf\xC3\r\n \xA9\r\n".to_vec();
    let text = event("@@");
    let (head, tail) = text.split_once("@@").unwrap();
    let mut bytes = head.as_bytes().to_vec();
    bytes.append(&mut body);
    bytes.extend_from_slice(tail.as_bytes());
    assert_eq!(summary(&bytes, None), "Caf\u{e9}");
}

#[test]
fn an_unindented_continuation_line_continues_the_text_value() {
    let bytes = event("DESCRIPTION:first line\r\nsecond line of text\r\nSUMMARY:x\r\n");
    let occ = &occurrences(bytes.as_bytes(), None)[0];
    assert_eq!(
        occ.description.as_deref(),
        Some("first line\nsecond line of text")
    );
}

#[test]
fn text_escapes_are_decoded() {
    let bytes = event("SUMMARY:a\\, b\\; c\\\\d\\ne\\Nf\r\n");
    assert_eq!(summary(bytes.as_bytes(), None), "a, b; c\\d\ne\nf");
}

#[test]
fn quoted_parameters_may_contain_colons_semicolons_and_commas() {
    let bytes = event("ATTENDEE;CN=\"Doe; J: the, one\";PARTSTAT=ACCEPTED:mailto:j@x.org\r\n");
    let occ = &occurrences(bytes.as_bytes(), None)[0];
    assert_eq!(occ.attendees[0].name.as_deref(), Some("Doe; J: the, one"));
    assert_eq!(occ.attendees[0].email, "j@x.org");
}

#[test]
fn rfc6868_caret_escapes_in_parameters_are_decoded() {
    let bytes = event("ATTENDEE;CN=^'Bob^' ^^ co:mailto:b@x.org\r\n");
    let occ = &occurrences(bytes.as_bytes(), None)[0];
    assert_eq!(occ.attendees[0].name.as_deref(), Some("\"Bob\" ^ co"));
}

#[test]
fn a_malformed_line_is_skipped_with_a_warning_naming_its_line() {
    let bytes = event("THIS LINE HAS NO COLON\r\nSUMMARY:kept\r\n");
    let feed = parse_feed(bytes.as_bytes(), None).unwrap();
    assert_eq!(feed.events.len(), 1);
    assert_eq!(feed.events[0].summary.as_deref(), Some("kept"));
    assert!(
        feed.warnings.iter().any(|w| w.line == 7),
        "{:?}",
        feed.warnings
    );
}

#[test]
fn a_malformed_parameter_loses_only_its_line() {
    let bytes = event("LOCATION;X-P=\"unterminated:Room 1\r\nSUMMARY:kept\r\n");
    let feed = parse_feed(bytes.as_bytes(), None).unwrap();
    assert_eq!(feed.events[0].location, None);
    assert_eq!(feed.events[0].summary.as_deref(), Some("kept"));
    assert_eq!(feed.warnings.len(), 1);
}

#[test]
fn a_malformed_property_value_is_skipped_and_the_event_kept() {
    let bytes = event("RRULE:FREQ=SOMETIMES\r\nEXDATE:notadate\r\nSUMMARY:kept\r\n");
    let feed = parse_feed(bytes.as_bytes(), None).unwrap();
    assert_eq!(feed.warnings.len(), 2, "{:?}", feed.warnings);
    assert_eq!(occurrences(bytes.as_bytes(), None).len(), 1);
}

#[test]
fn an_event_without_a_valid_dtstart_is_skipped_but_the_rest_is_kept() {
    let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:bad\r\nDTSTART:2024-99-99\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:good\r\nDTSTART:20240401T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let occs = occurrences(text.as_bytes(), None);
    assert_eq!(occs.len(), 1);
    assert_eq!(occs[0].uid, "good");
}

#[test]
fn a_truncated_body_keeps_every_complete_event() {
    let bytes = std::fs::read(
        crate::calendar::engine_common::fixtures_dir().join("roomcal/broken_and_truncated.ics"),
    )
    .unwrap();
    let feed = parse_feed(&bytes, None).unwrap();
    let uids: Vec<_> = feed.events.iter().map(|e| e.uid.as_str()).collect();
    assert_eq!(uids, ["ok-1", "ok-2", "bad-dtstart"]);
    assert!(
        feed.warnings.iter().any(|w| w.reason.contains("cut off")),
        "{:?}",
        feed.warnings
    );
    let occs = feed.expand(utc(2024, 1, 1, 0, 0), utc(2025, 1, 1, 0, 0), chrono_tz::UTC);
    let summaries: Vec<_> = occs.iter().map(|o| o.summary.clone().unwrap()).collect();
    assert_eq!(summaries, ["Caf\u{e9} mit , Komma", "lone CR"]);
    assert_eq!(occs[0].attendees[0].name.as_deref(), Some("Doe, J"));
}

#[test]
fn an_html_login_page_is_an_error_not_an_empty_calendar() {
    let html = b"<!DOCTYPE html><html><body>Please sign in</body></html>";
    let error = parse_feed(html, Some("utf-8")).unwrap_err();
    assert!(matches!(error, FeedError::NotCalendar(_)));
    assert!(error.to_string().contains("HTML page"), "{error}");
}

#[test]
fn an_empty_body_is_an_error() {
    assert_eq!(parse_feed(b"  \r\n", None), Err(FeedError::Empty));
    assert_eq!(parse_feed(b"", None), Err(FeedError::Empty));
}

#[test]
fn other_text_is_not_a_calendar() {
    assert!(matches!(
        parse_feed(b"{\"error\":\"nope\"}", None),
        Err(FeedError::NotCalendar(_))
    ));
    assert!(matches!(
        parse_feed(b"hello world", None),
        Err(FeedError::NotCalendar(_))
    ));
}

#[test]
fn a_calendar_without_events_is_fine() {
    let feed = parse_feed(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", None).unwrap();
    assert!(feed.events.is_empty());
}

#[test]
fn the_raw_vevent_text_is_kept() {
    let bytes = event("SUMMARY:x\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nEND:VALARM\r\n");
    let occ = &occurrences(bytes.as_bytes(), None)[0];
    assert!(
        occ.raw.starts_with("BEGIN:VEVENT\r\nUID:e1\r\n"),
        "{}",
        occ.raw
    );
    assert!(
        occ.raw.ends_with("END:VALARM\r\nEND:VEVENT\r\n"),
        "{}",
        occ.raw
    );
}

#[test]
fn hostile_bodies_stay_cheap_and_keep_the_warning_list_short() {
    let started = std::time::Instant::now();
    let mut deep = String::from("BEGIN:VCALENDAR\r\n");
    deep.push_str(&"BEGIN:X\r\n".repeat(200_000));
    deep.push_str(&event("SUMMARY:still found\r\n"));
    let feed = parse_feed(deep.as_bytes(), None).unwrap();
    assert!(feed.warnings.len() <= 1001, "{}", feed.warnings.len());
    let garbage = format!(
        "BEGIN:VCALENDAR\r\n{}END:VCALENDAR\r\n",
        "no colon here\r\n".repeat(200_000)
    );
    let feed = parse_feed(garbage.as_bytes(), None).unwrap();
    assert_eq!(feed.warnings.len(), 1001);
    let long = event(&format!("DESCRIPTION:{}\r\n", "x".repeat(5_000_000)));
    assert_eq!(occurrences(long.as_bytes(), None).len(), 1);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}
