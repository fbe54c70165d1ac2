//! Expansion under a budget, and rules that are refused instead of guessed at: a hostile
//! or broken feed costs a bounded amount of work and never invents a series.

use chrono::{DateTime, TimeZone, Utc};
use roomcal::calendar::{parse_feed, ExpandBudget, Feed, RRule};

fn utc(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0)
        .single()
        .expect("instant")
}

fn feed(events: &[(&str, &str, &str)]) -> Feed {
    let mut body = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
    for (uid, summary, extra) in events {
        body.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART:20200102T090000Z\r\nDURATION:PT1H\r\nSUMMARY:{summary}\r\n{extra}END:VEVENT\r\n"
        ));
    }
    body.push_str("END:VCALENDAR\r\n");
    parse_feed(body.as_bytes(), None).expect("calendar")
}

const NEVER: &str = "RRULE:FREQ=HOURLY;COUNT=1000000;BYMONTH=2;BYMONTHDAY=30\r\n";
const DAILY: &str = "RRULE:FREQ=DAILY\r\n";

#[test]
fn a_series_over_its_budget_is_named_and_left_out_while_the_others_expand() {
    let feed = feed(&[("daily", "Daily", DAILY), ("never", "Never", NEVER)]);
    let budget = ExpandBudget {
        steps_per_series: 50_000,
        steps_per_feed: 1_000_000,
    };
    let got = feed
        .expand_within(utc(2026, 3, 2), utc(2026, 3, 5), chrono_tz::UTC, budget)
        .expect("within the feed budget");
    assert_eq!(got.occurrences.len(), 3);
    assert!(got.occurrences.iter().all(|o| o.uid == "daily"));
    assert_eq!(got.over_budget, ["\"Never\" (UID never)"]);
    assert!(
        got.steps > 50_000 && got.steps <= 1_000_000,
        "{}",
        got.steps
    );
}

#[test]
fn a_feed_over_its_budget_is_an_error_that_says_what_to_fix() {
    let events: Vec<(String, &str, &str)> =
        (0..50).map(|i| (format!("n{i}"), "Never", NEVER)).collect();
    let refs: Vec<(&str, &str, &str)> = events
        .iter()
        .map(|(u, s, e)| (u.as_str(), *s, *e))
        .collect();
    let budget = ExpandBudget {
        steps_per_series: 100_000,
        steps_per_feed: 1_000_000,
    };
    let err = feed(&refs)
        .expand_within(utc(2026, 3, 2), utc(2026, 3, 5), chrono_tz::UTC, budget)
        .expect_err("over the feed budget");
    assert!(err.to_string().contains("COUNT"), "{err}");
}

#[test]
fn the_default_budget_leaves_ordinary_long_running_series_alone() {
    // A daily series with COUNT started six years ago is walked from DTSTART.
    let feed = feed(&[("counted", "Counted", "RRULE:FREQ=DAILY;COUNT=5000\r\n")]);
    let got = feed
        .expand_within(
            utc(2026, 3, 2),
            utc(2026, 3, 3),
            chrono_tz::UTC,
            ExpandBudget::default(),
        )
        .expect("within budget");
    assert_eq!(got.occurrences.len(), 1);
    assert!(got.over_budget.is_empty());
}

#[test]
fn misspelt_and_unreadable_parts_make_a_rule_invalid_but_extensions_do_not() {
    for bad in [
        "FREQ=WEEKLY;UNTL=20191023;BYDAY=TH",
        "FREQ=DAILY;UNTIL=123456T123456",
        "FREQ=DAILY;COUNT=ten",
        "FREQ=DAILY;INTERVAL=0",
        "FREQ=WEEKLY;BYDAY=MO,XX",
        "FREQ=MONTHLY;BYMONTHDAY=32",
        "FREQ=DAILY;WKST=XY",
        "FREQ=DAILY;BYHOUR",
    ] {
        assert!(RRule::parse(bad).is_err(), "{bad} should be refused");
    }
    for good in [
        "FREQ=DAILY;X-MS-OLK-WKST=MO",
        "FREQ=WEEKLY;BYDAY=MO, TU;",
        "FREQ=DAILY;COUNT=-1",
        "FREQ=YEARLY;RSCALE=GREGORIAN;SKIP=OMIT",
    ] {
        assert!(RRule::parse(good).is_ok(), "{good} should be read");
    }
}

#[test]
fn an_event_with_an_invalid_rule_keeps_its_first_instance_and_the_warning_names_it() {
    let feed = feed(&[(
        "ended",
        "Ended series",
        "RRULE:FREQ=WEEKLY;UNTL=20200123\r\n",
    )]);
    let all = feed.expand(utc(2019, 1, 1), utc(2027, 1, 1), chrono_tz::UTC);
    assert_eq!(all.len(), 1);
    assert_eq!(
        all[0].start,
        Utc.with_ymd_and_hms(2020, 1, 2, 9, 0, 0)
            .single()
            .expect("t")
    );
    let warning = feed
        .warnings
        .iter()
        .find(|w| w.reason.contains("UNTL"))
        .expect("a warning");
    assert!(
        warning.reason.contains("\"Ended series\" (UID ended)")
            && warning.reason.contains("only its first instance is kept"),
        "{}",
        warning.reason
    );
}

#[test]
fn every_candidate_time_counts_so_a_rule_with_all_hours_minutes_and_seconds_is_cut_off() {
    let list = |n: u32| (0..n).map(|v| v.to_string()).collect::<Vec<_>>().join(",");
    let rule = format!(
        "RRULE:FREQ=DAILY;COUNT=4000000000;BYHOUR={};BYMINUTE={};BYSECOND={}\r\n",
        list(24),
        list(60),
        list(60)
    );
    let feed = feed(&[("dense", "Dense", rule.as_str()), ("daily", "Daily", DAILY)]);
    let started = std::time::Instant::now();
    let got = feed
        .expand_within(
            utc(2026, 3, 2),
            utc(2026, 3, 3),
            chrono_tz::UTC,
            ExpandBudget::default(),
        )
        .expect("within the feed budget");
    assert_eq!(got.over_budget, ["\"Dense\" (UID dense)"]);
    assert_eq!(got.occurrences.len(), 1, "the daily series is kept");
    assert!(got.steps <= ExpandBudget::default().steps_per_feed);
    // Not a timing assertion on the engine: a generous bound that fails only if the
    // candidates were built without being counted (minutes of work).
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}

#[test]
fn a_feed_of_hostile_time_zones_is_read_within_one_shared_budget() {
    let mut body = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
    for i in 0..200 {
        body.push_str(&format!(
            "BEGIN:VTIMEZONE\r\nTZID:Hostile/{i}\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n\
             TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=SECONDLY\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
        ));
    }
    body.push_str("BEGIN:VEVENT\r\nUID:x\r\nDTSTART;TZID=Hostile/0:20260302T090000\r\nDURATION:PT1H\r\nSUMMARY:X\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
    let feed = parse_feed(body.as_bytes(), None).expect("calendar");
    assert!(
        feed.warnings
            .iter()
            .any(|w| w.reason.contains("time zone rules need too much work")),
        "{:?}",
        feed.warnings.first()
    );
    assert!(
        feed.timezones.len() < 200,
        "the zones past the budget were not built"
    );
}

#[test]
fn repeated_list_values_are_one_value() {
    let many = vec!["31"; 100_000].join(",");
    let rule =
        RRule::parse(&format!("FREQ=MONTHLY;BYMONTHDAY={many};BYDAY=MO,MO,TU")).expect("rule");
    assert_eq!(rule.by_month_day, [31]);
    assert_eq!(rule.by_day.len(), 2);
}
