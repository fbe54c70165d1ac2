//! The JSON printed by `roomcal ics expand`.

use chrono::{TimeZone, Utc};
use roomcal::calendar::{occurrences_to_oracle_json, parse_feed};
use serde_json::json;

#[test]
fn the_oracle_json_has_exactly_the_documented_keys_and_formats() {
    let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:t\r\nDTSTART;TZID=Europe/Berlin:20240401T100000\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY;COUNT=1\r\nSUMMARY:Timed\r\nSEQUENCE:3\r\nSTATUS:confirmed\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:d\r\nDTSTART;VALUE=DATE:20240401\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let feed = parse_feed(text.as_bytes(), None).unwrap();
    let from = Utc.with_ymd_and_hms(2024, 3, 31, 0, 0, 0).unwrap();
    let occs = feed.expand(
        from,
        from + chrono::Duration::days(3),
        chrono_tz::America::New_York,
    );
    assert_eq!(
        occurrences_to_oracle_json(&occs),
        json!([
            {"uid": "d", "recurrence_id": null, "start": "2024-04-01T04:00:00Z", "end": "2024-04-02T04:00:00Z",
             "all_day": true, "floating": false, "summary": null, "status": null, "sequence": null,
             "start_date": "2024-04-01", "end_date": "2024-04-02"},
            {"uid": "t", "recurrence_id": "2024-04-01T08:00:00Z", "start": "2024-04-01T08:00:00Z",
             "end": "2024-04-01T09:00:00Z", "all_day": false, "floating": false, "summary": "Timed",
             "status": "CONFIRMED", "sequence": 3}
        ])
    );
}
