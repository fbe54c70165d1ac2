//! RRULE / EXRULE parsing (tolerant); the iterator is in `rrule_iter`.
//!
//! The iterator works on wall-clock (naive) times of the series' own zone, the
//! way python-dateutil does, and follows its algorithm: each period (year,
//! month, week, day, ...) yields the days of the period that pass every BYxxx
//! filter, times the time set, then BYSETPOS. Without COUNT the instances of a
//! period depend only on the period, so the iterator jumps straight to the
//! periods around the requested window: a series started years ago costs the
//! same as one started last week.

use chrono::{NaiveDate, NaiveDateTime, Weekday};

pub(crate) use super::rrule_iter::expand_rule;

/// Recurrence frequency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Freq {
    /// FREQ=YEARLY
    Yearly,
    /// FREQ=MONTHLY
    Monthly,
    /// FREQ=WEEKLY
    Weekly,
    /// FREQ=DAILY
    Daily,
    /// FREQ=HOURLY
    Hourly,
    /// FREQ=MINUTELY
    Minutely,
    /// FREQ=SECONDLY
    Secondly,
}

/// UNTIL as written: its meaning depends on the DTSTART it is combined with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Until {
    /// `UNTIL=20240315`
    Date(NaiveDate),
    /// `UNTIL=20240315T100000` (no zone)
    Floating(NaiveDateTime),
    /// `UNTIL=20240315T100000Z`
    Utc(NaiveDateTime),
}

/// A parsed recurrence rule. `X-` parts are ignored; any other unknown part, or a part
/// whose value cannot be read, makes the whole rule invalid (see [`RRule::parse`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RRule {
    /// FREQ (required).
    pub freq: Freq,
    /// INTERVAL (>= 1).
    pub interval: u32,
    /// COUNT, if given and positive.
    pub count: Option<u32>,
    /// UNTIL, if given and parseable.
    pub until: Option<Until>,
    /// BYSECOND values 0..=60 (60: a leap second, which produces no instance).
    pub by_second: Vec<u32>,
    /// BYMINUTE values 0..=59.
    pub by_minute: Vec<u32>,
    /// BYHOUR values 0..=23.
    pub by_hour: Vec<u32>,
    /// BYDAY as (ordinal, weekday); ordinal 0 means every such weekday.
    pub by_day: Vec<(i32, Weekday)>,
    /// BYMONTHDAY values ±1..=31.
    pub by_month_day: Vec<i32>,
    /// BYYEARDAY values ±1..=366.
    pub by_year_day: Vec<i32>,
    /// BYWEEKNO values ±1..=53.
    pub by_week_no: Vec<i32>,
    /// BYMONTH values 1..=12.
    pub by_month: Vec<u32>,
    /// BYSETPOS values ±1..=366.
    pub by_set_pos: Vec<i32>,
    /// WKST (default Monday).
    pub wkst: Weekday,
}

fn weekday(text: &str) -> Option<Weekday> {
    Some(match text {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

/// A comma-separated list of integers, each inside its part's range. A value that is not
/// a number, or is out of range, makes the list unreadable: guessing what the author meant
/// would expand a different series than the one in their calendar.
fn int_list<T: std::str::FromStr + Copy>(
    key: &str,
    value: &str,
    ok: impl Fn(T) -> bool,
) -> Result<Vec<T>, String> {
    value
        .split(',')
        .map(|v| {
            v.trim()
                .trim_start_matches('+')
                .parse::<T>()
                .ok()
                .filter(|v| ok(*v))
                .ok_or_else(|| unreadable(key, value))
        })
        .collect()
}

/// The reason given for a part whose value cannot be read.
fn unreadable(key: &str, value: &str) -> String {
    format!("the rule is invalid: {key}={value} cannot be read")
}

fn parse_until(value: &str) -> Option<Until> {
    let value = value.trim();
    if !value.contains(['T', 't']) {
        return super::values::parse_date(value).map(Until::Date);
    }
    let (naive, utc) = super::values::parse_datetime(value)?;
    Some(if utc {
        Until::Utc(naive)
    } else {
        Until::Floating(naive)
    })
}

impl RRule {
    /// Parses an RRULE value.
    ///
    /// Fails without a usable FREQ, on an unknown part other than `X-…` (a misspelt
    /// `UNTL=` must not turn a series that ended into one that never ends), and on a part
    /// whose value cannot be read (`UNTIL=123456T123456`). The caller then keeps the
    /// event's first instance only and warns, as for an unknown FREQ. Two tolerances stay,
    /// because real feeds rely on them and their meaning is unambiguous: spaces around
    /// list items (Exchange writes `BYDAY=MO, TU`) and a negative COUNT, which is dropped
    /// (recurring-ical-events issue 128).
    pub fn parse(text: &str) -> Result<RRule, String> {
        let mut rule = RRule {
            freq: Freq::Daily,
            interval: 1,
            count: None,
            until: None,
            by_second: Vec::new(),
            by_minute: Vec::new(),
            by_hour: Vec::new(),
            by_day: Vec::new(),
            by_month_day: Vec::new(),
            by_year_day: Vec::new(),
            by_week_no: Vec::new(),
            by_month: Vec::new(),
            by_set_pos: Vec::new(),
            wkst: Weekday::Mon,
        };
        let mut freq = None;
        for part in text.trim().trim_start_matches("RRULE:").split(';') {
            if part.trim().is_empty() {
                continue; // a trailing `;` says nothing
            }
            let Some((key, value)) = part.split_once('=') else {
                return Err(format!(
                    "the rule is invalid: {:?} is not a NAME=VALUE part",
                    part.trim()
                ));
            };
            let value = value.trim().to_ascii_uppercase();
            let key = key.trim().to_ascii_uppercase();
            let bad = || unreadable(&key, &value);
            match key.as_str() {
                "FREQ" => {
                    freq = Some(match value.as_str() {
                        "YEARLY" => Freq::Yearly,
                        "MONTHLY" => Freq::Monthly,
                        "WEEKLY" => Freq::Weekly,
                        "DAILY" => Freq::Daily,
                        "HOURLY" => Freq::Hourly,
                        "MINUTELY" => Freq::Minutely,
                        "SECONDLY" => Freq::Secondly,
                        other => return Err(format!("unknown FREQ {other:?}")),
                    })
                }
                "INTERVAL" => {
                    rule.interval = value.parse().ok().filter(|i| *i > 0).ok_or_else(bad)?
                }
                // A negative COUNT is dropped (recurring-ical-events issue 128).
                "COUNT" => {
                    let count = value.parse::<i64>().map_err(|_| bad())?;
                    rule.count = u32::try_from(count).ok();
                }
                "UNTIL" => rule.until = Some(parse_until(&value).ok_or_else(bad)?),
                "BYSECOND" => rule.by_second = int_list(&key, &value, |v: u32| v < 61)?,
                "BYMINUTE" => rule.by_minute = int_list(&key, &value, |v: u32| v < 60)?,
                "BYHOUR" => rule.by_hour = int_list(&key, &value, |v: u32| v < 24)?,
                "BYMONTHDAY" => {
                    rule.by_month_day =
                        int_list(&key, &value, |v: i32| v != 0 && v.unsigned_abs() <= 31)?
                }
                "BYYEARDAY" => {
                    rule.by_year_day =
                        int_list(&key, &value, |v: i32| v != 0 && v.unsigned_abs() <= 366)?
                }
                "BYWEEKNO" => {
                    rule.by_week_no =
                        int_list(&key, &value, |v: i32| v != 0 && v.unsigned_abs() <= 53)?
                }
                "BYMONTH" => {
                    rule.by_month = int_list(&key, &value, |v: u32| (1..=12).contains(&v))?
                }
                "BYSETPOS" => {
                    rule.by_set_pos =
                        int_list(&key, &value, |v: i32| v != 0 && v.unsigned_abs() <= 366)?
                }
                "WKST" => rule.wkst = weekday(&value).ok_or_else(bad)?,
                "BYDAY" => {
                    rule.by_day = value
                        .split(',')
                        .map(|d| {
                            let d = d.trim();
                            let split = d.len().checked_sub(2)?;
                            let day = weekday(d.get(split..)?)?;
                            let n = d.get(..split)?.trim_start_matches('+');
                            let n: i32 = if n.is_empty() { 0 } else { n.parse().ok()? };
                            (n.unsigned_abs() <= 53).then_some((n, day))
                        })
                        .collect::<Option<Vec<_>>>()
                        .ok_or_else(bad)?
                }
                "RSCALE" if value != "GREGORIAN" => {
                    return Err(format!("RSCALE={value} calendars are not supported"));
                }
                // RFC 7529: SKIP only matters for non-Gregorian scales, refused above.
                "RSCALE" | "SKIP" => {}
                x if x.starts_with("X-") => {} // extensions carry no recurrence meaning
                other => {
                    return Err(format!(
                        "the rule is invalid: {other} is not an RRULE part (misspelt?)"
                    ))
                }
            }
        }
        rule.freq = freq.ok_or_else(|| "RRULE without FREQ".to_owned())?;
        // The lists are sets: `BYMONTHDAY=31,31,…` a million times is one value, and the
        // iterator's cost per day must not grow with repetitions.
        for list in [
            &mut rule.by_second,
            &mut rule.by_minute,
            &mut rule.by_hour,
            &mut rule.by_month,
        ] {
            list.sort_unstable();
            list.dedup();
        }
        for list in [
            &mut rule.by_month_day,
            &mut rule.by_year_day,
            &mut rule.by_week_no,
            &mut rule.by_set_pos,
        ] {
            list.sort_unstable();
            list.dedup();
        }
        rule.by_day
            .sort_by_key(|(n, day)| (*n, day.num_days_from_monday()));
        rule.by_day.dedup();
        Ok(rule)
    }
}
