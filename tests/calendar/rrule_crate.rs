//! The `rrule` crate as a second, independent recurrence oracle: for rules inside the
//! subset it handles (FREQ, INTERVAL, COUNT, UNTIL in UTC, BYDAY, BYMONTHDAY, BYMONTH,
//! BYSETPOS; UTC starts), roomcal's iterator and the crate give the same instants over
//! random windows.

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use roomcal::calendar::parse_feed;

/// One generated case.
#[derive(Debug, Clone)]
struct Case {
    /// The start instant; written as UTC, or as wall time in `tzid`.
    dtstart: DateTime<Utc>,
    /// A fixed-offset zone for DTSTART (`Etc/GMT-3`), or UTC.
    tzid: Option<&'static str>,
    rule: String,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

fn basic(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn case() -> impl Strategy<Value = Case> {
    let freq = prop::sample::select(vec!["YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY"]);
    let days = prop::sample::subsequence(vec!["MO", "TU", "WE", "TH", "FR", "SA", "SU"], 0..=3);
    let ordinal = prop::sample::select(vec![0i32, 1, 2, -1]);
    let month_days = prop::sample::subsequence(vec![1, 2, 13, 15, 28, 29, 30, 31, -1], 0..=2);
    let months = prop::sample::subsequence((1..=12u32).collect::<Vec<_>>(), 0..=3);
    let setpos = prop::sample::select(vec![0i32, 1, 2, -1]);
    let end = prop_oneof![
        Just(None),
        (1u32..=40).prop_map(|c| Some((true, c))),
        (1u32..=500).prop_map(|d| Some((false, d)))
    ];
    (
        freq,
        1u32..=3,
        days,
        ordinal,
        month_days,
        months,
        setpos,
        end,
        0i64..=3 * 365,
        0u32..24,
        0i64..=500,
        1i64..=120,
    )
        .prop_map(
            |(
                freq,
                interval,
                days,
                ordinal,
                month_days,
                months,
                setpos,
                end,
                start_day,
                hour,
                from_day,
                span,
            )| {
                let dtstart = Utc
                    .with_ymd_and_hms(2023, 1, 1, hour, 30, 0)
                    .single()
                    .expect("start")
                    + Duration::days(start_day);
                let mut rule = format!("FREQ={freq};INTERVAL={interval}");
                if !days.is_empty() {
                    let monthly_or_yearly = freq == "MONTHLY" || freq == "YEARLY";
                    let n = if monthly_or_yearly && ordinal != 0 {
                        ordinal.to_string()
                    } else {
                        String::new()
                    };
                    let list: Vec<String> = days.iter().map(|d| format!("{n}{d}")).collect();
                    rule.push_str(&format!(";BYDAY={}", list.join(",")));
                }
                if !month_days.is_empty() && freq != "WEEKLY" {
                    let list: Vec<String> = month_days.iter().map(|d| d.to_string()).collect();
                    rule.push_str(&format!(";BYMONTHDAY={}", list.join(",")));
                }
                if !months.is_empty() {
                    let list: Vec<String> = months.iter().map(|m| m.to_string()).collect();
                    rule.push_str(&format!(";BYMONTH={}", list.join(",")));
                }
                if setpos != 0 && rule.contains(";BY") {
                    rule.push_str(&format!(";BYSETPOS={setpos}"));
                }
                match end {
                    Some((true, count)) => rule.push_str(&format!(";COUNT={count}")),
                    Some((false, d)) => rule.push_str(&format!(
                        ";UNTIL={}",
                        basic(dtstart + Duration::days(i64::from(d)))
                    )),
                    None => {}
                }
                let from = dtstart - Duration::days(10) + Duration::days(from_day);
                Case {
                    dtstart,
                    tzid: None,
                    rule,
                    from,
                    to: from + Duration::days(span),
                }
            },
        )
}

/// [`case`] with DTSTART in UTC or in a fixed-offset zone (BYxxx then act on its wall
/// time; UNTIL stays UTC, as RFC 5545 requires with a zoned DTSTART).
fn case_in_zone() -> impl Strategy<Value = Case> {
    (
        case(),
        prop::sample::select(vec![None, Some("Etc/GMT-3"), Some("Etc/GMT+5")]),
    )
        .prop_map(|(c, tzid)| Case { tzid, ..c })
}

/// The DTSTART property line's name and value (`DTSTART;TZID=…` and wall time, or UTC).
fn dtstart_line(c: &Case) -> String {
    match c.tzid {
        Some(tzid) => {
            let tz: chrono_tz::Tz = tzid.parse().expect("zone");
            let local = c.dtstart.with_timezone(&tz).format("%Y%m%dT%H%M%S");
            format!("DTSTART;TZID={tzid}:{local}")
        }
        None => format!("DTSTART:{}", basic(c.dtstart)),
    }
}

/// A span that surely ends after the period DTSTART falls in (interval included).
fn first_period(rule: &str) -> Duration {
    let interval: i64 = rule
        .split(';')
        .find_map(|p| p.strip_prefix("INTERVAL="))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let unit = if rule.contains("FREQ=YEARLY") {
        Duration::days(366)
    } else if rule.contains("FREQ=MONTHLY") {
        Duration::days(31)
    } else if rule.contains("FREQ=WEEKLY") {
        Duration::days(7)
    } else if rule.contains("FREQ=DAILY") {
        Duration::days(1)
    } else {
        Duration::hours(1)
    };
    unit * i32::try_from(interval).unwrap_or(1)
}

/// roomcal's instants in `[from, to)` (zero-length events: exactly the starts there).
fn roomcal_instants(c: &Case) -> Vec<DateTime<Utc>> {
    let body = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:p\r\n{start}\r\nDURATION:PT0S\r\nRRULE:{}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        c.rule,
        start = dtstart_line(c)
    );
    let feed = parse_feed(body.as_bytes(), None).expect("calendar");
    feed.expand(c.from, c.to, chrono_tz::UTC)
        .iter()
        .map(|o| o.start)
        .collect()
}

/// The crate's instants in `[from, to)`, or `None` when it refuses the rule.
fn crate_instants(c: &Case) -> Option<Vec<DateTime<Utc>>> {
    let set: rrule::RRuleSet = format!("{}\nRRULE:{}", dtstart_line(c), c.rule)
        .parse()
        .ok()?;
    let to = c.to.with_timezone(&rrule::Tz::UTC);
    let all = set.before(to).all(u16::MAX);
    Some(
        all.dates
            .into_iter()
            .map(|t| t.with_timezone(&Utc))
            .filter(|t| *t >= c.from && *t < c.to)
            .collect(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn roomcal_and_the_rrule_crate_agree_on_random_rules_and_windows(c in case_in_zone()) {
        let theirs = crate_instants(&c);
        prop_assume!(theirs.is_some());
        // DTSTART itself is compared in the pinned case below: RFC 5545 counts it as the
        // first instance even when the rule would not produce it; the crate does not.
        // The first period under BYSETPOS is compared in the second pinned case: the crate
        // drops instants before DTSTART before it counts positions, RFC 5545 (and
        // dateutil) count them; with COUNT that shifts every later instance as well.
        let setpos = c.rule.contains("BYSETPOS");
        prop_assume!(!(setpos && c.rule.contains("COUNT")));
        let compared_from = if setpos { c.dtstart + first_period(&c.rule) } else { c.dtstart };
        let not_dtstart = |list: Vec<DateTime<Utc>>| -> Vec<DateTime<Utc>> {
            list.into_iter().filter(|t| *t != c.dtstart && *t >= compared_from).collect()
        };
        let ours = not_dtstart(roomcal_instants(&c));
        prop_assert_eq!(ours, not_dtstart(theirs.unwrap_or_default()), "{:?}", c);
    }
}

/// Where the two differ, and why roomcal is right. RFC 5545 3.8.5.3: "The 'DTSTART'
/// property value always counts as the first occurrence", even when it does not match
/// the rule. The crate (like python-dateutil's bare rrule) only yields instants the rule
/// produces; recurring-ical-events, the reference of this engine, adds DTSTART.
#[test]
fn a_dtstart_outside_its_rule_is_still_the_first_instance_unlike_the_crate() {
    let c = Case {
        tzid: None,
        dtstart: Utc
            .with_ymd_and_hms(2023, 2, 1, 0, 30, 0)
            .single()
            .expect("start"),
        rule: "FREQ=YEARLY;INTERVAL=1;BYMONTH=1".into(),
        from: Utc
            .with_ymd_and_hms(2023, 1, 22, 0, 30, 0)
            .single()
            .expect("from"),
        to: Utc
            .with_ymd_and_hms(2024, 2, 2, 0, 30, 0)
            .single()
            .expect("to"),
    };
    let first_of_january = Utc
        .with_ymd_and_hms(2024, 1, 1, 0, 30, 0)
        .single()
        .expect("t");
    assert_eq!(roomcal_instants(&c), [c.dtstart, first_of_january]);
    assert_eq!(crate_instants(&c), Some(vec![first_of_january]));
}

/// RFC 5545 3.3.10: BYSETPOS picks "the nth occurrence within the set of recurrence
/// instances specified by the rule", within the interval — the whole week here, Monday 3
/// June included, although DTSTART is Tuesday 4 June. So the first week's pick is Monday 3
/// June, which is before DTSTART and therefore not an instance (python-dateutil, the
/// reference's iterator, does the same). The crate drops Monday before picking and yields
/// Sunday 9 June instead.
#[test]
fn bysetpos_counts_the_whole_first_period_unlike_the_crate() {
    let c = Case {
        tzid: None,
        dtstart: Utc
            .with_ymd_and_hms(2024, 6, 4, 0, 30, 0)
            .single()
            .expect("start"),
        rule: "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,SU;BYMONTH=6;BYSETPOS=1".into(),
        from: Utc
            .with_ymd_and_hms(2024, 6, 5, 0, 0, 0)
            .single()
            .expect("from"),
        to: Utc
            .with_ymd_and_hms(2024, 6, 18, 0, 0, 0)
            .single()
            .expect("to"),
    };
    let monday = |d| {
        Utc.with_ymd_and_hms(2024, 6, d, 0, 30, 0)
            .single()
            .expect("t")
    };
    assert_eq!(roomcal_instants(&c), [monday(10), monday(17)]);
    assert_eq!(
        crate_instants(&c),
        Some(vec![monday(9), monday(10), monday(17)])
    );
}
