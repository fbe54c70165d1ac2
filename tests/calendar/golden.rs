//! Differential test: the engine against the ics-oracle's golden outputs.
//!
//! `tests/calendar/golden/manifest.json` lists each fixture with the window and zone the
//! oracle was run with (written by `tests/tools/make_golden.py`). Every golden file is
//! compared, and none may pass by comparing nothing:
//! - a fixture the engine cannot parse fails the test (a parse error is never an empty result);
//! - an empty golden file needs a reason: `expected_empty` in the manifest (no VEVENT has a
//!   readable DTSTART, which the test checks on the engine's parse), or an entry in
//!   `DELIBERATE_DIFFERENCES` (the oracle drops what the engine keeps, and the engine's output
//!   must then differ from the oracle's);
//! - a VEVENT fragment without VCALENDAR (`wrapped` in the manifest) is read wrapped in one,
//!   as the oracle read it.
//!
//! Where the engine deliberately differs from the oracle, the fixture is listed in
//! `DELIBERATE_DIFFERENCES` with the reason, and the engine's own output is asserted by hand
//! elsewhere (tests/calendar/deliberate.rs, parsing.rs).

use roomcal::calendar::{occurrences_to_oracle_json, parse_feed, parse_instant, Feed};
use serde_json::Value;

/// Fixtures on which the engine deliberately differs from the oracle, and why.
/// (`tests/tools/make_golden.py` reads the file names from here.)
const DELIBERATE_DIFFERENCES: &[(&str, &str)] = &[
    (
        "roomcal/broken_and_truncated.ics",
        "python icalendar gives up on this body (lone CRs, a line without colon, a truncated \
         VEVENT) and the oracle returns nothing; the engine keeps the two complete events \
         (asserted in tests/calendar/parsing.rs)",
    ),
    (
        "python-icalendar/calendars__invalid_duration.ics",
        "DURATION:P999999999999999999W overflows; the oracle drops the event, the engine skips \
         only the DURATION (with a warning) and shows a zero-length event",
    ),
    (
        "python-icalendar/calendars__issue_1081_invalid_rrule_freq.ics",
        "FREQ=INVALID: the oracle drops the whole series, the engine skips only the RRULE \
         (with a warning) and keeps DTSTART, which is always an instance",
    ),
    (
        "python-icalendar/calendars__issue_165_missing_event.ics",
        "BYDAY=MO, TU, WE (spaces after commas, Exchange): dateutil rejects the rule and the \
         oracle drops the series; the engine trims the spaces and expands it",
    ),
    (
        "python-icalendar/calendars__rfc_7529.ics",
        "RSCALE=CHINESE etc.: the oracle drops the series; the engine skips the non-Gregorian \
         RRULE with a warning and keeps the DTSTART instance",
    ),
    (
        "python-icalendar/events__issue_464_invalid_rdate.ics",
        "RDATE period 199709T180000Z/PT5H30M is no date: the oracle drops the series, the \
         engine skips that one RDATE entry (with a warning) and keeps DTSTART and the valid \
         period (asserted in tests/calendar/deliberate.rs)",
    ),
    (
        "roomcal/outlook_allday_until_midnight.ics",
        "all-day series with a UTC UNTIL at Berlin midnight of the last day (Outlook): the \
         oracle compares the UTC date and loses the last day; the engine reads UNTIL as the \
         date it falls on in the series' zone, RFC 5545 (asserted in tests/calendar/outlook.rs)",
    ),
    (
        "python-icalendar/calendars__parsing_error.ics",
        "all-day daily series, UNTIL=20080323T235959Z, in a Berlin room: that instant falls on \
         24 March there, so the engine includes 24 March (RFC 5545, the Outlook rule above); \
         the oracle stops at the UTC date (asserted in tests/calendar/deliberate.rs)",
    ),
];

/// The body the oracle read: a VEVENT fragment is wrapped in a VCALENDAR (the same bytes as
/// `wrap_fragment` in tests/tools/make_golden.py).
fn fixture_body(entry: &Value) -> Vec<u8> {
    let file = entry["file"].as_str().expect("file");
    let bytes =
        std::fs::read(crate::calendar::engine_common::fixtures_dir().join(file)).expect("fixture");
    if entry.get("wrapped").is_none() {
        return bytes;
    }
    let end = bytes
        .iter()
        .rposition(|b| !matches!(b, b'\r' | b'\n'))
        .map_or(0, |i| i + 1);
    let mut body = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//roomcal//golden//EN\r\n".to_vec();
    body.extend_from_slice(&bytes[..end]);
    body.extend_from_slice(b"\r\nEND:VCALENDAR\r\n");
    body
}

fn manifest() -> Vec<Value> {
    let manifest: Value = serde_json::from_slice(
        &std::fs::read(crate::calendar::engine_common::golden_dir().join("manifest.json"))
            .expect("manifest"),
    )
    .expect("manifest json");
    manifest.as_array().expect("array").clone()
}

/// The engine's parse of a manifest entry's fixture; a parse error is a failure.
fn parse(entry: &Value) -> Result<Feed, String> {
    let file = entry["file"].as_str().expect("file");
    parse_feed(&fixture_body(entry), None).map_err(|e| format!("{file}: parse error: {e}"))
}

/// Why an empty golden file is allowed, or an error saying it is not.
fn check_empty_golden(entry: &Value, feed: &Feed, actual: &Value) -> Result<(), String> {
    let file = entry["file"].as_str().expect("file");
    if let Some((_, _)) = DELIBERATE_DIFFERENCES.iter().find(|(f, _)| *f == file) {
        return Ok(());
    }
    let Some(reason) = entry["expected_empty"].as_str().filter(|r| !r.is_empty()) else {
        return Err(format!(
            "{file}: the oracle found no occurrence in {} .. {} and no reason is given: move \
             the window (tests/tools/make_golden.py WINDOWS) or explain it",
            entry["from"], entry["to"]
        ));
    };
    if let Some(event) = feed.events.iter().find(|e| e.dtstart.is_some()) {
        return Err(format!(
            "{file}: marked expected-empty ({reason}) but event {:?} has a DTSTART",
            event.uid
        ));
    }
    if actual.as_array().is_some_and(|a| !a.is_empty()) {
        return Err(format!(
            "{file}: marked expected-empty ({reason}) but the engine found {actual}"
        ));
    }
    Ok(())
}

/// The engine's output for one entry compared with its golden file.
fn compare(entry: &Value) -> Result<(), String> {
    let file = entry["file"].as_str().expect("file");
    let feed = parse(entry)?;
    let Some(golden) = entry["golden"].as_str() else {
        // The oracle itself fails on this file; the manifest must say so.
        return match entry["oracle_error"].as_str() {
            Some(_) => Ok(()),
            None => Err(format!("{file}: neither a golden file nor an oracle error")),
        };
    };
    let tz: chrono_tz::Tz = entry["tz"].as_str().expect("tz").parse().expect("zone");
    let from = parse_instant(entry["from"].as_str().expect("from"), tz).expect("from");
    let to = parse_instant(entry["to"].as_str().expect("to"), tz).expect("to");
    let expected: Value = serde_json::from_slice(
        &std::fs::read(crate::calendar::engine_common::golden_dir().join(golden)).expect("golden"),
    )
    .expect("golden json");
    let actual = occurrences_to_oracle_json(&feed.expand(from, to, tz));
    if expected.as_array().is_some_and(Vec::is_empty) {
        check_empty_golden(entry, &feed, &actual)?;
    }
    let deliberate = DELIBERATE_DIFFERENCES.iter().any(|(f, _)| *f == file);
    match (deliberate, actual == expected) {
        (false, true) => Ok(()),
        (true, false) => Ok(()),
        (true, true) => Err(format!(
            "{file}: listed as a deliberate difference but the engine now matches the oracle"
        )),
        (false, false) => {
            let a = actual.as_array().map_or(0, Vec::len);
            let e = expected.as_array().map_or(0, Vec::len);
            let first = actual
                .as_array()
                .into_iter()
                .flatten()
                .zip(expected.as_array().into_iter().flatten())
                .find(|(x, y)| x != y)
                .map(|(x, y)| format!("\n    engine: {x}\n    oracle: {y}"))
                .unwrap_or_default();
            Err(format!("{file}: engine {a} occurrences, oracle {e}{first}"))
        }
    }
}

#[test]
fn the_engine_matches_the_oracle_on_every_golden_fixture() {
    let entries = manifest();
    let failures: Vec<String> = entries.iter().filter_map(|e| compare(e).err()).collect();
    let compared = entries.iter().filter(|e| e["golden"].is_string()).count();
    assert!(compared > 100, "only {compared} golden files compared");
    assert!(
        failures.is_empty(),
        "{} of {} fixtures fail:\n{}",
        failures.len(),
        entries.len(),
        failures.join("\n")
    );
}

#[test]
fn every_golden_window_holds_occurrences_unless_the_manifest_says_why_not() {
    let mut unexplained = Vec::new();
    for entry in manifest() {
        let Some(golden) = entry["golden"].as_str() else {
            continue;
        };
        let expected: Value = serde_json::from_slice(
            &std::fs::read(crate::calendar::engine_common::golden_dir().join(golden))
                .expect("golden"),
        )
        .expect("golden json");
        let file = entry["file"].as_str().expect("file");
        let explained = entry["expected_empty"].is_string()
            || DELIBERATE_DIFFERENCES.iter().any(|(f, _)| *f == file);
        if expected.as_array().is_some_and(Vec::is_empty) && !explained {
            unexplained.push(file.to_owned());
        }
    }
    assert!(
        unexplained.is_empty(),
        "empty golden windows: {unexplained:?}"
    );
}

#[test]
fn a_fixture_the_engine_cannot_parse_fails_the_comparison() {
    let entry = serde_json::json!({
        "file": "roomcal/README.md", "golden": "roomcal__broken_and_truncated.json",
        "from": "2024-01-01", "to": "2026-01-01", "tz": "Europe/Berlin",
    });
    let error = compare(&entry).expect_err("a parse error must not pass");
    assert!(error.contains("parse error"), "{error}");
}

#[test]
fn an_empty_golden_file_without_a_reason_fails_the_comparison() {
    let entry = serde_json::json!({
        "file": "python-icalendar/calendars__broken_dtstart.ics",
        "golden": "python-icalendar__calendars__broken_dtstart.json",
        "from": "2024-01-01", "to": "2026-01-01", "tz": "Europe/Berlin",
    });
    let error = compare(&entry).expect_err("an unexplained empty window must not pass");
    assert!(error.contains("no reason"), "{error}");
}
