//! The recurrence iterator (see the module doc of `rrule`): dateutil's
//! period-by-period algorithm with a fast-forward to the requested window.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday};

use super::budget::Meter;
use super::rrule::{Freq, RRule};

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
    } else if let Some(next) = week1_start(year + 1, wkst).filter(|next| d >= *next) {
        year += 1;
        start = next;
    }
    let next = week1_start(year + 1, wkst)?;
    let weeks = i32::try_from((next - start).num_days() / 7).ok()?;
    let week = i32::try_from((d - start).num_days() / 7).ok()? + 1;
    Some((week, weeks))
}

impl RRule {
    /// Whether a day passes every day-level BYxxx filter.
    pub(crate) fn day_matches(&self, d: NaiveDate) -> bool {
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
    meter: &Meter,
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
        if scanned > MAX_PERIODS || emitted_total > MAX_INSTANCES || !meter.charge(1) {
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
                // Each day of the period is examined: a yearly period costs 365 steps.
                if !meter.charge(len.unsigned_abs()) {
                    return;
                }
                for offset in 0..len {
                    let Some(day) = first.checked_add_signed(Duration::days(offset)) else {
                        break;
                    };
                    if !rule.day_matches(day) {
                        continue;
                    }
                    // Every candidate time of the day is built and sorted: BYHOUR ×
                    // BYMINUTE × BYSECOND can make 87,840 of them for one day.
                    if !meter.charge((hours.len() * minutes.len() * seconds.len()) as u64) {
                        return;
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
                    if !meter.charge((mins.len() * secs.len()) as u64) {
                        return;
                    }
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
