//! Time zones, durations, recurrence and overrides, one behaviour per test.
//! (The oracle's verdict on the same cases is in tests/golden/roomcal__*.json.)

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use roomcal::calendar::{parse_feed, parse_instant, Occurrence};

fn utc(text: &str) -> DateTime<Utc> {
    parse_instant(text, chrono_tz::UTC).unwrap()
}

fn calendar(body: &str) -> String {
    format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n{body}END:VCALENDAR\r\n")
}

fn expand_in(body: &str, from: &str, to: &str, tz: Tz) -> Vec<Occurrence> {
    let text = calendar(body);
    let feed = parse_feed(text.as_bytes(), None).unwrap();
    feed.expand(utc(from), utc(to), tz)
}

fn expand(body: &str, from: &str, to: &str) -> Vec<Occurrence> {
    expand_in(body, from, to, chrono_tz::Europe::Berlin)
}

fn starts(occs: &[Occurrence]) -> Vec<String> {
    occs.iter()
        .map(|o| o.start.format("%Y-%m-%dT%H:%M").to_string())
        .collect()
}

fn spans(occs: &[Occurrence]) -> Vec<String> {
    occs.iter()
        .map(|o| {
            format!(
                "{}/{}",
                o.start.format("%m-%dT%H:%M"),
                o.end.format("%m-%dT%H:%M")
            )
        })
        .collect()
}

#[test]
fn iana_zones_follow_daylight_saving_time() {
    let occs = expand(
        "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Europe/Berlin:20240325T090000\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\nEND:VEVENT\r\n",
        "2024-03-01T00:00:00Z",
        "2024-05-01T00:00:00Z",
    );
    assert_eq!(starts(&occs), ["2024-03-25T08:00", "2024-04-01T07:00"]);
}

#[test]
fn a_start_in_a_dst_gap_moves_forward_by_the_gap() {
    let occs = expand(
        "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Europe/Berlin:20240331T023000\r\nDURATION:PT30M\r\nEND:VEVENT\r\n",
        "2024-03-30T00:00:00Z",
        "2024-04-01T00:00:00Z",
    );
    // 02:30 does not exist: it is read with the winter offset, i.e. 03:30 CEST.
    assert_eq!(spans(&occs), ["03-31T01:30/03-31T02:00"]);
}

#[test]
fn an_ambiguous_time_in_an_overlap_takes_the_first_occurrence() {
    let occs = expand(
        "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Europe/Berlin:20241027T023000\r\nEND:VEVENT\r\n",
        "2024-10-26T00:00:00Z",
        "2024-10-28T00:00:00Z",
    );
    assert_eq!(starts(&occs), ["2024-10-27T00:30"]);
}

#[test]
fn windows_zone_names_are_mapped_through_the_cldr_table() {
    let occs = expand(
        "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Pacific Standard Time:20240701T090000\r\nEND:VEVENT\r\n",
        "2024-07-01T00:00:00Z",
        "2024-07-02T00:00:00Z",
    );
    assert_eq!(starts(&occs), ["2024-07-01T16:00"]);
}

#[test]
fn a_custom_vtimezone_is_evaluated_from_its_rules() {
    let body = "BEGIN:VTIMEZONE\r\nTZID:Customized Time Zone\r\nBEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Customized Time Zone:20240325T100000\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\nEND:VEVENT\r\n";
    let occs = expand(body, "2024-03-01T00:00:00Z", "2024-05-01T00:00:00Z");
    assert_eq!(starts(&occs), ["2024-03-25T09:00", "2024-04-01T08:00"]);
}

#[test]
fn an_unknown_tzid_without_definition_is_floating_in_the_rooms_zone() {
    let body =
        "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Atlantis Time:20240701T090000\r\nEND:VEVENT\r\n";
    let occs = expand_in(
        body,
        "2024-07-01T00:00:00Z",
        "2024-07-02T00:00:00Z",
        chrono_tz::Asia::Tokyo,
    );
    assert_eq!(starts(&occs), ["2024-07-01T00:00"]);
    assert!(occs[0].floating);
}

#[test]
fn floating_times_and_all_day_dates_are_placed_in_the_given_zone() {
    let body = "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20240701T090000\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:b\r\nDTSTART;VALUE=DATE:20240702\r\nEND:VEVENT\r\n";
    let occs = expand_in(
        body,
        "2024-07-01T00:00:00Z",
        "2024-07-03T00:00:00Z",
        chrono_tz::America::New_York,
    );
    assert_eq!(
        spans(&occs),
        ["07-01T13:00/07-01T13:00", "07-02T04:00/07-03T04:00"]
    );
    assert!(occs[1].all_day);
    assert_eq!(occs[1].start_date, NaiveDate::from_ymd_opt(2024, 7, 2));
    assert_eq!(occs[1].end_date, NaiveDate::from_ymd_opt(2024, 7, 3));
}

#[test]
fn x_wr_timezone_applies_to_utc_starts_of_recurring_events() {
    let text = "BEGIN:VCALENDAR\r\nX-WR-TIMEZONE:America/New_York\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20240301T140000Z\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let feed = parse_feed(text.as_bytes(), None).unwrap();
    assert_eq!(feed.x_wr_timezone, Some(chrono_tz::America::New_York));
    let occs = feed.expand(utc("2024-03-01"), utc("2024-04-01"), chrono_tz::UTC);
    // 09:00 New York every week, across the US DST change on March 10.
    assert_eq!(
        starts(&occs),
        ["2024-03-01T14:00", "2024-03-08T14:00", "2024-03-15T13:00"]
    );
}

#[test]
fn durations_come_from_dtend_duration_or_defaults() {
    let body = "\
BEGIN:VEVENT\r\nUID:dtend\r\nDTSTART:20240401T100000Z\r\nDTEND:20240401T110000Z\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:duration\r\nDTSTART:20240402T100000Z\r\nDURATION:PT45M\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:both\r\nDTSTART:20240403T100000Z\r\nDTEND:20240403T103000Z\r\nDURATION:PT2H\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:timed\r\nDTSTART:20240404T100000Z\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:allday\r\nDTSTART;VALUE=DATE:20240405\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:sameday\r\nDTSTART;VALUE=DATE:20240406\r\nDTEND;VALUE=DATE:20240406\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:reversed\r\nDTSTART:20240407T120000Z\r\nDTEND:20240407T100000Z\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:earlierday\r\nDTSTART;VALUE=DATE:20240409\r\nDTEND;VALUE=DATE:20240408\r\nEND:VEVENT\r\n";
    let occs = expand_in(
        body,
        "2024-04-01T00:00:00Z",
        "2024-04-10T00:00:00Z",
        chrono_tz::UTC,
    );
    assert_eq!(
        spans(&occs),
        [
            "04-01T10:00/04-01T11:00",
            "04-02T10:00/04-02T10:45",
            "04-03T10:00/04-03T10:30",
            "04-04T10:00/04-04T10:00",
            "04-05T00:00/04-06T00:00",
            "04-06T00:00/04-07T00:00",
            "04-07T10:00/04-07T12:00",
            // An all-day DTEND before its DTSTART: the stated day, one day long.
            "04-09T00:00/04-10T00:00",
        ]
    );
}

#[test]
fn several_rrules_form_a_union_and_rdates_of_every_kind_are_added() {
    let body = "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Europe/Berlin:20240506T090000\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=2\r\nRRULE:FREQ=WEEKLY;BYDAY=WE;COUNT=1\r\nRDATE;TZID=America/New_York:20240520T080000\r\nRDATE;VALUE=PERIOD:20240521T120000Z/PT15M\r\nRDATE;VALUE=DATE:20240522\r\nEND:VEVENT\r\n";
    let occs = expand(body, "2024-05-01T00:00:00Z", "2024-06-01T00:00:00Z");
    assert_eq!(
        spans(&occs),
        [
            "05-06T07:00/05-06T08:00",
            "05-08T07:00/05-08T08:00",
            "05-13T07:00/05-13T08:00",
            "05-20T12:00/05-20T13:00",
            "05-21T12:00/05-21T12:15",
            "05-21T22:00/05-21T23:00",
        ]
    );
}

#[test]
fn exdates_in_every_form_remove_instances() {
    let body = "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Europe/Berlin:20240603T090000\r\nRRULE:FREQ=DAILY;COUNT=7\r\nEXDATE;TZID=Europe/Berlin:20240604T090000,20240605T090000\r\nEXDATE:20240606T070000Z\r\nEXDATE;VALUE=DATE:20240607\r\nEXDATE;TZID=America/New_York:20240608T030000\r\nEND:VEVENT\r\n";
    let occs = expand(body, "2024-06-01T00:00:00Z", "2024-07-01T00:00:00Z");
    assert_eq!(starts(&occs), ["2024-06-03T07:00", "2024-06-09T07:00"]);
}

#[test]
fn exrule_removes_the_instances_it_generates() {
    // Deliberate difference: recurring-ical-events ignores EXRULE (RFC 2445).
    let body = "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20240603T090000Z\r\nRRULE:FREQ=DAILY;COUNT=7\r\nEXRULE:FREQ=WEEKLY;BYDAY=TU,TH\r\nEND:VEVENT\r\n";
    let occs = expand(body, "2024-06-01T00:00:00Z", "2024-07-01T00:00:00Z");
    assert_eq!(starts(&occs).len(), 5);
    assert!(occs
        .iter()
        .all(|o| !["Tue", "Thu"].contains(&o.start.format("%a").to_string().as_str())));
}

#[test]
fn until_is_read_as_a_date_floating_or_utc_time() {
    let body = "\
BEGIN:VEVENT\r\nUID:date\r\nDTSTART;TZID=Europe/Berlin:20240701T090000\r\nRRULE:FREQ=DAILY;UNTIL=20240703\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:utc\r\nDTSTART;TZID=Europe/Berlin:20240708T090000\r\nRRULE:FREQ=DAILY;UNTIL=20240709T070000Z\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:before\r\nDTSTART;TZID=Europe/Berlin:20240715T090000\r\nRRULE:FREQ=DAILY;UNTIL=20240701T000000Z\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:allday\r\nDTSTART;VALUE=DATE:20240722\r\nRRULE:FREQ=DAILY;UNTIL=20240723\r\nEND:VEVENT\r\n";
    let occs = expand_in(
        body,
        "2024-06-01T00:00:00Z",
        "2024-08-01T00:00:00Z",
        chrono_tz::UTC,
    );
    let ids: Vec<_> = occs
        .iter()
        .map(|o| format!("{}@{}", o.uid, o.start.format("%d")))
        .collect();
    // A DATE UNTIL excludes its own day for timed series (reference choice);
    // UNTIL before DTSTART leaves no instance at all.
    assert_eq!(
        ids,
        [
            "date@01",
            "date@02",
            "utc@08",
            "utc@09",
            "allday@22",
            "allday@23"
        ]
    );
}

#[test]
fn bysetpos_count_and_ordinals_invalid_for_the_freq_are_handled() {
    let body = "\
BEGIN:VEVENT\r\nUID:setpos\r\nDTSTART:20240731T170000Z\r\nRRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:weekly\r\nDTSTART:20240805T100000Z\r\nRRULE:FREQ=WEEKLY;BYDAY=1MO;COUNT=2;X-EXTRA=1\r\nEND:VEVENT\r\n";
    let occs = expand_in(
        body,
        "2024-07-01T00:00:00Z",
        "2024-12-01T00:00:00Z",
        chrono_tz::UTC,
    );
    assert_eq!(
        starts(&occs),
        [
            "2024-07-31T17:00",
            "2024-08-05T10:00",
            "2024-08-12T10:00",
            "2024-08-30T17:00",
            "2024-09-30T17:00"
        ]
    );
}

#[test]
fn a_dtstart_not_matching_its_rule_is_still_the_first_instance() {
    let body = "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20240904T100000Z\r\nRRULE:FREQ=WEEKLY;BYDAY=FR;COUNT=2\r\nEND:VEVENT\r\n";
    let occs = expand(body, "2024-09-01T00:00:00Z", "2024-10-01T00:00:00Z");
    assert_eq!(
        starts(&occs),
        ["2024-09-04T10:00", "2024-09-06T10:00", "2024-09-13T10:00"]
    );
}

#[test]
fn a_series_started_decades_ago_expands_from_the_window() {
    let body = "BEGIN:VEVENT\r\nUID:old\r\nDTSTART;TZID=Europe/Berlin:19000101T080000\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\n";
    let occs = expand(body, "2030-06-10T00:00:00Z", "2030-06-12T00:00:00Z");
    assert_eq!(starts(&occs), ["2030-06-10T06:00", "2030-06-11T06:00"]);
}

#[test]
fn overrides_replace_move_and_cancel_instances() {
    let body = "\
BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID;TZID=Europe/Berlin:20240909T100000\r\nDTSTART;TZID=Europe/Berlin:20240909T140000\r\nDURATION:PT1H\r\nSUMMARY:moved within the day\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:s\r\nDTSTART;TZID=Europe/Berlin:20240902T100000\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:master\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID:20240916T080000Z\r\nDTSTART;TZID=Europe/Berlin:20240916T100000\r\nDURATION:PT1H\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID;TZID=Europe/Berlin:20240923T100000\r\nDTSTART:20241201T100000Z\r\nDURATION:PT1H\r\nSUMMARY:moved out\r\nSEQUENCE:2\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID;TZID=Europe/Berlin:20240923T100000\r\nDTSTART:20241202T100000Z\r\nDURATION:PT1H\r\nSUMMARY:older\r\nSEQUENCE:1\r\nEND:VEVENT\r\n";
    let occs = expand(body, "2024-09-01T00:00:00Z", "2024-10-01T00:00:00Z");
    let got: Vec<_> = occs
        .iter()
        .map(|o| {
            format!(
                "{} {} {:?}",
                o.start.format("%m-%dT%H"),
                o.summary.clone().unwrap_or_default(),
                o.status
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "09-02T08 master None",
            "09-09T12 moved within the day None",
            "09-16T08  Some(\"CANCELLED\")"
        ]
    );
    let later = expand(body, "2024-11-30T00:00:00Z", "2024-12-31T00:00:00Z");
    assert_eq!(later.len(), 1);
    assert_eq!(later[0].summary.as_deref(), Some("moved out"));
    assert_eq!(later[0].recurrence_id, Some(utc("2024-09-23T08:00:00Z")));
}

#[test]
fn an_override_without_master_is_still_shown() {
    let body = "BEGIN:VEVENT\r\nUID:o\r\nRECURRENCE-ID:20240910T080000Z\r\nDTSTART:20240910T100000Z\r\nEND:VEVENT\r\n";
    let occs = expand(body, "2024-09-01T00:00:00Z", "2024-10-01T00:00:00Z");
    assert_eq!(occs.len(), 1);
    assert_eq!(occs[0].recurrence_id, Some(utc("2024-09-10T08:00:00Z")));
}

#[test]
fn this_and_future_shifts_and_reshapes_later_instances() {
    let body = "\
BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20241104T090000Z\r\nDTEND:20241104T100000Z\r\nRRULE:FREQ=DAILY;COUNT=4\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:b\r\nRECURRENCE-ID;RANGE=THISANDFUTURE:20241105T090000Z\r\nDTSTART:20241105T110000Z\r\nDTEND:20241105T113000Z\r\nSUMMARY:later\r\nEND:VEVENT\r\n";
    let occs = expand(body, "2024-11-01T00:00:00Z", "2024-12-01T00:00:00Z");
    assert_eq!(
        spans(&occs),
        [
            "11-04T09:00/11-04T10:00",
            "11-05T11:00/11-05T11:30",
            "11-06T11:00/11-06T11:30",
            "11-07T11:00/11-07T11:30"
        ]
    );
    // Upstream reports the THISANDFUTURE override's RECURRENCE-ID for them.
    assert!(occs[1..]
        .iter()
        .all(|o| o.recurrence_id == Some(utc("2024-11-05T09:00:00Z"))));
}

#[test]
fn recurrence_id_is_null_only_for_uids_without_recurrence() {
    let body = "BEGIN:VEVENT\r\nUID:single\r\nDTSTART:20240910T100000Z\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:rec\r\nDTSTART:20240910T120000Z\r\nRDATE:20240911T120000Z\r\nEND:VEVENT\r\n";
    let occs = expand(body, "2024-09-01T00:00:00Z", "2024-10-01T00:00:00Z");
    let rids: Vec<_> = occs.iter().map(|o| o.recurrence_id.is_some()).collect();
    assert_eq!(rids, [false, true, true]);
}

#[test]
fn the_window_is_half_open_and_zero_length_events_count_when_they_start_inside() {
    let body = "BEGIN:VEVENT\r\nUID:point\r\nDTSTART:20240910T100000Z\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:hour\r\nDTSTART:20240910T110000Z\r\nDTEND:20240910T120000Z\r\nEND:VEVENT\r\n";
    assert_eq!(
        expand(body, "2024-09-10T10:00:00Z", "2024-09-10T11:00:00Z").len(),
        1
    );
    assert_eq!(
        expand(body, "2024-09-10T09:00:00Z", "2024-09-10T10:00:00Z").len(),
        0
    );
    assert_eq!(
        expand(body, "2024-09-10T12:00:00Z", "2024-09-10T13:00:00Z").len(),
        0
    );
    assert_eq!(
        expand(body, "2024-09-10T11:59:00Z", "2024-09-10T13:00:00Z").len(),
        1
    );
}

#[test]
fn instants_parse_as_utc_offsets_or_local_midnight() {
    let berlin = chrono_tz::Europe::Berlin;
    assert_eq!(
        parse_instant("2024-03-01", berlin).unwrap(),
        Utc.with_ymd_and_hms(2024, 2, 29, 23, 0, 0).unwrap()
    );
    assert_eq!(
        parse_instant("2024-03-01T10:00:00+02:00", berlin).unwrap(),
        Utc.with_ymd_and_hms(2024, 3, 1, 8, 0, 0).unwrap()
    );
    assert!(parse_instant("soon", berlin).is_err());
}
