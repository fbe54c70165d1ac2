//! RRULE / EXRULE parsing (tolerant) and the recurrence iterator.
//!
//! The iterator works on wall-clock (naive) times of the series' own zone, the
//! way python-dateutil does, and follows its algorithm: each period (year,
//! month, week, day, ...) yields the days of the period that pass every BYxxx
//! filter, times the time set, then BYSETPOS. Without COUNT the instances of a
//! period depend only on the period, so the iterator jumps straight to the
//! periods around the requested window: a series started years ago costs the
//! same as one started last week.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday};

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

/// A parsed recurrence rule. Unknown and `X-` parts are ignored.
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
    /// BYSECOND values 0..=59.
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

fn int_list<T: std::str::FromStr + Copy>(value: &str, ok: impl Fn(T) -> bool) -> Vec<T> {
    value
        .split(',')
        .filter_map(|v| v.trim().trim_start_matches('+').parse::<T>().ok())
        .filter(|v| ok(*v))
        .collect()
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
    /// Parses an RRULE value. Fails only without a usable FREQ.
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
            let Some((key, value)) = part.split_once('=') else {
                continue;
            };
            let value = value.trim().to_ascii_uppercase();
            match key.trim().to_ascii_uppercase().as_str() {
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
                "INTERVAL" => rule.interval = value.parse().ok().filter(|i| *i > 0).unwrap_or(1),
                // A negative COUNT is dropped (recurring-ical-events issue 128).
                "COUNT" => {
                    rule.count = value
                        .parse::<i64>()
                        .ok()
                        .and_then(|c| u32::try_from(c).ok())
                }
                "UNTIL" => rule.until = parse_until(&value),
                "BYSECOND" => rule.by_second = int_list(&value, |v: u32| v < 60),
                "BYMINUTE" => rule.by_minute = int_list(&value, |v: u32| v < 60),
                "BYHOUR" => rule.by_hour = int_list(&value, |v: u32| v < 24),
                "BYMONTHDAY" => {
                    rule.by_month_day = int_list(&value, |v: i32| v != 0 && v.abs() <= 31)
                }
                "BYYEARDAY" => {
                    rule.by_year_day = int_list(&value, |v: i32| v != 0 && v.abs() <= 366)
                }
                "BYWEEKNO" => rule.by_week_no = int_list(&value, |v: i32| v != 0 && v.abs() <= 53),
                "BYMONTH" => rule.by_month = int_list(&value, |v: u32| (1..=12).contains(&v)),
                "BYSETPOS" => rule.by_set_pos = int_list(&value, |v: i32| v != 0 && v.abs() <= 366),
                "WKST" => rule.wkst = weekday(&value).unwrap_or(Weekday::Mon),
                "BYDAY" => {
                    rule.by_day = value
                        .split(',')
                        .filter_map(|d| {
                            let d = d.trim();
                            let split = d.len().checked_sub(2)?;
                            let day = weekday(d.get(split..)?)?;
                            let n = d.get(..split)?.trim_start_matches('+');
                            let n: i32 = if n.is_empty() { 0 } else { n.parse().ok()? };
                            (n.abs() <= 53).then_some((n, day))
                        })
                        .collect()
                }
                "RSCALE" if value != "GREGORIAN" => {
                    return Err(format!("RSCALE={value} calendars are not supported"))
                }
                _ => {} // X- parts and unknown parts carry no recurrence meaning.
            }
        }
        rule.freq = freq.ok_or_else(|| "RRULE without FREQ".to_owned())?;
        Ok(rule)
    }
}

/// Upper bounds that keep a hostile rule (FREQ=SECONDLY over a year) from
/// hanging a window read: at most this many periods are scanned and this many
/// instances produced per rule and read.
const MAX_PERIODS: u64 = 1_000_000;
const MAX_INSTANCES: usize = 50_000;

fn days_in_month(year: i32, month: u32) -> u32 {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    next.and_then(|n| n.pred_opt()).map_or(31, |d| d.day())
}

fn days_in_year(year: i32) -> i32 {
    if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
        366
    } else {
        365
    }
}

/// Start of week 1 of `year` for weeks starting on `wkst` (RFC 5545 BYWEEKNO).
fn week1_start(year: i32, wkst: Weekday) -> Option<NaiveDate> {
    let jan1 = NaiveDate::from_ymd_opt(year, 1, 1)?;
    let offset = (jan1.weekday().num_days_from_monday() + 7 - wkst.num_days_from_monday()) % 7;
    let start = if offset <= 3 {
        jan1 - Duration::days(i64::from(offset))
    } else {
        jan1 + Duration::days(i64::from(7 - offset))
    };
    Some(start)
}

/// (week number, weeks in that week-year) of a date.
fn week_number(d: NaiveDate, wkst: Weekday) -> Option<(i32, i32)> {
    let mut year = d.year();
    let mut start = week1_start(year, wkst)?;
    if d < start {
        year -= 1;
        start = week1_start(year, wkst)?;
    } else if let Some(next) = week1_start(year + 1, wkst) {
        if d >= next {
            year += 1;
            start = next;
        }
    }
    let next = week1_start(year + 1, wkst)?;
    let weeks = i32::try_from((next - start).num_days() / 7).ok()?;
    let week = i32::try_from((d - start).num_days() / 7).ok()? + 1;
    Some((week, weeks))
}

impl RRule {
    /// Whether a day passes every day-level BYxxx filter.
    fn day_matches(&self, d: NaiveDate) -> bool {
        if !self.by_month.is_empty() && !self.by_month.contains(&d.month()) {
            return false;
        }
        if !self.by_week_no.is_empty() {
            let Some((week, weeks)) = week_number(d, self.wkst) else {
                return false;
            };
            if !self
                .by_week_no
                .iter()
                .any(|&w| w == week || weeks + w + 1 == week)
            {
                return false;
            }
        }
        if !self.by_year_day.is_empty() {
            let day = i32::try_from(d.ordinal()).unwrap_or(0);
            let len = days_in_year(d.year());
            if !self
                .by_year_day
                .iter()
                .any(|&y| y == day || len + y + 1 == day)
            {
                return false;
            }
        }
        if !self.by_month_day.is_empty() {
            let day = i32::try_from(d.day()).unwrap_or(0);
            let len = i32::try_from(days_in_month(d.year(), d.month())).unwrap_or(31);
            if !self
                .by_month_day
                .iter()
                .any(|&m| m == day || len + m + 1 == day)
            {
                return false;
            }
        }
        if !self.by_day.is_empty() {
            // Ordinals only mean something for MONTHLY and YEARLY; elsewhere
            // (and with BYWEEKNO) they are read as plain weekdays, like dateutil.
            let ordinal_scope = match self.freq {
                Freq::Monthly => Some(true),
                Freq::Yearly if self.by_week_no.is_empty() => Some(!self.by_month.is_empty()),
                _ => None,
            };
            let ok = self.by_day.iter().any(|&(n, wd)| {
                if wd != d.weekday() {
                    return false;
                }
                match (n, ordinal_scope) {
                    (0, _) | (_, None) => true,
                    (n, Some(in_month)) => {
                        let (index, len) = if in_month {
                            (d.day0() as i32, days_in_month(d.year(), d.month()) as i32)
                        } else {
                            (d.ordinal0() as i32, days_in_year(d.year()))
                        };
                        let forward = index / 7 + 1;
                        let backward = -((len - 1 - index) / 7 + 1);
                        n == forward || n == backward
                    }
                }
            });
            if !ok {
                return false;
            }
        }
        true
    }
}

/// Expands `rule` anchored at `dtstart` and calls `emit` with every instance
/// in `[lo, hi]` (wall-clock, inclusive) that is not after `until`.
///
/// Instances before DTSTART are dropped, COUNT counts from DTSTART.
pub(crate) fn expand_rule(
    rule: &RRule,
    dtstart: NaiveDateTime,
    lo: NaiveDateTime,
    hi: NaiveDateTime,
    until: Option<NaiveDateTime>,
    emit: &mut dyn FnMut(NaiveDateTime),
) {
    let mut rule = rule.clone();
    // dateutil's defaults when no day-level rule is given.
    let no_day_rule = rule.by_week_no.is_empty()
        && rule.by_year_day.is_empty()
        && rule.by_month_day.is_empty()
        && rule.by_day.is_empty();
    if no_day_rule {
        match rule.freq {
            Freq::Yearly => {
                if rule.by_month.is_empty() {
                    rule.by_month = vec![dtstart.month()];
                }
                rule.by_month_day = vec![dtstart.day() as i32];
            }
            Freq::Monthly => rule.by_month_day = vec![dtstart.day() as i32],
            Freq::Weekly => rule.by_day = vec![(0, dtstart.weekday())],
            _ => {}
        }
    }
    let interval = i64::from(rule.interval.max(1));
    let hours = if rule.by_hour.is_empty() {
        vec![dtstart.hour()]
    } else {
        sorted(&rule.by_hour)
    };
    let minutes = if rule.by_minute.is_empty() {
        vec![dtstart.minute()]
    } else {
        sorted(&rule.by_minute)
    };
    let seconds = if rule.by_second.is_empty() {
        vec![dtstart.second()]
    } else {
        sorted(&rule.by_second)
    };
    let start_date = dtstart.date();
    let week_start = start_date
        - Duration::days(i64::from(
            (start_date.weekday().num_days_from_monday() + 7 - rule.wkst.num_days_from_monday())
                % 7,
        ));
    // Fast-forward: without COUNT, start one period before the window.
    let first_period = if rule.count.is_none() && lo > dtstart {
        let gap = lo - dtstart;
        let units = match rule.freq {
            Freq::Yearly => i64::from(lo.year() - dtstart.year()),
            Freq::Monthly => {
                i64::from(lo.year() - dtstart.year()) * 12 + i64::from(lo.month())
                    - i64::from(dtstart.month())
            }
            Freq::Weekly => gap.num_days() / 7,
            Freq::Daily => gap.num_days(),
            Freq::Hourly => gap.num_hours(),
            Freq::Minutely => gap.num_minutes(),
            Freq::Secondly => gap.num_seconds(),
        };
        (units / interval - 1).max(0)
    } else {
        0
    };
    let mut emitted_count: u32 = 0;
    let mut emitted_total = 0usize;
    let mut candidates: Vec<NaiveDateTime> = Vec::with_capacity(64);
    let mut period = first_period;
    let mut scanned = 0u64;
    loop {
        scanned += 1;
        if scanned > MAX_PERIODS || emitted_total > MAX_INSTANCES {
            return;
        }
        let step = period.saturating_mul(interval);
        candidates.clear();
        // The days of this period and the time set that applies to them.
        let period_start: Option<NaiveDateTime> = match rule.freq {
            Freq::Yearly => i32::try_from(i64::from(start_date.year()) + step)
                .ok()
                .and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1))
                .map(|d| d.and_time(NaiveTime::MIN)),
            Freq::Monthly => {
                let index =
                    i64::from(start_date.year()) * 12 + i64::from(start_date.month0()) + step;
                i32::try_from(index.div_euclid(12))
                    .ok()
                    .and_then(|y| NaiveDate::from_ymd_opt(y, index.rem_euclid(12) as u32 + 1, 1))
                    .map(|d| d.and_time(NaiveTime::MIN))
            }
            Freq::Weekly => week_start
                .checked_add_signed(
                    Duration::try_days(step.saturating_mul(7)).unwrap_or(Duration::MAX),
                )
                .map(|d| d.and_time(NaiveTime::MIN)),
            Freq::Daily => start_date
                .checked_add_signed(Duration::try_days(step).unwrap_or(Duration::MAX))
                .map(|d| d.and_time(NaiveTime::MIN)),
            Freq::Hourly => dtstart
                .with_minute(0)
                .and_then(|t| t.with_second(0))
                .and_then(|t| t.checked_add_signed(Duration::try_hours(step)?)),
            Freq::Minutely => dtstart
                .with_second(0)
                .and_then(|t| t.checked_add_signed(Duration::try_minutes(step)?)),
            Freq::Secondly => {
                dtstart.checked_add_signed(Duration::try_seconds(step).unwrap_or(Duration::MAX))
            }
        };
        let Some(period_start) = period_start else {
            return;
        };
        if period_start > hi || until.is_some_and(|u| period_start > u) {
            return;
        }
        match rule.freq {
            Freq::Yearly | Freq::Monthly | Freq::Weekly | Freq::Daily => {
                let (first, len) = match rule.freq {
                    Freq::Yearly => (
                        period_start.date(),
                        days_in_year(period_start.year()) as i64,
                    ),
                    Freq::Monthly => (
                        period_start.date(),
                        i64::from(days_in_month(period_start.year(), period_start.month())),
                    ),
                    Freq::Weekly => (period_start.date(), 7),
                    _ => (period_start.date(), 1),
                };
                for offset in 0..len {
                    let Some(day) = first.checked_add_signed(Duration::days(offset)) else {
                        break;
                    };
                    if !rule.day_matches(day) {
                        continue;
                    }
                    for &h in &hours {
                        for &m in &minutes {
                            for &s in &seconds {
                                if let Some(t) = NaiveTime::from_hms_opt(h, m, s) {
                                    candidates.push(day.and_time(t));
                                }
                            }
                        }
                    }
                }
            }
            Freq::Hourly | Freq::Minutely | Freq::Secondly => {
                let t = period_start;
                let hour_ok = rule.by_hour.is_empty() || rule.by_hour.contains(&t.hour());
                let minute_ok = rule.freq == Freq::Hourly
                    || rule.by_minute.is_empty()
                    || rule.by_minute.contains(&t.minute());
                let second_ok = rule.freq != Freq::Secondly
                    || rule.by_second.is_empty()
                    || rule.by_second.contains(&t.second());
                if rule.day_matches(t.date()) && hour_ok && minute_ok && second_ok {
                    let mins: Vec<u32> = if rule.freq == Freq::Hourly {
                        minutes.clone()
                    } else {
                        vec![t.minute()]
                    };
                    let secs: Vec<u32> = if rule.freq == Freq::Secondly {
                        vec![t.second()]
                    } else {
                        seconds.clone()
                    };
                    for &m in &mins {
                        for &s in &secs {
                            if let Some(time) = NaiveTime::from_hms_opt(t.hour(), m, s) {
                                candidates.push(t.date().and_time(time));
                            }
                        }
                    }
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        if !rule.by_set_pos.is_empty() {
            let len = candidates.len() as i64;
            let mut chosen: Vec<NaiveDateTime> = rule
                .by_set_pos
                .iter()
                .filter_map(|&p| {
                    let index = if p > 0 {
                        i64::from(p) - 1
                    } else {
                        len + i64::from(p)
                    };
                    usize::try_from(index)
                        .ok()
                        .and_then(|i| candidates.get(i).copied())
                })
                .collect();
            chosen.sort_unstable();
            chosen.dedup();
            candidates = chosen;
        }
        for &instance in &candidates {
            if instance < dtstart {
                continue;
            }
            if until.is_some_and(|u| instance > u) || instance > hi {
                return;
            }
            if let Some(count) = rule.count {
                if emitted_count >= count {
                    return;
                }
                emitted_count += 1;
            }
            if instance >= lo {
                emitted_total += 1;
                emit(instance);
            }
        }
        period += 1;
    }
}

fn sorted(values: &[u32]) -> Vec<u32> {
    let mut v = values.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}
