//! Differential test: the engine against the ics-oracle's golden outputs.
//!
//! `tests/golden/manifest.json` lists each fixture with the window and zone
//! the oracle was run with (see scripts/make_golden.py). Where the engine
//! deliberately differs from the oracle, the fixture is listed in
//! `DELIBERATE_DIFFERENCES` with the reason.

use roomcal::calendar::{occurrences_to_oracle_json, parse_feed, parse_instant};
use serde_json::Value;

/// Fixtures on which the engine deliberately differs from the oracle, and why.
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
];

#[test]
fn the_engine_matches_the_oracle_on_every_golden_fixture() {
    let manifest: Value = serde_json::from_slice(
        &std::fs::read(crate::calendar::engine_common::golden_dir().join("manifest.json"))
            .expect("manifest"),
    )
    .expect("manifest json");
    let mut failures = Vec::new();
    let mut compared = 0;
    for entry in manifest.as_array().expect("array") {
        let file = entry["file"].as_str().expect("file");
        let Some(golden) = entry["golden"].as_str() else {
            continue;
        };
        if DELIBERATE_DIFFERENCES.iter().any(|(f, _)| *f == file) {
            continue;
        }
        let tz: chrono_tz::Tz = entry["tz"].as_str().expect("tz").parse().expect("zone");
        let from = parse_instant(entry["from"].as_str().expect("from"), tz).expect("from");
        let to = parse_instant(entry["to"].as_str().expect("to"), tz).expect("to");
        let expected: Value = serde_json::from_slice(
            &std::fs::read(crate::calendar::engine_common::golden_dir().join(golden))
                .expect("golden"),
        )
        .expect("golden json");
        let bytes = std::fs::read(crate::calendar::engine_common::fixtures_dir().join(file))
            .expect("fixture");
        let actual = match parse_feed(&bytes, None) {
            Ok(feed) => occurrences_to_oracle_json(&feed.expand(from, to, tz)),
            Err(_) => Value::Array(Vec::new()),
        };
        compared += 1;
        if actual != expected {
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
            failures.push(format!("{file}: engine {a} occurrences, oracle {e}{first}"));
        }
    }
    assert!(compared > 100, "only {compared} golden files compared");
    assert!(
        failures.is_empty(),
        "{} of {compared} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
